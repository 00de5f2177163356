//! Reading passphrases: typed at the terminal (without echo), or from a file or an environment variable named on
//! the command line. Never from an argument itself, which other users can see in the process list.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::cli::PassphraseArgs;
use crate::error::Error;
use crate::files;

/// The fewest characters (not bytes) a passphrase for a new private key may have.
pub(crate) const MIN_NEW_PASSPHRASE_CHARS: usize = 12;

/// A passphrase, wiped from memory when dropped.
pub(crate) type Passphrase = Zeroizing<String>;

/// Where passphrases come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// Asked for at the terminal.
    Terminal,
    /// The first line of this file.
    File(PathBuf),
    /// The value of this environment variable.
    Env(String),
}

impl Source {
    /// The source the command line chose; the terminal when it chose none.
    pub(crate) fn from_args(args: PassphraseArgs) -> Self {
        match (args.passphrase_file, args.passphrase_env) {
            (Some(path), _) => Self::File(path),
            (None, Some(name)) => Self::Env(name),
            (None, None) => Self::Terminal,
        }
    }

    /// Where a token's PIN comes from: `--pin-file`, `--pin-env`, or the terminal.
    pub(crate) fn from_pin_args(file: Option<PathBuf>, env: Option<String>) -> Self {
        match (file, env) {
            (Some(path), _) => Self::File(path),
            (None, Some(name)) => Self::Env(name),
            (None, None) => Self::Terminal,
        }
    }

    /// The PIN of the token labelled `token`.
    pub(crate) fn pin_for(&self, token: &str) -> Result<Passphrase, Error> {
        match self {
            Self::Terminal => {
                require_terminal(&format!(
                    "the token {token} needs its PIN and there is no terminal to ask for it: use --pin-file PATH \
                     or --pin-env NAME"
                ))?;
                prompt(&format!("PIN for the token {token}: "))
            }
            Self::File(path) => read_file(path),
            Self::Env(name) => read_env(name),
        }
    }

    /// Whether a wrong passphrase can be tried again (only a person at a terminal can type another).
    pub(crate) fn can_retry(&self) -> bool {
        matches!(self, Self::Terminal)
    }

    /// Where a passphrase came from, for messages: "the passphrase typed", "the first line of FILE", ….
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Terminal => "the passphrase you typed".to_owned(),
            Self::File(path) => format!("the first line of {} (--passphrase-file)", path.display()),
            Self::Env(name) => format!("the environment variable {name} (--passphrase-env)"),
        }
    }

    /// A passphrase for a new private key: typed twice at the terminal so a typo cannot lock the firm out.
    pub(crate) fn new_passphrase(&self, key: &Path) -> Result<Passphrase, Error> {
        let passphrase = match self {
            Self::Terminal => {
                require_terminal(&format!(
                    "there is no terminal to ask for a passphrase for the new private key {}: use \
                     --passphrase-file PATH or --passphrase-env NAME (or --unencrypted-demo-key for a throw-away \
                     demo key)",
                    key.display()
                ))?;
                let first = prompt(&format!(
                    "Passphrase for the new private key {}: ",
                    key.display()
                ))?;
                self.check_new(&first)?;
                let second = prompt("The same passphrase again: ")?;
                if first != second {
                    return Err(Error::usage(
                        "the two passphrases differ: nothing was written; run keygen again",
                    ));
                }
                first
            }
            Self::File(path) => read_file(path)?,
            Self::Env(name) => read_env(name)?,
        };
        self.check_new(&passphrase)?;
        Ok(passphrase)
    }

    /// Refuses a passphrase for a new key shorter than [`MIN_NEW_PASSPHRASE_CHARS`]: the encrypted key file is
    /// only as safe as its passphrase once someone has copied it, and a short one falls to guessing offline.
    fn check_new(&self, passphrase: &str) -> Result<(), Error> {
        let chars = passphrase.chars().count();
        if chars >= MIN_NEW_PASSPHRASE_CHARS {
            return Ok(());
        }
        let length = match chars {
            0 => "empty".to_owned(),
            1 => "1 character long".to_owned(),
            n => format!("{n} characters long"),
        };
        let retry = match self {
            Self::Terminal => "run keygen again and type a longer one",
            Self::File(_) => "put a longer one in the file and run keygen again",
            Self::Env(_) => "set a longer one and run keygen again",
        };
        Err(Error::usage(format!(
            "{} is {length}: a new private key needs a passphrase of at least {MIN_NEW_PASSPHRASE_CHARS} \
             characters, because anyone who copies the key file can try passphrases against it without limit; \
             {retry} (a few unrelated words are easy to remember and hard to guess)",
            self.describe()
        )))
    }

    /// The passphrase for the existing encrypted private key `key`.
    pub(crate) fn passphrase_for(&self, key: &Path) -> Result<Passphrase, Error> {
        match self {
            Self::Terminal => {
                require_terminal(&format!(
                    "{} is encrypted and there is no terminal to ask for its passphrase: use \
                     --passphrase-file PATH or --passphrase-env NAME",
                    key.display()
                ))?;
                prompt(&format!("Passphrase for {}: ", key.display()))
            }
            Self::File(path) => read_file(path),
            Self::Env(name) => read_env(name),
        }
    }
}

