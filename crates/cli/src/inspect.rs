//! `sealform inspect`: what anyone can see of a bundle without a key — its receipt id, format version, the keys
//! it is sealed for and its sizes — one block per file. Useful to match a bundle to a client's receipt.

use std::fmt::Write as _;

use sealform_core::bundle::{self, Inspection};
use sealform_core::key::Kid;

use crate::cli::InspectArgs;
use crate::error::{self, Error, Exit};
use crate::files;
use crate::input::{Input, MaxBundle, Reader};
use crate::revalidate::Schemas;

/// Runs `sealform inspect`.
pub(crate) fn run(args: InspectArgs) -> Result<Exit, Error> {
    files::check_stdin_once(&args.files)?;
    let max_bundle = MaxBundle::new(
        args.max_bundle_bytes,
        Schemas::load(&[])?.max_bundle_bytes(),
    );
    let reader = Reader::new(max_bundle, None);
    let mut failures = 0;
    let mut shown = 0;
    let mut documents = Vec::new();
    for path in &args.files {
        let name = files::display_name(path);
        let input = if files::is_stdin(path) {
            Input::Stdin
        } else {
            Input::File(path.clone())
        };
        let inspected = reader
            .read(&input)
            .map_err(|e| e.describe(&name))
            .and_then(|read| {
                bundle::inspect(&read.bytes).map_err(|e| error::describe_bundle_error(&name, &e))
            });
        match inspected {
            Ok(inspection) if args.json => documents.push(json(&name, &inspection)),
            // Text blocks are printed as they come, so a long list shows progress.
            Ok(inspection) => {
                let separator = if shown == 0 { "" } else { "\n" };
                crate::print(&format!("{separator}{}", describe(&name, &inspection)))?;
                shown += 1;
            }
            Err(message) => {
                error::report(&message);
                if args.json {
                    documents.push(serde_json::json!({ "file": name, "error": message }));
                }
                failures += 1;
            }
        }
    }
    if args.json {
        let json = serde_json::to_string_pretty(&documents).unwrap_or_default();
        crate::print_json(&format!("{json}\n"))?;
    }
    Ok(Exit::from_failures(failures))
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
