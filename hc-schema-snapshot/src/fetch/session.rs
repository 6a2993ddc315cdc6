//! One bounded conversation with a server: connect (TCP or Unix socket), TLS, authentication
//! and the catalog query, each under a client-side deadline, so a silent network, a stopped
//! server or a held lock ends in an error that names the phase instead of a hang.
//!
//! Runs tokio-postgres on a current-thread runtime created for the call. The servers of a
//! multi-host URL are tried in order, each with the whole connect timeout (as libpq does), and
//! the one that answered is the one described in the snapshot's `source`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_postgres::tls::{NoTls, TlsConnect};

use super::catalog::{self, Catalog};
use super::error::{classify, classify_with, Attempt, Context as ErrorContext};
use super::tls::{self, SslMode};
use super::url::{ChannelBinding, DatabaseUrl, Endpoint, Host};
use super::{ConnectOptions, FetchError};

/// The client-side deadline of the query is the statement timeout plus this, so that the
/// server's own timeout (which says why: a lock, or the statement) normally answers first.
pub const QUERY_MARGIN: Duration = Duration::from_secs(1);

/// The phase a conversation with the server is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Name lookup and the TCP (or Unix socket) connect.
    Connect,
    /// TLS negotiation and handshake.
    Tls,
    /// Startup and authentication.
    Authentication,
    /// The catalog query.
    Query,
}

impl Phase {
    fn from_u8(value: u8) -> Phase {
        match value {
            0 => Phase::Connect,
            1 => Phase::Tls,
            2 => Phase::Authentication,
            _ => Phase::Query,
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Phase::Connect => "connect",
            Phase::Tls => "TLS",
            Phase::Authentication => "authentication",
            Phase::Query => "query",
        })
    }
}

/// The phase, shared with the stream and the TLS connector that move it on, and the first
/// byte the server sent (which tells a PostgreSQL server from anything else).
#[derive(Clone, Default)]
struct PhaseCell(Arc<PhaseState>);

#[derive(Default)]
struct PhaseState {
    phase: AtomicU8,
    /// The first byte read, plus one (0: none yet).
    first: AtomicU16,
    asked_tls: AtomicBool,
}

impl PhaseCell {
    fn set(&self, phase: Phase) {
        self.0.phase.store(phase as u8, Ordering::SeqCst);
    }
    fn get(&self) -> Phase {
        Phase::from_u8(self.0.phase.load(Ordering::SeqCst))
    }
    fn first_byte(&self) -> Option<u8> {
        match self.0.first.load(Ordering::SeqCst) {
            0 => None,
            n => Some((n - 1) as u8),
        }
    }
    fn asked_tls(&self) -> bool {
        self.0.asked_tls.load(Ordering::SeqCst)
    }
}

/// What a successful read gives: the catalog and the server that answered.
pub struct Read {
    /// The catalog.
    pub catalog: Catalog,
    /// `postgres://host:port/db` of the server that answered.
    pub source: String,
}

/// Connect as `options` says (`url` is its parsed connection string) and read the catalog of
/// `schema`, every phase bounded.
pub fn read(options: &ConnectOptions, url: &DatabaseUrl, schema: &str) -> Result<Read, FetchError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|err| FetchError::Other {
            source_desc: url.describe(),
            message: format!("cannot start the I/O runtime: {err}"),
        })?;
    let result = runtime.block_on(read_async(options, url, schema));
    // A name lookup still running on the blocking pool must not hold the caller.
    runtime.shutdown_background();
    result
}

