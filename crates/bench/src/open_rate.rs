//! The CLI's opening rate: `sealform open` on a batch of RSA-3072 bundles on every core, against OpenSSL's own
//! RSA-3072 private-key rate (`openssl speed`) × cores, measured in the same run; and, in process on one core,
//! core's two private-key backends (the `rsa` crate and AWS-LC) on the same bundles.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context as _};
use sealform_core::bundle::open;
use sealform_core::key::{AwsLcIdentity, KeyUnwrap};

use crate::machine::cores;
use crate::report::Row;
use crate::setup::{mb, timed, Bench};

/// The goal: at least this share of OpenSSL's rate.
const GOAL_SHARE: f64 = 0.8;

pub(crate) fn run(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let count = bench.counts.bundles;
    let bundles = bench.bundles(count)?;
    let data: usize = bundles.iter().map(Vec::len).sum();
    let inbox = bench.dir.path().join("inbox");
    std::fs::create_dir_all(&inbox)?;
    for (i, bundle) in bundles.iter().enumerate() {
        std::fs::write(inbox.join(format!("{i:05}.bundle")), bundle)?;
    }

    let (seconds, peak) = time_open(bench, &inbox, true)?;
    let rate = count as f64 / seconds;
    // The same batch printed to standard output instead of saved: no receipt folders, no disk flushes.
    let (print_seconds, _) = time_open(bench, &inbox, false)?;
    let print_rate = count as f64 / print_seconds;
    let openssl = openssl_rate(if bench.counts.quick { 1 } else { 3 })?;
    let reference = openssl * cores() as f64;

    let sample = &bundles[..bundles.len().min(if bench.counts.quick { 20 } else { 300 })];
    let rsa_crate = one_core_rate(std::slice::from_ref(&bench.identity), sample)?;
    let aws_lc = one_core_rate(&[AwsLcIdentity::new(&bench.identity)?], sample)?;

    Ok(vec![
        Row {
            what: format!("CLI open rate, printing ({count} bundles, RSA-3072, {} cores)", cores()),
            measured: format!("{print_rate:.0} bundles/s"),
            reference: format!(
                "OpenSSL rsa3072 private {openssl:.0}/s × {} = {reference:.0}/s",
                cores()
            ),
            goal: format!("≥ {:.0} % ({:.0}/s)", GOAL_SHARE * 100.0, GOAL_SHARE * reference),
            met: Some(print_rate >= GOAL_SHARE * reference),
            only: "open".into(),
            notes: format!(
                "`sealform open --key K INBOX > /dev/null` on {count} bundles of 8 KB answers ({}), sealed for one \
                 RSA-3072 key: {print_seconds:.2} s wall, {:.0} % of the OpenSSL rate. Reads every file, opens and \
                 verifies it, re-validates the answers and prints the submission as JSON; no disk writes. The \
                 private-key operation is AWS-LC's (aws-lc-rs). The reference is `openssl speed -seconds {} \
                 rsa3072` (sign/s: one private-key operation each) on one core × the cores.",
                mb(data as f64),
                100.0 * print_rate / reference,
                if bench.counts.quick { 1 } else { 3 }
            ),
        },
        Row {
            what: format!("CLI open rate, saving (`--out`, {count} bundles)"),
            measured: format!("{rate:.0} bundles/s"),
            reference: format!("{reference:.0}/s (as above)"),
            goal: format!("≥ {:.0} % ({:.0}/s)", GOAL_SHARE * 100.0, GOAL_SHARE * reference),
            met: Some(rate >= GOAL_SHARE * reference),
            only: "open".into(),
            notes: format!(
                "`sealform open --key K --out DIR INBOX`, the firm's everyday command: {seconds:.2} s wall, {:.0} % \
                 of the OpenSSL rate. Besides opening, it writes a receipt folder per bundle (submission.json, \
                 consent.json, summary.md, summary.html), on the disk before the folder is renamed into place: \
                 one `syncfs` per 4 bundles a core (overlapped with opening the next ones) and one fsync of the \
                 folder for the renames. It follows the file system's speed at creating files and committing its \
                 journal, which other work on the same disk changes from minute to minute.",
                100.0 * rate / reference
            ),
        },
        Row {
            what: "core open, one core: rsa crate vs AWS-LC".into(),
            measured: format!("{rsa_crate:.0}/s vs {aws_lc:.0}/s"),
            reference: format!("OpenSSL {openssl:.0}/s"),
            goal: "(diagnostic)".into(),
            met: None,
            only: "open".into(),
            notes: format!(
                "`bundle::open` in process, one thread, {} bundles, with `Identity` (rsa 0.9, blinded) and with \
                 `AwsLcIdentity`: AWS-LC is {:.1}× the rsa crate, and {:.0} % of OpenSSL's private-key rate even \
                 with parsing, AES-GCM and checks included (AWS-LC has an AVX-512 IFMA path for RSA-3072 that \
                 OpenSSL 3.0 lacks).",
                sample.len(),
                aws_lc / rsa_crate,
                100.0 * aws_lc / openssl
            ),
        },
        Row {
            what: format!("memory: `sealform open` peak RSS ({count} bundles)"),
            measured: mb(peak as f64),
            reference: format!("data {}", mb(data as f64)),
            goal: "reported".into(),
            met: None,
            only: "open".into(),
            notes: format!(
                "`/usr/bin/time` maximum resident set size: {:.1}× the batch's size. The CLI opens {} bundles at a \
                 time (4 per core) and writes each before reading more, so this stays flat as the batch grows; \
                 most of it is the binary, the thread stacks and the allocator's arenas.",
                peak as f64 / data as f64,
                cores() * 4
            ),
        },
    ])
}

