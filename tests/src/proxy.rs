//! A local TCP proxy that forwards to a server and goes silent on demand (the connection
//! stays open, nothing more is forwarded), and an impostor that answers like something other
//! than PostgreSQL. For tests of timeouts and of wrong endpoints.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// When a proxied connection goes silent.
#[derive(Debug, Clone)]
pub enum Silence {
    /// Never (until [`Proxy::go_silent`]).
    Never,
    /// From the start: the connection is accepted, nothing is ever forwarded either way.
    FromStart,
    /// Once the client has sent these bytes (forwarded to the server): the server's answer
    /// is never passed back. With `sslmode=disable`, a fragment of the query text makes the
    /// proxy go silent "after the query is sent".
    AfterClientSends(Vec<u8>),
}

/// A running proxy on `127.0.0.1` (or `[::1]`); stopped, with its connections, when dropped.
pub struct Proxy {
    /// The address it listens on.
    pub addr: SocketAddr,
    silent: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    sockets: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    /// Listen on `bind` (`127.0.0.1:0`, `[::1]:0`) and forward each connection to `target`.
    pub fn start(bind: &str, target: SocketAddr, silence: Silence) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind(bind)?;
        let addr = listener.local_addr()?;
        let silent = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let sockets: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (silent2, stop2, sockets2) = (silent.clone(), stop.clone(), sockets.clone());
        thread::spawn(move || {
            for client in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                keep(&sockets2, &client);
                if matches!(silence, Silence::FromStart) {
                    continue;
                }
                let Ok(server) = TcpStream::connect(target) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                keep(&sockets2, &server);
                let connection_silent = Arc::new(AtomicBool::new(false));
                let trigger = match &silence {
                    Silence::AfterClientSends(bytes) => Some(bytes.clone()),
                    _ => None,
                };
                pump(
                    client.try_clone().expect("clone socket"),
                    server.try_clone().expect("clone socket"),
                    [silent2.clone(), connection_silent.clone()],
                    trigger,
                );
                pump(server, client, [silent2.clone(), connection_silent], None);
            }
        });
        Ok(Proxy {
            addr,
            silent,
            stop,
            sockets,
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Stop forwarding on every connection, keeping them open.
    pub fn go_silent(&self) {
        self.silent.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        for socket in self.sockets.lock().unwrap().drain(..) {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }
}

fn keep(sockets: &Mutex<Vec<TcpStream>>, socket: &TcpStream) {
    if let Ok(clone) = socket.try_clone() {
        sockets.lock().unwrap().push(clone);
    }
}

/// Copy `from` to `to` until either closes; once a silence flag is set, read and drop. When
/// `trigger` is given and seen in the data, this chunk is forwarded and the connection goes
/// silent afterwards (the second flag).
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    silent: [Arc<AtomicBool>; 2],
    trigger: Option<Vec<u8>>,
) {
    thread::spawn(move || {
        let mut seen: Vec<u8> = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if silent.iter().any(|s| s.load(Ordering::SeqCst)) {
                continue;
            }
            // The flag is set *before* the chunk is forwarded: set after, the server's answer
            // could pass the other pump before it sees the flag (a race that let a "silent"
            // server answer now and then).
            if let Some(trigger) = &trigger {
                seen.extend_from_slice(&buf[..n]);
                if seen.windows(trigger.len()).any(|w| w == trigger.as_slice()) {
                    silent[1].store(true, Ordering::SeqCst);
                }
                if seen.len() > 1 << 20 {
                    seen.drain(..seen.len() - trigger.len());
                }
            }
            if to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        // Keep the other side open while silent: the point is a connection that never answers.
        if !silent.iter().any(|s| s.load(Ordering::SeqCst)) {
            let _ = to.shutdown(Shutdown::Write);
        }
    });
}

/// A server on `127.0.0.1` that reads what a client sends first, answers `reply` and closes:
/// a web server or another service where PostgreSQL was expected. Returns its port.
pub fn impostor(reply: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind impostor");
    let port = listener.local_addr().expect("impostor address").port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(reply);
                let _ = stream.shutdown(Shutdown::Both);
            });
        }
    });
    port
}

/// The address of the test server (for a proxy's target).
pub fn server_addr() -> SocketAddr {
    let server = crate::pg::server();
    format!("{}:{}", resolve_host(&server.host), server.port)
        .parse()
        .expect("server address")
}

fn resolve_host(host: &str) -> String {
    if host == "localhost" {
        "127.0.0.1".into()
    } else {
        host.to_string()
    }
}
