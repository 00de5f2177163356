//! The intake form as a page object: what a client does (type, choose, tick, attach, send) and what they see
//! (errors, the receipt), by the ids and `data-testid`s the form promises. Inside the form's iframe, or, inline, in
//! the firm's page itself.

use std::path::Path;

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::e2e::browser::{wait_js, TIMEOUT};

/// The form, embedded in the firm's page.
#[derive(Debug, Clone, Copy)]
pub struct FormPage<'a> {
    client: &'a Client,
}

impl<'a> FormPage<'a> {
    /// Loads the firm's page at `url`, enters the form's iframe and waits until the form has loaded (ready or
    /// unavailable).
    pub async fn open(client: &'a Client, url: &str) -> Self {
        client.goto(url).await.expect("load the firm's page");
        wait_js(
            client,
            "the form's iframe",
            "document.querySelector('iframe.sealform-frame')",
        )
        .await;
        client
            .enter_frame(0)
            .await
            .expect("enter the form's iframe");
        Self::loaded(client).await
    }

    /// Loads `url` (the form's own page, or a firm's page where it is mounted inline) and waits until the form has
    /// loaded (ready or unavailable).
    pub async fn at(client: &'a Client, url: &str) -> Self {
        client.goto(url).await.expect("load the page");
        Self::loaded(client).await
    }

    /// Loads the firm's page at `url`, where the form is mounted inline, and waits until the form can be typed
    /// into.
    pub async fn ready_inline(client: &'a Client, url: &str) -> Self {
        let page = Self::at(client, url).await;
        page.wait_ready().await;
        page
    }

    /// Waits, in the current document, until the form has loaded (ready or unavailable).
    async fn loaded(client: &'a Client) -> Self {
        let page = Self { client };
        wait_js(
            client,
            "the form to load",
            "document.querySelector('#sealform-root[data-state=\"ready\"], #sealform-root[data-state=\"unavailable\"]')",
        )
        .await;
        page
    }

    /// Loads the firm's page and waits until the form can be typed into.
    pub async fn ready(client: &'a Client, url: &str) -> Self {
        let page = Self::open(client, url).await;
        page.wait_ready().await;
        page
    }

