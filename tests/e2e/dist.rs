//! The built form (`$SEALFORM_DIST` or `dist/`), copied into the scenario's folder for the receiver to serve.
//!
//! Trunk 0.21 writes its wasm loader inline into `index.html`, which the receiver's CSP (no `'unsafe-inline'`)
//! blocks. Until the build moves it into a file itself (a Trunk post_build hook), the copy gets the same change:
//! the loader moved, byte for byte, into `loader.js`. The strict-CSP scenario checks the build itself.

use std::path::{Path, PathBuf};

use crate::e2e::workspace;

/// The build folder, failing with what to run when it is missing.
pub fn source() -> PathBuf {
    let dist = std::env::var_os("SEALFORM_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("dist"));
    assert!(
        dist.join("index.html").is_file() && dist.join("embed.js").is_file(),
        "{} has no built form: run `trunk build --release --offline` first (or set SEALFORM_DIST)",
        dist.display()
    );
    dist
}

/// The inline scripts of the built `index.html` (empty when the build has none, as it must).
pub fn inline_scripts() -> Vec<String> {
    let page = std::fs::read_to_string(source().join("index.html")).expect("index.html");
    let mut found = Vec::new();
    let mut rest = page.as_str();
    while let Some(start) = rest.find("<script") {
        let tag_end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..tag_end];
        let close = rest[tag_end..]
            .find("</script>")
            .map_or(rest.len(), |e| tag_end + e);
        if !tag.contains("src=") && !rest[tag_end..close].trim().is_empty() {
            found.push(rest[tag_end..close].to_owned());
        }
        rest = &rest[close..];
        if let Some(next) = rest.get(1..) {
            rest = next;
        } else {
            break;
        }
    }
    found
}

/// Copies the build into `dir/dist`, moving an inline module loader into `loader.js`.
pub fn prepare(dir: &Path) -> PathBuf {
    let source = source();
    let target = dir.join("dist");
    std::fs::create_dir_all(&target).expect("dist copy");
    for entry in std::fs::read_dir(&source).expect("read dist") {
        let entry = entry.expect("dist entry");
        if entry.file_type().expect("file type").is_file() {
            std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy dist file");
        }
    }
    let page_path = target.join("index.html");
    let page = std::fs::read_to_string(&page_path).expect("index.html");
    const OPEN: &str = "<script type=\"module\">";
    if let Some(start) = page.find(OPEN) {
        let body_start = start + OPEN.len();
        let end = body_start
            + page[body_start..]
                .find("</script>")
                .expect("closed loader script");
        std::fs::write(target.join("loader.js"), &page[body_start..end]).expect("loader.js");
        let page = format!(
            "{}<script type=\"module\" src=\"./loader.js\"></script>{}",
            &page[..start],
            &page[end + "</script>".len()..]
        );
        std::fs::write(&page_path, page).expect("index.html");
    }
    target
}
