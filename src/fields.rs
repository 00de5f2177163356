//! One question of the form, rendered for its kind in the GOV.UK Design System's patterns: label, hint, why we ask,
//! the inline error ("Error:" for screen readers), `aria-invalid` and `aria-describedby`. A question inside a
//! repeatable group row reads and writes that row.

use leptos::prelude::*;
use sealform_core::i18n::Texts;
use sealform_core::schema::{picked_file_size, Choice, Field, FieldKind, FormSchema};
use sealform_core::{Answer, Answers};
use wasm_bindgen::JsCast;

use crate::state::{element_id, FormState};

/// Where a question's answer lives: a top-level field, or a question in one row of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The field id.
    pub field: String,
    /// The group id and the row's stable id, for a question in a group row.
    pub row: Option<(String, u64)>,
}

impl Place {
    /// The error key of this place now ([`sealform_core::validate::row_key`] for a row), if the row still exists.
    fn error_key(&self, state: &FormState) -> Option<String> {
        match &self.row {
            None => Some(self.field.clone()),
            Some((group, row)) => state.row_error_key(group, *row, &self.field),
        }
    }

    /// The element id of the (first) input: what the error summary links to.
    fn input_id(&self, state: &FormState) -> String {
        self.error_key(state)
            .map(|key| element_id(&key))
            .unwrap_or_default()
    }

    fn answer(&self, state: &FormState) -> String {
        match &self.row {
            None => state.text(&self.field),
            Some((group, row)) => state.row_text(group, *row, &self.field),
        }
    }

    fn set_answer(&self, state: &mut FormState, answer: Answer) {
        match (&self.row, answer) {
            (None, Answer::Text(text)) => state.set_text(&self.field, text),
            (None, Answer::Flag(ticked)) => state.set_flag(&self.field, ticked),
            (None, _) => {}
            (Some((group, row)), answer) => state.set_row_answer(group, *row, &self.field, answer),
        }
    }
}

/// Everything a question's view needs.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    /// The form's state.
    pub state: RwSignal<FormState>,
    /// Re-checks the answers when the client has already tried to send (GOV.UK: then validate live).
    pub recheck: Callback<()>,
    /// The form definition.
    pub schema: StoredValue<FormSchema>,
    /// The answers as they would be sent, derived once per change of the state (not once per field asking).
    pub answers: Memo<Answers>,
}

impl Ctx {
    /// The context for `state` and `schema`.
    pub fn new(state: RwSignal<FormState>, recheck: Callback<()>, schema: FormSchema) -> Self {
        let schema = StoredValue::new(schema);
        let answers =
            Memo::new(move |_| schema.with_value(|schema| state.with(|s| s.answers(schema))));
        Self {
            state,
            recheck,
            schema,
            answers,
        }
    }

    /// Whether a field (in a group row: that row's question) is shown now; re-run when the answers change.
    pub fn is_visible(&self, id: &str, row: Option<(&str, u64)>) -> bool {
        self.answers.with(|answers| {
            self.schema
                .with_value(|schema| self.state.with(|s| s.is_visible(schema, answers, id, row)))
        })
    }
}

