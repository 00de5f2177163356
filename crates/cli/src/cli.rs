//! The command line as clap derive types: what `sealform` accepts and its `--help`. What the values mean is
//! checked by each subcommand before it does any work.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use sealform_core::key::DEFAULT_KEY_BITS;

/// The paragraph on passphrases, shared by the subcommands that read one.
macro_rules! passphrase_note {
    () => {
        "Passphrases are never given on the command line: sealform asks on the terminal, or reads the first line \
         of the file named by --passphrase-file, or the environment variable named by --passphrase-env."
    };
}

/// sealform: make the firm's keys, and inspect and open the sealed submissions clients send from the intake form.
/// Opening happens offline, on this computer; `serve` receives submissions without ever needing a private key.
#[derive(Debug, Parser)]
#[command(name = "sealform", version, propagate_version = true, after_help = MAIN_HELP)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

const MAIN_HELP: &str = concat!(
    "Examples:\n",
    "  sealform keygen --out keys\n",
    "  sealform inspect inbox/*.bundle\n",
    "  sealform open --key keys/firm.private.pem inbox/client.bundle\n",
    "  sealform open --key keys/firm.private.pem --out opened inbox/*.bundle\n",
    "  sealform recover --share a.txt --share b.txt --share c.txt --out backup.private.pem\n",
    "  sealform serve --config form.json --dist dist --store sealform.db\n",
    "  sealform token new --out pickup.token\n",
    "  sealform pull --from https://forms.example --token-file pickup.token --inbox inbox\n",
    "  sealform audit verify opened/audit.log\n",
    "  sealform demo\n",
    "\n",
    "Run `sealform help COMMAND` for a command's options and more examples.\n",
    "\n",
    "Exit codes:\n",
    "  0  all done\n",
    "  1  some files failed (each is named on standard error); the rest were done\n",
    "  2  nothing was done: a usage or configuration error (the message says what)",
);

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Make a new key pair: a private key to open submissions with, and the public key for the form
    #[command(after_help = KEYGEN_HELP)]
    Keygen(KeygenArgs),
    /// Show what can be seen of bundles without a key: receipt id, format version, keys sealed for, sizes
    #[command(after_help = INSPECT_HELP)]
    Inspect(InspectArgs),
    /// Open bundles with the firm's private key, verifying every part, and print or save the submissions
    #[command(after_help = OPEN_HELP)]
    Open(OpenArgs),
    /// Rebuild a private key from its recovery shares (from `keygen --shares`) and save it, passphrase-protected
    #[command(after_help = RECOVER_HELP)]
    Recover(RecoverArgs),
    /// Serve the form and receive sealed submissions into a store (no private key is needed or read)
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Try it all on this computer: a demo key, the default form, the receiver and a firm's page embedding it
    #[command(after_help = DEMO_HELP)]
    Demo(DemoArgs),
    /// Make a pickup token: the secret `pull` shows the receiver, whose SHA-256 the receiver is given
    Token(crate::token::TokenArgs),
    /// Collect the sealed bundles a receiver holds into an inbox folder, each checked and on the disk before
    /// it is acknowledged
    #[command(after_help = crate::pull::PULL_HELP)]
    Pull(crate::pull::PullArgs),
    /// Check an audit trail (a receiver's, or the audit.log `open --out` keeps) and name its first broken link
    Audit(crate::audit::AuditArgs),
}

