//! The seed notebook's upload half through the CLI: scan, batch, stage (files, ZIPs, every
//! layout), the detail summary checked against an independent computation, commit, read back.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;
use common::*;
use std::collections::{BTreeMap, HashSet};

const D: &str = "My-Exposures";

#[test]
fn scan_groups_by_year_marks_known_files_and_explains_rejections() {
    let env = Env::new();
    let dir = env.folder("mixed");
    for name in
        ["e_2024-12-31.csv", "e_2025-01-02.csv.gz", "e_2025-01-03.parquet", "e_2025-02-30.csv", "e_2025-01-04.txt", "e.csv", "e_2025.zip"]
    {
        env.file("mixed", name, "x");
    }
    let report = env.json(&["scan", s(&dir), "--json"]);
    let years: Vec<(i64, i64)> =
        report["years"].as_array().unwrap().iter().map(|y| (y["year"].as_i64().unwrap(), y["files"].as_i64().unwrap())).collect();
    assert_eq!(years, [(2024, 1), (2025, 3)]);
    let rejected: BTreeMap<String, String> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["file_name"].as_str().unwrap().to_owned(), r["reason"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    assert!(rejected["e_2025-02-30.csv"].contains("impossible date"));
    assert!(rejected["e_2025-01-04.txt"].contains("unsupported extension"));
    assert!(rejected["e.csv"].contains("no date"));
    let text = env.ok(&["scan", s(&dir)]);
    assert!(text.starts_with("Found 4 files. Years: 2024, 2025"), "{text}");
}

#[test]
fn seed_workflow_from_files_and_from_annual_zips() {
    let env = Env::new();
    let exp = env.demo("exp", 300, 4, &[]);
    assert!(env.ok(&["scan", s(&exp)]).starts_with("Found 4 files. Years: 2025"));
    // Batch: valid for an independent reader, deterministic, one entry per file.
    let zips = env.folder("zips");
    env.ok(&["batch", s(&exp), "--out", s(&zips)]);
    let zip = zips.join("exposures_2025.zip");
    let first = std::fs::read(&zip).unwrap();
    env.ok(&["batch", s(&exp), "--out", s(&zips), "--level", "6"]);
    assert_eq!(first, std::fs::read(&zip).unwrap(), "batching is not deterministic");
    let check = std::process::Command::new("python3")
        .args([
            "-c",
            "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(','.join(z.namelist()))",
            s(&zip),
        ])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    assert_eq!(
        stdout(&check).trim(),
        "exposures_2025-05-01.csv,exposures_2025-05-02.csv,exposures_2025-05-03.csv,exposures_2025-05-04.csv"
    );
    // Staging the ZIP and staging the files give the same names and the same summary.
    env.ok(&["upload", "stage", "-d", "FromZip", s(&zip)]);
    env.ok(&["upload", "stage", "-d", D, s(&exp)]);
    let detail = |d: &str| env.ok(&["upload", "summary", "-d", d, "--staging", "--detail", "--format", "csv"]);
    assert_eq!(detail("FromZip"), detail(D));
    let scan = env.json(&["scan", s(&exp), "--dataset", D, "--json"]);
    assert_eq!(scan["staged"], 4);
    let result = env.json(&["upload", "commit", "-d", D, "--mode", "append", "--json"]);
    assert_eq!(result["version"], 1);
    assert_eq!(result["committed_names"].as_array().unwrap().len(), 4);
    assert_eq!(env.json(&["scan", s(&zips), "--dataset", D, "--json"])["files"][0]["status"], "committed");
    assert_eq!(data_lines(&env, D, &["--columns", "factor_group", "--unique"]), ["industry", "market", "region", "style"]);
    assert!(env.json(&["upload", "staged", "-d", D, "--json"]).as_array().unwrap().is_empty());
    // Committed per-date statistics equal the staged ones.
    let committed = env.ok(&["upload", "summary", "-d", D, "--detail", "--format", "csv"]);
    let staged_rows: Vec<String> = detail("FromZip").lines().skip(1).map(|l| l.split_once(',').unwrap().1.to_owned()).collect();
    assert_eq!(committed.lines().skip(1).collect::<Vec<_>>(), staged_rows);
}

/// Statistics computed here from the CSV text, independently of the engine.
fn independent_stats(csv: &str) -> (u32, f32, f32, f32, f32, f32) {
    let mut values = Vec::new();
    let mut assets = HashSet::new();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for r in reader.records() {
        let r = r.unwrap();
        assets.insert(r[1].to_owned());
        values.push(f64::from(r[5].parse::<f32>().unwrap()));
    }
    values.sort_by(f64::total_cmp);
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    let mid = values.len() / 2;
    let median = if values.len() % 2 == 0 { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] };
    (assets.len() as u32, values[0] as f32, values[values.len() - 1] as f32, mean as f32, median as f32, var.sqrt() as f32)
}

