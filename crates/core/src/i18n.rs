//! The built-in texts in each language sealform speaks (English, Spanish, Arabic), from Project Fluent catalogues in
//! `crates/core/locales/`, and the rules for language tags: which the client gets, which way the text runs.
//!
//! The form's own words (buttons, progress, the consent step, the receipt) and the answer rules' messages are all
//! here, so the form and the CLI that re-checks a submission say the same thing in the same language. A form's own
//! questions are not: their translations are in its config (`translations`, see [`crate::schema`]).

use std::str::FromStr;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The languages sealform has built-in texts for, as primary language subtags; the first is the fallback.
pub const LANGUAGES: [&str; 3] = ["en", "es", "ar"];

/// Each language's catalogues, in the order [`LANGUAGES`] names them: the answer rules' messages, then the form's.
const CATALOGUES: [[&str; 2]; 3] = [
    [
        include_str!("../locales/en/core.ftl"),
        include_str!("../locales/en/form.ftl"),
    ],
    [
        include_str!("../locales/es/core.ftl"),
        include_str!("../locales/es/form.ftl"),
    ],
    [
        include_str!("../locales/ar/core.ftl"),
        include_str!("../locales/ar/form.ftl"),
    ],
];

/// One language's built-in texts.
pub struct Texts {
    language: &'static str,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Texts")
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

/// A value put into a message: text, or a number (which Fluent also uses to pick a plural form).
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// Words, shown as they are.
    Text(String),
    /// A count or amount.
    Number(f64),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&String> for Arg {
    fn from(text: &String) -> Self {
        Self::Text(text.clone())
    }
}

macro_rules! number_arg {
    ($($type:ty),*) => {$(
        impl From<$type> for Arg {
            fn from(number: $type) -> Self {
                // Counts and limits in a form are far below 2^53, so the conversion is exact.
                Self::Number(number as f64)
            }
        }
    )*};
}
number_arg!(u32, u64, usize, i64, f64);

/// The built-in texts for `language` (a BCP 47 tag such as `es-MX`), by its primary subtag; English for a language
/// sealform has no texts for (a form's config cannot offer one: [`has_texts`] is checked when it is read).
pub fn texts(language: &str) -> &'static Texts {
    static LOADED: [OnceLock<Texts>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let index = LANGUAGES
        .iter()
        .position(|known| *known == primary_subtag(language))
        .unwrap_or(0);
    LOADED[index].get_or_init(|| Texts::load(index))
}

/// Whether sealform has built-in texts for `language`.
pub fn has_texts(language: &str) -> bool {
    LANGUAGES.contains(&primary_subtag(language).as_str())
}

/// The primary language subtag of a tag, lower-cased: `es` for `es-MX`.
pub fn primary_subtag(language: &str) -> String {
    language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Whether `language` is a well-formed BCP 47 tag (`en-GB`, `es`, `ar`).
pub fn is_language_tag(language: &str) -> bool {
    LanguageIdentifier::from_str(language).is_ok() && !language.contains('_')
}

/// Which way text in `language` runs, as HTML's `dir` attribute says it: `"rtl"` or `"ltr"`.
pub fn direction(language: &str) -> &'static str {
    // The scripts written right to left among the languages a firm may translate into; Fluent's own tables are
    // not needed for the three sealform ships.
    const RIGHT_TO_LEFT: [&str; 9] = ["ar", "he", "fa", "ur", "ps", "sd", "yi", "dv", "ckb"];
    if RIGHT_TO_LEFT.contains(&primary_subtag(language).as_str()) {
        "rtl"
    } else {
        "ltr"
    }
}

/// The language to show a form in: the first of `wanted` (the snippet's `data-lang`, then the browser's languages
/// in the client's order) that the form `offers`, matched as RFC 4647 lookup does (`es-MX` finds `es`, and `es`
/// finds `es-ES`); else `default`.
pub fn choose(wanted: &[String], offers: &[String], default: &str) -> String {
    let parse = |tags: &[String]| -> Vec<LanguageIdentifier> {
        tags.iter().filter_map(|tag| tag.parse().ok()).collect()
    };
    let (wanted, offered) = (parse(wanted), parse(offers));
    let fallback: Option<LanguageIdentifier> = default.parse().ok();
    let chosen = fluent_langneg::negotiate_languages(
        &wanted,
        &offered,
        fallback.as_ref(),
        fluent_langneg::NegotiationStrategy::Lookup,
    );
    // Hand back the form's own spelling of the tag, which its translations are keyed by.
    chosen
        .first()
        .and_then(|found| {
            offers
                .iter()
                .find(|tag| tag.parse().ok().as_ref() == Some(*found))
        })
        .cloned()
        .unwrap_or_else(|| default.to_owned())
}

/// The languages a snippet's `data-lang` lists (the iframe's `?lang=`), comma or space separated, first choice
/// first; anything that is not a well-formed tag is left out.
pub fn listed_languages(value: &str) -> Vec<String> {
    value
        .split([',', ' '])
        .filter(|tag| is_language_tag(tag))
        .map(str::to_owned)
        .collect()
}

/// The languages an HTTP `Accept-Language` header asks for, first choice first (`"es-ES,es;q=0.9,en;q=0.8"` gives
/// `es-ES`, `es`, `en`): what a receiver hands [`choose`] to render a page in the language the form will choose
/// from the browser's own list, which browsers send in this header. Tags that do not parse are left out.
pub fn accepted_languages(header: &str) -> Vec<String> {
    fluent_langneg::accepted_languages::parse(header)
        .iter()
        .map(ToString::to_string)
        .collect()
}

impl Texts {
    fn load(index: usize) -> Self {
        let language = LANGUAGES[index];
        let id: LanguageIdentifier = language.parse().expect("a built-in language tag");
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Fluent wraps each inserted value in Unicode isolation marks so a Latin label keeps its order inside Arabic
        // text; left-to-right texts have no need of them, and they would be invisible noise in the CLI's output.
        bundle.set_use_isolating(direction(language) == "rtl");
        for source in CATALOGUES[index] {
            let resource = FluentResource::try_new(source.to_owned())
                .expect("the built-in catalogues parse (checked by a test)");
            bundle
                .add_resource(resource)
                .expect("no message is defined twice (checked by a test)");
        }
        Self { language, bundle }
    }

