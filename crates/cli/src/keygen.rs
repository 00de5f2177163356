//! `sealform keygen`: makes the firm's key pair — the private key (encrypted, mode 0600) that opens submissions, and
//! the public key in the two forms a form config and other tools take — and says what to paste where.

use std::io;
use std::path::{Path, PathBuf};

use rand_core::OsRng;
use sealform_core::key::{Identity, KeyError, Kid, DEFAULT_KEY_BITS, MAX_KEY_BITS, MIN_KEY_BITS};

use crate::cli::KeygenArgs;
use crate::error::{Error, Exit};
use crate::files::{self, PRIVATE_FILE, PUBLIC_FILE};
use crate::passphrase::{Passphrase, Source};

/// The longest `--name` accepted: file names stay readable and well under any file system's limit.
const MAX_NAME_LEN: usize = 64;

/// What to do, checked: made from `keygen`'s options ([`Plan::from_args`]) or for the demo ([`Plan::demo`]), so
/// no caller hands keygen unchecked options.
#[derive(Debug)]
pub(crate) struct Plan {
    bits: usize,
    dir: PathBuf,
    private: PathBuf,
    jwk: PathBuf,
    spki: PathBuf,
    /// `None`: write the private key unencrypted (`--unencrypted-demo-key`).
    passphrase: Option<Source>,
    force: bool,
}

impl Plan {
    /// The plan for `sealform keygen`'s options.
    fn from_args(args: KeygenArgs) -> Result<Self, Error> {
        let passphrase = (!args.unencrypted_demo_key).then(|| Source::from_args(args.passphrase));
        Self::new(args.out, &args.name, args.bits, passphrase, args.force)
    }

    /// The plan for `sealform demo`'s key: `dir/name.*`, the default size, unencrypted, never replacing a file.
    pub(crate) fn demo(dir: &Path, name: &str) -> Result<Self, Error> {
        Self::new(dir.to_path_buf(), name, DEFAULT_KEY_BITS, None, false)
    }

    fn new(
        dir: PathBuf,
        name: &str,
        bits: usize,
        passphrase: Option<Source>,
        force: bool,
    ) -> Result<Self, Error> {
        if !(MIN_KEY_BITS..=MAX_KEY_BITS).contains(&bits) {
            return Err(Error::usage(format!(
                "--bits {bits}: {}; use 3072 (the default) or 4096",
                KeyError::BadSize { bits }
            )));
        }
        check_name(name)?;
        let file = |suffix: &str| dir.join(format!("{name}.{suffix}"));
        Ok(Self {
            bits,
            private: file("private.pem"),
            jwk: file("public.jwk"),
            spki: file("public.pem"),
            dir,
            passphrase,
            force,
        })
    }
}

/// A name that makes plain file names: letters, digits, `-`, `_` and `.`, not starting with a dot.
fn check_name(name: &str) -> Result<(), Error> {
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if name.is_empty() || name.len() > MAX_NAME_LEN || !plain || name.starts_with('.') {
        return Err(Error::usage(format!(
            "--name {name:?}: use up to {MAX_NAME_LEN} letters, digits, '-', '_' or '.', not starting with '.' \
             (e.g. --name firm or --name backup-2026)"
        )));
    }
    Ok(())
}

/// Runs `sealform keygen`.
pub(crate) fn run(args: KeygenArgs) -> Result<Exit, Error> {
    let plan = Plan::from_args(args)?;
    let (identity, encrypted) = make(&plan)?;
    report(&plan, &identity, encrypted)?;
    Ok(Exit::Success)
}

/// Makes a key pair for `sealform demo`: written exactly as `keygen` writes it, with its warning about the
/// unencrypted private key, but without keygen's instructions (the demo does those steps itself).
pub(crate) fn make_for_demo(plan: &Plan) -> Result<(), Error> {
    let (_, encrypted) = make(plan)?;
    if !encrypted {
        warn_unencrypted(plan);
    }
    Ok(())
}

