//! What every row shares: a fresh RSA-3072 key made with core, the form configs written for it, a copy of the
//! built form, bundles sealed with core, the real `sealform serve` on a free loopback port, and small statistics.

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use rand_core::OsRng;
use sealform_core::bundle::seal;
use sealform_core::key::Identity;
use sealform_core::schema::LEGAL_INTAKE_TEMPLATE;
use sealform_core::{Answer, Answers, Attachment, FormSchema};
use serde_json::{json, Value};

use crate::Counts;

/// The config the sealing rows load (`?config=…`): one text area and one file field, so that a row times sealing
/// and not form filling.
pub(crate) const SEAL_CONFIG: &str = "bench-seal.json";
/// The size of "typical" answers.
pub(crate) const ANSWER_BYTES: usize = 8 * 1024;

/// The shared state of one run.
#[derive(Debug)]
pub(crate) struct Bench {
    pub counts: Counts,
    pub sealform: PathBuf,
    pub dir: tempfile::TempDir,
    pub identity: Identity,
    /// The private key, unencrypted PKCS#8 PEM (a throwaway key made for this run).
    pub key_path: PathBuf,
    /// The receiver's config: the legal-intake template sealed to the bench key, with room for a 25 MB file.
    pub config_path: PathBuf,
    /// A copy of `dist/` with [`SEAL_CONFIG`] added.
    pub dist: PathBuf,
}

impl Bench {
    /// Makes the key, configs and bundles every row shares; copies the built form too when `needs_form` (the CLI
    /// rows do without, so they run where no form was built).
    pub(crate) fn new(counts: Counts, needs_form: bool) -> anyhow::Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let root = root.canonicalize().unwrap_or(root);
        let sealform = std::env::var_os("SEALFORM_BIN")
            .map_or_else(|| root.join("target/release-cli/sealform"), PathBuf::from);
        let mut dir = tempfile::Builder::new()
            .prefix("sealform-bench-")
            .tempdir()?;
        if std::env::var_os("SEALFORM_BENCH_KEEP").is_some() {
            // Keys, configs, bundles, stores and logs stay for a closer look (perf, strace, the receiver's log).
            dir.disable_cleanup(true);
            eprintln!("sealform-bench: keeping {}", dir.path().display());
        }
        let identity = Identity::generate(&mut OsRng, 3072)?;
        let key_path = dir.path().join("firm.private.pem");
        std::fs::write(&key_path, identity.to_unencrypted_pem()?.as_bytes())?;
        let jwk: Value = serde_json::from_str(&identity.recipient().to_jwk())?;

        let mut config: Value = serde_json::from_str(LEGAL_INTAKE_TEMPLATE)?;
        config["recipients"] = json!([jwk]);
        // Room for the large-attachment row (25 MB) in the receiver's limits.
        config["limits"]["max_total_attachment_bytes"] = json!(32 * 1024 * 1024);
        let config_bytes = serde_json::to_vec_pretty(&config)?;
        let config_path = dir.path().join("form.json");
        std::fs::write(&config_path, &config_bytes)?;
        // Checked here, so a bench that breaks the config fails at once rather than in the receiver's log.
        FormSchema::from_json(&config_bytes)?;

        let mut seal_config = config.clone();
        seal_config["id"] = json!("bench-seal");
        seal_config["sections"] = json!([{
            "id": "bench",
            "title": "Benchmark",
            "fields": [
                { "id": "story", "kind": "textarea", "label": "Your story", "category": "case", "purpose": "p",
                  "max_length": 20000 },
                { "id": "documents", "kind": "file", "label": "Documents", "category": "case", "purpose": "p",
                  "accept": ["application/pdf"], "max_size": 32 * 1024 * 1024, "max_count": 1 }
            ]
        }]);
        seal_config["consents"] = json!([config["consents"][0].clone()]);
        seal_config["limits"]["max_text_length"] = json!(20000);
        // One page: the seal rows fill the story and the consent and press Send, with no steps between.
        seal_config["layout"] = json!("single_page");
        // The template's translations name its own questions, which this form does not have.
        if let Some(object) = seal_config.as_object_mut() {
            object.remove("translations");
        }
        let seal_config_bytes = serde_json::to_vec_pretty(&seal_config)?;
        FormSchema::from_json(&seal_config_bytes)?;

