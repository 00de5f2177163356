//! Helpers for the receiver's tests: a real server on a loopback port in this process, its store, the core test
//! keys (public halves only: the receiver's tests never touch private-key code), bundles sealed on the spot, and
//! raw HTTP for what a polite client would never send.

// Each test binary uses its own share of these helpers.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use sealform_core::bundle::{seal, Sealed};
use sealform_core::key::Recipient;
use sealform_core::schema::{Template, LEGAL_INTAKE_TEMPLATE};
use sealform_core::{Answer, Answers, Attachment};
use sealform_receiver::{Config, FormConfig, Server};
use sealform_store::Store;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::oneshot;

/// The public key of a core test key (`firm`, `backup`, `stranger`).
pub fn recipient(name: &str) -> Recipient {
    sealform_testkit::identity(name).recipient().clone()
}

/// The firm's keys in every test config: its own and its backup.
pub fn firm_keys() -> Vec<Recipient> {
    vec![recipient("firm"), recipient("backup")]
}

/// A bundle for `recipients`, made unique by `id`, with one attachment of `attachment_len` bytes (none for 0).
pub fn bundle(recipients: &[Recipient], id: &str, attachment_len: usize) -> Sealed {
    bundle_naming(recipients, id, attachment_len, "Zoë Adeyemi", "letter.txt")
}

/// [`bundle`] with the client's name and the attachment's name given (canaries to look for).
pub fn bundle_naming(
    recipients: &[Recipient],
    id: &str,
    attachment_len: usize,
    full_name: &str,
    file_name: &str,
) -> Sealed {
    let attachments: Vec<Attachment> = (attachment_len > 0)
        .then(|| Attachment {
            field: "documents".into(),
            name: file_name.into(),
            media_type: "text/plain".into(),
            bytes: vec![b'a'; attachment_len],
        })
        .into_iter()
        .collect();
    let mut answers = Answers::default();
    answers.insert("full_name", Answer::Text(full_name.into()));
    let submission = sealform_testkit::legal_intake_submission(answers, &attachments, id);
    seal(recipients, &submission, &attachments).expect("seal")
}

/// The shipped template with the firm's keys: the config every test server gets unless it changes it.
pub fn form_config() -> FormConfig {
    let schema = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes())
        .and_then(|t| t.with_recipients(firm_keys()))
        .expect("template with keys");
    let json = serde_json::to_vec_pretty(&schema).expect("serialise");
    FormConfig::from_bytes(json, Path::new("form.json")).expect("valid config")
}

/// The name of the test build's content-hashed wasm, which has brotli and gzip forms beside it.
pub const HASHED_WASM: &str = "sealform-form-0123abcd_bg.wasm";

/// The form's page as the build writes it, in short: the receiver renders its first paint into it.
pub const BUILT_PAGE: &str =
    "<!doctype html>\n<html lang=\"en\">\n<head><title>Intake form</title></head>\n\
    <body data-sealform-page>\n<noscript>the built page</noscript>\n</body>\n</html>\n";

/// A built form: index.html, a hashed .wasm with its `.br` and `.gz` forms (marked, not really compressed: the
/// receiver sends them as they are), embed.js.
pub fn dist(dir: &Path) -> PathBuf {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).expect("mkdir dist");
    std::fs::write(dist.join("index.html"), BUILT_PAGE).expect("write");
    std::fs::write(
        dist.join("sealform-form-0123abcd_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .expect("write");
    for (suffix, marker) in [(".br", "brotli form"), (".gz", "gzip form")] {
        std::fs::write(dist.join(format!("{HASHED_WASM}{suffix}")), marker).expect("write");
    }
    std::fs::write(dist.join("embed.js"), "/* embed */").expect("write");
    dist
}

/// A receiver running in this process on a loopback port; stopped when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub store: PathBuf,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
}

impl TestServer {
    /// Starts a receiver with the default test config, changed by `adjust`.
    pub async fn start(adjust: impl FnOnce(&mut Config)) -> Self {
        capture_logs();
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().join("sealform.db");
        let mut config = Config::new(
            form_config(),
            dist(dir.path()),
            store.clone(),
            "127.0.0.1:0".parse().expect("address"),
        );
        adjust(&mut config);
        let server = Server::bind(config).await.expect("server starts");
        let addr = server.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        let server = Self {
            addr,
            store,
            client: reqwest::Client::new(),
            _dir: dir,
            _stop: stop,
        };
        server.wait_healthy().await;
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Polls /healthz until 200, for at most 10 s.
    pub async fn wait_healthy(&self) {
        wait_healthy(&self.client, &self.url("/healthz")).await;
    }

    /// POSTs `body` as a bundle.
    pub async fn post(&self, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.post_with(body, &[]).await
    }

    /// POSTs `body` as a bundle with extra headers.
    pub async fn post_with(
        &self,
        body: impl Into<reqwest::Body>,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url("/api/submissions"))
            .header("content-type", sealform_receiver::BUNDLE_MEDIA_TYPE)
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request sent")
    }

    /// The store, opened read-only beside the running receiver.
    pub fn read_store(&self) -> Store {
        Store::open_read_only(&self.store).expect("store readable")
    }

    /// Sends raw bytes on a new connection and returns everything the server answers until it closes.
    pub async fn raw(&self, request: &[u8]) -> String {
        let mut stream = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        stream.write_all(request).await.expect("send");
        let mut answer = Vec::new();
        let _ =
            tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
        String::from_utf8_lossy(&answer).into_owned()
    }
}

/// Polls `url` until it answers 200, for at most 10 s.
pub async fn wait_healthy(client: &reqwest::Client, url: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(response) = client.get(url).send().await {
            if response.status() == 200 {
                return;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{url} never became healthy"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Everything logged by any server in this test binary, at every level.
pub fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().expect("log buffer")).into_owned()
}

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
            .with_writer(|| LogWriter)
            .with_ansi(false)
            .init();
    });
}

/// Whether `needle` occurs anywhere in the store's files (the database, its WAL and shared memory).
pub fn store_files_contain(store: &Path, needle: &[u8]) -> bool {
    ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
        let mut path = store.as_os_str().to_owned();
        path.push(suffix);
        std::fs::read(PathBuf::from(path))
            .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
            .unwrap_or(false)
    })
}