/// One question of any kind except repeatable groups (rendered by the form) and files (by [`FileQuestion`]).
#[component]
pub fn Question(
    /// The question.
    field: Field,
    /// Where its answer lives.
    place: Place,
    /// The form's state and re-check hook.
    ctx: Ctx,
) -> impl IntoView {
    let place = StoredValue::new(place);
    let state = ctx.state;
    let input_id = Signal::derive(move || state.with(|s| place.with_value(|p| p.input_id(s))));
    let error = Signal::derive(move || {
        state.with(|s| {
            place
                .with_value(|p| p.error_key(s))
                .and_then(|key| s.error_for(&key).map(str::to_owned))
        })
    });
    let texts = crate::language::texts();
    let hint = field.hint.clone();
    let purpose = field.purpose.clone();
    let describedby = move || {
        let id = input_id.get();
        let mut ids = Vec::new();
        if hint.is_some() {
            ids.push(format!("{id}-hint"));
        }
        ids.push(format!("{id}-purpose"));
        if error.with(Option::is_some) {
            ids.push(format!("{id}-error"));
        }
        ids.join(" ")
    };
    let hint_view = field.hint.clone().map(|text| {
        view! { <div class="sf-hint" id=move || format!("{}-hint", input_id.get())>{text}</div> }
    });
    let purpose_view = view! {
        <p class="sf-purpose" id=move || format!("{}-purpose", input_id.get())>
            <span class="sf-purpose-label">{texts.get("question-why-we-ask")}</span>
            {purpose}
        </p>
    };
    let error_view = error_message(
        error,
        Some(Signal::derive(move || format!("{}-error", input_id.get()))),
    );
    let write = move |answer: Answer| {
        state.update(|s| place.with_value(|p| p.set_answer(s, answer)));
        ctx.recheck.run(());
    };
    let value = Signal::derive(move || state.with(|s| place.with_value(|p| p.answer(s))));
    let has_error = move || error.with(Option::is_some);
    let invalid = move || error.with(Option::is_some).then_some("true");
    let label = question_label(texts, &field);

    match field.kind.clone() {
        FieldKind::Radio { options } => view! {
            {form_group(has_error, view! {
                <fieldset class="sf-fieldset" aria-describedby=describedby>
                    <legend class="sf-label">{label}</legend>
                    {hint_view}
                    {purpose_view}
                    {error_view}
                    <div class="sf-radios">
                        {options.into_iter().enumerate().map(|(i, choice)| {
                            radio(choice, i, input_id, value, write)
                        }).collect_view()}
                    </div>
                </fieldset>
            })}
        }
        .into_any(),
        FieldKind::Checkboxes { options, .. } => {
            let order: Vec<String> = options.iter().map(|c| c.value.clone()).collect();
            let order = StoredValue::new(order);
            view! {
                {form_group(has_error, view! {
                    <fieldset class="sf-fieldset" aria-describedby=describedby>
                        <legend class="sf-label">{label}</legend>
                        {hint_view}
                        {purpose_view}
                        {error_view}
                        <div class="sf-checkboxes">
                            {options.into_iter().enumerate().map(|(i, choice)| {
                                tick_box(choice, i, input_id, place, order, ctx)
                            }).collect_view()}
                        </div>
                    </fieldset>
                })}
            }
            .into_any()
        }
        FieldKind::Checkbox => {
            let checked = move || state.with(|s| place.with_value(|p| p.row.is_none() && s.flag(&p.field)));
            view! {
                {form_group(has_error, view! {
                    {error_view}
                    <div class="sf-checkboxes__item">
                        <input class="sf-checkboxes__input" type="checkbox" id=input_id
                            aria-describedby=describedby aria-invalid=invalid
                            prop:checked=checked
                            on:change=move |ev| write(Answer::Flag(event_target_checked(&ev)))/>
                        <label class="sf-label sf-checkboxes__label" for=input_id>{label}</label>
                    </div>
                    {hint_view}
                    {purpose_view}
                })}
            }
            .into_any()
        }
        FieldKind::Select { options } => view! {
            {form_group(has_error, view! {
                <label class="sf-label" for=input_id>{label}</label>
                {hint_view}
                {purpose_view}
                {error_view}
                <select class="sf-select" id=input_id aria-describedby=describedby aria-invalid=invalid
                    prop:value=value
                    on:change=move |ev| write(Answer::Text(event_target_value(&ev)))>
                    <option value="">{texts.get("question-choose")}</option>
                    {options.into_iter().map(|choice| view! {
                        <option value=choice.value.clone()>{choice.label}</option>
                    }).collect_view()}
                </select>
            })}
        }
        .into_any(),
        FieldKind::Date { .. } => view! {
            {form_group(has_error, view! {
                <fieldset class="sf-fieldset" role="group" aria-describedby=describedby>
                    <legend class="sf-label">{label}</legend>
                    {hint_view}
                    {purpose_view}
                    {error_view}
                    <div class="sf-date-input">
                        {date_part(texts, DatePart::Day, input_id, value, write, invalid)}
                        {date_part(texts, DatePart::Month, input_id, value, write, invalid)}
                        {date_part(texts, DatePart::Year, input_id, value, write, invalid)}
                    </div>
                </fieldset>
            })}
        }
        .into_any(),
        FieldKind::Textarea { .. } => view! {
            {form_group(has_error, view! {
                <label class="sf-label" for=input_id>{label}</label>
                {hint_view}
                {purpose_view}
                {error_view}
                <textarea class="sf-textarea" id=input_id rows="6" aria-describedby=describedby
                    aria-invalid=invalid spellcheck="true"
                    prop:value=value
                    on:input=move |ev| write(Answer::Text(event_target_value(&ev)))></textarea>
            })}
        }
        .into_any(),
        kind => {
            let (input_type, autocomplete, inputmode) = input_attributes(&field.id, &kind);
            view! {
                {form_group(has_error, view! {
                    <label class="sf-label" for=input_id>{label}</label>
                    {hint_view}
                    {purpose_view}
                    {error_view}
                    <input class="sf-input" type=input_type id=input_id autocomplete=autocomplete
                        inputmode=inputmode spellcheck="false" aria-describedby=describedby aria-invalid=invalid
                        prop:value=value
                        on:input=move |ev| write(Answer::Text(event_target_value(&ev)))/>
                })}
            }
            .into_any()
        }
    }
}