const KEYGEN_HELP: &str = concat!(
    "Writes DIR/NAME.private.pem (PKCS#8, encrypted with your passphrase, readable only by you: keep it, and a \
     backup, safe), DIR/NAME.public.jwk and DIR/NAME.public.pem, then prints the key's fingerprint, the JSON to \
     add to the form config's \"recipients\" list, and the embed tag that pins the form to this key. Existing key \
     files are never replaced unless you add --force.\n",
    "\n",
    "Make a second key with --name backup and list both in the form config: if one private key is ever lost, the \
     other still opens every submission.\n",
    "\n",
    "With --shares N --threshold M the private key is never written: it is split into N recovery shares, each a \
     text file and a printable one-page sheet (with a QR code), any M of which rebuild it with `sealform recover`. \
     Give each share to a different person; fewer than M tell nothing about the key.\n",
    "\n",
    "With --pkcs11 MODULE.so the key is made on a hardware token (a YubiKey, a smart card, an HSM), marked never \
     to leave it, and only the public key files are written; `sealform open --pkcs11` opens with it, the \
     decryption done on the token.\n",
    "\n",
    "Examples:\n",
    "  sealform keygen --out keys                  (asks for a passphrase twice)\n",
    "  sealform keygen --out keys --name backup --bits 4096\n",
    "  sealform keygen --out keys --passphrase-file ~/sealform-passphrase\n",
    "  sealform keygen --out demo --unencrypted-demo-key\n",
    "  sealform keygen --out keys --name backup --shares 5 --threshold 3\n",
    "  sealform keygen --out keys --name token --pkcs11 /usr/lib/x86_64-linux-gnu/libykcs11.so\n",
    "\n",
    passphrase_note!(),
    "\n",
    "\n",
    "Exit codes:\n",
    "  0  the keys were written\n",
    "  1  writing a key file failed\n",
    "  2  nothing was written: a usage or passphrase error, or a key file exists",
);

const INSPECT_HELP: &str = concat!(
    "No key is needed and nothing is decrypted: the structure is checked as strictly as when opening. Shows the \
     receipt id (short and full), the format version, the keys each part is sealed for, the sizes and the number \
     of attachments. A FILE may be a folder: every file in it is inspected.\n",
    "\n",
    "With --kids, shows instead each key the bundles are sealed for, in how many, and in how many it is the only \
     key; then the bundles grouped by the keys they are sealed for together. While a key is replaced, an old key \
     can be retired once no bundle still to be opened is sealed to it alone (or only to it and other keys being \
     retired).\n",
    "\n",
    "Examples:\n",
    "  sealform inspect inbox/client.bundle\n",
    "  sealform inspect inbox/*.bundle\n",
    "  sealform inspect --json inbox/*.bundle > inbox.json\n",
    "  cat submission.bundle | sealform inspect -\n",
    "  sealform inspect --kids inbox/ --store sealform.db\n",
    "  sealform inspect --kids --json inbox/ > kids.json\n",
    "\n",
    "Exit codes:\n",
    "  0  every file is a well-formed bundle\n",
    "  1  some are not (each is named on standard error); the rest were shown\n",
    "  2  nothing was done: a usage error",
);

const OPEN_HELP: &str = concat!(
    "Without --out, each verified submission is printed to standard output as JSON. With --out DIR, each goes to \
     its own folder DIR/<date>_<receipt>/ (the date the client submitted, the short receipt id): submission.json, \
     consent.json, summary.md and summary.html (easy to read; every value the client typed is escaped), and \
     attachments/, the names made safe (folders, control and text-direction characters and leading dots \
     removed, Windows device names renamed, long names shortened; a number added rather than overwrite). A \
     bundle already opened into DIR is skipped unless you add --again.\n",
    "\n",
    "A FILE may be a folder: every file in it is opened (add --recursive for its subfolders). Bundles are opened \
     on every core at once; a progress bar shows on a terminal. A damaged bundle is named on standard error and \
     skipped: the others are still opened.\n",
    "\n",
    "The answers are checked again against the form they were given to, found by the SHA-256 the submission \
     records: the built-in legal-intake template is known, give your own form configs with --schema. Problems \
     are written to standard error and into the summary; the submission is still saved.\n",
    "\n",
    "Examples:\n",
    "  sealform open --key firm.private.pem inbox/client.bundle\n",
    "  sealform open --key firm.private.pem --out opened inbox/\n",
    "  sealform open --key firm.private.pem --out opened --store sealform.db\n",
    "  sealform open --key firm.private.pem --out opened --schema form.json --export opened/all.csv inbox/\n",
    "  sealform open --key firm.private.pem --key backup.private.pem in.bundle\n",
    "  sealform open --key firm.private.pem --passphrase-env SF_PASS in.bundle\n",
    "  sealform open --share a.txt --share b.txt --share c.txt --out opened inbox/\n",
    "  sealform open --pkcs11 /usr/lib/x86_64-linux-gnu/libykcs11.so --out opened inbox/\n",
    "  cat client.bundle | sealform open --key firm.private.pem -\n",
    "\n",
    passphrase_note!(),
    " The same passphrase is used for every encrypted key.\n",
    "\n",
    "Exit codes:\n",
    "  0  every bundle was opened (or had been already)\n",
    "  1  some failed (each is named on standard error); the rest were opened\n",
    "  2  nothing was opened: a usage error, or a key, passphrase or --schema file is wrong",
);

