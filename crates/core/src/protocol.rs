//! The wire contract between the form, the receiver and the firm's CLI: what each side sends and expects.

pub mod pickup;
