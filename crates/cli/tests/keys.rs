//! Key custody end to end: a backup key split into recovery shares (`keygen --shares`), rebuilt (`recover`) or
//! used straight from its shares (`open --share`); a key replaced while bundles sealed to the old one wait
//! (`open` with several keys, `inspect --kids`); a key held on a PKCS#11 token (SoftHSM2), when one is installed.

// Shared with the other test binaries; this one uses only some of the helpers.
#[allow(dead_code)]
mod util;

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use sealform_core::key::{Identity, Recipient};
use serde_json::Value;
use util::*;

const PASSPHRASE: &str = "correct horse battery staple";

/// `keygen --shares COUNT --threshold THRESHOLD` of a 2048-bit key named backup in `dir/keys`: the share files
/// and the public key.
fn split_key(dir: &Path, threshold: u8, count: u8) -> Result<(Vec<PathBuf>, Recipient), String> {
    let keys = dir.join("keys");
    let run = sealform(&[
        "keygen".as_ref(),
        "--out".as_ref(),
        keys.as_os_str(),
        "--name".as_ref(),
        "backup".as_ref(),
        "--bits".as_ref(),
        "2048".as_ref(),
        "--shares".as_ref(),
        count.to_string().as_ref(),
        "--threshold".as_ref(),
        threshold.to_string().as_ref(),
    ])
    .expect_code(0);
    assert!(run.stdout.contains("NOT written"), "{}", run.stdout);
    let jwk = fs::read_to_string(keys.join("backup.public.jwk")).map_err(|e| e.to_string())?;
    let shares = (1..=count)
        .map(|i| keys.join(format!("backup.share-{i}-of-{count}.txt")))
        .collect();
    Ok((
        shares,
        Recipient::from_jwk(&jwk).map_err(|e| e.to_string())?,
    ))
}

/// `ARGS --share S…`, as OS strings.
fn with_shares(args: &[&str], shares: &[&PathBuf]) -> Vec<OsString> {
    let mut all: Vec<OsString> = args.iter().map(OsString::from).collect();
    for share in shares {
        all.push("--share".into());
        all.push(share.into());
    }
    all
}

