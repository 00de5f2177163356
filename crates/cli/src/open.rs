//! `sealform open`: opens bundles with the firm's private keys, verifying every part, checks the answers again
//! against their form, and prints each submission as JSON or saves it in a receipt folder; optionally one table
//! of them all. Bundles are opened on every core; one failing bundle stops no other.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use sealform_core::bundle::{self, Opened, ReceiptId};
use sealform_core::key::KeyUnwrap as _;
use sealform_core::Sha256Digest;
use sealform_store::Location;

use crate::audit;
use crate::cli::{ExportFormat, OpenArgs};
use crate::error::{self, Error, Exit};
use crate::export::{Row, Table};
use crate::files;
use crate::inbox;
use crate::input::{self, Bundle, Input, MaxBundle, Reader};
use crate::keys;
use crate::passphrase::Source;
use crate::revalidate::{self, Check, Schemas};
use crate::save::{self, SUBMISSION_FILE};
use crate::stored::{store_location, StoreReader};
use crate::summary::Summary;
use crate::terminal;
use crate::view::{self, JOIN};

/// How many bundles are opened at once per core before their results are written: enough to keep every core
/// busy, few enough that a chunk of large bundles does not sit in memory all at once (two chunks at most: one
/// being opened while the one before is flushed to the disk).
const BUNDLES_PER_CORE: usize = 4;
/// Threads per core. Opening is CPU work, but while a chunk is opened one thread of the pool waits on the disk,
/// flushing the chunk before, and creating files can wait on the file system's journal; with one thread per core a
/// core idles through those waits. Measured on a 2-core VM with ext4 and other builds running, 2 per core saved
/// as many bundles a second as 4, and more than 1 (docs/BENCHMARKS.md, "CLI open rate, saving"). It was 4 when
/// every file was fsynced on its own.
const THREADS_PER_CORE: usize = 2;

/// What to do, checked: the inputs are found, the forms read and the keys decrypted before any bundle is opened.
struct Config {
    /// The keys: in memory with their private-key operation done by AWS-LC (constant time, and many times the
    /// `rsa` crate's speed, which is what a batch spends its time on: docs/BENCHMARKS.md, "CLI open rate"), or
    /// on a token.
    identities: Vec<keys::OpeningKey>,
    out: Option<PathBuf>,
    again: bool,
    schemas: Schemas,
    export: Option<(PathBuf, ExportFormat)>,
    /// `--lang`: a language to name the questions in too, beside the client's.
    also_language: Option<String>,
    inputs: Vec<Input>,
    reader: Reader,
}

impl Config {
    fn new(args: OpenArgs) -> Result<Self, Error> {
        let location = args
            .store
            .as_deref()
            .map(|store| store_location(store, args.store_password_file.clone()))
            .transpose()?;
        let (inputs, store) = input::gather(&args.files, args.recursive, location.as_ref())?;
        let mut schemas = Schemas::load(&args.schemas)?;
        let served = location.as_ref().zip(store.as_ref());
        find_configs(&mut schemas, &inputs, served);
        let max_bundle = MaxBundle::new(args.max_bundle_bytes, schemas.max_bundle_bytes());
        let export = args
            .export
            .map(|path| check_export(path, args.format))
            .transpose()?;
        let source = Source::from_args(args.passphrase);
        let identities = keys::opening_keys(&args.keys, &source, &args.shares, &args.token)?;
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
            also_language: args.lang,
            inputs,
            reader: Reader::new(max_bundle, store),
        })
    }
}

