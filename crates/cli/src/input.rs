//! Where bundles come from — files, every file of a folder, standard input, the receiver's store — and reading
//! them, never more than [`MaxBundle`]. Each source is an [`Input`]: a new one is a variant and a line in `read`.

use sealform_core::bundle::ReceiptId;
use sealform_store::{Location, StoreError};
use std::fs::{self, File};
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::files;
use crate::stored::StoreReader;

/// One bundle to open. It holds where the bundle is, never its bytes: those are read when it is opened, a chunk
/// at a time, so no source is ever in memory whole.
#[derive(Debug)]
pub(crate) enum Input {
    /// A file named on the command line, or found in a folder named there.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
    /// A bundle the receiver stored, by the receipt it is stored under (checked against its bytes when read).
    Stored(ReceiptId),
}

impl Input {
    /// How the input is named in messages (escaped: see [`files::display_name`]).
    pub(crate) fn name(&self) -> String {
        match self {
            Self::File(path) => files::display_name(path),
            Self::Stdin => files::display_name(Path::new("-")),
            Self::Stored(receipt) => format!("stored bundle {}", receipt.full()),
        }
    }
}

/// A bundle read from its input.
#[derive(Debug)]
pub(crate) struct Bundle {
    /// Its bytes.
    pub(crate) bytes: Vec<u8>,
    /// When the receiver got it (RFC 3339), if the source knows: a file's modification time says too little to be
    /// shown.
    pub(crate) received_at: Option<String>,
}

/// Reads inputs: never more than [`MaxBundle`], and stored bundles from the receiver's store.
#[derive(Debug)]
pub(crate) struct Reader {
    max: MaxBundle,
    /// The store `--store` named, opened read-only.
    store: Option<StoreReader>,
}

impl Reader {
    /// A reader of bundles up to `max`, and of [`Input::Stored`] bundles from `store`.
    pub(crate) fn new(max: MaxBundle, store: Option<StoreReader>) -> Self {
        Self { max, store }
    }

    /// The bundle, if it is no larger than the limit: a file's size is checked before it is read, standard input
    /// is read up to the limit and no further. Standard input can be read once only; [`expand`] makes sure it is
    /// asked for once.
    pub(crate) fn read(&self, input: &Input) -> Result<Bundle, ReadError> {
        let bytes = match input {
            Input::File(path) => {
                let file = File::open(path).map_err(ReadError::Io)?;
                // The size of the file opened, so it cannot be swapped for another between check and read.
                let size = file.metadata().map_err(ReadError::Io)?.len();
                self.max.check(size)?;
                read_at_most(file, self.max, size)?
            }
            Input::Stdin => read_at_most(io::stdin().lock(), self.max, 0)?,
            Input::Stored(receipt) => return self.read_stored(receipt),
        };
        Ok(Bundle {
            bytes,
            received_at: None,
        })
    }

    /// A stored bundle. The store's read API gives a bundle whole, so its size is checked once read; the
    /// receiver held it to its own limit when it stored it.
    fn read_stored(&self, receipt: &ReceiptId) -> Result<Bundle, ReadError> {
        let store = self.store.as_ref().ok_or(ReadError::NotStored)?;
        let stored = store
            .get(receipt)
            .map_err(ReadError::Store)?
            .ok_or(ReadError::NotStored)?;
        self.max.check(stored.bundle.len() as u64)?;
        let actual = ReceiptId::of(&stored.bundle);
        if actual != *receipt {
            return Err(ReadError::Damaged { actual });
        }
        Ok(Bundle {
            bytes: stored.bundle,
            received_at: Some(stored.received_at),
        })
    }
}

/// Reads `reader` to its end, unless it holds more than `max` (a file can grow after its size was checked, and a
/// pipe has none); `expected` is how much is likely.
fn read_at_most(
    reader: impl io::Read,
    max: MaxBundle,
    expected: u64,
) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(usize::try_from(expected.min(max.bytes)).unwrap_or(0));
    reader
        .take(max.bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max.bytes {
        return Err(ReadError::TooLarge { size: None, max });
    }
    Ok(bytes)
}

/// The largest bundle read: a larger file is refused before it is read, as a bundle that large cannot be one a
/// form accepted (and reading it whole could take all the memory there is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MaxBundle {
    bytes: u64,
    /// Whether `--max-bundle-bytes` set it, rather than the forms' limits.
    flag: bool,
}

impl MaxBundle {
    /// `--max-bundle-bytes` when given, else `forms`: the largest bundle the forms' limits allow
    /// ([`sealform_core::schema::Limits::max_bundle_bytes`]).
    pub(crate) fn new(flag: Option<u64>, forms: u64) -> Self {
        match flag {
            Some(bytes) => Self { bytes, flag: true },
            None => Self {
                bytes: forms,
                flag: false,
            },
        }
    }

    fn check(self, size: u64) -> Result<(), ReadError> {
        if size > self.bytes {
            return Err(ReadError::TooLarge {
                size: Some(size),
                max: self,
            });
        }
        Ok(())
    }
}

/// Why a bundle could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The file or standard input could not be read.
    Io(io::Error),
    /// It is larger than [`MaxBundle`]: `size` when known (not for standard input).
    TooLarge { size: Option<u64>, max: MaxBundle },
    /// The store could not be read.
    Store(StoreError),
    /// The store no longer holds it (nothing deletes from a store, so it was changed by other means).
    NotStored,
    /// The bytes stored under a receipt are not the bundle with that receipt: the store is damaged.
    Damaged {
        /// The receipt of the bytes found.
        actual: ReceiptId,
    },
}