#[test]
fn shares_rebuild_the_key_that_opens_what_was_sealed_to_it_and_fewer_do_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (shares, recipient) = split_key(dir.path(), 3, 4).expect("keygen --shares");
    let keys = dir.path().join("keys");
    // The private key is never written; every share and sheet is readable only by its owner.
    let written = names_in(&keys);
    assert!(
        !written.iter().any(|n| n.contains("private")),
        "{written:?}"
    );
    assert_eq!(written.len(), 2 + 2 * 4, "{written:?}");
    for name in &written {
        if name.contains("share") {
            assert_eq!(mode(&keys.join(name)), 0o600, "{name}");
        }
    }
    let sheet = fs::read_to_string(keys.join("backup.share-2-of-4.html")).expect("sheet");
    assert!(sheet.contains("<svg"), "the sheet has a QR code");
    assert!(
        sheet.contains(recipient.kid().as_str()),
        "the sheet names the key"
    );
    let text = fs::read_to_string(&shares[0]).expect("share");
    assert!(
        text.contains("share 1 of 4") && text.contains("any 3 of the 4"),
        "{text}"
    );

    let bundle = dir.path().join("client.bundle");
    seal_sample(&bundle, std::slice::from_ref(&recipient), "keys-1", &[]);

    // Every 3 of the 4 shares open the bundle, the key rebuilt in memory only.
    for left_out in 0..4 {
        let three: Vec<&PathBuf> = (0..4)
            .filter(|&i| i != left_out)
            .map(|i| &shares[i])
            .collect();
        let mut args = with_shares(&["open"], &three);
        args.push(bundle.clone().into());
        let run = sealform(&args).expect_code(0);
        assert!(run.stdout.contains("keys-1"), "{}", run.stdout);
    }
    // Two are not enough, and say how many are.
    let mut args = with_shares(&["open"], &[&shares[0], &shares[3]]);
    args.push(bundle.clone().into());
    sealform(&args)
        .expect_code(2)
        .expect_stderr(&["2 of the 3 shares needed"]);

    // recover writes the key encrypted; it is the same key, and opens the bundle.
    let out = dir.path().join("backup.private.pem");
    let args = with_shares(
        &[
            "recover",
            "--passphrase-env",
            "SF_PASS",
            "--out",
            out.to_str().expect("utf-8"),
        ],
        &[&shares[3], &shares[1], &shares[0]],
    );
    let run = sealform_with(&args, &[("SF_PASS", PASSPHRASE)], None).expect_code(0);
    assert!(
        run.stdout.contains(recipient.kid().as_str()),
        "{}",
        run.stdout
    );
    assert_eq!(mode(&out), 0o600);
    let pem = fs::read_to_string(&out).expect("key written");
    assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    let rebuilt = Identity::from_pkcs8_pem(&pem, Some(PASSPHRASE.as_bytes())).expect("decrypts");
    assert_eq!(rebuilt.kid(), recipient.kid());
    let run = sealform_with(
        &[
            "open".as_ref(),
            "--passphrase-env".as_ref(),
            "SF_PASS".as_ref(),
            "--key".as_ref(),
            out.as_os_str(),
            bundle.as_os_str(),
        ],
        &[("SF_PASS", PASSPHRASE)],
        None,
    )
    .expect_code(0);
    assert!(run.stdout.contains("keys-1"), "{}", run.stdout);

    // No share file holds any line of the private key's PEM or base64 of its secret prime.
    let prime = data_encoding::BASE32_NOPAD.encode(&rebuilt.secret_prime());
    let unencrypted = rebuilt.to_unencrypted_pem().expect("pem");
    for share in &shares {
        let text = fs::read_to_string(share)
            .expect("share")
            .replace([' ', '\n'], "");
        assert!(!text.contains(&prime[..32]), "{}", share.display());
        for line in unencrypted.lines().filter(|l| l.len() > 40) {
            assert!(!text.contains(line), "{}", share.display());
        }
    }
}