/// Adds the form configs that came with the bundles, so answers are checked against the form they were filled in
/// without `--schema`: each inbox's `configs/` (where `sealform pull` puts them) beside the bundles read from
/// files, and the configs the receiver served, for `--store`. What cannot be used is a warning, not a failure.
fn find_configs(schemas: &mut Schemas, inputs: &[Input], store: Option<(&Location, &StoreReader)>) {
    let folders: BTreeSet<&Path> = inputs
        .iter()
        .filter_map(|input| match input {
            Input::File(path) => Some(match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            }),
            Input::Stdin | Input::Stored { .. } => None,
        })
        .collect();
    let mut warnings = Vec::new();
    for folder in folders {
        let (configs, mut problems) = inbox::configs_in(folder);
        warnings.append(&mut problems);
        let place = folder.join(inbox::CONFIGS_DIR).display().to_string();
        warnings.extend(schemas.add_found(&place, configs));
    }
    if let Some((location, store)) = store {
        match store.served_configs() {
            Ok(served) => {
                let configs = served
                    .into_iter()
                    .filter(|config| Sha256Digest::of(&config.bytes) == config.sha256)
                    .map(|config| (config.sha256, config.bytes))
                    .collect();
                warnings.extend(schemas.add_found(&location.to_string(), configs));
            }
            Err(e) => warnings.push(format!(
                "could not read the form configs the receiver served from {location}: {e}"
            )),
        }
    }
    for warning in warnings {
        error::warn(&warning);
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
    let chunk = cores * BUNDLES_PER_CORE;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cores * THREADS_PER_CORE)
        .build()
        .ok();
    // The RSA work and the staging in parallel; the results are published in the order the inputs were given. A
    // chunk's receipt folders are flushed to the disk while the next chunk is opened (the flush waits on the disk,
    // the opening on the CPU), and published and reported once both are done.
    let mut pending: Option<(&[Input], Vec<Outcome>)> = None;
    for inputs in config.inputs.chunks(chunk) {
        let work = || {
            rayon::join(
                || pending.as_ref().map(|(_, outcomes)| batch.flush(outcomes)),
                || -> Vec<Outcome> { inputs.par_iter().map(|input| batch.open(input)).collect() },
            )
        };
        let (flushed, mut outcomes) = match &pool {
            Some(pool) => pool.install(work),
            // No threads to be had: the global pool (one per core) still works.
            None => work(),
        };
        if let (Some((done, done_outcomes)), Some(flushed)) = (pending.take(), flushed) {
            if let Err(e) = &flushed {
                // Staged while the failed flush ran: the write it lost may be one of theirs.
                batch.fail_staged(inputs, &mut outcomes, e);
            }
            batch.finish(done, done_outcomes, flushed);
        }
        pending = Some((inputs, outcomes));
    }
    if let Some((done, outcomes)) = pending {
        let flushed = batch.flush(&outcomes);
        batch.finish(done, outcomes, flushed);
    }
    batch.end()
}

/// What opening one input gave.
enum Outcome {
    /// Opened and verified, and checked against its form.
    Opened(Box<Opening>, Delivery),
    /// Already opened into this receipt folder.
    Skipped(PathBuf),
    /// Not opened, or not saved: the message for the person.
    Failed(String),
}

impl Outcome {
    fn is_staged(&self) -> bool {
        matches!(self, Self::Opened(_, Delivery::Staged(_)))
    }
}

/// A bundle opened and verified, and what checking its answers again found.
struct Opening {
    opened: Opened,
    check: Check,
    /// When the receiver got it, if its source says.
    received_at: Option<String>,
}

/// Where an opened submission goes.
enum Delivery {
    /// To standard output (no `--out`).
    Print,
    /// Into its receipt folder, written under a hidden name but neither on the disk for sure nor in place yet.
    Staged(save::Staged),
    /// Into its receipt folder, now in place.
    Saved(save::Saved),
    /// Nowhere: the same bundle came earlier in this run and was saved into this folder.
    Duplicate(PathBuf),
}

/// The state of one run: what is already in the output folder, the table, the count of failures, the bar.
struct Batch<'a> {
    config: &'a Config,
    /// `--out`, opened before anything is written in it.
    out: Option<save::OutDir>,
    existing: HashMap<String, PathBuf>,
    table: Table,
    failures: usize,
    /// The receipts saved into `--out` in this run, for its audit log.
    saved: Vec<ReceiptId>,
    /// Each submission id opened in this run, with the first receipt that carried it.
    submission_ids: HashMap<String, ReceiptId>,
    bar: ProgressBar,
}

impl<'a> Batch<'a> {
    fn new(config: &'a Config) -> Result<Self, Error> {
        let (out, existing) = match &config.out {
            Some(out) => {
                let unreadable =
                    |e| Error::usage(format!("could not list the folder {}: {e}", out.display()));
                (
                    Some(save::OutDir::open(out).map_err(unreadable)?),
                    save::existing_folders(out).map_err(unreadable)?,
                )
            }
            None => (None, HashMap::new()),
        };
        Ok(Self {
            config,
            out,
            existing,
            table: Table::default(),
            failures: 0,
            saved: Vec::new(),
            submission_ids: HashMap::new(),
            bar: progress_bar(config.inputs.len()),
        })
    }

