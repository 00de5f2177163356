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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_tag_carries_the_page_attribute() {
        assert_eq!(PAGE_BODY_TAG, format!("<body {PAGE_ATTRIBUTE}>"));
    }
}
