//! A throwaway PostgreSQL cluster for sealform's tests and benchmark: `initdb` into a temporary folder, the server
//! on a free loopback port with password logins, and everything removed when the cluster is dropped — or, for a
//! cluster shared by a whole test binary, when that process ends, however it ends.
//!
//! ```no_run
//! let cluster = sealform_pgcluster::Cluster::start()?;
//! let url = cluster.create_database("suite")?; // postgres://sealform@127.0.0.1:PORT/suite?sslmode=disable
//! // sealform serve --store "$url" --store-password-file cluster.password_file()
//! # Ok::<(), sealform_pgcluster::ClusterError>(())
//! ```
//!
//! The server runs under a small shell watchdog that reads commands on its standard input: `restart` stops the
//! server at once (as a crash would) and starts it again; the end of its input — this process dropping the cluster
//! or exiting, even killed — stops the server and removes its folder. `initdb` refuses to run as root, so as root
//! the cluster runs as the unprivileged user `nobody` (through `runuser`). The binaries are taken from
//! `SEALFORM_PG_BINDIR`, else the newest `/usr/lib/postgresql/*/bin` (Debian's `postgresql` package, which
//! `scripts/setup.sh` installs), else `PATH`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// The superuser the cluster is made with, and the user of every URL it gives.
pub const USER: &str = "sealform";
/// The longest a start or a restart may take before it counts as failed.
const READY_WITHIN: Duration = Duration::from_secs(60);
/// The user the server runs as when this process is root.
const UNPRIVILEGED: &str = "nobody";

/// Runs the server and obeys commands on its standard input; `$1` the folder, `$2` the binaries, `$3` the port.
const WATCHDOG: &str = r#"
start() {
    "$2/postgres" -D "$1/db" -p "$3" -k "$1" -c listen_addresses=127.0.0.1 -c max_connections=200 \
        >>"$1/server.log" 2>&1 &
    pid=$!
}
start "$@"
while read -r command; do
    case "$command" in
        restart) kill -QUIT "$pid"; wait "$pid"; start "$@" ;;
    esac
done
kill -INT "$pid"
wait "$pid"
rm -rf "$1"
"#;

/// Why a cluster could not be started or used.
#[derive(Debug)]
pub struct ClusterError(String);

impl std::fmt::Display for ClusterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ClusterError {}

/// A running throwaway cluster.
#[derive(Debug)]
pub struct Cluster {
    bin: PathBuf,
    folder: PathBuf,
    port: u16,
    password: String,
    /// The password, in a file of this process's own (0600), for `--store-password-file`.
    password_file: PathBuf,
    _secrets: tempfile::TempDir,
    watchdog: Mutex<Watchdog>,
}

#[derive(Debug)]
struct Watchdog {
    child: Child,
    commands: Option<ChildStdin>,
}

