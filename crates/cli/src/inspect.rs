//! `sealform inspect`: what anyone can see of a bundle without a key — its receipt id, format version, the keys
//! it is sealed for and its sizes — one block per file. Useful to match a bundle to a client's receipt.

use std::fmt::Write as _;

use sealform_core::bundle::{self, Inspection};

use crate::cli::InspectArgs;
use crate::error::{self, Error, Exit};
use crate::files;

/// Runs `sealform inspect`.
pub(crate) fn run(args: InspectArgs) -> Result<Exit, Error> {
    files::check_stdin_once(&args.files)?;
    let mut failures = 0;
    let mut first = true;
    for path in &args.files {
        let name = files::display_name(path);
        let bytes = match files::read_input(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                error::report(&format!("could not read {name}: {e}"));
                failures += 1;
                continue;
            }
        };
        match bundle::inspect(&bytes) {
            Ok(inspection) => {
                let separator = if first { "" } else { "\n" };
                first = false;
                crate::print(&format!("{separator}{}", describe(&name, &inspection)))?;
            }
            Err(e) => {
                error::report(&error::describe_bundle_error(&name, &e));
                failures += 1;
            }
        }
    }
    Ok(Exit::from_failures(failures))
}

/// One block of text: the file name, then indented facts.
fn describe(name: &str, inspection: &Inspection) -> String {
    let mut text = format!("{name}\n");
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(text, "  {label:<13}{value}");
    };
    line("receipt:", &inspection.receipt.short());
    line("receipt id:", &inspection.receipt.full());
    line("format:", &format!("version {}", inspection.version));
    for (i, kid) in inspection.recipients.iter().enumerate() {
        line(if i == 0 { "sealed for:" } else { "" }, kid.as_str());
    }
    line("size:", &bytes(inspection.bundle_len));
    line("submission:", &bytes(inspection.submission_len));
    let attachments = match inspection.attachment_lens.as_slice() {
        [] => "none".to_owned(),
        lens => format!(
            "{} ({})",
            lens.len(),
            lens.iter()
                .map(|&len| bytes(len))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    line("attachments:", &attachments);
    text
}

/// `1 byte`, `9,494 bytes`.
fn bytes(count: usize) -> String {
    if count == 1 {
        return "1 byte".to_owned();
    }
    let digits = count.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{grouped} bytes")
}

#[cfg(test)]
mod tests {
    use super::bytes;

    #[test]
    fn sizes_are_grouped() {
        assert_eq!(bytes(0), "0 bytes");
        assert_eq!(bytes(1), "1 byte");
        assert_eq!(bytes(999), "999 bytes");
        assert_eq!(bytes(9494), "9,494 bytes");
        assert_eq!(bytes(1_234_567), "1,234,567 bytes");
    }
}
