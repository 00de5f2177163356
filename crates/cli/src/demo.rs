//! `sealform demo`: everything on one computer — an unencrypted demo key, the default form with that key, the
//! receiver serving the form, and a fictional firm's page on a second origin that embeds it — then says how to
//! pull what was submitted and open it, the firm's daily workflow.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use clap::Args;
use sealform_core::key::{Recipient, DEFAULT_KEY_BITS};
use sealform_core::protocol::pickup::{AllowedToken, TokenScope};
use sealform_core::schema::{Template, LEGAL_INTAKE_TEMPLATE};
use sealform_receiver::{host_page, FormConfig, Origin, Server};

use crate::cli::{KeygenArgs, PassphraseArgs};
use crate::error::{self, Error, Exit};
use crate::files::{self, PUBLIC_FILE};
use crate::serve::{self, ServerArgs};

pub(crate) const DEMO_HELP: &str = concat!(
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

/// The demo key's file names: `DIR/demo.private.pem`, `DIR/demo.public.jwk`.
const KEY_NAME: &str = "demo";
/// The demo's pickup token: `DIR/pickup.token`.
const TOKEN_FILE: &str = "pickup.token";

/// What to do, checked: the key and config are in place before anything listens.
struct Config {
    dir: PathBuf,
    host_dir: PathBuf,
    receiver: sealform_receiver::Config,
    host_addr: SocketAddr,
}

impl Config {
    fn new(args: DemoArgs) -> Result<Self, Error> {
        if args.port == args.host_port {
            return Err(Error::usage(format!(
                "--port and --host-port are both {}: the firm's page needs its own port (its own origin)",
                args.port
            )));
        }
        let recipient = demo_key(&args.dir)?;
        let token = demo_token(&args.dir)?;
        let form_path = args.dir.join("form.json");
        let form = write_form_config(&form_path, recipient)?;
        let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
        let host_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.host_port));
        let host_origin: Origin = format!("http://{host_addr}")
            .parse()
            .map_err(serve::start_error)?;
        let mut receiver = args.server.receiver_config(
            form,
            args.dir.join("sealform.db"),
            listen,
            vec![host_origin],
        )?;
        receiver.pickup_tokens.push(token);
        // Checked now so a missing page is reported before anything listens.
        host_page::render(&args.host_dir, "").map_err(serve::start_error)?;
        Ok(Self {
            dir: args.dir,
            host_dir: args.host_dir,
            receiver,
            host_addr,
        })
    }
}

/// Runs `sealform demo`.
pub(crate) fn run(args: DemoArgs) -> Result<Exit, Error> {
    let config = Config::new(args)?;
    serve::init_logging();
    serve::runtime()?.block_on(async move {
        let server = Server::bind(config.receiver)
            .await
            .map_err(serve::start_error)?;
        let host_listener = sealform_receiver::listen(config.host_addr)
            .await
            .map_err(|e| serve::start_error(format!("{e} (the firm's page: --host-port)")))?;
        let form_origin = format!("http://{}", server.local_addr());
        next_steps(&config.dir, &form_origin, config.host_addr);
        let host = host_page::serve(
            host_listener,
            &config.host_dir,
            &form_origin,
            serve::interrupted(),
        );
        let (served, hosted) = tokio::join!(server.run(serve::interrupted()), host);
        served.and(hosted).map_err(serve::stopped)?;
        Ok(Exit::Success)
    })
}

/// The demo key's public half: made (unencrypted, with a warning) by the keygen code path the first time, read
/// back every time after.
fn demo_key(dir: &Path) -> Result<Recipient, Error> {
    let jwk_path = dir.join(format!("{KEY_NAME}.public.jwk"));
    if !jwk_path.exists() {
        crate::keygen::make_for_demo(KeygenArgs {
            out: dir.to_path_buf(),
            bits: DEFAULT_KEY_BITS,
            name: KEY_NAME.into(),
            unencrypted_demo_key: true,
            force: false,
            passphrase: PassphraseArgs {
                passphrase_file: None,
                passphrase_env: None,
            },
        })?;
    } else {
        eprintln!("Reusing the demo key in {}", dir.display());
    }
    error::warn(&format!(
        "{} is an UNENCRYPTED demo key: use it to try sealform, never for real clients",
        dir.join(format!("{KEY_NAME}.private.pem")).display()
    ));
    let jwk = std::fs::read_to_string(&jwk_path).map_err(|e| {
        Error::usage(format!(
            "could not read the demo key {}: {e}; delete {} to start the demo afresh",
            jwk_path.display(),
            dir.display()
        ))
    })?;
    Recipient::from_jwk(&jwk).map_err(|e| {
        Error::usage(format!(
            "{}: {e}; delete {} to start the demo afresh",
            jwk_path.display(),
            dir.display()
        ))
    })
}

/// The demo's pickup token (scope collect), made the first time and read back every time after: only its hash
/// goes to the receiver, as `sealform serve --pickup-token-sha256` would give it.
fn demo_token(dir: &Path) -> Result<AllowedToken, Error> {
    let path = dir.join(TOKEN_FILE);
    let token = if path.exists() {
        crate::token::read_token_file(&path)?
    } else {
        crate::token::write_new_token(&path, false)?
    };
    Ok(AllowedToken {
        hash: token.hash(),
        scope: TokenScope::Collect,
    })
}

/// Writes the default legal-intake form with the demo key as its recipient to `path`, and reads it back exactly as
/// `serve --config` would.
fn write_form_config(path: &Path, recipient: Recipient) -> Result<FormConfig, Error> {
    let schema = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes())
        .and_then(|template| template.with_recipients([recipient]))
        .map_err(|e| Error::failed(format!("the built-in form template is broken: {e}")))?;
    // A struct of strings, numbers and lists: serialising it cannot fail.
    let mut json = serde_json::to_string_pretty(&schema).unwrap_or_default();
    json.push('\n');
    files::replace(path, json.as_bytes(), PUBLIC_FILE)
        .map_err(|e| Error::failed(format!("could not write {}: {e}", path.display())))?;
    FormConfig::from_bytes(json.into_bytes(), path).map_err(serve::start_error)
}

/// How to run this program again from the shell that started the demo: the path it was started by when that is a
/// path (`scripts/demo.sh` runs it from the target folder, not from PATH), else its name.
fn this_program() -> String {
    std::env::args_os()
        .next()
        .map(PathBuf::from)
        .filter(|path| path.components().count() > 1)
        .map_or_else(|| "sealform".to_owned(), |path| path.display().to_string())
}

/// Says where to go and what to run afterwards.
fn next_steps(dir: &Path, form_origin: &str, host_addr: SocketAddr) {
    eprintln!(
        "\nsealform demo is running (Ctrl-C stops it):\n\
         \x20 1. Open http://{host_addr}/ — a fictional firm's page with the form embedded (served from {form_origin}).\n\
         \x20 2. Fill it in and submit: the answers are sealed in your browser; the receiver stores only ciphertext.\n\
         \x20 3. Collect what was received into an inbox, as the firm's offline machine does every day:\n\
         \x20      {program} pull --from {form_origin} --token-file {token} --inbox {inbox}\n\
         \x20 4. Open it, offline, with the demo key (the answers are checked again against the form):\n\
         \x20      {program} open --key {key} --out {opened} {inbox}\n",
        program = this_program(),
        token = dir.join(TOKEN_FILE).display(),
        inbox = dir.join("inbox").display(),
        key = dir.join(format!("{KEY_NAME}.private.pem")).display(),
        opened = dir.join("opened").display(),
    );
}