impl Cluster {
    /// One cluster for the whole process, started on first use and stopped when the process ends.
    pub fn shared() -> Result<&'static Self, ClusterError> {
        static SHARED: OnceLock<Result<Cluster, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| Self::start().map_err(|e| e.0))
            .as_ref()
            .map_err(|e| ClusterError(e.clone()))
    }

    /// Makes a new cluster and starts it.
    pub fn start() -> Result<Self, ClusterError> {
        Self::start_with(false)
    }

    /// Makes a new cluster that also speaks TLS, with a server certificate for 127.0.0.1 issued by a CA of its
    /// own ([`Cluster::ca_file`]; made with the `openssl` command), and starts it.
    pub fn start_with_tls() -> Result<Self, ClusterError> {
        Self::start_with(true)
    }

    fn start_with(tls: bool) -> Result<Self, ClusterError> {
        let bin = binaries()?;
        let as_user = running_as_root().then_some(UNPRIVILEGED);
        let folder = tempfile::Builder::new()
            .prefix("sealform-pg-")
            .tempdir()
            .map_err(|e| fail("could not make a temporary folder", e))?
            .keep();
        if let Some(user) = as_user {
            hand_over(&folder, user)?;
        }
        let password = random_password()?;
        let pwfile = folder.join("initdb.pw");
        write_private(&pwfile, &password)?;
        if let Some(user) = as_user {
            hand_over(&pwfile, user)?;
        }
        let initdb = run_as(as_user, bin.join("initdb"))
            .args(["-D"])
            .arg(folder.join("db"))
            .args([
                "-U",
                USER,
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .map_err(|e| fail("could not run initdb", e))?;
        if !initdb.status.success() {
            return Err(ClusterError(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&initdb.stderr)
            )));
        }
        if tls {
            make_certificates(&folder, as_user)?;
        }
        let secrets =
            tempfile::tempdir().map_err(|e| fail("could not make a temporary folder", e))?;
        let password_file = secrets.path().join("store.pw");
        write_private(&password_file, &password)?;
        let port = free_port()?;
        let child = run_as(as_user, "sh")
            .args(["-c", WATCHDOG, "sh"])
            .arg(&folder)
            .arg(&bin)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| fail("could not start the server", e))?;
        let mut watchdog = Watchdog {
            child,
            commands: None,
        };
        watchdog.commands = watchdog.child.stdin.take();
        let cluster = Self {
            bin,
            folder,
            port,
            password,
            password_file,
            _secrets: secrets,
            watchdog: Mutex::new(watchdog),
        };
        cluster.wait_ready()?;
        Ok(cluster)
    }

    /// The port the server listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A file holding the password, private to this process's user: what `--store-password-file` takes.
    pub fn password_file(&self) -> &Path {
        &self.password_file
    }

    /// The CA certificate (PEM) that issued the server's, for a cluster started with TLS.
    pub fn ca_file(&self) -> PathBuf {
        self.folder.join("ca.crt")
    }

    /// The store URL of `database` (no password in it; TLS off on loopback).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{USER}@127.0.0.1:{}/{database}?sslmode=disable",
            self.port
        )
    }

    /// Creates an empty database and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, ClusterError> {
        let output = Command::new(self.bin.join("createdb"))
            .args(["-h", "127.0.0.1", "-U", USER, "-p"])
            .arg(self.port.to_string())
            .arg(name)
            .env("PGPASSWORD", &self.password)
            .output()
            .map_err(|e| fail("could not run createdb", e))?;
        if !output.status.success() {
            return Err(ClusterError(format!(
                "createdb {name} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        Ok(self.url(name))
    }

    /// Stops the server at once, as a crash or a power cut would (no checkpoint; recovery replays the log), starts
    /// it again and waits until it takes connections.
    pub fn restart(&self) -> Result<(), ClusterError> {
        {
            let mut watchdog = self.watchdog.lock().unwrap_or_else(PoisonError::into_inner);
            let commands = watchdog
                .commands
                .as_mut()
                .ok_or_else(|| ClusterError("the cluster is stopping".into()))?;
            commands
                .write_all(b"restart\n")
                .and_then(|()| commands.flush())
                .map_err(|e| fail("could not ask the watchdog to restart the server", e))?;
        }
        // The server goes down first: wait for that, so the readiness check below is the new server's.
        let deadline = Instant::now() + READY_WITHIN;
        while self.ready() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.wait_ready()
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.folder.join("server.log")).unwrap_or_default()
    }

    fn ready(&self) -> bool {
        Command::new(self.bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-t", "1", "-p"])
            .arg(self.port.to_string())
            .status()
            .is_ok_and(|status| status.success())
    }

    fn wait_ready(&self) -> Result<(), ClusterError> {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if self.ready() {
                return Ok(());
            }
            let exited = self
                .watchdog
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .child
                .try_wait()
                .ok()
                .flatten();
            if exited.is_some() || Instant::now() > deadline {
                return Err(ClusterError(format!(
                    "the PostgreSQL server did not start; its log:\n{}",
                    self.log()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let watchdog = self
            .watchdog
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        // The end of its input: the watchdog stops the server and removes the folder.
        drop(watchdog.commands.take());
        let _ = watchdog.child.wait();
    }
}

/// A CA and a server certificate for 127.0.0.1 it issued, in `folder`, and the server told to use them.
fn make_certificates(folder: &Path, as_user: Option<&str>) -> Result<(), ClusterError> {
    let extensions = folder.join("server.ext");
    std::fs::write(
        &extensions,
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| fail("could not write the certificate extensions", e))?;
    let steps: [&[&str]; 3] = [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=sealform test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    ];
    for step in steps {
        let output = Command::new("openssl")
            .args(step)
            .current_dir(folder)
            .output()
            .map_err(|e| fail("could not run openssl", e))?;
        if !output.status.success() {
            return Err(ClusterError(format!(
                "openssl {} failed: {}",
                step.join(" "),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
    }
    if let Some(user) = as_user {
        // The server refuses a key others may read, or one it does not own.
        hand_over(&folder.join("server.key"), user)?;
        hand_over(&folder.join("server.crt"), user)?;
    }
    let settings = format!(
        "ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\n",
        folder.join("server.crt").display(),
        folder.join("server.key").display()
    );
    std::fs::OpenOptions::new()
        .append(true)
        .open(folder.join("db/postgresql.conf"))
        .and_then(|mut conf| conf.write_all(settings.as_bytes()))
        .map_err(|e| fail("could not turn TLS on", e))
}

/// Where the PostgreSQL server binaries are.
fn binaries() -> Result<PathBuf, ClusterError> {
    if let Some(dir) = std::env::var_os("SEALFORM_PG_BINDIR") {
        return Ok(PathBuf::from(dir));
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|dir| dir.join("initdb").is_file() && dir.join("postgres").is_file())
        .ok_or_else(|| {
            ClusterError(
                "no PostgreSQL server binaries (initdb, postgres): run scripts/setup.sh, which installs Debian's \
                 postgresql package, or set SEALFORM_PG_BINDIR"
                    .into(),
            )
        })
}

fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// A command run as `user`, or as this process's user when `None`.
fn run_as(user: Option<&str>, program: impl AsRef<std::ffi::OsStr>) -> Command {
    match user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// Gives `path` to `user` (and the user's group), so the server running as that user owns its files.
fn hand_over(path: &Path, user: &str) -> Result<(), ClusterError> {
    let id = |flag: &str| -> Result<u32, ClusterError> {
        let output = Command::new("id")
            .args([flag, user])
            .output()
            .map_err(|e| fail("could not run id", e))?;
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .map_err(|_| ClusterError(format!("there is no user {user} to run PostgreSQL as")))
    };
    std::os::unix::fs::chown(path, Some(id("-u")?), Some(id("-g")?))
        .map_err(|e| fail(&format!("could not give {} to {user}", path.display()), e))
}

/// Writes a secret into a new file only its owner may read.
fn write_private(path: &Path, secret: &str) -> Result<(), ClusterError> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut file| file.write_all(secret.as_bytes()))
        .map_err(|e| fail(&format!("could not write {}", path.display()), e))
}

/// A password from the system's random source, in hex.
fn random_password() -> Result<String, ClusterError> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| std::io::Read::read_exact(&mut random, &mut bytes))
        .map_err(|e| fail("could not read /dev/urandom", e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A loopback port nothing listens on now.
fn free_port() -> Result<u16, ClusterError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| fail("could not find a free port", e))
}

fn fail(what: &str, error: std::io::Error) -> ClusterError {
    ClusterError(format!("{what}: {error}"))
}
