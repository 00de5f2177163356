//! `sealform open`: opens bundles with the firm's private keys, verifying every part, and prints each submission
//! as JSON or saves it with its attachments in a folder named by its receipt. One failing bundle stops no other.

use std::fs;
use std::path::{Path, PathBuf};

use sealform_core::bundle::{self, Opened};
use sealform_core::key::{Identity, KeyError};
use zeroize::Zeroizing;

use crate::cli::OpenArgs;
use crate::error::{self, Error, Exit};
use crate::files::{self, PRIVATE_FILE};
use crate::passphrase::Source;

/// How many times a passphrase may be typed at the terminal before giving up.
const TERMINAL_ATTEMPTS: u32 = 3;
/// The name of the verified answers document in a receipt folder.
const SUBMISSION_FILE: &str = "submission.json";
/// The folder, inside a receipt folder, that holds the attachments.
const ATTACHMENTS_DIR: &str = "attachments";

/// What to do, checked: the keys are read (and decrypted) before any bundle is touched.
struct Config {
    identities: Vec<Identity>,
    out: Option<PathBuf>,
    files: Vec<PathBuf>,
}

impl Config {
    fn new(args: OpenArgs) -> Result<Self, Error> {
        files::check_stdin_once(&args.files)?;
        let source = Source::from_args(args.passphrase);
        let identities = args
            .keys
            .iter()
            .map(|path| load_key(path, &source))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(out) = &args.out {
            files::create_private_dir_all(out).map_err(|e| {
                Error::usage(format!(
                    "could not create the folder {}: {e}; choose another with --out",
                    out.display()
                ))
            })?;
        }
        Ok(Self {
            identities,
            out: args.out,
            files: args.files,
        })
    }
}

/// Runs `sealform open`.
pub(crate) fn run(args: OpenArgs) -> Result<Exit, Error> {
    let config = Config::new(args)?;
    let mut failures = 0;
    for path in &config.files {
        let name = files::display_name(path);
        if let Err(message) = open_one(path, &name, &config.identities, config.out.as_deref()) {
            error::report(&message);
            failures += 1;
        }
    }
    Ok(Exit::from_failures(failures))
}

/// Opens one bundle and prints or saves it; the error is the message for the person.
fn open_one(
    path: &Path,
    name: &str,
    identities: &[Identity],
    out: Option<&Path>,
) -> Result<(), String> {
    let bytes = files::read_input(path).map_err(|e| format!("could not read {name}: {e}"))?;
    let opened =
        bundle::open(identities, &bytes).map_err(|e| error::describe_bundle_error(name, &e))?;
    match out {
        None => {
            let json = submission_json(&opened);
            eprintln!(
                "Opened {name}: receipt {} ({})",
                opened.receipt.short(),
                opened.receipt.full()
            );
            crate::print(&json).map_err(|e| e.to_string())
        }
        Some(out) => save(out, name, &opened),
    }
}

/// Saves an opened bundle as `OUT/<receipt>/submission.json` and `OUT/<receipt>/attachments/…`. The folder is
/// filled under a temporary name and renamed when complete, so a receipt folder is never half written.
fn save(out: &Path, name: &str, opened: &Opened) -> Result<(), String> {
    let receipt = opened.receipt.short();
    let target = out.join(&receipt);
    if target.symlink_metadata().is_ok() {
        eprintln!(
            "Skipped {name}: it was already opened into {} (same receipt {receipt}); delete that folder to open \
             it again",
            target.display()
        );
        return Ok(());
    }
    let staging = out.join(format!(".{receipt}.partial-{}", std::process::id()));
    let failed = |e: std::io::Error| {
        format!(
            "could not save {name} into {}: {e}; nothing was saved for it. Check that you can write there and \
             that there is space",
            out.display()
        )
    };
    files::create_private_dir(&staging).map_err(failed)?;
    let renamed = fill(&staging, opened)
        .and_then(|renamed| fs::rename(&staging, &target).map(|()| renamed))
        .map_err(|e| {
            // Only the folder created just above, never anything that was there before.
            let _ = fs::remove_dir_all(&staging);
            failed(e)
        })?;
    crate::print(&format!(
        "Opened {name} into {}: {SUBMISSION_FILE} and {} (receipt {})\n",
        target.display(),
        match opened.attachments.len() {
            1 => "1 attachment".to_owned(),
            n => format!("{n} attachments"),
        },
        opened.receipt.full(),
    ))
    .map_err(|e| e.to_string())?;
    for (original, saved) in renamed {
        eprintln!(
            "Note: {name}: the attachment named {original:?} was saved as {}",
            target.join(ATTACHMENTS_DIR).join(saved).display()
        );
    }
    Ok(())
}

