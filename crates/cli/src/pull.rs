//! `sealform pull`: collects the sealed bundles a receiver holds into an inbox folder — each checked against its
//! receipt, on the disk before it is acknowledged — then the form configs, then checks the receiver's audit trail.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reqwest::Url;
use sealform_core::audit::{self, Head};
use sealform_core::bundle::ReceiptId;
use sealform_core::protocol::pickup::{
    self, InboxItem, InboxPage, InboxQuery, InboxState, PickupToken,
};
use sealform_core::Sha256Digest;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::error::{self, Error, Exit};
use crate::files::{self, PRIVATE_FILE, PUBLIC_FILE};
use crate::inbox::{self, Inbox};
use crate::pickup::{check_url, Receiver, RequestError};
use crate::token::read_token_file;

pub(crate) const PULL_HELP: &str = concat!(
    "Downloads every bundle the receiver holds that has not been collected yet into DIR as <receipt>.bundle, \
     checks that each file's SHA-256 is its receipt id, writes it under a hidden name, makes it durable (fsync of \
     the file and the folder) and renames it into place; only then is it acknowledged, and the receiver may \
     delete its copy. Bundles already in DIR are not downloaded again. Then the form configs the receiver served \
     go into DIR/configs/ (so `sealform open DIR` can check answers against them), and the receiver's audit trail \
     is checked against the part the last pull saw (kept in DIR/.sealform/).\n",
    "\n",
    "Safe to stop and run again at any point: it ends with every bundle exactly once in DIR, and nothing \
     acknowledged that is not on the disk. A bundle whose bytes do not match its receipt is named, not saved and \
     not acknowledged; the others are collected. With a read-only token nothing is acknowledged and the bundles \
     stay on the receiver. A progress bar shows on a terminal.\n",
    "\n",
    "The address must be https://, or http:// to this computer (127.0.0.1, ::1, localhost).\n",
    "\n",
    "Examples:\n",
    "  sealform pull --from https://forms.example --token-file ~/.sealform/pickup.token --inbox inbox\n",
    "  sealform pull --from https://forms.example --token-file pickup.token --inbox inbox --json\n",
    "  sealform open --key keys/firm.private.pem --out opened inbox   (then, offline)\n",
    "\n",
    "Exit codes:\n",
    "  0  every bundle listed is in DIR, and the receiver's audit trail checks out\n",
    "  1  some bundles or configs failed, or the audit trail is broken (named on standard error)\n",
    "  2  nothing was done: a usage error, a wrong token, or the receiver could not be reached",
);

/// The command line of `sealform pull`.
#[derive(Debug, Args)]
pub(crate) struct PullArgs {
    /// The receiver's address: https://…, or http:// to this computer only
    #[arg(long, value_name = "URL")]
    pub(crate) from: String,
    /// The file holding the pickup token (`sealform token new` writes one)
    #[arg(long, value_name = "FILE")]
    pub(crate) token_file: PathBuf,
    /// The folder to collect into (created if missing); `sealform open` opens it
    #[arg(long, value_name = "DIR")]
    pub(crate) inbox: PathBuf,
    /// Print one JSON document summing up the run on standard output, instead of text
    #[arg(long)]
    pub(crate) json: bool,
}

/// Bundles listed per page: each page's files are flushed to the disk together and then acknowledged together.
const PAGE_SIZE: u32 = 250;
/// Bundles downloaded at once: enough to hide each request's round trip, few enough to be gentle on the receiver.
const DOWNLOADS_AT_ONCE: usize = 6;

/// What to do, checked.
struct Config {
    url: Url,
    token: PickupToken,
    inbox: PathBuf,
    json: bool,
}

impl Config {
    fn new(args: PullArgs) -> Result<Self, Error> {
        let url = check_url(&args.from).map_err(|e| Error::usage(format!("--from {e}")))?;
        let token = read_token_file(&args.token_file)?;
        Ok(Self {
            url,
            token,
            inbox: args.inbox,
            json: args.json,
        })
    }
}

