//! Which build of the analyser is running: part of every cache key, so that an analysis made
//! by one build of the macro (and of hc-schema-snapshot's analyser, and of sqlparser, linked
//! into it) is never served to another.
//!
//! The id is the identity of the file this code was loaded from (the proc-macro library):
//! device, inode, size and modification time. Any change to the macro, the analyser, sqlparser,
//! the compiler or the flags writes a new file. The file is found through `/proc/self/maps` (the
//! mapping holding this function), whose inode is the one actually loaded: a long-lived
//! process (rust-analyzer's proc-macro server) whose library was rebuilt since it loaded it
//! sees a different inode at the path, and gets no id (no cache), never the new file's id.
//! Elsewhere than Linux there is no id, and no cache: every `hc_sql!` is analysed.

/// The id of the running build, once per process; `None`: do not cache.
pub fn build_id() -> Option<&'static str> {
    static ID: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    ID.get_or_init(find).as_deref()
}

#[cfg(target_os = "linux")]
fn find() -> Option<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    from_maps(&maps, find as fn() -> Option<String> as usize, |path| {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some(FileId {
            dev: meta.dev(),
            ino: meta.ino(),
            len: meta.len(),
            modified_ns: meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128,
        })
    })
}

#[cfg(not(target_os = "linux"))]
fn find() -> Option<String> {
    None
}

/// What `stat` says of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    /// Device (`st_dev`, Linux's encoding).
    pub dev: u64,
    /// Inode.
    pub ino: u64,
    /// Size in bytes.
    pub len: u64,
    /// Modification time, nanoseconds since the epoch.
    pub modified_ns: i128,
}

/// The id of the file mapped at `address` according to `maps` (the text of `/proc/self/maps`),
/// when the file at its path (per `stat`) is the one mapped: same device and inode.
pub fn from_maps(
    maps: &str,
    address: usize,
    stat: impl Fn(&str) -> Option<FileId>,
) -> Option<String> {
    for line in maps.lines() {
        // `start-end perms offset major:minor inode path`, the path possibly with spaces and
        // a ` (deleted)` suffix.
        let mut fields = line.splitn(6, ' ');
        let (start, end) = fields.next()?.split_once('-')?;
        let (start, end) = (
            usize::from_str_radix(start, 16).ok()?,
            usize::from_str_radix(end, 16).ok()?,
        );
        if !(start..end).contains(&address) {
            continue;
        }
        let _perms = fields.next()?;
        let _offset = fields.next()?;
        let (major, minor) = fields.next()?.split_once(':')?;
        let (major, minor) = (
            u64::from_str_radix(major, 16).ok()?,
            u64::from_str_radix(minor, 16).ok()?,
        );
        let inode: u64 = fields.next()?.parse().ok()?;
        let path = fields.next()?.trim_start();
        if inode == 0 || !path.starts_with('/') || path.ends_with(" (deleted)") {
            return None;
        }
        let file = stat(path)?;
        let same = file.ino == inode && major_minor(file.dev) == (major, minor);
        return same.then(|| format!("{major}:{minor}:{inode}:{}:{}", file.len, file.modified_ns));
    }
    None
}

/// Linux's `dev_t` as (major, minor) (glibc's `gnu_dev_major`/`gnu_dev_minor`).
fn major_minor(dev: u64) -> (u64, u64) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    (major, minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPS: &str = "\
55d0c0a00000-55d0c0a21000 r--p 00000000 08:01 1311 /usr/bin/rustc
7f1000000000-7f1000100000 r-xp 00010000 103:02 4242 /work/target/debug/deps/libhc_schema_macro-1.so
7f1000100000-7f1000200000 r-xp 00010000 103:02 4243 /work/with space/lib (deleted)
7f1000200000-7f1000300000 rw-p 00000000 00:00 0 
";

    fn stat(ino: u64) -> impl Fn(&str) -> Option<FileId> {
        move |_| {
            Some(FileId {
                // major 0x103, minor 2.
                dev: (0x103 << 8) | 2,
                ino,
                len: 1000,
                modified_ns: 5,
            })
        }
    }

    #[test]
    fn the_mapped_file_is_identified_by_its_inode() {
        assert_eq!(
            from_maps(MAPS, 0x7f1000000010, stat(4242)).as_deref(),
            Some("259:2:4242:1000:5")
        );
        // Rebuilt since it was loaded: the path names another file.
        assert_eq!(from_maps(MAPS, 0x7f1000000010, stat(9999)), None);
        // Deleted, anonymous, or no mapping at all.
        assert_eq!(from_maps(MAPS, 0x7f1000100010, stat(4243)), None);
        assert_eq!(from_maps(MAPS, 0x7f1000200010, stat(0)), None);
        assert_eq!(from_maps(MAPS, 0x10, stat(4242)), None);
        assert_eq!(from_maps("garbage\n\n-", 0x10, stat(4242)), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_an_id() {
        let id = build_id().expect("the test binary is a mapped file");
        assert_eq!(id.split(':').count(), 5, "{id}");
    }
}
