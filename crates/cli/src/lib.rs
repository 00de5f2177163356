//! The `sealform` command: the firm's offline tool for making keys and for inspecting and opening sealed
//! submissions. [`run`] is the whole program; `main.rs` only hands its exit code to the operating system.
//!
//! Each subcommand is one module (`keygen`, `inspect`, `open`, `recover`, `serve`, `demo`, `token`, `pull`,
//! `audit`; `open` with its helpers `input`, `keys`, `revalidate`, `view`, `summary`, `save` and `export`, `pull`
//! with `pickup` (the receiver's API) and `inbox` (the folder it fills), the keys' custody in `shares` and `sheet`
//! (recovery shares) and `pkcs11` (keys on a hardware token)) that first turns the parsed command line into a
//! checked configuration and only then does any work. Exit codes: 0 all done, 1 some files failed, 2 nothing done
//! (a usage or configuration error).
#![forbid(unsafe_code)]

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

mod audit;
mod cli;
mod demo;
mod error;
mod export;
mod files;
mod inbox;
mod input;
mod inspect;
mod keygen;
mod keys;
mod open;
mod passphrase;
mod pickup;
mod pkcs11;
mod pull;
mod recover;
mod revalidate;
mod save;
mod serve;
mod shares;
mod sheet;
mod stored;
mod summary;
mod terminal;
mod token;
mod view;

use cli::{Cli, Command};
use error::{Error, Exit};

/// Runs `sealform` with the process's arguments and returns the exit code: 0 when everything was done, 1 when some
/// files failed (each is named on standard error), 2 when nothing was done because of a usage or configuration
/// error.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to stdout with code 0; mistakes to stderr with code 2.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    let result = match cli.command {
        Command::Keygen(args) => keygen::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Open(args) => open::run(args),
        Command::Recover(args) => recover::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Token(args) => token::run(args),
        Command::Pull(args) => pull::run(args),
        Command::Audit(args) => audit::run(args),
    };
    let exit = match result {
        Ok(exit) => exit,
        Err(error) => {
            // The one error that ends a run is about the command line or the firm's own files (a form config's
            // problems are listed a line each), so its lines stay; per-file errors, which can quote a client, go
            // through `error::report`, which escapes line breaks too.
            eprintln!(
                "error: {}",
                terminal::escape_keeping_lines(&error.to_string())
            );
            error.exit()
        }
    };
    let _ = std::io::stdout().flush();
    exit.into()
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// Writes `text` to standard output (where the result of a command goes; messages go to standard error), its
/// lines kept and everything else hidden escaped ([`terminal::escape_keeping_lines`]): a line break in untrusted
/// text must be escaped before, with [`terminal::escape`].
pub(crate) fn print(text: &str) -> Result<(), Error> {
    write_stdout(&terminal::escape_keeping_lines(text))
}

/// Writes JSON (as serde_json writes it) to standard output, with the hidden characters serde_json leaves as they
/// are escaped ([`terminal::escape_json`]): the same JSON value.
pub(crate) fn print_json(json: &str) -> Result<(), Error> {
    write_stdout(&terminal::escape_json(json))
}

fn write_stdout(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::failed(format!("could not write to standard output: {e}")))
}
