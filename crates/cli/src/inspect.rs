//! `sealform inspect`: what anyone can see of a bundle without a key — its receipt id, format version, the keys
//! it is sealed for and its sizes — one block per file. Useful to match a bundle to a client's receipt.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sealform_core::bundle::{self, Inspection};
use sealform_core::key::Kid;

use crate::cli::InspectArgs;
use crate::error::{self, Error, Exit};
use crate::files;
use crate::input::{self, MaxBundle, Reader};
use crate::revalidate::Schemas;
use crate::stored::store_location;

/// Runs `sealform inspect`.
pub(crate) fn run(args: InspectArgs) -> Result<Exit, Error> {
    // A postgres:// store's password comes from PGPASSFILE or ~/.pgpass, as for `psql`.
    let location = args
        .store
        .as_deref()
        .map(|store| store_location(store, None))
        .transpose()?;
    let (inputs, store) = input::gather(&args.files, args.recursive, location.as_ref())?;
    let max_bundle = MaxBundle::new(
        args.max_bundle_bytes,
        Schemas::load(&[])?.max_bundle_bytes(),
    );
    let reader = Reader::new(max_bundle, store);
    let mut failures = 0;
    let mut shown = 0;
    let mut documents = Vec::new();
    let mut needs = KeyNeeds::default();
    for input in &inputs {
        let name = input.name();
        let inspected = reader
            .read(input)
            .map_err(|e| e.describe(&name))
            .and_then(|read| {
                bundle::inspect(&read.bytes).map_err(|e| error::describe_bundle_error(&name, &e))
            });
        match inspected {
            Ok(inspection) if args.kids => needs.add(&inspection.recipients),
            Ok(inspection) if args.json => documents.push(json(&name, &inspection)),
            // Text blocks are printed as they come, so a long list shows progress.
            Ok(inspection) => {
                let separator = if shown == 0 { "" } else { "\n" };
                crate::print(&format!("{separator}{}", describe(&name, &inspection)))?;
                shown += 1;
            }
            Err(message) => {
                error::report(&message);
                if args.json && !args.kids {
                    documents.push(serde_json::json!({ "file": name, "error": message }));
                }
                failures += 1;
            }
        }
    }
    if args.kids {
        needs.failed = failures;
        if args.json {
            let json = serde_json::to_string_pretty(&needs.json()).unwrap_or_default();
            crate::print_json(&format!("{json}\n"))?;
        } else {
            crate::print(&needs.describe())?;
        }
    } else if args.json {
        let json = serde_json::to_string_pretty(&documents).unwrap_or_default();
        crate::print_json(&format!("{json}\n"))?;
    }
    Ok(Exit::from_failures(failures))
}

/// Which keys the inspected bundles are sealed for, together: what tells whether an old key is still needed.
#[derive(Debug, Default)]
struct KeyNeeds {
    /// Bundles by the set of keys they are sealed for (in the order core gives them, sorted).
    groups: BTreeMap<Vec<Kid>, usize>,
    /// Files that could not be inspected (named on standard error as they were met).
    failed: usize,
}

impl KeyNeeds {
    fn add(&mut self, kids: &[Kid]) {
        let mut kids = kids.to_vec();
        kids.sort();
        *self.groups.entry(kids).or_default() += 1;
    }

    /// Each key: the bundles sealed to it, and those sealed to it alone; most bundles first.
    fn per_kid(&self) -> Vec<(&Kid, usize, usize)> {
        let mut kids: BTreeMap<&Kid, (usize, usize)> = BTreeMap::new();
        for (group, &count) in &self.groups {
            for kid in group {
                let entry = kids.entry(kid).or_default();
                entry.0 += count;
                if group.len() == 1 {
                    entry.1 += count;
                }
            }
        }
        let mut list: Vec<_> = kids
            .into_iter()
            .map(|(kid, (all, only))| (kid, all, only))
            .collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        list
    }

