//! (being written)
use serde::{Deserialize, Serialize};
/// Placeholder until the consent module lands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ConsentRecord {}
