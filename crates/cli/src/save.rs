//! A receipt folder: where `sealform open --out DIR` puts one opened submission — `DIR/<date>_<receipt>/` with
//! `submission.json`, `consent.json`, `summary.md`, `summary.html` and `attachments/`. A folder is filled under a
//! hidden name and renamed when complete, so a receipt folder is never half written.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sealform_core::bundle::Opened;

use crate::files::{self, PRIVATE_FILE};
use crate::summary::Summary;

/// The verified answers document.
pub(crate) const SUBMISSION_FILE: &str = "submission.json";
/// The consent record, on its own: what the firm shows when asked what a client agreed to.
const CONSENT_FILE: &str = "consent.json";
/// The readable summaries.
const SUMMARY_MD: &str = "summary.md";
const SUMMARY_HTML: &str = "summary.html";
/// The folder, inside a receipt folder, that holds the attachments.
pub(crate) const ATTACHMENTS_DIR: &str = "attachments";

/// The receipt folders already in `out`, by short receipt id, so that a bundle already opened is skipped before any
/// RSA work. Folders are named `<date>_<short receipt>` (or the bare short receipt, as earlier versions did).
pub(crate) fn existing_folders(out: &Path) -> io::Result<HashMap<String, PathBuf>> {
    let mut by_receipt = HashMap::new();
    for entry in fs::read_dir(out)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.file_type()?.is_dir() {
            continue;
        }
        let receipt = name.rsplit('_').next().unwrap_or_default();
        if looks_like_short_receipt(receipt) {
            by_receipt.insert(receipt.to_owned(), entry.path());
        }
    }
    Ok(by_receipt)
}

/// `ABCD-EFGH-JKLM-NPQR`: four groups of four base32 characters.
fn looks_like_short_receipt(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 4
        && groups.iter().all(|group| {
            group.len() == 4
                && group
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        })
}

/// The receipt folder's name: the day (`YYYY-MM-DD`, or `undated`) and the short receipt id.
pub(crate) fn folder_name(date: Option<time::Date>, opened: &Opened) -> String {
    let day = date.map_or_else(|| "undated".to_owned(), |date| date.to_string());
    format!("{day}_{}", opened.receipt.short())
}

/// What was written for one submission.
#[derive(Debug)]
pub(crate) struct Saved {
    /// The receipt folder.
    pub(crate) folder: PathBuf,
    /// Attachments whose names had to change: (name the client gave, name saved under).
    pub(crate) renamed: Vec<(String, String)>,
}

/// A receipt folder written in full (every file fsynced) under a hidden name beside its final place, waiting to be
/// renamed into it. Staging is the slow part — it waits for the disk — so `sealform open` stages on every core and
/// only publishes in input order. Dropped unpublished, the hidden folder is removed.
#[derive(Debug)]
pub(crate) struct Staged {
    staging: PathBuf,
    target: PathBuf,
    saved_names: Vec<String>,
}

