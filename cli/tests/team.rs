//! Several `riskdesk serve` processes on one team store (PostgreSQL + SeaweedFS, started by
//! `scripts/services`): commits through any of them are seen by all at once, commits into one
//! dataset take turns and each gets its own version, a server killed mid-commit loses nothing,
//! and the official client's notebook runs through one server while another commits.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::Value;

/// Runs the CLI against a server; requires success; returns standard output.
fn remote(env: &Env, server: &Served, key: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_riskdesk"))
        .args(["--home", env.dir.path().join("client").to_str().unwrap(), "--endpoint", &server.url, "--api-key", key])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "riskdesk {args:?} through {} failed:\n{}{}", server.url, stdout(&out), stderr(&out));
    stdout(&out)
}

fn remote_json(env: &Env, server: &Served, key: &str, args: &[&str]) -> Value {
    serde_json::from_str(&remote(env, server, key, args)).unwrap()
}

/// A folder with one demo day, `2025-05-DD`.
fn day(env: &Env, dd: u32, assets: usize) -> std::path::PathBuf {
    let start = format!("2025-05-{dd:02}");
    env.demo(&format!("day{dd}"), assets, 1, &["--start", &start, "--seed", &dd.to_string()])
}

fn names_of(history: &Value) -> Vec<Vec<String>> {
    history
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["committed_names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned()).collect())
        .collect()
}

fn new_key(env: &Env) -> String {
    env.ok(&["keys", "create", "--user", "team@example.com"]).lines().last().unwrap().to_owned()
}

#[test]
#[ignore = "needs PostgreSQL and SeaweedFS: scripts/test starts them (scripts/services)"]
fn two_servers_share_one_store_and_concurrent_commits_each_get_a_version() {
    let env = Env::team();
    let key = new_key(&env);
    let (a, b) = (env.serve_cached("cache-a"), env.serve_cached("cache-b"));
    let servers = [&a, &b];
    let days: Vec<_> = (1..=8).map(|dd| day(&env, dd, 300)).collect();
    let others: Vec<_> = (20..=23).map(|dd| day(&env, dd, 300)).collect();
    std::thread::scope(|scope| {
        for (i, folder) in days.iter().enumerate() {
            let (env, key) = (&env, &key);
            let (via, then) = (servers[i % 2], servers[(i + 1) % 2]);
            scope.spawn(move || {
                // Staged through one server, committed through the other (the staging area is shared).
                let staged = remote_json(env, via, key, &["upload", "stage", "-d", "Shared", folder.to_str().unwrap(), "--json"]);
                let name = staged[0]["name"].as_str().unwrap().to_owned();
                remote(env, then, key, &["upload", "commit", "-d", "Shared", "--mode", "append", "--names", &name]);
                // Seen through the first server at once.
                let history = remote_json(env, via, key, &["upload", "history", "-d", "Shared", "--json"]);
                assert!(
                    names_of(&history).iter().flatten().any(|n| *n == name),
                    "{name} committed through {} but not seen through {}",
                    then.url,
                    via.url
                );
            });
        }
        // Another dataset commits meanwhile, through both servers.
        let (env, key) = (&env, &key);
        scope.spawn(move || {
            for (i, folder) in others.iter().enumerate() {
                let via = servers[i % 2];
                remote(env, via, key, &["upload", "stage", "-d", "Other", folder.to_str().unwrap()]);
                remote(env, via, key, &["upload", "commit", "-d", "Other", "--mode", "append"]);
            }
        });
    });
    // Every commit has its own version, 1 to 8, each with exactly its one name: none lost, none doubled.
    let history = remote_json(&env, &a, &key, &["upload", "history", "-d", "Shared", "--json"]);
    let versions: Vec<u64> = history.as_array().unwrap().iter().map(|v| v["version"].as_u64().unwrap()).collect();
    assert_eq!(versions, (1..=8).collect::<Vec<_>>());
    let names = names_of(&history);
    assert!(names.iter().all(|n| n.len() == 1), "{names:?}");
    let all: BTreeSet<String> = names.into_iter().flatten().collect();
    assert_eq!(all, (1..=8).map(|dd| format!("exposures_2025-05-{dd:02}")).collect());
    // The data through either server: every day's rows once, equal to the files' rows.
    let through_b = remote(&env, &b, &key, &["upload", "data", "-d", "Shared"]);
    let mut rows: Vec<&str> = through_b.lines().skip(1).collect();
    rows.sort();
    let expected: usize = days.iter().map(|d| csv_rows(d)).sum();
    assert_eq!(rows.len(), expected);
    let keys: BTreeSet<String> = rows.iter().map(|r| r.rsplit_once(',').unwrap().0.to_owned()).collect();
    assert_eq!(keys.len(), rows.len(), "a key was committed twice");
    assert_eq!(through_b, remote(&env, &a, &key, &["upload", "data", "-d", "Shared"]));
    assert_eq!(remote_json(&env, &b, &key, &["upload", "history", "-d", "Other", "--json"]).as_array().unwrap().len(), 4);
}

/// Data rows of the one CSV file in `folder`.
fn csv_rows(folder: &Path) -> usize {
    let file = std::fs::read_dir(folder).unwrap().next().unwrap().unwrap().path();
    std::fs::read_to_string(file).unwrap().lines().count() - 1
}

#[test]
#[ignore = "needs PostgreSQL and SeaweedFS: scripts/test starts them (scripts/services)"]
fn a_server_killed_mid_commit_loses_nothing_and_the_other_keeps_committing() {
    let env = Env::team();
    let key = new_key(&env);
    let big = env.demo("v1", 4000, 20, &[]);
    env.ok(&["upload", "stage", "-d", "Big", s(&big)]);
    env.ok(&["upload", "commit", "-d", "Big", "--mode", "append"]);
    let original = data_lines(&env, "Big", &[]);
    let v2 = env.demo("v2", 4000, 20, &["--seed", "8"]);
    env.ok(&["upload", "stage", "-d", "Big", s(&v2)]);
    // Merged parts (the first version's parts are its staged files, under staged/).
    const PARTS: &str = "data/1/parts";
    assert_eq!(env.objects(PARTS), 0);
    let (a, b) = (env.serve_cached("cache-a"), env.serve_cached("cache-b"));
    let small: Vec<_> = (1..=3).map(|dd| day(&env, dd, 200)).collect();
    let a_url = a.url.clone();
    std::thread::scope(|scope| {
        // The doomed commit through A, killed once its first new part is stored.
        let commit = scope.spawn(|| {
            Command::new(env!("CARGO_BIN_EXE_riskdesk"))
                .args(["--endpoint", &a_url, "--api-key", &key, "upload", "commit", "-d", "Big", "--mode", "upsert"])
                .output()
                .unwrap()
        });
        // Meanwhile B commits into another dataset, before, during and after the kill.
        let other = scope.spawn(|| {
            for folder in &small {
                remote(&env, &b, &key, &["upload", "stage", "-d", "Small", folder.to_str().unwrap()]);
                remote(&env, &b, &key, &["upload", "commit", "-d", "Small", "--mode", "append"]);
            }
        });
        a.kill_when(|| env.objects(PARTS) > 0);
        let out = commit.join().unwrap();
        assert!(!out.status.success(), "the commit finished before the kill: make the dataset larger");
        other.join().unwrap();
    });
    // Version 1 is whole, the staging area too; B's commits are all there.
    assert!(env.objects(PARTS) > 0, "the kill did not land mid-commit");
    assert_eq!(remote_json(&env, &b, &key, &["upload", "history", "-d", "Big", "--json"]).as_array().unwrap().len(), 1);
    assert_eq!(data_lines(&env, "Big", &[]), original);
    assert_eq!(env.json(&["upload", "staged", "-d", "Big", "--json"]).as_array().unwrap().len(), 20);
    assert_eq!(remote_json(&env, &b, &key, &["upload", "history", "-d", "Small", "--json"]).as_array().unwrap().len(), 3);
    // The killed server's lock went with its session: the next writer, on the other server, proceeds.
    remote(&env, &b, &key, &["upload", "commit", "-d", "Big", "--mode", "upsert"]);
    let after = data_lines(&env, "Big", &[]);
    assert_ne!(after, original);
    // The collector deletes exactly what the killed commit left, nothing a version needs.
    let collected = env.ok(&["store", "gc"]);
    assert!(!collected.contains("deleted 0 orphaned"), "{collected}");
    assert_eq!(env.objects(PARTS), 20);
    assert_eq!(env.objects("data/1/staged"), 20);
    assert_eq!(data_lines(&env, "Big", &["--version", "1"]), original);
    assert_eq!(data_lines(&env, "Big", &[]), after);
    assert!(env.ok(&["store", "gc"]).contains("deleted 0 orphaned"));
}

#[test]
#[ignore = "needs PostgreSQL, SeaweedFS and the official client's venv: scripts/test starts them"]
fn the_notebook_runs_through_one_server_while_another_commits() {
    let python = std::env::var("RISKDESK_CLIENT_PYTHON").expect("RISKDESK_CLIENT_PYTHON names the official client's venv python");
    let env = Env::team();
    let days = env.demo("days", 400, 6, &[]);
    let reference = env.folder("reference");
    env.ok(&["demo", "reference", reference.to_str().unwrap(), "--assets", "400", "--days", "6"]);
    env.ok(&["reference", "import", "Bayesline-US-All-1y", reference.to_str().unwrap()]);
    let key = new_key(&env);
    let (a, b) = (env.serve_cached("cache-a"), env.serve_cached("cache-b"));
    let small: Vec<_> = (10..=13).map(|dd| day(&env, dd, 300)).collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/client/notebook_current.py");
    let out = std::thread::scope(|scope| {
        scope.spawn(|| {
            for folder in &small {
                remote(&env, &b, &key, &["upload", "stage", "-d", "Busy", folder.to_str().unwrap()]);
                remote(&env, &b, &key, &["upload", "commit", "-d", "Busy", "--mode", "append"]);
            }
        });
        Command::new(&python).arg(&script).args([&a.url, &key, days.to_str().unwrap()]).output().unwrap()
    });
    let printed = stdout(&out);
    assert!(out.status.success(), "the notebook failed:\n{printed}\n{}", stderr(&out));
    let got: Value = serde_json::from_str(printed.lines().last().unwrap()).unwrap();
    assert_eq!(got["version"], 1, "{got}");
    assert_eq!(got["committed"].as_array().unwrap().len(), 6);
    assert!(got["rows"].as_u64().unwrap() > 2000, "{got}");
    // What the notebook made through A is there through B, and B's commits through A.
    let riskdatasets = remote(&env, &b, &key, &["riskdatasets", "list"]);
    assert!(riskdatasets.contains("My-Risk-Dataset"), "{riskdatasets}");
    assert_eq!(remote_json(&env, &a, &key, &["upload", "history", "-d", "Busy", "--json"]).as_array().unwrap().len(), 4);
    // The exposures the notebook got equal the CLI's, on the team store.
    let cli = env.folder("cli").join("exposures.parquet");
    env.ok(&["exposures", "get", "-d", "My-Risk-Dataset", "--format", "parquet", "--out", cli.to_str().unwrap()]);
    let same_script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/client/same_frame.py");
    let same = Command::new(&python).arg(same_script).args([got["frame"].as_str().unwrap(), cli.to_str().unwrap()]).output().unwrap();
    let verdict: Value = serde_json::from_str(stdout(&same).lines().last().unwrap_or("null")).unwrap();
    assert_eq!(verdict["equal"], true, "{}{}", stdout(&same), stderr(&same));
}

#[test]
#[ignore = "needs PostgreSQL and SeaweedFS: scripts/test starts them (scripts/services)"]
fn the_collector_never_deletes_what_a_running_writer_needs() {
    let env = Env::team();
    let exp = env.demo("exp", 100, 2, &[]);
    env.ok(&["upload", "stage", "-d", "D", s(&exp)]);
    env.ok(&["upload", "commit", "-d", "D", "--mode", "append"]);
    // Another process (here: another store instance, with a session and owner of its own) has
    // written an object that no catalog row names yet: its commit is still running.
    let (catalog, store) = env.team.clone().unwrap();
    let writer = riskdesk_team::TeamStore::open(&catalog, &store, Some(&env.dir.path().join("writer"))).unwrap();
    let key = riskdesk::store::objects::new_key("1/parts");
    let objects = riskdesk::store::Storage::objects(&writer);
    std::fs::write(objects.create(&key).unwrap(), b"a part being committed").unwrap();
    objects.publish(&key).unwrap();
    let collector = env.team_store().unwrap();
    let first = riskdesk_team::collect::collect(collector).unwrap();
    assert_eq!((first.pending, first.deleted.len()), (1, 0), "{first:?}");
    assert_eq!(env.objects("data/1/parts"), 1);
    // The writer dies (its session ends): now its object is an orphan, and goes.
    drop(writer);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let second = loop {
        let c = riskdesk_team::collect::collect(collector).unwrap();
        if !c.deleted.is_empty() || std::time::Instant::now() > deadline {
            break c;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(second.deleted, vec![key]);
    assert_eq!(env.objects("data/1/parts"), 0);
    assert_eq!(env.objects("data/1/staged"), 2, "the committed parts (staged files kept as parts) went");
    assert_eq!(data_lines(&env, "D", &[]).len(), csv_lines(&exp));
}

fn csv_lines(folder: &Path) -> usize {
    std::fs::read_dir(folder).unwrap().map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap().lines().count() - 1).sum()
}

#[test]
#[ignore = "needs PostgreSQL and SeaweedFS: scripts/test starts them (scripts/services)"]
fn a_team_catalog_of_a_newer_riskdesk_is_refused() {
    let env = Env::team();
    env.ok(&["upload", "datasets"]);
    let (catalog, _) = env.team.clone().unwrap();
    let mut client = postgres::Client::connect(&catalog, postgres::NoTls).unwrap();
    client.batch_execute("UPDATE riskdesk_schema SET version = version + 1").unwrap();
    let err = env.fails(&["upload", "datasets"]);
    assert!(err.contains("newer Riskdesk") && err.contains("upgrade Riskdesk"), "{err}");
}

#[test]
#[ignore = "needs PostgreSQL and SeaweedFS: scripts/test starts them (scripts/services)"]
fn keys_of_a_team_catalog_from_before_scopes_become_admin_on_upgrade() {
    let env = Env::team();
    env.ok(&["keys", "create", "--user", "old@example.com", "--scope", "read"]);
    // Back to schema 3: keys without a scope.
    let (catalog, _) = env.team.clone().unwrap();
    let mut client = postgres::Client::connect(&catalog, postgres::NoTls).unwrap();
    client.batch_execute("ALTER TABLE api_key DROP COLUMN scope; UPDATE riskdesk_schema SET version = 3").unwrap();
    let keys = env.json(&["keys", "list", "--json"]);
    assert_eq!((&keys[0]["user"], &keys[0]["scope"]), (&serde_json::json!("old@example.com"), &serde_json::json!("admin")), "{keys}");
    env.ok(&["keys", "create", "--user", "new@example.com", "--scope", "read"]);
    assert_eq!(env.json(&["keys", "list", "--json"])[1]["scope"], "read");
}

const SETTINGS: &str = r#"{
  "reference_dataset": "Demo-Global",
  "exposures": [{"exposure_type": "uploaded", "exposure_source": "Mine", "market_factor_group": "market",
    "style_factor_group": "style", "industry_factor_group": "industry", "region_factor_group": "region"}]
}"#;

#[test]
#[ignore = "needs PostgreSQL and SeaweedFS: scripts/test starts them (scripts/services)"]
fn store_migrate_moves_a_home_into_a_team_store_whole() {
    let home = Env::embedded();
    let v1 = home.demo("v1", 300, 4, &[]);
    home.ok(&["upload", "stage", "-d", "Mine", s(&v1)]);
    home.ok(&["upload", "commit", "-d", "Mine", "--mode", "append"]);
    let v2 = home.demo("v2", 300, 2, &["--seed", "9"]);
    home.ok(&["upload", "stage", "-d", "Mine", s(&v2)]);
    home.ok(&["upload", "commit", "-d", "Mine", "--mode", "upsert"]);
    let staged = home.demo("staged", 300, 1, &["--start", "2025-06-02"]);
    home.ok(&["upload", "stage", "-d", "Mine", s(&staged)]);
    home.ok(&["reference", "demo", "--assets", "300", "--days", "4"]);
    let settings = home.file("cfg", "settings.json", SETTINGS);
    home.ok(&["riskdatasets", "create", "Risk", "--settings", s(&settings)]);
    let key = home.ok(&["keys", "create", "--user", "moved@example.com"]).lines().last().unwrap().to_owned();

    let team = Env::team();
    let out = team.ok(&["store", "migrate", "--from", s(&home.home())]);
    assert!(out.contains("Verified"), "{out}");
    // Everything reads the same from the team store.
    for args in [
        vec!["upload", "history", "-d", "Mine", "--json"],
        vec!["upload", "staged", "-d", "Mine", "--json"],
        vec!["reference", "list", "--json"],
        vec!["riskdatasets", "list", "--json"],
        vec!["keys", "list", "--json"],
    ] {
        assert_eq!(team.ok(&args), home.ok(&args), "{args:?}");
    }
    for version in ["1", "2"] {
        assert_eq!(data_lines(&team, "Mine", &["--version", version]), data_lines(&home, "Mine", &["--version", version]));
    }
    let exposures = |env: &Env| env.ok(&["exposures", "get", "-d", "Risk", "--format", "csv"]);
    assert_eq!(exposures(&team), exposures(&home));
    // The moved key opens a server on the team store; new ids continue after the moved ones.
    let served = team.serve();
    assert!(remote(&team, &served, &key, &["upload", "datasets"]).contains("Mine"));
    let next = team.ok(&["keys", "create", "--user", "next@example.com"]);
    assert!(next.contains("Created API key 2 "), "{next}");
    team.ok(&["upload", "commit", "-d", "Mine", "--mode", "append"]);
    assert_eq!(team.json(&["upload", "history", "-d", "Mine", "--json"]).as_array().unwrap().len(), 3);
    // A second move into a store holding data is refused; the home was left as it was.
    let err = team.fails(&["store", "migrate", "--from", s(&home.home())]);
    assert!(err.contains("already holds data"), "{err}");
    assert_eq!(home.json(&["upload", "history", "-d", "Mine", "--json"]).as_array().unwrap().len(), 2);
}

#[test]
#[ignore = "needs PostgreSQL and SeaweedFS: scripts/test starts them (scripts/services)"]
fn one_server_commits_into_one_dataset_while_another_waits_its_turn() {
    let env = Env::team();
    let key = new_key(&env);
    for (dataset, dd) in [("Waiting", 1), ("Free", 2)] {
        env.ok(&["upload", "stage", "-d", dataset, s(&day(&env, dd, 100))]);
    }
    let served = env.serve();
    // Another writer (another server, say) holds dataset Waiting.
    let holder = env.open_home();
    let lock = holder.write_lock(riskdesk::store::Scope::Dataset("Waiting".into())).unwrap();
    let mut waiting = Command::new(env!("CARGO_BIN_EXE_riskdesk"))
        .args(["--endpoint", &served.url, "--api-key", &key, "upload", "commit", "-d", "Waiting", "--mode", "append"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_until_a_writer_waits(&env);
    // The same server commits into another dataset meanwhile: its writes are not queued one by one.
    remote(&env, &served, &key, &["upload", "commit", "-d", "Free", "--mode", "append"]);
    assert!(waiting.try_wait().unwrap().is_none(), "the commit into Waiting did not wait for its dataset's writer");
    assert!(env.json(&["upload", "history", "-d", "Waiting", "--json"]).as_array().unwrap().is_empty());
    drop(lock);
    assert!(waiting.wait().unwrap().success());
    assert_eq!(env.json(&["upload", "history", "-d", "Waiting", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
#[ignore = "needs PostgreSQL and SeaweedFS: scripts/test starts them (scripts/services)"]
fn a_reference_in_use_by_a_running_build_is_not_deleted_under_it() {
    use riskdesk::store::Scope;
    let env = Env::team();
    env.ok(&["reference", "demo", "--assets", "100", "--days", "2"]);
    // A build is running (it holds its risk dataset and reads the references, shared).
    let build = env.open_home();
    let lock = build.write_locks(&[Scope::RiskDataset("A".into()), Scope::UsingReferences]).unwrap();
    // Another build reads the references at the same time...
    let other = env.open_home();
    drop(other.write_locks(&[Scope::RiskDataset("B".into()), Scope::UsingReferences]).unwrap());
    // ...but deleting a reference waits until the builds are done.
    let mut delete = env.command().args(["reference", "delete", "Demo-Global"]).stdout(std::process::Stdio::null()).spawn().unwrap();
    wait_until_a_writer_waits(&env);
    assert!(delete.try_wait().unwrap().is_none(), "the reference was deleted under a running build");
    assert!(env.ok(&["reference", "list"]).contains("Demo-Global"));
    drop(lock);
    assert!(delete.wait().unwrap().success());
    assert!(!env.ok(&["reference", "list"]).contains("Demo-Global"));
}

#[test]
#[ignore = "needs PostgreSQL and SeaweedFS: scripts/test starts them (scripts/services)"]
fn queued_writers_hold_no_catalog_session_and_all_commit_once_their_turn_comes() {
    let env = Env::team();
    let key = new_key(&env);
    let file = std::fs::read_dir(day(&env, 3, 50)).unwrap().next().unwrap().unwrap().path();
    env.ok(&["upload", "stage", "-d", "Busy", s(&file)]);
    let served = env.serve_with("cache", &["--max-writers", "2"]);
    let (catalog, _) = env.team.clone().unwrap();
    let mut pg = postgres::Client::connect(&catalog, postgres::NoTls).unwrap();
    let sessions = |pg: &mut postgres::Client| -> i64 {
        pg.query_one("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()", &[]).unwrap().get(0)
    };
    let client = reqwest::blocking::Client::new();
    remote(&env, &served, &key, &["upload", "datasets"]);
    let before = sessions(&mut pg);
    // Another server's writer holds dataset Busy: this server's writers into it wait.
    let holder = env.open_home();
    let lock = holder.write_lock(riskdesk::store::Scope::Dataset("Busy".into())).unwrap();
    let stage = || {
        let part = reqwest::blocking::multipart::Part::bytes(std::fs::read(&file).unwrap()).file_name("exposures_2025-05-03.csv");
        let form = reqwest::blocking::multipart::Form::new().part("file", part);
        let url = format!("{}/v1/equity/uploaders/exposures/Busy/stage-file?name=&replace=true&api_key={key}", served.url);
        let answer: Value = client.post(url).multipart(form).send().unwrap().json().unwrap();
        answer["task_id"].as_str().unwrap_or_else(|| panic!("not a task: {answer}")).to_owned()
    };
    let tasks: Vec<String> = (0..60).map(|_| stage()).collect();
    wait_until_a_writer_waits(&env);
    // Two writers wait for the lock (one session each); the other 58 hold none. Besides them: the
    // holder's session, and the server's pool of idle sessions for reads, which may grow to 4.
    let during = sessions(&mut pg);
    assert!(during <= before + 1 + 2 + 4, "{during} catalog sessions while 60 writes queue ({before} before)");
    remote(&env, &served, &key, &["upload", "datasets"]);
    drop(lock);
    for task in &tasks {
        let ended = (0..6000).find_map(|_| {
            let url = format!("{}/v1/tasks/{task}/progress?api_key={key}", served.url);
            let p: Value = client.get(url).send().unwrap().json().unwrap();
            let state = p["state"].as_str().unwrap().to_owned();
            if state == "QUEUED" || state == "RUNNING" {
                std::thread::sleep(std::time::Duration::from_millis(20));
                None
            } else {
                Some(state)
            }
        });
        assert_eq!(ended.as_deref(), Some("COMPLETED"), "task {task}");
    }
}

/// Returns once a session of the workspace's catalog waits for an advisory lock (a writer waiting
/// for its turn); fails after 30 s.
fn wait_until_a_writer_waits(env: &Env) {
    let (catalog, _) = env.team.clone().unwrap();
    let mut client = postgres::Client::connect(&catalog, postgres::NoTls).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let sql = "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    while client.query_one(sql, &[]).unwrap().get::<_, i64>(0) == 0 {
        assert!(std::time::Instant::now() < deadline, "no writer waits for the lock");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
#[ignore = "needs PostgreSQL and SeaweedFS: scripts/test starts them (scripts/services)"]
fn a_team_server_stops_cleanly_on_sigterm() {
    let env = Env::team();
    let key = new_key(&env);
    let served = env.serve();
    // A call through the server leaves catalog connections open (kept for the next calls).
    remote(&env, &served, &key, &["upload", "datasets"]);
    let (status, rest, err) = served.stop();
    assert!(status.success(), "{status:?}\n{rest:?}\n{err}");
    assert!(rest.iter().any(|l| l.starts_with("Stopped")), "{rest:?}\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}