/// Runs `sealform pull`.
pub(crate) fn run(args: PullArgs) -> Result<Exit, Error> {
    let config = Config::new(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::usage(format!("could not start the network runtime: {e}")))?;
    let json = config.json;
    let report = runtime.block_on(pull(config))?;
    if json {
        crate::print(&crate::save::pretty_json(&report))?;
    } else {
        crate::print(&report.text())?;
    }
    Ok(report.exit())
}

/// Lists the first page (nothing is written if that fails), then collects page after page, then the configs and
/// the audit trail.
async fn pull(config: Config) -> Result<Report, Error> {
    let receiver = Arc::new(Receiver::new(&config.url, Some(config.token))?);
    let first = receiver
        .inbox(&query(None))
        .await
        .map_err(|e| Error::usage(format!("nothing was pulled: {e}")))?;
    let inbox = Inbox::open(&config.inbox).map_err(|e| Error::usage(e.to_string()))?;
    let mut run = Run {
        report: Report::new(receiver.base(), inbox.path()),
        receiver,
        inbox,
        bar: progress_bar(),
        stopped: false,
    };
    let mut page = first;
    loop {
        run.page(&page).await;
        let Some(last) = page.items.last().filter(|_| page.more && !run.stopped) else {
            break;
        };
        let after = last.cursor.clone();
        match run.receiver.inbox(&query(Some(after.clone()))).await {
            Ok(next)
                if next
                    .items
                    .first()
                    .is_some_and(|first| first.cursor == after) =>
            {
                run.error("the receiver listed the same bundles again: stopped listing".into());
                break;
            }
            Ok(next) => page = next,
            Err(e) => {
                run.error(format!(
                    "could not list more bundles: {e}; run the command again to collect the rest"
                ));
                break;
            }
        }
    }
    run.bar.finish_and_clear();
    run.configs().await;
    run.audit().await;
    Ok(run.report)
}

fn query(after: Option<String>) -> InboxQuery {
    InboxQuery {
        after,
        limit: Some(PAGE_SIZE),
        state: Some(InboxState::Uncollected),
    }
}

/// How one run is going.
struct Run {
    receiver: Arc<Receiver>,
    inbox: Inbox,
    report: Report,
    bar: ProgressBar,
    /// Writing failed: the disk is full or failing, so no more pages are fetched.
    stopped: bool,
}

/// A bundle that is in the inbox now.
enum Fetched {
    /// It was there already, with the right bytes.
    Present,
    /// It was downloaded, checked and written (not yet made durable in the folder).
    Written,
}

/// Why a bundle was not collected.
struct Failure {
    message: String,
    /// The disk failed rather than the receiver or the bundle: later bundles would fail too.
    disk: bool,
}