async fn read_async(
    options: &ConnectOptions,
    url: &DatabaseUrl,
    schema: &str,
) -> Result<Read, FetchError> {
    let mode = options.sslmode.or(url.sslmode).unwrap_or(SslMode::Prefer);
    let root_cert = options
        .root_cert
        .clone()
        .or_else(|| url.sslrootcert.clone());
    let connector = match mode {
        SslMode::Disable => None,
        _ => Some(Arc::new(tls::TlsSettings::new(mode, root_cert.as_deref())?)),
    };
    let connect_timeout = match url.connect_timeout {
        Some(from_url) => from_url.min(options.connect_timeout),
        None => options.connect_timeout,
    };
    let mut attempts: Vec<Attempt> = Vec::new();
    for endpoint in &url.endpoints {
        let source = endpoint.describe(url.dbname.as_deref());
        let context = ErrorContext {
            url,
            origin: &options.origin,
            source: &source,
            endpoint: &endpoint.short(),
            mode,
            connect_timeout,
            statement_timeout: options.statement_timeout,
        };
        let phase = PhaseCell::default();
        let connected = tokio::time::timeout(
            connect_timeout,
            connect(endpoint, url, mode, connector.as_ref(), &phase),
        )
        .await;
        let client = match connected {
            Ok(Ok(client)) => client,
            Ok(Err(failure)) => {
                let (error, fatal) = failure.into_error(&context, &phase);
                attempts.push(Attempt {
                    endpoint: endpoint.short(),
                    error,
                });
                if fatal {
                    break;
                }
                continue;
            }
            Err(_elapsed) => {
                attempts.push(Attempt {
                    endpoint: endpoint.short(),
                    error: context.timeout(phase.get()),
                });
                continue;
            }
        };
        let query = tokio::time::timeout(
            options.statement_timeout + QUERY_MARGIN,
            catalog::read_catalog(&client, schema, options.statement_timeout),
        )
        .await;
        return match query {
            Ok(Ok(catalog)) => Ok(Read { catalog, source }),
            Ok(Err(err)) => Err(classify(&err, &context, Phase::Query)),
            Err(_elapsed) => Err(context.timeout(Phase::Query)),
        };
    }
    Err(super::error::combine(attempts, &options.origin))
}

/// Why one server could not be connected to.
enum Failure {
    /// Name lookup or the socket connect failed.
    Io(io::Error),
    /// The driver failed (TLS, protocol, authentication, or a server error).
    Driver(tokio_postgres::Error),
}

impl Failure {
    /// The error, and whether the other servers must not be tried (the server answered and
    /// refused: libpq stops there too).
    fn into_error(self, context: &ErrorContext<'_>, cell: &PhaseCell) -> (FetchError, bool) {
        let (phase, first, asked_tls) = (cell.get(), cell.first_byte(), cell.asked_tls());
        match self {
            Failure::Io(err) => (context.unreachable(&err), false),
            Failure::Driver(err) => {
                let fatal = err.as_db_error().is_some();
                let error = classify_with(&err, context, phase, first, asked_tls);
                (error, fatal)
            }
        }
    }
}

async fn connect(
    endpoint: &Endpoint,
    url: &DatabaseUrl,
    mode: SslMode,
    connector: Option<&Arc<tls::TlsSettings>>,
    phase: &PhaseCell,
) -> Result<tokio_postgres::Client, Failure> {
    phase.set(Phase::Connect);
    let socket = open(endpoint).await.map_err(Failure::Io)?;
    let is_unix = matches!(endpoint.host, Host::Unix(_));
    // libpq never uses TLS on a Unix socket.
    let connector = connector.filter(|_| !is_unix && mode != SslMode::Disable);
    phase
        .0
        .asked_tls
        .store(connector.is_some(), Ordering::SeqCst);
    phase.set(if connector.is_some() {
        Phase::Tls
    } else {
        Phase::Authentication
    });
    let stream = PhaseStream {
        inner: socket,
        phase: phase.clone(),
        negotiating: connector.is_some(),
        first_seen: false,
    };
    let mut config = login_config(url);
    match connector {
        None => {
            config.ssl_mode(tokio_postgres::config::SslMode::Disable);
            let (client, connection) = config
                .connect_raw(stream, NoTls)
                .await
                .map_err(Failure::Driver)?;
            tokio::spawn(connection);
            Ok(client)
        }
        Some(connector) => {
            config.ssl_mode(tls::driver_mode(mode));
            let domain = match &endpoint.host {
                Host::Tcp(name) if !name.is_empty() => name.clone(),
                _ => endpoint
                    .hostaddr
                    .map(|ip| ip.to_string())
                    .unwrap_or_default(),
            };
            let tls = TrackedTls {
                settings: connector.clone(),
                domain,
                phase: phase.clone(),
            };
            let (client, connection) = config
                .connect_raw(stream, tls)
                .await
                .map_err(Failure::Driver)?;
            tokio::spawn(connection);
            Ok(client)
        }
    }
}

/// A TCP or Unix-domain socket.
enum Socket {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
}

