//! How the form learns what to be: the embed options from its own URL (set by `embed.js` from the firm's snippet)
//! and the firm's config file, checked by core. Also the one rule that the options add: key pinning.

use sealform_core::key::Kid;
use sealform_core::origin::Origin;
use sealform_core::{FormSchema, SchemaError, Sha256Digest};

/// The config file's name beside the form when the snippet names none.
pub use sealform_core::protocol::page::DEFAULT_CONFIG;

/// What the embedding page asked for, from the form's query string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmbedOptions {
    /// Where the config is, as given: relative to the form, and refused unless it resolves on the form's own
    /// origin ([`config_url`]).
    pub config: String,
    /// The form's own URL, which `config` is resolved against and whose origin it must keep; `None`: this page's
    /// (the iframe's). Inline mode sets it, since there the page is the firm's.
    pub form_base: Option<String>,
    /// The key ids the firm's snippet pinned; empty when it pinned none.
    pub pins: Vec<String>,
    /// The origin of the page that embeds the form, told by `embed.js`; messages go only there.
    pub parent_origin: Option<String>,
    /// The languages the firm's snippet asked for (`data-lang`), first choice first; empty: the client's browser
    /// languages choose.
    pub languages: Vec<String>,
}

impl EmbedOptions {
    /// Reads the options from a query string's pairs (`config`, `pin` — comma or space separated, may repeat —,
    /// `origin` and `lang`, comma or space separated too).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut options = Self {
            config: DEFAULT_CONFIG.to_owned(),
            ..Self::default()
        };
        for (key, value) in pairs {
            match key {
                "config" if !value.is_empty() => options.config = value.to_owned(),
                "pin" => options.pins.extend(
                    value
                        .split([',', ' '])
                        .filter(|pin| !pin.is_empty())
                        .map(str::to_owned),
                ),
                "lang" => options
                    .languages
                    .extend(sealform_core::i18n::listed_languages(value)),
                "origin" => {
                    // Anything but a plain origin is ignored: messages then go nowhere, never to a wrong page.
                    if let Ok(origin) = value.parse::<Origin>() {
                        options.parent_origin = Some(origin.to_string());
                    }
                }
                _ => {}
            }
        }
        options
    }
}

/// A URL as the browser's URL parser reads it: the parts the origin check needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedUrl {
    /// The whole URL, normalised.
    pub href: String,
    /// Its origin, serialised (`https://host[:port]`, or `null` for opaque ones such as `data:`).
    pub origin: String,
}

/// Where to fetch the config: `config` resolved against `base` by `parse` (the browser's URL parser, so the check
/// sees exactly what `fetch` would), and refused unless it is on `base`'s own origin. A string check on the value
/// is not enough: the parser drops tabs and newlines and reads `\` as `/`, so `/<TAB>/evil.example/c.json` becomes
/// `//evil.example/c.json`, another origin. `parse(url, base)` gives `None` when the URL cannot be parsed.
pub fn config_url(
    config: &str,
    base: &str,
    parse: impl Fn(&str, Option<&str>) -> Option<ParsedUrl>,
) -> Result<String, ConfigError> {
    let off_origin = |origin: &str| ConfigError::OffOrigin {
        config: config.to_owned(),
        origin: origin.to_owned(),
    };
    let own = parse(base, None).ok_or_else(|| off_origin("unknown"))?;
    // An opaque origin ("null") equals nothing, not even another "null".
    if own.origin == "null" {
        return Err(off_origin(&own.origin));
    }
    match parse(config, Some(&own.href)) {
        Some(url) if url.origin == own.origin => Ok(url.href),
        _ => Err(off_origin(&own.origin)),
    }
}