impl Run {
    /// Collects one page: each bundle found in the inbox or downloaded and written, then the inbox folder made
    /// durable, then what is durably there acknowledged.
    async fn page(&mut self, page: &InboxPage) {
        let mut seen = HashSet::new();
        let items: Vec<&InboxItem> = page
            .items
            .iter()
            .filter(|item| seen.insert(item.receipt))
            .collect();
        self.bar.inc_length(items.len() as u64);
        let limit = Arc::new(Semaphore::new(DOWNLOADS_AT_ONCE));
        let mut tasks = JoinSet::new();
        for item in items {
            let (receiver, limit, item) = (self.receiver.clone(), limit.clone(), item.clone());
            let path = self.inbox.bundle_path(&item.receipt);
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let fetched = fetch(&receiver, &item, path).await;
                (item.receipt, fetched)
            });
        }
        let (mut present, mut written) = (Vec::new(), Vec::new());
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((receipt, Ok(Fetched::Present))) => present.push(receipt),
                Ok((receipt, Ok(Fetched::Written))) => written.push(receipt),
                Ok((receipt, Err(failure))) => {
                    self.stopped |= failure.disk;
                    self.fail(receipt, failure.message);
                }
                Err(e) => self.error(format!("a download stopped unexpectedly: {e}")),
            }
            self.bar.inc(1);
        }
        self.report.already_present += present.len();
        let mut ready = present;
        ready.extend(self.make_durable(written));
        self.acknowledge(&ready).await;
    }

    /// Flushes the inbox folder's names, so the bundles renamed into it stay there after a crash: the ones written
    /// in this page, and the ones found there (a pull killed before its flush may have left them). Returns those
    /// written that are now durable.
    fn make_durable(&mut self, written: Vec<ReceiptId>) -> Vec<ReceiptId> {
        match files::sync_dir(self.inbox.path()) {
            Ok(()) => {
                self.report.downloaded += written.len();
                written
            }
            Err(e) => {
                self.stopped = true;
                for receipt in written {
                    self.fail(
                        receipt,
                        format!(
                            "written, but the disk reported an error while recording it in {} ({e}): not \
                             acknowledged. Check the disk, then run the command again",
                            self.inbox.path().display()
                        ),
                    );
                }
                Vec::new()
            }
        }
    }

    /// Acknowledges bundles that are durably in the inbox, unless the token turned out to be read-only.
    async fn acknowledge(&mut self, receipts: &[ReceiptId]) {
        if self.report.read_only || receipts.is_empty() {
            return;
        }
        for chunk in receipts.chunks(pickup::MAX_PAGE as usize) {
            match self.receiver.acknowledge(chunk).await {
                Ok(answer) => {
                    self.report.acknowledged += answer.acknowledged.len();
                    if !answer.unknown.is_empty() {
                        self.say(|| {
                            error::warn(&format!(
                                "the receiver says it never stored {} of the bundles it listed: {}",
                                answer.unknown.len(),
                                short_list(&answer.unknown)
                            ));
                        });
                    }
                }
                Err(RequestError::Forbidden { .. }) => {
                    self.report.read_only = true;
                    self.say(|| {
                        eprintln!(
                            "Note: this pickup token is read-only, so nothing is acknowledged: the bundles stay on the \
                             receiver and are listed again next time (a collect token collects them)"
                        );
                    });
                    return;
                }
                Err(e) => self.error(format!(
                    "could not acknowledge {} bundles: {e}. They are safely in {}; the next pull acknowledges them",
                    chunk.len(),
                    self.inbox.path().display()
                )),
            }
        }
    }

    /// Fetches the form configs the receiver served that the inbox has not got.
    async fn configs(&mut self) {
        let list = match self.receiver.configs().await {
            Ok(list) => list,
            Err(e) => {
                return self.error(format!("could not list the receiver's form configs: {e}"));
            }
        };
        let dir = self.inbox.configs_dir();
        let mut fetched = 0;
        for info in &list.configs {
            let path = dir.join(inbox::config_name(&info.sha256));
            match inbox::holds(&path, &info.sha256) {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => {
                    self.error(format!("could not read {}: {e}", path.display()));
                    continue;
                }
            }
            match self.fetch_config(&info.sha256, &dir, &path).await {
                Ok(()) => fetched += 1,
                Err(message) => self.error(message),
            }
        }
        if fetched > 0 {
            if let Err(e) = files::sync_dir(&dir).and_then(|()| files::sync_dir(self.inbox.path()))
            {
                return self.error(format!(
                    "could not save the form configs in {}: {e}",
                    dir.display()
                ));
            }
        }
        self.report.configs_fetched = fetched;
    }

    async fn fetch_config(
        &self,
        sha256: &Sha256Digest,
        dir: &Path,
        path: &Path,
    ) -> Result<(), String> {
        let bytes = self
            .receiver
            .config(sha256)
            .await
            .map_err(|e| format!("could not download form config {sha256}: {e}"))?;
        if Sha256Digest::of(&bytes) != *sha256 {
            return Err(format!(
                "the receiver sent form config {sha256} with other bytes (SHA-256 {}): not saved",
                Sha256Digest::of(&bytes)
            ));
        }
        files::create_private_dir_all(dir)
            .and_then(|()| files::replace(path, &bytes, PUBLIC_FILE))
            .map_err(|e| format!("could not save {}: {e}", path.display()))
    }

    /// Checks the receiver's audit trail against the head the last pull kept, and keeps the new head.
    async fn audit(&mut self) {
        let text = match self.receiver.audit().await {
            Ok(text) => text,
            Err(e) => return self.error(format!("could not read the receiver's audit trail: {e}")),
        };
        let url = self.receiver.base().to_owned();
        let seen = match self.inbox.audit_head(&url) {
            Ok(seen) => seen,
            Err(e) => return self.error(e.to_string()),
        };
        match audit::verify_against(&text, seen.as_ref()) {
            Ok(head) => {
                if let Err(e) = self.inbox.keep_audit_head(&url, &head) {
                    self.error(e.to_string());
                }
                self.report.audit_head = Some(head);
            }
            Err(broken) => {
                let before = seen
                    .filter(|seen| seen.seq > 0)
                    .map(|seen| {
                        format!(
                            " The last pull saw it intact up to entry {} (hash {}); that head is kept.",
                            seen.seq,
                            &seen.hash[..seen.hash.len().min(16)]
                        )
                    })
                    .unwrap_or_default();
                self.error(format!(
                    "the receiver's audit trail is BROKEN at {broken}.{before} Find out what happened on the \
                     receiver's host; if its store was knowingly started afresh, delete {} and pull again",
                    self.inbox.audit_heads_path().display()
                ));
            }
        }
    }

    fn fail(&mut self, receipt: ReceiptId, message: String) {
        self.say(|| error::report(&format!("bundle {receipt}: {message}")));
        self.report.failed.push(Failed {
            receipt: receipt.full(),
            error: message,
        });
    }

    fn error(&mut self, message: String) {
        self.say(|| error::report(&message));
        self.report.errors.push(message);
    }

    /// Prints a message without tearing the progress bar.
    fn say<T>(&self, print: impl FnOnce() -> T) -> T {
        self.bar.suspend(print)
    }
}

