//! The firm's form definition is read by the CLI and by the form in every client's browser: whatever the bytes,
//! reading them gives a schema or an error, never a panic. Two agreements are checked as well: a definition that
//! reads as a [`FormSchema`] reads as the same [`Template`], and a schema written out (as the CLI writes the file
//! the form serves) reads back as the same schema.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealform_core::schema::{FormSchema, Template};

fuzz_target!(|json: &[u8]| {
    let template = Template::from_json(json);
    let Ok(schema) = FormSchema::from_json(json) else {
        return;
    };
    let template = template.expect("a valid schema is a valid template");
    assert_eq!(template.schema(), &schema);
    let written = serde_json::to_vec(&schema).expect("a schema serialises");
    let reread = FormSchema::from_json(&written).expect("a written schema reads back");
    assert_eq!(reread, schema);
});
