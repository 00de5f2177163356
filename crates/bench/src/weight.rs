//! First-load weight: every file the embedded form fetches, as the receiver serves it, compressed with gzip -9 and
//! brotli -q 11 (what a static host or proxy would send), against OpenPGP.js alone.

use std::io::Write as _;
use std::process::{Command, Stdio};

use anyhow::{bail, Context as _};

use crate::report::Row;
use crate::setup::Bench;

/// What the firm's page and the form's iframe fetch on first load, in order: the embed script (on the firm's
/// page), then the form's own page, its loader, stylesheet, wasm-bindgen glue, the wasm, and the config.
/// `browser::time_to_interactive` checks this list against what Chromium actually fetched.
pub(crate) const FILES: &[&str] = &[
    "/embed.js",
    "/",
    "/loader.js",
    "/main.css",
    "/sealform-form.js",
    "/sealform-form_bg.wasm",
    "/config.json",
];

/// OpenPGP.js 6.3.2, `openpgp.min.mjs`, gzip: the fixed published reference (TOOLCHAIN.md).
const OPENPGP_GZIP_KB: f64 = 129.7;
/// The goal, in KB (1000 bytes) of gzip.
const GOAL_GZIP_KB: f64 = 125.0;

pub(crate) async fn run(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let server = bench.serve("weight")?;
    let client = reqwest::Client::new();
    let mut total = (0usize, 0usize, 0usize);
    let mut parts = Vec::new();
    for path in FILES {
        let response = client.get(server.url(path)).send().await?;
        if !response.status().is_success() {
            bail!("GET {path}: {}", response.status());
        }
        let body = response.bytes().await?;
        let gzip = compressed_len("gzip", &["-9", "-c"], &body)?;
        let brotli = compressed_len("brotli", &["-q", "11", "-c"], &body)?;
        total.0 += body.len();
        total.1 += gzip;
        total.2 += brotli;
        parts.push(format!(
            "`{path}` {:.1}/{:.1}/{:.1}",
            kb(body.len()),
            kb(gzip),
            kb(brotli)
        ));
    }
    let gzip_kb = kb(total.1);
    Ok(vec![Row {
        what: "first-load weight (gzip; brotli)".into(),
        measured: format!("{gzip_kb:.1} KB; {:.1} KB", kb(total.2)),
        reference: format!("OpenPGP.js 6.3.2 alone: {OPENPGP_GZIP_KB} KB gzip (published)"),
        goal: format!("≤ {GOAL_GZIP_KB} KB gzip"),
        met: Some(gzip_kb <= GOAL_GZIP_KB),
        only: "weight".into(),
        notes: format!(
            "{} files, {:.1} KB raw. Per file, KB raw/gzip -9/brotli -q 11: {}. KB = 1000 bytes. The receiver \
             sends them uncompressed; these are what a compressing proxy or CDN would send.",
            FILES.len(),
            kb(total.0),
            parts.join(", ")
        ),
    }])
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1000.0
}

/// The length of `data` compressed by `program` (gzip or brotli, reading standard input).
fn compressed_len(program: &str, args: &[&str], data: &[u8]) -> anyhow::Result<usize> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {program} (apt-get install {program})"))?;
    let mut stdin = child.stdin.take().context("stdin")?;
    let data = data.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let output = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writer panicked"))??;
    if !output.status.success() {
        bail!("{program} failed");
    }
    Ok(output.stdout.len())
}
