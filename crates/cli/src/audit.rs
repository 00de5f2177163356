//! Audit trails on the firm's side: `sealform audit verify` checks a hash chain (a receiver's, or the `audit.log`
//! `open --out` keeps) and names its first broken link; [`record_open`] adds `open`'s entry to that log.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use sealform_core::audit::{self, action, BrokenChain, Chain, Head};
use sealform_core::bundle::ReceiptId;
use sealform_core::protocol::pickup::AUDIT_PATH;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::{Error, Exit};
use crate::files::{self, PRIVATE_FILE};
use crate::pickup::{check_url, Receiver};
use crate::token::read_token_file;

/// The log `sealform open --out DIR` keeps in DIR.
pub(crate) const AUDIT_LOG: &str = "audit.log";

pub(crate) const AUDIT_HELP: &str = concat!(
    "An audit trail is a hash chain, one JSON line per entry: each entry holds the SHA-256 of the one before, so \
     an entry edited, removed, added or reordered breaks the chain where it happened. The receiver keeps one of \
     every download, acknowledgement, deletion and refused token (read it with a pickup token); `sealform open \
     --out DIR` keeps one in DIR/audit.log of every run that saved submissions (who, with which keys, which \
     receipts, when). `sealform pull` checks the receiver's on every run, also against what the last pull saw.\n",
    "\n",
    "Examples:\n",
    "  sealform audit verify opened/audit.log\n",
    "  sealform audit verify https://forms.example --token-file ~/.sealform/pickup.token\n",
    "  curl -sH \"Authorization: Bearer $(cat pickup.token)\" https://forms.example/api/audit > trail.jsonl\n",
    "  sealform audit verify trail.jsonl\n",
    "\n",
    "Exit codes:\n",
    "  0  every link holds: the number of entries and the head are printed\n",
    "  1  the chain is broken: the first broken link is named\n",
    "  2  nothing was checked: a usage error, an unreadable file, a wrong token, no receiver",
);

/// The command line of `sealform audit`.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    pub(crate) command: AuditCommand,
}

/// What `sealform audit` does.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Check an audit trail's hash chain and name its first broken link
    #[command(after_help = AUDIT_HELP)]
    Verify(AuditVerifyArgs),
}

/// The command line of `sealform audit verify`.
#[derive(Debug, Args)]
pub(crate) struct AuditVerifyArgs {
    /// An audit log (JSON Lines; - reads standard input), or a receiver's address (https://…) to read its trail
    #[arg(value_name = "FILE|URL")]
    pub(crate) source: String,
    /// The pickup token to read a receiver's trail with (`sealform token new`)
    #[arg(long, value_name = "FILE")]
    pub(crate) token_file: Option<PathBuf>,
}

/// Runs `sealform audit`.
pub(crate) fn run(args: AuditArgs) -> Result<Exit, Error> {
    match args.command {
        AuditCommand::Verify(args) => verify(args),
    }
}

fn verify(args: AuditVerifyArgs) -> Result<Exit, Error> {
    let text = if args.source.starts_with("https://") || args.source.starts_with("http://") {
        fetch(&args.source, args.token_file.as_deref())?
    } else {
        let path = Path::new(&args.source);
        let read = if files::is_stdin(path) {
            let mut bytes = Vec::new();
            io::stdin().lock().read_to_end(&mut bytes).map(|_| bytes)
        } else {
            std::fs::read(path)
        };
        let bytes = read.map_err(|e| {
            Error::usage(format!(
                "could not read {}: {e}; give an audit log file or a receiver's https:// address",
                files::display_name(path)
            ))
        })?;
        String::from_utf8(bytes).map_err(|_| {
            Error::failed(format!("{}: not text, so not an audit trail", args.source))
        })?
    };
    let head = audit::verify(&text).map_err(|broken| {
        Error::failed(format!("{}: {}", args.source, describe_broken(&broken)))
    })?;
    crate::print(&format!(
        "{}: {} entr{}, every link holds\nHead: entry {}, hash {}\n",
        args.source,
        head.seq,
        if head.seq == 1 { "y" } else { "ies" },
        head.seq,
        head.hash
    ))?;
    Ok(Exit::Success)
}

