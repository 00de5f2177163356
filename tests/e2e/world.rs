//! One scenario's world: the real `sealform serve` on a temporary store behind a recording proxy (the form's
//! origin), a fictional firm's page on a second origin behind another, chromedriver and a Chromium session. Every
//! process is killed and the session closed when the scenario ends, whether it passed or not.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fantoccini::Client;
use futures_util::FutureExt as _;
use sealform_core::key::Identity;
use sealform_core::schema::{Template, LEGAL_INTAKE_TEMPLATE};
use tempfile::TempDir;

use crate::e2e::browser::{self, Chromedriver};
use crate::e2e::host::{self, Embed, HostPage};
use crate::e2e::proxy::Proxy;
use crate::e2e::{dist, sealform_bin, workspace};

/// Which keys the firm's snippet pins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pin {
    /// The config's own keys (firm and backup): the form runs.
    FirmKeys,
    /// A key the config does not seal to: the form must refuse to run.
    Stranger,
    /// No `data-pin` at all: the form must refuse to run (the config does not say `allow_unpinned`).
    Missing,
}

/// What a scenario needs to differ.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The snippet's `data-pin`.
    pub pin: Pin,
    /// The receiver's `--pow-bits`: ask every submission for a proof of work.
    pub pow_bits: Option<u32>,
    /// How the firm's page embeds the form.
    pub embed: Embed,
    /// The snippet's `data-config`, when it has one.
    pub data_config: Option<&'static str>,
    /// The snippet's `data-lang`, when it has one.
    pub data_lang: Option<&'static str>,
    /// The browser's languages, first choice first (`"ar,en"`); Chromium's own when `None`.
    pub browser_languages: Option<&'static str>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            pin: Pin::FirmKeys,
            pow_bits: None,
            embed: Embed::Isolated,
            data_config: None,
            data_lang: None,
            browser_languages: None,
        }
    }
}

/// A test key from `crates/core/tests/data/keys`.
pub fn key_path(name: &str) -> PathBuf {
    workspace().join(format!("crates/core/tests/data/keys/{name}.pem"))
}

/// The identity of a test key.
pub fn identity(name: &str) -> Identity {
    let pem = std::fs::read_to_string(key_path(name)).expect("test key");
    Identity::from_pkcs8_pem(&pem, None).expect("unencrypted test key")
}

/// A running `sealform serve`.
#[derive(Debug)]
struct Receiver {
    child: Child,
    addr: SocketAddr,
}

/// Everything one scenario runs against.
#[derive(Debug)]
pub struct World {
    /// Temporary folder for the config, store, profile and downloads; removed at the end.
    pub dir: TempDir,
    /// The form config the receiver serves.
    pub config: PathBuf,
    /// The SQLite store.
    pub store: PathBuf,
    /// Where Chromium saves downloads.
    pub downloads: PathBuf,
    /// The form's origin (the receiver, through a recording proxy).
    pub form: Proxy,
    /// The firm's page's origin (through a recording proxy).
    pub host: Proxy,
    /// The WebDriver session.
    pub client: Client,
    receiver: Mutex<Option<Receiver>>,
    receiver_log: Arc<Mutex<String>>,
    dist: PathBuf,
    pow_bits: Option<u32>,
    _host_page: HostPage,
    _driver: Chromedriver,
}

