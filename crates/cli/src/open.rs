//! `sealform open`: opens bundles with the firm's private keys, verifying every part, checks the answers again
//! against their form, and prints each submission as JSON or saves it in a receipt folder; optionally one table
//! of them all. Bundles are opened on every core; one failing bundle stops no other.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use sealform_core::bundle::{self, Opened, ReceiptId};
use sealform_core::key::AwsLcIdentity;

use crate::cli::{ExportFormat, OpenArgs};
use crate::error::{self, Error, Exit};
use crate::export::{Row, Table};
use crate::files;
use crate::input::{self, Input};
use crate::keys;
use crate::passphrase::Source;
use crate::revalidate::{self, Check, Schemas};
use crate::save::{self, SUBMISSION_FILE};
use crate::summary::Summary;
use crate::view::{self, JOIN};

/// How many bundles are opened at once per thread before their results are written: enough to keep every core
/// busy, few enough that a batch of large bundles does not sit in memory all at once.
const BUNDLES_PER_THREAD: usize = 4;
/// Threads per core. Opening is CPU work, but staging a receipt folder waits on the disk (an fsync per file), so
/// with only one thread per core the CPU idles through every fsync; measured on a 2-core VM with ext4, 4 threads per
/// core opened about twice as many bundles a second as 1 (docs/BENCHMARKS.md, "CLI open rate").
const THREADS_PER_CORE: usize = 4;

/// What to do, checked: the inputs are found, the forms read and the keys decrypted before any bundle is opened.
struct Config {
    /// The keys, with their private-key operation done by AWS-LC: constant time, and many times the `rsa`
    /// crate's speed, which is what a batch spends its time on (docs/BENCHMARKS.md, "CLI open rate").
    identities: Vec<AwsLcIdentity>,
    out: Option<PathBuf>,
    again: bool,
    schemas: Schemas,
    export: Option<(PathBuf, ExportFormat)>,
    inputs: Vec<Input>,
}

impl Config {
    fn new(args: OpenArgs) -> Result<Self, Error> {
        let mut inputs = input::expand(&args.files, args.recursive)?;
        if let Some(store) = &args.store {
            inputs.extend(input::stored(store)?);
        }
        let schemas = Schemas::load(&args.schemas)?;
        let export = args
            .export
            .map(|path| check_export(path, args.format))
            .transpose()?;
        let source = Source::from_args(args.passphrase);
        let identities = args
            .keys
            .iter()
            .map(|path| keys::load_native_key(path, &source))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(out) = &args.out {
            files::create_private_dir_all(out).map_err(|e| {
                Error::usage(format!(
                    "could not create the folder {}: {e}; choose another with --out",
                    out.display()
                ))
            })?;
        }
        Ok(Self {
            identities,
            out: args.out,
            again: args.again,
            schemas,
            export,
            inputs,
        })
    }
}

/// The export's path and format: the format given, or the one its extension names (CSV unless `.json`). Its
/// folder must exist now, not only when the batch is done.
fn check_export(
    path: PathBuf,
    format: Option<ExportFormat>,
) -> Result<(PathBuf, ExportFormat), Error> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(Error::usage(format!(
            "--export {}: the folder {} does not exist",
            path.display(),
            folder.display()
        )));
    }
    if path.is_dir() {
        return Err(Error::usage(format!(
            "--export {} is a folder: give a file name, e.g. {}",
            path.display(),
            path.join("submissions.csv").display()
        )));
    }
    let by_extension = match path.extension() {
        Some(extension) if extension.eq_ignore_ascii_case("json") => ExportFormat::Json,
        _ => ExportFormat::Csv,
    };
    Ok((path, format.unwrap_or(by_extension)))
}

/// Runs `sealform open`.
pub(crate) fn run(args: OpenArgs) -> Result<Exit, Error> {
    let config = Config::new(args)?;
    let mut batch = Batch::new(&config)?;
    // Bundles in memory at once stay a small multiple of the cores (RAYON_NUM_THREADS, if set, counts as cores).
    let cores = rayon::current_num_threads().max(1);
    let chunk = cores * BUNDLES_PER_THREAD;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cores * THREADS_PER_CORE)
        .build()
        .ok();
    for inputs in config.inputs.chunks(chunk) {
        // The RSA work and the staging in parallel; the results are published in the order the inputs were given.
        let open_all =
            || -> Vec<Outcome> { inputs.par_iter().map(|input| batch.open(input)).collect() };
        let outcomes = match &pool {
            Some(pool) => pool.install(open_all),
            // No threads to be had: the global pool (one per core) still works.
            None => open_all(),
        };
        for (input, outcome) in inputs.iter().zip(outcomes) {
            batch.finish(input, outcome);
        }
    }
    batch.end()
}