/// Puts one listed bundle in the inbox: found there already with the right bytes (and flushed, in case the pull
/// that wrote it was killed before it could), or downloaded, checked against its receipt and listed size, and
/// written under a hidden name, flushed and renamed into place.
async fn fetch(receiver: &Receiver, item: &InboxItem, path: PathBuf) -> Result<Fetched, Failure> {
    let receipt = item.receipt;
    let check_path = path.clone();
    let present = tokio::task::spawn_blocking(move || already_there(&check_path, &receipt))
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)));
    match present {
        Ok(true) => return Ok(Fetched::Present),
        Ok(false) => {}
        Err(e) => {
            return Err(Failure {
                message: format!("could not read {}: {e}", path.display()),
                disk: true,
            })
        }
    }
    let bytes = receiver.bundle(item).await.map_err(|e| Failure {
        message: match e {
            RequestError::NotFound => {
                "listed, but no longer on the receiver (404): another pull may have collected it"
                    .into()
            }
            e => format!("could not download it: {e}"),
        },
        disk: false,
    })?;
    let actual = ReceiptId::of(&bytes);
    if actual != receipt || bytes.len() as u64 != item.size {
        return Err(Failure {
            message: format!(
                "the receiver sent {} bytes whose SHA-256 is {actual}, not the receipt ({} bytes listed): its copy is \
                 damaged or was altered. Not saved and not acknowledged; ask the client to send it again",
                bytes.len(),
                item.size
            ),
            disk: false,
        });
    }
    tokio::task::spawn_blocking(move || {
        files::replace(&path, &bytes, PRIVATE_FILE).map_err(|e| (path, e))
    })
    .await
    .unwrap_or_else(|e| Err((PathBuf::new(), io::Error::other(e))))
    .map(|()| Fetched::Written)
    .map_err(|(path, e)| Failure {
        message: write_error(&path, &e),
        disk: true,
    })
}