/// The `type`, `autocomplete` and `inputmode` of a one-line input. Email and telephone use their own types for the
/// right on-screen keyboard; numbers use text with a numeric keyboard, as GOV.UK advises.
fn input_attributes(
    id: &str,
    kind: &FieldKind,
) -> (&'static str, Option<&'static str>, Option<&'static str>) {
    match kind {
        FieldKind::Email => ("email", Some("email"), None),
        FieldKind::Tel => ("tel", Some("tel"), None),
        FieldKind::Number { .. } => ("text", Some("off"), Some("decimal")),
        _ if id == "full_name" || id.ends_with("_name") && !id.contains("party") => {
            ("text", Some("name"), None)
        }
        _ => ("text", Some("off"), None),
    }
}

fn radio(
    choice: Choice,
    index: usize,
    input_id: Signal<String>,
    value: Signal<String>,
    write: impl Fn(Answer) + Copy + 'static,
) -> impl IntoView {
    let id = move || option_id(&input_id.get(), index);
    let name = move || input_id.get();
    let option_value = choice.value.clone();
    let checked = {
        let option_value = option_value.clone();
        move || value.get() == option_value
    };
    let hint = choice.hint.map(|hint| {
        view! { <div class="sf-hint sf-radios__hint">{hint}</div> }
    });
    view! {
        <div class="sf-radios__item">
            <input class="sf-radios__input" type="radio" id=id name=name value=option_value.clone()
                prop:checked=checked
                on:change=move |_| write(Answer::Text(option_value.clone()))/>
            <label class="sf-label sf-radios__label" for=id>{choice.label}</label>
            {hint}
        </div>
    }
}

fn tick_box(
    choice: Choice,
    index: usize,
    input_id: Signal<String>,
    place: StoredValue<Place>,
    order: StoredValue<Vec<String>>,
    ctx: Ctx,
) -> impl IntoView {
    let state = ctx.state;
    let id = move || option_id(&input_id.get(), index);
    let value = StoredValue::new(choice.value.clone());
    let checked =
        move || state.with(|s| place.with_value(|p| value.with_value(|v| s.chosen(&p.field, v))));
    let toggle = move |ticked: bool| {
        state.update(|s| {
            place.with_value(|p| {
                order.with_value(|order| {
                    let order: Vec<&str> = order.iter().map(String::as_str).collect();
                    value.with_value(|v| s.set_chosen(&p.field, v, ticked, &order));
                });
            });
        });
        ctx.recheck.run(());
    };
    view! {
        <div class="sf-checkboxes__item">
            <input class="sf-checkboxes__input" type="checkbox" id=id value=choice.value
                prop:checked=checked on:change=move |ev| toggle(event_target_checked(&ev))/>
            <label class="sf-label sf-checkboxes__label" for=id>{choice.label}</label>
        </div>
    }
}

/// The first option's input takes the field's own id (so error links land on it); the others add `-2`, `-3`, ….
fn option_id(base: &str, index: usize) -> String {
    if index == 0 {
        base.to_owned()
    } else {
        format!("{base}-{}", index + 1)
    }
}

/// The three boxes of a GOV.UK date input.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DatePart {
    Day,
    Month,
    Year,
}

/// A date answer is kept as `YEAR-MONTH-DAY` as typed (month and day padded to two digits when they are one
/// digit), which core checks is a real `YYYY-MM-DD` date; all three empty is no answer.
fn date_parts(text: &str) -> [String; 3] {
    let mut parts = text.splitn(3, '-').map(str::to_owned);
    let year = parts.next().unwrap_or_default();
    let month = parts.next().unwrap_or_default();
    let day = parts.next().unwrap_or_default();
    [day, month, year]
}