/// The first line of the passphrase file `path`.
fn read_file(path: &Path) -> Result<Passphrase, Error> {
    files::warn_if_exposed(path, "a passphrase file");
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        Error::usage(format!(
            "could not read the passphrase file {}: {e}; check the path given to --passphrase-file",
            path.display()
        ))
    })?);
    let passphrase = Zeroizing::new(first_line(&text).to_owned());
    if passphrase.is_empty() {
        return Err(Error::usage(format!(
            "the first line of the passphrase file {} is empty: it must hold the passphrase",
            path.display()
        )));
    }
    Ok(passphrase)
}

/// The value of the environment variable `name`.
fn read_env(name: &str) -> Result<Passphrase, Error> {
    let named = format!("the environment variable {name} (named by --passphrase-env)");
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(Zeroizing::new(value)),
        Ok(_) => Err(Error::usage(format!(
            "{named} is empty: it must hold the passphrase"
        ))),
        Err(std::env::VarError::NotPresent) => Err(Error::usage(format!(
            "{named} is not set: set it to the passphrase, or name the variable that holds it"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::usage(format!("{named} is not valid UTF-8 text")))
        }
    }
}

/// The text up to the first line break (`\n` or `\r\n`), as a passphrase file is read.
fn first_line(text: &str) -> &str {
    let line = text.split('\n').next().unwrap_or_default();
    line.strip_suffix('\r').unwrap_or(line)
}

/// Passphrases are only asked for when a person is there to type them: otherwise a script would hang.
fn require_terminal(message: &str) -> Result<(), Error> {
    if std::io::stdin().is_terminal() || std::io::stderr().is_terminal() {
        Ok(())
    } else {
        Err(Error::usage(message))
    }
}

/// Asks at the terminal, without echo.
fn prompt(text: &str) -> Result<Passphrase, Error> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .map_err(|e| {
            Error::usage(format!(
                "could not read a passphrase from the terminal ({e}): use --passphrase-file PATH or \
                 --passphrase-env NAME"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passphrase_file_gives_its_first_line() {
        assert_eq!(first_line("correct horse\n"), "correct horse");
        assert_eq!(first_line("correct horse\r\nsecond line"), "correct horse");
        assert_eq!(first_line("no newline"), "no newline");
        assert_eq!(first_line(" spaces kept "), " spaces kept ");
        assert_eq!(first_line(""), "");
    }

    #[test]
    fn a_new_passphrase_needs_twelve_characters_not_bytes() {
        let source = Source::Env("X".into());
        assert!(source.check_new("correct horse").is_ok());
        assert!(source.check_new("王王王王王王王王王王王王").is_ok());
        let short = source
            .check_new("ééééééééééé")
            .expect_err("11 characters, 22 bytes");
        assert!(short.to_string().contains("11 characters"), "{short}");
        let empty = source.check_new("").expect_err("empty");
        assert!(empty.to_string().contains("is empty"), "{empty}");
    }
}
