//! The sealform client-intake form: a Leptos component, compiled to wasm32, that renders a firm's form from its
//! config, checks the answers with core's rules, records consent, and seals everything in the page for the firm's
//! public key before anything is sent.
//!
//! [`start`] runs the form as a page of its own (the iframe `embed.js` creates); [`mount_inline`] mounts it into an
//! element of the firm's own page. The rules live in [`state`] (plain Rust, tested natively); the components only
//! render state and send it events.
#![deny(missing_docs)]

use leptos::prelude::*;
use sealform_core::i18n::{self, Texts};
use wasm_bindgen::prelude::*;

pub mod check_answers;
pub mod config;
pub mod draft;
pub mod fields;
pub mod file_bytes;
pub mod flow;
mod form;
pub mod journey;
pub mod language;
pub mod page;
pub mod save_later;
pub mod seal;
pub mod send;
pub mod state;

use config::{ConfigError, EmbedOptions, LoadedConfig};

/// The version shown in the console; the form and core crates share the workspace version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the page shows while and after loading the config.
#[derive(Clone, Debug)]
enum Loading {
    Waiting,
    Ready(Box<LoadedConfig>),
    /// The form cannot run; the firm's contact details if they could be read.
    Failed {
        firm: Option<FirmContact>,
    },
}

