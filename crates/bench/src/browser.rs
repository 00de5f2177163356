//! The browser rows, in headless Chromium driven through chromedriver (fantoccini): time to interactive over cold
//! loads, sealing typical answers, and sealing a large attachment beside the browser's own AES-GCM on the same
//! bytes, with the longest main-thread task and the JS heap after sealing. Times come from the page's own
//! `performance` marks (`sealform:ready`, `sealform:seal-start`, `sealform:seal-end`), never from WebDriver's
//! round trips.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

use crate::report::Row;
use crate::setup::{mb, median, spread, Bench, SEAL_CONFIG};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Goals.
const GOAL_TTI_MS: f64 = 150.0;
const GOAL_SEAL_MS: f64 = 10.0;
const GOAL_SHARE_OF_SUBTLE: f64 = 0.5;
/// What sealing a large file may add to the renderer's peak memory, in multiples of the file (issue 15).
const GOAL_RENDERER_GROWTH: f64 = 4.0;

/// A running chromedriver; stopped (by its own process id) when dropped.
pub(crate) struct Driver {
    child: Child,
    port: u16,
    profiles: PathBuf,
    sessions: usize,
    /// The renderers' peak RSS ([`RendererPeak::read`]) as the last session ended.
    last_renderer_peak: Option<u64>,
    /// Whether sessions keep Chromium's network log (`performance`), for the wire row only: it costs time.
    network_log: bool,
}

impl Driver {
    pub(crate) fn start(bench: &Bench) -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver (apt-get install chromium-driver)")?;
        let driver = Self {
            child,
            port,
            profiles: bench.dir.path().join("profiles"),
            sessions: 0,
            last_renderer_peak: None,
            network_log: false,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                bail!("chromedriver did not listen within 20 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(driver)
    }

    /// A new Chromium with a fresh profile (so a cold HTTP and code cache), run through `body`, then closed
    /// whatever `body` returned: a session left open would leave Chromium running.
    pub(crate) async fn with_session<T>(
        &mut self,
        body: impl AsyncFnOnce(&Client) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        self.sessions += 1;
        let profile = self.profiles.join(self.sessions.to_string());
        std::fs::create_dir_all(&profile)?;
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        if self.network_log {
            capabilities.insert("goog:loggingPrefs".into(), json!({ "performance": "ALL" }));
        }
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--enable-precise-memory-info", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .context("starting a Chromium session")?;
        let result = body(&client).await;
        self.last_renderer_peak = self.renderer_peak().read();
        let _ = client.close().await;
        let _ = std::fs::remove_dir_all(&profile);
        result
    }
}

impl Driver {
    /// A reader of this chromedriver's renderers' peak RSS, which a session's body can call while the session
    /// runs.
    pub(crate) fn renderer_peak(&self) -> RendererPeak {
        RendererPeak(self.child.id())
    }
}

/// Reads the peak resident set of the Chromium renderers under one chromedriver (its process id).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RendererPeak(u32);

impl RendererPeak {
    /// The largest peak resident set so far (`VmHWM`) among the Chromium renderer processes descending from the
    /// chromedriver, in bytes: the page's whole footprint, wasm linear memory included, which the page itself
    /// cannot see.
    pub(crate) fn read(self) -> Option<u64> {
        let mut parents = std::collections::HashMap::new();
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // "PID (comm) STATE PPID …": the command may hold spaces, so read after its closing parenthesis.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|ppid| ppid.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parents.insert(pid, ppid);
            }
        }
        let descends = |mut pid: u32| {
            while let Some(&parent) = parents.get(&pid) {
                if parent == self.0 {
                    return true;
                }
                pid = parent;
            }
            false
        };
        parents
            .keys()
            .filter(|&&pid| descends(pid))
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
                    String::from_utf8_lossy(&cmdline).contains("--type=renderer")
                })
            })
            .filter_map(|&pid| crate::setup::peak_rss(pid))
            .max()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `script` until it returns something other than null/false, or `limit` passes.