const RECOVER_HELP: &str = concat!(
    "Reads the share files (each a share's .txt file from keygen, or a file holding what its sheet shows: typed \
     back, or the text of its QR code), checks each line's checksum and that the shares belong together, rebuilds \
     the key in memory, checks it is the key the shares name, then writes it to --out encrypted with a new \
     passphrase (asked twice). A mistyped share is named, with its line. To open bundles without writing the \
     key at all, give the shares to `sealform open --share` instead.\n",
    "\n",
    "Examples:\n",
    "  sealform recover --share a.txt --share b.txt --share c.txt --out backup.private.pem\n",
    "  sealform open --share a.txt --share b.txt --share c.txt --out opened inbox/\n",
    "\n",
    passphrase_note!(),
    "\n",
    "\n",
    "Exit codes:\n",
    "  0  the key was rebuilt and written\n",
    "  1  writing the key failed\n",
    "  2  nothing was written: a share is wrong or missing, or a usage or passphrase error",
);

/// The command line of `sealform recover`.
#[derive(Debug, Args)]
pub(crate) struct RecoverArgs {
    /// A recovery share file; repeat for as many as the shares' threshold
    #[arg(long = "share", value_name = "FILE", required = true)]
    pub(crate) shares: Vec<PathBuf>,
    /// Where to write the rebuilt private key (PKCS#8 PEM, encrypted with a new passphrase, readable only by you)
    #[arg(long, value_name = "KEY.pem")]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArgs,
}

/// A PKCS#11 token holding private keys: `keygen` makes one there, `open` opens with those there.
#[derive(Debug, Args)]
pub(crate) struct Pkcs11Args {
    /// The PKCS#11 module of a hardware token (its driver's .so file, e.g. libykcs11.so for a YubiKey, or
    /// libsofthsm2.so): the private key is kept, and used, on the token
    #[arg(long, value_name = "MODULE.so")]
    pub(crate) pkcs11: Option<PathBuf>,
    /// Which token of the module, by its label (needed only when several are present)
    #[arg(long, value_name = "LABEL", requires = "pkcs11")]
    pub(crate) token: Option<String>,
    /// Read the token's PIN from the first line of this file (else it is asked for at the terminal)
    #[arg(
        long,
        value_name = "PATH",
        requires = "pkcs11",
        conflicts_with = "pin_env"
    )]
    pub(crate) pin_file: Option<PathBuf>,
    /// Read the token's PIN from the environment variable with this name
    #[arg(long, value_name = "NAME", requires = "pkcs11")]
    pub(crate) pin_env: Option<String>,
}

