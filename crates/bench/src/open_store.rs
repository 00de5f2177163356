//! `sealform open --store` memory: the peak resident set of opening every bundle of a receiver's store, small and
//! ten times larger, against the small one's bundles opened as files. It must stay flat as the store grows.

use std::path::Path;

use anyhow::bail;
use sealform_core::bundle::{self, seal, ContentId, ReceiptId};
use sealform_core::submission::Attachment;
use sealform_core::{Answer, Answers};
use sealform_store::{NewSubmission, Store};

use crate::machine::cores;
use crate::report::Row;
use crate::setup::{mb, timed, Bench};

/// How many bundles are sealed and stored in one transaction while filling the store.
const BATCH: usize = 10;

pub(crate) fn run(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    // About 200 MB and 2 GB of bundles of an attachment each (quick: 10 MB and 40 MB).
    let (attachment_bytes, small, large) = if bench.counts.quick {
        (750_000, 10, 40)
    } else {
        (3_750_000, 40, 400)
    };
    let sealer = Sealer {
        bench,
        attachment: vec![0x5a; attachment_bytes],
    };
    let store_path = bench.dir.path().join("open-store.db");
    let inbox = bench.dir.path().join("open-store-inbox");
    std::fs::create_dir_all(&inbox)?;
    let mut store = Store::open(&store_path)?;

    let small_bytes = sealer.fill(&mut store, 0..small, Some(&inbox))?;
    let (_, files_peak) = open_peak(bench, &[inbox.as_os_str()], small)?;
    let (small_seconds, small_peak) = open_peak(bench, &store_args(&store_path), small)?;
    let large_bytes = small_bytes + sealer.fill(&mut store, small..large, None)?;
    drop(store);
    let (large_seconds, large_peak) = open_peak(bench, &store_args(&store_path), large)?;

    // Flat: many times the bundles may not cost more than a quarter more memory.
    let flat = large_peak as f64 <= 1.25 * small_peak as f64;
    Ok(vec![Row {
        what: format!(
            "memory: `sealform open --store` peak RSS ({} / {} stored)",
            mb(small_bytes as f64),
            mb(large_bytes as f64)
        ),
        measured: format!("{} / {}", mb(small_peak as f64), mb(large_peak as f64)),
        reference: format!(
            "the {} as files: {}",
            mb(small_bytes as f64),
            mb(files_peak as f64)
        ),
        goal: format!("flat (≤ 1.25× as the store grows {}×)", large / small),
        met: Some(flat),
        only: "open-store".into(),
        notes: format!(
            "`/usr/bin/time` maximum resident set size of `sealform open --key K --store STORE.db > /dev/null` on \
             {small} and then {large} stored bundles of one {} attachment each: {small_seconds:.2} s and \
             {large_seconds:.2} s wall ({:.0} MB/s). The store is listed by receipt and each bundle read when its \
             chunk ({} at a time, 4 per core) is opened, as files are, so the peak follows the chunk, not the \
             store. The reference opens the first {small} bundles saved as files in a folder.",
            mb(attachment_bytes as f64),
            large_bytes as f64 / 1e6 / large_seconds,
            cores() * 4
        ),
    }])
}

/// Seals the bench's bundles with one attachment each.
struct Sealer<'a> {
    bench: &'a Bench,
    attachment: Vec<u8>,
}

impl Sealer<'_> {
    /// Seals bundles `numbers` and stores them, [`BATCH`] to a transaction, also writing each into `inbox` if
    /// given; returns the bytes stored.
    fn fill(
        &self,
        store: &mut Store,
        numbers: std::ops::Range<usize>,
        inbox: Option<&Path>,
    ) -> anyhow::Result<u64> {
        let mut total = 0;
        let numbers: Vec<usize> = numbers.collect();
        for batch in numbers.chunks(BATCH) {
            let bundles = batch
                .iter()
                .map(|&i| self.bundle(i))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let receipts: Vec<ReceiptId> = bundles.iter().map(|b| ReceiptId::of(b)).collect();
            let contents = bundles
                .iter()
                .map(|b| Ok(bundle::inspect(b)?.content))
                .collect::<anyhow::Result<Vec<ContentId>>>()?;
            let now = time::OffsetDateTime::now_utc();
            let new: Vec<NewSubmission<'_>> = bundles
                .iter()
                .zip(receipts.iter().zip(&contents))
                .map(|(bundle, (receipt, content))| NewSubmission {
                    receipt,
                    content,
                    bundle,
                    received_at: now,
                })
                .collect();
            store.insert_all(&new)?;
            for (&i, bundle) in batch.iter().zip(&bundles) {
                total += bundle.len() as u64;
                if let Some(inbox) = inbox {
                    std::fs::write(inbox.join(format!("{i:05}.bundle")), bundle)?;
                }
            }
        }
        Ok(total)
    }

    /// Bundle number `i`: the legal-intake form's answers with one attachment, sealed for the bench key.
    fn bundle(&self, i: usize) -> anyhow::Result<Vec<u8>> {
        let mut answers = Answers::default();
        answers.insert("full_name", Answer::Text(format!("Stored client {i}")));
        let attachment = Attachment {
            field: "documents_upload".into(),
            name: format!("evidence-{i}.pdf"),
            media_type: "application/pdf".into(),
            bytes: self.attachment.clone(),
        };
        let attachment = [attachment];
        let submission = sealform_testkit::legal_intake_submission(
            answers,
            &attachment,
            &format!("00000000-0000-4000-8000-{i:012}"),
        );
        Ok(seal(
            &[self.bench.identity.recipient().clone()],
            &submission,
            &attachment,
        )?
        .bytes)
    }
}

fn store_args(store: &Path) -> [&std::ffi::OsStr; 2] {
    ["--store".as_ref(), store.as_os_str()]
}

/// Runs `sealform open --key K ARGS > /dev/null`, which must open `expected` bundles: wall seconds and peak RSS
/// in bytes.
fn open_peak(
    bench: &Bench,
    args: &[&std::ffi::OsStr],
    expected: usize,
) -> anyhow::Result<(f64, u64)> {
    let mut command: Vec<&std::ffi::OsStr> = vec![
        bench.sealform.as_os_str(),
        "open".as_ref(),
        "--key".as_ref(),
        bench.key_path.as_os_str(),
    ];
    command.extend_from_slice(args);
    let run = timed(bench, &command)?;
    let opened = run.stderr.matches("Opened ").count();
    if !run.status.success() || opened != expected {
        bail!(
            "sealform open opened {opened} of {expected} bundles ({}): {}",
            run.status,
            run.stderr.lines().last().unwrap_or_default()
        );
    }
    Ok((run.seconds, run.peak_rss))
}
