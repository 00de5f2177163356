//! Helpers for driving the real `sealform` binary: running it, the core crate's test keys and vectors, and
//! bundles sealed on the spot.

pub mod receiver;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sealform_core::bundle::seal;
use sealform_core::key::{Identity, Recipient};
use sealform_core::submission::{Attachment, Submission};
use sealform_core::{Answer, Answers, FormSchema, Sha256Digest};

/// What one run of `sealform` gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Fails the test, showing everything, unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(self.code, code, "exit code\n{self:#?}");
        self
    }

    /// Fails the test unless standard error contains every one of `parts`.
    #[track_caller]
    pub fn expect_stderr(self, parts: &[&str]) -> Self {
        for part in parts {
            assert!(
                self.stderr.contains(part),
                "stderr lacks {part:?}\n{self:#?}"
            );
        }
        self
    }
}

/// Runs `sealform ARGS` with nothing on standard input (so never a terminal).
pub fn sealform<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    sealform_with(args, &[], None)
}

/// Runs `sealform ARGS` with extra environment variables and, optionally, bytes on standard input.
pub fn sealform_with<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    env: &[(&str, &str)],
    stdin: Option<&[u8]>,
) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sealform"));
    command
        .args(args)
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("sealform starts");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(bytes).expect("write stdin");
    }
    let output = child.wait_with_output().expect("sealform runs");
    Run {
        code: output.status.code().expect("exit code, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `sealform open --key KEY --out OUT BUNDLE`.
pub fn open_into(key: &Path, out: &Path, bundle: &Path) -> Run {
    sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        bundle.as_os_str(),
    ])
}

/// The core crate's test data: `keys/` and `vectors/`.
pub fn core_data() -> PathBuf {
    sealform_testkit::data_dir()
}

/// A core test key (`firm`, `backup`, `stranger`).
pub fn identity(name: &str) -> Identity {
    sealform_testkit::identity(name)
}

/// Copies a core test key into `dir` with `mode`, so permission checks do not depend on the checkout.
pub fn key_file(dir: &Path, name: &str, mode: u32) -> PathBuf {
    let path = dir.join(format!("{name}.pem"));
    std::fs::copy(core_data().join(format!("keys/{name}.pem")), &path).expect("copy key");
    set_mode(&path, mode);
    path
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// A vector's header line `name: value`, and its bundle bytes (what follows the blank line).
pub fn vector(name: &str) -> (String, Vec<u8>) {
    let vector = sealform_testkit::Vector::named(name);
    (vector.header, vector.bundle)
}

/// A header field of a vector, e.g. `receipt`.
pub fn header_field(header: &str, name: &str) -> String {
    let vector = sealform_testkit::Vector {
        header: header.to_owned(),
        bundle: Vec::new(),
    };
    vector
        .field(name)
        .unwrap_or_else(|| panic!("no {name}: line in {header}"))
        .to_owned()
}

/// Writes a vector's bundle bytes, without the header, to `dir/NAME.bundle`.
pub fn vector_file(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(format!("{name}.bundle"));
    std::fs::write(&path, vector(name).1).expect("write bundle");
    path
}

/// The full name of a client in every sample submission: non-ASCII on purpose.
pub const CLIENT_NAME: &str = "Zoë Ñúñez-王 🙂 مرحبا";

/// Seals a sample submission with `attachments` (name, bytes) for `recipients`, and writes it to `path`. The
/// answers keep every rule of the shipped legal-intake template.
pub fn seal_sample(
    path: &Path,
    recipients: &[Recipient],
    submission_id: &str,
    attachments: &[(&str, &[u8])],
) -> Submission {
    seal_answers(
        path,
        recipients,
        submission_id,
        valid_answers(),
        attachments,
    )
}

/// Seals `answers` to the legal-intake template (whether or not they keep its rules: sealing does not check) with
/// `attachments` for the `documents_upload` field, writes the bundle to `path`, and returns what was sealed.
pub fn seal_answers(
    path: &Path,
    recipients: &[Recipient],
    submission_id: &str,
    answers: Answers,
    attachments: &[(&str, &[u8])],
) -> Submission {
    let (template, digest) = sealform_testkit::legal_intake();
    seal_to_form(
        path,
        recipients,
        template.schema(),
        digest,
        submission_id,
        answers,
        attachments,
    )
}

/// Seals `answers` to any form, named by `digest`, and writes the bundle to `path`.
pub fn seal_to_form(
    path: &Path,
    recipients: &[Recipient],
    schema: &FormSchema,
    digest: Sha256Digest,
    submission_id: &str,
    answers: Answers,
    attachments: &[(&str, &[u8])],
) -> Submission {
    let attachments: Vec<Attachment> = attachments
        .iter()
        .map(|(name, bytes)| Attachment {
            field: "documents_upload".into(),
            name: (*name).into(),
            media_type: "text/plain".into(),
            bytes: bytes.to_vec(),
        })
        .collect();
    let submission =
        sealform_testkit::submission(schema, digest, answers, &attachments, submission_id);
    let sealed = seal(recipients, &submission, &attachments).expect("seal");
    std::fs::write(path, sealed.bytes).expect("write bundle");
    submission
}

/// Answers that keep every rule of the legal-intake template.
pub fn valid_answers() -> Answers {
    let mut answers = Answers::default();
    let mut text = |id: &str, value: &str| answers.insert(id, Answer::Text(value.into()));
    text("full_name", CLIENT_NAME);
    text("email", "zoe@example.com");
    text("preferred_contact", "email");
    text("safe_voicemail", "yes");
    text("safe_email", "yes");
    text("practice_area", "housing");
    text("description", "My landlord kept the deposit.");
    text("special_category_involved", "no");
    text("has_deadline", "no");
    answers
}

/// The names in a folder, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// The receipt folders `open --out` made in `out`: its names but the audit log beside them.
pub fn receipt_folders_in(out: &Path) -> Vec<String> {
    names_in(out)
        .into_iter()
        .filter(|name| name != "audit.log")
        .collect()
}
