//! The sealform client-intake form, rendered in the browser by Leptos (client-side only).
//! For now a placeholder page that proves the form crate, the core crate and Trunk build together for wasm32.
#![deny(missing_docs)]

use leptos::prelude::*;

/// The version shown on the page; the form and core crates share the workspace version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The whole page.
///
/// Marks its root `id="sealform-root"` and sets `data-ready="true"` once mounted, so browser tests can
/// wait for the wasm to have started rather than for a fixed time.
#[component]
pub fn App() -> impl IntoView {
    let (ready, set_ready) = signal(false);
    // Effects run only after the view is in the DOM, so this flips exactly when the page is mounted.
    Effect::new(move |_| set_ready.set(true));

    // Computed in the browser to show that core's hashing code links and runs in wasm32.
    let empty_digest = sealform_core::digest::Sha256Digest::of(b"").to_string();

    view! {
        <main id="sealform-root" data-ready=move || ready.get().to_string()>
            <h1>"sealform — intake form (placeholder)"</h1>
            <p data-testid="version">"Version " {VERSION}</p>
            <p data-testid="core-check">
                "SHA-256 of the empty string, computed by sealform-core: "
                <code>{empty_digest}</code>
            </p>
        </main>
    }
}