impl ReadError {
    /// What went wrong with reading the input `name`, and what to do about it.
    pub(crate) fn describe(&self, name: &str) -> String {
        match self {
            Self::Io(e) => format!("could not read {name}: {e}"),
            Self::Store(e) => format!("could not read {name}: {e}"),
            Self::NotStored => format!(
                "{name} is no longer in the store: it was removed since this run began; check the store's backups"
            ),
            Self::Damaged { actual } => format!(
                "{name}: its bytes have receipt {}, not the one it is stored under: the store is damaged; use a \
                 backup of it",
                actual.full()
            ),
            Self::TooLarge { size, max } => {
                let is = match size {
                    Some(size) => format!("is {},", files::bytes(*size)),
                    None => "is".to_owned(),
                };
                let allowed_by = if max.flag {
                    "--max-bundle-bytes allows"
                } else {
                    "the forms' limits allow"
                };
                format!(
                    "{name} {is} more than the largest bundle {allowed_by} ({}), so it was not read; if it is a real \
                     bundle, raise the limit with --max-bundle-bytes",
                    files::bytes(max.bytes)
                )
            }
        }
    }
}

/// Turns the command line's FILE arguments into inputs, in the order given: a folder becomes every regular file in
/// it (in name order; its subfolders too with `recursive`), skipping hidden files such as `.DS_Store` and the
/// half-written files other programs leave. Fails (nothing done) on a path that does not exist, so a typo is not
/// mistaken for an empty inbox.
pub(crate) fn expand(paths: &[PathBuf], recursive: bool) -> Result<Vec<Input>, Error> {
    files::check_stdin_once(paths)?;
    let mut inputs = Vec::new();
    for path in paths {
        if files::is_stdin(path) {
            inputs.push(Input::Stdin);
            continue;
        }
        let metadata = fs::metadata(path).map_err(|e| {
            Error::usage(format!(
                "{}: {e}; check the path (give a bundle file, a folder of them, or - for standard input)",
                path.display()
            ))
        })?;
        if metadata.is_dir() {
            walk(path, recursive, &mut inputs).map_err(|e| {
                Error::usage(format!("could not list the folder {}: {e}", path.display()))
            })?;
        } else {
            inputs.push(Input::File(path.clone()));
        }
    }
    Ok(inputs)
}

/// Adds the regular files of `dir` to `inputs`, in name order, descending into subfolders when `recursive` — but
/// never into an inbox's `configs/` (form configs, not bundles) nor into hidden folders such as `pull`'s
/// `.sealform/`.
fn walk(dir: &Path, recursive: bool, inputs: &mut Vec<Input>) -> io::Result<()> {
    let mut entries = fs::read_dir(dir)?.collect::<Result<Vec<_>, _>>()?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        // Follows symbolic links, as naming the file on the command line would.
        let metadata = fs::metadata(entry.path())?;
        if metadata.is_file() {
            inputs.push(Input::File(entry.path()));
        } else if metadata.is_dir() && recursive && entry.file_name() != crate::inbox::CONFIGS_DIR {
            walk(&entry.path(), recursive, inputs)?;
        }
    }
    Ok(())
}

/// The inputs `open` and `inspect` were given: the FILE arguments ([`expand`]) and then, with `--store`, every
/// bundle in the receiver's store ([`stored`]), with the store to read those from.
pub(crate) fn gather(
    paths: &[PathBuf],
    recursive: bool,
    store: Option<&Location>,
) -> Result<(Vec<Input>, Option<StoreReader>), Error> {
    let mut inputs = expand(paths, recursive)?;
    let store = match store {
        Some(location) => {
            let (stored, store) = stored(location)?;
            inputs.extend(stored);
            Some(store)
        }
        None => None,
    };
    Ok((inputs, store))
}

/// Every bundle in the receiver's store (`sealform serve --store`), oldest first, by receipt only, and the store to
/// read them from with a [`Reader`]. The store is opened read-only, so this is safe while the receiver runs;
/// bundles it stores after this are left for the next run.
pub(crate) fn stored(location: &Location) -> Result<(Vec<Input>, StoreReader), Error> {
    let usage = |e: StoreError| Error::usage(format!("{location}: {e}"));
    let store = StoreReader::open(location).map_err(usage)?;
    let inputs = store
        .receipts()
        .map_err(usage)?
        .into_iter()
        .map(Input::Stored)
        .collect();
    Ok((inputs, store))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(inputs: &[Input], root: &Path) -> Vec<String> {
        inputs
            .iter()
            .map(|input| match input {
                Input::File(path) => path
                    .strip_prefix(root)
                    .unwrap_or(path)
                    .display()
                    .to_string(),
                other => other.name(),
            })
            .collect()
    }

    #[test]
    fn folders_give_their_files_in_name_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for name in [
            "b.bundle",
            "a.jwe.json",
            ".DS_Store",
            "sub/c.bundle",
            "configs/form.json",
            ".sealform/receiver-audit-head.json",
        ] {
            let path = root.join(name);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(path, b"x").expect("write");
        }
        let flat = expand(&[root.to_path_buf(), "-".into()], false).expect("expand");
        assert_eq!(
            names(&flat, root),
            ["a.jwe.json", "b.bundle", "standard input"]
        );
        let deep = expand(&[root.to_path_buf()], true).expect("expand");
        assert_eq!(
            names(&deep, root),
            ["a.jwe.json", "b.bundle", "sub/c.bundle"]
        );
        let missing = expand(&[root.join("nope")], false).expect_err("missing path");
        assert!(missing.to_string().contains("nope"), "{missing}");
    }
}
