//! The receiver under load: the real `sealform serve` on loopback, a load generator posting distinct 8 KB-answer
//! bundles from many connections for a fixed time, every 201 a durable commit (WAL, synchronous=FULL). Checks that
//! the store holds exactly as many bundles as were answered 201.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use sealform_core::protocol::BUNDLE_MEDIA_TYPE;

use crate::report::Row;
use crate::setup::{mb, percentile, Bench, Server};

/// Clients posting at once.
pub(crate) const CONNECTIONS: usize = 64;
/// Goals: submissions per second, and the 99th-percentile latency.
const GOAL_RATE: f64 = 1000.0;
const GOAL_P99_MS: f64 = 50.0;

/// What one client saw.
#[derive(Default)]
pub(crate) struct Tally {
    pub created: usize,
    pub other: Vec<u16>,
    pub errors: usize,
    pub latencies_ms: Vec<f64>,
}

pub(crate) async fn run(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let seconds = bench.counts.load_seconds;
    let bundles = Arc::new(bench.bundles(BUNDLES_PER_SECOND * seconds as usize)?);
    let bundle_bytes = bundles.first().map_or(0, Vec::len);
    let server = bench.serve("receiver")?;
    let load = load(&[server.url("/api/submissions")], &bundles, seconds).await?;
    let Load {
        mut total,
        elapsed,
        ran_out,
    } = load;
    let (peak, stored) = stop(server)?;
    let sent = total.latencies_ms.len() + total.errors;
    let rate = total.created as f64 / elapsed;
    let p50 = percentile(&mut total.latencies_ms, 50.0);
    let p99 = percentile(&mut total.latencies_ms, 99.0);
    let consistent = stored == total.created as u64;
    Ok(vec![
        Row {
            what: format!("receiver ({CONNECTIONS} connections, durable)"),
            measured: format!("{rate:.0}/s, p99 {p99:.1} ms"),
            reference: format!("store holds {stored}, 201s {}", total.created),
            goal: format!("≥ {GOAL_RATE:.0}/s, p99 < {GOAL_P99_MS:.0} ms, equal"),
            met: Some(rate >= GOAL_RATE && p99 < GOAL_P99_MS && consistent),
            only: "receiver".into(),
            notes: format!(
                "{sent} POSTs of distinct {bundle_bytes}-byte bundles (8 KB of answers) in {elapsed:.1} s from a \
                 Rust load generator (reqwest, {CONNECTIONS} keep-alive connections) on the same machine — it \
                 competes with the receiver for the same cores. Latency p50 {p50:.1} ms, p99 {p99:.1} ms. \
                 201: {}, other statuses: {}, transport errors: {}{}. Every 201 is a committed, fsynced SQLite \
                 transaction (group commit).",
                total.created,
                summarize(&total.other),
                total.errors,
                ran_out_note(ran_out, bundles.len(), seconds)
            ),
        },
        Row {
            what: "memory: receiver peak RSS under load".into(),
            measured: mb(peak as f64),
            reference: format!("{CONNECTIONS} × {bundle_bytes} B in flight"),
            goal: "reported".into(),
            met: None,
            only: "receiver".into(),
            notes: "VmHWM of the `sealform serve` process after the load. The receiver buffers each body whole \
                    (up to the body limit) and queues up to 4,096 bundles or 64 MiB for the writer; with small \
                    bundles the figure is mostly the binary, tokio's threads and SQLite's page cache."
                .into(),
        },
    ])
}

/// Distinct bundles prepared per second of load: a receiver faster than that sends them all early (and it is
/// reported).
pub(crate) const BUNDLES_PER_SECOND: usize = 4000;

/// What a load run saw, all clients together.
pub(crate) struct Load {
    pub total: Tally,
    pub elapsed: f64,
    /// Whether every prepared bundle was sent before the time was up.
    pub ran_out: bool,
}

/// Posts distinct `bundles` from [`CONNECTIONS`] clients for `seconds`, client `c` to `urls[c % urls.len()]`.
pub(crate) async fn load(
    urls: &[String],
    bundles: &Arc<Vec<Vec<u8>>>,
    seconds: u64,
) -> anyhow::Result<Load> {
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|c| {
            let (client, url, next, bundles) = (
                client.clone(),
                urls[c % urls.len()].clone(),
                next.clone(),
                bundles.clone(),
            );
            tokio::spawn(async move {
                let mut tally = Tally::default();
                while Instant::now() < deadline {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(bundle) = bundles.get(i) else { break };
                    let sent = Instant::now();
                    let response = post(&client, &url, bundle).await;
                    match response {
                        Ok(response) => {
                            let status = response.status().as_u16();
                            let _ = response.bytes().await;
                            tally.latencies_ms.push(sent.elapsed().as_secs_f64() * 1e3);
                            if status == 201 {
                                tally.created += 1;
                            } else {
                                tally.other.push(status);
                            }
                        }
                        Err(_) => tally.errors += 1,
                    }
                }
                tally
            })
        })
        .collect();
    let mut total = Tally::default();
    for task in tasks {
        let tally = task.await?;
        total.created += tally.created;
        total.other.extend(tally.other);
        total.errors += tally.errors;
        total.latencies_ms.extend(tally.latencies_ms);
    }
    Ok(Load {
        total,
        elapsed: started.elapsed().as_secs_f64(),
        ran_out: next.load(Ordering::Relaxed) >= bundles.len(),
    })
}