pub(crate) async fn wait_for(
    client: &Client,
    script: &str,
    limit: Duration,
) -> anyhow::Result<Value> {
    let started = Instant::now();
    loop {
        let value = client.execute(script, vec![]).await?;
        if !(value.is_null() || value == json!(false)) {
            return Ok(value);
        }
        if started.elapsed() > limit {
            bail!("waited {limit:?} for: {script}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

pub(crate) const READY: &str = "const m = performance.getEntriesByName('sealform:ready'); return m.length ? m[0].startTime : null";

/// Waits for the end of sealing, or a sign the form refused to seal; returns the seal's duration in ms.
const SEALED: &str = "const s = performance.getEntriesByName('sealform:seal-start'), \
    e = performance.getEntriesByName('sealform:seal-end'); \
    if (e.length && s.length) return e[0].startTime - s[0].startTime; \
    if (document.querySelector('[data-testid=error-summary]')) return 'the form showed errors: ' + \
    document.querySelector('[data-testid=error-summary]').innerText; return null";

const RECEIPT: &str = "return !!document.querySelector('[data-testid=receipt]') || \
    (document.querySelector('[data-testid=not-sent], [data-testid=refused]') || {}).innerText || null";

/// Fills the bench form's text area with `chars` characters, ticks the consent.
fn fill(chars: usize) -> String {
    format!(
        "const t = document.querySelector('textarea'); t.value = 'x'.repeat({chars}); \
         t.dispatchEvent(new Event('input', {{bubbles: true}})); \
         document.querySelectorAll('.sf-checkboxes__input').forEach(c => {{ if (!c.checked) c.click(); }}); \
         return true"
    )
}

const SUBMIT: &str = "document.querySelector('#sf-submit').click(); return true";

pub(crate) async fn time_to_interactive(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let server = bench.serve("tti")?;
    let mut driver = Driver::start(bench)?;
    // Pinned to the bench key, as a firm's snippet pins its keys: the form refuses to run unpinned.
    let url = server.url(&format!("/?pin={}", bench.identity.kid()));
    let mut times = Vec::new();
    let mut fetched = Vec::new();
    let (mut wasm_arrived, mut config_arrived) = (Vec::new(), Vec::new());
    let (mut started, mut checked) = (Vec::new(), Vec::new());
    let mut fetched_at = Vec::new();
    let mut first_paints = Vec::new();
    // Loads where the first contentful paint came before the wasm started.
    let mut painted_first = 0;
    for load in 0..bench.counts.cold_loads {
        let (ready, resources) = driver
            .with_session(async |client: &Client| {
                client.goto(&url).await?;
                let ready = wait_for(client, READY, Duration::from_secs(30)).await?;
                // The form's own marks between navigation and `sealform:ready` count as resources here.
                let resources = client
                    .execute(
                        "return performance.getEntriesByType('resource')\
                            .map(e => [new URL(e.name).pathname, e.responseEnd])\
                            .concat(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]))\
                            .concat(performance.getEntriesByType('paint').map(p => [p.name, p.startTime]))",
                        vec![],
                    )
                    .await?;
                Ok((ready.as_f64().unwrap_or(f64::NAN), resources))
            })
            .await?;
        times.push(ready);
        let resources: Vec<(String, f64)> = serde_json::from_value(resources).unwrap_or_default();
        let at = |name: &str| {
            resources
                .iter()
                .find(|(path, _)| path == name)
                .map(|(_, t)| *t)
        };
        if let Some(paint) = at("first-contentful-paint") {
            first_paints.push(paint);
            if at("sealform:start").is_some_and(|start| paint < start) {
                painted_first += 1;
            }
        }
        for (path, end) in &resources {
            if path.ends_with(".wasm") {
                wasm_arrived.push(*end);
            } else if path.ends_with("config.json") {
                config_arrived.push(*end);
            } else if path == "sealform:start" {
                started.push(*end);
            } else if path == "sealform:config-checked" {
                checked.push(*end);
            } else if path == "sealform:config-fetched" {
                fetched_at.push(*end);
            }
        }
        if load == 0 {
            fetched = resources
                .into_iter()
                .map(|(path, _)| path)
                .filter(|path| path.starts_with('/'))
                .collect();
        }
    }
    let first = times.first().copied().unwrap_or(f64::NAN);
    let range = spread(&mut times.clone());
    let tti = median(&mut times);
    let loads = bench.counts.cold_loads;
    let config = if config_arrived.is_empty() {
        "the config came in the page (the receiver puts it there), so the form fetched none;"
            .to_owned()
    } else {
        format!(
            "the config (fetched) has arrived at {:.0} ms;",
            median(&mut config_arrived)
        )
    };
    let paint_range = spread(&mut first_paints.clone());
    let (paint, start) = (median(&mut first_paints), median(&mut started.clone()));
    let first_paint = Row {
        what: format!("first contentful paint (median of {loads} cold loads)"),
        measured: format!("{paint:.0} ms; before the wasm started in {painted_first} of {loads}"),
        reference: format!("the wasm started (`sealform:start`) at {start:.0} ms"),
        goal: "the form's heading painted before the wasm has started".into(),
        met: Some(painted_first == loads),
        only: "tti".into(),
        notes: format!(
            "The same loads as the time-to-interactive row: Chromium's own `first-contentful-paint` entry \
             against the form's `sealform:start` mark (the wasm compiled, instantiated and running), both from \
             navigation start. What paints first is the receiver's first paint: the top of the form's first page \
             (its title, the first section's heading and a loading status, in the client's language) rendered \
             into the page at start-up, which the form replaces when it draws itself. Range {paint_range} ms."
        ),
    };
    Ok(vec![Row {
        what: format!("time to interactive (median of {} cold loads)", bench.counts.cold_loads),
        measured: format!("{tti:.0} ms"),
        reference: "navigation start → `sealform:ready`".into(),
        goal: format!("≤ {GOAL_TTI_MS:.0} ms"),
        met: Some(tti <= GOAL_TTI_MS),
        only: "tti".into(),
        notes: format!(
            "Each load is a new headless Chromium with a fresh profile (cold HTTP and code caches) loading the \
             form's page from `sealform serve` on loopback, with the legal-intake template (22 questions). Range \
             {range} ms, first load {first:.0} ms. Where the time goes (medians, from navigation start): {config} \
             the wasm has arrived at {:.0} ms; the wasm is compiled and instantiated and the form starts \
             (`sealform:start`) at {:.0} ms; it has the config's bytes (`sealform:config-fetched`) at {:.0} ms; the \
             config is parsed, checked and hashed (`sealform:config-checked`) at {:.0} ms; the rest, to \
             `sealform:ready`, is rendering the form. Besides the page itself Chromium fetched: {}.",
            median(&mut wasm_arrived),
            median(&mut started),
            median(&mut fetched_at),
            median(&mut checked),
            fetched.join(", ")
        ),
    }, first_paint])
}

pub(crate) async fn seal_typical(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let server = bench.serve("seal")?;
    let mut driver = Driver::start(bench)?;
    let url = server.url(&format!(
        "/?config={SEAL_CONFIG}&pin={}",
        bench.identity.kid()
    ));
    let runs = bench.counts.seals;
    let (mut times, aes) = driver
        .with_session(async |client: &Client| {
            let mut times = Vec::new();
            let mut aes = Value::Null;
            for _ in 0..runs {
                client.goto(&url).await?;
                wait_for(client, READY, Duration::from_secs(30)).await?;
                client
                    .execute(&fill(crate::setup::ANSWER_BYTES), vec![])
                    .await?;
                client.execute(SUBMIT, vec![]).await?;
                let sealed = wait_for(client, SEALED, Duration::from_secs(30)).await?;
                let Some(ms) = sealed.as_f64() else {
                    bail!("{sealed}")
                };
                times.push(ms);
                aes = client
                    .execute(
                        "return document.querySelector('.sf-form-root').dataset.aes",
                        vec![],
                    )
                    .await?;
                let sent = wait_for(client, RECEIPT, Duration::from_secs(30)).await?;
                if sent != json!(true) {
                    bail!("the receiver refused the bundle: {sent}");
                }
            }
            Ok((times, aes))
        })
        .await?;
    let renderer = driver.last_renderer_peak;
    let range = spread(&mut times.clone());
    let seal = median(&mut times);
    Ok(vec![Row {
        what: format!("sealing 8 KB of answers (median of {runs})"),
        measured: format!("{seal:.1} ms"),
        reference: "`seal-start` → `seal-end` marks".into(),
        goal: format!("≤ {GOAL_SEAL_MS:.0} ms"),
        met: Some(seal <= GOAL_SEAL_MS),
        only: "seal".into(),
        notes: format!(
            "One Chromium session, the page reloaded before each run; WebDriver fills an 8,192-character answer, \
             ticks the consent and clicks Send; the time is the page's own marks around sealing (building the \
             submission, RSA-OAEP-256 wrap for one RSA-3072 key and AES-256-GCM, both in SubtleCrypto, assembling the bundle), \
             not the POST. AES path: {aes}. Range {range} ms. Peak RSS of the renderer over these runs (the \
             baseline for the large attachment's memory row): {}.",
            peak_mb(renderer)
        ),
    }])
}

pub(crate) async fn seal_large(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let size = bench.counts.large_bytes;
    let file = bench.dir.path().join("attachment.pdf");
    std::fs::write(&file, pattern(size))?;
    let server = bench.serve("seal-large")?;
    let mut driver = Driver::start(bench)?;
    let url = server.url(&format!(
        "/?config={SEAL_CONFIG}&pin={}",
        bench.identity.kid()
    ));
    let peak = driver.renderer_peak();
    let seen = driver
        .with_session(async |client: &Client| seal_large_in(client, &url, &file, size, peak).await)
        .await?;
    let renderer = seen.renderer_after_send;
    let renderer_with_reference = driver.last_renderer_peak;
    // What sealing added to the renderer: its peak once sent, less its peak with the form loaded and the file not
    // yet picked. An empty renderer alone is ~11× this file, so the whole peak cannot be the measure.
    let added = renderer
        .zip(seen.renderer_before)
        .map(|(after, before)| after.saturating_sub(before));
    let growth = added.map(|added| added as f64 / size as f64);
    let seal_rate = size as f64 / 1e6 / (seen.seal_ms / 1e3);
    let subtle_rate = size as f64 / 1e6 / (seen.subtle_ms / 1e3);
    let share = seal_rate / subtle_rate;
    Ok(vec![
        Row {
            what: format!("sealing a {} attachment", mb(size as f64)),
            measured: format!("{seal_rate:.0} MB/s ({:.0} ms)", seen.seal_ms),
            reference: format!("SubtleCrypto AES-GCM {subtle_rate:.0} MB/s ({:.0} ms)", seen.subtle_ms),
            goal: format!("≥ {:.0} % of SubtleCrypto", GOAL_SHARE_OF_SUBTLE * 100.0),
            met: Some(share >= GOAL_SHARE_OF_SUBTLE),
            only: "seal-large".into(),
            notes: format!(
                "{:.0} % of SubtleCrypto's throughput. The file is chosen through the file input; the seal time is \
                 the page's marks `seal-start` → `seal-end`: building the submission document, \
                 each part's RSA wrap and AES-GCM in SubtleCrypto (the file from the browser's memory, where it \
                 was read; the ciphertext stays there too) — {:.0} ms to the page's `parts-sealed` mark — then \
                 assembling the bundle: each ciphertext a 1 MB slice at a time into wasm, base64url there, and \
                 into the bundle's buffer — the other {:.0} ms. The bundle's receipt SHA-256 is taken while it is \
                 sent, so it is not in the seal time (SubtleCrypto's SHA-256 over {} took {:.0} ms in the same \
                 page); the file's own SHA-256 was taken by SubtleCrypto when it was picked. The reference is \
                 `crypto.subtle.encrypt` (AES-256-GCM, same AAD) on the same bytes in the same page, median of \
                 5. AES path: {}. While sealing: longest main-thread task {:.0} ms ({} long tasks over 50 ms, \
                 {:.0} ms in all; PerformanceObserver `longtask`), longest gap between painted frames {:.0} ms \
                 (requestAnimationFrame); afterwards, while the receipt is hashed and the bundle sent, the \
                 longest task was {:.0} ms.",
                share * 100.0,
                seen.encrypt_ms,
                seen.seal_ms - seen.encrypt_ms,
                mb((size * 4 / 3) as f64),
                seen.digest_ms,
                seen.aes,
                seen.longest_task_ms,
                seen.long_tasks,
                seen.long_task_total_ms,
                seen.longest_frame_gap_ms,
                seen.longest_task_after_ms,
            ),
        },
        Row {
            what: format!("memory: browser after sealing {}", mb(size as f64)),
            measured: format!(
                "renderer peak +{} ({}), JS heap {}",
                added.map_or_else(|| "?".to_owned(), |added| mb(added as f64)),
                growth.map_or_else(|| "?".to_owned(), |growth| format!("{growth:.1}× the file")),
                mb(seen.heap_used),
            ),
            reference: format!("data {}", mb(size as f64)),
            goal: format!("renderer peak grows ≤ {GOAL_RENDERER_GROWTH:.0}× the file"),
            met: growth.map(|growth| growth <= GOAL_RENDERER_GROWTH),
            only: "seal-large".into(),
            notes: format!(
                "`performance.memory.usedJSHeapSize` (precise) right after `seal-end`: {:.1}× the attachment; \
                 {} after the receipt (sent). That is the JS heap only: the file as read, SubtleCrypto's \
                 ciphertext and the bundle are in it; the wasm linear memory (which holds one 1 MB slice of \
                 ciphertext at a time, and never shrinks) is not. The renderer process's peak RSS (`VmHWM`, read from /proc for the \
                 Chromium this bench started), which includes it: {} with the form loaded and the file not yet \
                 picked; {} once it was picked (read by the browser and hashed); {}{} once the bundle was sealed \
                 and sent, before the reference ran; at the session's end, after the reference's five \
                 encryptions of the same bytes in the same page: {}.",
                seen.heap_used / size as f64,
                mb(seen.heap_after_send),
                peak_mb(seen.renderer_before),
                peak_mb(seen.renderer_after_pick),
                peak_mb(renderer),
                renderer.map_or_else(String::new, |peak| format!(
                    ", {:.1}× the attachment",
                    peak as f64 / size as f64
                )),
                peak_mb(renderer_with_reference),
            ),
        },
    ])
}

/// A renderer peak for a row's notes, or that none was found.
fn peak_mb(peak: Option<u64>) -> String {
    peak.map_or_else(|| "not found".to_owned(), |peak| mb(peak as f64))
}

/// What sealing a large attachment showed.
struct LargeSeal {
    seal_ms: f64,
    subtle_ms: f64,
    /// SubtleCrypto's SHA-256 over as many bytes as the bundle's base64 (what a receipt id costs natively).
    digest_ms: f64,
    aes: String,
    longest_task_ms: f64,
    long_tasks: usize,
    long_task_total_ms: f64,
    longest_frame_gap_ms: f64,
    /// The longest task after sealing, while the receipt id is hashed and the bundle sent.
    longest_task_after_ms: f64,
    /// From `seal-start` to every part encrypted (the rest is assembling the bundle).
    encrypt_ms: f64,
    heap_used: f64,
    heap_after_send: f64,
    /// The renderer's peak RSS with the form loaded, before the file was picked.
    renderer_before: Option<u64>,
    /// The renderer's peak RSS once the file was picked (read and hashed), before sealing.
    renderer_after_pick: Option<u64>,
    /// The renderer's peak RSS once the bundle was sent, before the reference ran in the same page.
    renderer_after_send: Option<u64>,
}

/// The attachment's bytes: a fixed pattern the page can also make, so the reference encrypts the same bytes.
fn pattern(size: usize) -> Vec<u8> {
    (0..size).map(|i| ((i * 31 + 7) % 251) as u8).collect()
}

const OBSERVE: &str = "window.__sf = {tasks: [], frames: []}; \
    new PerformanceObserver(list => { for (const e of list.getEntries()) __sf.tasks.push([e.startTime, e.duration]); }) \
        .observe({type: 'longtask'}); \
    (function frame(t) { __sf.frames.push(t); requestAnimationFrame(frame); })(performance.now()); return true";

/// What the page saw while sealing: tasks overlapping `seal-start`..`seal-end`.
const OBSERVED: &str =
    "const s = performance.getEntriesByName('sealform:seal-start')[0].startTime, \
    e = performance.getEntriesByName('sealform:seal-end')[0].startTime, \
    p = performance.getEntriesByName('sealform:parts-sealed'); \
    const f = __sf.frames.filter(t => t >= s - 100 && t <= e + 100); let gap = 0; \
    for (let i = 1; i < f.length; i++) gap = Math.max(gap, f[i] - f[i - 1]); \
    if (f.length < 2) gap = e - s; \
    const during = __sf.tasks.filter(([t, d]) => t < e && t + d > s).map(([t, d]) => d); \
    return {longest: Math.max(0, ...during), count: during.length, \
        total: during.reduce((a, b) => a + b, 0), gap: gap, \
        encrypt: p.length ? p[0].startTime - s : null, heap: performance.memory.usedJSHeapSize, \
        aes: document.querySelector('.sf-form-root').dataset.aes || ''}";

/// The longest task after sealing, once the receipt is shown: hashing the receipt id and sending.
const AFTER: &str = "const e = performance.getEntriesByName('sealform:seal-end')[0].startTime; \
    return Math.max(0, ...__sf.tasks.filter(([t, d]) => t >= e).map(([t, d]) => d))";

const SUBTLE: &str = "const n = arguments[0], done = arguments[arguments.length - 1]; (async () => { \
    const data = new Uint8Array(n); for (let i = 0; i < n; i++) data[i] = (i * 31 + 7) % 251; \
    const key = await crypto.subtle.generateKey({name: 'AES-GCM', length: 256}, false, ['encrypt']); \
    const aad = new TextEncoder().encode('eyJlbmMiOiJBMjU2R0NNIn0'); const times = []; \
    for (let r = 0; r < 5; r++) { const iv = crypto.getRandomValues(new Uint8Array(12)); \
        const t = performance.now(); \
        await crypto.subtle.encrypt({name: 'AES-GCM', iv, additionalData: aad, tagLength: 128}, key, data); \
        times.push(performance.now() - t); } \
    const bundle = new Uint8Array(Math.ceil(n * 4 / 3)), hashes = []; \
    for (let r = 0; r < 5; r++) { const t = performance.now(); \
        await crypto.subtle.digest('SHA-256', bundle); hashes.push(performance.now() - t); } \
    times.sort((a, b) => a - b); hashes.sort((a, b) => a - b); done([times[2], hashes[2]]); \
    })().catch(e => done('error: ' + e))";

async fn seal_large_in(
    client: &Client,
    url: &str,
    file: &Path,
    size: usize,
    peak: RendererPeak,
) -> anyhow::Result<LargeSeal> {
    client.goto(url).await?;
    wait_for(client, READY, Duration::from_secs(30)).await?;
    let renderer_before = peak.read();
    client.execute(&fill(200), vec![]).await?;
    client
        .find(Locator::Css("#documents"))
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    if let Err(waited) = wait_for(
        client,
        "return document.querySelectorAll('[data-testid=documents-files] li').length > 0",
        Duration::from_secs(60),
    )
    .await
    {
        // The form says why it did not take the file; that is the useful part of the failure.
        let said = client
            .execute(
                "const e = document.getElementById('documents-error'); return e ? e.textContent : null",
                vec![],
            )
            .await?;
        bail!("{waited}; the form said: {said}");
    }
    let renderer_after_pick = peak.read();
    client.execute(OBSERVE, vec![]).await?;
    client.execute(SUBMIT, vec![]).await?;
    let sealed = wait_for(client, SEALED, Duration::from_secs(300)).await?;
    let Some(seal_ms) = sealed.as_f64() else {
        bail!("{sealed}")
    };
    let observed = client.execute(OBSERVED, vec![]).await?;
    let sent = wait_for(client, RECEIPT, Duration::from_secs(300)).await?;
    if sent != json!(true) {
        bail!("the receiver refused the bundle: {sent}");
    }
    let longest_task_after_ms = client
        .execute(AFTER, vec![])
        .await?
        .as_f64()
        .unwrap_or(f64::NAN);
    let heap_after_send = client
        .execute("return performance.memory.usedJSHeapSize", vec![])
        .await?
        .as_f64()
        .unwrap_or(f64::NAN);
    let renderer_after_send = peak.read();
    let subtle = client.execute_async(SUBTLE, vec![json!(size)]).await?;
    let (Some(subtle_ms), Some(digest_ms)) = (subtle[0].as_f64(), subtle[1].as_f64()) else {
        bail!("SubtleCrypto: {subtle}")
    };
    let number = |name: &str| observed[name].as_f64().unwrap_or(f64::NAN);
    Ok(LargeSeal {
        seal_ms,
        subtle_ms,
        digest_ms,
        aes: observed["aes"].as_str().unwrap_or_default().to_owned(),
        longest_task_ms: number("longest"),
        long_tasks: observed["count"].as_u64().unwrap_or(0) as usize,
        long_task_total_ms: number("total"),
        longest_frame_gap_ms: number("gap"),
        longest_task_after_ms,
        encrypt_ms: number("encrypt"),
        heap_used: number("heap"),
        heap_after_send,
        renderer_before,
        renderer_after_pick,
        renderer_after_send,
    })
}

/// chromedriver's log endpoint under the session: `POST session/{id}/se/log` with the log's type.
#[derive(Debug)]
struct ReadLog(&'static str);

impl fantoccini::wd::WebDriverCompatibleCommand for ReadLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": self.0 }).to_string()),
        )
    }
}

/// One request as Chromium's network log tells it.
#[derive(Debug, Default)]
struct Request {
    id: String,
    path: String,
    /// The status on the wire (`responseReceivedExtraInfo`: a revalidation's 304), else the response's.
    status: u64,
    wire_status: Option<u64>,
    /// Answered by the cache without a request.
    cached: bool,
    /// Bytes received on the wire, headers and body as sent (`encodedDataLength`).
    bytes: u64,
}

/// One visit: the requests to the server, in order.
#[derive(Debug, Default)]
struct Visit {
    requests: Vec<Request>,
}

impl Visit {
    /// Reads (and so empties) the session's network log, keeping the requests to `origin` (Chromium's own new-tab
    /// page loads its parts too).
    async fn read(client: &Client, origin: &str) -> anyhow::Result<Self> {
        let entries = client.issue_cmd(ReadLog("performance")).await?;
        let mut requests: Vec<Request> = Vec::new();
        for entry in entries.as_array().into_iter().flatten() {
            let Some(message) = entry["message"]
                .as_str()
                .and_then(|text| serde_json::from_str::<Value>(text).ok())
            else {
                continue;
            };
            let (method, params) = (&message["message"]["method"], &message["message"]["params"]);
            let id = params["requestId"].as_str().unwrap_or_default();
            if method == "Network.requestWillBeSent" {
                let url = params["request"]["url"].as_str().unwrap_or_default();
                if let Some(rest) = url.strip_prefix(origin) {
                    if !requests.iter().any(|r| r.id == id) {
                        requests.push(Request {
                            id: id.to_owned(),
                            path: rest.split('?').next().unwrap_or_default().to_owned(),
                            ..Request::default()
                        });
                    }
                }
                continue;
            }
            let Some(request) = requests.iter_mut().find(|r| r.id == id) else {
                continue;
            };
            match method.as_str() {
                Some("Network.responseReceived") => {
                    request.status = params["response"]["status"].as_u64().unwrap_or_default();
                    request.cached |= params["response"]["fromDiskCache"]
                        .as_bool()
                        .unwrap_or(false)
                        || params["response"]["fromMemoryCache"]
                            .as_bool()
                            .unwrap_or(false);
                }
                Some("Network.responseReceivedExtraInfo") => {
                    request.wire_status = params["statusCode"].as_u64();
                }
                Some("Network.requestServedFromCache") => request.cached = true,
                Some("Network.loadingFinished") => {
                    request.bytes = params["encodedDataLength"].as_f64().unwrap_or_default() as u64;
                }
                _ => {}
            }
        }
        Ok(Self { requests })
    }

    fn bytes(&self) -> u64 {
        self.requests.iter().map(|r| r.bytes).sum()
    }

    /// The requests that went to the server.
    fn sent(&self) -> impl Iterator<Item = &Request> {
        self.requests.iter().filter(|r| !r.cached)
    }

    /// The requests that went to the server, `path status bytes`.
    fn fetched(&self) -> Vec<String> {
        self.sent()
            .map(|r| {
                format!(
                    "`{}` {} {} B",
                    r.path,
                    r.wire_status.unwrap_or(r.status),
                    r.bytes
                )
            })
            .collect()
    }
}

/// Asks for embed.js as the firm's page would (the HTTP cache applies to `fetch` as to `<script src>`), so the
/// visit counts it; the form's page itself is the iframe's document.
const FETCH_EMBED: &str =
    "const done = arguments[0]; fetch('embed.js').then(r => r.text()).then(() => done(true), \
    e => done(String(e)))";

/// Bytes on the wire for a first visit (fresh profile) and a repeat visit (same profile, the page opened again),
/// from Chromium's own network log.
pub(crate) async fn bytes_on_the_wire(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let server = bench.serve("wire")?;
    let mut driver = Driver::start(bench)?;
    driver.network_log = true;
    // Pinned, as a firm's snippet is: unpinned, the form refuses to run.
    let url = server.url(&format!("/?pin={}", bench.identity.kid()));
    let origin = server.url("");
    let (first, repeat) = driver
        .with_session(async |client: &Client| {
            let mut visits = Vec::new();
            for _ in 0..2 {
                client.goto(&url).await?;
                wait_for(client, READY, Duration::from_secs(30)).await?;
                let fetched = client.execute_async(FETCH_EMBED, vec![]).await?;
                if fetched != json!(true) {
                    bail!("fetching embed.js: {fetched}");
                }
                visits.push(Visit::read(client, &origin).await?);
            }
            let repeat = visits.pop().unwrap_or_default();
            Ok((visits.pop().unwrap_or_default(), repeat))
        })
        .await?;
    let kb = |bytes: u64| bytes as f64 / 1000.0;
    let repeat_only_revalidates = repeat
        .sent()
        .all(|r| matches!(r.path.as_str(), "/" | "/config.json" | "/embed.js"));
    Ok(vec![Row {
        what: "bytes on the wire (first visit; repeat visit)".into(),
        measured: format!("{:.1} KB; {:.1} KB", kb(first.bytes()), kb(repeat.bytes())),
        reference: "Chromium's network log (`encodedDataLength`: headers and body as received)".into(),
        goal: "repeat visit fetches only the page, config.json and embed.js".into(),
        met: Some(repeat_only_revalidates),
        only: "wire".into(),
        notes: format!(
            "Headless Chromium on loopback (plain HTTP), the form's page then embed.js as the firm's page would \
             fetch it. First visit, fresh profile: {}. Repeat visit, the page opened again in the same profile: \
             {}; the rest came from the cache without a request. Per request: path, status on the wire, bytes \
             received (headers and body).",
            first.fetched().join(", "),
            repeat.fetched().join(", ")
        ),
    }])
}