/// What opening one input gave, before anything is written.
enum Outcome {
    /// Opened and verified, and checked against its form; with `--out`, its receipt folder staged.
    Opened(Box<Opened>, Check, Option<save::Staged>),
    /// Already opened into this receipt folder.
    Skipped(PathBuf),
    /// Not opened: the message for the person.
    Failed(String),
}

/// The state of one run: what is already in the output folder, the table, the count of failures, the bar.
struct Batch<'a> {
    config: &'a Config,
    existing: HashMap<String, PathBuf>,
    table: Table,
    failures: usize,
    bar: ProgressBar,
}

impl<'a> Batch<'a> {
    fn new(config: &'a Config) -> Result<Self, Error> {
        let existing = match &config.out {
            Some(out) => save::existing_folders(out).map_err(|e| {
                Error::usage(format!("could not list the folder {}: {e}", out.display()))
            })?,
            None => HashMap::new(),
        };
        Ok(Self {
            config,
            existing,
            table: Table::default(),
            failures: 0,
            bar: progress_bar(config.inputs.len()),
        })
    }

    /// Reads and opens one input; runs on any thread, writes nothing.
    fn open(&self, input: &Input) -> Outcome {
        let name = input.name();
        let bytes = match input.read() {
            Ok(bytes) => bytes,
            Err(e) => return Outcome::Failed(format!("could not read {name}: {e}")),
        };
        let receipt = ReceiptId::of(&bytes);
        if let Input::Stored {
            receipt: stored, ..
        } = input
        {
            if *stored != receipt.full() {
                return Outcome::Failed(format!(
                    "{name}: its bytes have receipt {}, not the one it is stored under: the store is damaged",
                    receipt.full()
                ));
            }
        }
        if let Some(folder) = self.already_opened(&receipt) {
            return Outcome::Skipped(folder.to_path_buf());
        }
        let opened = match bundle::open(&self.config.identities, &bytes) {
            Ok(opened) => opened,
            Err(e) => return Outcome::Failed(error::describe_bundle_error(&name, &e)),
        };
        let check = self.config.schemas.check(&opened.submission);
        let staged = match &self.config.out {
            Some(out) => match self.stage(out, input, &opened, &check) {
                Ok(staged) => Some(staged),
                Err(message) => return Outcome::Failed(message),
            },
            None => None,
        };
        Outcome::Opened(Box::new(opened), check, staged)
    }

    /// Writes the receipt folder under a hidden name in `out`; runs on any thread. Publishing it (the rename) waits
    /// for [`Batch::save`], in input order. Writing here, on every core, is what keeps a batch from waiting on one
    /// fsync at a time (docs/BENCHMARKS.md, "CLI open rate").
    fn stage(
        &self,
        out: &Path,
        input: &Input,
        opened: &Opened,
        check: &Check,
    ) -> Result<save::Staged, String> {
        let name = input.name();
        let schema = self
            .config
            .schemas
            .get(&opened.submission.form.schema_sha256);
        let entries = view::entries(&opened.submission.answers, schema);
        let date = input
            .received_at()
            .and_then(revalidate::submission_date)
            .or_else(|| revalidate::submission_date(&opened.submission.submitted_at));
        let summary = Summary {
            opened,
            source: &name,
            received_at: input.received_at(),
            entries: &entries,
            check,
        };
        save::stage(out, &save::folder_name(date, opened), &summary)
            .map_err(|e| save_error(&name, out, &e))
    }

    /// The receipt folder this bundle was already opened into, unless `--again` asks to open it anew.
    fn already_opened(&self, receipt: &ReceiptId) -> Option<&Path> {
        if self.config.again {
            return None;
        }
        self.existing.get(&receipt.short()).map(PathBuf::as_path)
    }

    /// Reports, saves or prints one outcome, in input order.
    fn finish(&mut self, input: &Input, outcome: Outcome) {
        let name = input.name();
        match outcome {
            Outcome::Skipped(folder) => self.say(|| {
                eprintln!(
                    "Skipped {name}: it was already opened into {}; add --again to open it again",
                    folder.display()
                );
            }),
            Outcome::Failed(message) => {
                self.failures += 1;
                self.say(|| error::report(&message));
            }
            Outcome::Opened(opened, check, staged) => {
                if let Err(message) = self.deliver(input, &opened, &check, staged) {
                    self.failures += 1;
                    self.say(|| error::report(&message));
                }
            }
        }
        self.bar.inc(1);
    }

