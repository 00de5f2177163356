//! The inbox folder `sealform pull` fills and `sealform open` reads: `<receipt>.bundle` files, the form configs in
//! `configs/<sha256>.json`, and pull's own state in the hidden `.sealform/` (a lock, the receivers' audit heads).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use sealform_core::audit::Head;
use sealform_core::bundle::ReceiptId;
use sealform_core::Sha256Digest;
use serde::{Deserialize, Serialize};

use crate::files::{self, PRIVATE_FILE};

/// The folder, inside an inbox, holding the form configs submissions were filled in, as `<sha256>.json`.
pub(crate) const CONFIGS_DIR: &str = "configs";
/// The hidden folder, inside an inbox, holding pull's own state.
pub(crate) const STATE_DIR: &str = ".sealform";
/// In [`STATE_DIR`]: held locked while a pull writes into the inbox.
const LOCK_FILE: &str = "pull.lock";
/// In [`STATE_DIR`]: the last verified head of each receiver's audit trail.
const AUDIT_HEADS_FILE: &str = "receiver-audit-head.json";

/// An inbox folder that a pull writes into, locked against a second pull for as long as this lives.
#[derive(Debug)]
pub(crate) struct Inbox {
    path: PathBuf,
    /// Held with an exclusive lock; the operating system releases it when the process ends, however it ends.
    _lock: File,
}

/// Why an inbox could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InboxError {
    /// The folder or its state could not be created or read.
    #[error("could not use the inbox {path}: {source}; check the path given to --inbox and that you can write there")]
    Unusable {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Another pull holds the lock.
    #[error(
        "another sealform pull is writing into {path}: wait for it to finish (two pulls into one inbox would \
         download the same bundles twice)"
    )]
    Busy {
        /// The folder.
        path: PathBuf,
    },
}

impl Inbox {
    /// Creates the folder if missing (only its owner may enter it), takes its lock, and removes the hidden files a
    /// pull killed part-way left behind.
    pub(crate) fn open(path: &Path) -> Result<Self, InboxError> {
        let unusable = |source| InboxError::Unusable {
            path: path.to_path_buf(),
            source,
        };
        files::create_private_dir_all(&path.join(STATE_DIR)).map_err(unusable)?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path.join(STATE_DIR).join(LOCK_FILE))
            .map_err(unusable)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(InboxError::Busy {
                    path: path.to_path_buf(),
                })
            }
            Err(fs::TryLockError::Error(e)) => return Err(unusable(e)),
        }
        let inbox = Self {
            path: path.to_path_buf(),
            _lock: lock,
        };
        // With the lock held, no other pull is staging here: what is staged is left over.
        for dir in [
            path.to_path_buf(),
            inbox.configs_dir(),
            path.join(STATE_DIR),
        ] {
            remove_leftovers(&dir)
                .or_else(|e| match e.kind() {
                    io::ErrorKind::NotFound => Ok(()),
                    _ => Err(e),
                })
                .map_err(unusable)?;
        }
        Ok(inbox)
    }

    /// The folder.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Where the bundle with this receipt goes: `<receipt>.bundle`.
    pub(crate) fn bundle_path(&self, receipt: &ReceiptId) -> PathBuf {
        self.path.join(bundle_name(receipt))
    }

    /// The folder of form configs.
    pub(crate) fn configs_dir(&self) -> PathBuf {
        self.path.join(CONFIGS_DIR)
    }

    /// The audit head last verified for the receiver at `url`, if any.
    pub(crate) fn audit_head(&self, url: &str) -> Result<Option<Head>, InboxError> {
        Ok(self.audit_heads()?.receivers.remove(url))
    }

    /// Keeps `head` as the verified head of the receiver at `url`'s audit trail.
    pub(crate) fn keep_audit_head(&self, url: &str, head: &Head) -> Result<(), InboxError> {
        let mut heads = self.audit_heads()?;
        heads.receivers.insert(url.to_owned(), head.clone());
        let mut json = serde_json::to_string_pretty(&heads).unwrap_or_default();
        json.push('\n');
        let path = self.audit_heads_path();
        files::replace(&path, json.as_bytes(), PRIVATE_FILE)
            .and_then(|()| files::sync_dir(&self.path.join(STATE_DIR)))
            .map_err(|source| InboxError::Unusable { path, source })
    }

    /// Where the audit heads are kept: shown in messages, since deleting it is how a firm accepts a receiver whose
    /// trail was knowingly started afresh.
    pub(crate) fn audit_heads_path(&self) -> PathBuf {
        self.path.join(STATE_DIR).join(AUDIT_HEADS_FILE)
    }

    fn audit_heads(&self) -> Result<AuditHeads, InboxError> {
        let path = self.audit_heads_path();
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| InboxError::Unusable {
                path,
                source: io::Error::new(io::ErrorKind::InvalidData, e),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(AuditHeads::default()),
            Err(source) => Err(InboxError::Unusable { path, source }),
        }
    }
}