/// Where a passphrase comes from when it is not typed at a terminal.
#[derive(Debug, Args)]
pub(crate) struct PassphraseArgs {
    /// Read the passphrase from the first line of this file (make it readable only by you)
    #[arg(long, value_name = "PATH", conflicts_with = "passphrase_env")]
    pub(crate) passphrase_file: Option<PathBuf>,
    /// Read the passphrase from the environment variable with this name (give its name, not the passphrase)
    #[arg(long, value_name = "NAME")]
    pub(crate) passphrase_env: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// Folder to write the key files into (created if missing)
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Key size in bits: 3072 or 4096 (2048 is the least sealform accepts)
    #[arg(long, value_name = "BITS", default_value_t = DEFAULT_KEY_BITS)]
    pub(crate) bits: usize,
    /// What the key files are called: NAME.private.pem, NAME.public.jwk, NAME.public.pem
    #[arg(long, value_name = "NAME", default_value = "firm")]
    pub(crate) name: String,
    /// Write the private key WITHOUT a passphrase: only for demos and tests, never for real clients
    #[arg(long, conflicts_with_all = ["passphrase_file", "passphrase_env"])]
    pub(crate) unencrypted_demo_key: bool,
    /// Replace key files that exist (the old private key is then lost, and what was sealed to it with it)
    #[arg(long)]
    pub(crate) force: bool,
    /// Instead of writing the private key, split it into N recovery shares (2 to 16), any --threshold of which
    /// rebuild it: NAME.share-1-of-N.txt and .html, to print and hand to N different people
    #[arg(
        long,
        value_name = "N",
        requires = "threshold",
        conflicts_with_all = ["unencrypted_demo_key", "passphrase_file", "passphrase_env"]
    )]
    pub(crate) shares: Option<u8>,
    /// How many of the --shares rebuild the key (2 to N): fewer tell nothing about it
    #[arg(long, value_name = "M", requires = "shares")]
    pub(crate) threshold: Option<u8>,
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArgs,
    /// With --pkcs11, the key is generated on the token and cannot be copied off it; only the public key is
    /// written
    #[command(flatten)]
    pub(crate) token: Pkcs11Args,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// Print one JSON document (a list with an entry per file) instead of text
    #[arg(long)]
    pub(crate) json: bool,
    /// Instead of a block per bundle, list the keys the bundles are sealed for and how many need each: what tells
    /// when an old key can be retired
    #[arg(long)]
    pub(crate) kids: bool,
    /// Refuse, without reading them, files larger than this [default: the largest bundle the built-in form's
    /// limits allow]
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_bundle_bytes: Option<u64>,
    /// Look for bundles in the subfolders of a folder given as FILE, too
    #[arg(long, short = 'r')]
    pub(crate) recursive: bool,
    /// Inspect every bundle in the receiver's store (the file `sealform serve --store` writes); read-only
    #[arg(long, value_name = "STORE.db")]
    pub(crate) store: Option<PathBuf>,
    /// Bundles, or folders of bundles, to inspect; `-` reads one from standard input
    #[arg(value_name = "FILE", required_unless_present = "store")]
    pub(crate) files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct OpenArgs {
    /// A private key to open with (PKCS#8 PEM); repeat for several, e.g. the firm's key and its backup key, or
    /// the old and the new key while a key is replaced: each bundle is opened with the one it was sealed to
    #[arg(
        long = "key",
        value_name = "KEY.pem",
        required_unless_present_any = ["shares", "pkcs11"]
    )]
    pub(crate) keys: Vec<PathBuf>,
    /// A recovery share of a key (from `keygen --shares`); repeat for as many as its threshold. The key is rebuilt
    /// in memory only, and opens alongside any --key
    #[arg(long = "share", visible_alias = "shares", value_name = "FILE")]
    pub(crate) shares: Vec<PathBuf>,
    /// Also open with every key on a PKCS#11 token, the decryption done on the token
    #[command(flatten)]
    pub(crate) token: Pkcs11Args,
    /// Save each submission and its attachments in DIR, a folder per receipt, instead of printing it
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Open again what DIR already holds, replacing its receipt folder
    #[arg(long, visible_alias = "force", requires = "out")]
    pub(crate) again: bool,
    /// A form config (JSON) to check answers against; repeat for several versions of your form
    #[arg(long = "schema", value_name = "FORM.json")]
    pub(crate) schemas: Vec<PathBuf>,
    /// Also write one table of every submission opened in this run: a row each, a column per question
    #[arg(long, value_name = "PATH")]
    pub(crate) export: Option<PathBuf>,
    /// The table's format [default: json if PATH ends in .json, else csv]
    #[arg(long, value_enum, value_name = "FORMAT", requires = "export")]
    pub(crate) format: Option<ExportFormat>,
    /// Look for bundles in the subfolders of a folder given as FILE, too
    #[arg(long, short = 'r')]
    pub(crate) recursive: bool,
    /// Refuse, without reading them, files larger than this [default: the largest bundle the limits of the
    /// built-in form and of every --schema form allow]
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_bundle_bytes: Option<u64>,
    /// Questions and options read in the language the client saw them in; also name each in LANG (e.g. en),
    /// in brackets, where the form has that language and it reads differently
    #[arg(long, value_name = "LANG", value_parser = language_tag)]
    pub(crate) lang: Option<String>,
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArgs,
    /// Open every bundle in the receiver's store (the file `sealform serve --store` writes, or its postgres://
    /// URL); read-only, so safe while the receiver runs
    #[arg(long, value_name = "STORE.db|URL")]
    pub(crate) store: Option<PathBuf>,
    /// The PostgreSQL password for a postgres:// --store, in the first line of this file [default: the PGPASSFILE
    /// password file, else ~/.pgpass]
    #[arg(long, value_name = "FILE", requires = "store")]
    pub(crate) store_password_file: Option<PathBuf>,
    /// Bundles, or folders of bundles, to open; `-` reads one from standard input
    #[arg(value_name = "FILE", required_unless_present = "store")]
    pub(crate) files: Vec<PathBuf>,
}

