//! `sealform-bench`: measures every figure of docs/BENCHMARKS.md and, in the same run, the reference each is
//! judged against (OpenSSL's RSA rate, the browser's own AES-GCM, OpenPGP.js's size), then prints them side by side
//! and optionally writes them into docs/BENCHMARKS.md. It times the real binaries: `sealform serve` and `sealform
//! open` as built by `cargo build --profile release-cli`, and the form Trunk built into `dist/`, in headless
//! Chromium. It never fails on a time: a missed goal is reported, not an error.
//!
//! ```sh
//! bash scripts/bench.sh                       # builds what is needed, runs everything, writes the doc
//! cargo run -p sealform-bench --profile release-cli -- --quick --only weight
//! ```

// A benchmark's output is its report on standard output.
#![allow(clippy::print_stdout)]

mod browser;
mod journey;
mod machine;
mod open_rate;
mod open_store;
mod open_token;
mod pull_rate;
mod receiver_load;
mod receiver_postgres;
mod report;
mod setup;
mod weight;

use std::path::PathBuf;

use anyhow::{bail, Context as _};

use crate::report::Row;
use crate::setup::Bench;

/// The rows, by the name `--only` takes, in the order they are run and written.
const ROWS: &[&str] = &[
    "weight",
    "wire",
    "tti",
    "seal",
    "seal-large",
    "journey",
    "drafts",
    "open",
    "pull",
    "open-store",
    "open-token",
    "receiver",
    "receiver-postgres",
    "receiver-large",
];
/// The rows that need the form built into `dist/`.
const FORM_ROWS: &[&str] = &[
    "weight",
    "wire",
    "tti",
    "seal",
    "seal-large",
    "journey",
    "drafts",
    "receiver",
    "receiver-postgres",
    "receiver-large",
];

/// How hard to run: `--quick` is for CI, so the benchmark cannot rot; its figures mean little.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Counts {
    quick: bool,
    cold_loads: usize,
    seals: usize,
    large_bytes: usize,
    bundles: usize,
    load_seconds: u64,
}

impl Counts {
    fn new(quick: bool) -> Self {
        if quick {
            Self {
                quick,
                cold_loads: 3,
                seals: 5,
                large_bytes: 1_000_000,
                bundles: 100,
                load_seconds: 2,
            }
        } else {
            Self {
                quick,
                cold_loads: 21,
                seals: 51,
                large_bytes: 25_000_000,
                bundles: 2_000,
                load_seconds: 10,
            }
        }
    }
}

/// The command line, checked.
#[derive(Debug)]
struct Args {
    counts: Counts,
    only: Vec<String>,
    write: Option<PathBuf>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut quick = false;
    let mut only = Vec::new();
    let mut write = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--only" => {
                let row = args.next().context("--only needs a row name")?;
                if !ROWS.contains(&row.as_str()) {
                    bail!("unknown row {row:?}; the rows are {}", ROWS.join(", "));
                }
                only.push(row);
            }
            "--write" => write = Some(PathBuf::from(args.next().context("--write needs a path")?)),
            "-h" | "--help" => {
                println!(
                    "usage: sealform-bench [--quick] [--only ROW]... [--write docs/BENCHMARKS.md]\nrows: {}\n\
                     Needs target/release-cli/sealform (cargo build --profile release-cli -p sealform-cli) and \
                     dist/ (trunk build --release --offline); scripts/bench.sh builds both.",
                    ROWS.join(", ")
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    if write.is_some() && !only.is_empty() {
        // The generated section is rewritten whole: one row alone would drop the others from the doc.
        bail!("--write measures every row: leave out --only");
    }
    if only.is_empty() {
        only = ROWS.iter().map(|row| (*row).to_owned()).collect();
    }
    Ok(Args {
        counts: Counts::new(quick),
        only,
        write,
    })
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sealform-bench: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let args = parse_args()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let before = machine::Machine::describe();
    println!("{}", before.summary());
    let needs_form = args
        .only
        .iter()
        .any(|row| FORM_ROWS.contains(&row.as_str()));
    let bench = Bench::new(args.counts, needs_form)?;
    let mut rows: Vec<Row> = Vec::new();
    let mut broken = Vec::new();
    for name in &args.only {
        eprintln!("sealform-bench: {name} …");
        let result = match name.as_str() {
            "weight" => runtime.block_on(weight::run(&bench)),
            "wire" => runtime.block_on(browser::bytes_on_the_wire(&bench)),
            "tti" => runtime.block_on(browser::time_to_interactive(&bench)),
            "seal" => runtime.block_on(browser::seal_typical(&bench)),
            "seal-large" => runtime.block_on(browser::seal_large(&bench)),
            "journey" => runtime.block_on(journey::next_page(&bench)),
            "drafts" => runtime.block_on(journey::draft_round_trip(&bench)),
            "open" => open_rate::run(&bench),
            "pull" => runtime.block_on(pull_rate::run(&bench)),
            "open-store" => open_store::run(&bench),
            "open-token" => open_token::run(&bench),
            "receiver" => runtime.block_on(receiver_load::run(&bench)),
            "receiver-postgres" => runtime.block_on(receiver_postgres::run(&bench)),
            "receiver-large" => runtime.block_on(receiver_load::large_uploads(&bench)),
            _ => unreachable!("checked in parse_args"),
        };
        match result {
            Ok(mut new) => {
                for row in &new {
                    println!("{}", row.line());
                }
                rows.append(&mut new);
            }
            // One broken row (no Chromium, say) must not hide the others.
            Err(error) => {
                let row = Row::failed(name, &format!("{error:#}"));
                println!("{}", row.line());
                rows.push(row);
                broken.push(name.as_str());
            }
        }
    }
    let after = machine::Machine::describe();
    if let Some(path) = args.write {
        report::write(&path, &before, &after, args.counts, &rows)?;
        println!("written to {}", path.display());
    }
    // A missed goal is a result; a row that could not be measured is a broken benchmark (and fails CI).
    if !broken.is_empty() {
        bail!("could not measure: {}", broken.join(", "));
    }
    Ok(())
}