#[test]
fn a_mistyped_share_is_named_with_its_line_and_no_key_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (shares, _) = split_key(dir.path(), 2, 3).expect("keygen --shares");
    let text = fs::read_to_string(&shares[1]).expect("share");
    // One character of data line 05 flipped, as a person might mistype it from paper.
    let line = text
        .lines()
        .find(|l| l.starts_with("05  "))
        .expect("line 05");
    let at = 4;
    let typo = if &line[at..=at] == "Q" { "R" } else { "Q" };
    let typed = dir.path().join("typed.txt");
    fs::write(
        &typed,
        text.replacen(
            line,
            &format!("{}{typo}{}", &line[..at], &line[at + 1..]),
            1,
        ),
    )
    .expect("write");
    let out = dir.path().join("backup.private.pem");
    let args = with_shares(
        &[
            "recover",
            "--passphrase-env",
            "SF_PASS",
            "--out",
            out.to_str().expect("utf-8"),
        ],
        &[&shares[0], &typed],
    );
    sealform_with(&args, &[("SF_PASS", PASSPHRASE)], None)
        .expect_code(2)
        .expect_stderr(&["typed.txt", "line 5 is mistyped"]);
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------------------------------------------
// Replacing a key
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn during_a_key_change_both_keys_open_the_batch_and_inspect_says_which_are_needed() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The core test keys: "firm" is the old key, "stranger" the new one.
    let (old, new) = (identity("firm"), identity("stranger"));
    let inbox = dir.path().join("inbox");
    fs::create_dir(&inbox).expect("inbox");
    let sealed = [
        ("old", vec![old.recipient().clone()]),
        (
            "both",
            vec![old.recipient().clone(), new.recipient().clone()],
        ),
        ("new", vec![new.recipient().clone()]),
    ];
    for (name, recipients) in &sealed {
        seal_sample(&inbox.join(format!("{name}.bundle")), recipients, name, &[]);
    }
    let old_key = key_file(dir.path(), "firm", 0o600);
    let new_key = key_file(dir.path(), "stranger", 0o600);

    let needs = sealform(&[
        "inspect".as_ref(),
        "--kids".as_ref(),
        "--json".as_ref(),
        inbox.as_os_str(),
    ])
    .expect_code(0);
    let needs: Value = serde_json::from_str(&needs.stdout).expect("JSON");
    assert_eq!(needs["bundles"], 3);
    let kid = |identity: &Identity, field: &str| {
        needs["kids"]
            .as_array()
            .expect("kids")
            .iter()
            .find(|k| k["kid"] == identity.kid().as_str())
            .map(|k| k[field].clone())
    };
    assert_eq!(kid(&old, "bundles"), Some(2.into()));
    assert_eq!(kid(&old, "only_key_for"), Some(1.into()));
    assert_eq!(kid(&new, "only_key_for"), Some(1.into()));
    assert_eq!(needs["sealed_for"].as_array().expect("groups").len(), 3);

    // With both keys, every bundle opens, each with the key it was sealed to.
    let out = dir.path().join("opened");
    let run = sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        old_key.as_os_str(),
        "--key".as_ref(),
        new_key.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        inbox.as_os_str(),
    ])
    .expect_code(0);
    assert_eq!(run.stdout.matches("Opened").count(), 3, "{}", run.stdout);
    // With the new key alone, the bundle sealed only to the old one is named, and the rest open.
    let run = sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        new_key.as_os_str(),
        inbox.as_os_str(),
    ])
    .expect_code(1)
    .expect_stderr(&["old.bundle"]);
    assert!(
        run.stdout.contains("\"both\"") && run.stdout.contains("\"new\""),
        "{}",
        run.stdout
    );

    // Once the bundle sealed only to the old key has been opened and moved out, no bundle needs it alone.
    fs::remove_file(inbox.join("old.bundle")).expect("remove");
    let run = sealform(&["inspect".as_ref(), "--kids".as_ref(), inbox.as_os_str()]).expect_code(0);
    assert!(
        run.stdout
            .contains(&format!("{}  1 bundle, 0 sealed to it alone", old.kid())),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------------------------
// A key on a PKCS#11 token (SoftHSM2)
// ---------------------------------------------------------------------------------------------------------------

/// Debian's SoftHSM2 module (package softhsm2, installed by scripts/setup.sh).
const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "314159";

/// A SoftHSM2 token in a folder of its own: its config file, for SOFTHSM2_CONF.
fn softhsm_token(dir: &Path, label: &str) -> Result<PathBuf, String> {
    let tokens = dir.join("tokens");
    fs::create_dir(&tokens).map_err(|e| e.to_string())?;
    let conf = dir.join("softhsm2.conf");
    fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .map_err(|e| e.to_string())?;
    let status = std::process::Command::new("softhsm2-util")
        .args([
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            PIN,
            "--so-pin",
            "271828",
        ])
        .env("SOFTHSM2_CONF", &conf)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("softhsm2-util did not run ({e}): run scripts/setup.sh"))?;
    if !status.success() || !Path::new(SOFTHSM_MODULE).exists() {
        return Err(format!(
            "SoftHSM2 is not usable ({status}): run scripts/setup.sh"
        ));
    }
    Ok(conf)
}