    /// Warns about what re-validation found, then saves or prints the submission and adds its row to the table.
    fn deliver(
        &mut self,
        input: &Input,
        opened: &Opened,
        check: &Check,
        staged: Option<save::Staged>,
    ) -> Result<(), String> {
        let name = input.name();
        for warning in check.warnings() {
            self.say(|| {
                error::warn(&format!(
                    "{name} (receipt {}): {warning}",
                    opened.receipt.short()
                ))
            });
        }
        let schema = self
            .config
            .schemas
            .get(&opened.submission.form.schema_sha256);
        let entries = view::entries(&opened.submission.answers, schema);
        match (self.config.out.clone(), staged) {
            (Some(out), Some(staged)) => self.save(&out, input, opened, staged)?,
            _ => self.print(&name, opened)?,
        }
        self.table.push(&Row {
            fixed: [
                opened.receipt.short(),
                opened.receipt.full(),
                input.received_at().unwrap_or_default().to_owned(),
                opened.submission.submitted_at.clone(),
                opened.submission.form.id.clone(),
                opened.submission.form.version.clone(),
                check.status(),
                opened
                    .submission
                    .attachments
                    .iter()
                    .map(|info| info.name.as_str())
                    .collect::<Vec<_>>()
                    .join(JOIN),
            ],
            entries: &entries,
        });
        Ok(())
    }

    /// Prints a submission to standard output as JSON.
    fn print(&self, name: &str, opened: &Opened) -> Result<(), String> {
        let json = save::pretty_json(&opened.submission);
        self.say(|| {
            eprintln!(
                "Opened {name}: receipt {} ({})",
                opened.receipt.short(),
                opened.receipt.full()
            );
            crate::print(&json)
        })
        .map_err(|e| e.to_string())
    }

    /// Publishes a submission's staged receipt folder in `out`.
    fn save(
        &mut self,
        out: &Path,
        input: &Input,
        opened: &Opened,
        staged: save::Staged,
    ) -> Result<(), String> {
        let name = input.name();
        let short = opened.receipt.short();
        // The same bundle given twice in one run: the second is skipped like one opened in an earlier run (and its
        // staged copy removed as `staged` is dropped).
        if let Some(folder) = self.existing.get(&short).filter(|_| !self.config.again) {
            let folder = folder.display().to_string();
            self.say(|| eprintln!("Skipped {name}: it was already opened into {folder}"));
            return Ok(());
        }
        let previous = self.existing.get(&short).cloned();
        let saved = staged
            .publish(opened, previous.as_deref())
            .map_err(|e| save_error(&name, out, &e))?;
        self.existing.insert(short, saved.folder.clone());
        let attachments = match opened.attachments.len() {
            1 => "1 attachment".to_owned(),
            n => format!("{n} attachments"),
        };
        self.say(|| {
            crate::print(&format!(
                "Opened {name} into {}: {SUBMISSION_FILE}, summaries and {attachments} (receipt {})\n",
                saved.folder.display(),
                opened.receipt.full(),
            ))
        })
        .map_err(|e| e.to_string())?;
        for (original, saved_as) in &saved.renamed {
            let path = saved.folder.join(save::ATTACHMENTS_DIR).join(saved_as);
            self.say(|| {
                eprintln!(
                    "Note: {name}: the attachment named {original:?} was saved as {}",
                    path.display()
                );
            });
        }
        Ok(())
    }

    /// Writes the export, says how the batch went, and gives the exit code.
    fn end(self) -> Result<Exit, Error> {
        self.bar.finish_and_clear();
        if let Some((path, format)) = &self.config.export {
            self.table.write(path, *format).map_err(|e| {
                Error::failed(format!(
                    "could not write the export {}: {e}",
                    path.display()
                ))
            })?;
            eprintln!(
                "Wrote {} ({} opened in this run)",
                path.display(),
                self.table.len()
            );
        }
        if self.failures > 0 && self.config.inputs.len() > 1 {
            eprintln!(
                "{} of {} bundles could not be opened (named above); the others were done",
                self.failures,
                self.config.inputs.len()
            );
        }
        Ok(Exit::from_failures(self.failures))
    }

    /// Prints a message without tearing the progress bar.
    fn say<T>(&self, print: impl FnOnce() -> T) -> T {
        self.bar.suspend(print)
    }
}

/// What to say when a receipt folder could not be written.
fn save_error(name: &str, out: &Path, error: &std::io::Error) -> String {
    format!(
        "could not save {name} into {}: {error}; nothing was saved for it. Check that you can write there and that \
         there is space",
        out.display()
    )
}

/// A bar on standard error for batches, drawn only when standard error is a terminal (indicatif hides it
/// otherwise, so logs and pipes get no escape codes).
fn progress_bar(len: usize) -> ProgressBar {
    if len < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} bundles, {eta} left") {
        bar.set_style(style);
    }
    bar
}
