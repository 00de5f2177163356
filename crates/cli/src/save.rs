//! A receipt folder: where `sealform open --out DIR` puts one opened submission — `DIR/<date>_<receipt>/` with
//! `submission.json`, `consent.json`, `summary.md`, `summary.html` and `attachments/`. A folder is filled under a
//! hidden name and renamed only once it is complete and on the disk, so a receipt folder is never half written.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use sealform_core::bundle::Opened;

use crate::files::{self, Fsync, PRIVATE_FILE};
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

/// How staged files reach the disk. On Linux, not one by one: a whole batch of receipt folders is made durable by
/// one `syncfs(2)` ([`OutDir::flush_staged`]), where an fsync per file made `sealform open --out` wait on the disk
/// four times a bundle (docs/BENCHMARKS.md, "CLI open rate, saving"). Elsewhere there is no such call, so every
/// file, and the folders holding them, is fsynced as it is written.
const STAGED_FSYNC: Fsync = if cfg!(target_os = "linux") {
    Fsync::Later
} else {
    Fsync::Now
};

/// The folder receipt folders are saved in (`--out`), held open for the whole run. Saving a batch takes four
/// steps: [`OutDir::stage`] each folder under a hidden name, [`OutDir::flush_staged`] once, [`Staged::publish`]
/// each in order, [`OutDir::flush_names`] once; only then is the batch saved. A crash at any point leaves complete
/// receipt folders and hidden staging folders, which nothing reads ([`existing_folders`] skips them).
#[derive(Debug)]
pub(crate) struct OutDir {
    path: PathBuf,
    /// Opened before anything is written in it: `syncfs(2)` reports the write-back errors of the file system that
    /// happened since (Linux 5.8 and later; earlier kernels report none), and fsyncing it makes renames durable.
    #[cfg(unix)]
    handle: fs::File,
}

impl OutDir {
    /// Opens the folder `path`, which must exist.
    pub(crate) fn open(path: &Path) -> io::Result<Self> {
        Ok(Self {
            path: path.to_path_buf(),
            #[cfg(unix)]
            handle: fs::File::open(path)?,
        })
    }

    /// The folder's path, as given.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the receipt folder for `summary.opened` under a hidden name, to be published as `name`. It is on the
    /// disk only after [`OutDir::flush_staged`].
    pub(crate) fn stage(&self, name: &str, summary: &Summary<'_>) -> io::Result<Staged> {
        // A random suffix, so the same bundle given twice in one batch can be staged twice at once.
        let prefix = format!(".{name}.partial-");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(
            files::PRIVATE_DIR,
        ));
        let mut staged = Staged {
            staging: builder.tempdir_in(&self.path)?,
            target: self.path.join(name),
            saved_names: Vec::new(),
        };
        // On an error `staged` is dropped, which removes the folder created just above (never anything else).
        let folder = staged.staging.path();
        staged.saved_names = fill(folder, summary)?;
        if STAGED_FSYNC == Fsync::Now {
            // The folders' own entries too, or a crash could leave a published folder missing files.
            if !summary.opened.attachments.is_empty() {
                files::sync_dir(&folder.join(ATTACHMENTS_DIR))?;
            }
            files::sync_dir(folder)?;
        }
        Ok(staged)
    }

    /// Waits until every folder staged so far is on the disk, files and names, before any is published. On Linux
    /// one `syncfs(2)` does it for the whole batch (it writes back the rest of the file system's cache too, so it
    /// takes longer when other programs are writing a lot to the same disk). An error means some write to this
    /// file system may be lost: none of the batch may be published. Elsewhere each file was fsynced as it was
    /// staged ([`STAGED_FSYNC`]).
    pub(crate) fn flush_staged(&self) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            rustix::fs::syncfs(&self.handle).map_err(io::Error::from)
        }
        #[cfg(not(target_os = "linux"))]
        {
            Ok(())
        }
    }

    /// Waits until the folders published so far are on the disk under their new names: until then a crash could
    /// undo a rename, and a folder the firm was told was saved would be back under its hidden name.
    pub(crate) fn flush_names(&self) -> io::Result<()> {
        #[cfg(unix)]
        {
            self.handle.sync_all()
        }
        #[cfg(not(unix))]
        {
            files::sync_dir(&self.path)
        }
    }
}