/// How `sealform open --export` writes its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ExportFormat {
    /// Comma-separated values (RFC 4180), for spreadsheets; cells that could run as formulas are defused
    Csv,
    /// A JSON list with an object per submission
    Json,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}

const SERVE_HELP: &str = concat!(
    "Serves the built form (--dist, Trunk's dist/ folder) at /, the form config at /config.json, and receives \
     sealed submissions at POST /api/submissions into the store: a SQLite file (created if missing), or a \
     PostgreSQL database that several receivers share (postgres://USER@HOST:PORT/DATABASE). Each submission must \
     be sealed for exactly the keys in the config's \"recipients\"; it is answered 201 with its receipt only once \
     it is safely on disk. The receiver never needs or reads a private key. Logs go to standard error \
     (RUST_LOG=debug for more); docs/RECEIVER.md describes every route.\n",
    "\n",
    "The firm collects what arrived with `sealform pull`, authenticated by a pickup token whose SHA-256 is given \
     here (make one with `sealform token new`). Acknowledged bundles are deleted after --keep-after-pickup days; \
     bundles nobody has collected are never deleted: /healthz reports how many wait, and since when.\n",
    "\n",
    "With --notify-url, each new submission is followed by a signed POST (Standard Webhooks) to the firm's own \
     endpoint saying only that one arrived: its receipt, time and size, never an answer, a name or a file name. \
     --notify-every sends one notice per period with a count instead.\n",
    "\n",
    "Examples:\n",
    "  sealform serve --config form.json --dist dist --store sealform.db\n",
    "  sealform serve --config form.json --listen 0.0.0.0:8080 --allow-origin https://www.example-law.co.uk\n",
    "  sealform serve --config form.json --pow-bits 18 --rate-limit 30\n",
    "  sealform serve --config form.json --pickup-token-sha256 HEX --keep-after-pickup 7\n",
    "  sealform serve --store sealform.db --purge-collected-now\n",
    "  sealform serve --config form.json --store postgres://sealform@db.internal:5432/intake \\\n",
    "      --store-password-file store.password --listen 0.0.0.0:8080\n",
    "  sealform serve --config form.json --notify-url https://hooks.example-law.co.uk/sealform \\\n",
    "      --notify-secret-file notify.secret\n",
    "  sealform open --key firm.private.pem --store sealform.db --out opened   (later, offline)\n",
    "\n",
    "Exit codes:\n",
    "  0  stopped cleanly (Ctrl-C)\n",
    "  1  the server failed while running\n",
    "  2  it did not start: a usage or configuration error (the message says what)",
);