/// The audit heads file: by receiver URL, so one inbox can be filled from more than one receiver.
#[derive(Debug, Default, Serialize, Deserialize)]
struct AuditHeads {
    receivers: BTreeMap<String, Head>,
}

/// Removes the hidden staging files ([`files::replace`]'s `.NAME.new-PID`) in `dir`.
fn remove_leftovers(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.contains(".new-") && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// A bundle's file name in an inbox.
pub(crate) fn bundle_name(receipt: &ReceiptId) -> String {
    format!("{}.bundle", receipt.full())
}

/// A config's file name in an inbox's [`CONFIGS_DIR`].
pub(crate) fn config_name(sha256: &Sha256Digest) -> String {
    format!("{sha256}.json")
}

/// Whether `path` holds exactly the bytes whose SHA-256 is `digest`. A missing file is simply not there; any other
/// error reading it is returned.
pub(crate) fn holds(path: &Path, digest: &Sha256Digest) -> io::Result<bool> {
    match fs::read(path) {
        Ok(bytes) => Ok(Sha256Digest::of(&bytes) == *digest),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The form configs in `dir/configs/` whose bytes match the SHA-256 in their name, with those bytes. A folder
/// without `configs/` has none; files with other names are not configs; a file whose bytes do not match its name
/// is named in the warnings, since it may have been altered.
pub(crate) fn configs_in(dir: &Path) -> (Vec<(Sha256Digest, Vec<u8>)>, Vec<String>) {
    let folder = dir.join(CONFIGS_DIR);
    let (mut configs, mut warnings) = (Vec::new(), Vec::new());
    let Ok(entries) = fs::read_dir(&folder) else {
        return (configs, warnings);
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(digest) = name
            .strip_suffix(".json")
            .and_then(|hex| hex.parse::<Sha256Digest>().ok())
        else {
            continue;
        };
        match fs::read(entry.path()) {
            Ok(bytes) if Sha256Digest::of(&bytes) == digest => configs.push((digest, bytes)),
            Ok(_) => warnings.push(format!(
                "{} does not match the SHA-256 in its name (it was changed after it was fetched): not used",
                entry.path().display()
            )),
            Err(e) => warnings.push(format!("could not read {}: {e}", entry.path().display())),
        }
    }
    (configs, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pull_at_a_time_and_leftovers_are_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("inbox");
        let inbox = Inbox::open(&path).expect("opens");
        assert!(matches!(Inbox::open(&path), Err(InboxError::Busy { .. })));
        fs::write(path.join(".x.bundle.new-123"), b"half").expect("write");
        fs::write(path.join("keep.bundle"), b"whole").expect("write");
        drop(inbox);
        let _inbox = Inbox::open(&path).expect("free again");
        let mut names: Vec<String> = fs::read_dir(&path)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [".sealform", "keep.bundle"]);
    }

    #[test]
    fn audit_heads_are_kept_per_receiver() {
        let dir = tempfile::tempdir().expect("temp dir");
        let inbox = Inbox::open(dir.path()).expect("opens");
        assert_eq!(inbox.audit_head("https://a.example").expect("read"), None);
        let head = Head {
            seq: 3,
            hash: "ab".repeat(32),
        };
        inbox
            .keep_audit_head("https://a.example", &head)
            .expect("kept");
        inbox
            .keep_audit_head("https://b.example", &Head::empty())
            .expect("kept");
        assert_eq!(
            inbox.audit_head("https://a.example").expect("read"),
            Some(head)
        );
        assert_eq!(files::exposed_mode(&inbox.audit_heads_path()), None);
    }

    #[test]
    fn only_configs_matching_their_name_are_used() {
        let dir = tempfile::tempdir().expect("temp dir");
        let configs = dir.path().join(CONFIGS_DIR);
        fs::create_dir(&configs).expect("mkdir");
        let good = b"{\"good\":true}";
        let digest = Sha256Digest::of(good);
        fs::write(configs.join(config_name(&digest)), good).expect("write");
        let other = Sha256Digest::of(b"other");
        fs::write(configs.join(config_name(&other)), b"changed").expect("write");
        fs::write(configs.join("notes.json"), b"{}").expect("write");
        let (found, warnings) = configs_in(dir.path());
        assert_eq!(found, [(digest, good.to_vec())]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains(&other.to_string()), "{warnings:?}");
        assert!(configs_in(&dir.path().join("none")).0.is_empty());
    }
}