fn join_date(day: &str, month: &str, year: &str, pad_digits: bool) -> String {
    let pad = |s: &str| {
        let s = s.trim();
        if pad_digits && s.len() == 1 && s.chars().all(|c| c.is_ascii_digit()) {
            format!("0{s}")
        } else {
            s.to_owned()
        }
    };
    if day.trim().is_empty() && month.trim().is_empty() && year.trim().is_empty() {
        String::new()
    } else {
        format!("{}-{}-{}", year.trim(), pad(month), pad(day))
    }
}

fn date_part(
    texts: &Texts,
    part: DatePart,
    input_id: Signal<String>,
    value: Signal<String>,
    write: impl Fn(Answer) + Copy + 'static,
    invalid: impl Fn() -> Option<&'static str> + Copy + Send + 'static,
) -> impl IntoView {
    let (label_id, suffix, index, class) = match part {
        DatePart::Day => (
            "date-day",
            "",
            0,
            "sf-input sf-date-input__input sf-input--width-2",
        ),
        DatePart::Month => (
            "date-month",
            "-month",
            1,
            "sf-input sf-date-input__input sf-input--width-2",
        ),
        DatePart::Year => (
            "date-year",
            "-year",
            2,
            "sf-input sf-date-input__input sf-input--width-4",
        ),
    };
    // The day box takes the field's id so the error summary's link lands on the first box.
    let id = move || format!("{}{suffix}", input_id.get());
    let shown = move || date_parts(&value.get())[index].clone();
    // While typing, keep exactly what is in the box: padding "2" to "02" at once writes the zero back into the box
    // and the next key turns it into "027". One-digit days and months are padded when the box is left.
    let update = move |ev: leptos::ev::Event, pad: bool| {
        let typed = event_target_value(&ev);
        let mut parts = date_parts(&value.get_untracked());
        parts[index] = typed;
        write(Answer::Text(join_date(
            &parts[0], &parts[1], &parts[2], pad,
        )));
    };
    let on_input = move |ev| update(ev, false);
    let on_change = move |ev| update(ev, true);
    view! {
        <div class="sf-date-input__item">
            <label class="sf-label sf-date-input__label" for=id>{texts.get(label_id)}</label>
            <input class=class id=id type="text" inputmode="numeric" aria-invalid=invalid
                prop:value=shown on:input=on_input on:change=on_change/>
        </div>
    }
}