    /// Reads and opens one input; runs on any thread, writes nothing.
    fn open(&self, input: &Input) -> Outcome {
        let name = input.name();
        let Bundle { bytes, received_at } = match self.config.reader.read(input) {
            Ok(bundle) => bundle,
            Err(e) => return Outcome::Failed(e.describe(&name)),
        };
        let receipt = ReceiptId::of(&bytes);
        if let Some(folder) = self.already_opened(&receipt) {
            return Outcome::Skipped(folder.to_path_buf());
        }
        let opened = match bundle::open(&self.config.identities, &bytes) {
            Ok(opened) => opened,
            Err(e) => return Outcome::Failed(error::describe_bundle_error(&name, &e)),
        };
        // Opened and verified: the sealed bytes are not needed any more, only what they held.
        drop(bytes);
        let opening = Opening {
            check: self.config.schemas.check(&opened.submission),
            opened,
            received_at,
        };
        let delivery = match &self.out {
            Some(out) => match self.stage(out, &name, &opening) {
                Ok(staged) => Delivery::Staged(staged),
                Err(message) => return Outcome::Failed(message),
            },
            None => Delivery::Print,
        };
        Outcome::Opened(Box::new(opening), delivery)
    }

    /// Writes the receipt folder under a hidden name in `out`; runs on any thread. Making it durable and putting it
    /// in place wait for [`Batch::flush`] and [`Batch::publish_all`], once the whole chunk is staged.
    fn stage(
        &self,
        out: &save::OutDir,
        name: &str,
        opening: &Opening,
    ) -> Result<save::Staged, String> {
        let opened = &opening.opened;
        let schema = self
            .config
            .schemas
            .get(&opened.submission.form.schema_sha256);
        let entries = view::entries(
            &opened.submission.answers,
            schema,
            &opened.submission.consent.language,
            self.config.also_language.as_deref(),
        );
        let consents_also = view::consents_in_other_language(
            schema,
            &opened.submission.consent.language,
            self.config.also_language.as_deref(),
        );
        let received_at = opening.received_at.as_deref();
        let date = received_at
            .and_then(revalidate::submission_date)
            .or_else(|| revalidate::submission_date(&opened.submission.submitted_at));
        let summary = Summary {
            opened,
            source: name,
            received_at,
            entries: &entries,
            consents_also: &consents_also,
            check: &opening.check,
        };
        out.stage(&save::folder_name(date, opened), &summary)
            .map_err(|e| save_error(name, out.path(), &e))
    }

    /// The receipt folder this bundle was already opened into, unless `--again` asks to open it anew.
    fn already_opened(&self, receipt: &ReceiptId) -> Option<&Path> {
        if self.config.again {
            return None;
        }
        self.existing.get(&receipt.short()).map(PathBuf::as_path)
    }

    /// Makes the receipt folders staged for `outcomes` durable, with one flush of the disk for all of them (runs
    /// while the next chunk is opened).
    fn flush(&self, outcomes: &[Outcome]) -> io::Result<()> {
        match &self.out {
            Some(out) if outcomes.iter().any(Outcome::is_staged) => out.flush_staged(),
            _ => Ok(()),
        }
    }

    /// After a failed flush: none of the folders staged before it ended can be trusted, since the error does not
    /// say which file was lost. Each becomes a failure, and replacing its `Staged` removes the hidden folder.
    fn fail_staged(&self, inputs: &[Input], outcomes: &mut [Outcome], error: &io::Error) {
        let Some(out) = &self.out else {
            return;
        };
        for (input, outcome) in inputs.iter().zip(outcomes) {
            if outcome.is_staged() {
                *outcome = Outcome::Failed(flush_error(&input.name(), out.path(), error));
            }
        }
    }

    /// Publishes one chunk's receipt folders, given how [`Batch::flush`] went, then reports, prints and tabulates
    /// its outcomes in input order.
    fn finish(&mut self, inputs: &[Input], mut outcomes: Vec<Outcome>, flushed: io::Result<()>) {
        if let Err(e) = flushed {
            self.fail_staged(inputs, &mut outcomes, &e);
        }
        let outcomes = self.publish_all(inputs, outcomes);
        for (input, outcome) in inputs.iter().zip(outcomes) {
            self.report(input, outcome);
        }
    }