/// Generates the key and writes its three files; says whether the private key is encrypted.
fn make(plan: &Plan) -> Result<(Identity, bool), Error> {
    // Checked before the slow key generation and before asking for a passphrase; writing checks again.
    if !plan.force {
        for path in [&plan.private, &plan.jwk, &plan.spki] {
            if path.symlink_metadata().is_ok() {
                return Err(exists(path));
            }
        }
    }
    let passphrase: Option<Passphrase> = plan
        .passphrase
        .as_ref()
        .map(|source| source.new_passphrase(&plan.private))
        .transpose()?;

    files::create_private_dir_all(&plan.dir).map_err(|e| {
        Error::usage(format!(
            "could not create the folder {}: {e}; choose another with --out",
            plan.dir.display()
        ))
    })?;
    eprintln!(
        "Generating a {}-bit RSA key; this can take a few seconds…",
        plan.bits
    );
    let identity = Identity::generate(&mut OsRng, plan.bits)
        .map_err(|e| Error::usage(format!("could not generate the key: {e}")))?;
    let private_pem = match &passphrase {
        Some(passphrase) => identity.to_encrypted_pem(&mut OsRng, passphrase.as_bytes()),
        None => identity.to_unencrypted_pem(),
    }
    .map_err(|e| Error::failed(format!("could not write the private key: {e}")))?;
    let recipient = identity.recipient();
    let jwk = recipient.to_jwk();
    let spki = recipient
        .to_spki_pem()
        .map_err(|e| Error::failed(format!("could not write the public key: {e}")))?;

    // The private key first: public keys without it would be worse than useless.
    write(plan, &plan.private, private_pem.as_bytes(), PRIVATE_FILE)?;
    write(plan, &plan.jwk, format!("{jwk}\n").as_bytes(), PUBLIC_FILE)?;
    write(plan, &plan.spki, spki.as_bytes(), PUBLIC_FILE)?;
    Ok((identity, passphrase.is_some()))
}

/// Prints what was written and what to do with it.
fn report(plan: &Plan, identity: &Identity, encrypted: bool) -> Result<(), Error> {
    let recipient = identity.recipient();
    let jwk = recipient.to_jwk();
    let protection = if encrypted {
        "encrypted with your passphrase"
    } else {
        "NOT encrypted"
    };
    let kid = identity.kid();
    crate::print(&format!(
        "Wrote {private}  private key, {protection}, readable only by you: keep it and a backup safe\n\
         Wrote {jwk_path}   public key (JWK)\n\
         Wrote {spki_path}   public key (PEM)\n\
         \n\
         Key id (fingerprint): {kid}\n\
         Short fingerprint:    {short}   (the form shows this: check it matches)\n\
         \n\
         Add this to the \"recipients\" list in the form config:\n\
         {jwk}\n\
         \n\
         Pin the form to this key on the embed script tag of your web page (with a backup key, add its\n\
         key id too, after a comma):\n\
         {pin}\n",
        private = plan.private.display(),
        jwk_path = plan.jwk.display(),
        spki_path = plan.spki.display(),
        short = kid.short(),
        pin = embed_tag(kid),
    ))?;
    if !encrypted {
        warn_unencrypted(plan);
    }
    Ok(())
}

fn warn_unencrypted(plan: &Plan) {
    crate::error::warn(&format!(
        "{} is NOT encrypted: anyone who can read it can open every submission sealed to this key. Use it only \
         for demos and tests; for real clients run keygen without --unencrypted-demo-key",
        plan.private.display()
    ));
}

/// The embed tag with this key's pin: the form then refuses a config that seals to any key not pinned. With a
/// second (backup) key in the config, both kids go in `data-pin`, separated by a comma.
fn embed_tag(kid: &Kid) -> String {
    format!(
        "<script src=\"https://forms.example/embed.js\" data-sealform data-pin=\"{}\"></script>",
        kid.as_str()
    )
}

/// Writes one key file: never over an existing one unless `--force`, and then in one step.
fn write(plan: &Plan, path: &Path, bytes: &[u8], mode: u32) -> Result<(), Error> {
    let written = if plan.force {
        files::replace(path, bytes, mode)
    } else {
        files::write_new(path, bytes, mode, files::Fsync::Now)
    };
    written.map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => exists(path),
        _ => Error::failed(format!("could not write {}: {e}", path.display())),
    })
}

fn exists(path: &Path) -> Error {
    Error::usage(format!(
        "{} already exists: nothing was written. Choose another --out or --name, or add --force to replace it \
         (submissions sealed to the old key can then no longer be opened)",
        path.display()
    ))
}
