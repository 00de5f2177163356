//! Private keys held on a PKCS#11 token (a YubiKey's PIV applet, a smart card, an HSM): found by their key id and
//! used to unwrap content keys with the token's own RSA operation, so the private key never leaves it; and generated there by
//! `keygen --pkcs11`, marked sensitive and not extractable, with only the public key read back.

use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Function, Pkcs11};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use rand_core::CryptoRngCore;
use sealform_core::key::{decode_oaep_sha256, KeyUnwrap, Kid, Recipient};
use zeroize::Zeroizing;

use crate::cli::Pkcs11Args;
use crate::error::Error;
use crate::passphrase::Source;

/// The public exponent of every key generated on a token (F4, as everywhere).
const PUBLIC_EXPONENT: [u8; 3] = [0x01, 0x00, 0x01];

/// A logged-in session with one token. PKCS#11 sessions may not be used from two threads at once: each use takes
/// the lock (the token works one operation at a time anyway).
pub(crate) struct Token {
    session: Mutex<Session>,
    label: String,
    /// Set once the token has refused OAEP with SHA-256: its raw RSA operation is used from then on.
    raw_rsa: AtomicBool,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({})", self.label)
    }
}

impl Token {
    /// Loads `--pkcs11`'s module, finds the token (by `--token`'s label, or the only one there is) and logs in
    /// with its PIN.
    pub(crate) fn open(args: &Pkcs11Args, module: &Path, write: bool) -> Result<Arc<Self>, Error> {
        let context = Pkcs11::new(module).map_err(|e| {
            Error::usage(format!(
                "could not load the PKCS#11 module {}: {e}; give --pkcs11 the .so file of your token's driver",
                module.display()
            ))
        })?;
        context
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(|e| token_error("could not start the PKCS#11 module", e))?;
        let (slot, label) = find_slot(&context, args.token.as_deref())?;
        let session = if write {
            context.open_rw_session(slot)
        } else {
            context.open_ro_session(slot)
        }
        .map_err(|e| token_error(&format!("could not open the token {label}"), e))?;
        let source = Source::from_pin_args(args.pin_file.clone(), args.pin_env.clone());
        let pin = source.pin_for(&label)?;
        let pin = AuthPin::from(pin.as_str());
        session.login(UserType::User, Some(&pin)).map_err(|e| {
            Error::usage(format!(
                "could not log in to the token {label} with {}: {e}. Check the PIN (a token locks itself after a \
                 few wrong ones)",
                source.describe()
            ))
        })?;
        Ok(Arc::new(Self {
            session: Mutex::new(session),
            label,
            raw_rsa: AtomicBool::new(false),
        }))
    }

    /// Every RSA private key on the token that may decrypt, with its public half: each can open what was sealed
    /// to its key id. Keys sealform cannot use (too small or too large) are left out.
    pub(crate) fn keys(self: &Arc<Self>) -> Result<Vec<TokenKey>, Error> {
        let session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let handles = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::KeyType(KeyType::RSA),
                Attribute::Decrypt(true),
            ])
            .map_err(|e| token_error(&format!("could not list the keys on {}", self.label), e))?;
        let mut keys = Vec::new();
        for handle in handles {
            if let Some(recipient) = public_half(&session, handle) {
                keys.push(TokenKey {
                    token: Arc::clone(self),
                    handle,
                    recipient,
                });
            }
        }
        if keys.is_empty() {
            return Err(Error::usage(format!(
                "the token {} holds no RSA key sealform can decrypt with: make one with `sealform keygen \
                 --pkcs11`",
                self.label
            )));
        }
        Ok(keys)
    }

    /// Generates an RSA key pair on the token: the private key sensitive and never extractable, only its public
    /// half read back. Labelled `name`, with the first 16 bytes of its key id as its PKCS#11 id.
    pub(crate) fn generate(&self, bits: usize, name: &str) -> Result<Recipient, Error> {
        let session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let label = name.as_bytes().to_vec();
        let public_template = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Encrypt(true),
            Attribute::Verify(false),
            Attribute::Wrap(false),
            Attribute::ModulusBits((bits as u64).into()),
            Attribute::PublicExponent(PUBLIC_EXPONENT.to_vec()),
            Attribute::Label(label.clone()),
        ];
        let private_template = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Decrypt(true),
            Attribute::Sign(false),
            Attribute::Unwrap(false),
            Attribute::Derive(false),
            Attribute::Label(label),
        ];
        let (public, private) = session
            .generate_key_pair(
                &Mechanism::RsaPkcsKeyPairGen,
                &public_template,
                &private_template,
            )
            .map_err(|e| token_error(&format!("could not generate a key on {}", self.label), e))?;
        let recipient = public_half(&session, private).ok_or_else(|| {
            Error::failed(format!(
                "the token {} made a key sealform cannot use (it must be RSA of 2048 to 8192 bits)",
                self.label
            ))
        })?;
        // The PKCS#11 id ties the two halves together for other tools; the key id names them for people.
        let id = kid_bytes(recipient.kid());
        for handle in [public, private] {
            session
                .update_attributes(handle, &[Attribute::Id(id.clone())])
                .map_err(|e| {
                    token_error(&format!("could not name the new key on {}", self.label), e)
                })?;
        }
        Ok(recipient)
    }

    /// The token's label.
    pub(crate) fn label(&self) -> &str {
        &self.label
    }
}

