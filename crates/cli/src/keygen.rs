//! `sealform keygen`: makes the firm's key pair — the private key (encrypted, mode 0600) that opens submissions, and
//! the public key in the two forms a form config and other tools take — and says what to paste where.

use std::io;
use std::path::{Path, PathBuf};

use rand_core::OsRng;
use sealform_core::key::{Identity, KeyError, Kid, DEFAULT_KEY_BITS, MAX_KEY_BITS, MIN_KEY_BITS};

use crate::cli::{KeygenArgs, Pkcs11Args};
use crate::error::{Error, Exit};
use crate::files::{self, PRIVATE_FILE, PUBLIC_FILE};
use crate::passphrase::{Passphrase, Source};
use crate::pkcs11::Token;
use crate::shares::{self, MAX_SHARES};
use crate::sheet;

/// The longest `--name` accepted: file names stay readable and well under any file system's limit.
const MAX_NAME_LEN: usize = 64;

/// What to do, checked: made from `keygen`'s options ([`Plan::from_args`]) or for the demo ([`Plan::demo`]), so
/// no caller hands keygen unchecked options.
#[derive(Debug)]
pub(crate) struct Plan {
    bits: usize,
    /// `--name`: what the key files are called, and the key's label on a token.
    name: String,
    dir: PathBuf,
    private: PathBuf,
    jwk: PathBuf,
    spki: PathBuf,
    /// `None`: write the private key unencrypted (`--unencrypted-demo-key`), or not at all (`shares`).
    passphrase: Option<Source>,
    /// `--shares`: the private key is split into recovery shares and never written whole.
    shares: Option<SharePlan>,
    /// `--pkcs11`: the key is generated on this token and only its public half is written.
    token: Option<Pkcs11Args>,
    force: bool,
}

/// Recovery shares to write instead of the private key: `threshold` of `count`, each as a text file and an HTML
/// sheet.
#[derive(Debug)]
struct SharePlan {
    threshold: u8,
    count: u8,
    /// For share number i + 1: its text file and its HTML sheet.
    files: Vec<(PathBuf, PathBuf)>,
}

impl SharePlan {
    fn new(dir: &Path, name: &str, threshold: u8, count: u8) -> Result<Self, Error> {
        if !(2..=MAX_SHARES).contains(&count) || !(2..=count).contains(&threshold) {
            return Err(Error::usage(format!(
                "--shares {count} --threshold {threshold}: use 2 to {MAX_SHARES} shares and a threshold from 2 to \
                 the number of shares (e.g. --shares 5 --threshold 3)"
            )));
        }
        let files = (1..=count)
            .map(|i| {
                let stem = format!("{name}.share-{i}-of-{count}");
                (
                    dir.join(format!("{stem}.txt")),
                    dir.join(format!("{stem}.html")),
                )
            })
            .collect();
        Ok(Self {
            threshold,
            count,
            files,
        })
    }
}

impl Plan {
    /// The plan for `sealform keygen`'s options.
    fn from_args(args: KeygenArgs) -> Result<Self, Error> {
        if args.token.pkcs11.is_some() {
            return Self::on_token(args);
        }
        let split = args.shares.zip(args.threshold);
        let passphrase = (!args.unencrypted_demo_key && split.is_none())
            .then(|| Source::from_args(args.passphrase));
        let mut plan = Self::new(args.out, &args.name, args.bits, passphrase, args.force)?;
        if let Some((count, threshold)) = split {
            plan.shares = Some(SharePlan::new(&plan.dir, &args.name, threshold, count)?);
        }
        Ok(plan)
    }