/// Runs `sealform open` on `inbox` under `/usr/bin/time`, saving receipt folders or printing: wall seconds and
/// peak RSS in bytes.
fn time_open(bench: &Bench, inbox: &Path, save: bool) -> anyhow::Result<(f64, u64)> {
    let out = bench.dir.path().join("opened");
    let mut command: Vec<&std::ffi::OsStr> = vec![
        bench.sealform.as_os_str(),
        "open".as_ref(),
        "--key".as_ref(),
        bench.key_path.as_os_str(),
    ];
    if save {
        command.extend(["--out".as_ref(), out.as_os_str()]);
    }
    command.push(inbox.as_os_str());
    let run = timed(bench, &command)?;
    if !run.status.success() {
        bail!("sealform open failed: {}", run.status);
    }
    let opened = if save {
        // Receipt folders only: `open --out` also keeps its audit.log there.
        std::fs::read_dir(&out)?
            .filter(|entry| entry.as_ref().is_ok_and(|e| e.path().is_dir()))
            .count()
    } else {
        bench.counts.bundles
    };
    if opened != bench.counts.bundles {
        bail!(
            "sealform open wrote {opened} folders for {} bundles",
            bench.counts.bundles
        );
    }
    Ok((run.seconds, run.peak_rss))
}

/// `openssl speed -seconds N rsa3072`: private-key (sign) operations per second on one core.
fn openssl_rate(seconds: u32) -> anyhow::Result<f64> {
    let output = Command::new("openssl")
        .args(["speed", "-seconds", &seconds.to_string(), "rsa3072"])
        .stderr(Stdio::null())
        .output()
        .context("running openssl speed")?;
    let text = String::from_utf8_lossy(&output.stdout);
    // OpenSSL 3: "rsa 3072 bits 0.001677s 0.000034s    596.3  29411.8" (sign, verify, sign/s, verify/s).
    text.lines()
        .find(|line| line.starts_with("rsa 3072 bits"))
        .and_then(|line| line.split_whitespace().nth(5))
        .and_then(|field| field.parse().ok())
        .with_context(|| format!("no rsa 3072 line in openssl speed's output:\n{text}"))
}

/// Bundles opened per second on this thread with `identities`.
fn one_core_rate<K: KeyUnwrap>(identities: &[K], bundles: &[Vec<u8>]) -> anyhow::Result<f64> {
    let started = Instant::now();
    for bundle in bundles {
        open(identities, bundle)?;
    }
    Ok(bundles.len() as f64 / started.elapsed().as_secs_f64())
}
