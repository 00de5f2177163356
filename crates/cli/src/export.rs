//! `sealform open --export`: one table of every submission opened in a run — a row each, a column per question —
//! as CSV for spreadsheets or JSON for programs. Spreadsheets run cells that look like formulas, and a client
//! writes the cells, so CSV cells that could start a formula are defused ([`defuse`], as OWASP advises).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use crate::cli::ExportFormat;
use crate::files::{self, PRIVATE_FILE};
use crate::view::Entry;

/// The columns every row has, before the questions.
const FIXED: [&str; 8] = [
    "receipt",
    "receipt_id",
    "received_at",
    "submitted_at",
    "form_id",
    "form_version",
    "checked_again",
    "attachments",
];

/// The rows collected during a run, and the columns in the order first seen.
#[derive(Debug, Default)]
pub(crate) struct Table {
    columns: Vec<String>,
    known: HashSet<String>,
    rows: Vec<BTreeMap<String, String>>,
}

/// One submission's row: the fixed columns, in [`FIXED`] order, then its answers.
#[derive(Debug)]
pub(crate) struct Row<'a> {
    /// The values of the [`FIXED`] columns.
    pub(crate) fixed: [String; FIXED.len()],
    /// The answers, each becoming the column named by its key.
    pub(crate) entries: &'a [Entry],
}

/// Why the table could not be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ExportError {
    /// Writing a CSV record failed.
    #[error("{0}")]
    Csv(#[from] csv::Error),
    /// Encoding or writing the file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl Table {
    /// Adds a row; questions not seen before become new columns at the end.
    pub(crate) fn push(&mut self, row: &Row<'_>) {
        let names = FIXED
            .iter()
            .map(|name| (*name).to_owned())
            .zip(row.fixed.iter().cloned());
        let answers = row
            .entries
            .iter()
            .map(|entry| (entry.key.clone(), entry.value.clone()));
        let mut cells = BTreeMap::new();
        for (column, value) in names.chain(answers) {
            if self.known.insert(column.clone()) {
                self.columns.push(column.clone());
            }
            cells.insert(column, value);
        }
        self.rows.push(cells);
    }

    /// How many rows the table has.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Writes the table to `path` in `format`, replacing any earlier export there in one step. The file holds
    /// client data, so only its owner may read it.
    pub(crate) fn write(&self, path: &Path, format: ExportFormat) -> Result<(), ExportError> {
        let bytes = match format {
            ExportFormat::Csv => self.csv()?,
            ExportFormat::Json => self.json()?,
        };
        files::replace(path, &bytes, PRIVATE_FILE)?;
        Ok(())
    }

    fn csv(&self) -> Result<Vec<u8>, ExportError> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(self.columns.iter().map(|c| defuse(c).into_owned()))?;
        for row in &self.rows {
            writer.write_record(
                self.columns
                    .iter()
                    .map(|column| defuse(row.get(column).map_or("", String::as_str)).into_owned()),
            )?;
        }
        writer
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))
    }

    fn json(&self) -> Result<Vec<u8>, ExportError> {
        // Every row lists every column (empty when unanswered), in column order, like the CSV.
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = self
            .rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .map(|column| {
                        let value = row.get(column).cloned().unwrap_or_default();
                        (column.clone(), serde_json::Value::String(value))
                    })
                    .collect()
            })
            .collect();
        let mut bytes = serde_json::to_vec_pretty(&rows).map_err(std::io::Error::from)?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// Characters that make a spreadsheet read a cell as a formula (or, for tab and carriage return, shift it into
/// one), with their full-width forms, which some spreadsheets also accept.
const FORMULA_STARTS: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];

/// A cell as a spreadsheet will show it but never run it: one that starts with a formula character gets a leading
/// `'` (OWASP "CSV Injection"), also when spaces, line breaks or invisible characters come first (spreadsheets skip
/// them). Numbers like `-2` are defused too: a minus sign can start a formula.
pub(crate) fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    let skipped = |c: char| {
        c.is_whitespace() || crate::terminal::is_hidden(c) || matches!(c, '\u{200B}' | '\u{FEFF}')
    };
    if cell.starts_with(FORMULA_STARTS)
        || cell.trim_start_matches(skipped).starts_with(FORMULA_STARTS)
    {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        for cell in [
            "=HYPERLINK(\"https://evil.example\",\"click\")",
            "+1",
            "-2",
            "@SUM(A1:A2)",
            "\tx",
            "\rx",
            "＝1+1",
            "＋1",
            "－1",
            "＠SUM(A1)",
            // Spreadsheets skip leading spaces and line breaks before a formula, and so must the check.
            " =1+1",
            "\n=1+1",
            "\r\n+1",
            "\u{A0}-1",
            "\u{3000}@SUM(A1)",
            " \t \u{A0}=1",
            "\u{200B}=1",
            "\u{FEFF}=1",
            "\u{202E}=1",
        ] {
            assert_eq!(defuse(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in ["Zoë", "1-2", "a=b", "", "'quoted", " a=b", "\u{A0}"] {
            assert_eq!(defuse(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn rows_share_columns_in_first_seen_order() {
        let entry = |key: &str, value: &str| Entry {
            key: key.into(),
            label: key.into(),
            value: value.into(),
            shown: value.into(),
        };
        let mut table = Table::default();
        let fixed = || std::array::from_fn(|i| format!("f{i}"));
        table.push(&Row {
            fixed: fixed(),
            entries: &[entry("b", "=1"), entry("a", "x")],
        });
        table.push(&Row {
            fixed: fixed(),
            entries: &[entry("c", "y")],
        });
        let csv = String::from_utf8(table.csv().expect("csv")).expect("UTF-8");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "receipt,receipt_id,received_at,submitted_at,form_id,form_version,checked_again,attachments,b,a,c"
        );
        assert_eq!(lines[1], "f0,f1,f2,f3,f4,f5,f6,f7,'=1,x,");
        assert_eq!(lines[2], "f0,f1,f2,f3,f4,f5,f6,f7,,,y");
        let json: serde_json::Value =
            serde_json::from_slice(&table.json().expect("json")).expect("JSON");
        assert_eq!(json[1]["b"], "");
        assert_eq!(json[0]["b"], "=1");
    }
}