#[test]
fn detail_summary_matches_an_independent_computation() {
    let env = Env::new();
    let exp = env.demo("exp", 1500, 3, &[]);
    env.ok(&["upload", "stage", "-d", D, s(&exp)]);
    let rows = env.json(&["upload", "summary", "-d", D, "--staging", "--detail", "--format", "json"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let columns: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(columns, ["_name", "date", "n_assets", "min_exposure", "max_exposure", "mean_exposure", "median_exposure", "std_exposure"]);
    for row in rows {
        let name = row["_name"].as_str().unwrap();
        let csv = std::fs::read_to_string(exp.join(format!("{name}.csv"))).unwrap();
        let (n, min, max, mean, median, std) = independent_stats(&csv);
        let f = |k: &str| row[k].as_f64().unwrap() as f32;
        assert_eq!(row["n_assets"].as_u64(), Some(u64::from(n)), "{name}");
        assert_eq!(
            [f("min_exposure"), f("max_exposure"), f("mean_exposure"), f("median_exposure"), f("std_exposure")],
            [min, max, mean, median, std],
            "{name}"
        );
        assert_eq!(row["date"].as_str().unwrap(), &name["exposures_".len()..]);
    }
}

#[test]
fn wide_long_gzip_parquet_and_dateless_files_read_to_the_same_data() {
    let env = Env::new();
    let long = env.demo("long", 200, 2, &[]);
    let wide = env.demo("wide", 200, 2, &["--layout", "wide"]);
    env.ok(&["upload", "stage", "-d", "Long", s(&long)]);
    let staged = env.json(&["upload", "stage", "-d", "Wide", s(&wide), "--json"]);
    assert_eq!(staged[0]["parser"], "wide");
    for d in ["Long", "Wide"] {
        env.ok(&["upload", "commit", "-d", d, "--mode", "append"]);
    }
    let reference = data_lines(&env, "Long", &[]);
    assert!(reference.len() > 3000);
    assert_eq!(data_lines(&env, "Wide", &[]), reference, "wide files must give the long data (categorical zeros dropped)");
    // csv.gz, long without date, and Parquet written by `upload data`.
    let other = env.folder("other");
    let day1 = std::fs::read_to_string(long.join("exposures_2025-05-01.csv")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, day1.as_bytes()).unwrap();
    std::fs::write(other.join("g_2025-05-01.csv.gz"), gz.finish().unwrap()).unwrap();
    let dateless: String = day1.lines().map(|l| l.split_once(',').unwrap().1.to_owned() + "\n").collect();
    std::fs::write(other.join("n_2025-05-02.csv"), dateless).unwrap();
    env.ok(&["upload", "data", "-d", "Long", "--format", "parquet", "--out", s(&other.join("p_2025-05-03.parquet"))]);
    let results =
        env.json(&["upload", "stage", "-d", "Other", s(&other.join("g_2025-05-01.csv.gz")), s(&other.join("n_2025-05-02.csv")), "--json"]);
    let parsers: Vec<&str> = results.as_array().unwrap().iter().map(|r| r["parser"].as_str().unwrap()).collect();
    assert_eq!(parsers, ["long", "long_without_date"]);
    env.ok(&["upload", "commit", "-d", "Other", "--mode", "append"]);
    let gz_lines: Vec<String> = data_lines(&env, "Other", &[]).into_iter().filter(|l| l.starts_with("2025-05-01")).collect();
    assert_eq!(gz_lines, reference.iter().filter(|l| l.starts_with("2025-05-01")).cloned().collect::<Vec<_>>());
    let moved: Vec<String> =
        data_lines(&env, "Other", &[]).into_iter().filter(|l| l.starts_with("2025-05-02")).map(|l| l[10..].to_owned()).collect();
    assert_eq!(moved, reference.iter().filter(|l| l.starts_with("2025-05-01")).map(|l| l[10..].to_owned()).collect::<Vec<_>>());
    // The Parquet holds two dates, so its name's date must not be used: it is refused for disagreeing.
    let out = env.run(&["upload", "stage", "-d", "Other", s(&other.join("p_2025-05-03.parquet")), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::rename(other.join("p_2025-05-03.parquet"), other.join("p.parquet")).unwrap();
    env.ok(&["upload", "stage", "-d", "Pq", s(&other.join("p.parquet"))]);
    env.ok(&["upload", "commit", "-d", "Pq", "--mode", "append"]);
    assert_eq!(data_lines(&env, "Pq", &[]), reference);
}

#[test]
fn listing_wiping_destroying_and_output_formats() {
    let env = Env::new();
    let exp = env.demo("exp", 100, 3, &[]);
    assert!(env.ok(&["upload", "datasets"]).contains("No datasets yet"));
    env.ok(&["upload", "stage", "-d", D, s(&exp)]);
    let wiped = env.json(&["upload", "wipe", "-d", D, "--names", "exposures_2025-05-02", "--json"]);
    assert_eq!(wiped[0]["name"], "exposures_2025-05-02");
    let staged: Vec<String> = env
        .json(&["upload", "staged", "-d", D, "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(staged, ["exposures_2025-05-01", "exposures_2025-05-03"]);
    let summary = env.json(&["upload", "summary", "-d", D, "--staging", "--format", "json"]);
    assert_eq!(summary[0]["factor_groups"], "industry,market,region,style");
    let day1 = std::fs::read_to_string(exp.join("exposures_2025-05-01.csv")).unwrap();
    let factors: HashSet<String> = day1.lines().skip(1).map(|l| l.split(',').skip(3).take(2).collect::<Vec<_>>().join(".")).collect();
    assert_eq!(summary[0]["factors"].as_u64(), Some(factors.len() as u64));
    env.ok(&["upload", "commit", "-d", D, "--mode", "append"]);
    let datasets = env.json(&["upload", "datasets", "--json"]);
    assert_eq!((datasets[0]["name"].as_str(), datasets[0]["latest_version"].as_u64()), (Some(D), Some(1)));
    let json = env.json(&["upload", "data", "-d", D, "--format", "json"]);
    let csv = data_lines(&env, D, &[]);
    assert_eq!(json.as_array().unwrap().len(), csv.len());
    assert_eq!(json[0]["date"], "2025-05-01");
    assert!(json[0]["exposure"].is_number());
    let err = env.fails(&["upload", "data", "-d", D, "--version", "7"]);
    assert!(err.contains("version '7") && err.contains("latest is 1"), "{err}");
    let err = env.fails(&["upload", "data", "-d", D, "--columns", "nope"]);
    assert!(err.contains("unknown column 'nope'"), "{err}");
    assert!(env.fails(&["upload", "destroy", "-d", D]).contains("--yes"));
    env.ok(&["upload", "destroy", "-d", D, "--yes"]);
    assert!(env.fails(&["upload", "history", "-d", D]).contains("dataset 'My-Exposures' does not exist"));
    assert_eq!(env.objects("data"), 0, "destroy must remove the data files");
}
