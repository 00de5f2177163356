//! A recording TCP proxy: the browser talks to it as if it were the origin behind it, and it keeps every byte the
//! browser sent, so a test can prove what did (and did not) cross the wire.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Forwards `127.0.0.1:<port>` to a target address, recording what clients send.
#[derive(Debug)]
pub struct Proxy {
    /// Where the browser connects.
    pub addr: SocketAddr,
    target: Arc<Mutex<SocketAddr>>,
    sent: Arc<Mutex<Vec<u8>>>,
    replace: Arc<Mutex<Option<Replace>>>,
    task: JoinHandle<()>,
}

/// The next request starting with `request` gets `status` instead of the target's answer.
#[derive(Clone, Debug)]
struct Replace {
    request: String,
    status: u16,
}

impl Proxy {
    /// Listens on a free loopback port and forwards each connection to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let target = Arc::new(Mutex::new(target));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let replace = Arc::new(Mutex::new(None));
        let task = {
            let (target, sent, replace) =
                (Arc::clone(&target), Arc::clone(&sent), Arc::clone(&replace));
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let upstream = *target.lock().expect("target");
                    let recording = Recording {
                        sent: Arc::clone(&sent),
                        replace: Arc::clone(&replace),
                    };
                    tokio::spawn(forward(client, upstream, recording));
                }
            })
        };
        Self {
            addr,
            target,
            sent,
            replace,
            task,
        }
    }

    /// The next request whose request line is `method path` reaches the target as usual, but the client gets
    /// `status` (and the connection closed) instead of the target's answer: a gateway failing after the origin
    /// did its work.
    pub fn replace_next_answer(&self, method: &str, path: &str, status: u16) {
        *self.replace.lock().expect("replace") = Some(Replace {
            request: format!("{method} {path} HTTP/1.1\r\n"),
            status,
        });
    }

    /// The values of `header` in every request clients have sent, in order (names matched case-insensitively).
    pub fn header_values(&self, header: &str) -> Vec<String> {
        let sent = self.sent();
        let needle = format!("\r\n{}: ", header.to_ascii_lowercase());
        let lower = sent.to_ascii_lowercase();
        memchr::memmem::find_iter(&lower, needle.as_bytes())
            .map(|at| {
                let value = &sent[at + needle.len()..];
                let end = memchr::memmem::find(value, b"\r\n").unwrap_or(value.len());
                String::from_utf8_lossy(&value[..end]).into_owned()
            })
            .collect()
    }

    /// `http://127.0.0.1:PORT`, the origin the browser sees.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Points new connections at another address (a restarted receiver).
    pub fn retarget(&self, target: SocketAddr) {
        *self.target.lock().expect("target") = target;
    }

    /// Everything clients have sent so far (request lines, headers and bodies of every connection).
    pub fn sent(&self) -> Vec<u8> {
        self.sent.lock().expect("recording").clone()
    }

    /// How many requests with this method and path clients have sent.
    pub fn count_requests(&self, method: &str, path: &str) -> usize {
        let needle = format!("{method} {path} HTTP/1.1\r\n");
        count(&self.sent(), needle.as_bytes())
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Occurrences of `needle` in `haystack`.
pub fn count(haystack: &[u8], needle: &[u8]) -> usize {
    memchr::memmem::find_iter(haystack, needle).count()
}

/// What every connection shares with the proxy: the recording, and the answer to replace.
struct Recording {
    sent: Arc<Mutex<Vec<u8>>>,
    replace: Arc<Mutex<Option<Replace>>>,
}

impl Recording {
    fn record(&self, bytes: &[u8]) {
        self.sent
            .lock()
            .expect("recording")
            .extend_from_slice(bytes);
    }

    /// The status to answer instead, when `chunk` starts the request to replace (taken: only once). Browsers do
    /// not pipeline, so a request starts at the beginning of what the client sends after the previous answer.
    fn replacement(&self, chunk: &[u8]) -> Option<u16> {
        let mut replace = self.replace.lock().expect("replace");
        let wanted = replace
            .as_ref()
            .is_some_and(|r| chunk.starts_with(r.request.as_bytes()));
        wanted.then(|| replace.take().map(|r| r.status)).flatten()
    }
}

/// The bytes of an answer with `status` and a JSON refusal body, closing the connection.
fn answer(status: u16) -> Vec<u8> {
    let body = format!(r#"{{"error":"injected by the test proxy: {status}"}}"#);
    format!(
        "HTTP/1.1 {status} Injected\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Copies both ways; the client's bytes are also appended to `sent`. When the target is down the client's
/// connection is closed at once, which a browser sees as a network error (as with a stopped server). The answer to
/// a request marked for replacement is swallowed and the replacement sent instead.
async fn forward(mut client: TcpStream, target: SocketAddr, recording: Recording) {
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        // Still record what the client tried to send, so "no POST reached anyone" cannot be fooled.
        let mut buffer = vec![0u8; 64 * 1024];
        if let Ok(Ok(n)) = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            client.read(&mut buffer),
        )
        .await
        {
            recording.record(&buffer[..n]);
        }
        return;
    };
    let (mut client_read, mut client_write) = client.split();
    let (mut upstream_read, mut upstream_write) = upstream.split();
    // 0: pass the target's answer on; else the status to answer instead.
    let replaced = AtomicU16::new(0);
    let up = async {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match client_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if let Some(status) = recording.replacement(&buffer[..n]) {
                        replaced.store(status, Ordering::SeqCst);
                    }
                    recording.record(&buffer[..n]);
                    if upstream_write.write_all(&buffer[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = upstream_write.shutdown().await;
    };
    let down = async {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match upstream_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let status = replaced.load(Ordering::SeqCst);
                    let out = if status == 0 {
                        buffer[..n].to_vec()
                    } else {
                        answer(status)
                    };
                    if client_write.write_all(&out).await.is_err() || status != 0 {
                        break;
                    }
                }
            }
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(up, down);
}
