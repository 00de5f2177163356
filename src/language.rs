//! The language the form is shown in: chosen once its config is read, then given to every component.
//!
//! The firm's snippet may ask for one (`data-lang`); else the client's browser languages choose, in the client's
//! order, among those the config offers; else the config's own. Built-in words come from core's catalogues
//! ([`sealform_core::i18n`]); the questions' words from the config's translations, applied before the form is drawn
//! ([`sealform_core::schema::FormSchema::in_language`]).

use leptos::prelude::*;
use sealform_core::i18n::{self, Texts};

/// The built-in texts of the form's language, shared through Leptos context.
#[derive(Clone, Copy, Debug)]
struct Language(&'static Texts);

/// Makes `texts` the built-in texts of every component below the caller.
pub fn provide(texts: &'static Texts) {
    provide_context(Language(texts));
}

/// The built-in texts of the form's language (English outside a form, as in a component's own test).
pub fn texts() -> &'static Texts {
    use_context::<Language>()
        .map(|language| language.0)
        .unwrap_or_else(|| i18n::texts(i18n::LANGUAGES[0]))
}

/// The languages the client asked for, first choice first: the snippet's, then the browser's.
pub fn wanted(asked: &[String]) -> Vec<String> {
    let mut wanted = asked.to_vec();
    wanted.extend(crate::page::browser_languages());
    wanted
}

/// The built-in texts to use before a config says which languages it offers (while loading, or when it cannot be
/// read): the first language the client wants that sealform speaks.
pub fn before_config(wanted: &[String]) -> &'static Texts {
    let spoken: Vec<String> = i18n::LANGUAGES
        .iter()
        .map(|tag| (*tag).to_owned())
        .collect();
    i18n::texts(&i18n::choose(wanted, &spoken, i18n::LANGUAGES[0]))
}
