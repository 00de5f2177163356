//! `sealform token new`: makes a pickup token, the secret `sealform pull` shows the receiver, and prints the hash
//! the receiver is given instead. Also reading a token file back, for `pull` and `audit verify`.

use std::io;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use rand_core::{OsRng, RngCore as _};
use sealform_core::protocol::pickup::{AllowedToken, PickupToken, TokenScope, TOKEN_BYTES};
use zeroize::Zeroizing;

use crate::error::{Error, Exit};
use crate::files::{self, Fsync, PRIVATE_FILE};

pub(crate) const TOKEN_HELP: &str = concat!(
    "A pickup token lets `sealform pull` list, download and (with the collect scope) acknowledge the sealed \
     bundles a receiver holds; it never lets anyone read one. The receiver is given only the token's SHA-256 \
     (`sealform serve --pickup-token-sha256 HASH:SCOPE`), never the token: keep the token file on the firm's \
     machine that runs `pull`.\n",
    "\n",
    "Scopes: collect (the default) may acknowledge bundles, after which the receiver deletes them once its keep \
     period is over; read may only list and download, so it can never cause a deletion (for a second machine, or \
     a backup copy).\n",
    "\n",
    "Examples:\n",
    "  sealform token new --out ~/.sealform/pickup.token\n",
    "  sealform token new --out backup.token --scope read\n",
    "  sealform serve --config form.json --pickup-token-sha256 HASH:collect   (on the receiver)\n",
    "  sealform pull --from https://forms.example --token-file ~/.sealform/pickup.token --inbox inbox\n",
    "\n",
    "Exit codes:\n",
    "  0  the token was written\n",
    "  1  writing the file failed\n",
    "  2  nothing was written: a usage error, or the file exists (add --force to replace it)",
);

/// The command line of `sealform token`.
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    #[command(subcommand)]
    pub(crate) command: TokenCommand,
}

/// What `sealform token` does.
#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Write a new random pickup token to a file (mode 0600) and print its SHA-256 for the receiver
    #[command(after_help = TOKEN_HELP)]
    New(TokenNewArgs),
}

/// The command line of `sealform token new`.
#[derive(Debug, Args)]
pub(crate) struct TokenNewArgs {
    /// The file to write the token to (readable only by you; its folder is created if missing)
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// What the token may do: read (list and download) or collect (also acknowledge, so the receiver deletes)
    #[arg(long, value_enum, default_value_t = Scope::Collect)]
    pub(crate) scope: Scope,
    /// Replace the file if it exists (the old token stops working once the receiver forgets its hash)
    #[arg(long)]
    pub(crate) force: bool,
}

/// The scopes, as the command line spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Scope {
    /// List and download bundles, and read the audit trail; never acknowledge
    Read,
    /// Also acknowledge bundles as collected
    Collect,
}

impl From<Scope> for TokenScope {
    fn from(scope: Scope) -> Self {
        match scope {
            Scope::Read => Self::Read,
            Scope::Collect => Self::Collect,
        }
    }
}

/// Runs `sealform token`.
pub(crate) fn run(args: TokenArgs) -> Result<Exit, Error> {
    match args.command {
        TokenCommand::New(args) => new(args),
    }
}

fn new(args: TokenNewArgs) -> Result<Exit, Error> {
    let scope = TokenScope::from(args.scope);
    let token = write_new_token(&args.out, args.force)?;
    let allowed = AllowedToken {
        hash: token.hash(),
        scope,
    };
    crate::print(&format!(
        "Wrote {path}  pickup token ({scope}), readable only by you\n\
         \n\
         Token SHA-256: {hash}\n\
         \n\
         Give the receiver this hash and scope, never the token itself:\n\
         \x20 sealform serve … --pickup-token-sha256 {allowed}\n\
         \n\
         Keep {path} on the firm's machine that runs `sealform pull` (with a backup of your keys, not on the\n\
         receiver's host):\n\
         \x20 sealform pull --from https://forms.example --token-file {path} --inbox inbox\n",
        path = args.out.display(),
        hash = allowed.hash,
    ))?;
    Ok(Exit::Success)
}

