//! `sealform demo`: everything on one computer — an unencrypted demo key, the default form with that key, the
//! receiver serving the form, and a fictional firm's page on a second origin that embeds it — then says how to
//! pull what was submitted and open it, the firm's daily workflow.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use sealform_core::key::Recipient;
use sealform_core::protocol::pickup::{AllowedToken, TokenScope};
use sealform_core::schema::{Template, LEGAL_INTAKE_TEMPLATE};
use sealform_receiver::{host_page, FormConfig, Origin, Server};

use crate::cli::DemoArgs;
use crate::error::{self, Error, Exit};
use crate::files::{self, PUBLIC_FILE};
use crate::keygen;
use crate::serve;

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
    /// The demo key's id: the firm's page embeds the form pinned to it.
    pin: String,
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
        let pin = recipient.kid().to_string();
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
        host_page::render(&args.host_dir, "", &pin).map_err(serve::start_error)?;
        Ok(Self {
            dir: args.dir,
            host_dir: args.host_dir,
            receiver,
            host_addr,
            pin,
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
            &config.pin,
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
        keygen::make_for_demo(&keygen::Plan::demo(dir, KEY_NAME)?)?;
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
