//! `GET /` and `/index.html`: the form's page with its first paint, the top of the form's first page as plain HTML
//! (its title, description and first heading, and a "Loading the form…" status) in the language the form will
//! choose. The client sees the form's top while the wasm is still arriving and compiling; the wasm takes it away
//! in the same task that draws the form (`page::remove_first_paint` in the form).
//!
//! The page also holds the firm's config itself (a `<template>` whose text is `config.json` exactly, with what that
//! file's headers say of proof of work and drafts), so the form reads it there instead of fetching it.
//!
//! Each language the form offers gets its page once, at start-up, from the build's `index.html` and the firm's
//! checked config, every value escaped by maud, and served precompressed like the build's files with
//! `Vary: Accept-Language`. The language is chosen as the form chooses it (core's [`i18n::choose`]): the snippet's
//! `?lang=`, then the browser's languages (which it sends as `Accept-Language`), else the form's own. A page asked
//! for with another config (`?config=`, from a snippet's `data-config`) gets the build's page as it is: a first
//! paint of this config would show another form's title.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, ACCEPT_LANGUAGE, CONTENT_LANGUAGE, VARY};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped};
use sealform_core::i18n;
use sealform_core::protocol::page::{
    CONFIG_ID, CONFIG_PRELOAD_TAG, DEFAULT_CONFIG, FIRST_PAINT_ID, PAGE_BODY_TAG,
};
use sealform_core::schema::Layout;
use sealform_core::FormSchema;
use tower::ServiceExt as _;
use tower_http::services::ServeFile;

use crate::config::StartError;
use crate::precompressed::Precompressed;

/// The form's page in each language it offers, and the build's page as it is.
#[derive(Debug)]
pub(crate) struct Pages {
    /// The languages the form offers, its own first; [`page_name`] names each one's page by its place here.
    languages: Vec<String>,
    /// The pages with a first paint, or `None` when the build's page has no place for one.
    rendered: Option<Vec<ServeFile>>,
    /// The build's `index.html` as Trunk wrote it, beside its compressed forms.
    built: ServeFile,
}

impl Pages {
    /// Renders a page per language from `dist/index.html` into `files`. A page without the build's
    /// [`PAGE_BODY_TAG`] (a firm's own page, say) is served as it is, with a warning.
    pub(crate) fn new(
        dist: &Path,
        config: &ServedConfig<'_>,
        files: &Precompressed,
    ) -> Result<Self, StartError> {
        let schema = config.schema;
        let path = dist.join("index.html");
        let built =
            std::fs::read_to_string(&path).map_err(|source| StartError::PageUnreadable {
                path: path.clone(),
                source,
            })?;
        let languages = schema.languages();
        let rendered = if built.contains(PAGE_BODY_TAG) {
            let mut services = Vec::with_capacity(languages.len());
            for (index, language) in languages.iter().enumerate() {
                // The form's own language always has its schema; a checked translation too.
                let shown = schema
                    .in_language(language)
                    .unwrap_or_else(|| schema.clone());
                let name = page_name(index);
                files.add(&name, render(&built, &shown, config).as_bytes())?;
                services.push(files.service(&name));
            }
            Some(services)
        } else {
            tracing::warn!(
                page = %path.display(),
                "the form's page has no {PAGE_BODY_TAG}; it is served without its first paint"
            );
            None
        };
        Ok(Self {
            languages,
            rendered,
            built: ServeFile::new(path).precompressed_br().precompressed_gzip(),
        })
    }

    /// The page for a request: its language's, or the build's as it is when it asks for another config.
    fn choose(&self, request: &Request) -> (ServeFile, Option<&str>) {
        let query = request.uri().query().unwrap_or_default();
        let mut wanted = Vec::new();
        let mut other_config = false;
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match &*key {
                "lang" => wanted.extend(i18n::listed_languages(&value)),
                "config" => other_config |= !value.is_empty() && value != DEFAULT_CONFIG,
                _ => {}
            }
        }
        let Some(rendered) = self.rendered.as_ref().filter(|_| !other_config) else {
            return (self.built.clone(), None);
        };
        if let Some(header) = request
            .headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        {
            wanted.extend(i18n::accepted_languages(header));
        }
        let chosen = i18n::choose(&wanted, &self.languages, &self.languages[0]);
        let index = self
            .languages
            .iter()
            .position(|language| *language == chosen)
            .unwrap_or(0);
        (rendered[index].clone(), Some(&self.languages[index]))
    }
}

/// Answers `GET /` and `/index.html`: the smallest compressed form the client accepts, `304` to a client that has
/// it, `Content-Language` saying which page this is.
pub(crate) async fn serve(State(pages): State<Arc<Pages>>, request: Request) -> Response {
    let (service, language) = pages.choose(&request);
    let mut response = match service.oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    };
    if let Some(language) = language.and_then(|l| HeaderValue::from_str(l).ok()) {
        let headers = response.headers_mut();
        headers.insert(CONTENT_LANGUAGE, language);
        headers.append(VARY, HeaderValue::from_static("accept-language"));
    }
    response
}

