//! Atomic file writes: a temporary file in the same directory, then a rename.
//!
//! Readers see either the old or the new content, and a failed write leaves the old file
//! untouched. The temporary file is named `.<file>.<pid>.hc-schema-tmp`: hidden, never ending
//! in `.json` (so it is never taken for a snapshot, see [`is_temp_file`]), and easy to ignore in
//! git (`*.hc-schema-tmp`). It is removed
//! - when the write fails;
//! - when the process is stopped by a signal, if the program installs a handler that unlinks
//!   [`pending_temp_file`] (the `hc-schema` binary does);
//! - by the next write into the same directory, when the process that created it is gone
//!   (SIGKILL, power loss).
//!
//! A path that is a symbolic link is written through the link: the link stays, its target
//! gets the new content.

use std::ffi::CString;
use std::io::{self, Write};
use std::os::raw::c_char;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicPtr, Ordering};

/// The suffix of every temporary file this module creates.
pub const TEMP_SUFFIX: &str = ".hc-schema-tmp";

/// The temporary file being written right now, as a NUL-terminated path (null when none).
static PENDING: AtomicPtr<c_char> = AtomicPtr::new(std::ptr::null_mut());

/// The temporary file a write in this process is filling right now, as a NUL-terminated path,
/// or null when there is none. Reading it is one atomic load, so a signal handler may call
/// this and `unlink` the result (both are async-signal-safe) before the process dies.
///
/// The string stays valid for the life of the process (each write leaks its path, a few bytes:
/// freeing it could race with a handler running on another thread).
pub fn pending_temp_file() -> *const c_char {
    PENDING.load(Ordering::SeqCst)
}

/// Marks `path` as the pending temporary file until dropped.
struct Pending;

impl Pending {
    fn register(path: &Path) -> Pending {
        if let Some(c) = c_path(path) {
            PENDING.store(c.into_raw(), Ordering::SeqCst);
        }
        Pending
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        PENDING.store(std::ptr::null_mut(), Ordering::SeqCst);
    }
}

#[cfg(unix)]
fn c_path(path: &Path) -> Option<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes()).ok()
}

#[cfg(not(unix))]
fn c_path(path: &Path) -> Option<CString> {
    CString::new(path.to_string_lossy().into_owned()).ok()
}

/// The temporary file name for `file_name` written by process `pid`.
///
/// ```
/// use hc_schema_snapshot::atomic::{is_temp_file, temp_name};
/// assert_eq!(temp_name("prod.json", 42), ".prod.json.42.hc-schema-tmp");
/// assert_eq!(is_temp_file(".prod.json.42.hc-schema-tmp"), Some(42));
/// assert_eq!(is_temp_file("prod.json"), None);
/// ```
pub fn temp_name(file_name: &str, pid: u32) -> String {
    format!(".{file_name}.{pid}{TEMP_SUFFIX}")
}

/// The process id in a temporary file name written by [`temp_name`], or `None` when `name` is
/// not one.
pub fn is_temp_file(name: &str) -> Option<u32> {
    let stem = name.strip_prefix('.')?.strip_suffix(TEMP_SUFFIX)?;
    let (_, pid) = stem.rsplit_once('.')?;
    pid.parse().ok()
}

/// Write `bytes` to `path` through a temporary file and a rename, so that readers see either
/// the old or the new content and a failure leaves the old file untouched. A symbolic link is
/// written through (its target is replaced); an existing file's permissions are kept.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let path = resolve_links(path)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    remove_stale_temp_files(&dir);
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(temp_name(&file_name, std::process::id()));
    let permissions = std::fs::metadata(&path).ok().map(|m| m.permissions());
    let pending = Pending::register(&tmp);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        if let Some(permissions) = permissions {
            std::fs::set_permissions(&tmp, permissions)?;
        }
        std::fs::rename(&tmp, &path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    drop(pending);
    result
}

/// Follow symbolic links from `path` to the file they end at (which may not exist yet).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = if target.is_absolute() {
                    target
                } else {
                    current.parent().unwrap_or(Path::new("")).join(target)
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{}: too many levels of symbolic links",
            path.to_string_lossy()
        ),
    ))
}

/// Remove the temporary files in `dir` left by processes that no longer run. Best effort:
/// errors are ignored (a file that cannot be removed is only clutter).
pub fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let own = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = is_temp_file(&name.to_string_lossy()) else {
            continue;
        };
        if pid != own && !process_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a process with id `pid` exists (when this cannot be told: assume it does).
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: kill with signal 0 sends nothing; it only checks that the process exists.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_and_leave_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hc-schema/prod.json");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["prod.json"]);
        // The slot is process-wide and other tests of this binary write files at the same
        // time (build indexes, snapshots): it must come back to empty, not be empty at once.
        assert!(
            (0..2000).any(|_| {
                let empty = pending_temp_file().is_null();
                if !empty {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                empty
            }),
            "the pending temporary file was never cleared"
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("shared/prod.json");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("hc-schema/prod.json");
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink("../shared/prod.json", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prod.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn stale_temp_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // A process that has exited: its pid is free (until reused, which a test cannot
        // rule out, so use our parent-less child that we reaped ourselves).
        let child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        let mut child = child;
        child.wait().unwrap();
        let stale = dir.path().join(temp_name("prod.json", dead));
        let live = dir.path().join(temp_name("test.json", std::process::id()));
        let parent = dir.path().join(temp_name("test.json", 1));
        for path in [&stale, &live, &parent] {
            std::fs::write(path, "partial").unwrap();
        }
        write_atomically(&dir.path().join("prod.json"), b"{}").unwrap();
        assert!(!stale.exists() || process_alive(dead), "stale file kept");
        assert!(live.exists(), "our own temp file is not stale");
        assert!(parent.exists(), "pid 1 runs");
    }

    #[test]
    fn temp_names_parse_back_and_nothing_else_does() {
        for (name, pid) in [("prod.json", 1), ("a.b.json", 4_000_000), ("x", 7)] {
            assert_eq!(is_temp_file(&temp_name(name, pid)), Some(pid));
        }
        for name in [
            "prod.json",
            ".prod.json.12.tmp",
            ".prod.json.x.hc-schema-tmp",
            "prod.json.1.hc-schema-tmp",
        ] {
            assert_eq!(is_temp_file(name), None, "{name}");
        }
    }
}
