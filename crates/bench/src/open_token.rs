//! Opening with a key held on a PKCS#11 token: `sealform open --pkcs11` on a batch, the bench key imported into a
//! SoftHSM2 token of the run's own, against `sealform open --key` on the same batch in the same run.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context as _};

use crate::report::Row;
use crate::setup::{timed, Bench};

/// Debian's SoftHSM2 module (package softhsm2).
const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN: &str = "sealform-bench";
const PIN: &str = "314159";

pub(crate) fn run(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let count = bench.counts.bundles;
    let inbox = bench.dir.path().join("inbox-token");
    std::fs::create_dir_all(&inbox)?;
    for (i, bundle) in bench.bundles(count)?.iter().enumerate() {
        std::fs::write(inbox.join(format!("{i:05}.bundle")), bundle)?;
    }
    let pin_file = bench.dir.path().join("token.pin");
    std::fs::write(&pin_file, format!("{PIN}\n"))?;
    token_with_bench_key(bench)?;

    let token = time_open(
        bench,
        &inbox,
        &[
            "--pkcs11".as_ref(),
            SOFTHSM_MODULE.as_ref(),
            "--pin-file".as_ref(),
            pin_file.as_os_str(),
        ],
    )?;
    let file = time_open(
        bench,
        &inbox,
        &["--key".as_ref(), bench.key_path.as_os_str()],
    )?;
    let (token_rate, file_rate) = (count as f64 / token, count as f64 / file);
    Ok(vec![Row {
        what: format!("CLI open rate, key on a PKCS#11 token (SoftHSM2, {count} bundles)"),
        measured: format!("{token_rate:.0} bundles/s"),
        reference: format!("{file_rate:.0}/s with the key file (AWS-LC)"),
        goal: "reported".into(),
        met: None,
        only: "open-token".into(),
        notes: format!(
            "`sealform open --pkcs11 libsofthsm2.so --pin-file F INBOX > /dev/null`, the bench key imported into a \
             fresh SoftHSM2 token: {token:.2} s wall against {file:.2} s for `--key`, {:.1}× slower. The token does \
             one private-key operation at a time (one logged-in session, used under a lock), so only one core \
             works on RSA; SoftHSM 2.6 offers OAEP with SHA-1 only, so it does the raw RSA operation and sealform \
             checks the OAEP-SHA-256 padding itself. A hardware token's own RSA speed comes on top.",
            file_rate / token_rate
        ),
    }])
}

/// A SoftHSM2 token in the run's folder (SOFTHSM2_CONF, set for this process and so for the `sealform` it runs)
/// holding the bench key.
fn token_with_bench_key(bench: &Bench) -> anyhow::Result<()> {
    let dir = bench.dir.path().join("softhsm");
    std::fs::create_dir_all(dir.join("tokens"))?;
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            dir.join("tokens").display()
        ),
    )?;
    std::env::set_var("SOFTHSM2_CONF", &conf);
    softhsm(&[
        "--init-token",
        "--free",
        "--label",
        TOKEN,
        "--pin",
        PIN,
        "--so-pin",
        "271828",
    ])?;
    let key = bench
        .key_path
        .to_str()
        .context("the bench folder's path is not UTF-8")?;
    softhsm(&[
        "--import", key, "--token", TOKEN, "--label", "bench", "--id", "01", "--pin", PIN,
    ])
}

fn softhsm(args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("softhsm2-util")
        .args(args)
        .stdout(Stdio::null())
        .status()
        .context("running softhsm2-util (apt-get install softhsm2)")?;
    if !status.success() {
        bail!("softhsm2-util {} failed: {status}", args[0]);
    }
    Ok(())
}

/// `sealform open KEYS INBOX`, printing (no receipt folders): wall seconds.
fn time_open(bench: &Bench, inbox: &Path, keys: &[&std::ffi::OsStr]) -> anyhow::Result<f64> {
    let mut command: Vec<&std::ffi::OsStr> = vec![bench.sealform.as_os_str(), "open".as_ref()];
    command.extend(keys);
    command.push(inbox.as_os_str());
    let run = timed(bench, &command)?;
    if !run.status.success() {
        bail!("sealform open failed ({}): {}", run.status, run.stderr);
    }
    Ok(run.seconds)
}
