//! Schema values with a strict text form: colours and fonts that become CSS, the endpoint URL, ISO 8601 durations
//! and calendar dates. Each newtype can only hold text that passed its check, so the form can trust it as it is.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

use crate::origin::check_authority;

/// A schema value whose text is not in the form it must have; says what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct TextFormError {
    reason: String,
}

impl TextFormError {
    fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// Implements `as_str`, `Display` and serde (as a string, checked with `FromStr` when read) for a checked newtype.
macro_rules! text_form {
    ($type:ident) => {
        impl $type {
            /// The text, exactly as written in the schema.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A brand colour as `#rrggbb`. Nothing else is accepted because the value is written into a CSS custom property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexColour(String);
text_form!(HexColour);

impl FromStr for HexColour {
    type Err = TextFormError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_prefix('#') {
            Some(hex) if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Ok(Self(s.to_owned()))
            }
            _ => Err(TextFormError::new(
                "expected a colour as # and six hex digits, like #1d70b8",
            )),
        }
    }
}

/// A CSS font family list such as `Open Sans, Arial, sans-serif`: unquoted names of letters, digits, spaces, `-`
/// and `_`, separated by commas. Quotes, semicolons, braces and the like are refused so the value can never end
/// the CSS declaration it is written into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FontFamily(String);
text_form!(FontFamily);

/// Long enough for any real font stack; longer is more likely a mistake than a font list.
const MAX_FONT_FAMILY_LENGTH: usize = 200;

impl FromStr for FontFamily {
    type Err = TextFormError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let refuse = || {
            TextFormError::new(
                "expected font names separated by commas, without quotes, like Open Sans, Arial, sans-serif",
            )
        };
        if s.len() > MAX_FONT_FAMILY_LENGTH {
            return Err(TextFormError::new(format!(
                "a font family list must be {MAX_FONT_FAMILY_LENGTH} characters or less"
            )));
        }
        let name_ok = |name: &str| {
            // Each word must be a CSS identifier that starts with a letter, so no name is read as a number or keyword
            // syntax.
            !name.is_empty()
                && name.split(' ').filter(|word| !word.is_empty()).all(|word| {
                    word.starts_with(|c: char| c.is_ascii_alphabetic())
                        && word
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                })
        };
        if s.split(',').all(|name| name_ok(name.trim_matches(' '))) {
            Ok(Self(s.to_owned()))
        } else {
            Err(refuse())
        }
    }
}

/// Where the browser POSTs a sealed bundle: an absolute `https://` URL, an `http://` URL only for `localhost` or a
/// loopback address (for testing), or a path on the form's own site starting with a single `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint(String);
text_form!(Endpoint);

impl Endpoint {
    /// Whether the endpoint is a path on the site that serves the form rather than an absolute URL.
    pub fn is_relative(&self) -> bool {
        self.0.starts_with('/')
    }
}

impl FromStr for Endpoint {
    type Err = TextFormError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(rest) = s.strip_prefix("http://") {
            let host = check_absolute(rest)?;
            if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
                return Err(TextFormError::new(
                    "http:// is only allowed for localhost or 127.0.0.1 (for testing); use https://",
                ));
            }
        } else if s.starts_with('/') {
            // "//host/path" and "/\host" are read by browsers as a URL on another site.
            if s.starts_with("//") || s.starts_with("/\\") {
                return Err(TextFormError::new(
                    "a path must start with a single /, like /api/submissions",
                ));
            }
            check_path(s)?;
        } else {
            check_https_url(s)?;
        }
        Ok(Self(s.to_owned()))
    }
}

/// Checks an absolute `https://` URL (a privacy notice, a firm's website).
pub(crate) fn check_https_url(s: &str) -> Result<(), TextFormError> {
    let rest = s.strip_prefix("https://").ok_or_else(|| {
        TextFormError::new(
            "expected an absolute URL starting with https://, like https://example.com/privacy",
        )
    })?;
    check_absolute(rest).map(|_host| ())
}

