//! First-load weight: every file the embedded form fetches before it is interactive, as `sealform serve` sends it
//! to a client that accepts brotli, one that accepts only gzip, and one that accepts neither, against OpenPGP.js
//! alone.

use anyhow::bail;

use crate::report::Row;
use crate::setup::Bench;

/// OpenPGP.js 6.3.2, `openpgp.min.mjs`, gzip: the fixed published reference (TOOLCHAIN.md).
const OPENPGP_GZIP_KB: f64 = 129.7;
/// The goals, in KB (1000 bytes).
const GOAL_GZIP_KB: f64 = 125.0;
const GOAL_BROTLI_KB: f64 = 100.0;

/// What the firm's page and the form's iframe fetch on first load, in order: the embed script (on the firm's
/// page), then the form's own page, what the page names (its loader, stylesheet, wasm-bindgen glue and wasm,
/// under content-hashed names that change with each build), and the config unless the page holds it (the
/// receiver puts it in its page, `protocol::page::CONFIG_ID`, and the form then fetches nothing more).
pub(crate) fn first_load_files(page: &str) -> Vec<String> {
    let mut files = vec!["/embed.js".to_owned(), "/".to_owned()];
    for attribute in ["href=\"./", "src=\"./"] {
        for (at, _) in page.match_indices(attribute) {
            let rest = &page[at + attribute.len()..];
            let name = &rest[..rest.find('"').unwrap_or(rest.len())];
            let path = format!("/{name}");
            if !files.contains(&path) && !name.is_empty() && !name.starts_with("config.json") {
                files.push(path);
            }
        }
    }
    let holds_config = page.contains(&format!(
        "id=\"{}\"",
        sealform_core::protocol::page::CONFIG_ID
    ));
    if !holds_config {
        files.push("/config.json".to_owned());
    }
    files
}

pub(crate) async fn run(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let server = bench.serve("weight")?;
    let client = reqwest::Client::new();
    let page = client.get(server.url("/")).send().await?.text().await?;
    let files = first_load_files(&page);
    let mut total = (0usize, 0usize, 0usize);
    let mut parts = Vec::new();
    for path in &files {
        let mut sent = [0usize; 3];
        for (slot, accepts) in ["identity", "gzip", "br"].iter().enumerate() {
            let response = client
                .get(server.url(path))
                .header("accept-encoding", *accepts)
                .send()
                .await?;
            if !response.status().is_success() {
                bail!("GET {path}: {}", response.status());
            }
            sent[slot] = response.bytes().await?.len();
        }
        total.0 += sent[0];
        total.1 += sent[1];
        total.2 += sent[2];
        parts.push(format!(
            "`{path}` {:.1}/{:.1}/{:.1}",
            kb(sent[0]),
            kb(sent[1]),
            kb(sent[2])
        ));
    }
    let (gzip_kb, brotli_kb) = (kb(total.1), kb(total.2));
    Ok(vec![Row {
        what: "first-load weight as sent (gzip; brotli)".into(),
        measured: format!("{gzip_kb:.1} KB; {brotli_kb:.1} KB"),
        reference: format!("OpenPGP.js 6.3.2 alone: {OPENPGP_GZIP_KB} KB gzip (published)"),
        goal: format!("≤ {GOAL_GZIP_KB} KB gzip, ≤ {GOAL_BROTLI_KB} KB brotli"),
        met: Some(gzip_kb <= GOAL_GZIP_KB && brotli_kb <= GOAL_BROTLI_KB),
        only: "weight".into(),
        notes: format!(
            "{} files, {:.1} KB uncompressed. Bodies as `sealform serve` sends them (precompressed at build time: \
             gzip by zopfli, brotli -q 11) to a client accepting nothing/gzip/br, per file in KB: {}. KB = 1000 bytes.",
            files.len(),
            kb(total.0),
            parts.join(", ")
        ),
    }])
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_are_what_the_page_names_once_each() {
        let page = r#"<link rel="preload" href="config.json" as="fetch" crossorigin="anonymous" />
            <link rel="stylesheet" href="./main-0123abcd.css" integrity="sha384-x"/>
            <link rel="modulepreload" href="./sealform-form-89ab.js" crossorigin="anonymous">
            <link rel="preload" href="./sealform-form-89ab_bg.wasm" as="fetch" type="application/wasm">
            <script type="module" src="./loader-0011.js"></script>"#;
        assert_eq!(
            first_load_files(page),
            [
                "/embed.js",
                "/",
                "/main-0123abcd.css",
                "/sealform-form-89ab.js",
                "/sealform-form-89ab_bg.wasm",
                "/loader-0011.js",
                "/config.json"
            ]
        );
        // The page the receiver serves holds the config: nothing more to fetch.
        let holding = format!("{page}<template id=\"sealform-config\">{{}}</template>");
        assert_eq!(first_load_files(&holding).len(), 6);
        assert!(!first_load_files(&holding).contains(&"/config.json".to_owned()));
    }
}
