//! The receiver on PostgreSQL: one, then two `sealform serve` processes sharing one database in a throwaway
//! cluster on this machine, under the same load as the SQLite row beside them. Checks that the database holds
//! exactly as many bundles as were answered 201.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use sealform_pgcluster::Cluster;
use sealform_store::Location;

use crate::receiver_load::{load, ran_out_note, summarize, Load, BUNDLES_PER_SECOND, CONNECTIONS};
use crate::report::Row;
use crate::setup::{mb, percentile, Bench};

/// Receiver counts measured, each on a fresh database.
const RECEIVERS: [usize; 2] = [1, 2];

pub(crate) async fn run(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let cluster = Cluster::start().context("starting a throwaway PostgreSQL cluster")?;
    let seconds = bench.counts.load_seconds;
    let mut rows = Vec::new();
    for receivers in RECEIVERS {
        let bundles = Arc::new(bench.bundles(BUNDLES_PER_SECOND * seconds as usize)?);
        let bundle_bytes = bundles.first().map_or(0, Vec::len);
        let url = cluster.create_database(&format!("bench{receivers}"))?;
        let extra = [
            "--store-password-file".to_owned(),
            cluster.password_file().display().to_string(),
        ];
        let servers = (0..receivers)
            .map(|i| {
                bench.serve_store(
                    &format!("receiver-postgres-{receivers}-{i}"),
                    PathBuf::from(&url),
                    &extra,
                )
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let urls: Vec<String> = servers
            .iter()
            .map(|server| server.url("/api/submissions"))
            .collect();
        let Load {
            mut total,
            elapsed,
            ran_out,
        } = load(&urls, &bundles, seconds).await?;
        let peak = servers
            .iter()
            .filter_map(|server| server.peak_rss())
            .max()
            .unwrap_or(0);
        drop(servers);
        let location = Location::from_arg(url.as_ref())?
            .with_password_file(Some(cluster.password_file().into()))?;
        let stored = sealform_store::open_read_only(&location)
            .await
            .context("opening the PostgreSQL store read-only")?
            .count()
            .await?;
        let rate = total.created as f64 / elapsed;
        let p50 = percentile(&mut total.latencies_ms, 50.0);
        let p99 = percentile(&mut total.latencies_ms, 99.0);
        let consistent = stored == total.created as u64;
        let sent = total.latencies_ms.len() + total.errors;
        rows.push(Row {
            what: format!(
                "receiver on PostgreSQL, {receivers} receiver{} ({CONNECTIONS} connections, durable)",
                if receivers == 1 { "" } else { "s" }
            ),
            measured: format!("{rate:.0}/s, p99 {p99:.1} ms"),
            reference: format!("store holds {stored}, 201s {}", total.created),
            goal: "reported; equal".into(),
            met: Some(consistent),
            only: "receiver-postgres".into(),
            notes: format!(
                "{sent} POSTs of distinct {bundle_bytes}-byte bundles in {elapsed:.1} s, the load generator's \
                 connections spread evenly over {receivers} `sealform serve` process{} sharing one database of a \
                 PostgreSQL 15 cluster on the same machine (initdb defaults, fsync on; every session \
                 synchronous_commit = on). Latency p50 {p50:.1} ms, p99 {p99:.1} ms; peak RSS of a receiver {}. \
                 201: {}, other statuses: {}, transport errors: {}{}. Each receiver group-commits its queue in \
                 one transaction; receivers take turns under one advisory lock, so arrival numbers follow commit \
                 order.",
                if receivers == 1 { "" } else { "es" },
                mb(peak as f64),
                total.created,
                summarize(&total.other),
                total.errors,
                ran_out_note(ran_out, bundles.len(), seconds)
            ),
        });
    }
    Ok(rows)
}