/// The command line of `sealform serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The form config (JSON) to serve as /config.json; its "recipients" are the keys submissions must be sealed for
    #[arg(
        long,
        value_name = "FORM.json",
        required_unless_present = "purge_collected_now"
    )]
    pub(crate) config: Option<PathBuf>,
    /// Where submissions are kept: a SQLite file (created if missing), or postgres://USER@HOST:PORT/DATABASE for a
    /// database several receivers share (its tables are created if missing)
    #[arg(long, value_name = "PATH|URL", default_value = "sealform.db")]
    pub(crate) store: PathBuf,
    /// The PostgreSQL password for a postgres:// --store, in the first line of this file (never in the URL)
    /// [default: the PGPASSFILE password file, else ~/.pgpass]
    #[arg(long, value_name = "FILE")]
    pub(crate) store_password_file: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) server: ServerArgs,
    /// Address and port to listen on
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub(crate) listen: SocketAddr,
    /// A firm site allowed to embed the form and call the API from its pages, like https://www.example-law.co.uk;
    /// repeat for several
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub(crate) allow_origins: Vec<String>,
    /// Delete every bundle already acknowledged by a pickup now, whatever --keep-after-pickup says, then exit
    /// without serving (safe while another receiver runs on the same store)
    #[arg(long)]
    pub(crate) purge_collected_now: bool,
    #[command(flatten)]
    pub(crate) notify: NotifyArgs,
}

/// Notices of new submissions to the firm's webhook.
#[derive(Debug, Args)]
pub(crate) struct NotifyArgs {
    /// After each new submission is stored, POST a signed notice (Standard Webhooks) to this https:// URL (http://
    /// only to a loopback address): its receipt, time and size, never its content
    #[arg(long, value_name = "URL", requires = "notify_secret_file")]
    pub(crate) notify_url: Option<String>,
    /// The notices' signing secret: a file holding whsec_ and the base64 of 24 to 64 random bytes (docs/RECEIVER.md
    /// says how to make one)
    #[arg(long, value_name = "FILE", requires = "notify_url")]
    pub(crate) notify_secret_file: Option<PathBuf>,
    /// Instead of a notice per submission, one every SECS seconds with how many arrived (none when none did), so
    /// no submission's own time is sent
    #[arg(long, value_name = "SECS", requires = "notify_url")]
    pub(crate) notify_every: Option<u64>,
}

/// The options `serve` and `demo` share.
#[derive(Debug, Args)]
pub(crate) struct ServerArgs {
    /// The built form: the folder `trunk build` wrote (it must hold index.html)
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pub(crate) dist: PathBuf,
    /// Ask each submission for a proof of work with this many leading zero bits (about 2^N hashes in the browser;
    /// 16 to 20 is a fraction of a second). Off unless given
    #[arg(long, value_name = "N")]
    pub(crate) pow_bits: Option<u8>,
    /// The largest submission accepted, in bytes [default: from the config's limits: the attachments' total in
    /// base64, plus room for the answers]
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_body: Option<u64>,
    /// The most bytes of submissions received at once, across all clients; an upload beyond it gets 503 and is
    /// sent again by the form [default: 4 × --max-body, at least 256 MiB]
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_inflight_bytes: Option<u64>,
    /// Connections open at once; at the cap, the one idle longest is closed to make room for a new one [default:
    /// half the file-descriptor limit left after 64 for the store and the rest, from 16 to 4096]
    #[arg(long, value_name = "N")]
    pub(crate) max_connections: Option<usize>,
    /// Requests to the API allowed per minute from one client: an IPv4 address, or an IPv6 /64 (0: no limit)
    #[arg(long, value_name = "PER_MINUTE", default_value_t = 60)]
    pub(crate) rate_limit: u32,
    /// A pickup token the firm's `sealform pull` may use: the SHA-256 `sealform token new` printed, then :read for
    /// a read-only token (may list and download, never acknowledge); repeat for several
    #[arg(long = "pickup-token-sha256", value_name = "HEX[:read]")]
    pub(crate) pickup_tokens: Vec<String>,
    /// A file of pickup token hashes, one per line (HEX or HEX:read; # starts a comment)
    #[arg(long = "pickup-tokens", value_name = "FILE")]
    pub(crate) pickup_token_file: Option<PathBuf>,
    /// Days an acknowledged bundle stays on the receiver before it is deleted (0: at once). A bundle nobody has
    /// collected is never deleted
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub(crate) keep_after_pickup: u32,
    /// Days a client's saved draft ("Save and continue later", sealed in the browser to the client's own key) is
    /// kept before it is purged; 0: keep no drafts (the form then offers the draft as a file only)
    #[arg(long, value_name = "DAYS", default_value_t = sealform_core::protocol::draft::DEFAULT_DAYS)]
    pub(crate) draft_days: u32,
    /// The largest sealed draft kept, in bytes (a draft holds answers, never files)
    #[arg(long, value_name = "BYTES", default_value_t = sealform_core::protocol::draft::DEFAULT_MAX_BYTES)]
    pub(crate) draft_max_bytes: usize,
}

