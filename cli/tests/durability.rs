//! Crashes, concurrent processes and cancellation never damage a store (a home folder, or a
//! team store with `RISKDESK_TEST_TEAM=1`).

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;
use common::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const D: &str = "Mine";

/// The files a commit writes for the workspace's first (and only) dataset (a date staged alone
/// and committed without a merge keeps its staged file as its part).
const PARTS: &str = "data/1/parts";

#[test]
fn killing_a_commit_at_any_moment_leaves_the_previous_version_whole() {
    let env = Env::new();
    let v1 = env.demo("v1", 1500, 8, &[]);
    env.ok(&["upload", "stage", "-d", D, s(&v1)]);
    env.ok(&["upload", "commit", "-d", D, "--mode", "append"]);
    let original = data_lines(&env, D, &[]);
    let v2 = env.demo("v2", 1500, 8, &["--seed", "8"]);
    env.ok(&["upload", "stage", "-d", D, s(&v2)]);
    assert_eq!(env.objects(PARTS), 0, "the first version's parts are its staged files");
    let mut killed_mid_write = 0;
    // First kill once new part files start to appear (certainly mid-commit), then at growing delays.
    for attempt in 0..25 {
        let mut child = env
            .command()
            .args(["upload", "commit", "-d", D, "--mode", "upsert"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        if attempt < 3 {
            while env.objects(PARTS) == 0 && child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_micros(200));
            }
        } else {
            std::thread::sleep(Duration::from_secs_f64(0.01 * 1.5f64.powi(attempt - 3)));
        }
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok();
        child.wait().unwrap();
        let history = env.json(&["upload", "history", "-d", D, "--json"]);
        let latest = history.as_array().unwrap().len();
        if latest == 1 {
            assert!(!finished);
            killed_mid_write += usize::from(attempt < 3);
            assert_eq!(data_lines(&env, D, &[]), original, "version 1 changed after a kill (attempt {attempt})");
            assert_eq!(env.json(&["upload", "staged", "-d", D, "--json"]).as_array().unwrap().len(), 8);
            continue;
        }
        // The commit got through: version 2 is complete and version 1 is still intact.
        assert_eq!(latest, 2);
        assert_eq!(data_lines(&env, D, &["--version", "1"]), original);
        let new = data_lines(&env, D, &[]);
        assert_ne!(new, original);
        assert!(env.json(&["upload", "staged", "-d", D, "--json"]).as_array().unwrap().is_empty());
        break;
    }
    assert!(killed_mid_write >= 1, "no kill landed while part files were being written");
    assert_eq!(env.json(&["upload", "history", "-d", D, "--json"]).as_array().unwrap().len(), 2, "the commit never completed");
    // Whatever the killed processes left behind is removed (by the next writer of a home
    // folder, by the collector of a team store), and nothing a version needs.
    env.collect_orphans();
    assert_eq!(env.objects(PARTS), 8, "orphaned part files were not removed");
    assert_eq!(env.objects("data/1/staged"), 8, "the first version's parts went");
    assert_eq!(data_lines(&env, D, &["--version", "1"]), original);
}

#[test]
fn a_second_writer_waits_or_gets_a_clear_busy_error_and_readers_are_not_blocked() {
    let env = Env::new();
    let exp = env.demo("exp", 50, 1, &[]);
    env.ok(&["upload", "stage", "-d", D, s(&exp)]);
    let home = env.open_home();
    let scope = riskdesk::store::Scope::Dataset(D.into());
    let lock = home.write_lock(scope.clone()).unwrap();
    if env.team.is_none() {
        // A home folder: the second writer fails after half a second, saying why.
        let err = env.fails(&["upload", "commit", "-d", D, "--mode", "append"]);
        assert!(err.contains("is busy") && err.contains("code: busy"), "{err}");
        assert!(matches!(home.write_lock(scope), Err(riskdesk::Error::Busy { .. })));
        assert_eq!(env.json(&["upload", "staged", "-d", D, "--json"]).as_array().unwrap().len(), 1);
        drop(lock);
        env.ok(&["upload", "commit", "-d", D, "--mode", "append"]);
        return;
    }
    // A team store: writers of one dataset take turns, so the second waits for the first (on
    // whichever server), then commits; writers of another dataset do not wait at all.
    let mut waiting =
        env.command().args(["upload", "commit", "-d", D, "--mode", "append"]).stdout(std::process::Stdio::null()).spawn().unwrap();
    let other = env.demo("other", 50, 1, &[]);
    env.ok(&["upload", "stage", "-d", "Other", s(&other)]);
    env.ok(&["upload", "commit", "-d", "Other", "--mode", "append"]);
    assert!(waiting.try_wait().unwrap().is_none(), "the commit did not wait for the lock's holder");
    // Reading works while the lock is held.
    assert_eq!(env.json(&["upload", "staged", "-d", D, "--json"]).as_array().unwrap().len(), 1);
    assert!(env.json(&["upload", "history", "-d", D, "--json"]).as_array().unwrap().is_empty());
    drop(lock);
    assert!(waiting.wait().unwrap().success());
    assert_eq!(env.json(&["upload", "history", "-d", D, "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn cancelling_staging_or_a_commit_changes_nothing() {
    let env = Env::new();
    let exp = env.demo("exp", 200, 6, &[]);
    let home = env.open_home();
    let up = home.get_or_create_uploader(D).unwrap();
    let cancel = AtomicBool::new(false);
    let sink = |step: &riskdesk::progress::Step| {
        if step.done >= 1 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let progress = riskdesk::Progress::new(&sink).cancellable(&cancel);
    let result = up.stage(std::slice::from_ref(&exp), false, &progress);
    assert!(matches!(result, Err(riskdesk::Error::Cancelled)), "{result:?}");
    assert!(up.staging_results().unwrap().is_empty());
    env.collect_orphans();
    assert_eq!(env.objects("data/1/staged"), 0);
    up.stage(&[exp], false, &riskdesk::Progress::none()).unwrap();
    cancel.store(false, Ordering::Relaxed);
    let result = up.commit(riskdesk::uploader::CommitMode::Append, None, &progress);
    assert!(matches!(result, Err(riskdesk::Error::Cancelled)));
    assert_eq!(up.version_history().unwrap().len(), 0);
    assert_eq!(up.staging_results().unwrap().len(), 6);
    env.collect_orphans();
    assert_eq!(env.objects(PARTS), 0);
}

#[test]
fn a_server_start_clears_the_upload_folders_a_killed_server_left() {
    let env = Env::new();
    // A killed server's upload, and one that another server of the store is still receiving.
    let uploads = env.local_folder().join("uploads");
    let left = uploads.join("left-by-a-killed-server");
    let in_flight = uploads.join("received-by-another-server");
    for dir in [&left, &in_flight] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("exposures_2025.zip"), b"PK").unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 3600);
    std::fs::File::open(&left).unwrap().set_modified(two_hours_ago).unwrap();
    // The server clears old uploads before it listens, and `serve` returns once it listens.
    let served = env.serve();
    assert!(!left.exists(), "the killed server's upload is still in {}", uploads.display());
    assert!(in_flight.join("exposures_2025.zip").exists(), "an upload in flight was removed");
    drop(served);
}