/// The firm's config as `GET /config.json` serves it: what the page holds in its place.
#[derive(Debug)]
pub(crate) struct ServedConfig<'a> {
    /// The checked config.
    pub(crate) schema: &'a FormSchema,
    /// Its exact bytes.
    pub(crate) bytes: &'a [u8],
    /// The proof-of-work bits submissions need, if they do.
    pub(crate) pow_bits: Option<u8>,
    /// How many days drafts are kept (0: none are).
    pub(crate) draft_days: u32,
}

/// The name of the page in the form's `index`-th language, among the receiver's own files.
fn page_name(index: usize) -> String {
    format!("page-{index}.html")
}

/// The build's `page` with `schema` (already in the language shown) as its first paint: `lang` and `dir` on
/// `<html>`, the form's title as the page's `<title>`, and the first paint right after [`PAGE_BODY_TAG`].
fn render(page: &str, schema: &FormSchema, config: &ServedConfig<'_>) -> String {
    let language = &schema.language;
    let direction = i18n::direction(language);
    let root = html! { html lang=(language) dir=(direction) {} };
    let root = root.0.trim_end_matches("</html>");
    let title = html! { title { (page_title(schema)) } };
    let template = config_template(config);
    let body = format!(
        "{PAGE_BODY_TAG}{}{}",
        first_paint(schema).0,
        template.as_deref().unwrap_or_default()
    );
    let mut page = page
        .replacen("<html lang=\"en\">", root, 1)
        .replacen(PAGE_BODY_TAG, &body, 1);
    if template.is_some() {
        page = page.replacen(CONFIG_PRELOAD_TAG, "", 1);
    }
    if let (Some(start), Some(end)) = (page.find("<title>"), page.find("</title>")) {
        if start < end {
            page.replace_range(start..end + "</title>".len(), &title.0);
        }
    }
    page
}

/// The config in the page: a `<template>` (inert, never shown or read out) whose text is the config's exact bytes.
/// maud escapes `<`, `>`, `&` and `"`; a carriage return (JSON allows one between tokens) becomes `&#13;`, since
/// the HTML parser would otherwise turn CR LF into LF and the digest would change. A checked config is UTF-8 JSON,
/// which has no NUL, the one other character the parser changes.
/// `None` for bytes that are not UTF-8 (no checked config), which the form then fetches.
fn config_template(config: &ServedConfig<'_>) -> Option<String> {
    let text = std::str::from_utf8(config.bytes).ok()?;
    let template = html! {
        template id=(CONFIG_ID)
            data-pow-bits=[config.pow_bits]
            data-draft-days=[(config.draft_days > 0).then_some(config.draft_days)] {
            (text)
        }
    };
    Some(format!("{}\n", template.0.replace('\r', "&#13;")))
}

/// The document title the form gives its first page: the first section's and the form's (`title-page`) when
/// stepped, the form's alone when on one page.
fn page_title(schema: &FormSchema) -> String {
    match (schema.layout, schema.sections.first()) {
        (Layout::Steps, Some(first)) => i18n::texts(&schema.language).format(
            "title-page",
            &[
                ("page", first.title.as_str().into()),
                ("form", schema.title.as_str().into()),
            ],
        ),
        _ => schema.title.clone(),
    }
}

/// The top of the form's first page, with the classes the form's own markup has there, so nothing moves when the
/// form replaces it: the title (a caption over the first section's heading when stepped, the page's heading when
/// on one page), the description, and the loading status in the form's language.
fn first_paint(schema: &FormSchema) -> Markup {
    let texts = i18n::texts(&schema.language);
    let stepped = schema.layout == Layout::Steps;
    let first_heading = schema.sections.first().map(|s| &s.title);
    html! {
        div id=(FIRST_PAINT_ID) class="sf-root" lang=(schema.language) dir=(i18n::direction(&schema.language)) {
            div class="sf-form-root" {
                div class="sf-filling" {
                    @if stepped {
                        p class="sf-caption" { (schema.title) }
                    } @else {
                        h1 class="sf-heading-l" { (schema.title) }
                    }
                    @if let Some(description) = &schema.description {
                        p class="sf-body" { (description) }
                    }
                    @if let (true, Some(heading)) = (stepped, first_heading) {
                        h1 class="sf-heading-l" { (heading) }
                    }
                    p class="sf-body" role="status" { (texts.get("loading")) }
                }
            }
        }
        (PreEscaped("\n"))
    }
}

#[cfg(test)]
mod tests {
    use sealform_core::protocol::page::{DRAFT_DAYS_ATTRIBUTE, POW_BITS_ATTRIBUTE};

    use super::*;

    const BUILT: &str = "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <title>Intake form</title>\n    \
        <link rel=\"preload\" href=\"config.json\" as=\"fetch\" crossorigin=\"anonymous\" />\n  </head>\n  \
        <body data-sealform-page>\n    <noscript><p>JavaScript</p></noscript>\n  </body>\n</html>\n";

