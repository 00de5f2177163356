//! The journey rows, in headless Chromium: how long the client waits when pressing Continue for the next page to be
//! painted, and a draft's round trip (Save and continue later: sealed and kept at the receiver; then the resume
//! link opened in a new page: fetched, opened and the answers back on screen). Times come from the page's own
//! clock (`performance.now()` and its marks), never from WebDriver's round trips.

use std::time::Duration;

use anyhow::bail;
use fantoccini::Client;

use crate::browser::{wait_for, Driver, READY};
use crate::report::Row;
use crate::setup::{median, spread, Bench};

/// Goal: a page move within one frame at 60 Hz feels instant (RAIL's 100 ms for a response is the outer bound).
const GOAL_PAGE_MS: f64 = 16.7;

/// Fills the first page's two required questions the way typing does (an `input` event each).
const FILL_FIRST_PAGE: &str = "for (const [id, v] of [['full_name', 'Ada Lovelace'], ['email', 'ada@example.com']]) { \
    const e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})); } \
    return true";

/// Presses Continue and resolves with the milliseconds until the next page has been painted: the page number
/// changes, then one animation frame and the task after it (which runs once that frame is on screen).
const CONTINUE_PAINTED: &str = "return (async () => { \
    const root = document.querySelector('.sf-form-root'); const before = root.dataset.step; \
    const t0 = performance.now(); document.getElementById('sf-continue').click(); \
    await new Promise(r => { const check = () => root.dataset.step !== before ? r() : requestAnimationFrame(check); check(); }); \
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0))); \
    return performance.now() - t0; })();";

/// Goes back to the first page with the form's Back link.
const BACK_TO_FIRST: &str = "document.querySelector('[data-testid=back]').click(); \
    return document.querySelector('.sf-form-root').dataset.step === '0'";

/// Presses Save and continue later and resolves with the milliseconds until the saved page shows the link (the
/// answers sealed with SubtleCrypto, posted, stored, answered), or with what went wrong.
const SAVE_DRAFT: &str = "return (async () => { \
    const t0 = performance.now(); document.querySelector('[data-testid=save-later]').click(); \
    for (;;) { \
      const link = document.querySelector('[data-testid=resume-link]'); \
      if (link && link.value) return [performance.now() - t0, link.value]; \
      const kept = document.querySelector('[data-testid=draft-not-kept]'); if (kept) return kept.innerText; \
      if (performance.now() - t0 > 20000) return 'no saved page after 20 s'; \
      await new Promise(r => setTimeout(r, 1)); } })();";

/// Once a resume link has been opened: when the answers were back on screen, from navigation start.
const RESTORED: &str = "const m = performance.getEntriesByName('sealform:draft-restored'); \
    if (m.length) return m[0].startTime; \
    const n = document.querySelector('[data-testid=draft-notice][data-outcome=failed]'); \
    return n ? n.innerText : null";

pub(crate) async fn next_page(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    let server = bench.serve("journey")?;
    let mut driver = Driver::start(bench)?;
    let url = server.url(&format!("/?pin={}", bench.identity.kid()));
    let runs = bench.counts.seals;
    let mut times = driver
        .with_session(async |client: &Client| {
            client.goto(&url).await?;
            wait_for(client, READY, Duration::from_secs(30)).await?;
            client.execute(FILL_FIRST_PAGE, vec![]).await?;
            let mut times = Vec::new();
            for _ in 0..runs {
                let ms = client.execute(CONTINUE_PAINTED, vec![]).await?;
                let Some(ms) = ms.as_f64() else {
                    bail!("Continue did not move on: {ms}")
                };
                times.push(ms);
                wait_for(client, BACK_TO_FIRST, Duration::from_secs(10)).await?;
            }
            Ok(times)
        })
        .await?;
    let range = spread(&mut times.clone());
    let page = median(&mut times);
    Ok(vec![Row {
        what: format!("Continue to the next page painted (median of {runs})"),
        measured: format!("{page:.1} ms"),
        reference: "click → page number changed → next frame painted".into(),
        goal: format!("≤ {GOAL_PAGE_MS:.1} ms"),
        met: Some(page <= GOAL_PAGE_MS),
        only: "journey".into(),
        notes: format!(
            "One Chromium session on the legal-intake template (one section a page): the first page's two \
             required questions filled, then, {runs} times, Continue pressed from the page's own script (which \
             checks the page's questions with core's rules, moves to the second section, records the history \
             entry and moves focus) and timed until the page number has changed and the frame after it has been \
             painted (a `requestAnimationFrame`, then the task after it); the form's Back link between runs. \
             Range {range} ms."
        ),
    }])
}

pub(crate) async fn draft_round_trip(bench: &Bench) -> anyhow::Result<Vec<Row>> {
    // `serve` runs the receiver with no rate limit: the runs save and fetch far more drafts a minute than one
    // client would.
    let server = bench.serve("drafts")?;
    let mut driver = Driver::start(bench)?;
    let url = server.url(&format!("/?pin={}", bench.identity.kid()));
    let runs = bench.counts.seals;
    let (mut saves, mut opens) = driver
        .with_session(async |client: &Client| {
            let (mut saves, mut opens) = (Vec::new(), Vec::new());
            for _ in 0..runs {
                client.goto(&url).await?;
                wait_for(client, READY, Duration::from_secs(30)).await?;
                client.execute(FILL_FIRST_PAGE, vec![]).await?;
                let saved = client.execute(SAVE_DRAFT, vec![]).await?;
                let (Some(ms), Some(link)) = (saved[0].as_f64(), saved[1].as_str()) else {
                    bail!("the draft was not kept: {saved}")
                };
                saves.push(ms);
                let link = link.to_owned();
                client.goto("about:blank").await?;
                client.goto(&link).await?;
                let restored = wait_for(client, RESTORED, Duration::from_secs(30)).await?;
                let Some(at) = restored.as_f64() else {
                    bail!("the resume link did not open the draft: {restored}")
                };
                opens.push(at);
            }
            Ok((saves, opens))
        })
        .await?;
    let (save_range, open_range) = (spread(&mut saves.clone()), spread(&mut opens.clone()));
    let (save, open) = (median(&mut saves), median(&mut opens));
    Ok(vec![Row {
        what: format!("draft round trip: save; open the link (medians of {runs})"),
        measured: format!("{save:.0} ms; {open:.0} ms"),
        reference: "save pressed → link shown; navigation start → answers back".into(),
        goal: "—".into(),
        met: None,
        only: "drafts".into(),
        notes: format!(
            "One Chromium session on the legal-intake template, `sealform serve` on loopback with SQLite. Each \
             run loads the form, fills the first page, presses Save and continue later and times it until the \
             saved page shows the resume link (the answers sealed with SubtleCrypto's AES-256-GCM to a new key, \
             POSTed, committed with `synchronous=FULL`, answered); then opens the link from a blank page and \
             takes the page's `sealform:draft-restored` mark (the form loaded, the draft fetched, opened and put \
             back on screen), from navigation start, so it includes loading the form itself. Ranges: save \
             {save_range} ms, open {open_range} ms."
        ),
    }])
}
