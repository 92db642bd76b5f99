//! API keys for `riskdesk serve`: created for a user (an e-mail address) with a [`Scope`], shown
//! once, stored as a SHA-256 hash (a key is 32 random bytes, so a fast hash cannot be
//! brute-forced), listed by id and revoked by id.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::store::catalog;
pub use crate::store::catalog::ApiKey;
use crate::store::home::Home;
use crate::{Error, Result};

/// What every key starts with, so that a leaked one is recognisable.
const PREFIX: &str = "rdk_";

/// What a key may do on a server. Each scope includes the ones before it: `read` every read,
/// `write` also staging, committing and creating (risk datasets, risk models, portfolios), `admin`
/// also destroying and deleting, reference datasets and keys. Keys made before scopes existed
/// are `admin` (what they could do then).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Every read: listings, summaries, data, checks, exposures, risk models' figures.
    Read,
    /// Reads, and staging, committing and creating.
    Write,
    /// Everything: writes, and destroying, deleting, reference datasets, keys.
    Admin,
}

impl Scope {
    /// Every scope, the narrowest first.
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

    /// The scope's name (`read`, `write`, `admin`).
    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    /// Whether a key of this scope may do what needs `needed`.
    pub fn allows(self, needed: Scope) -> bool {
        self >= needed
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scope {
    type Err = Error;

    fn from_str(s: &str) -> Result<Scope> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.name() == s)
            .ok_or_else(|| Error::invalid(format!("a key's scope is read, write or admin, not '{s}'")))
    }
}

/// Lowercase hexadecimal.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a key.
fn hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// What identifies a key in a log without giving it away: the first 8 hexadecimal digits of its
/// SHA-256 hash (of whatever was presented, a valid key or not).
pub fn fingerprint(key: &str) -> String {
    hash(key)[..8].to_owned()
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
    /// Creates a key for `user` with `scope`: its record, and the key itself (shown this once;
    /// only its hash is kept).
    pub fn create_key(&self, user: &str, scope: Scope) -> Result<(ApiKey, String)> {
        check_user(user)?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no random numbers from the system: {e}")))?;
        let key = format!("{PREFIX}{}", hex(&bytes));
        let created = crate::date::now();
        let id = catalog::insert_key(self.db(), user, scope, &hash(&key), &created)?;
        Ok((ApiKey { id, user: user.to_owned(), scope, created }, key))
    }

    /// Every key (never the keys themselves), oldest first.
    pub fn keys(&self) -> Result<Vec<ApiKey>> {
        catalog::keys(self.db())
    }

    /// Revokes key `id`: it no longer opens anything. Returns what it was.
    pub fn revoke_key(&self, id: i64) -> Result<ApiKey> {
        catalog::delete_key(self.db(), id)?.ok_or_else(|| Error::not_found("API key", id.to_string()))
    }

    /// The record of a key (its id, user and scope); `None` for an unknown or revoked key.
    pub fn find_key(&self, key: &str) -> Result<Option<ApiKey>> {
        if !key.starts_with(PREFIX) {
            return Ok(None);
        }
        catalog::key_by_hash(self.db(), &hash(key))
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
        let (first, key) = home.create_key("tester@example.com", Scope::Read).unwrap();
        let (second, other) = home.create_key("other@example.com", Scope::Admin).unwrap();
        assert!(key.starts_with(PREFIX) && key.len() == PREFIX.len() + 64 && key != other);
        assert_eq!(home.find_key(&key).unwrap(), Some(first.clone()));
        assert_eq!(home.find_key(&other).unwrap().map(|k| (k.user, k.scope)), Some(("other@example.com".to_owned(), Scope::Admin)));
        assert_eq!(home.find_key("rdk_nope").unwrap(), None);
        assert_eq!(home.keys().unwrap(), [first.clone(), second.clone()]);
        // The catalog file holds the hash, never the key.
        drop(home);
        let bytes = std::fs::read(dir.path().join("catalog.sqlite")).unwrap();
        let wal = std::fs::read(dir.path().join("catalog.sqlite-wal")).unwrap_or_default();
        let holds = |needle: &str| [&bytes, &wal].iter().any(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()));
        assert!(!holds(&key) && holds(&hash(&key)));
        let home = Home::open(dir.path()).unwrap();
        assert_eq!(home.revoke_key(first.id).unwrap(), first);
        assert_eq!(home.find_key(&key).unwrap(), None);
        assert_eq!(home.revoke_key(first.id).unwrap_err().code(), "not_found");
        // Ids are never reused.
        let (third, _) = home.create_key("tester@example.com", Scope::Write).unwrap();
        assert!(third.id > second.id);
    }

    #[test]
    fn scopes_include_the_narrower_ones_and_read_back_by_name() {
        assert!(Scope::Admin.allows(Scope::Write) && Scope::Write.allows(Scope::Read) && Scope::Read.allows(Scope::Read));
        assert!(!Scope::Read.allows(Scope::Write) && !Scope::Write.allows(Scope::Admin));
        for scope in Scope::ALL {
            assert_eq!(scope.name().parse::<Scope>().unwrap(), scope);
            assert_eq!(serde_json::to_value(scope).unwrap(), scope.name());
        }
        assert_eq!("root".parse::<Scope>().unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn a_fingerprint_names_a_key_without_giving_it_away() {
        let print = fingerprint("rdk_0123456789");
        assert_eq!(print.len(), 8);
        assert!(hash("rdk_0123456789").starts_with(&print) && !"rdk_0123456789".contains(&print));
    }
}
