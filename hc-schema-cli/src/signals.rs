//! Signals: a closed pipe ends the program quietly, and a stop signal during a write removes
//! the half-written temporary file.
//!
//! - A closed standard output or error (`hc-schema ... | head`): Rust ignores SIGPIPE, so the
//!   next `println!` panics with EPIPE. A panic hook turns exactly that panic into the death
//!   by SIGPIPE that `cat` or `grep` would have had: silent, status 141 in a shell. SIGPIPE
//!   itself stays ignored, so a database connection over a Unix socket that the server closes
//!   still gives an error message instead of a silent death.
//! - SIGTERM, SIGINT, SIGHUP and SIGQUIT unlink the temporary file a write is filling
//!   ([`hc_schema_snapshot::atomic::pending_temp_file`]), then end the process with the same
//!   signal, so the caller still sees how it ended.

/// Install the handlers (once, at startup).
#[cfg(unix)]
pub fn install() {
    // SAFETY: setting signal dispositions at startup, before any other thread exists; the
    // handler only calls async-signal-safe functions (an atomic load, unlink, raise).
    unsafe {
        for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGQUIT] {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_stop as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = libc::SA_RESETHAND;
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if is_broken_pipe(info) {
            remove_pending_temp_file();
            // SAFETY: restoring the default action and raising the signal; the process ends.
            unsafe {
                libc::signal(libc::SIGPIPE, libc::SIG_DFL);
                libc::raise(libc::SIGPIPE);
            }
        }
        default_hook(info);
    }));
}

/// Whether a panic is `println!`/`eprintln!` failing because the reader has gone: std panics
/// with "failed printing to stdout: Broken pipe (os error 32)".
#[cfg(unix)]
fn is_broken_pipe(info: &std::panic::PanicHookInfo<'_>) -> bool {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    message.starts_with("failed printing to std")
        && message.ends_with(&format!("(os error {})", libc::EPIPE))
}

/// Nothing to do where there are no such signals.
#[cfg(not(unix))]
pub fn install() {}

/// Remove the pending temporary file, then die of `signal` (the handler was reset to the
/// default action by `SA_RESETHAND`; the signal is blocked while this runs and delivered again
/// when it returns).
#[cfg(unix)]
extern "C" fn on_stop(signal: libc::c_int) {
    remove_pending_temp_file();
    // SAFETY: raise is async-signal-safe.
    unsafe {
        libc::raise(signal);
    }
}

/// Unlink the temporary file a write is filling, if any. Async-signal-safe.
#[cfg(unix)]
pub fn remove_pending_temp_file() {
    let path = hc_schema_snapshot::atomic::pending_temp_file();
    if !path.is_null() {
        // SAFETY: the pointer is a NUL-terminated string that lives for the whole process.
        unsafe {
            libc::unlink(path);
        }
    }
}