/// Runs `body` in a fresh world; closes the session and stops every process afterwards, even when it panics.
pub async fn scenario<F>(options: Options, body: F)
where
    F: AsyncFnOnce(&World),
{
    let world = World::start(options).await;
    let outcome = AssertUnwindSafe(body(&world)).catch_unwind().await;
    if outcome.is_err() {
        eprintln!("receiver log:\n{}", world.receiver_log.lock().expect("log"));
    }
    let _ = world.client.clone().close().await;
    drop(world);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

impl World {
    async fn start(options: Options) -> Self {
        let bin = sealform_bin();
        let dir = tempfile::Builder::new()
            .prefix("sealform-e2e-")
            .tempdir()
            .expect("temp dir");
        let dist = dist::prepare(dir.path());
        let (firm, backup) = (identity("firm"), identity("backup"));
        let schema = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes())
            .and_then(|t| t.with_recipients([firm.recipient().clone(), backup.recipient().clone()]))
            .expect("form config");
        let config = dir.path().join("form.json");
        std::fs::write(&config, serde_json::to_vec_pretty(&schema).expect("json"))
            .expect("write config");
        let pin = match options.pin {
            Pin::FirmKeys => format!("{},{}", firm.kid(), backup.kid()),
            Pin::Stranger => identity("stranger").kid().to_string(),
            Pin::Missing => String::new(),
        };
        // The form's origin exists before the receiver does: the proxy is pointed at it once it listens.
        let form = Proxy::start(SocketAddr::from(([127, 0, 0, 1], 9))).await;
        let csp = host::strict_csp(&form.origin(), options.embed);
        let host_page = HostPage::start(
            &form.origin(),
            &pin,
            options.embed,
            Some(csp),
            options.data_config,
            options.data_lang,
        )
        .await;
        let host = Proxy::start(host_page.addr).await;
        let downloads = dir.path().join("downloads");
        std::fs::create_dir_all(&downloads).expect("downloads dir");
        let driver = Chromedriver::start();
        let client = browser::session(
            &driver,
            &dir.path().join("profile"),
            &downloads,
            options.browser_languages,
        )
        .await;
        let world = Self {
            config,
            store: dir.path().join("sealform.db"),
            downloads,
            form,
            host,
            client,
            receiver: Mutex::new(None),
            receiver_log: Arc::new(Mutex::new(String::new())),
            dist,
            pow_bits: options.pow_bits,
            _host_page: host_page,
            _driver: driver,
            dir,
        };
        let _ = bin;
        world.start_receiver(None).await;
        world
    }

    /// Starts `sealform serve` (on a free port, or on `port` again after [`stop_receiver`](Self::stop_receiver)),
    /// retrying while the port is still in use, and points the form's origin at it.
    pub async fn start_receiver(&self, port: Option<u16>) {
        let listen = format!("127.0.0.1:{}", port.unwrap_or(0));
        let mut last = String::new();
        for _ in 0..50 {
            match self.spawn_receiver(&listen) {
                Ok(receiver) => {
                    self.form.retarget(receiver.addr);
                    *self.receiver.lock().expect("receiver") = Some(receiver);
                    return;
                }
                Err(message) if message.contains("in use") => {
                    last = message;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(message) => panic!("sealform serve did not start:\n{message}"),
            }
        }
        panic!("sealform serve could not get {listen}:\n{last}");
    }

    fn spawn_receiver(&self, listen: &str) -> Result<Receiver, String> {
        let mut child = Command::new(sealform_bin())
            .arg("serve")
            .arg("--config")
            .arg(&self.config)
            .arg("--dist")
            .arg(&self.dist)
            .arg("--store")
            .arg(&self.store)
            .args([
                "--listen",
                listen,
                "--allow-origin",
                &self.host.origin(),
                "--rate-limit",
                "0",
            ])
            .args(
                self.pow_bits
                    .map(|bits| ["--pow-bits".to_owned(), bits.to_string()])
                    .into_iter()
                    .flatten(),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", sealform_bin().display()))?;
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        let log = Arc::clone(&self.receiver_log);
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some((_, rest)) = line.split_once("listening on http://") {
                    let addr = rest.split([' ', '/']).next().unwrap_or_default().to_owned();
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(Ok(addr));
                    }
                }
                let mut log = log.lock().expect("log");
                log.push_str(&line);
                log.push('\n');
            }
            if let Some(tx) = tx.take() {
                let _ = tx.send(Err(()));
            }
        });
        match rx.recv_timeout(browser::TIMEOUT) {
            Ok(Ok(addr)) => Ok(Receiver {
                child,
                addr: addr.parse().map_err(|e| format!("address {addr}: {e}"))?,
            }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err(self.receiver_log.lock().expect("log").clone())
            }
        }
    }

    /// Kills the receiver (as a crash or an outage would); returns the port it had.
    pub fn stop_receiver(&self) -> u16 {
        let mut receiver = self
            .receiver
            .lock()
            .expect("receiver")
            .take()
            .expect("a receiver runs");
        let _ = receiver.child.kill();
        let _ = receiver.child.wait();
        receiver.addr.port()
    }

    /// The host page's URL.
    pub fn host_url(&self) -> String {
        format!("{}/", self.host.origin())
    }

    /// Every bundle in the store, oldest first: (receipt hex, bytes).
    pub fn stored(&self) -> Vec<(String, Vec<u8>)> {
        if !self.store.exists() {
            return Vec::new();
        }
        let store = sealform_store::Store::open_read_only(&self.store).expect("open store");
        store
            .submissions()
            .expect("list submissions")
            .map(|s| {
                let s = s.expect("read submission");
                (s.receipt.full(), s.bundle)
            })
            .collect()
    }

    /// How many bundles the browser tried to POST to the receiver.
    pub fn posts(&self) -> usize {
        self.form.count_requests("POST", "/api/submissions")
    }

    /// A path in the world's temporary folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Opens every stored bundle with `sealform open --store`, as the firm would.
    pub fn open_store(&self, out: &Path) -> Vec<PathBuf> {
        self.open(
            out,
            &[std::ffi::OsStr::new("--store"), self.store.as_os_str()],
        )
    }

    /// Runs `sealform open --key firm.pem --out OUT INPUT...`, asserting it succeeds; returns each opened
    /// submission's folder.
    pub fn open(&self, out: &Path, input: &[&std::ffi::OsStr]) -> Vec<PathBuf> {
        let output = Command::new(sealform_bin())
            .arg("open")
            .arg("--key")
            .arg(key_path("firm"))
            .arg("--out")
            .arg(out)
            .args(input)
            .output()
            .expect("sealform open runs");
        assert!(
            output.status.success(),
            "sealform open failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let mut folders: Vec<PathBuf> = std::fs::read_dir(out)
            .expect("opened folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.join("submission.json").exists())
            .collect();
        folders.sort();
        folders
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if let Some(mut receiver) = self.receiver.lock().map(|mut r| r.take()).ok().flatten() {
            let _ = receiver.child.kill();
            let _ = receiver.child.wait();
        }
    }
}
