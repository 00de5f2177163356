//! One row of results — the figure, its reference measured in the same run, the goal and the command that
//! reproduces it alone — and writing the rows into docs/BENCHMARKS.md between its generated-section markers.

use std::path::Path;

use anyhow::Context as _;

use crate::machine::Machine;
use crate::Counts;

const BEGIN: &str =
    "<!-- sealform-bench: begin (generated; edit the text outside these markers) -->";
const END: &str = "<!-- sealform-bench: end -->";

/// One figure.
#[derive(Debug)]
pub(crate) struct Row {
    /// What is measured.
    pub what: String,
    /// The figure.
    pub measured: String,
    /// The reference, measured in the same run (or a fixed published figure, said so).
    pub reference: String,
    /// The goal.
    pub goal: String,
    /// Whether the goal is met; `None` when there is no pass/fail goal (memory is reported).
    pub met: Option<bool>,
    /// The `--only` row that reproduces it.
    pub only: String,
    /// Details: sample counts, spreads, what else was seen.
    pub notes: String,
}

impl Row {
    pub(crate) fn failed(only: &str, error: &str) -> Self {
        Self {
            what: only.to_owned(),
            measured: "not measured".into(),
            reference: String::new(),
            goal: String::new(),
            met: None,
            only: only.to_owned(),
            notes: format!("the row failed: {error}"),
        }
    }

    fn verdict(&self) -> &'static str {
        match self.met {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "reported",
        }
    }

    /// The row for the terminal.
    pub(crate) fn line(&self) -> String {
        format!(
            "{:<34} {:>22}   ref {:<34} goal {:<22} {}\n    {}",
            self.what,
            self.measured,
            self.reference,
            self.goal,
            self.verdict().trim_matches('*'),
            self.notes
        )
    }
}

/// Rewrites the generated section of `path` (creating the file if needed), keeping the text around it.
pub(crate) fn write(
    path: &Path,
    before: &Machine,
    after: &Machine,
    counts: Counts,
    rows: &[Row],
) -> anyhow::Result<()> {
    let mut section = String::new();
    section.push_str(BEGIN);
    section.push('\n');
    section.push_str(&format!(
        "\nMeasured {} ({} mode) on: {}.\n\nLoad average (1/5/15 min) {} before the run, {} after: {}\n\n",
        after.date,
        if counts.quick { "**quick**" } else { "full" },
        after.description(),
        before.load_average,
        after.load_average,
        if before.busy() || after.busy() {
            "**other work was running on this machine**, so the times below are pessimistic"
        } else {
            "the machine was otherwise idle"
        }
    ));
    section.push_str(
        "| what | measured | reference (same run) | goal | | reproduce alone |\n|---|---|---|---|---|---|\n",
    );
    for row in rows {
        section.push_str(&format!(
            "| {} | {} | {} | {} | {} | `cargo run -p sealform-bench --profile release-cli -- --only {}` |\n",
            row.what,
            row.measured,
            row.reference,
            row.goal,
            row.verdict(),
            row.only
        ));
    }
    section.push_str("\nDetails, row by row:\n\n");
    for row in rows {
        section.push_str(&format!("- **{}**: {}\n", row.what, row.notes));
    }
    section.push('\n');
    section.push_str(END);
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{section}{}", &old[..start], &old[end + END.len()..])
        }
        _ => format!("{old}\n{section}\n"),
    };
    std::fs::write(path, new).with_context(|| format!("writing {}", path.display()))
}