    /// The session.
    pub fn client(&self) -> &'a Client {
        self.client
    }

    /// Runs a script in the form's document.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until the form can be typed into.
    pub async fn wait_ready(&self) {
        wait_js(
            self.client,
            "the form to be ready",
            "document.querySelector('#sealform-root[data-ready=\"true\"]')",
        )
        .await;
    }

    /// `data-state` of the root.
    pub async fn state(&self) -> String {
        self.js(
            "return document.getElementById('sealform-root').dataset.state;",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Whether an element matching `css` exists.
    pub async fn exists(&self, css: &str) -> bool {
        self.js(
            "return !!document.querySelector(arguments[0]);",
            vec![json!(css)],
        )
        .await
        .as_bool()
        .unwrap_or(false)
    }

    /// Types `text` into the input with this id, as a person would. Chromedriver can only type characters of the
    /// Basic Multilingual Plane: text with emoji is put in the box and an `input` event sent, as an IME would.
    pub async fn type_text(&self, id: &str, text: &str) {
        let element = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"));
        if text.chars().all(|c| (c as u32) < 0x10000) {
            element
                .send_keys(text)
                .await
                .unwrap_or_else(|e| panic!("typing into #{id}: {e}"));
        } else {
            self.js(
                "const e = document.getElementById(arguments[0]); e.focus(); e.value = arguments[1]; \
                 e.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![json!(id), json!(text)],
            )
            .await;
        }
        let value = self
            .js(
                "return document.getElementById(arguments[0]).value;",
                vec![json!(id)],
            )
            .await;
        assert_eq!(value.as_str(), Some(text), "#{id} holds what was typed");
    }

    /// Empties the input with this id, as selecting its text and deleting it would (an `input` and a `change`).
    pub async fn clear(&self, id: &str) {
        self.js(
            "const e = document.getElementById(arguments[0]); e.value = ''; \
             e.dispatchEvent(new Event('input', { bubbles: true })); \
             e.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(id)],
        )
        .await;
    }

    /// Clicks the element with this id (a radio option, a checkbox, a button).
    pub async fn click(&self, id: &str) {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking #{id}: {e}"));
    }

    /// Chooses the option with this value in a select.
    pub async fn select(&self, id: &str, value: &str) {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"))
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choosing {value} in #{id}: {e}"));
    }

    /// Types a date into the three boxes.
    pub async fn date(&self, id: &str, day: &str, month: &str, year: &str) {
        self.type_text(id, day).await;
        self.type_text(&format!("{id}-month"), month).await;
        self.type_text(&format!("{id}-year"), year).await;
    }

    /// Clicks the group's "Add a/another …" button.
    pub async fn add_row(&self, group: &str) {
        let button = self
            .client
            .find(Locator::XPath(&format!(
                "//div[@data-field='{group}']//button[starts-with(normalize-space(.), 'Add ')]"
            )))
            .await
            .unwrap_or_else(|e| panic!("the Add button of {group}: {e}"));
        button.click().await.expect("add a row");
    }

    /// Picks files through the file input (WebDriver types their paths) and waits until the form lists them.
    pub async fn attach(&self, paths: &[&Path]) {
        let before = self.listed_files().await;
        let input = self
            .client
            .find(Locator::Id("documents_upload"))
            .await
            .expect("#documents_upload");
        let joined: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        input
            .send_keys(&joined.join("\n"))
            .await
            .expect("pick files");
        let expected = before + paths.len();
        wait_js(
            self.client,
            "the picked files to be listed",
            &format!("document.querySelectorAll('[data-testid=documents_upload-files] li').length >= {expected}"),
        )
        .await;
    }

    async fn listed_files(&self) -> usize {
        self.js(
            "return document.querySelectorAll('[data-testid=documents_upload-files] li').length;",
            vec![],
        )
        .await
        .as_u64()
        .unwrap_or(0) as usize
    }

    /// The number of the page the form shows (sections from 0, then "Check your answers", then the consent step).
    pub async fn step(&self) -> u64 {
        self.js(
            "return Number(document.querySelector('.sf-form-root').dataset.step);",
            vec![],
        )
        .await
        .as_u64()
        .expect("data-step")
    }

    /// Waits until the form shows page `step`, with focus on its heading.
    pub async fn wait_step(&self, step: u64) {
        wait_js(
            self.client,
            &format!("page {step} of the form, its heading focused"),
            &format!(
                "document.querySelector('.sf-form-root').dataset.step === '{step}' && \
                 document.activeElement && document.activeElement.tagName === 'H1'"
            ),
        )
        .await;
    }

    /// Presses Continue, without waiting for anything.
    pub async fn press_continue(&self) {
        self.click_testid("continue").await;
    }

    /// Presses Continue and waits for the next page (this page's answers must pass).
    pub async fn next_page(&self) {
        let step = self.step().await;
        self.press_continue().await;
        self.wait_step(step + 1).await;
    }

    /// Presses Continue until the form shows page `step` (answers on the pages between must pass).
    pub async fn continue_to(&self, step: u64) {
        while self.step().await < step {
            self.next_page().await;
        }
    }

    /// Presses "Send securely".
    pub async fn submit(&self) {
        self.client
            .find(Locator::Css("[data-testid=submit]"))
            .await
            .expect("the submit button")
            .click()
            .await
            .expect("press submit");
    }

    /// Waits for the error summary and returns its links' targets (without `#`) and texts.
    pub async fn errors(&self) -> Vec<(String, String)> {
        wait_js(
            self.client,
            "the error summary",
            "document.querySelector('[data-testid=error-summary]')",
        )
        .await;
        let links = self
            .js(
                "return [...document.querySelectorAll('#error-summary a')]\
                 .map(a => [a.getAttribute('href').slice(1), a.textContent]);",
                vec![],
            )
            .await;
        serde_json::from_value(links).expect("error links")
    }

    /// The id of the element that has keyboard focus.
    pub async fn active_id(&self) -> String {
        self.js(
            "return document.activeElement ? document.activeElement.id : '';",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Waits until focus is on the element with this id.
    pub async fn wait_focus(&self, id: &str) {
        wait_js(
            self.client,
            &format!("focus on #{id}"),
            &format!(
                "document.activeElement && document.activeElement.id === {}",
                json!(id)
            ),
        )
        .await;
    }

    /// Waits for the receipt; returns (full receipt id, short reference).
    pub async fn receipt(&self) -> (String, String) {
        wait_js(
            self.client,
            "the receipt",
            "document.querySelector('[data-testid=receipt]')",
        )
        .await;
        let got = self
            .js(
                "return [document.querySelector('[data-testid=receipt]').dataset.receipt, \
                 document.querySelector('[data-testid=receipt-short]').textContent];",
                vec![],
            )
            .await;
        serde_json::from_value(got).expect("receipt")
    }

    /// The text of the whole form.
    pub async fn text(&self) -> String {
        self.js("return document.body.innerText;", vec![])
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits as long as sending may take (four tries over about 7 s, then the outcome).
    pub async fn wait_outcome(&self, css: &str) {
        let started = std::time::Instant::now();
        loop {
            if self.exists(css).await {
                return;
            }
            assert!(started.elapsed() < TIMEOUT, "timed out waiting for {css}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

impl FormPage<'_> {
    /// Clicks the element with this `data-testid`.
    pub async fn click_testid(&self, testid: &str) {
        self.client
            .find(Locator::Css(&format!("[data-testid={testid}]")))
            .await
            .unwrap_or_else(|e| panic!("[data-testid={testid}]: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking [data-testid={testid}]: {e}"));
    }

    /// The browser's own Back (`forward: false`) or Forward, in the iframe's joint session history; then waits
    /// until the form shows page `step`. WebDriver's navigation commands act on the top-level page and may leave
    /// the session there, so the form's iframe is entered again.
    pub async fn browser_history(&self, forward: bool, step: u64) {
        let moved = if forward {
            self.client.forward().await
        } else {
            self.client.back().await
        };
        moved.expect("the browser's Back or Forward");
        self.client
            .enter_parent_frame()
            .await
            .expect("the top-level page");
        self.client
            .enter_frame(0)
            .await
            .expect("back into the form");
        wait_js(
            self.client,
            &format!("page {step} after the browser's Back or Forward"),
            &format!("document.querySelector('.sf-form-root').dataset.step === '{step}'"),
        )
        .await;
    }
}
