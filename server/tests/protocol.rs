//! `docs/protocol.md` stays true: its route tables list exactly the paths the router registers,
//! each with exactly the methods the server answers on it.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Fixture, Server};
use reqwest::StatusCode;
use reqwest::blocking::Client;

/// The methods and paths of the document's route table rows (`| `GET` | `/v1/...` | ...`), by path.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md")).unwrap();
    let code = |cell: &str| cell.strip_prefix('`').and_then(|c| c.strip_suffix('`')).map(str::to_owned);
    let mut routes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, method, path, ..] = cells.as_slice() else { continue };
        if let (Some(method), Some(path)) = (code(method), code(path))
            && ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str())
        {
            assert!(routes.entry(path.clone()).or_default().insert(method.clone()), "{method} {path} is listed twice");
        }
    }
    routes
}

/// `path` with a value in each parameter (any will do: the request is only routed).
fn concrete(path: &str) -> String {
    path.replace("{data_type}", "exposures").replace("{dataset}", "D").replace("{name}", "N").replace("{id}", "1")
}

/// The methods the server answers on `path`: the `Allow` header of its 405 to a method no route
/// has (so that no handler runs), without the `HEAD` every `GET` brings.
fn served_methods(client: &Client, server: &Server, key: &str, path: &str) -> BTreeSet<String> {
    let probe = reqwest::Method::from_bytes(b"PROBE").unwrap();
    let response = client.request(probe, format!("{}{}?api_key={key}", server.url, concrete(path))).send().unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
    let allow = response.headers().get(reqwest::header::ALLOW).unwrap_or_else(|| panic!("{path}: no Allow header")).to_str().unwrap();
    allow.split(',').map(|m| m.trim().to_owned()).filter(|m| m != "HEAD").collect()
}

#[test]
fn the_protocol_document_lists_every_route_with_its_methods() {
    let documented = documented();
    let paths: BTreeSet<String> = riskdesk_server::paths().into_iter().collect();
    let listed: BTreeSet<String> = documented.keys().cloned().collect();
    assert_eq!(paths.difference(&listed).collect::<Vec<_>>(), Vec::<&String>::new(), "served but not in docs/protocol.md");
    assert_eq!(listed.difference(&paths).collect::<Vec<_>>(), Vec::<&String>::new(), "in docs/protocol.md but not served");

    let Fixture { dir: _dir, home, key, .. } = Fixture::new();
    let server = Server::start(&home);
    let client = Client::new();
    for (path, methods) in &documented {
        assert_eq!(&served_methods(&client, &server, &key, path), methods, "the methods of {path}");
    }
    // A path the router lacks is a 404, whatever the method.
    let response = client.get(format!("{}/v1/equity/nothing-here?api_key={key}", server.url)).send().unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