/// Checks what follows `scheme://`: a host, an optional port ([`check_authority`]), then an optional path and
/// query. Returns the host.
fn check_absolute(rest: &str) -> Result<&str, TextFormError> {
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    let host = check_authority(authority).map_err(TextFormError::new)?;
    check_path(path)?;
    Ok(host)
}

/// Checks a path and query: RFC 3986 `pchar`s, `/` and `?` only, with well-formed `%XX` escapes. A fragment is
/// refused: it is never sent to the server, so it can only be a mistake.
fn check_path(path: &str) -> Result<(), TextFormError> {
    let bytes = path.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let ok = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b);
        if b == b'%' {
            let escape_ok = bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit));
            if !escape_ok {
                return Err(TextFormError::new(
                    "a URL has a % not followed by two hex digits",
                ));
            }
            i += 3;
            continue;
        }
        if !ok {
            let c = path[i..].chars().next().unwrap_or(' ');
            return Err(TextFormError::new(format!(
                "a URL must not contain {c:?}; percent-encode it or remove it"
            )));
        }
        i += 1;
    }
    Ok(())
}

/// An ISO 8601 duration such as `P6Y`, `P1Y6M` or `P30D`: `P`, then whole-number years, months, weeks and days in
/// that order, then optionally `T` and hours, minutes and seconds. At least one part must be given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IsoDuration(String);
text_form!(IsoDuration);

impl Default for IsoDuration {
    /// `P0D`, no time at all.
    fn default() -> Self {
        Self("P0D".to_owned())
    }
}

impl FromStr for IsoDuration {
    type Err = TextFormError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let refuse =
            || TextFormError::new("expected an ISO 8601 duration, like P6Y, P1Y6M or P30D");
        let rest = s.strip_prefix('P').ok_or_else(refuse)?;
        let (date, time) = match rest.split_once('T') {
            Some((date, time)) => (date, Some(time)),
            None => (rest, None),
        };
        let date_parts = count_parts(date, &['Y', 'M', 'W', 'D']).ok_or_else(refuse)?;
        let time_parts = match time {
            Some(time) => match count_parts(time, &['H', 'M', 'S']) {
                Some(0) | None => return Err(refuse()),
                Some(n) => n,
            },
            None => 0,
        };
        if date_parts + time_parts == 0 {
            return Err(refuse());
        }
        Ok(Self(s.to_owned()))
    }
}

/// Counts the `<digits><designator>` parts of `s`, each designator used at most once and in the order given.
fn count_parts(s: &str, designators: &[char]) -> Option<usize> {
    let mut allowed = designators.iter();
    let mut rest = s;
    let mut count = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let designator = rest[digits..].chars().next()?;
        if digits == 0 || !allowed.by_ref().any(|&d| d == designator) {
            return None;
        }
        // The designator is one of the ASCII letters above, so it is one byte long.
        rest = &rest[digits + 1..];
        count += 1;
    }
    Some(count)
}

/// Parses a calendar date written exactly as `YYYY-MM-DD` (ISO 8601's calendar date, four-digit year, no sign);
/// `None` if the text has another shape or the date does not exist (like 2023-02-29).
///
/// By hand rather than with `time`'s `format_description!`: `Date::parse` brings `time`'s whole parser for every
/// component a format can have, which measured 20.5 KB raw / 7.3 KB gzip more in the browser form's wasm (the form
/// checks every date answer with this) for the same three numbers.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year = s[0..4].parse().ok()?;
    let month = Month::try_from(s[5..7].parse::<u8>().ok()?).ok()?;
    let day = s[8..10].parse().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Writes a date as `YYYY-MM-DD`, the form [`parse_date`] reads.
