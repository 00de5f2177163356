//! The built form (`$SEALFORM_DIST` or `dist/`), copied into the scenario's folder for the receiver to serve.
//!
//! The build must have no inline script (Trunk's loader is moved into `loader-<hash>.js` by the post_build hook
//! `scripts/externalize-loader.sh`): the receiver's CSP has no `'unsafe-inline'`, and the strict-CSP scenario checks
//! the build itself.

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

/// Copies the build into `dir/dist`, as it is.
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
    target
}
