//! A web origin (RFC 6454 §6.2): `https://host[:port]`, or `http://` for testing, and nothing after the host. It is
//! what a browser sends in the `Origin` header and what `frame-ancestors` and CORS list, so the receiver's
//! `--allow-origin` and the form's parent-page origin are both checked here, and the host and port rules are the
//! same ones the schema's URLs are checked with.

use std::fmt;
use std::str::FromStr;

/// A checked web origin, lower-cased as browsers send it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin(String);

/// Why a text is not an origin.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{given:?} is not an origin: {reason}")]
pub struct OriginError {
    /// What was given.
    pub given: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Origin {
    /// The origin as the browser sends it in the `Origin` header.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Origin {
    type Err = OriginError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let refuse = |reason: &str| OriginError {
            given: s.to_owned(),
            reason: reason.to_owned(),
        };
        let lower = s.to_ascii_lowercase();
        let authority = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or_else(|| refuse("it must start with https:// (or http:// for testing)"))?;
        if authority.contains(['/', '?', '#']) {
            return Err(refuse("nothing may follow the host and port, not even a /"));
        }
        check_authority(authority).map_err(|reason| refuse(&reason))?;
        Ok(Self(lower))
    }
}

/// Checks a URL's authority (`host[:port]`, no user name or password) and returns its host. The one host and port
/// check of the crate: origins and the schema's absolute URLs both go through it.
pub(crate) fn check_authority(authority: &str) -> Result<&str, String> {
    if authority.contains('@') {
        return Err("a URL must not contain a user name or password".to_owned());
    }
    let (host, port) = match authority.rsplit_once(':') {
        // A bracketed IPv6 literal has colons of its own; only a colon after the bracket starts a port.
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (authority, None),
    };
    if !host_ok(host) {
        return Err(format!("`{host}` is not a valid host name"));
    }
    if let Some(port) = port {
        if !port.bytes().all(|b| b.is_ascii_digit()) || !matches!(port.parse::<u16>(), Ok(1..)) {
            return Err(format!("`{port}` is not a valid port"));
        }
    }
    Ok(host)
}

/// A DNS name (letters, digits and hyphens between dots) or a bracketed IPv6 literal.
fn host_ok(host: &str) -> bool {
    if let Some(literal) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        // The characters of an IPv6 literal, at least one colon: std's full parser would cost the form's wasm
        // 8 KB, and a browser or resolver refuses a malformed literal on its own anyway.
        return literal.contains(':')
            && literal
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        for good in [
            "https://example.com",
            "http://127.0.0.1:8081",
            "https://[::1]:8443",
            "https://[2001:db8::1]",
            "https://law-firm.example.co.uk:443",
        ] {
            assert_eq!(good.parse::<Origin>().unwrap().as_str(), good);
        }
        assert_eq!(
            "HTTPS://Firm.Example".parse::<Origin>().unwrap().as_str(),
            "https://firm.example"
        );
        for bad in [
            "example.com",
            "https://example.com/",
            "https://example.com?x",
            "https://example.com#x",
            "https://",
            "https://:443",
            "ftp://x",
            "https://a b",
            "https://user@example.com",
            "https://example.com:0",
            "https://example.com:65536",
            "https://-bad.example",
            "https://[not-ipv6]",
            "javascript:alert(1)",
            "*",
            "null",
        ] {
            assert!(bad.parse::<Origin>().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_error_says_what_to_fix() {
        let error = "https://firm.example/".parse::<Origin>().unwrap_err();
        assert_eq!(error.given, "https://firm.example/");
        assert!(error.to_string().contains("nothing may follow"), "{error}");
    }
}
