//! Files on disk: writing without ever overwriting by accident (private material with mode 0600), reading
//! bundles from files or standard input, and turning a client's untrusted file name into a harmless one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// Mode for what only the firm may read: private keys, opened submissions and attachments.
pub(crate) const PRIVATE_FILE: u32 = 0o600;
/// Mode for public keys.
pub(crate) const PUBLIC_FILE: u32 = 0o644;
/// Mode for folders sealform creates to hold private material.
pub(crate) const PRIVATE_DIR: u32 = 0o700;

/// How many numbered alternatives [`write_unique`] tries before giving up.
const MAX_SUFFIX: u32 = 9999;

/// The command-line spelling of standard input.
pub(crate) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How a file argument is named in messages: escaped ([`crate::terminal::escape`]), as a file name in an inbox can
/// hold anything, a line break or a terminal's escape sequence too.
pub(crate) fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        "standard input".to_owned()
    } else {
        crate::terminal::escape(&path.display().to_string()).into_owned()
    }
}

/// Refuses `-` (standard input) given more than once: it can be read only once.
pub(crate) fn check_stdin_once(paths: &[PathBuf]) -> Result<(), crate::error::Error> {
    if paths.iter().filter(|path| is_stdin(path)).count() > 1 {
        return Err(crate::error::Error::usage(
            "`-` (standard input) is given more than once: it can be read only once",
        ));
    }
    Ok(())
}

/// `1 byte`, `9,494 bytes`.
pub(crate) fn bytes(count: u64) -> String {
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

/// When a written file must be on the disk (not only in the operating system's cache).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fsync {
    /// Before the write returns: an fsync per file. For files that stand alone, such as keys.
    Now,
    /// When the caller says so, for many files at once: receipt folders, which `sealform open` makes durable a
    /// batch at a time (`save::OutDir::flush_staged`).
    Later,
}

/// Creates `path` with `mode` and writes `bytes` to it, refusing (`AlreadyExists`) if anything is there. The file
/// never exists with a wider mode, not even for a moment; on a failed write it is removed.
pub(crate) fn write_new(path: &Path, bytes: &[u8], mode: u32, sync: Fsync) -> io::Result<()> {
    let mut file = create_new(path, mode)?;
    let written = file.write_all(bytes).and_then(|()| match sync {
        Fsync::Now => file.sync_all(),
        Fsync::Later => Ok(()),
    });
    if written.is_err() {
        let _ = fs::remove_file(path);
    }
    written
}

/// Waits until the names in folder `path` (files created, renamed or removed in it) are on the disk. Does nothing
/// where a folder cannot be opened to be synced (Windows, whose file systems journal names).
pub(crate) fn sync_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(path)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Replaces `path` (or creates it) in one step: the bytes go to a new file beside it, which is then renamed over
/// it, so a reader sees the old file or the new one, never half of one.
pub(crate) fn replace(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let staging = path.with_file_name(format!(".{name}.new-{}", std::process::id()));
    write_new(&staging, bytes, mode, Fsync::Now)?;
    fs::rename(&staging, path).inspect_err(|_| {
        let _ = fs::remove_file(&staging);
    })
}

/// Writes `bytes` to a new file in `dir` called `name`, or `stem-2.ext`, `stem-3.ext`, … if that exists: never
/// over an existing file. Returns the path written.
pub(crate) fn write_unique(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    mode: u32,
    sync: Fsync,
) -> io::Result<PathBuf> {
    let (stem, extension) = split_extension(name);
    for n in 1..=MAX_SUFFIX {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem}-{n}{extension}"))
        };
        match write_new(&candidate, bytes, mode, sync) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{name} and {MAX_SUFFIX} numbered alternatives all exist"),
    ))
}

/// Creates a folder (and any missing parents) that only the owner can enter.
pub(crate) fn create_private_dir_all(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, PRIVATE_DIR);
    builder.create(path)
}

/// Creates one new folder that only the owner can enter; fails if it exists.
pub(crate) fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, PRIVATE_DIR);
    builder.create(path)
}

fn create_new(path: &Path, mode: u32) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}