const DEMO_HELP: &str = concat!(
    "Creates DIR (default ./sealform-demo) with an UNENCRYPTED demo key (demo.private.pem: for trying sealform \
     only, never for real clients), the default legal-intake form config form.json sealed to that key, a pickup \
     token (pickup.token) and the store sealform.db; then serves the form on http://127.0.0.1:PORT and a fictional firm's page that embeds it \
     on http://127.0.0.1:HOST-PORT (a second origin, as a firm's own site would be). Run it again to reuse the \
     same key, token and store. Build the form first (`trunk build`, or run scripts/demo.sh, which does both). It \
     prints the `sealform pull` and `sealform open` commands that collect and open what was submitted.\n",
    "\n",
    "Examples:\n",
    "  sealform demo\n",
    "  sealform demo --dir /tmp/sf-demo --port 9080 --host-port 9081\n",
    "  sealform demo --dist dist --host-dir demo/host --pow-bits 16\n",
    "  sealform pull --from http://127.0.0.1:8080 --token-file sealform-demo/pickup.token --inbox sealform-demo/inbox\n",
    "  sealform open --key sealform-demo/demo.private.pem --out sealform-demo/opened sealform-demo/inbox\n",
    "\n",
    "Exit codes:\n",
    "  0  stopped cleanly (Ctrl-C)\n",
    "  1  a server failed while running\n",
    "  2  it did not start: a usage or configuration error (the message says what)",
);

/// The command line of `sealform demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Folder for the demo key, form config and store (created if missing; reused if there)
    #[arg(long, value_name = "DIR", default_value = "sealform-demo")]
    pub(crate) dir: PathBuf,
    /// Port for the form and its receiver, on 127.0.0.1
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    pub(crate) port: u16,
    /// Port for the fictional firm's page, on 127.0.0.1 (a different origin from the form's)
    #[arg(long, value_name = "PORT", default_value_t = 8081)]
    pub(crate) host_port: u16,
    /// The firm's page to serve: a folder whose index.html has __SEALFORM_ORIGIN__ where the form's origin goes
    #[arg(long, value_name = "DIR", default_value = "demo/host")]
    pub(crate) host_dir: PathBuf,
    #[command(flatten)]
    pub(crate) server: ServerArgs,
}

/// Reads `--lang`: a BCP 47 language tag such as `en` or `es-MX`.
fn language_tag(tag: &str) -> Result<String, String> {
    if sealform_core::i18n::is_language_tag(tag) {
        Ok(tag.to_owned())
    } else {
        Err(format!(
            "expected a language tag such as en, es or ar, not {tag:?}"
        ))
    }
}