/// Whether `path` holds exactly this bundle; if so it is flushed to the disk, so it may be acknowledged.
fn already_there(path: &Path, receipt: &ReceiptId) -> io::Result<bool> {
    if !inbox::holds(path, receipt.digest())? {
        return Ok(false);
    }
    std::fs::File::open(path)?.sync_all()?;
    Ok(true)
}

fn write_error(path: &Path, error: &io::Error) -> String {
    let advice = if error.kind() == io::ErrorKind::StorageFull {
        "the disk is full: free some space, then run the command again"
    } else {
        "check that you can write there and that the disk is healthy, then run the command again"
    };
    format!(
        "could not write {}: {error}; not acknowledged: {advice}",
        path.display()
    )
}

/// Up to three receipts, shortened, then how many more.
fn short_list(receipts: &[ReceiptId]) -> String {
    let mut list: Vec<String> = receipts.iter().take(3).map(ReceiptId::short).collect();
    if receipts.len() > 3 {
        list.push(format!("and {} more", receipts.len() - 3));
    }
    list.join(", ")
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} bundles, {per_sec}") {
        bar.set_style(style);
    }
    bar
}

// ---------------------------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------------------------

/// What a run did: printed as text, or as one JSON document with `--json`.
#[derive(Debug, Serialize)]
struct Report {
    /// The receiver's address.
    receiver: String,
    /// The inbox folder.
    inbox: String,
    /// Bundles downloaded and saved in this run.
    downloaded: usize,
    /// Bundles listed that the inbox already held.
    already_present: usize,
    /// Bundles the receiver confirmed as collected.
    acknowledged: usize,
    /// The receiver refused an acknowledgement with 403: the token may only read, so nothing was acknowledged.
    read_only: bool,
    /// Bundles not collected, and why.
    failed: Vec<Failed>,
    /// Form configs fetched into `configs/`.
    configs_fetched: usize,
    /// The receiver's audit trail's head, when it checked out.
    audit_head: Option<Head>,
    /// Everything else that went wrong: listing, acknowledging, configs, the audit trail.
    errors: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Failed {
    receipt: String,
    error: String,
}

impl Report {
    fn new(receiver: &str, inbox: &Path) -> Self {
        Self {
            receiver: receiver.to_owned(),
            inbox: inbox.display().to_string(),
            downloaded: 0,
            already_present: 0,
            acknowledged: 0,
            read_only: false,
            failed: Vec::new(),
            configs_fetched: 0,
            audit_head: None,
            errors: Vec::new(),
        }
    }

    fn exit(&self) -> Exit {
        Exit::from_failures(self.failed.len() + self.errors.len())
    }

    fn text(&self) -> String {
        let mut text = if self.downloaded + self.already_present + self.failed.len() == 0 {
            format!("Nothing new on the receiver for {}\n", self.inbox)
        } else {
            let acknowledged = if self.read_only {
                "none acknowledged (read-only token)".to_owned()
            } else {
                format!("{} acknowledged", self.acknowledged)
            };
            format!(
                "Pulled {} into {} ({} already there); {acknowledged}\n",
                bundles(self.downloaded),
                self.inbox,
                self.already_present
            )
        };
        if !self.failed.is_empty() {
            text.push_str(&format!(
                "{} not collected (named above)\n",
                bundles(self.failed.len())
            ));
        }
        if self.configs_fetched > 0 {
            text.push_str(&format!(
                "Fetched {} form config{} into {}\n",
                self.configs_fetched,
                if self.configs_fetched == 1 { "" } else { "s" },
                Path::new(&self.inbox).join(inbox::CONFIGS_DIR).display()
            ));
        }
        if let Some(head) = &self.audit_head {
            text.push_str(&format!(
                "The receiver's audit trail checks out: {} entries, head {}\n",
                head.seq, head.hash
            ));
        }
        if self.downloaded > 0 {
            text.push_str(&format!(
                "Open them, offline: sealform open --key KEY.private.pem --out opened {}\n",
                self.inbox
            ));
        }
        text
    }
}

fn bundles(n: usize) -> String {
    if n == 1 {
        "1 bundle".into()
    } else {
        format!("{n} bundles")
    }
}