/// The file's permission bits if group or others may read or write it (Unix only), so the caller can warn.
pub(crate) fn exposed_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Warns if a file holding a secret (`what`) can be read by other users.
pub(crate) fn warn_if_exposed(path: &Path, what: &str) {
    if let Some(mode) = exposed_mode(path) {
        crate::error::warn(&format!(
            "{} ({what}) can be read by other users of this computer (mode {mode:03o}): run `chmod 600 {}`",
            path.display(),
            path.display()
        ));
    }
}

/// Makes a file name a client's browser sent safe to create in a folder of our choosing: keeps only the last path
/// component (of `/` or `\\` paths, so `..`, `/abs` and `C:\\x` cannot leave the folder), drops control,
/// text-direction and invisible characters (which can disguise a name, e.g. `invoice\u{202E}fdp.exe`), replaces
/// the characters Windows forbids and the full-width slashes its "best fit" conversion turns into real ones, drops
/// leading dots (no hidden files, no `..`) and surrounding spaces, renames Windows device names (`CON`, `nul.txt`,
/// `COM¹`, `CONIN$`), and shortens very long names. `None` when nothing usable is left.
///
/// The folder may later be copied to a Windows share, so names are made safe there too, not only here.
pub(crate) fn safe_file_name(untrusted: &str) -> Option<String> {
    let last = untrusted.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|&c| !crate::terminal::is_hidden(c) && !is_invisible(c))
        .map(|c| {
            if WINDOWS_FORBIDDEN.contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_start()
        .trim_end_matches(['.', ' ']);
    if trimmed.is_empty() {
        return None;
    }
    let name = shorten(trimmed, MAX_NAME_BYTES);
    Some(if is_windows_device(&name) {
        format!("_{name}")
    } else {
        name
    })
}

/// Characters Windows does not allow in file names (besides the separators and control characters), and the
/// full-width solidus and reverse solidus, which Windows's "best fit" code pages turn into `/` and `\\`.
const WINDOWS_FORBIDDEN: &str = "<>:\"|?*\u{FF0F}\u{FF3C}";
/// The longest saved name in bytes: well under the 255 most file systems allow, leaving room for `-2` suffixes.
const MAX_NAME_BYTES: usize = 200;

/// Whether Windows treats `name` as a device (`CON`, `PRN`, `AUX`, `NUL`, `CONIN$`, `CONOUT$`, `COM0`–`COM9`,
/// `LPT0`–`LPT9`, and `COM`/`LPT` with a superscript `¹`, `²` or `³`), whatever its case or extension: such a file
/// cannot be opened there, and writing to it can reach the device.
fn is_windows_device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default().trim_end();
    let upper = stem.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) {
        return true;
    }
    let Some(number) = upper
        .strip_prefix("COM")
        .or_else(|| upper.strip_prefix("LPT"))
    else {
        return false;
    };
    let mut chars = number.chars();
    matches!(
        (chars.next(), chars.next()),
        (Some('0'..='9' | '\u{B9}' | '\u{B2}' | '\u{B3}'), None)
    )
}

/// Characters that show as nothing (zero-width space, non-joiner and joiner, the byte-order mark): they can hide a
/// difference between two names. The direction marks are [`crate::terminal::is_hidden`]'s.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}')
}

/// Cuts `name` to at most `max` bytes, keeping a short extension.
fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let (stem, extension) = split_extension(name);
    let extension = if extension.len() <= 16 { extension } else { "" };
    let mut end = max - extension.len();
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{extension}", &stem[..end.min(stem.len())])
}