        let dist = dir.path().join("dist");
        let built = root.join("dist");
        if needs_form {
            if !built.join("index.html").is_file() {
                bail!(
                    "{} has no index.html: build the form first (trunk build --release --offline, or \
                     scripts/bench.sh)",
                    built.display()
                );
            }
            copy_dir(&built, &dist)?;
            std::fs::write(dist.join(SEAL_CONFIG), &seal_config_bytes)?;
        }
        if !sealform.is_file() {
            bail!(
                "{} is missing: cargo build --profile release-cli -p sealform-cli (or scripts/bench.sh)",
                sealform.display()
            );
        }
        Ok(Self {
            counts,
            sealform,
            dir,
            identity,
            key_path,
            config_path,
            dist,
        })
    }

    /// `count` distinct bundles of [`ANSWER_BYTES`] of answers each, sealed by core for the bench key, made on
    /// every core.
    pub(crate) fn bundles(&self, count: usize) -> anyhow::Result<Vec<Vec<u8>>> {
        let threads = crate::machine::cores();
        let per_thread = count.div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let range = (t * per_thread)..((t + 1) * per_thread).min(count);
                    scope.spawn(move || {
                        range
                            .map(|i| self.bundle(i))
                            .collect::<anyhow::Result<Vec<_>>>()
                    })
                })
                .collect();
            let mut all = Vec::with_capacity(count);
            for handle in handles {
                match handle.join() {
                    Ok(part) => all.extend(part?),
                    Err(_) => bail!("a sealing thread panicked"),
                }
            }
            Ok(all)
        })
    }

    /// Bundle number `i`: its answers name `i`, so every bundle (and its receipt) is distinct.
    fn bundle(&self, i: usize) -> anyhow::Result<Vec<u8>> {
        let mut answers = Answers::default();
        answers.insert("full_name", Answer::Text(format!("Benchmark client {i}")));
        let filler = "My landlord kept the deposit and will not answer my letters. ";
        let mut description = String::with_capacity(ANSWER_BYTES);
        while description.len() + filler.len() <= ANSWER_BYTES {
            description.push_str(filler);
        }
        answers.insert("description", Answer::Text(description));
        let submission = sealform_testkit::legal_intake_submission(
            answers,
            &[],
            &format!("00000000-0000-4000-8000-{i:012}"),
        );
        Ok(seal(&[self.identity.recipient().clone()], &submission, &[])?.bytes)
    }

    /// `count` distinct bundles, each with one attachment of `attachment_bytes` (the form's largest, for the
    /// receiver's memory row), sealed on every core.
    pub(crate) fn large_bundles(
        &self,
        count: usize,
        attachment_bytes: usize,
    ) -> anyhow::Result<Vec<Vec<u8>>> {
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..crate::machine::cores().min(count))
                .map(|_| {
                    scope.spawn(|| {
                        let mut made = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            if i >= count {
                                return made;
                            }
                            made.push(self.large_bundle(i, attachment_bytes));
                        }
                    })
                })
                .collect();
            let mut all = Vec::with_capacity(count);
            for handle in handles {
                match handle.join() {
                    Ok(part) => all.extend(part.into_iter().collect::<anyhow::Result<Vec<_>>>()?),
                    Err(_) => bail!("a sealing thread panicked"),
                }
            }
            Ok(all)
        })
    }

    /// Large bundle number `i`: a name and one attachment of `attachment_bytes`.
    fn large_bundle(&self, i: usize, attachment_bytes: usize) -> anyhow::Result<Vec<u8>> {
        let attachment = Attachment {
            field: "documents_upload".into(),
            name: format!("bundle-{i}.pdf"),
            media_type: "application/pdf".into(),
            bytes: vec![(i % 251) as u8; attachment_bytes],
        };
        let mut answers = Answers::default();
        answers.insert("full_name", Answer::Text(format!("Benchmark client {i}")));
        let attachment = [attachment];
        let submission = sealform_testkit::legal_intake_submission(
            answers,
            &attachment,
            &format!("00000000-0000-4000-8000-{i:012}"),
        );
        let recipients = [self.identity.recipient().clone()];
        Ok(seal(&recipients, &submission, &attachment)?.bytes)
    }

    /// Starts the real `sealform serve` with a fresh store on a free loopback port.
    pub(crate) fn serve(&self, name: &str) -> anyhow::Result<Server> {
        self.serve_with(name, &[])
    }

    /// As [`Bench::serve`], with more options (pickup tokens).
    pub(crate) fn serve_with(&self, name: &str, extra: &[String]) -> anyhow::Result<Server> {
        let store = self.dir.path().join(format!("{name}.db"));
        self.serve_store(name, store, extra)
    }

    /// As [`Bench::serve_with`], on the store `--store` names: a SQLite file, or a `postgres://` URL (with
    /// `--store-password-file` among `extra`).
    pub(crate) fn serve_store(
        &self,
        name: &str,
        store: PathBuf,
        extra: &[String],
    ) -> anyhow::Result<Server> {
        let log = self.dir.path().join(format!("{name}.log"));
        let child = Command::new(&self.sealform)
            .arg("serve")
            .arg("--config")
            .arg(&self.config_path)
            .arg("--dist")
            .arg(&self.dist)
            .arg("--store")
            .arg(&store)
            .args(["--listen", "127.0.0.1:0", "--rate-limit", "0"])
            .args(["--max-body", &(64 * 1024 * 1024).to_string()])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .with_context(|| format!("starting {}", self.sealform.display()))?;
        let mut server = Server {
            child,
            store,
            addr: None,
        };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            let mut text = String::new();
            std::fs::File::open(&log)?.read_to_string(&mut text)?;
            if let Some(addr) = text
                .lines()
                .find_map(|line| line.split("listening on http://").nth(1))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|addr| addr.parse().ok())
            {
                server.addr = Some(addr);
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                bail!("sealform serve exited ({status}): {text}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        bail!("sealform serve did not say where it listens within 20 s")
    }
}

