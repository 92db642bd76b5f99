//! API keys for `riskdesk serve`: created for a user (an e-mail address), shown once, stored as
//! a SHA-256 hash (a key is 32 random bytes, so a fast hash cannot be brute-forced), listed by
//! id and revoked by id.

use sha2::{Digest, Sha256};

use crate::store::catalog;
pub use crate::store::catalog::ApiKey;
use crate::store::home::Home;
use crate::{Error, Result};

/// What every key starts with, so that a leaked one is recognisable.
const PREFIX: &str = "rdk_";

/// Lowercase hexadecimal.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a key.
fn hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// Checks that `user` looks like an e-mail address (the platform's clients qualify dataset names with it).
fn check_user(user: &str) -> Result<()> {
    let ok = match user.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'),
        None => false,
    };
    if !ok || user.chars().any(|c| c.is_whitespace() || c == '/') || user.matches('@').count() != 1 {
        return Err(Error::invalid(format!("a key's user is an e-mail address such as tester@example.com, not '{user}'")));
    }
    Ok(())
}

impl Home {
    /// Creates a key for `user`: its record, and the key itself (shown this once; only its hash is kept).
    pub fn create_key(&self, user: &str) -> Result<(ApiKey, String)> {
        check_user(user)?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no random numbers from the system: {e}")))?;
        let key = format!("{PREFIX}{}", hex(&bytes));
        let created = crate::date::now();
        let id = catalog::insert_key(self.db(), user, &hash(&key), &created)?;
        Ok((ApiKey { id, user: user.to_owned(), created }, key))
    }

    /// Every key (never the keys themselves), oldest first.
    pub fn keys(&self) -> Result<Vec<ApiKey>> {
        catalog::keys(self.db())
    }

    /// Revokes key `id`: it no longer opens anything. Returns what it was.
    pub fn revoke_key(&self, id: i64) -> Result<ApiKey> {
        catalog::delete_key(self.db(), id)?.ok_or_else(|| Error::not_found("API key", id.to_string()))
    }

    /// The user a key belongs to; `None` for an unknown or revoked key.
    pub fn key_user(&self, key: &str) -> Result<Option<String>> {
        if !key.starts_with(PREFIX) {
            return Ok(None);
        }
        catalog::key_user(self.db(), &hash(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_email_addresses() {
        assert!(check_user("tester@example.com").is_ok());
        for bad in ["tester", "@example.com", "a@b", "a@@b.com", "a b@c.com", "a@.com", "a/b@c.com", ""] {
            assert_eq!(check_user(bad).unwrap_err().code(), "invalid_input", "{bad}");
        }
    }

    #[test]
    fn a_key_opens_until_revoked_and_only_its_hash_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::open(dir.path()).unwrap();
        let (first, key) = home.create_key("tester@example.com").unwrap();
        let (second, other) = home.create_key("other@example.com").unwrap();
        assert!(key.starts_with(PREFIX) && key.len() == PREFIX.len() + 64 && key != other);
        assert_eq!(home.key_user(&key).unwrap().as_deref(), Some("tester@example.com"));
        assert_eq!(home.key_user("rdk_nope").unwrap(), None);
        assert_eq!(home.keys().unwrap(), [first.clone(), second.clone()]);
        // The catalog file holds the hash, never the key.
        drop(home);
        let bytes = std::fs::read(dir.path().join("catalog.sqlite")).unwrap();
        let wal = std::fs::read(dir.path().join("catalog.sqlite-wal")).unwrap_or_default();
        let holds = |needle: &str| [&bytes, &wal].iter().any(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()));
        assert!(!holds(&key) && holds(&hash(&key)));
        let home = Home::open(dir.path()).unwrap();
        assert_eq!(home.revoke_key(first.id).unwrap(), first);
        assert_eq!(home.key_user(&key).unwrap(), None);
        assert_eq!(home.revoke_key(first.id).unwrap_err().code(), "not_found");
        // Ids are never reused.
        let (third, _) = home.create_key("tester@example.com").unwrap();
        assert!(third.id > second.id);
    }
}