/// `("report", ".pdf")` for `report.pdf`; `("README", "")` when there is no extension.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_folders_and_tricks() {
        let cases = [
            ("report.pdf", Some("report.pdf")),
            ("../../etc/passwd", Some("passwd")),
            ("..\\..\\Windows\\win.ini", Some("win.ini")),
            ("/absolute/path.txt", Some("path.txt")),
            ("..", None),
            (".", None),
            ("...", None),
            ("", None),
            ("dir/", None),
            (".bashrc", Some("bashrc")),
            ("  spaced name.txt  ", Some("spaced name.txt")),
            ("bell\u{7}\n.txt", Some("bell.txt")),
            ("invoice\u{202E}fdp.exe", Some("invoicefdp.exe")),
            ("trailing.", Some("trailing")),
            ("Zoë 王.pdf", Some("Zoë 王.pdf")),
            ("CON", Some("_CON")),
            ("nul.txt", Some("_nul.txt")),
            ("Com1.log", Some("_Com1.log")),
            ("COM10", Some("COM10")),
            ("console.txt", Some("console.txt")),
            ("C:\\x", Some("x")),
            ("C:", Some("C_")),
            ("a<b>c:d\"e|f?g*h.txt", Some("a_b_c_d_e_f_g_h.txt")),
            ("nul\u{0}byte.txt", Some("nulbyte.txt")),
            ("\u{202E}gpj.exe", Some("gpj.exe")),
            // Windows treats the superscript digits as device numbers too, and the console's own names.
            ("COM\u{b9}", Some("_COM\u{b9}")),
            ("com\u{b2}.txt", Some("_com\u{b2}.txt")),
            ("LPT\u{b3}.log", Some("_LPT\u{b3}.log")),
            ("COM0", Some("_COM0")),
            ("lpt0.txt", Some("_lpt0.txt")),
            ("CONIN$", Some("_CONIN$")),
            ("conout$.txt", Some("_conout$.txt")),
            ("CON .txt", Some("_CON .txt")),
            // The Arabic letter mark reorders text like the other direction marks.
            ("invoice\u{61C}fdp.exe", Some("invoicefdp.exe")),
            ("a\u{2028}b\u{2029}c.txt", Some("abc.txt")),
            // Full-width solidus and reverse solidus: Windows's "best fit" turns them into / and \.
            (
                "..\u{FF0F}..\u{FF0F}etc\u{FF0F}passwd",
                Some("_.._etc_passwd"),
            ),
            ("..\u{FF3C}win.ini", Some("_win.ini")),
        ];
        for (untrusted, expected) in cases {
            assert_eq!(
                safe_file_name(untrusted).as_deref(),
                expected,
                "{untrusted:?}"
            );
        }
    }

    #[test]
    fn sizes_are_grouped() {
        assert_eq!(bytes(0), "0 bytes");
        assert_eq!(bytes(1), "1 byte");
        assert_eq!(bytes(999), "999 bytes");
        assert_eq!(bytes(9494), "9,494 bytes");
        assert_eq!(bytes(1_234_567), "1,234,567 bytes");
    }

    #[test]
    fn long_names_keep_their_extension() {
        let name = format!("{}.pdf", "é".repeat(300));
        let safe = safe_file_name(&name).unwrap_or_default();
        assert!(safe.len() <= 200, "{}", safe.len());
        assert!(safe.ends_with("é.pdf"), "{safe}");
    }

    #[test]
    fn replacing_leaves_the_whole_new_file_and_nothing_hidden() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x.bundle");
        replace(&path, b"first", PRIVATE_FILE).expect("create");
        replace(&path, b"second", PRIVATE_FILE).expect("replace");
        assert_eq!(fs::read(&path).expect("read"), b"second");
        assert_eq!(exposed_mode(&path), None);
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["x.bundle"]);
        // A write that fails (here: into a folder that does not exist) leaves nothing behind either.
        assert!(replace(&dir.path().join("no/x.bundle"), b"x", PRIVATE_FILE).is_err());
    }

    #[test]
    fn unique_names_never_overwrite() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first =
            write_unique(dir.path(), "a.txt", b"1", PRIVATE_FILE, Fsync::Now).expect("write");
        let second =
            write_unique(dir.path(), "a.txt", b"2", PRIVATE_FILE, Fsync::Now).expect("write");
        let third =
            write_unique(dir.path(), "a.txt", b"3", PRIVATE_FILE, Fsync::Now).expect("write");
        assert_eq!(first, dir.path().join("a.txt"));
        assert_eq!(second, dir.path().join("a-2.txt"));
        assert_eq!(third, dir.path().join("a-3.txt"));
        assert_eq!(fs::read(&first).expect("read"), b"1");
        assert_eq!(exposed_mode(&first), None);
    }
}