/// A running receiver; stopped (by its own process id) when dropped.
#[derive(Debug)]
pub(crate) struct Server {
    child: Child,
    pub store: PathBuf,
    addr: Option<SocketAddr>,
}

impl Server {
    pub(crate) fn url(&self, path: &str) -> String {
        match self.addr {
            Some(addr) => format!("http://{addr}{path}"),
            None => String::new(),
        }
    }

    /// The process's peak resident set so far (`VmHWM`), in bytes.
    pub(crate) fn peak_rss(&self) -> Option<u64> {
        peak_rss(self.child.id())
    }

    /// The process's resident set now (`VmRSS`), in bytes.
    pub(crate) fn rss(&self) -> Option<u64> {
        status_kib(self.child.id(), "VmRSS:").map(|kib| kib * 1024)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a command run by [`timed`] gave.
#[derive(Debug)]
pub(crate) struct Timed {
    pub status: std::process::ExitStatus,
    /// Wall time.
    pub seconds: f64,
    /// Its peak resident set size, in bytes.
    pub peak_rss: u64,
    /// What it wrote to standard error.
    pub stderr: String,
}

/// Runs `command` (the program, then its arguments) under `/usr/bin/time`, with nothing on standard input and
/// standard output thrown away, for its wall time and peak RSS (`%M`: what `getrusage` reports for the child).
pub(crate) fn timed(bench: &Bench, command: &[&std::ffi::OsStr]) -> anyhow::Result<Timed> {
    let report = bench.dir.path().join("time.txt");
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-o")
        .arg(&report)
        .args(["-f", "%M"])
        .args(command)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .context("running /usr/bin/time (apt-get install time)")?;
    let seconds = started.elapsed().as_secs_f64();
    let kib: u64 = std::fs::read_to_string(&report)?
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .parse()
        .context("reading /usr/bin/time's report")?;
    Ok(Timed {
        status: output.status,
        seconds,
        peak_rss: kib * 1024,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// A process's peak resident set size (`VmHWM` in /proc/PID/status), in bytes.
pub(crate) fn peak_rss(pid: u32) -> Option<u64> {
    status_kib(pid, "VmHWM:").map(|kib| kib * 1024)
}

/// A figure in KiB from /proc/PID/status, by its label.
fn status_kib(pid: u32, label: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with(label))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The median of `values` (sorted here); 0 when empty.
pub(crate) fn median(values: &mut [f64]) -> f64 {
    percentile(values, 50.0)
}

/// The `p`th percentile of `values` by the nearest-rank method (sorted here); 0 when empty.
pub(crate) fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// `values` as "min–max".
pub(crate) fn spread(values: &mut [f64]) -> String {
    values.sort_by(f64::total_cmp);
    match (values.first(), values.last()) {
        (Some(low), Some(high)) => format!("{low:.1}–{high:.1}"),
        _ => "none".into(),
    }
}

/// Bytes as MB (10^6), one decimal.
pub(crate) fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}