    fn bundles(&self) -> usize {
        self.groups.values().sum()
    }

    fn json(&self) -> serde_json::Value {
        let kids: Vec<_> = self
            .per_kid()
            .into_iter()
            .map(|(kid, all, only)| {
                serde_json::json!({ "kid": kid.as_str(), "bundles": all, "only_key_for": only })
            })
            .collect();
        let groups: Vec<_> = self
            .groups
            .iter()
            .map(|(group, count)| {
                let kids: Vec<&str> = group.iter().map(Kid::as_str).collect();
                serde_json::json!({ "kids": kids, "bundles": count })
            })
            .collect();
        serde_json::json!({
            "bundles": self.bundles(),
            "failed": self.failed,
            "kids": kids,
            "sealed_for": groups,
        })
    }

    fn describe(&self) -> String {
        let mut text = format!(
            "{} sealed for {} {}:\n",
            count(self.bundles(), "bundle"),
            self.per_kid().len(),
            if self.per_kid().len() == 1 {
                "key"
            } else {
                "keys"
            }
        );
        for (kid, all, only) in self.per_kid() {
            let _ = writeln!(
                text,
                "  {kid}  {}, {only} sealed to it alone",
                count(all, "bundle")
            );
        }
        text.push_str("\nSealed for together:\n");
        for (group, &bundles) in &self.groups {
            let kids: Vec<&str> = group.iter().map(Kid::short).collect();
            let _ = writeln!(
                text,
                "  {:>13}  {}",
                count(bundles, "bundle"),
                kids.join(" + ")
            );
        }
        text.push_str(
            "\nA key can be retired once every bundle still to be opened is sealed to another key you keep.\n",
        );
        text
    }
}

/// "1 bundle", "3 bundles".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// One file as a JSON object, for scripts: the same facts as the text, each part with the keys it is sealed for.
fn json(name: &str, inspection: &Inspection) -> serde_json::Value {
    let kids: Vec<&str> = inspection.recipients.iter().map(Kid::as_str).collect();
    // Every part is sealed for the same keys (checked by inspect), but listing them per part is what a script
    // comparing against a key list expects to find.
    let part = |name: String, size: usize| serde_json::json!({ "part": name, "size": size, "sealed_for": kids });
    let parts: Vec<_> = std::iter::once(part("submission".to_owned(), inspection.submission_len))
        .chain(
            inspection
                .attachment_lens
                .iter()
                .enumerate()
                .map(|(i, &len)| part(format!("attachment {}", i + 1), len)),
        )
        .collect();
    serde_json::json!({
        "file": name,
        "receipt": inspection.receipt.short(),
        "receipt_id": inspection.receipt.full(),
        "format_version": inspection.version,
        "size": inspection.bundle_len,
        "attachments": inspection.attachment_lens.len(),
        "parts": parts,
    })
}

/// One block of text: the file name, then indented facts.
fn describe(name: &str, inspection: &Inspection) -> String {
    let mut text = format!("{name}\n");
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(text, "  {label:<13}{value}");
    };
    line("receipt:", &inspection.receipt.short());
    line("receipt id:", &inspection.receipt.full());
    line("format:", &format!("version {}", inspection.version));
    // Every part is sealed for the same keys: inspect refuses a bundle whose parts disagree.
    for (i, kid) in inspection.recipients.iter().enumerate() {
        line(if i == 0 { "sealed for:" } else { "" }, kid.as_str());
    }
    line("size:", &bytes(inspection.bundle_len));
    line("submission:", &bytes(inspection.submission_len));
    let attachments = match inspection.attachment_lens.as_slice() {
        [] => "none".to_owned(),
        lens => format!(
            "{} ({})",
            lens.len(),
            lens.iter()
                .map(|&len| bytes(len))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    line("attachments:", &attachments);
    text
}

/// A size as [`files::bytes`] writes it.
fn bytes(count: usize) -> String {
    files::bytes(count as u64)
}