async fn open(endpoint: &Endpoint) -> io::Result<Socket> {
    match &endpoint.host {
        #[cfg(unix)]
        Host::Unix(dir) => {
            let path = dir.join(format!(".s.PGSQL.{}", endpoint.port));
            Ok(Socket::Unix(tokio::net::UnixStream::connect(path).await?))
        }
        #[cfg(not(unix))]
        Host::Unix(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "Unix-domain sockets are not available on this system",
        )),
        Host::Tcp(name) => {
            let addresses: Vec<SocketAddr> = match endpoint.hostaddr {
                Some(ip) => vec![SocketAddr::new(ip, endpoint.port)],
                None => tokio::net::lookup_host((name.as_str(), endpoint.port))
                    .await?
                    .collect(),
            };
            let mut last = io::Error::new(io::ErrorKind::NotFound, "the name has no address");
            for address in addresses {
                match TcpStream::connect(address).await {
                    Ok(stream) => {
                        let _ = stream.set_nodelay(true);
                        return Ok(Socket::Tcp(stream));
                    }
                    Err(err) => last = err,
                }
            }
            Err(last)
        }
    }
}

/// The socket, moving the phase on when the server answers the TLS request: `S` starts the
/// handshake, `N` (no TLS, accepted by `prefer`) goes straight to authentication.
struct PhaseStream {
    inner: Socket,
    phase: PhaseCell,
    negotiating: bool,
    first_seen: bool,
}

impl AsyncRead for PhaseStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let result = match &mut this.inner {
            Socket::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(unix)]
            Socket::Unix(s) => Pin::new(s).poll_read(cx, buf),
        };
        if !this.first_seen && buf.filled().len() > before {
            this.first_seen = true;
            let first = buf.filled()[before];
            this.phase
                .0
                .first
                .store(u16::from(first) + 1, Ordering::SeqCst);
            if this.negotiating && first != b'S' {
                this.phase.set(Phase::Authentication);
            }
            this.negotiating = false;
        }
        result
    }
}

impl AsyncWrite for PhaseStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.inner {
            Socket::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(unix)]
            Socket::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.inner {
            Socket::Tcp(s) => Pin::new(s).poll_flush(cx),
            #[cfg(unix)]
            Socket::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.inner {
            Socket::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(unix)]
            Socket::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// The native-tls connector (built when the server agrees to TLS), moving the phase to
/// authentication when the handshake is done.
struct TrackedTls {
    settings: Arc<tls::TlsSettings>,
    domain: String,
    phase: PhaseCell,
}

type TlsFuture<S> = Pin<
    Box<dyn Future<Output = Result<postgres_native_tls::TlsStream<S>, native_tls::Error>> + Send>,
>;

impl<S> TlsConnect<S> for TrackedTls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = postgres_native_tls::TlsStream<S>;
    type Error = native_tls::Error;
    type Future = TlsFuture<S>;

    fn connect(self, stream: S) -> Self::Future {
        let phase = self.phase;
        let connector = match self.settings.connector() {
            Ok(connector) => connector,
            Err(err) => return Box::pin(async move { Err(err) }),
        };
        let inner = postgres_native_tls::TlsConnector::new(connector, &self.domain);
        let handshake = TlsConnect::connect(inner, stream);
        Box::pin(async move {
            let stream = handshake.await?;
            phase.set(Phase::Authentication);
            Ok(stream)
        })
    }
}

/// The driver configuration of what the login sends (user, password, database, server
/// options, application name, channel binding), shared by the catalog session and
/// [`super::connect`]; where to connect and TLS are each caller's.
pub(super) fn login_config(url: &DatabaseUrl) -> tokio_postgres::Config {
    let mut config = tokio_postgres::Config::new();
    if let Some(user) = &url.user {
        config.user(user);
    }
    if let Some(password) = &url.password {
        config.password(&password.0);
    }
    if let Some(dbname) = &url.dbname {
        config.dbname(dbname);
    }
    if let Some(options) = &url.options {
        config.options(options);
    }
    config.application_name(url.application_name.as_deref().unwrap_or("hc-schema"));
    config.channel_binding(match url.channel_binding {
        ChannelBinding::Disable => tokio_postgres::config::ChannelBinding::Disable,
        ChannelBinding::Prefer => tokio_postgres::config::ChannelBinding::Prefer,
        ChannelBinding::Require => tokio_postgres::config::ChannelBinding::Require,
    });
    config
}
