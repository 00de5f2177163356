//! A recording TCP proxy: the browser talks to it as if it were the origin behind it, and it keeps every byte the
//! browser sent, so a test can prove what did (and did not) cross the wire.

use std::net::SocketAddr;
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
    task: JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards each connection to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let target = Arc::new(Mutex::new(target));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let task = {
            let (target, sent) = (Arc::clone(&target), Arc::clone(&sent));
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let upstream = *target.lock().expect("target");
                    tokio::spawn(forward(client, upstream, Arc::clone(&sent)));
                }
            })
        };
        Self {
            addr,
            target,
            sent,
            task,
        }
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

/// Copies both ways; the client's bytes are also appended to `sent`. When the target is down the client's
/// connection is closed at once, which a browser sees as a network error (as with a stopped server).
async fn forward(mut client: TcpStream, target: SocketAddr, sent: Arc<Mutex<Vec<u8>>>) {
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        // Still record what the client tried to send, so "no POST reached anyone" cannot be fooled.
        let mut buffer = vec![0u8; 64 * 1024];
        if let Ok(Ok(n)) = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            client.read(&mut buffer),
        )
        .await
        {
            sent.lock()
                .expect("recording")
                .extend_from_slice(&buffer[..n]);
        }
        return;
    };
    let (mut client_read, mut client_write) = client.split();
    let (mut upstream_read, mut upstream_write) = upstream.split();
    let up = async {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match client_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    sent.lock()
                        .expect("recording")
                        .extend_from_slice(&buffer[..n]);
                    if upstream_write.write_all(&buffer[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = upstream_write.shutdown().await;
    };
    let down = async {
        let _ = tokio::io::copy(&mut upstream_read, &mut client_write).await;
        let _ = client_write.shutdown().await;
    };
    tokio::join!(up, down);
}
