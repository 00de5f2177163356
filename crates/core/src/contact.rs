//! What passes for an email address or a telephone number: one rule for the client's answers (`validate`) and for
//! the firm's own contact details in a form config (`schema`), at the bottom so both can use it.

/// The longest email address SMTP can carry (RFC 5321 §4.5.3.1.3, less the angle brackets).
const MAX_EMAIL_LENGTH: usize = 254;

/// Whether `text` looks like an email address: `local@domain`, with an RFC 5322 dot-atom local part (or any
/// non-ASCII letters, for internationalised addresses) and a domain of at least two labels.
pub(crate) fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    text.len() <= MAX_EMAIL_LENGTH && local_part_ok(local) && domain_ok(domain)
}

fn local_part_ok(local: &str) -> bool {
    (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || "!#$%&'*+-/=?^_`{|}~.".contains(c)
                || (!c.is_ascii() && c.is_alphanumeric())
        })
}

fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c == '-' || c.is_alphanumeric())
        })
        && labels
            .last()
            .is_some_and(|top| !top.chars().all(|c| c.is_ascii_digit()))
}

/// Whether `text` looks like a telephone number: digits, spaces, `-`, `.`, brackets and a leading `+`, with
/// 7 to 15 digits (E.164 allows at most 15).
pub(crate) fn is_tel(text: &str) -> bool {
    let body = text.strip_prefix('+').unwrap_or(text);
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    text.len() <= 30
        && (7..=15).contains(&digits)
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || b" -.()".contains(&b))
}