/// A receipt folder written in full under a hidden name beside its final place, waiting to be renamed into it.
/// Staging is the slow part, so `sealform open` stages on every core and only publishes in input order. Dropped
/// unpublished, the hidden folder is removed.
#[derive(Debug)]
pub(crate) struct Staged {
    staging: tempfile::TempDir,
    target: PathBuf,
    saved_names: Vec<String>,
}

impl Staged {
    /// Renames the folder into place, replacing `previous` (an earlier receipt folder for the same bundle, with
    /// `--again`) only now that the new one is complete. Call it only after [`OutDir::flush_staged`], and say the
    /// folder is saved only after [`OutDir::flush_names`].
    pub(crate) fn publish(self, opened: &Opened, previous: Option<&Path>) -> io::Result<Saved> {
        // Once renamed, nothing is left at the hidden name for the `TempDir` to remove when dropped.
        put_in_place(self.staging.path(), &self.target, previous)?;
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
    files::write_new(
        &dir.join(SUMMARY_MD),
        markdown.as_bytes(),
        PRIVATE_FILE,
        STAGED_FSYNC,
    )?;
    let html = summary.html(&saved_names);
    files::write_new(
        &dir.join(SUMMARY_HTML),
        html.as_bytes(),
        PRIVATE_FILE,
        STAGED_FSYNC,
    )?;
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
        let written = files::write_unique(
            &attachments_dir,
            &safe,
            &attachment.bytes,
            PRIVATE_FILE,
            STAGED_FSYNC,
        )?;
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
    files::write_new(
        path,
        pretty_json(value).as_bytes(),
        PRIVATE_FILE,
        STAGED_FSYNC,
    )
}

/// `value` as pretty JSON ending with a line break.
pub(crate) fn pretty_json(value: &impl serde::Serialize) -> String {
    // Structs of strings, numbers and maps: serialising them cannot fail.
    let json = serde_json::to_string_pretty(value).unwrap_or_default();
    format!("{json}\n")
}

#[cfg(test)]
mod tests {
    use sealform_core::bundle;

    use super::*;
    use crate::revalidate::Check;

    /// Core's `valid` test vector, opened with its key.
    fn opened() -> Opened {
        let vector = sealform_testkit::Vector::named("valid");
        bundle::open(&[sealform_testkit::identity("firm")], &vector.bundle)
            .expect("the valid vector opens")
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("list")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_staged_folder_has_no_final_name_until_published() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = OutDir::open(dir.path()).expect("open the folder");
        let opened = opened();
        let summary = Summary {
            opened: &opened,
            source: "valid.bundle",
            received_at: None,
            entries: &[],
            consents_also: &std::collections::BTreeMap::new(),
            check: &Check::Passed,
        };
        let name = folder_name(None, &opened);

        let staged = out.stage(&name, &summary).expect("stage");
        let hidden = names_in(dir.path());
        assert_eq!(hidden.len(), 1, "{hidden:?}");
        assert!(
            hidden[0].starts_with(&format!(".{name}.partial-")),
            "{hidden:?}"
        );
        assert!(existing_folders(dir.path()).expect("list").is_empty());
        assert!(!dir.path().join(&name).exists());

        out.flush_staged().expect("flush");
        let saved = staged.publish(&opened, None).expect("publish");
        out.flush_names().expect("flush the names");
        assert_eq!(names_in(dir.path()), std::slice::from_ref(&name));
        assert_eq!(saved.folder, dir.path().join(&name));
        assert!(names_in(&saved.folder).contains(&SUBMISSION_FILE.to_owned()));
        assert_eq!(
            existing_folders(dir.path())
                .expect("list")
                .get(&opened.receipt.short()),
            Some(&saved.folder)
        );

        // A folder staged but never published (its flush failed, say) leaves nothing behind.
        drop(out.stage(&name, &summary).expect("stage again"));
        assert_eq!(names_in(dir.path()), [name]);
    }

    #[test]
    fn receipt_folders_are_recognised() {
        assert!(looks_like_short_receipt("XJ4B-NP4P-AHH6-UQKB"));
        assert!(!looks_like_short_receipt("XJ4B-NP4P-AHH6"));
        assert!(!looks_like_short_receipt("xj4b-np4p-ahh6-uqkb"));
        assert!(!looks_like_short_receipt("XJ4B-NP4P-AHH6-UQK1"));
    }
}