/// Why the form cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The config's URL is not on the form's own origin: refused before anything is fetched.
    #[error(
        "the form config {config:?} is not on the form's own origin ({origin}); give data-config as a path on that \
         origin, such as \"forms/intake.json\""
    )]
    OffOrigin {
        /// The value given (`config` in the query, or `data-config`).
        config: String,
        /// The form's origin.
        origin: String,
    },
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
    /// The page gave no pins at all and the config does not allow that.
    #[error(
        "this page embeds the form without data-pin, so a config changed on the server could add a key of its own: \
         add data-pin=\"{kids}\" to the embed snippet (the fingerprints of the keys in the config; check them \
         against your own), or, unsafely, set \"allow_unpinned\": true in the config"
    )]
    Unpinned {
        /// The config's recipients' key ids, comma separated: what the snippet's `data-pin` should say.
        kids: String,
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
    /// Whether the receiver asks each submission for a proof of work: told by the header it serves the config with
    /// (`protocol::pow::REQUIRED_HEADER`), so the form asks for challenges only then.
    pub proof_of_work: bool,
    /// Whether the form runs without pins because the config allows it (`allow_unpinned`): the page warns the firm
    /// in the console on every load.
    pub unpinned: bool,
    /// How many days the receiver keeps a saved draft, when it keeps drafts at all: told by the header it serves
    /// the config with (`protocol::draft::DAYS_HEADER`). Without it, "Save and continue later" offers the draft as
    /// a file only.
    pub draft_days: Option<u32>,
}

impl LoadedConfig {
    /// Shows the form in the first language of `wanted` that it offers (`es-MX` finds `es`), else in its own: the
    /// questions' texts become that language's, and so do the consent record's language and texts.
    pub fn choose_language(&mut self, wanted: &[String]) {
        let offers = self.schema.languages();
        let chosen = sealform_core::i18n::choose(wanted, &offers, &self.schema.language);
        if let Some(shown) = self.schema.in_language(&chosen) {
            self.schema = shown;
        }
    }

    /// Checks the config file's bytes and the pins ([`check_pins`]).
    pub fn from_bytes(url: &str, bytes: &[u8], pins: &[String]) -> Result<Self, ConfigError> {
        let schema = FormSchema::from_json(bytes).map_err(|source| ConfigError::Invalid {
            url: url.to_owned(),
            source,
        })?;
        check_pins(&schema, pins)?;
        Ok(Self {
            digest: Sha256Digest::of(bytes),
            endpoint: schema.endpoint.as_str().to_owned(),
            proof_of_work: false,
            draft_days: None,
            unpinned: pins.is_empty(),
            schema,
        })
    }
}

