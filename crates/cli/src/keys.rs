//! The firm's private keys for `sealform open` and `recover`: key files (asking for a passphrase when a key is
//! encrypted, warning when a file is readable by others), keys rebuilt from recovery shares, and keys on a token;
//! and what to do when a file is not the right key or share.

use std::fs;
use std::path::Path;

use std::path::PathBuf;

use rand_core::CryptoRngCore;
use sealform_core::key::{AwsLcIdentity, Identity, KeyError, KeyUnwrap, Kid};
use zeroize::Zeroizing;

use crate::cli::Pkcs11Args;
use crate::error::Error;
use crate::files;
use crate::passphrase::Source;
use crate::pkcs11::{Token, TokenKey};
use crate::shares::{self, CombineError, Share};

/// The largest share file read: a sheet of a 8192-bit key's share is a few kilobytes.
const MAX_SHARE_FILE: u64 = 64 * 1024;

/// How many times a passphrase may be typed at the terminal before giving up.
const TERMINAL_ATTEMPTS: u32 = 3;

/// Reads a private key, asking for its passphrase if it is encrypted.
pub(crate) fn load_key(path: &Path, source: &Source) -> Result<Identity, Error> {
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

/// Reads a private key as [`load_key`] does, for opening with AWS-LC.
pub(crate) fn load_native_key(path: &Path, source: &Source) -> Result<AwsLcIdentity, Error> {
    let identity = load_key(path, source)?;
    AwsLcIdentity::new(&identity).map_err(|e| {
        Error::usage(format!(
            "the private key {} could not be used: {e}",
            path.display()
        ))
    })
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

/// Rebuilds a private key in memory from recovery share files (`recover --share`, `open --share`). Says which
/// file, and which line of it, is wrong where that can be told; never gives a key other than the one the shares
/// name.
pub(crate) fn load_shares(paths: &[PathBuf]) -> Result<Identity, Error> {
    let mut shares = Vec::with_capacity(paths.len());
    for path in paths {
        shares.push((path.display().to_string(), read_share(path)?));
    }
    shares::combine(&shares).map_err(|e| {
        Error::usage(match e {
            CombineError::TooFew { .. } => format!("{e}; give each with --share"),
            _ => format!("{e}. Use another share, or correct this one from its printed sheet"),
        })
    })
}

/// Reads and checks one share file.
fn read_share(path: &Path) -> Result<Share, Error> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::usage(format!(
            "could not read the share {}: {e}; check the path given to --share",
            path.display()
        ))
    };
    let size = fs::metadata(path).map_err(|e| unreadable(&e))?.len();
    if size > MAX_SHARE_FILE {
        return Err(Error::usage(format!(
            "{} is not a recovery share: it is {} long, and a share's sheet is a few kilobytes",
            path.display(),
            files::bytes(size)
        )));
    }
    let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| unreadable(&e))?);
    files::warn_if_exposed(path, "a recovery share");
    Share::parse(&text).map_err(|e| {
        Error::usage(format!(
            "the share {}: {e}. Correct it from the printed sheet (or its QR code), or use another share",
            path.display()
        ))
    })
}

/// A key `open` opens with: a key file's or one rebuilt from shares, used through AWS-LC, or one on a token.
#[derive(Debug)]
pub(crate) enum OpeningKey {
    /// Held in memory, the private-key operation done by AWS-LC.
    Memory(AwsLcIdentity),
    /// Held on a PKCS#11 token, the private-key operation done there.
    Token(TokenKey),
}

impl KeyUnwrap for OpeningKey {
    fn kid(&self) -> &Kid {
        match self {
            Self::Memory(key) => key.kid(),
            Self::Token(key) => key.kid(),
        }
    }

    fn unwrap_key(
        &self,
        rng: &mut dyn CryptoRngCore,
        wrapped: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        match self {
            Self::Memory(key) => key.unwrap_key(rng, wrapped),
            Self::Token(key) => key.unwrap_key(rng, wrapped),
        }
    }
}

/// Every key `open` was given: key files, the key its shares rebuild, the keys on its token. Fails, before any
/// bundle is read, on the first that cannot be used.
pub(crate) fn opening_keys(
    paths: &[PathBuf],
    source: &Source,
    shares: &[PathBuf],
    token: &Pkcs11Args,
) -> Result<Vec<OpeningKey>, Error> {
    let mut keys = paths
        .iter()
        .map(|path| load_native_key(path, source).map(OpeningKey::Memory))
        .collect::<Result<Vec<_>, _>>()?;
    if !shares.is_empty() {
        let rebuilt = load_shares(shares)?;
        keys.push(OpeningKey::Memory(AwsLcIdentity::new(&rebuilt).map_err(
            |e| {
                Error::usage(format!(
                    "the key rebuilt from the shares could not be used: {e}"
                ))
            },
        )?));
    }
    if let Some(module) = &token.pkcs11 {
        let token = Token::open(token, module, false)?;
        keys.extend(token.keys()?.into_iter().map(OpeningKey::Token));
    }
    Ok(keys)
}
