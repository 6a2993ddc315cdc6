//! Reading the files hc-schema is given (snapshots, exports, sources): regular files only,
//! and at most [`MAX_BYTES`]. A named pipe or device (`/dev/zero`, a FIFO) would block or
//! never end; it is an error instead.

use std::io::{self, Read};
use std::path::Path;

/// The most a snapshot, export or manifest may hold: 1 GiB.
pub const MAX_BYTES: u64 = 1 << 30;

/// Read the regular file at `path` (following symbolic links), at most `limit` bytes. A
/// non-regular file or a larger one is an error of kind [`io::ErrorKind::InvalidInput`]
/// saying so; a missing one keeps [`io::ErrorKind::NotFound`].
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    read_bounded(path, limit, false)
}

/// [`read_regular`] as UTF-8 text.
pub fn read_regular_text(path: &Path, limit: u64) -> io::Result<String> {
    utf8(read_regular(path, limit)?)
}

/// An input the user names on the command line (`import --from`, `plan --export`): a
/// regular file or a named pipe (`--from <(heroku connect:export ...)`), at most `limit`
/// bytes; devices (`/dev/zero`) and sockets are refused.
pub fn read_input_text(path: &Path, limit: u64) -> io::Result<String> {
    utf8(read_bounded(path, limit, true)?)
}

fn utf8(bytes: Vec<u8>) -> io::Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

fn read_bounded(path: &Path, limit: u64, pipes: bool) -> io::Result<Vec<u8>> {
    // Refuse before opening (opening a FIFO waits for a writer, opening a device can have
    // effects), and again on what was opened.
    let meta = std::fs::metadata(path)?;
    let fifo = is_fifo(&meta);
    if !(meta.is_file() || pipes && fifo) {
        return Err(not_regular());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    if !fifo {
        use std::os::unix::fs::OpenOptionsExt;
        // Replaced by a FIFO since: do not wait for a writer.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !(meta.is_file() || pipes && is_fifo(&meta)) {
        return Err(not_regular());
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    let mut bytes = Vec::with_capacity(if meta.is_file() {
        meta.len() as usize
    } else {
        0
    });
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

#[cfg(unix)]
fn is_fifo(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_fifo(_: &std::fs::Metadata) -> bool {
    false
}

fn not_regular() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "not a regular file (a pipe, socket or device), so it is not read",
    )
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("larger than {} MiB, more than hc-schema reads", limit >> 20),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_only_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, "12345").unwrap();
        assert_eq!(read_regular_text(&path, 5).unwrap(), "12345");
        let err = read_regular(&path, 4).unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
        let err = read_regular(dir.path(), 10).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        #[cfg(unix)]
        {
            let err = read_regular(Path::new("/dev/zero"), 10).unwrap_err();
            assert!(err.to_string().contains("not a regular file"), "{err}");
            let fifo = dir.path().join("fifo");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            let err = read_regular(&fifo, 10).unwrap_err();
            assert!(err.to_string().contains("not a regular file"), "{err}");
            let err = read_input_text(Path::new("/dev/zero"), 10).unwrap_err();
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
        let missing = read_regular(&dir.path().join("none"), 10).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }
}