    #[test]
    fn the_page_the_build_writes_has_the_places_the_receiver_fills() {
        let source = include_str!("../../../index.html");
        assert!(
            source.contains(PAGE_BODY_TAG),
            "index.html lost {PAGE_BODY_TAG}"
        );
        assert!(
            source.contains(CONFIG_PRELOAD_TAG),
            "index.html lost {CONFIG_PRELOAD_TAG}"
        );
        assert!(source.contains("<html lang=\"en\">") && source.contains("<title>"));
    }

    #[test]
    fn the_page_holds_the_exact_config_and_what_its_headers_say() {
        let schema = schema();
        // A carriage return between tokens and markup inside a string: both must come back byte for byte.
        let bytes = b"{\r\n  \"title\": \"</template><script>x</script> & \\\"q\\\"\"\r\n}";
        let config = ServedConfig {
            schema: &schema,
            bytes,
            pow_bits: Some(12),
            draft_days: 0,
        };
        let page = render(BUILT, &schema, &config);
        let start = page
            .find(&format!("<template id=\"{CONFIG_ID}\""))
            .expect("the template");
        let tag_end = start + page[start..].find('>').expect("its tag ends");
        let tag = &page[start..=tag_end];
        assert!(
            tag.contains(&format!("{POW_BITS_ATTRIBUTE}=\"12\"")),
            "{tag}"
        );
        assert!(!tag.contains(DRAFT_DAYS_ATTRIBUTE), "no drafts kept: {tag}");
        let end = tag_end + page[tag_end..].find("</template>").expect("its end");
        let text = &page[tag_end + 1..end];
        assert!(!text.contains(['<', '\r']), "{text}");
        // What an HTML parser gives back from the text: the references decoded.
        let decoded = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#13;", "\r")
            .replace("&amp;", "&");
        assert_eq!(decoded.as_bytes(), bytes);
        assert!(
            !page.contains(CONFIG_PRELOAD_TAG),
            "the unused preload is gone"
        );

        let kept = render(BUILT, &schema, &served(&schema));
        assert!(
            kept.contains(&format!("{DRAFT_DAYS_ATTRIBUTE}=\"30\""))
                && !kept.contains(POW_BITS_ATTRIBUTE)
        );
        // Bytes that are not UTF-8 are no checked config: left for the form to fetch, preload and all.
        let odd = ServedConfig {
            bytes: b"\xff",
            ..served(&schema)
        };
        let page = render(BUILT, &schema, &odd);
        assert!(!page.contains(CONFIG_ID) && page.contains(CONFIG_PRELOAD_TAG));
    }

    fn schema() -> FormSchema {
        let template = sealform_core::schema::Template::from_json(
            sealform_core::schema::LEGAL_INTAKE_TEMPLATE.as_bytes(),
        )
        .expect("the template parses");
        template.schema().clone()
    }

    fn served(schema: &FormSchema) -> ServedConfig<'_> {
        ServedConfig {
            schema,
            bytes: sealform_core::schema::LEGAL_INTAKE_TEMPLATE.as_bytes(),
            pow_bits: None,
            draft_days: 30,
        }
    }

    #[test]
    fn the_page_gets_the_forms_top_in_its_language() {
        let schema = schema();
        let page = render(BUILT, &schema, &served(&schema));
        assert!(
            page.contains(&format!("<html lang=\"{}\" dir=\"ltr\">", schema.language)),
            "{page}"
        );
        assert!(page.contains(&format!(
            "<title>{}</title>",
            maud::html! { (page_title(&schema)) }.0
        )));
        assert!(
            page_title(&schema).contains(&schema.title)
                && page_title(&schema).contains(&schema.sections[0].title)
        );
        let paint = page.split(PAGE_BODY_TAG).nth(1).expect("the body");
        assert!(
            paint.starts_with(&format!("<div id=\"{FIRST_PAINT_ID}\"")),
            "{paint}"
        );
        assert!(paint.contains("Loading the form"), "{paint}");
        let heading = maud::html! { (schema.sections[0].title) }.0;
        assert!(paint.contains(&heading), "{paint}");
        // The rest of the build's page is untouched.
        assert!(page.contains("<noscript><p>JavaScript</p></noscript>"));

        let arabic = schema.in_language("ar").expect("the template has Arabic");
        let page = render(BUILT, &arabic, &served(&schema));
        assert!(page.contains("<html lang=\"ar\" dir=\"rtl\">"), "{page}");
        assert!(page.contains(&maud::html! { (arabic.title) }.0));
        assert!(page.contains(&i18n::texts("ar").get("loading")));
    }

    #[test]
    fn every_value_of_the_config_is_escaped() {
        let mut schema = schema();
        schema.title = "</title><script>alert(1)</script>".into();
        schema.description = Some("<img src=x onerror=alert(1)> & \"quotes\"".into());
        schema.sections[0].title = "<h2>".into();
        let page = render(BUILT, &schema, &served(&schema));
        assert!(
            !page.contains("<script>") && !page.contains("<img") && !page.contains("<h2>"),
            "{page}"
        );
        assert!(page.contains("&lt;/title&gt;&lt;script&gt;"), "{page}");
        assert_eq!(page.matches("</title>").count(), 1, "{page}");
    }
}