/// Writes the submission and attachments into `dir`; returns the attachments whose names had to change, as
/// (name the client gave, name saved under).
fn fill(dir: &Path, opened: &Opened) -> std::io::Result<Vec<(String, String)>> {
    files::write_new(
        &dir.join(SUBMISSION_FILE),
        submission_json(opened).as_bytes(),
        PRIVATE_FILE,
    )?;
    let mut renamed = Vec::new();
    if opened.attachments.is_empty() {
        return Ok(renamed);
    }
    let attachments_dir = dir.join(ATTACHMENTS_DIR);
    files::create_private_dir(&attachments_dir)?;
    for (index, attachment) in opened.attachments.iter().enumerate() {
        let safe = files::safe_file_name(&attachment.name)
            .unwrap_or_else(|| format!("attachment-{}", index + 1));
        let written =
            files::write_unique(&attachments_dir, &safe, &attachment.bytes, PRIVATE_FILE)?;
        let saved = written
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if saved != attachment.name {
            renamed.push((attachment.name.clone(), saved));
        }
    }
    Ok(renamed)
}

/// The verified submission as pretty JSON, ending with a line break.
fn submission_json(opened: &Opened) -> String {
    // A struct of strings, numbers and maps: serialising it cannot fail.
    let json = serde_json::to_string_pretty(&opened.submission).unwrap_or_default();
    format!("{json}\n")
}

/// Reads a private key, asking for its passphrase if it is encrypted.
fn load_key(path: &Path, source: &Source) -> Result<Identity, Error> {
    let pem = Zeroizing::new(fs::read_to_string(path).map_err(|e| {
        Error::usage(format!(
            "could not read the private key {}: {e}; check the path given to --key",
            path.display()
        ))
    })?);
    let identity = decrypt_key(path, &pem, source)?;
    files::warn_if_exposed(path, "a private key");
    Ok(identity)
}

/// Reads the PEM text of a private key, asking for the passphrase if it is encrypted.
fn decrypt_key(path: &Path, pem: &str, source: &Source) -> Result<Identity, Error> {
    match Identity::from_pkcs8_pem(pem, None) {
        Err(KeyError::PassphraseNeeded) => {}
        other => return other.map_err(|e| key_error(path, pem, &e, source)),
    }
    let attempts = if source.can_retry() {
        TERMINAL_ATTEMPTS
    } else {
        1
    };
    let mut attempt = 1;
    loop {
        let passphrase = source.passphrase_for(path)?;
        match Identity::from_pkcs8_pem(pem, Some(passphrase.as_bytes())) {
            Err(KeyError::WrongPassphrase) if attempt < attempts => {
                eprintln!("Wrong passphrase for {}; try again.", path.display());
                attempt += 1;
            }
            other => return other.map_err(|e| key_error(path, pem, &e, source)),
        }
    }
}

/// Says what is wrong with the key file `path` and what to do.
fn key_error(path: &Path, pem: &str, error: &KeyError, source: &Source) -> Error {
    let key = path.display();
    Error::usage(match error {
        KeyError::WrongPassphrase => format!(
            "wrong passphrase for {key}: {} does not decrypt it. Check the passphrase, and that {key} is the key \
             it belongs to",
            source.describe()
        ),
        KeyError::NotAPrivateKey if looks_public(pem) => format!(
            "{key} is a public key: give --key the private key file (NAME.private.pem from sealform keygen)"
        ),
        KeyError::NotAPrivateKey => format!(
            "{key}: {error}. Give --key the NAME.private.pem file that sealform keygen wrote"
        ),
        KeyError::Damaged => format!("{key}: {error}; restore it from your backup"),
        _ => format!("{key}: {error}"),
    })
}

/// Whether a file that is not a private key is one of the public forms keygen writes beside it.
fn looks_public(text: &str) -> bool {
    let text = text.trim_start();
    text.starts_with('{') || text.starts_with("-----BEGIN PUBLIC KEY-----")
}
