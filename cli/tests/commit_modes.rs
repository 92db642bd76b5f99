//! Every commit mode on small hand-made data whose answer is stated in the test.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;
use common::*;

const D: &str = "Mine";

/// Stages one file `name` with `rows` and commits it with `mode`.
fn stage_commit(env: &Env, name: &str, rows: &[(&str, &str, &str, &str, f32)], mode: &str) -> String {
    let path = env.file("in", name, long_csv(rows));
    env.ok(&["upload", "stage", "-d", D, s(&path), "--replace"]);
    env.ok(&["upload", "commit", "-d", D, "--mode", mode])
}

fn base(env: &Env) {
    stage_commit(
        env,
        "x_2025-05-01.csv",
        &[("2025-05-01", "A", "style", "Size", 1.0), ("2025-05-01", "B", "style", "Size", 2.0)],
        "append",
    );
    stage_commit(env, "x_2025-05-02.csv", &[("2025-05-02", "A", "style", "Size", 3.0)], "append");
}

#[test]
fn append_adds_and_refuses_existing_keys_writing_nothing() {
    let env = Env::new();
    base(&env);
    assert_eq!(
        data_lines(&env, D, &[]),
        ["2025-05-01,A,bayesid,style,Size,1", "2025-05-01,B,bayesid,style,Size,2", "2025-05-02,A,bayesid,style,Size,3"]
    );
    // A new asset on an existing date is fine in append mode.
    stage_commit(&env, "y_2025-05-02.csv", &[("2025-05-02", "C", "style", "Size", 4.0)], "append");
    assert_eq!(data_lines(&env, D, &["--columns", "asset_id", "--unique"]), ["A", "B", "C"]);
    // An existing key refuses the whole commit: nothing changes, the name stays staged.
    let path = env.file("in", "z.csv", long_csv(&[("2025-05-01", "B", "style", "Size", 9.0), ("2025-05-03", "D", "style", "Size", 5.0)]));
    env.ok(&["upload", "stage", "-d", D, s(&path)]);
    let before = data_lines(&env, D, &[]);
    let err = env.fails(&["upload", "commit", "-d", D, "--mode", "append"]);
    assert!(err.contains("commit refused") && err.contains("asset_id B") && err.contains("staged 'z' (z.csv)"), "{err}");
    assert!(err.contains("code: conflict") && err.contains("commit refused: 1 conflicting key in"), "{err}");
    assert_eq!(data_lines(&env, D, &[]), before);
    assert_eq!(env.json(&["upload", "history", "-d", D, "--json"]).as_array().unwrap().len(), 3);
    assert_eq!(env.json(&["upload", "staged", "-d", D, "--json"])[0]["name"], "z");
    // Without the conflicting row, the two-date file commits.
    let path = env.file("in", "z.csv", long_csv(&[("2025-05-02", "B", "style", "Size", 9.0), ("2025-05-03", "D", "style", "Size", 5.0)]));
    env.ok(&["upload", "stage", "-d", D, s(&path), "--replace"]);
    env.ok(&["upload", "commit", "-d", D, "--mode", "append"]);
    assert_eq!(data_lines(&env, D, &["--columns", "date", "--unique"]), ["2025-05-01", "2025-05-02", "2025-05-03"]);
    assert_eq!(data_lines(&env, D, &[]).len(), 6);
}

#[test]
fn upsert_replaces_values_of_existing_keys_and_inserts_new_ones() {
    let env = Env::new();
    base(&env);
    stage_commit(
        &env,
        "u_2025-05-01.csv",
        &[("2025-05-01", "B", "style", "Size", 7.5), ("2025-05-01", "C", "style", "Size", 8.0)],
        "upsert",
    );
    assert_eq!(
        data_lines(&env, D, &[]),
        [
            "2025-05-01,A,bayesid,style,Size,1",
            "2025-05-01,B,bayesid,style,Size,7.5",
            "2025-05-01,C,bayesid,style,Size,8",
            "2025-05-02,A,bayesid,style,Size,3"
        ]
    );
    // The version before is still readable as it was.
    assert_eq!(data_lines(&env, D, &["--version", "2"]).len(), 3);
    assert!(data_lines(&env, D, &["--version", "2"]).contains(&"2025-05-01,B,bayesid,style,Size,2".to_owned()));
}

#[test]
fn overwrite_dates_replaces_whole_dates_only() {
    let env = Env::new();
    base(&env);
    stage_commit(&env, "o_2025-05-01.csv", &[("2025-05-01", "C", "style", "Size", 5.0)], "overwrite_dates");
    assert_eq!(data_lines(&env, D, &[]), ["2025-05-01,C,bayesid,style,Size,5", "2025-05-02,A,bayesid,style,Size,3"]);
}

#[test]
fn overwrite_replaces_everything() {
    let env = Env::new();
    base(&env);
    stage_commit(&env, "w_2025-06-01.csv", &[("2025-06-01", "Q", "market", "Market", 1.0)], "overwrite");
    assert_eq!(data_lines(&env, D, &[]), ["2025-06-01,Q,bayesid,market,Market,1"]);
    let history = env.json(&["upload", "history", "-d", D, "--json"]);
    let modes: Vec<&str> = history.as_array().unwrap().iter().map(|v| v["mode"].as_str().unwrap()).collect();
    assert_eq!(modes, ["append", "append", "overwrite"]);
    assert_eq!(history[2]["committed_names"][0], "w_2025-06-01");
    assert_eq!((history[2]["rows"].as_u64(), history[1]["rows"].as_u64()), (Some(1), Some(3)));
}

