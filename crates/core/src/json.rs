//! The one strict JSON reader, for every document core reads: sealed parts, bundles, the opened submission and the
//! form definition. Strictness itself (unknown members refused) is each type's `deny_unknown_fields`; this module
//! adds what every reader needs alike: nothing after the document, and where a problem is.
//!
//! With the `json-paths` feature a problem is placed by its JSON path (`sections[1].fields[3].kind`); without it
//! (the browser form, to keep the wasm small) serde_json's message gives the line and column instead.

use serde::de::DeserializeOwned;

/// Why a JSON document could not be read as the type asked for.
#[derive(Debug)]
pub(crate) struct JsonProblem {
    /// The JSON path of the problem; `None` for the document as a whole (a syntax error before the first member,
    /// trailing text, or any problem when built without `json-paths`).
    pub(crate) path: Option<String>,
    /// serde_json's description of the problem.
    pub(crate) message: String,
}

/// Reads `bytes` as exactly one JSON document of type `T`.
pub(crate) fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonProblem> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = deserialize(&mut deserializer)?;
    deserializer.end().map_err(|error| JsonProblem {
        path: None,
        message: error.to_string(),
    })?;
    Ok(value)
}

#[cfg(feature = "json-paths")]
fn deserialize<T: DeserializeOwned>(
    deserializer: &mut serde_json::Deserializer<serde_json::de::SliceRead<'_>>,
) -> Result<T, JsonProblem> {
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        JsonProblem {
            // serde_path_to_error names the document itself "." (or "?" before its first member is read), which
            // reads as noise before a syntax error.
            path: (path != "." && path != "?").then_some(path),
            message: error.into_inner().to_string(),
        }
    })
}

#[cfg(not(feature = "json-paths"))]
fn deserialize<T: DeserializeOwned>(
    deserializer: &mut serde_json::Deserializer<serde_json::de::SliceRead<'_>>,
) -> Result<T, JsonProblem> {
    T::deserialize(deserializer).map_err(|error| JsonProblem {
        path: None,
        message: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[allow(dead_code)]
        inner: Vec<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        n: u8,
    }

    #[test]
    fn reads_one_document() {
        let outer: Outer = read(br#"{"inner":[{"n":1}]}"#).unwrap();
        assert_eq!(outer.inner.len(), 1);
    }

    #[test]
    fn refuses_trailing_text_for_the_whole_document() {
        let problem = read::<Outer>(br#"{"inner":[]} x"#).unwrap_err();
        assert_eq!(problem.path, None);
        assert!(problem.message.contains("trailing"), "{}", problem.message);
    }

    #[test]
    fn a_syntax_error_before_any_member_is_the_whole_document() {
        let problem = read::<Outer>(b"{").unwrap_err();
        assert_eq!(problem.path, None);
    }

    #[cfg(feature = "json-paths")]
    #[test]
    fn names_the_path_of_a_problem() {
        let problem = read::<Outer>(br#"{"inner":[{"n":1},{"n":1,"m":2}]}"#).unwrap_err();
        assert_eq!(problem.path.as_deref(), Some("inner[1].m"));
        assert!(
            problem.message.contains("unknown field"),
            "{}",
            problem.message
        );
    }
}
