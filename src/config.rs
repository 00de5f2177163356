//! How the form learns what to be: the embed options from its own URL (set by `embed.js` from the firm's snippet)
//! and the firm's config file, checked by core. Also the one rule that the options add: key pinning.

use sealform_core::key::Kid;
use sealform_core::{FormSchema, SchemaError, Sha256Digest};

/// The config file's name beside the form when the snippet names none.
pub const DEFAULT_CONFIG: &str = "config.json";

/// What the embedding page asked for, from the form's query string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmbedOptions {
    /// Where the config is, relative to the form (same origin only: the CSP allows nothing else).
    pub config: String,
    /// The key ids the firm's snippet pinned; empty when it pinned none.
    pub pins: Vec<String>,
    /// The origin of the page that embeds the form, told by `embed.js`; messages go only there.
    pub parent_origin: Option<String>,
}

impl EmbedOptions {
    /// Reads the options from a query string's pairs (`config`, `pin` — comma or space separated, may repeat —
    /// and `origin`).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut options = Self {
            config: DEFAULT_CONFIG.to_owned(),
            ..Self::default()
        };
        for (key, value) in pairs {
            match key {
                "config" if is_same_origin_path(value) => options.config = value.to_owned(),
                "pin" => options.pins.extend(
                    value
                        .split([',', ' '])
                        .filter(|pin| !pin.is_empty())
                        .map(str::to_owned),
                ),
                "origin" if is_origin(value) => options.parent_origin = Some(value.to_owned()),
                _ => {}
            }
        }
        options
    }
}

/// A relative path without a scheme or host, so the config always comes from the form's own origin.
fn is_same_origin_path(value: &str) -> bool {
    !value.is_empty() && !value.contains("//") && !value.contains(':') && !value.contains('\\')
}

/// `http(s)://host[:port]` and nothing more.
fn is_origin(value: &str) -> bool {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    rest.is_some_and(|host| {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    })
}

/// Why the form cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The config could not be fetched.
    #[error("could not load the form config from {url}: {detail}")]
    Unreachable {
        /// Where it was looked for.
        url: String,
        /// What the browser said.
        detail: String,
    },
    /// The config is not a valid form definition.
    #[error("the form config {url} is not valid: {source}")]
    Invalid {
        /// Where it came from.
        url: String,
        /// Core's error, with the JSON path of the problem.
        source: SchemaError,
    },
    /// A recipient's key is not among those the firm's snippet pinned.
    #[error(
        "the form config seals to key {unpinned}, which the page's data-pin does not list ({pinned}); refusing to \
         seal to a key the firm did not pin"
    )]
    NotPinned {
        /// The recipient that was not pinned.
        unpinned: Kid,
        /// The pins given.
        pinned: String,
    },
}

/// A checked config: the schema and the digest of its exact bytes (recorded in every submission).
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    /// The form definition.
    pub schema: FormSchema,
    /// SHA-256 of the config file's bytes.
    pub digest: Sha256Digest,
    /// Where to POST, as given in the config until the page resolves it against the config's URL.
    pub endpoint: String,
}

impl LoadedConfig {
    /// Checks the config file's bytes and the pins. With pins, every recipient must be pinned: a config swapped on
    /// the server cannot add a key the firm did not choose.
    pub fn from_bytes(url: &str, bytes: &[u8], pins: &[String]) -> Result<Self, ConfigError> {
        let schema = FormSchema::from_json(bytes).map_err(|source| ConfigError::Invalid {
            url: url.to_owned(),
            source,
        })?;
        check_pins(&schema, pins)?;
        Ok(Self {
            digest: Sha256Digest::of(bytes),
            endpoint: schema.endpoint.as_str().to_owned(),
            schema,
        })
    }
}

/// Every recipient must be pinned, when pins are given. A pin is the full `kid`: the short fingerprint the form
/// shows is for a person to compare by eye, and is not accepted as a pin.
pub fn check_pins(schema: &FormSchema, pins: &[String]) -> Result<(), ConfigError> {
    if pins.is_empty() {
        return Ok(());
    }
    let pinned = |kid: &Kid| pins.iter().any(|pin| pin == kid.as_str());
    match schema.recipients.iter().find(|r| !pinned(r.kid())) {
        Some(unpinned) => Err(ConfigError::NotPinned {
            unpinned: unpinned.kid().clone(),
            pinned: pins.join(", "),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealform_core::key::Identity;
    use sealform_core::schema::{Template, LEGAL_INTAKE_TEMPLATE};

    fn key(pem: &str) -> Identity {
        Identity::from_pkcs8_pem(pem, None).unwrap()
    }

    fn config_for(keys: &[&Identity]) -> Vec<u8> {
        let schema = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes())
            .unwrap()
            .with_recipients(keys.iter().map(|k| k.recipient().clone()))
            .unwrap();
        serde_json::to_vec(&schema).unwrap()
    }

    #[test]
    fn options_come_from_the_query_and_unsafe_values_are_ignored() {
        let options = EmbedOptions::from_pairs([
            ("config", "https://evil.example/config.json"),
            ("pin", "aaa,bbb"),
            ("pin", "ccc"),
            ("origin", "https://firm.example"),
        ]);
        assert_eq!(options.config, DEFAULT_CONFIG);
        assert_eq!(options.pins, ["aaa", "bbb", "ccc"]);
        assert_eq!(
            options.parent_origin.as_deref(),
            Some("https://firm.example")
        );
        let options = EmbedOptions::from_pairs([
            ("config", "forms/intake.json"),
            ("origin", "javascript:alert(1)"),
        ]);
        assert_eq!(options.config, "forms/intake.json");
        assert_eq!(options.parent_origin, None);
    }

    #[test]
    fn pins_must_cover_every_recipient() {
        let firm = key(include_str!("../crates/core/tests/data/keys/firm.pem"));
        let backup = key(include_str!("../crates/core/tests/data/keys/backup.pem"));
        let bytes = config_for(&[&firm, &backup]);
        let both = [firm.kid().to_string(), backup.kid().to_string()];
        assert!(LoadedConfig::from_bytes("c", &bytes, &both).is_ok());
        assert!(LoadedConfig::from_bytes("c", &bytes, &[]).is_ok());
        let error = LoadedConfig::from_bytes("c", &bytes, &both[..1]).unwrap_err();
        assert!(
            matches!(&error, ConfigError::NotPinned { unpinned, .. } if unpinned == backup.kid()),
            "{error}"
        );
    }

    #[test]
    fn an_invalid_config_names_the_path() {
        let error =
            LoadedConfig::from_bytes("config.json", br#"{"schema": 1, "id": 5}"#, &[]).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("config.json") && text.contains("id"),
            "{text}"
        );
    }
}
