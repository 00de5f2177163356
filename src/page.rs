//! The few things the form asks of the browser beyond rendering: its embed options, the clock, random ids, the
//! page title, the firm's theme, the unload guard, downloads, and the height and receipt messages to the page that
//! embeds it. Each is a small function so the components stay about the form.

use rand_core::{OsRng, RngCore as _};
use sealform_core::protocol::page;
use sealform_core::schema::Theme;
use time::{Date, Month};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::config::{EmbedOptions, ParsedUrl};

/// The embed options from this page's query string.
pub fn embed_options() -> EmbedOptions {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return EmbedOptions::from_pairs([]);
    };
    let mut pairs = Vec::new();
    for key in ["config", "pin", "origin", "lang"] {
        for value in params.get_all(key).iter() {
            if let Some(value) = value.as_string() {
                pairs.push((key, value));
            }
        }
    }
    EmbedOptions::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
}

/// `url` (against `base`, if given) as the browser's URL parser reads it; `None` if it cannot be parsed.
pub fn parse_url(url: &str, base: Option<&str>) -> Option<ParsedUrl> {
    let parsed = match base {
        Some(base) => web_sys::Url::new_with_base(url, base),
        None => web_sys::Url::new(url),
    }
    .ok()?;
    Some(ParsedUrl {
        href: parsed.href(),
        origin: parsed.origin(),
    })
}

/// This page's URL (the form's own in iframe mode).
pub fn href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// `relative` resolved against `base`, itself resolved against this page's URL; `relative` unchanged if either
/// cannot be parsed.
pub fn resolve(relative: &str, base: &str) -> String {
    let page = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    web_sys::Url::new_with_base(base, &page)
        .and_then(|base| web_sys::Url::new_with_base(relative, &base.href()))
        .map(|url| url.href())
        .unwrap_or_else(|_| relative.to_owned())
}

/// The client's calendar date, by their own clock and time zone (for "must be in the past" rules).
pub fn today() -> Date {
    let now = js_sys::Date::new_0();
    let month = Month::try_from(now.get_month() as u8 + 1).unwrap_or(Month::January);
    Date::from_calendar_date(now.get_full_year() as i32, month, now.get_date() as u8)
        .unwrap_or(Date::MIN)
}

/// The languages the client's browser asks for, first choice first (`navigator.languages`).
pub fn browser_languages() -> Vec<String> {
    web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|tags| tags.iter().filter_map(|tag| tag.as_string()).collect())
        .unwrap_or_default()
}

/// Tells the browser and assistive technology which language the form's page is in and which way it runs: on the
/// form's own page (the iframe) its `<html>`, so the page title and scroll bars follow; never the firm's page in
/// inline mode, where only the form's root carries them.
pub fn set_document_language(tag: &str, direction: &str) {
    if !is_own_page() {
        return;
    }
    if let Some(html) = document().and_then(|d| d.document_element()) {
        let _ = html.set_attribute("lang", tag);
        let _ = html.set_attribute("dir", direction);
    }
}

/// Whether this document is the form's own page (the iframe's), which the build marks on its `<body>`.
pub fn is_own_page() -> bool {
    document()
        .and_then(|d| d.body())
        .is_some_and(|body| body.has_attribute(page::PAGE_ATTRIBUTE))
}

/// Whether the receiver put a first paint in the page (the top of the form as static HTML, shown while the wasm
/// loads); only ever on the form's own page.
pub fn has_first_paint() -> bool {
    document().is_some_and(|d| d.get_element_by_id(page::FIRST_PAINT_ID).is_some())
}

/// Takes the first paint away: called in the same task that draws the form (or the "unavailable" page), so no
/// frame shows both.
pub fn remove_first_paint() {
    if let Some(first_paint) = document().and_then(|d| d.get_element_by_id(page::FIRST_PAINT_ID)) {
        first_paint.remove();
    }
}