#[test]
fn duplicate_keys_across_staged_names_refuse_the_commit_naming_both_files() {
    let env = Env::new();
    let a = env.file("in", "a_2025-05-01.csv", long_csv(&[("2025-05-01", "A", "style", "Size", 1.0)]));
    let b = env.file("in", "b_2025-05-01.csv", long_csv(&[("2025-05-01", "A", "style", "Size", 2.0)]));
    env.ok(&["upload", "stage", "-d", D, s(&a), s(&b)]);
    for mode in ["append", "upsert", "overwrite"] {
        let err = env.fails(&["upload", "commit", "-d", D, "--mode", mode]);
        assert!(err.contains("a_2025-05-01.csv") && err.contains("b_2025-05-01.csv") && err.contains("both have key"), "{err}");
    }
    assert!(env.json(&["upload", "history", "-d", D, "--json"]).as_array().unwrap().is_empty());
    // Committing just one of them works.
    env.ok(&["upload", "commit", "-d", D, "--mode", "append", "--names", "a_2025-05-01"]);
    assert_eq!(data_lines(&env, D, &[]), ["2025-05-01,A,bayesid,style,Size,1"]);
    assert_eq!(env.json(&["upload", "staged", "-d", D, "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn unknown_mode_and_unknown_names_are_refused() {
    let env = Env::new();
    base(&env);
    let err = env.fails(&["upload", "commit", "-d", D, "--mode", "merge"]);
    assert!(err.contains("unknown commit mode 'merge'") && err.contains("overwrite_dates"), "{err}");
    let err = env.fails(&["upload", "commit", "-d", D, "--mode", "append", "--names", "nope"]);
    assert!(err.contains("not staged: nope"), "{err}");
    let err = env.fails(&["upload", "commit", "-d", D, "--mode", "append"]);
    assert!(err.contains("nothing is staged"), "{err}");
}

#[test]
fn a_refused_commit_counts_every_conflicting_key_not_just_the_sample() {
    let env = Env::new();
    let assets: Vec<String> = (0..30).map(|i| format!("A{i:02}")).collect();
    let rows: Vec<(&str, &str, &str, &str, f32)> = assets.iter().map(|a| ("2025-05-01", a.as_str(), "style", "Size", 1.0)).collect();
    stage_commit(&env, "x_2025-05-01.csv", &rows, "append");
    let path = env.file("in", "y_2025-05-01.csv", long_csv(&rows));
    env.ok(&["upload", "stage", "-d", D, s(&path)]);
    let err = env.fails(&["upload", "commit", "-d", D, "--mode", "append"]);
    assert!(err.contains("commit refused: 30 conflicting keys in"), "{err}");
    assert_eq!(err.matches("already holds").count(), 20, "a sample of 20 keys per date is listed");
}

#[test]
fn a_revert_is_a_new_version_with_the_old_data_byte_for_byte() {
    let env = Env::new();
    base(&env); // versions 1 and 2
    stage_commit(&env, "u_2025-05-01.csv", &[("2025-05-01", "B", "style", "Size", 7.5)], "upsert");
    stage_commit(&env, "o_2025-05-03.csv", &[("2025-05-03", "C", "style", "Size", 4.0)], "overwrite");
    let export = |version: Option<&str>| {
        let mut args = vec!["upload", "data", "-d", D, "--format", "parquet"];
        args.extend(version.map(|v| ["--version", v]).into_iter().flatten());
        env.run(&args).stdout
    };
    let (v2, v4) = (export(Some("2")), export(None));
    assert_ne!(v2, v4);
    // A name staged meanwhile stays staged.
    let pending = env.file("in", "p_2025-05-04.csv", long_csv(&[("2025-05-04", "A", "style", "Size", 1.0)]));
    env.ok(&["upload", "stage", "-d", D, s(&pending)]);

    let out = env.ok(&["upload", "revert", "-d", D, "--to", "2"]);
    assert!(out.contains("Reverted Mine to version 2 as version 5: it holds 3 rows over 2 dates"), "{out}");
    // The new latest version's data is version 2's, to the byte; the versions between are kept.
    assert_eq!(export(None), v2);
    assert_eq!(export(Some("5")), v2);
    assert_eq!(export(Some("4")), v4);
    let history = env.json(&["upload", "history", "-d", D, "--json"]);
    let last = &history.as_array().unwrap()[4];
    assert_eq!((last["version"].as_u64(), last["mode"].as_str()), (Some(5), Some("revert to 2")), "{history}");
    assert_eq!(env.json(&["upload", "staged", "-d", D, "--json"])[0]["name"], "p_2025-05-04");
    let diff = env.json(&["upload", "diff", "-d", D, "--from", "2", "--to", "5", "--format", "json"]);
    assert_eq!(diff["rows_changed"], 0, "{diff}");

    // The latest version, and versions that do not exist, are refused with the versions there are.
    let err = env.fails(&["upload", "revert", "-d", D, "--to", "5"]);
    assert!(err.contains("version 5 is the latest version of dataset 'Mine' already"), "{err}");
    let err = env.fails(&["upload", "revert", "-d", D, "--to", "9"]);
    assert!(err.contains("dataset 'Mine' has no version 9: its versions are 1 to 5") && err.contains("code: invalid_input"), "{err}");
    assert_eq!(env.json(&["upload", "history", "-d", D, "--json"]).as_array().unwrap().len(), 5);
}
