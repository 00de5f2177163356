//! The firm's daily pickup: `sealform pull` collecting a batch from the real `sealform serve` on loopback (each
//! bundle checked, written durably, then acknowledged), beside `sealform open --out` of the inbox it filled.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context as _};
use rand_core::{OsRng, RngCore as _};
use sealform_core::protocol::pickup::{PickupToken, TOKEN_BYTES};

use crate::report::Row;
use crate::setup::{mb, Bench};

/// Connections posting the batch before the pull (not timed).
const POSTERS: usize = 16;

pub(crate) async fn run(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let count = bench.counts.bundles;
    let bundles = Arc::new(bench.bundles(count)?);
    let data: usize = bundles.iter().map(Vec::len).sum();
    let mut random = [0u8; TOKEN_BYTES];
    OsRng.fill_bytes(&mut random);
    let token = PickupToken::from_random(&random);
    let token_path = bench.dir.path().join("pickup.token");
    std::fs::write(&token_path, format!("{}\n", token.expose()))?;
    let server = bench.serve_with(
        "pickup",
        &[
            "--pickup-token-sha256".into(),
            format!("{}:collect", token.hash()),
        ],
    )?;
    post_all(&server.url("/api/submissions"), &bundles).await?;

    let inbox = bench.dir.path().join("pulled");
    let started = Instant::now();
    let output = Command::new(&bench.sealform)
        .arg("pull")
        .arg("--from")
        .arg(server.url(""))
        .arg("--token-file")
        .arg(&token_path)
        .arg("--inbox")
        .arg(&inbox)
        .arg("--json")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .context("running sealform pull")?;
    let seconds = started.elapsed().as_secs_f64();
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("reading pull's --json report")?;
    if !output.status.success() || report["downloaded"] != count || report["acknowledged"] != count
    {
        bail!("sealform pull did not collect all {count} bundles: {report}");
    }
    drop(server);
    let open_seconds = time_open(bench, &inbox)?;

    let rate = count as f64 / seconds;
    let megabytes = data as f64 / 1e6 / seconds;
    let open_rate = count as f64 / open_seconds;
    Ok(vec![Row {
        what: format!("CLI pull rate ({count} bundles, loopback)"),
        measured: format!("{rate:.0} bundles/s, {megabytes:.1} MB/s"),
        reference: format!("open --out of the same inbox {open_rate:.0}/s"),
        goal: "≥ the open rate".into(),
        met: Some(rate >= open_rate),
        only: "pull".into(),
        notes: format!(
            "`sealform pull --from http://127.0.0.1:PORT --token-file T --inbox DIR` collecting {count} bundles \
             ({}) from the real receiver: {seconds:.2} s wall, including listing in pages of 250, 6 downloads at \
             once, the SHA-256 of each against its receipt, each file fsynced and renamed into place, one fsync of \
             the folder per page, the acknowledgements, the form config and the audit trail's check. Loopback, so \
             this is sealform's own cost, not a network's. The reference is `sealform open --key K --out OPENED \
             DIR` on the inbox the pull filled ({open_seconds:.2} s): the goal is a pickup that never holds up the \
             morning's opening.",
            mb(data as f64)
        ),
    }])
}

/// Posts every bundle from [`POSTERS`] connections; every one must be answered 201.
async fn post_all(url: &str, bundles: &Arc<Vec<Vec<u8>>>) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..POSTERS)
        .map(|_| {
            let (client, url, next, bundles) = (
                client.clone(),
                url.to_owned(),
                next.clone(),
                bundles.clone(),
            );
            tokio::spawn(async move {
                while let Some(bundle) = bundles.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let response = crate::receiver_load::post(&client, &url, bundle).await?;
                    if response.status() != 201 {
                        bail!("the receiver answered {} to a bundle", response.status());
                    }
                }
                Ok(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// Seconds `sealform open --key K --out DIR INBOX` takes on the pulled inbox.
fn time_open(bench: &Bench, inbox: &Path) -> anyhow::Result<f64> {
    let out = bench.dir.path().join("pulled-opened");
    let started = Instant::now();
    let status = Command::new(&bench.sealform)
        .arg("open")
        .arg("--key")
        .arg(&bench.key_path)
        .arg("--out")
        .arg(&out)
        .arg(inbox)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("running sealform open")?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("sealform open of the pulled inbox failed: {status}");
    }
    Ok(seconds)
}
