//! `sealform recover`: rebuilds a private key from its recovery shares and writes it encrypted with a new
//! passphrase, after checking that it is the key the shares name.

use std::io;

use rand_core::OsRng;

use crate::cli::RecoverArgs;
use crate::error::{Error, Exit};
use crate::files::{self, PRIVATE_FILE};
use crate::keys;
use crate::passphrase::Source;

/// Runs `sealform recover`.
pub(crate) fn run(args: RecoverArgs) -> Result<Exit, Error> {
    let out = args.out;
    // Checked before the shares are read and a passphrase asked for; writing checks again.
    if out.symlink_metadata().is_ok() {
        return Err(exists(&out));
    }
    let identity = keys::load_shares(&args.shares)?;
    let passphrase = Source::from_args(args.passphrase).new_passphrase(&out)?;
    let pem = identity
        .to_encrypted_pem(&mut OsRng, passphrase.as_bytes())
        .map_err(|e| Error::failed(format!("could not encrypt the rebuilt key: {e}")))?;
    files::write_new(&out, pem.as_bytes(), PRIVATE_FILE, files::Fsync::Now).map_err(|e| match e
        .kind()
    {
        io::ErrorKind::AlreadyExists => exists(&out),
        _ => Error::failed(format!("could not write {}: {e}", out.display())),
    })?;
    let kid = identity.kid();
    crate::print(&format!(
        "Wrote {}  private key, encrypted with your passphrase, readable only by you\n\
         \n\
         Key id (fingerprint): {kid}\n\
         Short fingerprint:    {}   (the key the shares name: check it is in your form config)\n",
        out.display(),
        kid.short(),
    ))?;
    Ok(Exit::Success)
}

fn exists(path: &std::path::Path) -> Error {
    Error::usage(format!(
        "{} already exists: nothing was written. Give --out a new file name",
        path.display()
    ))
}
