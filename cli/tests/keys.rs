//! `riskdesk keys`: API keys created, listed and revoked from the command line.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use common::Env;

#[test]
fn keys_are_shown_once_listed_without_the_key_and_revoked_by_id() {
    let env = Env::new();
    assert!(env.ok(&["keys", "list"]).contains("No API keys"));
    let out = env.ok(&["keys", "create", "--user", "tester@example.com"]);
    let key = out.lines().last().unwrap();
    assert!(key.starts_with("rdk_") && key.len() == 68, "{out}");
    env.ok(&["keys", "create", "--user", "other@example.com"]);
    let list = env.json(&["keys", "list", "--json"]);
    let rows: Vec<(i64, &str)> =
        list.as_array().unwrap().iter().map(|k| (k["id"].as_i64().unwrap(), k["user"].as_str().unwrap())).collect();
    assert_eq!(rows, [(1, "tester@example.com"), (2, "other@example.com")]);
    assert!(list.as_array().unwrap().iter().all(|k| k["created"].as_str().is_some_and(|c| c.ends_with('Z'))), "{list}");
    assert!(!env.ok(&["keys", "list"]).contains(key), "a listing never shows a key");
    assert!(env.ok(&["keys", "revoke", "1"]).contains("Revoked API key 1 of tester@example.com"));
    assert_eq!(env.json(&["keys", "list", "--json"]).as_array().unwrap().len(), 1);
    assert!(env.fails(&["keys", "revoke", "1"]).contains("does not exist"));
    assert!(env.fails(&["keys", "create", "--user", "not an email"]).contains("e-mail address"));
}

#[test]
fn keys_have_a_scope_write_unless_asked_and_listed_with_it() {
    let env = Env::new();
    assert!(env.ok(&["keys", "create", "--user", "w@example.com"]).contains("Created API key 1 (write scope) for w@example.com"));
    env.ok(&["keys", "create", "--user", "r@example.com", "--scope", "read"]);
    env.ok(&["keys", "create", "--user", "a@example.com", "--scope", "admin"]);
    let list = env.json(&["keys", "list", "--json"]);
    let scopes: Vec<&str> = list.as_array().unwrap().iter().map(|k| k["scope"].as_str().unwrap()).collect();
    assert_eq!(scopes, ["write", "read", "admin"]);
    let table = env.ok(&["keys", "list"]);
    assert!(table.lines().next().unwrap().contains("scope") && table.contains("admin"), "{table}");
    let err = env.fails(&["keys", "create", "--user", "x@example.com", "--scope", "root"]);
    assert!(err.contains("root") && err.contains("read, write, admin"), "{err}");
}