/// Largest uploads sent at once by the memory row.
const LARGE_UPLOADS: usize = 16;
/// How often one large upload is sent again after a 503 or a dropped connection before the row gives up on it.
const LARGE_TRIES: usize = 30;

/// The receiver's memory with [`LARGE_UPLOADS`] bundles of the form's largest attachment arriving at once: each is
/// sent again after a 503 (the in-flight budget is full) until it is stored, as the form does.
pub(crate) async fn large_uploads(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let attachment = bench.counts.large_bytes;
    let bundles = bench.large_bundles(LARGE_UPLOADS, attachment)?;
    let body = bundles.first().map_or(0, Vec::len);
    let server = bench.serve("receiver-large")?;
    let url = server.url("/api/submissions");
    let idle = server.rss().unwrap_or(0);
    let client = reqwest::Client::new();
    let started = Instant::now();
    let tasks: Vec<_> = bundles
        .into_iter()
        .map(|bundle| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let mut refused = 0;
                for _ in 0..LARGE_TRIES {
                    let response = post(&client, &url, &bundle).await;
                    match response.map(|r| r.status().as_u16()) {
                        Ok(201) => return (true, refused),
                        // Refused unread (503), or cut off while sending: wait as the form does, then again.
                        Ok(503) | Err(_) => refused += 1,
                        Ok(_) => return (false, refused),
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                (false, refused)
            })
        })
        .collect();
    let (mut stored_ok, mut refusals) = (0, 0);
    for task in tasks {
        let (ok, refused) = task.await?;
        stored_ok += usize::from(ok);
        refusals += refused;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (peak, stored) = stop(server)?;
    Ok(vec![Row {
        what: format!("memory: receiver peak RSS, {LARGE_UPLOADS} largest uploads at once"),
        measured: mb(peak as f64),
        reference: format!("idle {}, bodies {LARGE_UPLOADS} × {}", mb(idle as f64), mb(body as f64)),
        goal: "reported".into(),
        met: None,
        only: "receiver-large".into(),
        notes: format!(
            "VmHWM of `sealform serve` (its default in-flight body budget, --max-body 64 MiB) while \
             {LARGE_UPLOADS} clients each post a distinct bundle with a {attachment}-byte attachment at once, \
             sending it again a second after a 503 or a dropped connection: {stored_ok} of {LARGE_UPLOADS} \
             stored (the store holds {stored}) in {elapsed:.1} s, after {refusals} refusals."
        ),
    }])
}

/// Stops the receiver: its peak RSS, and how many bundles its store holds.
fn stop(server: Server) -> anyhow::Result<(u64, u64)> {
    let peak = server.peak_rss().unwrap_or(0);
    let stored = sealform_store::Store::open_read_only(&server.store)
        .context("opening the store read-only")?
        .count()?;
    drop(server);
    Ok((peak, stored))
}

/// POSTs `bundle` as the form does.
pub(crate) async fn post(
    client: &reqwest::Client,
    url: &str,
    bundle: &[u8],
) -> reqwest::Result<reqwest::Response> {
    client
        .post(url)
        .header("content-type", BUNDLE_MEDIA_TYPE)
        .body(bundle.to_vec())
        .send()
        .await
}

/// "none", or each status with its count.
pub(crate) fn summarize(statuses: &[u16]) -> String {
    if statuses.is_empty() {
        return "none".into();
    }
    let mut counts = std::collections::BTreeMap::new();
    for status in statuses {
        *counts.entry(status).or_insert(0usize) += 1;
    }
    counts
        .iter()
        .map(|(status, count)| format!("{status} × {count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The note's ending when the load generator sent every prepared bundle before its time was up (the figure is then
/// for fewer seconds of load than asked).
pub(crate) fn ran_out_note(ran_out: bool, prepared: usize, seconds: u64) -> String {
    if ran_out {
        format!("; all {prepared} prepared bundles were sent before the {seconds} s were up")
    } else {
        String::new()
    }
}