pub(crate) fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Serde for the schema's optional date bounds, as `YYYY-MM-DD` text.
pub(crate) mod optional_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub(crate) fn serialize<S: Serializer>(
        date: &Option<Date>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => serializer.serialize_str(&super::format_date(*date)),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Date>, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_date(&text).map(Some).ok_or_else(|| {
            serde::de::Error::custom("expected a real date written as YYYY-MM-DD, like 2024-03-31")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours() {
        for good in ["#1d70b8", "#FFFFFF", "#000000"] {
            assert!(good.parse::<HexColour>().is_ok(), "{good}");
        }
        for bad in [
            "1d70b8", "#1d70b", "#1d70b8;", "#1d70b8 ", "red", "#12345g", "#1d70b8}", "",
        ] {
            assert!(bad.parse::<HexColour>().is_err(), "{bad}");
        }
    }

    #[test]
    fn font_families() {
        for good in [
            "Arial",
            "Open Sans, Arial, sans-serif",
            "GDS_Transport,arial",
            "Noto Sans JP",
        ] {
            assert!(good.parse::<FontFamily>().is_ok(), "{good}");
        }
        for bad in [
            "",
            "Arial;}body{display:none",
            "\"Open Sans\"",
            "'Open Sans'",
            "Arial,,sans-serif",
            "url(x)",
            "Arial\\",
            "3D",
            "Arial</style>",
            "Arial\nserif",
        ] {
            assert!(bad.parse::<FontFamily>().is_err(), "{bad}");
        }
        assert!("a".repeat(201).parse::<FontFamily>().is_err());
    }

    #[test]
    fn endpoints() {
        for good in [
            "/api/submissions",
            "/",
            "https://intake.example.com/api/submissions",
            "https://example.com",
            "https://example.com:8443/a%20b?x=1",
            "http://localhost:8080/api",
            "http://127.0.0.1/api",
            "http://[::1]:3000/",
        ] {
            assert!(good.parse::<Endpoint>().is_ok(), "{good}");
        }
        for bad in [
            "//evil.example/x",
            "/\\evil.example",
            "http://example.com/api",
            "ftp://example.com",
            "api/submissions",
            "https://user:pw@example.com/",
            "https://example.com/a b",
            "https://example.com/#x",
            "https://example.com/%zz",
            "https://",
            "https://exa_mple.com",
            "https://example.com:0/",
            "https://example.com:99999/",
            "https://example..com/",
            "javascript:alert(1)",
            "HTTPS://example.com",
            "https://example.com/\"onmouseover",
        ] {
            assert!(bad.parse::<Endpoint>().is_err(), "{bad}");
        }
        assert!("/api".parse::<Endpoint>().is_ok_and(|e| e.is_relative()));
        assert!("https://example.com/"
            .parse::<Endpoint>()
            .is_ok_and(|e| !e.is_relative()));
    }

    #[test]
    fn https_urls() {
        assert!(check_https_url("https://example.com/privacy").is_ok());
        assert!(check_https_url("http://example.com/privacy").is_err());
        assert!(check_https_url("/privacy").is_err());
    }

    #[test]
    fn durations() {
        for good in [
            "P6Y",
            "P1Y6M",
            "P30D",
            "P2W",
            "PT12H",
            "P1DT2H30M",
            "P12M",
            "P1Y2M3W4DT5H6M7S",
        ] {
            assert!(good.parse::<IsoDuration>().is_ok(), "{good}");
        }
        for bad in [
            "", "P", "6Y", "PT", "P6", "PY", "P6M1Y", "P1Y1Y", "P6y", "P1.5Y", "P1DT", "PT1D",
            "P-1Y", "P1Y ",
        ] {
            assert!(bad.parse::<IsoDuration>().is_err(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2024-02-29"),
            Date::from_calendar_date(2024, Month::February, 29).ok()
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "+024-01-01",
            "+2024-01-01",
            "-2024-01-01",
            "2024-01-01 ",
            "20240-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        let date = Date::from_calendar_date(987, Month::July, 4).ok();
        assert_eq!(date.map(format_date).as_deref(), Some("0987-07-04"));
    }
}