    /// The language these texts are in (a primary subtag from [`LANGUAGES`]).
    pub fn language(&self) -> &'static str {
        self.language
    }

    /// The message `id`, which takes no values.
    pub fn get(&self, id: &str) -> String {
        self.format(id, &[])
    }

    /// The message `id` with `args` put in.
    ///
    /// A message missing from the catalogues reads as its id, so a mistake shows on screen rather than as an empty
    /// label; a test checks that every language has every message.
    pub fn format(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut values = FluentArgs::new();
        for (name, arg) in args {
            match arg {
                Arg::Text(text) => values.set(*name, FluentValue::from(text.as_str())),
                Arg::Number(number) => values.set(*name, FluentValue::from(*number)),
            }
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&values), &mut errors);
        text.into_owned()
    }

    /// Whether the catalogues have message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }
}

/// The ids of the messages in one language's catalogues, for tests that compare languages.
#[cfg(test)]
fn message_ids(index: usize) -> std::collections::BTreeSet<String> {
    use fluent_bundle::FluentResource;
    CATALOGUES[index]
        .iter()
        .flat_map(|source| {
            let resource = FluentResource::try_new((*source).to_owned()).expect("parses");
            resource
                .entries()
                .filter_map(|entry| match entry {
                    fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_owned()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_parses_and_defines_each_message_once() {
        for (index, sources) in CATALOGUES.iter().enumerate() {
            for source in sources {
                if let Err((_, errors)) = FluentResource::try_new((*source).to_owned()) {
                    panic!("{}: {errors:?}", LANGUAGES[index]);
                }
            }
            // Loading adds every resource to one bundle, which refuses an id defined twice.
            let _ = Texts::load(index);
        }
    }

    #[test]
    fn every_language_has_exactly_the_english_messages() {
        let english = message_ids(0);
        assert!(english.len() > 20, "the English catalogues are read");
        for (index, language) in LANGUAGES.iter().enumerate().skip(1) {
            let other = message_ids(index);
            let missing: Vec<_> = english.difference(&other).collect();
            let extra: Vec<_> = other.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{language}: missing {missing:?}, not in English {extra:?}"
            );
        }
    }

    #[test]
    fn a_message_formats_with_its_values_and_a_missing_one_shows_its_id() {
        let english = texts("en-GB");
        assert_eq!(english.language(), "en");
        assert_eq!(
            english.format("enter", &[("name", "full name".into())]),
            "Enter full name"
        );
        assert_eq!(english.get("no-such-message"), "no-such-message");
        // Right-to-left texts keep an inserted Latin label in order with isolation marks.
        let arabic = texts("ar");
        assert!(arabic
            .format("enter", &[("name", "Email".into())])
            .contains("\u{2068}Email\u{2069}"));
    }

    #[test]
    fn plurals_follow_each_languages_rules() {
        let min_selected = |language: &str, min: u32| {
            texts(language).format(
                "too-few-selected",
                &[("min", min.into()), ("name", "x".into())],
            )
        };
        assert!(min_selected("en", 1).contains("1 option for"));
        assert!(min_selected("en", 2).contains("2 options for"));
        assert!(min_selected("es", 2).contains("2 opciones"));
        // Arabic has a dual: two options is one word, not "2".
        assert_ne!(min_selected("ar", 2), min_selected("ar", 3));
    }

    #[test]
    fn the_clients_language_is_chosen_from_what_the_form_offers() {
        let offers = ["en-GB".to_owned(), "es".to_owned(), "ar".to_owned()];
        let choose = |wanted: &[&str]| {
            let wanted: Vec<String> = wanted.iter().map(|tag| (*tag).to_owned()).collect();
            choose(&wanted, &offers, "en-GB")
        };
        assert_eq!(choose(&["es-MX", "en"]), "es");
        assert_eq!(choose(&["fr", "ar-EG"]), "ar");
        assert_eq!(choose(&["en-US"]), "en-GB");
        assert_eq!(choose(&["de"]), "en-GB");
        assert_eq!(choose(&[]), "en-GB");
        assert_eq!(choose(&["not a tag", "ar"]), "ar");
    }

    #[test]
    fn an_accept_language_header_lists_the_browsers_languages_in_order() {
        assert_eq!(
            accepted_languages("es-ES,es;q=0.9, en;q=0.8,,not a tag;q=0.1"),
            ["es-ES", "es", "en"]
        );
        assert!(accepted_languages("").is_empty());
        assert_eq!(listed_languages("es-MX, ar,,en_GB"), ["es-MX", "ar"]);
        // What the receiver does with it: the same choice as the form makes from `navigator.languages`.
        let offers = ["en-GB".to_owned(), "es".to_owned()];
        assert_eq!(
            choose(&accepted_languages("es-MX,es;q=0.9"), &offers, "en-GB"),
            "es"
        );
    }

    #[test]
    fn direction_and_tags() {
        assert_eq!(direction("ar"), "rtl");
        assert_eq!(direction("ar-EG"), "rtl");
        assert_eq!(direction("es"), "ltr");
        assert!(has_texts("es-419") && !has_texts("fr"));
        assert!(is_language_tag("en-GB") && !is_language_tag("en GB") && !is_language_tag("en_GB"));
    }
}
