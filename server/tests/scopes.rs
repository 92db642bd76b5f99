//! Keys and their scopes over HTTP: each scope reaches what it allows, by route and by
//! `POST /v1/riskdesk/call`, and is refused the rest with a 403 naming the scope needed; a
//! revocation takes effect at once; keys are checked even while every blocking thread is taken.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use common::{Fixture, Server, error_of};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use riskdesk::keys::Scope;
use serde_json::{Value, json};

/// A request's status and JSON body.
fn answer(response: reqwest::blocking::Response) -> (StatusCode, Value) {
    (response.status(), response.json().unwrap_or(Value::Null))
}

/// `POST /v1/riskdesk/call` with `call`.
fn call(client: &Client, server: &Server, key: &str, call: Value) -> (StatusCode, Value) {
    answer(client.post(format!("{}/v1/riskdesk/call", server.url)).bearer_auth(key).json(&call).send().unwrap())
}

/// Asserts a 403 in the platform's error shape naming the scope needed and the key's.
fn refused(got: (StatusCode, Value), needed: &str, has: &str) {
    let (status, body) = got;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (kind, message) = error_of(&body);
    assert_eq!(kind, "PermissionDeniedError");
    assert!(
        message.contains(&format!("needs an API key with the {needed} scope")) && message.contains(&format!("has the {has} scope")),
        "{message}"
    );
}

#[test]
fn each_scope_reaches_what_it_allows_and_is_refused_the_rest_naming_the_scope_needed() {
    let Fixture { dir: _dir, home, local, key: admin } = Fixture::new();
    let (_, read) = local.create_key("reader@example.com", Scope::Read).unwrap();
    let (_, write) = local.create_key("writer@example.com", Scope::Write).unwrap();
    let server = Server::start(&home);
    let client = Client::new();
    let url = |path: &str| format!("{}{path}", server.url);
    let datasets = || answer(client.get(url("/v1/equity/uploaders/exposures")).bearer_auth(&admin).send().unwrap()).1;

    // Every key reads, by route and by call.
    for key in [&read, &write, &admin] {
        assert_eq!(answer(client.get(url("/v1/equity/uploaders/exposures")).bearer_auth(key).send().unwrap()), (StatusCode::OK, json!([])));
        assert_eq!(call(&client, &server, key, json!({"method": "datasets", "args": {}})), (StatusCode::OK, json!([])));
    }

    // A read key creates nothing, either way; its refusal names both scopes and the key.
    let create = |key: &str| answer(client.post(url("/v1/equity/uploaders/exposures/D")).bearer_auth(key).send().unwrap());
    let got = create(&read);
    refused(got.clone(), "write", "read");
    assert!(error_of(&got.1).1.contains("this key (id 2, of reader@example.com)"), "{}", got.1);
    refused(call(&client, &server, &read, json!({"method": "create_dataset", "args": {"dataset": "D"}})), "write", "read");
    let staged = client.post(url("/v1/equity/uploaders/exposures/D/stage-file")).bearer_auth(&read).body("x").send().unwrap();
    refused(answer(staged), "write", "read");
    assert_eq!(datasets(), json!([]));

    // A write key creates, but destroys and deletes nothing.
    assert_eq!(create(&write).0, StatusCode::OK);
    assert_eq!(call(&client, &server, &write, json!({"method": "create_dataset", "args": {"dataset": "E"}})).0, StatusCode::OK);
    let destroy = |key: &str| answer(client.delete(url("/v1/equity/uploaders/exposures/D")).bearer_auth(key).send().unwrap());
    refused(destroy(&write), "admin", "write");
    refused(call(&client, &server, &write, json!({"method": "destroy", "args": {"dataset": "E"}})), "admin", "write");
    let delete = json!({"method": "delete_risk_dataset", "args": {"name": "R", "if_exists": true}});
    refused(call(&client, &server, &write, delete.clone()), "admin", "write");
    let reference = client.post(url("/v1/riskdesk/references/Ref")).bearer_auth(&write).body("x").send().unwrap();
    refused(answer(reference), "admin", "write");
    assert_eq!(datasets(), json!(["D", "E"]));

    // An admin key does it all.
    assert_eq!(destroy(&admin).0, StatusCode::OK);
    assert_eq!(call(&client, &server, &admin, json!({"method": "destroy", "args": {"dataset": "E"}})), (StatusCode::OK, Value::Null));
    assert_eq!(call(&client, &server, &admin, delete), (StatusCode::OK, json!(false)));
    assert_eq!(datasets(), json!([]));
}

#[test]
fn a_key_revoked_while_the_server_runs_is_refused_at_once() {
    let Fixture { dir: _dir, home, local, key } = Fixture::new();
    let server = Server::start(&home);
    let client = Client::new();
    let whoami = || client.get(format!("{}/v1/auth/users/whoami", server.url)).bearer_auth(&key).send().unwrap().status();
    assert_eq!(whoami(), StatusCode::OK);
    local.revoke_key(1).unwrap();
    assert_eq!(whoami(), StatusCode::UNAUTHORIZED);
}

#[test]
fn keys_are_checked_while_every_blocking_thread_is_taken() {
    let Fixture { dir: _dir, home, key, .. } = Fixture::new();
    // A server whose runtime has one blocking thread, taken until the end of the test (as engine
    // work queued behind a long write would take them all).
    let runtime = tokio::runtime::Builder::new_multi_thread().max_blocking_threads(1).enable_all().build().unwrap();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (taken, held) = std::sync::mpsc::channel::<()>();
    runtime.spawn_blocking(move || {
        taken.send(()).unwrap();
        let _ = released.recv();
    });
    held.recv().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let backend = riskdesk::LocalBackend::open(&home).unwrap();
    let shutdown = async move {
        let _ = stopped.await;
    };
    let server = runtime.spawn(riskdesk_server::serve(backend, riskdesk_server::Limits::default(), listener, shutdown, |_| {}));

    // Bounded, so that a check waiting for the blocking pool fails the test instead of hanging it.
    let client = Client::builder().timeout(std::time::Duration::from_secs(30)).build().unwrap();
    let whoami = |key: &str| client.get(format!("{url}/v1/auth/users/whoami")).bearer_auth(key).send();
    let (status, body) = answer(whoami(&key).expect("the key check waited for the blocking pool"));
    assert_eq!((status, &body["email"]), (StatusCode::OK, &json!("tester@example.com")));
    assert_eq!(whoami("rdk_wrong").expect("the key check waited for the blocking pool").status(), StatusCode::UNAUTHORIZED);

    release.send(()).unwrap();
    stop.send(()).unwrap();
    runtime.block_on(server).unwrap().unwrap();
}
