//! Where the app works: "This computer" (the home folder) or a server (`riskdesk serve` or the
//! risk platform) through [`RemoteBackend`]. Saved servers (a name and an address) are kept in
//! `servers.json` in the home folder; their API keys in the operating system's keychain
//! (`keyring`: the Secret Service on Linux, the Keychain on macOS, the Credential Manager on
//! Windows), or, where no keychain service runs, in a file only the user can read
//! (`server-keys/<name>.key`, mode 0600), and the app says which.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use riskdesk::{Backend, Error, Result};
use riskdesk_remote::{RemoteBackend, ServerInfo};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The keychain's service name for the keys.
const SERVICE: &str = "riskdesk";

/// A saved server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SavedServer {
    /// What the user calls it (unique).
    pub name: String,
    /// The server's base URL, e.g. `http://127.0.0.1:8000`.
    pub endpoint: String,
    /// Where its key is kept: `keychain` or `file` (no keychain service here).
    pub key_store: String,
}

/// Where the app works now, and the servers it knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Connection {
    /// The saved server's name, or `None` for "This computer".
    pub server: Option<String>,
    /// The connected server's answer (`None` on this computer).
    pub check: Option<ServerInfo>,
    /// The home folder (always this computer's).
    pub home: String,
    /// The saved servers, by name.
    pub servers: Vec<SavedServer>,
    /// The saved server the app last worked on (to reconnect to at start), if it was a server.
    pub last: Option<String>,
}

/// The saved servers and their keys, under a home folder.
pub struct Servers {
    file: PathBuf,
    keys_dir: PathBuf,
    /// The home folder, in the keychain entries' account (so that two homes keep apart).
    home: String,
}

/// A server's name, refused when it could not name a file.
fn checked(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) || name.chars().any(char::is_control) {
        return Err(Error::invalid(format!("'{name}' cannot name a server (not empty, no slashes, not starting with a dot)")));
    }
    Ok(name)
}

impl Servers {
    /// The servers saved in the home folder `home` (`servers.json`, keys in `server-keys/`).
    pub fn new(home: &Path) -> Servers {
        Servers { file: home.join("servers.json"), keys_dir: home.join("server-keys"), home: home.display().to_string() }
    }

    /// The keychain entry of a server's key.
    fn entry(&self, name: &str) -> keyring::Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, &format!("{name} ({})", self.home))
    }

    /// The saved servers, by name.
    pub fn list(&self) -> Result<Vec<SavedServer>> {
        match std::fs::read_to_string(&self.file) {
            Ok(text) => {
                serde_json::from_str(&text).map_err(|e| Error::invalid(format!("{} is not a list of servers: {e}", self.file.display())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::io(format!("cannot read {}", self.file.display()), e)),
        }
    }

    fn write(&self, servers: &[SavedServer]) -> Result<()> {
        let text = serde_json::to_string_pretty(servers).map_err(|e| Error::Internal(e.to_string()))?;
        riskdesk::store::write_atomically(&self.file, |mut f| {
            std::io::Write::write_all(&mut f, text.as_bytes()).map_err(|e| Error::io("cannot write the server list", e))
        })
    }

    /// The saved server the app last worked on, if any.
    pub fn last(&self) -> Option<String> {
        std::fs::read_to_string(self.file.with_file_name("last-server")).ok().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty())
    }

    /// Notes where the app works now (a saved server's name, or `None` for this computer).
    pub fn set_last(&self, name: Option<&str>) {
        let path = self.file.with_file_name("last-server");
        let _ = match name {
            Some(n) => std::fs::write(&path, n),
            None => std::fs::remove_file(&path),
        };
    }

    /// Saves (or updates) a server and its key; returns where the key went.
    pub fn save(&self, name: &str, endpoint: &str, key: &str) -> Result<SavedServer> {
        let name = checked(name)?;
        let key_store = self.store_key(name, key)?;
        let saved = SavedServer { name: name.to_owned(), endpoint: endpoint.trim().trim_end_matches('/').to_owned(), key_store };
        let mut servers = self.list()?;
        servers.retain(|s| s.name != name);
        servers.push(saved.clone());
        servers.sort_by_key(|s| s.name.to_lowercase());
        self.write(&servers)?;
        Ok(saved)
    }

    /// Forgets a server and its key.
    pub fn forget(&self, name: &str) -> Result<()> {
        let name = checked(name)?;
        let mut servers = self.list()?;
        servers.retain(|s| s.name != name);
        self.write(&servers)?;
        if let Ok(entry) = self.entry(name) {
            let _ = entry.delete_credential();
        }
        let _ = std::fs::remove_file(self.key_file(name));
        Ok(())
    }

    fn key_file(&self, name: &str) -> PathBuf {
        self.keys_dir.join(format!("{name}.key"))
    }

    /// Keeps a key in the keychain, or in a user-only file where no keychain service runs.
    fn store_key(&self, name: &str, key: &str) -> Result<String> {
        let in_keychain = self.entry(name).and_then(|e| e.set_password(key).and_then(|()| e.get_password()));
        if in_keychain.is_ok_and(|k| k == key) {
            let _ = std::fs::remove_file(self.key_file(name));
            return Ok("keychain".into());
        }
        let mut folder = std::fs::DirBuilder::new();
        folder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
        folder.create(&self.keys_dir).map_err(|e| Error::io(format!("cannot create {}", self.keys_dir.display()), e))?;
        let path = self.key_file(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        // An older file or folder keeps its mode when opened: make both the user's alone.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let private = |p: &Path, mode: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
            private(&self.keys_dir, 0o700)
                .and_then(|()| private(&path, 0o600))
                .map_err(|e| Error::io(format!("cannot protect {}", path.display()), e))?;
        }
        std::io::Write::write_all(&mut file, key.as_bytes()).map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        Ok("file".into())
    }

    /// A saved server's key.
    pub fn key(&self, server: &SavedServer) -> Result<String> {
        if server.key_store == "keychain" {
            return self.entry(&server.name).and_then(|e| e.get_password()).map_err(|e| {
                Error::invalid(format!("the keychain has no key for {} any more ({e}): connect with its key again", server.name))
            });
        }
        std::fs::read_to_string(self.key_file(&server.name))
            .map(|k| k.trim().to_owned())
            .map_err(|e| Error::io(format!("cannot read the key of {}", server.name), e))
    }
}

/// Connects to a server: its backend and what it said.
pub fn connect(endpoint: &str, key: &str) -> Result<(Arc<dyn Backend>, ServerInfo)> {
    let remote = RemoteBackend::connect(endpoint, key)?;
    let check = remote.info().clone();
    Ok((Arc::new(remote), check))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_saved_with_their_keys_and_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let servers = Servers::new(dir.path());
        assert!(servers.list().unwrap().is_empty());
        // A name of this test's own: where a keychain runs, its entry is this home's alone.
        let saved = servers.save("Team", "http://127.0.0.1:8080/", "rdk_secret").unwrap();
        assert_eq!(saved.endpoint, "http://127.0.0.1:8080");
        assert_eq!(servers.key(&saved).unwrap(), "rdk_secret");
        if saved.key_store == "file" {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(dir.path().join("server-keys/Team.key")).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "the key file is readable by others");
            }
        }
        assert_eq!(servers.list().unwrap(), vec![saved]);
        servers.forget("Team").unwrap();
        assert!(servers.list().unwrap().is_empty());
        assert!(!dir.path().join("server-keys/Team.key").exists());
        assert!(servers.save("a/b", "http://x", "k").is_err());
        assert!(servers.forget("../x").is_err());
    }
}