/// Reads a receiver's trail; `url` may be the receiver's address or that of its trail itself.
fn fetch(url: &str, token_file: Option<&Path>) -> Result<String, Error> {
    let Some(token_file) = token_file else {
        return Err(Error::usage(
            "a receiver's audit trail is read with a pickup token: add --token-file FILE",
        ));
    };
    let base = url.trim_end_matches('/');
    let base = base.strip_suffix(AUDIT_PATH).unwrap_or(base);
    let url = check_url(base).map_err(|e| Error::usage(e.to_string()))?;
    let token = read_token_file(token_file)?;
    let receiver = Receiver::new(&url, Some(token))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::usage(format!("could not start the network runtime: {e}")))?;
    runtime
        .block_on(receiver.audit())
        .map_err(|e| Error::usage(format!("nothing was checked: {e}")))
}

/// Says where a chain breaks and what that means.
pub(crate) fn describe_broken(broken: &BrokenChain) -> String {
    format!("the audit trail is BROKEN at {broken}")
}

// ---------------------------------------------------------------------------------------------------------------
// open's audit log
// ---------------------------------------------------------------------------------------------------------------

/// Why `open`'s entry could not be added to its log.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RecordError {
    /// The log could not be read or written.
    #[error("could not add this run to the audit log {path}: {source}")]
    Io {
        /// The log.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The log's chain is already broken: nothing is added to it.
    #[error(
        "the audit log {path} is BROKEN at {broken}: this run was NOT added to it (the submissions were saved). \
         Find out who changed it; to start a new log, move it aside (keep it as evidence) and the next run \
         begins a new one"
    )]
    Broken {
        /// The log.
        path: PathBuf,
        /// Where it breaks.
        broken: BrokenChain,
    },
}

/// Adds an `open` entry to `out/audit.log`: who ran it, with which keys, which receipts were saved, and when. The
/// log is checked first, and nothing is added to a broken one. Locked while it is read and written, so two runs
/// at once cannot fork the chain; on the disk before this returns.
pub(crate) fn record_open(
    out: &Path,
    kids: &[String],
    receipts: &[ReceiptId],
) -> Result<Head, RecordError> {
    let path = out.join(AUDIT_LOG);
    let io_error = |source| RecordError::Io {
        path: path.clone(),
        source,
    };
    let created = !path.exists();
    let mut file = open_log(&path).map_err(io_error)?;
    file.lock().map_err(io_error)?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(io_error)?;
    let head = audit::verify(&text).map_err(|broken| RecordError::Broken {
        path: path.clone(),
        broken,
    })?;
    let mut chain = Chain::resume(head);
    let entry = chain.append(&now(), action::OPEN, &actor(), kids, receipts);
    file.write_all(format!("{}\n", entry.to_line()).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io_error)?;
    if created {
        files::sync_dir(out).map_err(io_error)?;
    }
    Ok(entry.head())
}

fn open_log(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE);
    options.open(path)
}

/// Now, RFC 3339 UTC to the second.
fn now() -> String {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Who runs this: `user:NAME` from `$USER` or `$LOGNAME`, else the user id.
fn actor() -> String {
    let name = ["USER", "LOGNAME"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|name| name.chars().filter(|c| !c.is_control()).collect::<String>())
        .find(|name| !name.trim().is_empty());
    match name {
        Some(name) => format!("user:{name}"),
        None => format!("user:{}", user_id()),
    }
}

#[cfg(target_os = "linux")]
fn user_id() -> String {
    format!("uid-{}", rustix::process::getuid().as_raw())
}

#[cfg(not(target_os = "linux"))]
fn user_id() -> String {
    "unknown".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_entries_make_a_chain_and_a_broken_log_is_left_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let receipts = [ReceiptId::of(b"one"), ReceiptId::of(b"two")];
        let kids = vec!["kid-a".to_owned()];
        let first = record_open(dir.path(), &kids, &receipts).expect("first");
        let second = record_open(dir.path(), &kids, &receipts[..1]).expect("second");
        assert_eq!((first.seq, second.seq), (1, 2));
        let path = dir.path().join(AUDIT_LOG);
        assert_eq!(files::exposed_mode(&path), None);
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(audit::verify(&text).expect("verifies"), second);
        let entry: audit::Entry =
            serde_json::from_str(text.lines().next().expect("a line")).expect("an entry");
        assert_eq!(entry.action, action::OPEN);
        assert!(entry.actor.starts_with("user:"), "{}", entry.actor);
        assert_eq!(entry.kids, kids);
        assert_eq!(entry.receipts, receipts);

        let edited = text.replacen("kid-a", "kid-b", 1);
        std::fs::write(&path, &edited).expect("edit");
        let refused = record_open(dir.path(), &kids, &receipts).expect_err("broken");
        assert!(matches!(refused, RecordError::Broken { .. }), "{refused}");
        assert!(refused.to_string().contains("entry 1"), "{refused}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), edited);
    }
}