    /// Renames a chunk's flushed receipt folders into place in input order, then flushes the renames: only a
    /// folder that got through both counts as saved. Writes nothing on the terminal, so no folder is said to be
    /// saved before it is on the disk.
    fn publish_all(&mut self, inputs: &[Input], outcomes: Vec<Outcome>) -> Vec<Outcome> {
        let Some(out) = &self.out else {
            return outcomes;
        };
        let (existing, again) = (&mut self.existing, self.config.again);
        let mut outcomes: Vec<Outcome> = inputs
            .iter()
            .zip(outcomes)
            .map(|(input, outcome)| match outcome {
                Outcome::Opened(opening, Delivery::Staged(staged)) => {
                    match publish(existing, again, &opening.opened, staged) {
                        Ok(delivery) => Outcome::Opened(opening, delivery),
                        Err(e) => Outcome::Failed(save_error(&input.name(), out.path(), &e)),
                    }
                }
                other => other,
            })
            .collect();
        let saved = |outcome: &Outcome| matches!(outcome, Outcome::Opened(_, Delivery::Saved(_)));
        if outcomes.iter().any(saved) {
            if let Err(e) = out.flush_names() {
                for (input, outcome) in inputs.iter().zip(&mut outcomes) {
                    if let Outcome::Opened(_, Delivery::Saved(saved)) = outcome {
                        *outcome =
                            Outcome::Failed(unconfirmed_error(&input.name(), &saved.folder, &e));
                    }
                }
            }
        }
        outcomes
    }

    /// Reports, prints and tabulates one outcome, in input order.
    fn report(&mut self, input: &Input, outcome: Outcome) {
        let name = input.name();
        match outcome {
            Outcome::Skipped(folder) => self.say(|| {
                error::note(&format!(
                    "Skipped {name}: it was already opened into {}; add --again to open it again",
                    folder.display()
                ));
            }),
            Outcome::Failed(message) => {
                self.failures += 1;
                self.say(|| error::report(&message));
            }
            Outcome::Opened(opening, delivery) => {
                let saved = matches!(delivery, Delivery::Saved(_));
                let receipt = opening.opened.receipt;
                match self.deliver(input, &opening, delivery) {
                    Ok(()) if saved => self.saved.push(receipt),
                    Ok(()) => {}
                    Err(message) => {
                        self.failures += 1;
                        self.say(|| error::report(&message));
                    }
                }
            }
        }
        self.bar.inc(1);
    }

