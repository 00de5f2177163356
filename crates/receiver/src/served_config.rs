//! `/config.json`: the firm's config, byte for byte, beside its brotli and gzip forms made once at start-up in a
//! private folder, and served from there like the build's precompressed files.

use std::io::Write as _;
use std::path::Path;

use tower_http::services::ServeFile;

use crate::config::StartError;

/// The folder holding the three forms; removed when the receiver stops.
#[derive(Debug)]
pub(crate) struct ServedConfig {
    dir: tempfile::TempDir,
}

impl ServedConfig {
    /// Writes `config` and its compressed forms, at the highest levels: it is done once, and it is the one file of
    /// the first load the build cannot compress, being the firm's.
    pub(crate) fn write(config: &[u8]) -> Result<Self, StartError> {
        let dir = tempfile::Builder::new()
            .prefix("sealform-config-")
            .tempdir()
            .map_err(cache_error)?;
        let path = dir.path().join("config.json");
        std::fs::write(&path, config).map_err(cache_error)?;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(config).map_err(cache_error)?;
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
        brotli::BrotliCompress(&mut &config[..], &mut brotli, &params).map_err(cache_error)?;
        std::fs::write(with_suffix(&path, "br"), brotli).map_err(cache_error)?;
        Ok(Self { dir })
    }

    /// The service answering `GET /config.json`: the smallest form the client accepts, with its length, and
    /// `304 Not Modified` to a client that has it (by `Last-Modified`, the start-up time).
    pub(crate) fn service(&self) -> ServeFile {
        ServeFile::new(self.dir.path().join("config.json"))
            .precompressed_br()
            .precompressed_gzip()
    }
}

fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
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
    fn the_compressed_forms_hold_the_exact_config() {
        let config = br#"{"title":"Intake","fields":[]}"#.repeat(20);
        let served = ServedConfig::write(&config).unwrap();
        let path = served.dir.path().join("config.json");
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