/// The firm's config as the receiver put it in the form's own page (a `<template>` whose text is `config.json`'s
/// exact bytes), with its proof-of-work and draft-days attributes; `None` when the page holds none (the build's
/// page as it is, or inline mode), and the form fetches it.
pub fn config_in_page() -> Option<ConfigInPage> {
    if !is_own_page() {
        return None;
    }
    let element = document()?.get_element_by_id(page::CONFIG_ID)?;
    let template = element.dyn_ref::<web_sys::HtmlTemplateElement>()?;
    Some(ConfigInPage {
        bytes: template.content().text_content()?.into_bytes(),
        pow_bits: element.get_attribute(page::POW_BITS_ATTRIBUTE),
        draft_days: element.get_attribute(page::DRAFT_DAYS_ATTRIBUTE),
    })
}

/// What [`config_in_page`] found: the config's bytes and the values `config.json`'s headers would carry.
#[derive(Debug)]
pub struct ConfigInPage {
    /// The config, byte for byte.
    pub bytes: Vec<u8>,
    /// The `Sealform-Pow-Required` value: the bits, when submissions need a proof of work.
    pub pow_bits: Option<String>,
    /// The `Sealform-Draft-Days` value, when drafts are kept.
    pub draft_days: Option<String>,
}

/// The current time as RFC 3339 UTC, e.g. `2026-11-23T10:15:00.000Z`.
pub fn now_rfc3339() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// The current time as the client reads it in the form's language, e.g. `23 November 2026 at 17:12`.
pub fn now_readable(language: &str) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    String::from(js_sys::Date::new_0().to_locale_string(language, &options))
}

/// A fresh random submission id (UUID v4).
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// Sets the page title; GOV.UK prefixes it with "Error: " (`error_prefix`, in the form's language) while the form
/// shows errors, so screen-reader users hear it first.
pub fn set_title(title: &str, error_prefix: Option<&str>) {
    if let Some(document) = document() {
        document.set_title(&format!("{}{title}", error_prefix.unwrap_or_default()));
    }
}

/// Writes the firm's brand colour and font into CSS custom properties. Done through the CSSOM, which a strict
/// Content-Security-Policy allows (inline `style` attributes it would block); core has checked both values.
pub fn apply_theme(theme: Option<&Theme>) {
    let Some(theme) = theme else { return };
    let Some(root) = document()
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let style = root.style();
    if let Some(colour) = &theme.brand_colour {
        let _ = style.set_property("--sf-brand", colour.as_str());
    }
    if let Some(font) = &theme.font_family {
        let _ = style.set_property("--sf-font", font.as_str());
    }
}

/// Moves keyboard focus to the element with this id (and scrolls it into view).
pub fn focus(id: &str) {
    if let Some(element) = document()
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
        element.scroll_into_view();
    }
}

/// Asks the browser to warn before leaving while `unsent()` says there is work that would be lost.
pub fn guard_unload(unsent: impl Fn() -> bool + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let handler = Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(
        move |event: web_sys::BeforeUnloadEvent| {
            if unsent() {
                event.prevent_default();
                // Older Chromium needs returnValue set as well.
                event.set_return_value("unsent");
            }
        },
    );
    let _ =
        window.add_event_listener_with_callback("beforeunload", handler.as_ref().unchecked_ref());
    // The page lives as long as the listener: keep the closure for good.
    handler.forget();
}

/// Offers `bytes` as a download named `name`; only ever called with ciphertext or a receipt.
pub fn download(name: &str, media_type: &str, bytes: &js_sys::Uint8Array) -> Result<(), JsValue> {
    let document = document().ok_or_else(|| JsValue::from_str("no document"))?;
    let parts = js_sys::Array::of1(bytes);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// Reads a picked file's bytes, into the browser's memory.
pub async fn read_file(file: &web_sys::File) -> Result<js_sys::Uint8Array, JsValue> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buffer))
}