/// Draws a new token from the operating system's random source and writes it to `path` (mode 0600, fsynced),
/// never over an existing file unless `force`. Shared with `sealform demo`.
pub(crate) fn write_new_token(path: &Path, force: bool) -> Result<PickupToken, Error> {
    let mut bytes = Zeroizing::new([0u8; TOKEN_BYTES]);
    OsRng
        .try_fill_bytes(bytes.as_mut())
        .map_err(|e| Error::failed(format!("the operating system gave no random bytes: {e}")))?;
    let token = PickupToken::from_random(&bytes);
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        files::create_private_dir_all(folder).map_err(|e| {
            Error::usage(format!(
                "could not create the folder {}: {e}; choose another --out",
                folder.display()
            ))
        })?;
    }
    let text = Zeroizing::new(format!("{}\n", token.expose()));
    let written = if force {
        files::replace(path, text.as_bytes(), PRIVATE_FILE)
    } else {
        files::write_new(path, text.as_bytes(), PRIVATE_FILE, Fsync::Now)
    };
    written.map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => Error::usage(format!(
            "{} already exists: nothing was written. Choose another --out, or add --force to replace it (the \
             receiver must then be given the new hash)",
            path.display()
        )),
        _ => Error::failed(format!("could not write {}: {e}", path.display())),
    })?;
    Ok(token)
}

/// Why a token file could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenFileError {
    /// The file could not be read.
    #[error(
        "could not read the pickup token {path}: {source}; check --token-file (make a token with `sealform token \
         new`)"
    )]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file does not hold a token.
    #[error("{path}: {source}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: sealform_core::protocol::pickup::TokenParseError,
    },
}

impl From<TokenFileError> for Error {
    fn from(error: TokenFileError) -> Self {
        Error::usage(error.to_string())
    }
}

/// Reads the pickup token in `path`, warning if other users of this computer can read the file.
pub(crate) fn read_token_file(path: &Path) -> Result<PickupToken, TokenFileError> {
    let text =
        std::fs::read(path)
            .map(Zeroizing::new)
            .map_err(|source| TokenFileError::Unreadable {
                path: path.to_path_buf(),
                source,
            })?;
    // Not UTF-8 cannot be a token; the parse error says what a token looks like.
    let text = std::str::from_utf8(&text).unwrap_or_default();
    let token = PickupToken::parse(text).map_err(|source| TokenFileError::Malformed {
        path: path.to_path_buf(),
        source,
    })?;
    files::warn_if_exposed(path, "a pickup token");
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_is_private_reads_back_and_is_not_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sub/pickup.token");
        let token = write_new_token(&path, false).expect("written");
        assert_eq!(files::exposed_mode(&path), None);
        let read = read_token_file(&path).expect("reads back");
        assert_eq!(read.hash(), token.hash());

        let refused = write_new_token(&path, false).expect_err("exists");
        assert!(refused.to_string().contains("--force"), "{refused}");
        assert_eq!(
            read_token_file(&path).expect("unchanged").hash(),
            token.hash()
        );
        let replaced = write_new_token(&path, true).expect("forced");
        assert_ne!(replaced.hash(), token.hash());
    }

    #[test]
    fn missing_and_malformed_token_files_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = read_token_file(&dir.path().join("nope")).expect_err("missing");
        assert!(matches!(missing, TokenFileError::Unreadable { .. }));
        assert!(
            missing.to_string().contains("sealform token new"),
            "{missing}"
        );
        for text in ["", "hello", "sealform_pickup_short", "\u{FF}\u{FE}"] {
            let path = dir.path().join("bad");
            std::fs::write(&path, text).expect("write");
            let error = read_token_file(&path).expect_err(text);
            assert!(
                matches!(error, TokenFileError::Malformed { .. }),
                "{text:?}"
            );
        }
    }
}
