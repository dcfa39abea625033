//! The discovery file: how `hyperquote ctl` finds a local engine started with the same
//! config without flags.
//!
//! A running engine's admin server writes `{addr, token, pid, config, …}` as JSON to
//! `<dir>/hyperquote-admin-<key hash>.json`, where `<dir>` is `$XDG_RUNTIME_DIR` (a per-user
//! directory of mode 0700 on systemd hosts) or else the system temp directory, and the key
//! is the config's canonical path (`file:/abs/path.toml`) or the embedded profile's name
//! (`embedded:paper`). The hash is 64-bit FNV-1a, stable across builds and machines, so
//! `ctl --config F` computes the same name as `run --config F`. The file is created with
//! mode 0600 (written under a temporary name, then renamed into place) and removed at a
//! clean stop if it still names this engine. `token` is present only when the engine
//! generated its token; a configured token (file or environment) stays where the operator
//! keeps it, and the file names its source instead.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a config is known by, for the discovery file's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryKey(String);

impl DiscoveryKey {
    /// The key of a config file: its canonical path (the path as given if it cannot be
    /// resolved, e.g. it no longer exists).
    pub fn config_file(path: &Path) -> Self {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        Self(format!("file:{}", canonical.display()))
    }

    /// The key of an embedded profile (`paper`, `replay`).
    pub fn embedded(name: &str) -> Self {
        Self(format!("embedded:{name}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `<dir>/hyperquote-admin-<16 hex digits>.json` (see the module doc).
    pub fn path(&self) -> PathBuf {
        discovery_dir().join(format!("hyperquote-admin-{:016x}.json", fnv1a_64(self.0.as_bytes())))
    }
}

/// `$XDG_RUNTIME_DIR` when it is set to an existing directory, else the temp directory.
pub fn discovery_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_dir() => dir,
        _ => std::env::temp_dir(),
    }
}

fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// The discovery file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    /// `host:port` the admin API listens on.
    pub addr: String,
    /// The bearer token, when the engine generated it.
    pub token: Option<String>,
    /// Where a configured token is kept instead.
    pub token_file: Option<PathBuf>,
    pub token_env: Option<String>,
    /// The engine's process id.
    pub pid: u32,
    /// The config the engine runs (a path or the embedded profile's name).
    pub config: String,
    pub started_unix_ms: u64,
}

impl Discovery {
    /// Writes the file with mode 0600, atomically (temporary name, then rename).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(&tmp).and_then(|mut f| f.write_all(&json).and_then(|()| f.sync_all()));
        match written.and_then(|()| std::fs::rename(&tmp, path)) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Reads the file, refusing one that another user could have written: on Unix it must be
    /// owned by this process's user and readable or writable by no one else (in a shared temp
    /// directory, a planted file could point `ctl` at a server that collects tokens).
    pub fn read(path: &Path) -> Result<Discovery, String> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::symlink_metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
            // `/proc/self` belongs to this process's user (Linux); elsewhere only the mode is checked.
            let own_uid = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
            if !meta.file_type().is_file() || meta.mode() & 0o077 != 0 || own_uid.is_some_and(|uid| uid != meta.uid()) {
                return Err(format!(
                    "{}: not trusted (must be a regular file of this user with mode 0600); remove it",
                    path.display()
                ));
            }
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: not a discovery file: {e}", path.display()))
    }

    /// Removes the file at `path` if it still describes `ours` (a later engine with the same
    /// config may have replaced it).
    pub fn remove_if_ours(path: &Path, ours: &Discovery) {
        if Discovery::read(path).is_ok_and(|d| d.pid == ours.pid && d.addr == ours.addr) {
            if let Err(e) = std::fs::remove_file(path) {
                tracing::warn!(path = %path.display(), "could not remove the admin discovery file: {e}");
            }
        }
    }

    /// Whether the engine that wrote this is still running (Linux: `/proc/<pid>` exists;
    /// elsewhere assumed so).
    pub fn engine_alive(&self) -> bool {
        let proc = Path::new("/proc");
        !proc.is_dir() || proc.join(self.pid.to_string()).exists()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_depends_only_on_the_key() {
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c, "the published FNV-1a test vector");
        let paper = DiscoveryKey::embedded("paper");
        assert_eq!(paper.path(), DiscoveryKey::embedded("paper").path());
        assert_ne!(paper.path(), DiscoveryKey::embedded("replay").path());
        let name = paper.path().file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("hyperquote-admin-") && name.ends_with(".json") && name.len() == 38, "{name}");
        // A relative and an absolute spelling of one existing file are one key.
        let here = std::env::current_dir().unwrap();
        assert_eq!(
            DiscoveryKey::config_file(Path::new("Cargo.toml")),
            DiscoveryKey::config_file(&here.join("Cargo.toml"))
        );
    }

    #[test]
    fn written_with_mode_0600_read_back_and_removed_only_by_its_engine() {
        let dir = std::env::temp_dir().join(format!("hq-discovery-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("d.json");
        let d = Discovery {
            addr: "127.0.0.1:4000".into(),
            token: Some("ab".repeat(32)),
            token_file: None,
            token_env: None,
            pid: std::process::id(),
            config: "embedded:paper".into(),
            started_unix_ms: 1,
        };
        d.write(&path).unwrap();
        d.write(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(Discovery::read(&path).unwrap(), d);
        assert!(d.engine_alive());
        let other = Discovery { addr: "127.0.0.1:4001".into(), ..d.clone() };
        Discovery::remove_if_ours(&path, &other);
        assert!(path.exists(), "another engine's file stays");
        Discovery::remove_if_ours(&path, &d);
        assert!(!path.exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::write(&path, serde_json::to_vec(&d).unwrap()).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = Discovery::read(&path).unwrap_err();
            assert!(e.contains("not trusted"), "a file others can read or write is refused: {e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