#[test]
fn a_key_made_on_a_token_stays_there_and_opens_what_is_sealed_to_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let conf = softhsm_token(dir.path(), "sealform-test").expect("a SoftHSM2 token");
    let conf = conf.to_str().expect("utf-8");
    let env = [("SOFTHSM2_CONF", conf), ("SF_PIN", PIN)];
    let keys = dir.path().join("keys");
    let token_args = [
        "--pkcs11",
        SOFTHSM_MODULE,
        "--token",
        "sealform-test",
        "--pin-env",
        "SF_PIN",
    ];
    let mut args = vec![
        "keygen",
        "--out",
        keys.to_str().expect("utf-8"),
        "--name",
        "token",
        "--bits",
        "2048",
    ];
    args.extend(token_args);
    let run = sealform_with(&args, &env, None).expect_code(0);
    assert!(
        run.stdout.contains("cannot be copied off the token"),
        "{}",
        run.stdout
    );
    assert_eq!(names_in(&keys), ["token.public.jwk", "token.public.pem"]);
    let recipient =
        Recipient::from_jwk(&fs::read_to_string(keys.join("token.public.jwk")).expect("jwk"))
            .expect("a JWK");

    // The token itself says the private key is sensitive and was never extractable.
    std::env::set_var("SOFTHSM2_CONF", conf);
    assert_eq!(token_key_flags(), Ok((true, false)));

    // Sealed to the token's key (as the form seals), opened through the token, beside a key file.
    let bundle = dir.path().join("client.bundle");
    seal_sample(
        &bundle,
        &[identity("firm").recipient().clone(), recipient],
        "token-1",
        &[],
    );
    let other = dir.path().join("only-firm.bundle");
    seal_sample(
        &other,
        &[identity("firm").recipient().clone()],
        "firm-1",
        &[],
    );
    let mut args = vec!["open", bundle.to_str().expect("utf-8")];
    args.extend(token_args);
    let run = sealform_with(&args, &env, None).expect_code(0);
    assert!(run.stdout.contains("token-1"), "{}", run.stdout);
    // What is not sealed to it is refused, naming the key the token holds.
    let mut args = vec!["open", other.to_str().expect("utf-8")];
    args.extend(token_args);
    sealform_with(&args, &env, None)
        .expect_code(1)
        .expect_stderr(&["you gave kid"]);
    // A wrong PIN opens nothing.
    let mut args = vec!["open", bundle.to_str().expect("utf-8")];
    args.extend(token_args);
    sealform_with(
        &args,
        &[("SOFTHSM2_CONF", conf), ("SF_PIN", "000000")],
        None,
    )
    .expect_code(2)
    .expect_stderr(&["could not log in to the token sealform-test"]);
}

/// The CKA_SENSITIVE and CKA_EXTRACTABLE of the one private key on the token, read with cryptoki directly.
fn token_key_flags() -> Result<(bool, bool), String> {
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    use cryptoki::object::{Attribute, AttributeType, ObjectClass};
    use cryptoki::session::UserType;
    let context = Pkcs11::new(SOFTHSM_MODULE).map_err(|e| e.to_string())?;
    context
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .map_err(|e| e.to_string())?;
    let slot = *context
        .get_slots_with_initialized_token()
        .map_err(|e| e.to_string())?
        .first()
        .ok_or("no token")?;
    let session = context.open_ro_session(slot).map_err(|e| e.to_string())?;
    session
        .login(UserType::User, Some(&PIN.into()))
        .map_err(|e| e.to_string())?;
    let keys = session
        .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
        .map_err(|e| e.to_string())?;
    let [key] = keys.as_slice() else {
        return Err(format!("{} private keys", keys.len()));
    };
    let attributes = session
        .get_attributes(
            *key,
            &[AttributeType::Sensitive, AttributeType::Extractable],
        )
        .map_err(|e| e.to_string())?;
    let (mut sensitive, mut extractable) = (None, None);
    for attribute in attributes {
        match attribute {
            Attribute::Sensitive(value) => sensitive = Some(value),
            Attribute::Extractable(value) => extractable = Some(value),
            _ => {}
        }
    }
    Ok((
        sensitive.ok_or("no CKA_SENSITIVE")?,
        extractable.ok_or("no CKA_EXTRACTABLE")?,
    ))
}
