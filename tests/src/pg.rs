//! A real PostgreSQL server for tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The password of every role the support creates. Tests assert it never appears in output.
pub const PASSWORD: &str = "Xy7-secret-Pw";

/// A running server.
pub struct Server {
    /// Host name to connect to.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Superuser name.
    pub user: String,
    /// Superuser password.
    pub password: String,
    /// Whether the server accepts TLS (only clusters started here).
    pub tls: bool,
    /// The server's self-signed certificate (PEM), for verify-full tests.
    pub cert: Option<PathBuf>,
    /// The Unix socket directory (only clusters started here).
    pub socket_dir: Option<PathBuf>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static DATA_DIR: Mutex<Option<(PathBuf, PathBuf)>> = Mutex::new(None);

/// The shared server of this test process; panics with instructions when none can be had.
pub fn server() -> &'static Server {
    match SERVER.get_or_init(start) {
        Ok(server) => server,
        Err(message) => panic!(
            "hc-schema tests need PostgreSQL: {message}\n\
             fix: install the PostgreSQL server binaries (Debian: `apt-get install postgresql`; \
             initdb and pg_ctl must be on PATH or under /usr/lib/postgresql/*/bin), or set \
             HC_SCHEMA_TEST_DATABASE_URL to a superuser URL of a server the tests may use"
        ),
    }
}

/// A fresh database on the shared server; returns its name.
pub fn create_database(prefix: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    admin("postgres")
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    name
}

/// A superuser client on `database` (TLS not used).
pub fn admin(database: &str) -> postgres::Client {
    let s = server();
    postgres::Config::new()
        .host(&s.host)
        .port(s.port)
        .user(&s.user)
        .password(&s.password)
        .dbname(database)
        .connect(postgres::NoTls)
        .unwrap_or_else(|err| panic!("cannot connect to the test PostgreSQL: {err}"))
}

/// A URL for `user` on `database` (with the shared password), plus `query` (`sslmode=...`).
pub fn url(user: &str, database: &str, query: &str) -> String {
    let s = server();
    let password = if user == s.user {
        s.password.as_str()
    } else {
        PASSWORD
    };
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!(
        "postgres://{user}:{password}@{}:{}/{database}{query}",
        s.host, s.port
    )
}

fn start() -> Result<Server, String> {
    if let Ok(url) = std::env::var("HC_SCHEMA_TEST_DATABASE_URL") {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| format!("HC_SCHEMA_TEST_DATABASE_URL: {e}"))?;
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "localhost".into(),
        };
        return Ok(Server {
            host,
            port: config.get_ports().first().copied().unwrap_or(5432),
            user: config.get_user().unwrap_or("postgres").to_string(),
            password: config
                .get_password()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .unwrap_or_default(),
            tls: false,
            cert: None,
            socket_dir: None,
        });
    }
    let bin =
        find_bin_dir().ok_or("initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin")?;
    let root = std::env::temp_dir().join(format!("hc-schema-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    let data = root.join("data");
    let as_root = unsafe { libc::geteuid() } == 0;
    let pwfile = root.join("pw");
    std::fs::write(&pwfile, format!("{PASSWORD}\n")).map_err(|e| e.to_string())?;
    if as_root {
        run(Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&root))?;
    }
    let user = "postgres";
    let mut initdb = wrap(as_root, bin.join("initdb"));
    initdb
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            user,
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .arg(format!("--pwfile={}", pwfile.display()));
    run(&mut initdb)?;
    // TLS with a self-signed certificate for localhost / 127.0.0.1.
    let cert = data.join("server.crt");
    let key = data.join("server.key");
    let tls = Command::new("openssl")
        .args([
            "req",
            "-new",
            "-x509",
            "-days",
            "3",
            "-nodes",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if tls {
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .map_err(|e| e.to_string())?;
        if as_root {
            run(Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&key)
                .arg(&cert))?;
        }
    }
    let port = free_port()?;
    let mut conf = format!(
        "\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\nfsync = off\nmax_connections = 60\n",
        root.display()
    );
    if tls {
        conf.push_str("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
    }
    append(&data.join("postgresql.conf"), &conf)?;
    // `tlsonly` may only connect encrypted; everyone else with a password.
    std::fs::write(
        data.join("pg_hba.conf"),
        "local all all scram-sha-256\n\
         hostssl all tlsonly 127.0.0.1/32 scram-sha-256\n\
         host all tlsonly 127.0.0.1/32 reject\n\
         host all all 127.0.0.1/32 scram-sha-256\n",
    )
    .map_err(|e| e.to_string())?;
    let log = root.join("log");
    let mut pg_ctl = wrap(as_root, bin.join("pg_ctl"));
    pg_ctl
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(&log)
        .args(["-w", "-t", "60", "start"]);
    if let Err(err) = run(&mut pg_ctl) {
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        return Err(format!("{err}\nserver log:\n{log}"));
    }
    *DATA_DIR.lock().unwrap() = Some((bin.join("pg_ctl"), data.clone()));
    unsafe { libc::atexit(stop_at_exit) };
    let server = Server {
        host: "localhost".into(),
        port,
        user: user.into(),
        password: PASSWORD.into(),
        tls,
        cert: tls.then_some(cert),
        socket_dir: Some(root.clone()),
    };
    Ok(server)
}

extern "C" fn stop_at_exit() {
    if let Ok(guard) = DATA_DIR.lock() {
        if let Some((pg_ctl, data)) = guard.as_ref() {
            let as_root = unsafe { libc::geteuid() } == 0;
            let _ = wrap(as_root, pg_ctl.clone())
                .arg("-D")
                .arg(data)
                .args(["-m", "immediate", "-w", "stop"])
                .output();
            if let Some(root) = data.parent() {
                let _ = std::fs::remove_dir_all(root);
            }
        }
    }
}

fn wrap(as_root: bool, program: PathBuf) -> Command {
    if as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn append(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| e.to_string())?;
    file.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn find_bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    });
    on_path.or_else(|| {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|bin| bin.join("initdb").is_file())
            .collect();
        dirs.sort();
        dirs.pop()
    })
}