/// Enough of the firm to tell a client how to get in touch when the form itself cannot run.
#[derive(Clone, Debug, Default, serde::Deserialize)]
struct FirmContact {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

/// The whole form page: loads the config, then shows the form or a calm explanation.
///
/// Its root is `id="sealform-root"` with `data-ready="true"` once the form can be typed into (and
/// `data-state="unavailable"` when it cannot run), so tests wait on a condition rather than a time.
#[component]
pub fn App(
    /// What the embedding page asked for.
    options: EmbedOptions,
) -> impl IntoView {
    let loading = RwSignal::new(Loading::Waiting);
    {
        let options = options.clone();
        leptos::task::spawn_local(async move {
            loading.set(load(&options).await);
        });
    }
    let ready = move || matches!(loading.get(), Loading::Ready(_));
    Effect::new(move |_| {
        if ready() {
            page::mark("sealform:ready");
        }
    });
    let state = move || match loading.get() {
        Loading::Waiting => "loading",
        Loading::Ready(_) => "ready",
        Loading::Failed { .. } => "unavailable",
    };
    // Until the config says which languages it offers, the first the client wants that sealform speaks.
    let before_config = language::before_config(&language::wanted(&options.languages));
    let tag = move || match loading.get() {
        Loading::Ready(config) => config.schema.language.clone(),
        _ => before_config.language().to_owned(),
    };
    let direction = move || i18n::direction(&tag());
    Effect::new(move |_| page::set_document_language(&tag(), direction()));
    // The receiver's first paint (the form's top as static HTML) stays until the form or the "unavailable" page is
    // drawn: the wasm's own loading status would only repeat it.
    let first_paint = page::has_first_paint();
    Effect::new(move |_| {
        if !matches!(loading.get(), Loading::Waiting) {
            page::remove_first_paint();
        }
    });
    view! {
        <main
            id="sealform-root"
            class="sf-root"
            lang=tag
            dir=direction
            data-ready=move || ready().to_string()
            data-state=state
        >
            {move || match loading.get() {
                Loading::Waiting if first_paint => ().into_any(),
                Loading::Waiting => {
                    view! { <p class="sf-body" role="status">{before_config.get("loading")}</p> }.into_any()
                }
                Loading::Ready(config) => {
                    page::apply_theme(config.schema.theme.as_ref());
                    view! { <form::IntakeForm config=*config options=options.clone()/> }.into_any()
                }
                Loading::Failed { firm } => {
                    view! { <Unavailable firm=firm texts=before_config/> }.into_any()
                }
            }}
        </main>
    }
}

/// Fetches and checks the config. The developer gets the exact problem in the console; the client a calm page.
async fn load(options: &EmbedOptions) -> Loading {
    // Checked before anything is fetched: a config from elsewhere could seal the client's answers to any key.
    let form = options.form_base.clone().unwrap_or_else(page::href);
    let url = match config::config_url(&options.config, &form, page::parse_url) {
        Ok(url) => url,
        Err(error) => {
            leptos::logging::error!("sealform: {error}");
            return Loading::Failed { firm: None };
        }
    };
    // The receiver's page holds the default config: no request, no round trip.
    let fetched = match from_page(options) {
        Some(in_page) => Ok(in_page),
        None => fetch_config(&url).await,
    };
    let Fetched {
        bytes,
        proof_of_work,
        draft_days,
    } = match fetched {
        Ok(fetched) => fetched,
        Err(detail) => {
            let error = ConfigError::Unreachable { url, detail };
            leptos::logging::error!("sealform: {error}");
            return Loading::Failed { firm: None };
        }
    };
    page::mark("sealform:config-fetched");
    match LoadedConfig::from_bytes(&url, &bytes, &options.pins) {
        // Without SubtleCrypto (a page not served over https) nothing could be sealed: say so before the client
        // types anything, with the firm's contact details.
        Ok(_) if !seal::can_seal() => {
            leptos::logging::error!(
                "sealform: this page has no Web Crypto (SubtleCrypto), which sealing needs: serve the form over \
                 https (browsers offer it only to secure contexts)"
            );
            Loading::Failed {
                firm: firm_contact(&bytes),
            }
        }
        Ok(mut config) => {
            page::mark("sealform:config-checked");
            config.choose_language(&language::wanted(&options.languages));
            // The endpoint is relative to the config (in inline mode the page is on another origin).
            config.endpoint = page::resolve(&config.endpoint, &url);
            config.proof_of_work = proof_of_work;
            config.draft_days = draft_days;
            if config.unpinned {
                leptos::logging::warn!(
                    "sealform: UNSAFE: this page embeds the form without data-pin and the config allows it \
                     (\"allow_unpinned\": true), so a config changed on the server could add a key of its own \
                     and read what clients send; add data-pin to the embed snippet"
                );
            }
            Loading::Ready(Box::new(config))
        }
        Err(error) => {
            leptos::logging::error!("sealform: {error}");
            Loading::Failed {
                firm: firm_contact(&bytes),
            }
        }
    }
}

/// The firm's name and contact details from a config that may be invalid elsewhere.
fn firm_contact(bytes: &[u8]) -> Option<FirmContact> {
    #[derive(serde::Deserialize)]
    struct Partial {
        firm: FirmContact,
    }
    serde_json::from_slice::<Partial>(bytes)
        .ok()
        .map(|p| p.firm)
}

/// The config as fetched, with what its response's headers say of the receiver.
struct Fetched {
    bytes: Vec<u8>,
    /// Whether submissions need a proof of work.
    proof_of_work: bool,
    /// How long saved drafts are kept, when the receiver keeps them.
    draft_days: Option<u32>,
}

/// The default config as the receiver put it in the page, which saves fetching it; `None` when the snippet named
/// another config or the page holds none.
fn from_page(options: &EmbedOptions) -> Option<Fetched> {
    if options.config != config::DEFAULT_CONFIG {
        return None;
    }
    let in_page = page::config_in_page()?;
    Some(Fetched {
        bytes: in_page.bytes,
        proof_of_work: sealform_core::protocol::pow::required(in_page.pow_bits.as_deref()),
        draft_days: draft_days(in_page.draft_days.as_deref()),
    })
}

/// How long drafts are kept, from `config.json`'s `Sealform-Draft-Days` (or the page's copy of it).
fn draft_days(value: Option<&str>) -> Option<u32> {
    value
        .and_then(|days| days.trim().parse::<u32>().ok())
        .filter(|days| *days > 0)
}

/// The config's bytes, and whether the receiver that serves it asks for a proof of work and keeps drafts.
async fn fetch_config(url: &str) -> Result<Fetched, String> {
    // Default credentials (same-origin, and no cookies are ever set), so the fetch matches the page's
    // `<link rel="preload" crossorigin="anonymous">` and reuses that download.
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("the server answered {}", response.status()));
    }
    let headers = response.headers();
    let pow = headers.get(sealform_core::protocol::pow::REQUIRED_HEADER);
    let draft_days = draft_days(
        headers
            .get(sealform_core::protocol::draft::DAYS_HEADER)
            .as_deref(),
    );
    let bytes = response.binary().await.map_err(|e| e.to_string())?;
    Ok(Fetched {
        bytes,
        proof_of_work: sealform_core::protocol::pow::required(pow.as_deref()),
        draft_days,
    })
}

