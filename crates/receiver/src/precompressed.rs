//! The files the receiver makes at start-up rather than the build: the firm's `config.json` byte for byte and the
//! form's page in each language with its first paint ([`crate::first_paint`]). Each is written beside its brotli
//! and gzip forms, once, in a private folder, and served from there like the build's precompressed files.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use tower_http::services::ServeFile;

use crate::config::StartError;

/// The folder holding the files and their compressed forms; removed when the receiver stops.
#[derive(Debug)]
pub(crate) struct Precompressed {
    dir: tempfile::TempDir,
}

impl Precompressed {
    /// A new, empty private folder.
    pub(crate) fn new() -> Result<Self, StartError> {
        let dir = tempfile::Builder::new()
            .prefix("sealform-served-")
            .tempdir()
            .map_err(cache_error)?;
        Ok(Self { dir })
    }

    /// Writes `bytes` as `name` and its compressed forms, at the highest levels: it is done once, and these are
    /// the files of the first load the build cannot compress, being the firm's.
    pub(crate) fn add(&self, name: &str, bytes: &[u8]) -> Result<(), StartError> {
        let path = self.path(name);
        std::fs::write(&path, bytes).map_err(cache_error)?;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(bytes).map_err(cache_error)?;
        std::fs::write(
            with_suffix(&path, "gz"),
            gzip.finish().map_err(cache_error)?,
        )
        .map_err(cache_error)?;
        let mut brotli = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut &bytes[..], &mut brotli, &params).map_err(cache_error)?;
        std::fs::write(with_suffix(&path, "br"), brotli).map_err(cache_error)?;
        Ok(())
    }

    /// The service answering a `GET` of `name`: the smallest form the client accepts, with its length, and
    /// `304 Not Modified` to a client that has it (by `Last-Modified`, the start-up time).
    pub(crate) fn service(&self, name: &str) -> ServeFile {
        ServeFile::new(self.path(name))
            .precompressed_br()
            .precompressed_gzip()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    name.into()
}

fn cache_error(source: std::io::Error) -> StartError {
    StartError::ConfigCache { source }
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn the_compressed_forms_hold_the_exact_file() {
        let config = br#"{"title":"Intake","fields":[]}"#.repeat(20);
        let served = Precompressed::new().unwrap();
        served.add("config.json", &config).unwrap();
        let path = served.path("config.json");
        assert_eq!(std::fs::read(&path).unwrap(), config);
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&std::fs::read(with_suffix(&path, "gz")).unwrap()[..])
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, config);
        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(
            &mut &std::fs::read(with_suffix(&path, "br")).unwrap()[..],
            &mut unbrotli,
        )
        .unwrap();
        assert_eq!(unbrotli, config);
    }
}