/// The public half of a private key on the token (its modulus and public exponent are public attributes, readable
/// though the key is sensitive), or `None` if it is not a key sealform can use.
fn public_half(session: &Session, handle: ObjectHandle) -> Option<Recipient> {
    let attributes = session
        .get_attributes(
            handle,
            &[AttributeType::Modulus, AttributeType::PublicExponent],
        )
        .ok()?;
    let (mut modulus, mut exponent) = (None, None);
    for attribute in attributes {
        match attribute {
            Attribute::Modulus(n) => modulus = Some(n),
            Attribute::PublicExponent(e) => exponent = Some(e),
            _ => {}
        }
    }
    let strip = |bytes: Vec<u8>| {
        bytes
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect::<Vec<u8>>()
    };
    Recipient::from_rsa_parts(&strip(modulus?), &strip(exponent?)).ok()
}

/// The first 16 bytes of a key id, the PKCS#11 id of the key pair.
fn kid_bytes(kid: &Kid) -> Vec<u8> {
    data_encoding::BASE64URL_NOPAD
        .decode(kid.as_str().as_bytes())
        .map(|mut bytes| {
            bytes.truncate(16);
            bytes
        })
        .unwrap_or_default()
}

/// The token to use: the one labelled `wanted`, or the only one present.
fn find_slot(context: &Pkcs11, wanted: Option<&str>) -> Result<(Slot, String), Error> {
    let slots = context
        .get_slots_with_initialized_token()
        .map_err(|e| token_error("could not list the tokens", e))?;
    let mut tokens = Vec::new();
    for slot in slots {
        if let Ok(info) = context.get_token_info(slot) {
            tokens.push((slot, info.label().trim().to_owned()));
        }
    }
    let labels = || {
        tokens
            .iter()
            .map(|(_, label)| format!("\"{label}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(wanted) => {
            tokens
                .iter()
                .find(|(_, label)| label == wanted)
                .cloned()
                .ok_or_else(|| {
                    Error::usage(format!(
                    "no token labelled \"{wanted}\" is present (tokens present: {}); check --token",
                    if tokens.is_empty() { "none".to_owned() } else { labels() }
                ))
                })
        }
        None => match tokens.as_slice() {
            [only] => Ok(only.clone()),
            [] => Err(Error::usage(
                "no token is present: plug it in, or check that --pkcs11 names its driver",
            )),
            _ => Err(Error::usage(format!(
                "several tokens are present ({}): say which with --token LABEL",
                labels()
            ))),
        },
    }
}

fn token_error(what: &str, error: cryptoki::error::Error) -> Error {
    Error::usage(format!("{what}: {error}"))
}

/// A private key on a token: [`KeyUnwrap`] with the RSA-OAEP-256 decryption done by the token.
pub(crate) struct TokenKey {
    token: Arc<Token>,
    handle: ObjectHandle,
    recipient: Recipient,
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TokenKey({}, on {})",
            self.recipient.kid(),
            self.token.label
        )
    }
}

impl KeyUnwrap for TokenKey {
    fn kid(&self) -> &Kid {
        self.recipient.kid()
    }

    /// CKM_RSA_PKCS_OAEP with SHA-256 and MGF1-SHA-256, no label: JWE's RSA-OAEP-256. A token that refuses those
    /// parameters outright (SoftHSM 2.6 offers OAEP with SHA-1 only) is asked for its raw RSA operation
    /// (CKM_RSA_X_509) instead, and the padding is checked here in constant time: the private key stays on the
    /// token either way. Every failure is the same `None`.
    fn unwrap_key(
        &self,
        _rng: &mut dyn CryptoRngCore,
        wrapped: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let modulus_len = self.recipient.modulus_len();
        if wrapped.len() != modulus_len {
            return None;
        }
        let session = self
            .token
            .session
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !self.token.raw_rsa.load(Ordering::Relaxed) {
            let mechanism = Mechanism::RsaPkcsOaep(PkcsOaepParams::new(
                MechanismType::SHA256,
                PkcsMgfType::MGF1_SHA256,
                PkcsOaepSource::empty(),
            ));
            match session.decrypt(&mechanism, self.handle, wrapped) {
                Ok(key) => return Some(Zeroizing::new(key)),
                // Refused when the operation is set up, before the token has seen the ciphertext: nothing about
                // the ciphertext can be learnt from this.
                Err(cryptoki::error::Error::Pkcs11(_, Function::DecryptInit)) => {
                    self.token.raw_rsa.store(true, Ordering::Relaxed);
                }
                Err(_) => return None,
            }
        }
        let em = Zeroizing::new(
            session
                .decrypt(&Mechanism::RsaX509, self.handle, wrapped)
                .ok()?,
        );
        decode_oaep_sha256(&em, modulus_len)
    }
}