/// Writes the receipt folder for `summary.opened` under a hidden name in `out`, to be published as `out/name`.
pub(crate) fn stage(out: &Path, name: &str, summary: &Summary<'_>) -> io::Result<Staged> {
    // Distinct per call, so the same bundle given twice in one batch can be staged twice at once.
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let staging = out.join(format!(
        ".{name}.partial-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    files::create_private_dir(&staging)?;
    let mut staged = Staged {
        staging,
        target: out.join(name),
        saved_names: Vec::new(),
    };
    // On an error `staged` is dropped, which removes the folder created just above (never anything else).
    staged.saved_names = fill(&staged.staging, summary)?;
    Ok(staged)
}

impl Staged {
    /// Renames the folder into place, replacing `previous` (an earlier receipt folder for the same bundle, with
    /// `--again`) only now that the new one is complete.
    pub(crate) fn publish(self, opened: &Opened, previous: Option<&Path>) -> io::Result<Saved> {
        put_in_place(&self.staging, &self.target, previous)?;
        let renamed = opened
            .attachments
            .iter()
            .zip(&self.saved_names)
            .filter(|(attachment, saved)| attachment.name != **saved)
            .map(|(attachment, saved)| (attachment.name.clone(), saved.clone()))
            .collect();
        Ok(Saved {
            folder: self.target.clone(),
            renamed,
        })
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // After a successful publish the hidden name no longer exists and this does nothing.
        let _ = fs::remove_dir_all(&self.staging);
    }
}

/// Moves the finished folder to `target`; an earlier folder for the same receipt is moved aside first and removed
/// only after, so a failure leaves the old one.
fn put_in_place(staging: &Path, target: &Path, previous: Option<&Path>) -> io::Result<()> {
    let Some(previous) = previous else {
        return fs::rename(staging, target);
    };
    let name = previous.file_name().unwrap_or_default().to_string_lossy();
    let aside = previous.with_file_name(format!(".{name}.replaced-{}", std::process::id()));
    fs::rename(previous, &aside)?;
    if let Err(e) = fs::rename(staging, target) {
        let _ = fs::rename(&aside, previous);
        return Err(e);
    }
    fs::remove_dir_all(&aside)
}

/// Writes every file of a receipt folder into `dir`; returns the attachments' saved names, in bundle order.
fn fill(dir: &Path, summary: &Summary<'_>) -> io::Result<Vec<String>> {
    let opened = summary.opened;
    let submission = &opened.submission;
    write_json(&dir.join(SUBMISSION_FILE), submission)?;
    write_json(&dir.join(CONSENT_FILE), &submission.consent)?;
    let saved_names = save_attachments(dir, opened)?;
    let markdown = summary.markdown(&saved_names);
    files::write_new(&dir.join(SUMMARY_MD), markdown.as_bytes(), PRIVATE_FILE)?;
    let html = summary.html(&saved_names);
    files::write_new(&dir.join(SUMMARY_HTML), html.as_bytes(), PRIVATE_FILE)?;
    Ok(saved_names)
}

/// Writes the attachments under safe, distinct names in `dir/attachments/`.
fn save_attachments(dir: &Path, opened: &Opened) -> io::Result<Vec<String>> {
    if opened.attachments.is_empty() {
        return Ok(Vec::new());
    }
    let attachments_dir = dir.join(ATTACHMENTS_DIR);
    files::create_private_dir(&attachments_dir)?;
    let mut saved_names = Vec::new();
    for (index, attachment) in opened.attachments.iter().enumerate() {
        let safe = files::safe_file_name(&attachment.name)
            .unwrap_or_else(|| format!("attachment-{}", index + 1));
        let written =
            files::write_unique(&attachments_dir, &safe, &attachment.bytes, PRIVATE_FILE)?;
        saved_names.push(
            written
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
        );
    }
    Ok(saved_names)
}

/// Writes `value` as pretty JSON ending with a line break, only readable by the owner.
fn write_json(path: &Path, value: &impl serde::Serialize) -> io::Result<()> {
    files::write_new(path, pretty_json(value).as_bytes(), PRIVATE_FILE)
}

/// `value` as pretty JSON ending with a line break.
pub(crate) fn pretty_json(value: &impl serde::Serialize) -> String {
    // Structs of strings, numbers and maps: serialising them cannot fail.
    let json = serde_json::to_string_pretty(value).unwrap_or_default();
    format!("{json}\n")
}

#[cfg(test)]
mod tests {
    use super::looks_like_short_receipt;

    #[test]
    fn receipt_folders_are_recognised() {
        assert!(looks_like_short_receipt("XJ4B-NP4P-AHH6-UQKB"));
        assert!(!looks_like_short_receipt("XJ4B-NP4P-AHH6"));
        assert!(!looks_like_short_receipt("xj4b-np4p-ahh6-uqkb"));
        assert!(!looks_like_short_receipt("XJ4B-NP4P-AHH6-UQK1"));
    }
}