/// A file question: pick files (read into memory at once), see them listed, remove any.
#[component]
pub fn FileQuestion(
    /// The question.
    field: Field,
    /// The form's state and re-check hook.
    ctx: Ctx,
) -> impl IntoView {
    let state = ctx.state;
    let texts = crate::language::texts();
    let id = field.id.clone();
    let (accept, multiple) = match &field.kind {
        FieldKind::File {
            accept, max_count, ..
        } => (accept.join(","), *max_count > 1),
        _ => (String::new(), false),
    };
    let error = {
        let id = id.clone();
        Signal::derive(move || state.with(|s| s.error_for(&id).map(str::to_owned)))
    };
    let reading = RwSignal::new(false);
    let on_change = {
        let id = id.clone();
        move |ev: leptos::ev::Event| {
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(list) = input.files() else { return };
            let files: Vec<web_sys::File> =
                (0..list.length()).filter_map(|i| list.get(i)).collect();
            // Clear the input so picking the same file again still fires a change.
            input.set_value("");
            let id = id.clone();
            reading.set(true);
            leptos::task::spawn_local(async move {
                for file in files {
                    if let Ok(bytes) = crate::page::read_file(&file).await {
                        // Hashed by SubtleCrypto and kept in the browser's memory: never copied into wasm.
                        let sha256 = crate::seal::sha256(&bytes).await;
                        let bytes = crate::file_bytes::FileBytes::in_browser(bytes);
                        state.update(|s| {
                            s.add_file(&id, &file.name(), &file.type_(), bytes, sha256)
                        });
                    }
                }
                reading.set(false);
                ctx.recheck.run(());
            });
        }
    };
    let listed = {
        let id = id.clone();
        move || state.with(|s| s.files(&id).to_vec())
    };
    let hint = field.hint.clone().map(|hint| {
        let hint_id = format!("{}-hint", field.id);
        view! { <div class="sf-hint" id=hint_id>{hint}</div> }
    });
    let describedby = {
        let id = id.clone();
        let has_hint = field.hint.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(format!("{id}-hint"));
            }
            ids.push(format!("{id}-purpose"));
            if error.with(Option::is_some) {
                ids.push(format!("{id}-error"));
            }
            ids.join(" ")
        }
    };
    let field_id = StoredValue::new(id.clone());
    view! {
        {form_group(move || error.with(Option::is_some), view! {
            <label class="sf-label" for=id.clone()>{question_label(texts, &field)}</label>
            {hint}
            <p class="sf-purpose" id=format!("{id}-purpose")>
                <span class="sf-purpose-label">{texts.get("question-why-we-ask")}</span>{field.purpose.clone()}
            </p>
            {error_message(error, Some(Signal::derive(move || format!("{}-error", field_id.get_value()))))}
            <input class="sf-file-upload" type="file" id=id.clone() accept=accept multiple=multiple
                aria-describedby=describedby
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                on:change=on_change/>
            <p class="sf-hint" role="status">{move || if reading.get() { texts.get("file-reading") } else { String::new() }}</p>
            <ul class="sf-file-list" data-testid=format!("{id}-files")>
                <For each=listed key=|file| file.id let:file>
                    {
                        let file_id = file.id;
                        let name = file.info.name.clone();
                        view! {
                            <li class="sf-file-list__item">
                                <span class="sf-file-list__name">{file.info.name.clone()}</span>
                                " "
                                <span class="sf-hint">{picked_file_size(file.info.size)}</span>
                                " "
                                <button type="button" class="sf-link-button"
                                    on:click=move |_| {
                                        state.update(|s| s.remove_file(&field_id.get_value(), file_id));
                                        ctx.recheck.run(());
                                    }>
                                    {texts.get("question-remove")}<span class="sf-visually-hidden">{format!(" {name}")}</span>
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
        })}
    }
}

/// A question's label as the client reads it: GOV.UK marks the optional questions, not the required ones.
pub fn question_label(texts: &Texts, field: &Field) -> String {
    if field.required {
        field.label.clone()
    } else {
        texts.format("question-optional", &[("label", (&field.label).into())])
    }
}

/// GOV.UK's form group around one question (or consent): marked with the error colour and bar while it has a
/// problem.
pub fn form_group(
    has_error: impl Fn() -> bool + Send + Sync + 'static,
    children: impl IntoView,
) -> impl IntoView {
    // One string, not a `class:` directive: in this leptos the directive added about 2 KB to the wasm.
    let class = move || {
        if has_error() {
            "sf-form-group sf-form-group--error"
        } else {
            "sf-form-group"
        }
    };
    view! { <div class=class>{children}</div> }
}

/// GOV.UK's inline error message with its visually hidden "Error:" prefix, shown while `message` holds a problem.
/// `id` is the element id (`FIELD-error`) that the input's `aria-describedby` names; none for a group's error. Not
/// generic, so the page's wasm holds this markup once.
pub fn error_message(message: Signal<Option<String>>, id: Option<Signal<String>>) -> impl IntoView {
    let texts = crate::language::texts();
    move || {
        message.get().map(|message| {
            view! {
                <p class="sf-error-message" id=id.map(|id| id.get())>
                    <span class="sf-visually-hidden">{texts.get("error-prefix")}</span>
                    {message}
                </p>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_the_three_boxes() {
        assert_eq!(join_date("5", "3", "2026", true), "2026-03-05");
        assert_eq!(date_parts("2026-03-05"), ["05", "03", "2026"]);
        assert_eq!(join_date("", "", "", true), "");
        assert_eq!(join_date("31", "", "2026", true), "2026--31");
        assert_eq!(date_parts("2026--31"), ["31", "", "2026"]);
        assert_eq!(join_date("x", "2", "2026", true), "2026-02-x");
        // While typing nothing is padded, so the box keeps exactly what was typed ("2" then "7" is "27").
        assert_eq!(join_date("2", "", "", false), "--2");
        assert_eq!(date_parts(&join_date("2", "", "", false))[0], "2");
    }

    #[test]
    fn option_ids_keep_the_first_as_the_field_id() {
        assert_eq!(option_id("contact", 0), "contact");
        assert_eq!(option_id("contact", 2), "contact-3");
    }
}
