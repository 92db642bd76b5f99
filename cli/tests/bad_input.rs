//! Every kind of bad input gives a failed result naming file, line, column and value, and
//! leaves what was staged and committed exactly as it was.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;
use common::*;

const D: &str = "Mine";

/// A dataset with one committed and one staged name.
fn setup() -> Env {
    let env = Env::new();
    let a = env.file("good", "x_2025-05-01.csv", long_csv(&[("2025-05-01", "A", "style", "Size", 1.5)]));
    env.ok(&["upload", "stage", "-d", D, s(&a)]);
    env.ok(&["upload", "commit", "-d", D, "--mode", "append"]);
    let b = env.file("good", "x_2025-05-02.csv", long_csv(&[("2025-05-02", "A", "style", "Size", 2.5)]));
    env.ok(&["upload", "stage", "-d", D, s(&b)]);
    env
}

fn state(env: &Env) -> (String, Vec<String>, String) {
    (
        env.ok(&["upload", "staged", "-d", D, "--json"]),
        data_lines(env, D, &[]),
        env.ok(&["upload", "summary", "-d", D, "--staging", "--detail", "--format", "csv"]),
    )
}

/// Stages `path`, requires it to fail with exit status 1, and returns its first message.
fn stage_fails(env: &Env, path: &std::path::Path) -> serde_json::Value {
    let before = state(env);
    let out = env.run(&["upload", "stage", "-d", D, s(path), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let results: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let failed: Vec<&serde_json::Value> = results.as_array().unwrap().iter().filter(|r| r["success"] == false).collect();
    assert!(!failed.is_empty(), "{results}");
    assert_eq!(state(env), before, "a failed staging changed the dataset");
    failed[0]["messages"][0].clone()
}

fn assert_at(m: &serde_json::Value, file: &str, line: u64, column: u64, value: &str, says: &str) {
    assert_eq!(m["file"], file, "{m}");
    assert_eq!(m["line"], line, "{m}");
    assert_eq!(m["column"], column, "{m}");
    assert_eq!(m["value"], value, "{m}");
    assert!(m["message"].as_str().unwrap().contains(says), "{m}");
}

const HEAD: &str = "date,asset_id,asset_id_type,factor_group,factor,exposure\n";

fn with_row(row: &str) -> String {
    format!("{HEAD}2025-05-03,A,bayesid,style,Size,1\n{row}\n")
}

#[test]
fn header_without_required_columns() {
    let env = setup();
    let p = env.file("bad", "h_2025-05-03.csv", "asset,value\nA,1\n");
    let m = stage_fails(&env, &p);
    assert_eq!((m["file"].as_str(), m["line"].as_u64()), (Some("h_2025-05-03.csv"), Some(1)));
    assert!(m["message"].as_str().unwrap().contains("required columns"), "{m}");
    let p = env.file("bad", "h2_2025-05-03.csv", "date,asset_id,factor_group,factor\n2025-05-03,A,style,Size\n");
    let m = stage_fails(&env, &p);
    assert!(m["message"].as_str().unwrap().contains("lacks required column(s) exposure"), "{m}");
}

#[test]
fn non_numeric_nan_and_infinite_exposures() {
    let env = setup();
    for (i, (value, says)) in
        [("abc", "not a number"), ("NaN", "NaN"), ("inf", "infinite"), ("-Infinity", "infinite"), ("1e39", "Float32 range")]
            .iter()
            .enumerate()
    {
        let name = format!("n{i}_2025-05-03.csv");
        let p = env.file("bad", &name, with_row(&format!("2025-05-03,B,bayesid,style,Size,{value}")));
        assert_at(&stage_fails(&env, &p), &name, 3, 6, value, says);
    }
}

#[test]
fn date_disagreeing_with_the_file_name_and_invalid_dates() {
    let env = setup();
    let p = env.file("bad", "d_2025-05-03.csv", with_row("2025-05-04,B,bayesid,style,Size,1"));
    assert_at(&stage_fails(&env, &p), "d_2025-05-03.csv", 3, 1, "2025-05-04", "disagrees with the file name's date 2025-05-03");
    let p = env.file("bad", "d.csv", format!("{HEAD}2025-02-30,B,bayesid,style,Size,1\n"));
    assert_at(&stage_fails(&env, &p), "d.csv", 2, 1, "2025-02-30", "not a valid date");
    let p = env.file("bad", "exposures_2025-02-30.csv", with_row("2025-02-30,B,bayesid,style,Size,1"));
    let m = stage_fails(&env, &p);
    assert!(m["message"].as_str().unwrap().contains("impossible date 2025-02-30"), "{m}");
}

#[test]
fn empty_and_header_only_files() {
    let env = setup();
    let p = env.file("bad", "e_2025-05-03.csv", "");
    let m = stage_fails(&env, &p);
    assert_eq!(m["file"], "e_2025-05-03.csv");
    assert!(m["message"].as_str().unwrap().contains("empty"), "{m}");
    let p = env.file("bad", "e2_2025-05-03.csv", HEAD);
    assert!(stage_fails(&env, &p)["message"].as_str().unwrap().contains("no exposure values"));
}

#[test]
fn text_that_is_not_utf8() {
    let env = setup();
    let mut bytes = with_row("2025-05-03,B").into_bytes();
    bytes.truncate(bytes.len() - 1);
    bytes.extend_from_slice(b"\xff\xfe,bayesid,style,Size,1\n");
    let p = env.file("bad", "u_2025-05-03.csv", bytes);
    let m = stage_fails(&env, &p);
    assert_eq!((m["line"].as_u64(), m["column"].as_u64()), (Some(3), Some(2)), "{m}");
    assert!(m["message"].as_str().unwrap().contains("UTF-8"), "{m}");
}

#[test]
fn duplicate_keys_within_one_file() {
    let env = setup();
    let p = env.file("bad", "k_2025-05-03.csv", with_row("2025-05-03,A,bayesid,style,Size,2"));
    let m = stage_fails(&env, &p);
    assert_eq!(m["line"], 3, "{m}");
    let text = m["message"].as_str().unwrap();
    assert!(text.contains("duplicate key") && text.contains("asset_id A") && text.contains("also on line 2"), "{m}");
}

#[test]
fn ragged_lines() {
    let env = setup();
    let p = env.file("bad", "r_2025-05-03.csv", with_row("2025-05-03,B,bayesid,style"));
    let m = stage_fails(&env, &p);
    assert_eq!(m["line"], 3, "{m}");
    assert!(m["message"].as_str().unwrap().contains("has 4 fields but the header has 6"), "{m}");
}

/// Writes a ZIP with python's zipfile (an independent writer) from (member name, bytes) pairs.
fn python_zip(path: &std::path::Path, members: &[(&str, Vec<u8>)]) {
    let dir = path.parent().unwrap();
    for (i, (_, bytes)) in members.iter().enumerate() {
        std::fs::write(dir.join(format!("member{i}.bin")), bytes).unwrap();
    }
    let names: Vec<String> = members.iter().map(|(n, _)| format!("{n:?}")).collect();
    let script = format!(
        "import zipfile,sys\nnames=[{}]\nwith zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED) as z:\n    for i,n in enumerate(names):\n        z.writestr(n, open(sys.argv[2]+'/member%d.bin'%i,'rb').read())\n",
        names.join(",")
    );
    let status = std::process::Command::new("python3").args(["-c", &script, s(path), s(dir)]).status().unwrap();
    assert!(status.success());
}

#[test]
fn truncated_and_corrupt_zips() {
    let env = setup();
    let good = with_row("2025-05-03,B,bayesid,style,Size,1").into_bytes();
    let zip = env.folder("zips").join("t_2025.zip");
    python_zip(&zip, &[("t_2025-05-03.csv", good)]);
    let bytes = std::fs::read(&zip).unwrap();
    std::fs::write(&zip, &bytes[..bytes.len() / 2]).unwrap();
    let m = stage_fails(&env, &zip);
    assert_eq!(m["file"], "t_2025.zip");
    assert!(m["message"].as_str().unwrap().contains("not a readable ZIP archive"), "{m}");
    // Flip bytes inside the compressed data: the member fails its CRC or inflation.
    let mut corrupt = bytes.clone();
    for b in &mut corrupt[40..60] {
        *b ^= 0x5a;
    }
    std::fs::write(&zip, &corrupt).unwrap();
    let m = stage_fails(&env, &zip);
    assert_eq!(m["file"], "t_2025.zip/t_2025-05-03.csv", "{m}");
}

#[test]
fn zip_members_that_escape_or_inflate_too_far() {
    let env = setup();
    let zip = env.folder("zips").join("p_2025.zip");
    python_zip(&zip, &[("../p_2025-05-03.csv", with_row("2025-05-03,B,bayesid,style,Size,1").into_bytes())]);
    let m = stage_fails(&env, &zip);
    assert_eq!(m["file"], "p_2025.zip/../p_2025-05-03.csv");
    assert!(m["message"].as_str().unwrap().contains("escapes"), "{m}");
    assert!(!env.dir.path().join("p_2025-05-03.csv").exists());
    let bomb = env.folder("bomb").join("b_2025.zip");
    let mut zeros = with_row("2025-05-03,B,bayesid,style,Size,1").into_bytes();
    zeros.resize(100 << 20, b'0');
    python_zip(&bomb, &[("b_2025-05-03.csv", zeros)]);
    let m = stage_fails(&env, &bomb);
    assert!(m["message"].as_str().unwrap().contains("zip bomb"), "{m}");
}

#[test]
fn name_collision_without_replace() {
    let env = setup();
    let p = env.file("other", "x_2025-05-02.csv", long_csv(&[("2025-05-02", "Z", "style", "Size", 9.0)]));
    let m = stage_fails(&env, &p);
    assert!(m["message"].as_str().unwrap().contains("already staged"), "{m}");
    // With --replace the new content wins.
    env.ok(&["upload", "stage", "-d", D, s(&p), "--replace"]);
    let detail = env.ok(&["upload", "summary", "-d", D, "--staging", "--detail", "--format", "csv"]);
    assert!(detail.contains("x_2025-05-02,2025-05-02,1,9,9,9,9,"), "{detail}");
}

#[test]
fn good_files_are_staged_when_others_fail() {
    let env = setup();
    let folder = env.folder("mixed");
    env.file("mixed", "m_2025-05-05.csv", long_csv(&[("2025-05-05", "A", "style", "Size", 1.0)]));
    env.file("mixed", "m_2025-05-06.csv", "garbage\n");
    env.file("mixed", "m_2025-02-31.csv", "x");
    env.file("mixed", "notes.txt", "ignored");
    let out = env.run(&["upload", "stage", "-d", D, s(&folder), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let results: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let verdicts: Vec<(String, bool)> =
        results.as_array().unwrap().iter().map(|r| (r["name"].as_str().unwrap().to_owned(), r["success"].as_bool().unwrap())).collect();
    assert_eq!(verdicts, [("m_2025-02-31".into(), false), ("m_2025-05-05".into(), true), ("m_2025-05-06".into(), false)]);
    let staged = env.json(&["upload", "staged", "-d", D, "--json"]);
    assert_eq!(staged.as_array().unwrap().len(), 2);
}