    /// The plan for `keygen --pkcs11`: nothing but the public key is written, and nothing is replaced.
    fn on_token(args: KeygenArgs) -> Result<Self, Error> {
        let passphrase = &args.passphrase;
        if args.shares.is_some()
            || args.unencrypted_demo_key
            || args.force
            || passphrase.passphrase_file.is_some()
            || passphrase.passphrase_env.is_some()
        {
            return Err(Error::usage(
                "--pkcs11 makes the key on the token, where no file holds it: it cannot be combined with \
                 --shares, --unencrypted-demo-key, --force or a passphrase (the token's PIN protects it; give it \
                 with --pin-file or --pin-env)",
            ));
        }
        let mut plan = Self::new(args.out, &args.name, args.bits, None, false)?;
        plan.token = Some(args.token);
        Ok(plan)
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
            name: name.to_owned(),
            dir,
            passphrase,
            shares: None,
            token: None,
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
    if let Some(token) = &plan.token {
        return make_on_token(&plan, token);
    }
    let (identity, encrypted) = make(&plan)?;
    match &plan.shares {
        Some(shares) => report_shares(&plan, shares, &identity)?,
        None => report(&plan, &identity, encrypted)?,
    }
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
        for path in plan.files() {
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

    plan.create_dir()?;
    eprintln!(
        "Generating a {}-bit RSA key; this can take a few seconds…",
        plan.bits
    );
    let identity = Identity::generate(&mut OsRng, plan.bits)
        .map_err(|e| Error::usage(format!("could not generate the key: {e}")))?;
    let recipient = identity.recipient();
    let jwk = recipient.to_jwk();
    let spki = recipient
        .to_spki_pem()
        .map_err(|e| Error::failed(format!("could not write the public key: {e}")))?;

    // The private key (or its shares) first: public keys without it would be worse than useless.
    match &plan.shares {
        Some(shares) => write_shares(plan, shares, &identity)?,
        None => {
            let private_pem = match &passphrase {
                Some(passphrase) => identity.to_encrypted_pem(&mut OsRng, passphrase.as_bytes()),
                None => identity.to_unencrypted_pem(),
            }
            .map_err(|e| Error::failed(format!("could not write the private key: {e}")))?;
            write(plan, &plan.private, private_pem.as_bytes(), PRIVATE_FILE)?;
        }
    }
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

impl Plan {
    /// Creates `--out` (readable only by you) if it is missing.
    fn create_dir(&self) -> Result<(), Error> {
        files::create_private_dir_all(&self.dir).map_err(|e| {
            Error::usage(format!(
                "could not create the folder {}: {e}; choose another with --out",
                self.dir.display()
            ))
        })
    }

    /// Every file this plan writes.
    fn files(&self) -> Vec<&Path> {
        let mut files = vec![self.jwk.as_path(), self.spki.as_path()];
        match &self.shares {
            Some(shares) => files.extend(
                shares
                    .files
                    .iter()
                    .flat_map(|(text, html)| [text.as_path(), html.as_path()]),
            ),
            None => files.push(&self.private),
        }
        files
    }
}

/// `keygen --pkcs11`: generates the key on the token and writes its public half.
fn make_on_token(plan: &Plan, args: &Pkcs11Args) -> Result<Exit, Error> {
    for path in [&plan.jwk, &plan.spki] {
        if path.symlink_metadata().is_ok() {
            return Err(exists(path));
        }
    }
    let Some(module) = &args.pkcs11 else {
        return Err(Error::usage("--pkcs11 names no module"));
    };
    let token = Token::open(args, module, true)?;
    plan.create_dir()?;
    eprintln!(
        "Generating a {}-bit RSA key on the token {}; this can take a while…",
        plan.bits,
        token.label()
    );
    let name = plan.name.as_str();
    let recipient = token.generate(plan.bits, name)?;
    let spki = recipient
        .to_spki_pem()
        .map_err(|e| Error::failed(format!("could not write the public key: {e}")))?;
    write(
        plan,
        &plan.jwk,
        format!("{}\n", recipient.to_jwk()).as_bytes(),
        PUBLIC_FILE,
    )?;
    write(plan, &plan.spki, spki.as_bytes(), PUBLIC_FILE)?;
    let kid = recipient.kid();
    crate::print(&format!(
        "Made the private key on the token {token}, labelled \"{name}\": it cannot be copied off the token\n\
         Wrote {jwk_path}   public key (JWK)\n\
         Wrote {spki_path}   public key (PEM)\n\
         \n\
         Key id (fingerprint): {kid}\n\
         Short fingerprint:    {short}\n\
         \n\
         Add this to the \"recipients\" list in the form config, and its key id to the embed tag's data-pin:\n\
         {jwk}\n\
         \n\
         Open with: sealform open --pkcs11 {module} --token \"{token}\" …\n",
        token = token.label(),
        jwk_path = plan.jwk.display(),
        spki_path = plan.spki.display(),
        short = kid.short(),
        jwk = recipient.to_jwk(),
        module = module.display(),
    ))?;
    Ok(Exit::Success)
}

/// Splits the private key and writes each share's text file and sheet (readable only by you: each goes to its
/// keeper, and no one person should hold enough of them).
fn write_shares(plan: &Plan, shares: &SharePlan, identity: &Identity) -> Result<(), Error> {
    let split = shares::split(identity, shares.threshold, shares.count).map_err(Error::failed)?;
    for (share, (text, html)) in split.iter().zip(&shares.files) {
        write(
            plan,
            text,
            sheet::text(share, &plan.name).as_bytes(),
            PRIVATE_FILE,
        )?;
        write(
            plan,
            html,
            sheet::html(share, &plan.name).as_bytes(),
            PRIVATE_FILE,
        )?;
    }
    Ok(())
}

/// Prints what was written and what to do with the shares.
fn report_shares(plan: &Plan, shares: &SharePlan, identity: &Identity) -> Result<(), Error> {
    let kid = identity.kid();
    let files: String = shares
        .files
        .iter()
        .enumerate()
        .map(|(i, (text, html))| {
            format!(
                "Wrote {}  and {}  share {} of {}\n",
                text.display(),
                html.display(),
                i + 1,
                shares.count
            )
        })
        .collect();
    crate::print(&format!(
        "{files}\
         Wrote {jwk_path}   public key (JWK)\n\
         Wrote {spki_path}   public key (PEM)\n\
         \n\
         The private key was NOT written: any {m} of the {n} shares rebuild it (`sealform recover`). Print each\n\
         sheet (the .html file), give each to a different person, then delete the share files from this computer.\n\
         \n\
         Key id (fingerprint): {kid}\n\
         Short fingerprint:    {short}\n\
         \n\
         Add this to the \"recipients\" list in the form config, and its key id to the embed tag's data-pin:\n\
         {jwk}\n",
        jwk_path = plan.jwk.display(),
        spki_path = plan.spki.display(),
        m = shares.threshold,
        n = shares.count,
        short = kid.short(),
        jwk = identity.recipient().to_jwk(),
    ))
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