/// Tells the embedding page something, only if `embed.js` told us its origin, and only that origin.
fn tell_parent(options: &EmbedOptions, message: &serde_json::Value) {
    let (Some(origin), Some(window)) = (&options.parent_origin, web_sys::window()) else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if let Ok(value) = serde_wasm_value(message) {
        let _ = parent.post_message(&value, origin);
    }
}

fn serde_wasm_value(message: &serde_json::Value) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&message.to_string())
}

/// The element that holds the whole form; its height is the page's.
const ROOT_ID: &str = "sealform-root";

/// Tells the embedding page the form's height, so its iframe fits without a scroll bar.
pub fn tell_height(options: &EmbedOptions) {
    let Some(height) = document()
        .and_then(|d| d.get_element_by_id(ROOT_ID))
        .map(|e| e.get_bounding_client_rect().height().ceil())
    else {
        return;
    };
    tell_parent(
        options,
        &serde_json::json!({ "type": "sealform:height", "height": height }),
    );
}

/// Tells the embedding page the form was sent, with the receipt id and nothing else.
pub fn tell_submitted(options: &EmbedOptions, receipt: &str) {
    tell_parent(
        options,
        &serde_json::json!({ "type": "sealform:submitted", "receipt": receipt }),
    );
}

/// Re-sends the height whenever the form's size changes.
pub fn watch_height(options: EmbedOptions) {
    if options.parent_origin.is_none() {
        return;
    }
    let Some(root) = document().and_then(|d| d.get_element_by_id(ROOT_ID)) else {
        return;
    };
    let callback = Closure::<dyn Fn()>::new(move || tell_height(&options));
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&root);
    }
    callback.forget();
}

/// The member of a history entry's state that holds the form's page number ([`crate::journey::Journey::number`]),
/// and the one that says the page was reached by a Change link. Named so they sit beside whatever a firm's own page
/// keeps in its history entries when the form is mounted inline.
const STEP_KEY: &str = "sealformStep";
const RETURNING_KEY: &str = "sealformReturning";

/// Records that the form shows page `step` in the browser's history: as a new entry (`push`, after the client
/// moved on) or in place of the current one (the first page), so Back and Forward move between the form's pages
/// without a reload. Only the page number goes in, never an answer.
pub fn record_step(step: u32, returning: bool, push: bool) {
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    // The form moves focus itself on every page; the browser's own scroll restoration would fight it.
    let _ = history.set_scroll_restoration(web_sys::ScrollRestoration::Manual);
    let entry = js_sys::Object::new();
    if let Ok(current) = history.state() {
        if current.is_object() {
            // Inline, the firm's page may keep state of its own in the entry: keep it.
            let _ = js_sys::Object::assign(&entry, &current.unchecked_into());
        }
    }
    let _ = js_sys::Reflect::set(&entry, &STEP_KEY.into(), &f64::from(step).into());
    let _ = js_sys::Reflect::set(&entry, &RETURNING_KEY.into(), &returning.into());
    let _ = if push {
        history.push_state(&entry, "")
    } else {
        history.replace_state(&entry, "")
    };
}

/// Calls `moved(step, returning)` whenever the browser's Back or Forward lands on one of the form's history
/// entries; entries the form did not make are left to the page.
pub fn on_history(moved: impl Fn(u32, bool) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let handler =
        Closure::<dyn Fn(web_sys::PopStateEvent)>::new(move |event: web_sys::PopStateEvent| {
            let state = event.state();
            let step = js_sys::Reflect::get(&state, &STEP_KEY.into())
                .ok()
                .and_then(|v| v.as_f64());
            let returning = js_sys::Reflect::get(&state, &RETURNING_KEY.into())
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if let Some(step) =
                step.filter(|s| s.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(s))
            {
                moved(step as u32, returning);
            }
        });
    let _ = window.add_event_listener_with_callback("popstate", handler.as_ref().unchecked_ref());
    // The form lives as long as the page.
    handler.forget();
}

/// Marks a moment for benchmarks and tests (`performance.mark`).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}
