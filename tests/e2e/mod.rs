//! Helpers for the browser end-to-end suite (`tests/browser.rs`): the world a scenario runs in, the form as a page
//! object, and the checks for plaintext that must never leave the page.

pub mod browser;
pub mod canary;
pub mod dist;
pub mod form_page;
pub mod host;
pub mod proxy;
pub mod world;

use std::path::PathBuf;

/// The repository's root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `sealform` binary: `$SEALFORM_BIN`, else `debug/sealform` in the cargo target folder. Fails, never skips,
/// when it is missing.
pub fn sealform_bin() -> PathBuf {
    let path = std::env::var_os("SEALFORM_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace().join("target"))
                .join("debug/sealform")
        });
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p sealform-cli` first (or set SEALFORM_BIN)",
        path.display()
    );
    path
}

/// A loopback port nothing listens on right now (another process may take it before we do: callers retry).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `tests/artifacts/`, created on first use: screenshots and other evidence CI keeps.
pub fn artifacts() -> PathBuf {
    let dir = workspace().join("tests/artifacts");
    std::fs::create_dir_all(&dir).expect("tests/artifacts");
    dir
}
