//! A real `sealform serve` for tests: a form config and built form in a temporary folder, the process started and
//! its log collected, and bundles posted to it the way browsers do.
// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sealform_core::key::Recipient;
use sealform_core::schema::{Template, LEGAL_INTAKE_TEMPLATE};

use super::identity;

/// A form config for the core test keys `firm` and `backup`, and a built form, in `dir`.
pub fn site(dir: &Path) -> (PathBuf, PathBuf) {
    let recipients: Vec<Recipient> = ["firm", "backup"]
        .iter()
        .map(|name| identity(name).recipient().clone())
        .collect();
    let schema = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes())
        .and_then(|t| t.with_recipients(recipients))
        .expect("config");
    let config = dir.join("form.json");
    std::fs::write(&config, serde_json::to_vec_pretty(&schema).expect("json"))
        .expect("write config");
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).expect("mkdir");
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html>\n<html lang=\"en\">\n<head><title>Intake form</title></head>\n<body data-sealform-page>\n</body>\n</html>\n",
    )
    .expect("write");
    (config, dist)
}

/// A running `sealform serve` (or `demo`), its standard error collected as it goes; killed when dropped.
pub struct Running {
    child: Child,
    stderr: Arc<Mutex<String>>,
    pub addr: SocketAddr,
}

impl Running {
    /// Starts `sealform ARGS` and waits (at most 90 s: the demo first makes an RSA key, slow in a debug build on
    /// a busy machine) for the line saying where it listens.
    pub fn start<S: AsRef<std::ffi::OsStr>>(args: &[S], ready: &str) -> Self {
        Self::spawn(
            Command::new(env!("CARGO_BIN_EXE_sealform")).args(args),
            ready,
        )
    }

    /// Starts `command` (`sealform`, or a wrapper that runs it) as [`Running::start`] does.
    pub fn spawn(command: &mut Command, ready: &str) -> Self {
        let mut child = command
            .env("RUST_LOG", "trace")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sealform starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (found, address) = std::sync::mpsc::channel();
        let pipe = child.stderr.take().expect("stderr");
        let collected = Arc::clone(&stderr);
        let ready = ready.to_owned();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(rest) = line.split_once(&ready).map(|(_, rest)| rest) {
                    let addr = rest
                        .trim_start_matches("http://")
                        .split([' ', '/', ')'])
                        .next();
                    let _ = found.send(addr.unwrap_or_default().to_owned());
                }
                let mut all = collected.lock().expect("stderr buffer");
                all.push_str(&line);
                all.push('\n');
            }
        });
        let addr = address
            .recv_timeout(Duration::from_secs(90))
            .unwrap_or_else(|why| {
                let _ = child.kill();
                panic!(
                    "sealform did not start ({why}):\n{}",
                    stderr.lock().expect("stderr buffer")
                )
            });
        Self {
            child,
            stderr,
            addr: addr.parse().expect("a socket address"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Kills the process with SIGKILL (`kill -9`) and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr buffer").clone()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `sealform serve` on `listen` with `extra` options, no rate limit.
pub fn serve<S: AsRef<std::ffi::OsStr>>(
    config: &Path,
    dist: &Path,
    store: &Path,
    listen: &str,
    extra: &[S],
) -> Running {
    let mut args: Vec<std::ffi::OsString> = vec![
        "serve".into(),
        "--config".into(),
        config.into(),
        "--dist".into(),
        dist.into(),
        "--store".into(),
        store.into(),
        "--listen".into(),
        listen.into(),
        "--rate-limit".into(),
        "0".into(),
    ];
    args.extend(extra.iter().map(|arg| arg.as_ref().to_owned()));
    Running::start(&args, "listening on ")
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Polls /healthz until 200, for at most 10 s.
pub async fn wait_healthy(client: &reqwest::Client, url: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !matches!(client.get(url).send().await, Ok(r) if r.status() == 200) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{url} never became healthy"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn post(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(url)
        .header("content-type", sealform_core::protocol::BUNDLE_MEDIA_TYPE)
        .body(body)
        .send()
        .await
}

/// A loopback port free a moment ago (the operating system picks it; the caller binds it soon after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Starts `sealform demo` in `demo_dir`, serving the form in `dist` on `port` and the firm's page in `host_dir` on
/// `host_port`, and waits until it says where the form is served from.
pub fn start_demo(
    demo_dir: &Path,
    dist: &Path,
    host_dir: &Path,
    port: u16,
    host_port: u16,
) -> Running {
    Running::start(
        &[
            "demo".as_ref(),
            "--dir".as_ref(),
            demo_dir.as_os_str(),
            "--dist".as_ref(),
            dist.as_os_str(),
            "--host-dir".as_ref(),
            host_dir.as_os_str(),
            "--port".as_ref(),
            port.to_string().as_ref(),
            "--host-port".as_ref(),
            host_port.to_string().as_ref(),
        ],
        "served from ",
    )
}
