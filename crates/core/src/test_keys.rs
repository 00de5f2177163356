//! Fixed test keys (see `tests/data/keys/README.md`), so tests never wait for RSA key generation.

use crate::key::Identity;

fn load(pem: &str) -> Identity {
    Identity::from_pkcs8_pem(pem, None).expect("test key parses")
}

/// The firm's key.
pub(crate) fn firm() -> Identity {
    load(include_str!("../tests/data/keys/firm.pem"))
}

/// The firm's backup key.
pub(crate) fn backup() -> Identity {
    load(include_str!("../tests/data/keys/backup.pem"))
}

/// A key nothing is sealed to.
pub(crate) fn stranger() -> Identity {
    load(include_str!("../tests/data/keys/stranger.pem"))
}
