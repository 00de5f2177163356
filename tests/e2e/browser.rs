//! Chromium through chromedriver: starting it on a free port, a session with console and network logging and a
//! download folder, chromedriver's log and DevTools endpoints, and waiting on conditions instead of sleeping.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

/// How long any one condition may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A chromedriver process in its own process group (so Chromium goes with it), killed when dropped.
#[derive(Debug)]
pub struct Chromedriver {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Chromedriver {
    /// Starts chromedriver on a free port, retrying when another process takes the port first.
    pub fn start() -> Self {
        let binary =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_owned());
        let mut last = String::new();
        for _ in 0..5 {
            let port = crate::e2e::free_port();
            let mut child = Command::new(&binary)
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot run {binary}: {e}; install it with `apt-get install -y chromium-driver`")
                });
            let stdout = child.stdout.take().expect("chromedriver stdout");
            let mut lines = BufReader::new(stdout).lines();
            let mut started = false;
            for line in lines.by_ref().map_while(Result::ok) {
                if line.contains("started successfully") {
                    started = true;
                    break;
                }
                last = line;
            }
            if started {
                // Keep draining its output so it never blocks on a full pipe.
                std::thread::spawn(move || for _ in lines {});
                return Self {
                    child,
                    url: format!("http://127.0.0.1:{port}"),
                };
            }
            kill_group(&mut child);
        }
        panic!("chromedriver did not start: {last}");
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

/// Kills a child started with `process_group(0)` and everything in its group, by its id.
pub fn kill_group(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

use std::os::unix::process::CommandExt as _;

/// A new session: headless Chromium with the flags that work here, console and network logs on, downloads into
/// `downloads`, and the browser's languages (`navigator.languages`) `languages`, e.g. `"ar,en"` (Chromium's own,
/// English, when `None`).
pub async fn session(
    driver: &Chromedriver,
    profile: &Path,
    downloads: &Path,
    languages: Option<&str>,
) -> Client {
    let mut args = vec![
        "--headless".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--window-size=1280,1100".to_owned(),
        "--hide-scrollbars".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut prefs = json!({
        "download.default_directory": downloads.display().to_string(),
        "download.prompt_for_download": false,
    });
    if let Some(languages) = languages {
        args.push(format!("--accept-lang={languages}"));
        prefs["intl.accept_languages"] = json!(languages);
    }
    let chromium = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let capabilities = json!({
        "browserName": "chrome",
        "goog:loggingPrefs": { "browser": "ALL", "performance": "ALL" },
        "goog:chromeOptions": {
            "binary": chromium,
            "args": args,
            "prefs": prefs,
            "perfLoggingPrefs": { "enableNetwork": true, "enablePage": false },
        },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let capabilities: Capabilities = capabilities;
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a chromedriver session");
    cdp(
        &client,
        "Browser.setDownloadBehavior",
        json!({ "behavior": "allow", "downloadPath": downloads.display().to_string() }),
    )
    .await;
    client
}

/// One of chromedriver's own endpoints under the session.
#[derive(Debug)]
struct Vendor {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for Vendor {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/{}",
            session.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// Runs a Chrome DevTools Protocol command.
pub async fn cdp(client: &Client, command: &str, params: Value) -> Value {
    client
        .issue_cmd(Vendor {
            path: "goog/cdp/execute",
            body: json!({ "cmd": command, "params": params }),
        })
        .await
        .unwrap_or_else(|e| panic!("CDP {command}: {e}"))
}

/// Takes (and empties) a log: `browser` (the console) or `performance` (DevTools events, including Network.*).
pub async fn log(client: &Client, kind: &str) -> Vec<Value> {
    let entries = client
        .issue_cmd(Vendor {
            path: "se/log",
            body: json!({ "type": kind }),
        })
        .await
        .unwrap_or_else(|e| panic!("reading the {kind} log: {e}"));
    entries.as_array().cloned().unwrap_or_default()
}

/// The URLs of the requests in a `performance` log (every `Network.requestWillBeSent`, blocked ones included).
pub fn requested_urls(performance: &[Value]) -> Vec<String> {
    performance
        .iter()
        .filter_map(|entry| serde_json::from_str::<Value>(entry["message"].as_str()?).ok())
        .filter(|message| message["message"]["method"] == "Network.requestWillBeSent")
        .filter_map(|message| {
            message["message"]["params"]["request"]["url"]
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

/// The console entries at warning level or above (`WARNING`, `SEVERE`) in a `browser` log.
pub fn warnings(console: &[Value]) -> Vec<&Value> {
    console
        .iter()
        .filter(|entry| matches!(entry["level"].as_str(), Some("WARNING" | "SEVERE")))
        .collect()
}

/// Polls `condition` (a JavaScript expression, in the current frame) until it is truthy; fails after [`TIMEOUT`]
/// naming `what`.
pub async fn wait_js(client: &Client, what: &str, condition: &str) {
    let script = format!("return !!({condition});");
    let started = Instant::now();
    loop {
        if client
            .execute(&script, vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            == Some(true)
        {
            return;
        }
        assert!(
            started.elapsed() < TIMEOUT,
            "timed out after {TIMEOUT:?} waiting for {what} ({condition})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls an async check until it gives `Some`, failing after `timeout` naming `what`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            started.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