    /// Warns about what re-validation found (one warning for the bundle), then says where the submission was saved, or prints it, and adds its
    /// row to the table.
    fn deliver(
        &mut self,
        input: &Input,
        opening: &Opening,
        delivery: Delivery,
    ) -> Result<(), String> {
        let Opening {
            opened,
            check,
            received_at,
        } = opening;
        let name = input.name();
        if let Some(warning) = check.warning() {
            // One warning per bundle, however many problems: the receipt heads it, the problems follow.
            let headline = format!(
                "{name} (receipt {}): {}",
                opened.receipt.short(),
                warning.headline
            );
            self.say(|| error::warn_grouped(&headline, &warning.problems));
        }
        if !matches!(delivery, Delivery::Duplicate(_)) {
            self.warn_repeated_submission(&name, opened);
        }
        let schema = self
            .config
            .schemas
            .get(&opened.submission.form.schema_sha256);
        let entries = view::entries(
            &opened.submission.answers,
            schema,
            &opened.submission.consent.language,
            self.config.also_language.as_deref(),
        );
        match delivery {
            Delivery::Print => self.print(&name, opened)?,
            Delivery::Saved(saved) => self.say_saved(&name, opened, &saved)?,
            Delivery::Duplicate(folder) => {
                let folder = folder.display();
                self.say(|| {
                    error::note(&format!(
                        "Skipped {name}: it was already opened into {folder}"
                    ))
                });
                return Ok(());
            }
            Delivery::Staged(_) => {
                unreachable!(
                    "Batch::finish publishes or fails every staged folder before reporting it"
                )
            }
        }
        self.table.push(&Row {
            fixed: [
                opened.receipt.short(),
                opened.receipt.full(),
                received_at.clone().unwrap_or_default(),
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

    /// Warns when an earlier receipt of this run carried the same submission id: one submission the client's
    /// browser sent twice as different bytes (sealed again after a failed send, or the same sealing re-encoded on
    /// the way), so the firm sees it twice under two receipts.
    fn warn_repeated_submission(&mut self, name: &str, opened: &Opened) {
        let id = &opened.submission.submission_id;
        let first = *self
            .submission_ids
            .entry(id.clone())
            .or_insert(opened.receipt);
        if first != opened.receipt {
            self.say(|| {
                error::warn(&format!(
                    "{name} (receipt {}) is the same submission as receipt {} (submission id {id}): the client's \
                     form sent it twice as different bytes; keep one",
                    opened.receipt.short(),
                    first.short()
                ))
            });
        }
    }

    /// Prints a submission to standard output as JSON.
    fn print(&self, name: &str, opened: &Opened) -> Result<(), String> {
        let json = save::pretty_json(&opened.submission);
        self.say(|| {
            error::note(&format!(
                "Opened {name}: receipt {} ({})",
                opened.receipt.short(),
                opened.receipt.full()
            ));
            crate::print_json(&json)
        })
        .map_err(|e| e.to_string())
    }

    /// Says where a submission was saved, and which attachments were saved under other names.
    fn say_saved(&self, name: &str, opened: &Opened, saved: &save::Saved) -> Result<(), String> {
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
                error::note(&format!(
                    "Note: {name}: the attachment named \"{}\" was saved as {}",
                    terminal::escape(original),
                    path.display()
                ));
            });
        }
        Ok(())
    }

    /// Writes the export and the audit log's entry, says how the batch went, and gives the exit code.
    fn end(self) -> Result<Exit, Error> {
        self.bar.finish_and_clear();
        let recorded = self.record();
        if let Some((path, format)) = &self.config.export {
            self.table.write(path, *format).map_err(|e| {
                Error::failed(format!(
                    "could not write the export {}: {e}",
                    path.display()
                ))
            })?;
            error::note(&format!(
                "Wrote {} ({} opened in this run)",
                path.display(),
                self.table.len()
            ));
        }
        if self.failures > 0 && self.config.inputs.len() > 1 {
            error::note(&format!(
                "{} of {} bundles could not be opened (named above); the others were done",
                self.failures,
                self.config.inputs.len()
            ));
        }
        Ok(Exit::from_failures(self.failures + usize::from(!recorded)))
    }

    /// Adds this run to `--out`'s audit log, if it saved anything: who, with which keys, which receipts. Says
    /// whether that went well; a log that cannot be written makes the run exit 1 (the submissions stay saved).
    fn record(&self) -> bool {
        let Some(out) = self
            .config
            .out
            .as_deref()
            .filter(|_| !self.saved.is_empty())
        else {
            return true;
        };
        let kids: Vec<String> = self
            .config
            .identities
            .iter()
            .map(|identity| identity.kid().as_str().to_owned())
            .collect();
        match audit::record_open(out, &kids, &self.saved) {
            Ok(_) => true,
            Err(e) => {
                error::report(&e.to_string());
                false
            }
        }
    }

    /// Prints a message without tearing the progress bar.
    fn say<T>(&self, print: impl FnOnce() -> T) -> T {
        self.bar.suspend(print)
    }
}

/// Renames a staged receipt folder into place (after [`save::OutDir::flush_staged`]), unless the same bundle was
/// saved earlier in this run: the second is skipped like one opened in an earlier run (and its staged copy removed
/// as `staged` is dropped). `existing` holds the receipt folders so far, by short receipt id.
fn publish(
    existing: &mut HashMap<String, PathBuf>,
    again: bool,
    opened: &Opened,
    staged: save::Staged,
) -> io::Result<Delivery> {
    let short = opened.receipt.short();
    if let Some(folder) = existing.get(&short).filter(|_| !again) {
        return Ok(Delivery::Duplicate(folder.clone()));
    }
    let saved = staged.publish(opened, existing.get(&short).map(PathBuf::as_path))?;
    existing.insert(short, saved.folder.clone());
    Ok(Delivery::Saved(saved))
}

/// What to say when a receipt folder could not be written.
fn save_error(name: &str, out: &Path, error: &io::Error) -> String {
    format!(
        "could not save {name} into {}: {error}; nothing was saved for it. Check that you can write there and that \
         there is space",
        out.display()
    )
}

/// What to say when the disk could not confirm that a chunk's staged receipt folders were written.
fn flush_error(name: &str, out: &Path, error: &io::Error) -> String {
    format!(
        "could not save {name} into {}: the disk reported an error while writing ({error}); nothing was saved for \
         it. Check the disk, then run the command again",
        out.display()
    )
}

/// What to say when a receipt folder was put in place but the disk could not confirm the rename.
fn unconfirmed_error(name: &str, folder: &Path, error: &io::Error) -> String {
    format!(
        "{name} was opened into {}, but the disk reported an error while recording the folder's name ({error}): \
         after a crash or power cut it may be missing. Check the disk; the same command opens it again if so",
        folder.display()
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
