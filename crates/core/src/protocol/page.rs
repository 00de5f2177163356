//! The contract between the form's page (the build's `index.html`), the receiver that serves it and the wasm that
//! runs in it: where the config is, how the page says it is the form's own, and the first paint the receiver puts
//! in it (`docs/RECEIVER.md`, `GET /`).

/// The config the form loads when its snippet names none (`data-config`), beside the page: the receiver serves the
/// firm's config here.
pub const DEFAULT_CONFIG: &str = "config.json";

/// The attribute of the `<body>` of the form's own page (iframe mode); the form mounts itself there and nowhere else.
pub const PAGE_ATTRIBUTE: &str = "data-sealform-page";

/// The `<body>` tag of the form's own page as the build writes it: the receiver puts the first paint right after it.
pub const PAGE_BODY_TAG: &str = "<body data-sealform-page>";

/// The `id` of the first paint: the top of the form's first page (its title, description and first heading) and a
/// loading status, as static HTML the receiver renders into the page, so the client sees the form while the wasm is
/// still arriving. The form removes the element when it draws itself.
pub const FIRST_PAINT_ID: &str = "sealform-first-paint";

/// The `id` of the `<template>` holding the firm's config in the page the receiver serves: its exact text (HTML
/// character references decode to the very bytes of `config.json`, so the digest recorded in a submission is the
/// same), read by the form instead of fetching [`DEFAULT_CONFIG`]: one request and one round trip fewer before the
/// form is ready.
pub const CONFIG_ID: &str = "sealform-config";

/// The attribute of the [`CONFIG_ID`] template saying what `config.json`'s [`super::pow::REQUIRED_HEADER`] says:
/// the proof-of-work bits, when submissions need one.
pub const POW_BITS_ATTRIBUTE: &str = "data-pow-bits";

/// The attribute of the [`CONFIG_ID`] template saying what `config.json`'s [`super::draft::DAYS_HEADER`] says: how
/// many days saved drafts are kept, when they are.
pub const DRAFT_DAYS_ATTRIBUTE: &str = "data-draft-days";

/// The build's preload of [`DEFAULT_CONFIG`] in `index.html`, which the receiver takes out of a page that holds the
/// config: a preload nothing uses is a console warning.
pub const CONFIG_PRELOAD_TAG: &str =
    r#"<link rel="preload" href="config.json" as="fetch" crossorigin="anonymous" />"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_tag_carries_the_page_attribute() {
        assert_eq!(PAGE_BODY_TAG, format!("<body {PAGE_ATTRIBUTE}>"));
    }
}