/// Every recipient must be pinned, so a config swapped on the server cannot add a key the firm did not choose. No
/// pins at all is refused unless the config says `allow_unpinned`. A pin is the full `kid`: the short fingerprint
/// the form shows is for a person to compare by eye, and is not accepted as a pin.
pub fn check_pins(schema: &FormSchema, pins: &[String]) -> Result<(), ConfigError> {
    if pins.is_empty() {
        if schema.allow_unpinned {
            return Ok(());
        }
        let kids: Vec<&str> = schema.recipients.iter().map(|r| r.kid().as_str()).collect();
        return Err(ConfigError::Unpinned {
            kids: kids.join(","),
        });
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
        // data-lang: well-formed tags only, first choice first.
        let options = EmbedOptions::from_pairs([("lang", "es-MX, ar"), ("lang", "not_a-tag")]);
        assert_eq!(options.languages, ["es-MX", "ar"]);
    }

    /// The WHATWG URL parser natively (the `url` crate), standing in for the browser's `URL`.
    fn whatwg(input: &str, base: Option<&str>) -> Option<ParsedUrl> {
        let base = base.map(url::Url::parse).transpose().ok()?;
        let url = url::Url::options()
            .base_url(base.as_ref())
            .parse(input)
            .ok()?;
        Some(ParsedUrl {
            href: url.as_str().to_owned(),
            origin: url.origin().ascii_serialization(),
        })
    }

    const FORM: &str = "https://forms.firm.example/intake/index.html?pin=abc";

    #[test]
    fn a_config_on_the_forms_origin_resolves_against_the_form() {
        for (given, expected) in [
            (
                "config.json",
                "https://forms.firm.example/intake/config.json",
            ),
            (
                "forms/a.json",
                "https://forms.firm.example/intake/forms/a.json",
            ),
            ("/c.json", "https://forms.firm.example/c.json"),
            ("../c.json?v=2", "https://forms.firm.example/c.json?v=2"),
            (
                "https://forms.firm.example/c.json",
                "https://forms.firm.example/c.json",
            ),
        ] {
            assert_eq!(
                config_url(given, FORM, whatwg).unwrap(),
                expected,
                "{given}"
            );
        }
    }

    #[test]
    fn a_config_anywhere_else_is_refused() {
        for given in [
            // The parser drops the tab (and newlines), leaving a scheme-relative URL.
            "/\t/evil.example/c.json",
            "/\n/evil.example/c.json",
            "//evil.example/c.json",
            "\\\\evil.example/c.json",
            "/\\evil.example/c.json",
            "https://evil.example/c.json",
            "http://forms.firm.example/c.json",
            "https://forms.firm.example:8443/c.json",
            "data:application/json,{}",
            "javascript:alert(1)",
            "https://[::1",
        ] {
            let error = config_url(given, FORM, whatwg).unwrap_err();
            assert!(
                matches!(&error, ConfigError::OffOrigin { origin, .. } if origin == "https://forms.firm.example"),
                "{given}: {error}"
            );
        }
        // A form whose own URL has no origin trusts no config.
        assert!(config_url("c.json", "data:text/html,x", whatwg).is_err());
        assert!(config_url("c.json", "not a url", whatwg).is_err());
    }

    #[test]
    fn the_refusal_says_what_to_do() {
        let text = config_url("/\t/evil.example/c.json", FORM, whatwg)
            .unwrap_err()
            .to_string();
        assert!(
            text.contains(r#""/\t/evil.example/c.json""#) && text.contains("path on that origin"),
            "{text}"
        );
    }

    #[test]
    fn pins_must_cover_every_recipient() {
        let firm = key(include_str!("../crates/core/tests/data/keys/firm.pem"));
        let backup = key(include_str!("../crates/core/tests/data/keys/backup.pem"));
        let bytes = config_for(&[&firm, &backup]);
        let both = [firm.kid().to_string(), backup.kid().to_string()];
        let pinned = LoadedConfig::from_bytes("c", &bytes, &both).unwrap();
        assert!(!pinned.unpinned);
        let error = LoadedConfig::from_bytes("c", &bytes, &both[..1]).unwrap_err();
        assert!(
            matches!(&error, ConfigError::NotPinned { unpinned, .. } if unpinned == backup.kid()),
            "{error}"
        );
    }

    #[test]
    fn no_pins_at_all_is_refused_unless_the_config_allows_it() {
        let firm = key(include_str!("../crates/core/tests/data/keys/firm.pem"));
        let backup = key(include_str!("../crates/core/tests/data/keys/backup.pem"));
        let bytes = config_for(&[&firm, &backup]);
        let error = LoadedConfig::from_bytes("c", &bytes, &[]).unwrap_err();
        // The refusal gives the firm the snippet's attribute to add.
        let expected = format!("data-pin=\"{},{}\"", firm.kid(), backup.kid());
        assert!(
            matches!(&error, ConfigError::Unpinned { .. }) && error.to_string().contains(&expected),
            "{error}"
        );

        let mut allowing: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        allowing["allow_unpinned"] = true.into();
        let allowing = serde_json::to_vec(&allowing).unwrap();
        let config = LoadedConfig::from_bytes("c", &allowing, &[]).unwrap();
        assert!(config.unpinned && config.schema.allow_unpinned);
        // Pins still bind when given, whatever the config allows.
        assert!(LoadedConfig::from_bytes("c", &allowing, &[backup.kid().to_string()]).is_err());
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

    #[test]
    fn the_form_is_shown_in_the_first_language_it_offers_of_those_wanted() {
        let firm = key(include_str!("../crates/core/tests/data/keys/firm.pem"));
        let bytes = config_for(&[&firm]);
        let pins = [firm.kid().to_string()];
        let shown = |wanted: &[&str]| {
            let mut config = LoadedConfig::from_bytes("c", &bytes, &pins).unwrap();
            let wanted: Vec<String> = wanted.iter().map(|tag| (*tag).to_owned()).collect();
            config.choose_language(&wanted);
            config.schema
        };
        let spanish = shown(&["fr", "es-MX", "en"]);
        assert_eq!(spanish.language, "es");
        assert_eq!(spanish.title, "Cuéntenos su asunto legal");
        assert_eq!(shown(&["ar"]).language, "ar");
        assert_eq!(shown(&["de"]).language, "en-GB");
        assert_eq!(shown(&[]).language, "en-GB");
        // The digest stays that of the file as served: the submission names the config, whatever its language.
        let mut config = LoadedConfig::from_bytes("c", &bytes, &pins).unwrap();
        let digest = config.digest;
        config.choose_language(&["ar".to_owned()]);
        assert_eq!(config.digest, digest);
    }
}