/// What the client sees when the form cannot run: no blank page, no jargon, a way to reach the firm.
#[component]
fn Unavailable(firm: Option<FirmContact>, texts: &'static Texts) -> impl IntoView {
    let firm = firm.unwrap_or_default();
    let name = firm
        .name
        .unwrap_or_else(|| texts.get("unavailable-the-firm"));
    let ways: Vec<String> = [
        firm.phone
            .map(|phone| texts.format("unavailable-call", &[("phone", phone.into())])),
        firm.email
            .map(|email| texts.format("unavailable-email", &[("email", email.into())])),
    ]
    .into_iter()
    .flatten()
    .collect();
    let contact = match ways.as_slice() {
        [] => texts.format("unavailable-contact", &[("firm", name.into())]),
        [one] => texts.format(
            "unavailable-contact-by",
            &[("firm", name.into()), ("ways", one.as_str().into())],
        ),
        [first, second, ..] => texts.format(
            "unavailable-contact-by",
            &[
                ("firm", name.into()),
                (
                    "ways",
                    texts
                        .format(
                            "or-list",
                            &[
                                ("init", first.as_str().into()),
                                ("last", second.as_str().into()),
                            ],
                        )
                        .into(),
                ),
            ],
        ),
    };
    view! {
        <div class="sf-panel sf-panel--unavailable" data-testid="unavailable">
            <h1 class="sf-heading-l">{texts.get("unavailable-heading")}</h1>
            <p class="sf-body">{texts.get("unavailable-nothing-kept")}</p>
            <p class="sf-body">{contact}</p>
        </div>
    }
}

/// Runs the form as its own page (the iframe's document): reads the embed options from the URL and mounts. Does
/// nothing on any other page, where `embed.js` in inline mode loads the same module and calls [`mount_inline`].
pub fn start() {
    // The wasm is compiled and instantiated: where the page's time to interactive stands when the form starts.
    page::mark("sealform:start");
    console_error_panic_hook::set_once();
    if !page::is_own_page() {
        return;
    }
    let options = page::embed_options();
    mount_to_body(move || view! { <App options=options/> });
}

/// Mounts the form into `target` on the firm's own page (inline mode; see `docs/EMBEDDING.md` for why the iframe
/// is the safer default). `form` is the form's own URL (where `embed.js` came from), `config` the snippet's
/// `data-config` (empty: the default), resolved against `form` and refused unless on its origin; `pins` the pinned
/// key ids separated by commas; `languages` the snippet's `data-lang` (empty: the browser's languages choose).
#[wasm_bindgen]
pub fn mount_inline(
    target: web_sys::HtmlElement,
    form: String,
    config: String,
    pins: String,
    languages: String,
) {
    console_error_panic_hook::set_once();
    let mut options = EmbedOptions::from_pairs([
        ("config", config.as_str()),
        ("pin", pins.as_str()),
        ("lang", languages.as_str()),
    ]);
    options.form_base = Some(form);
    let handle = mount_to(target, move || view! { <App options=options/> });
    // The form lives as long as the page.
    handle.forget();
}
