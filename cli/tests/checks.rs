//! The sanity checks on generated data with one fault injected per date: each is found with the
//! right id, date and factor, and the clean dates around them stay clean.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use riskdesk::api::CheckRequest;
use riskdesk::checks::{CheckId, Finding, Severity, Thresholds};
use riskdesk::demo::DemoOptions;
use riskdesk::uploader::CommitMode;
use riskdesk::{Backend, LocalBackend, Progress};

const D: &str = "Feed";

/// The rows of a long demo CSV (header left out), as cells.
fn rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path).unwrap().lines().skip(1).map(|l| l.split(',').map(str::to_owned).collect()).collect()
}

fn write(path: &Path, rows: &[Vec<String>]) {
    let mut text = String::from("date,asset_id,asset_id_type,factor_group,factor,exposure\n");
    for r in rows {
        text.push_str(&r.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn file(dir: &Path, date: &str) -> PathBuf {
    dir.join(format!("exposures_{date}.csv"))
}

/// Changes one day's file.
fn edit(dir: &Path, date: &str, change: impl FnOnce(&mut Vec<Vec<String>>)) {
    let mut r = rows(&file(dir, date));
    change(&mut r);
    write(&file(dir, date), &r);
}

/// The asset ids of a day, in file order, each once.
fn assets(rows: &[Vec<String>]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    rows.iter().filter(|r| seen.insert(r[1].clone())).map(|r| r[1].clone()).collect()
}

fn style_rows<'a>(rows: &'a mut [Vec<String>], factor: &str) -> impl Iterator<Item = &'a mut Vec<String>> {
    let factor = factor.to_owned();
    rows.iter_mut().filter(move |r| r[3] == "style" && r[4] == factor)
}

fn scale(rows: &mut [Vec<String>], factor: &str, by: f64, plus: f64) {
    for r in style_rows(rows, factor) {
        r[5] = (r[5].parse::<f64>().unwrap() * by + plus).to_string();
    }
}

/// 400 assets over 14 days (2025-05-01 to 05-14, weekends included), one fault a date.
fn faulty_feed(dir: &Path) -> PathBuf {
    let days = dir.join("days");
    riskdesk::demo::write_exposures(&days, &DemoOptions { assets: 400, days: 14, ..DemoOptions::default() }, &Progress::none()).unwrap();
    // 05-02: one asset in two industries.
    edit(&days, "2025-05-02", |r| {
        let row = r.iter().find(|x| x[3] == "industry").unwrap().clone();
        let other = if row[4] == "Energy" { "Utilities" } else { "Energy" };
        r.push(vec![row[0].clone(), row[1].clone(), row[2].clone(), "industry".into(), other.into(), "1".into()]);
    });
    // 05-03 comes twice: a second staged name holds it too (staged below).
    // 05-05: 0.8% of Momentum values far out.
    edit(&days, "2025-05-05", |r| {
        for (k, row) in style_rows(r, "Momentum").enumerate() {
            if k % 125 == 0 {
                row[5] = "8".into();
            }
        }
    });
    // 05-06 is missing.
    std::fs::remove_file(file(&days, "2025-05-06")).unwrap();
    // 05-07: Size scaled up, Dividend shifted.
    edit(&days, "2025-05-07", |r| {
        scale(r, "Size", 1.6, 0.0);
        scale(r, "Dividend", 1.0, 0.8);
    });
    // 05-08: 10% of assets without a Value.
    edit(&days, "2025-05-08", |r| {
        let gone: BTreeSet<String> = assets(r).into_iter().step_by(10).collect();
        r.retain(|x| !(x[4] == "Value" && gone.contains(&x[1])));
    });
    // 05-10: yesterday's file sent again under today's date.
    let mut stale = rows(&file(&days, "2025-05-09"));
    stale.iter_mut().for_each(|x| x[0] = "2025-05-10".into());
    write(&file(&days, "2025-05-10"), &stale);
    // 05-11: a third of the universe drops out.
    edit(&days, "2025-05-11", |r| {
        let kept: BTreeSet<String> = assets(r).into_iter().enumerate().filter(|(i, _)| i % 3 != 0).map(|(_, a)| a).collect();
        r.retain(|x| kept.contains(&x[1]));
    });
    // 05-12: Growth missing for the whole day.
    edit(&days, "2025-05-12", |r| r.retain(|x| x[4] != "Growth"));
    // 05-13: a market value that is not 1.
    edit(&days, "2025-05-13", |r| r.iter_mut().find(|x| x[3] == "market").unwrap()[5] = "0.5".into());
    // 05-14: Momentum shuffled across assets (same values, new ranking).
    edit(&days, "2025-05-14", |r| {
        let values: Vec<String> = style_rows(r, "Momentum").map(|x| x[5].clone()).collect();
        let n = values.len();
        for (k, row) in style_rows(r, "Momentum").enumerate() {
            row[5] = values[(k * 7919 + 13) % n].clone();
        }
    });
    days
}

fn has(findings: &[Finding], check: CheckId, date: &str, factor: Option<&str>) -> bool {
    findings.iter().any(|f| f.check == check && f.date == date && (factor.is_none() || f.factor.as_deref() == factor))
}

fn on(findings: &[Finding], date: &str) -> Vec<String> {
    findings.iter().filter(|f| f.date == date).map(|f| format!("{} {}", f.check.name(), f.message)).collect()
}

#[test]
fn every_injected_fault_is_found_on_its_date_and_factor() {
    let dir = tempfile::tempdir().unwrap();
    let days = faulty_feed(dir.path());
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(file(&days, "2025-05-03"), copy.join("again_2025-05-03.csv")).unwrap();
    let b = LocalBackend::open(&dir.path().join("home")).unwrap();
    b.stage(D, &[days, copy], false, &Progress::none()).unwrap();
    let f = b.check(D, &CheckRequest { staging: true, ..CheckRequest::default() }).unwrap().findings;
    let listing =
        f.iter().map(|x| format!("{} {} {:?} {:?} {}", x.date, x.check.name(), x.severity, x.factor, x.message)).collect::<Vec<_>>();

    let expect = [
        (CheckId::NotOneHot, "2025-05-02", None, Severity::Fail),
        (CheckId::DuplicateDay, "2025-05-03", None, Severity::Warn),
        (CheckId::Outliers, "2025-05-05", Some("Momentum"), Severity::Warn),
        (CheckId::MissingDay, "2025-05-06", None, Severity::Warn),
        (CheckId::NotStandardized, "2025-05-07", Some("Size"), Severity::Warn),
        (CheckId::DistributionShift, "2025-05-07", Some("Dividend"), Severity::Warn),
        (CheckId::MissingValues, "2025-05-08", Some("Value"), Severity::Warn),
        (CheckId::StaleDay, "2025-05-10", None, Severity::Fail),
        (CheckId::CoverageDrop, "2025-05-11", None, Severity::Fail),
        (CheckId::AssetChurn, "2025-05-11", None, Severity::Warn),
        (CheckId::SchemaChange, "2025-05-12", None, Severity::Warn),
        (CheckId::MissingValues, "2025-05-12", Some("Growth"), Severity::Fail),
        (CheckId::MarketNotOne, "2025-05-13", Some("Market"), Severity::Fail),
        (CheckId::RankInstability, "2025-05-14", Some("Momentum"), Severity::Warn),
    ];
    for (check, date, factor, severity) in expect {
        let found = f.iter().find(|x| x.check == check && x.date == date && (factor.is_none() || x.factor.as_deref() == factor));
        let Some(found) = found else { panic!("no {} on {date} ({factor:?}) in:\n{}", check.name(), listing.join("\n")) };
        assert_eq!(found.severity, severity, "{found:?}");
        assert!(!found.message.is_empty() && found.assets.len() <= 20, "{found:?}");
    }
    // The quick checks (no data read) find the same missing and duplicate dates and coverage drops.
    let quick = b.check(D, &CheckRequest { staging: true, quick: true, ..CheckRequest::default() }).unwrap();
    assert!(quick.quick && quick.stats.is_empty(), "{quick:?}");
    let key = |x: &Finding| (x.check, x.date.clone(), x.severity, x.value.to_bits(), x.message.clone());
    let cheap = [CheckId::MissingDay, CheckId::DuplicateDay, CheckId::CoverageDrop];
    let expected: Vec<_> = f.iter().filter(|x| cheap.contains(&x.check)).map(key).collect();
    assert_eq!(expected.len(), 3, "{listing:#?}");
    assert_eq!(quick.findings.iter().map(key).collect::<Vec<_>>(), expected);
    // The assets behind a finding are the right ones.
    let one_hot = f.iter().find(|x| x.check == CheckId::NotOneHot).unwrap();
    assert_eq!(one_hot.assets.len(), 1, "{one_hot:?}");
    let stale = f.iter().find(|x| x.check == CheckId::StaleDay).unwrap();
    assert_eq!((stale.value, stale.threshold), (1.0, 0.999));
    let outliers = f.iter().find(|x| x.check == CheckId::Outliers).unwrap();
    assert!(!outliers.assets.is_empty() && outliers.value > 0.005 && outliers.value < 0.02, "{outliers:?}");
    // Clean dates (with clean neighbours) have no finding at all.
    for clean in ["2025-05-01", "2025-05-04", "2025-05-09"] {
        assert!(on(&f, clean).is_empty(), "{clean}: {:?}", on(&f, clean));
    }
    // Fails come first.
    let first_warn = f.iter().position(|x| x.severity == Severity::Warn).unwrap();
    assert!(f[..first_warn].iter().all(|x| x.severity == Severity::Fail) && f[first_warn..].iter().all(|x| x.severity == Severity::Warn));
    assert!(has(&f, CheckId::SchemaChange, "2025-05-13", None), "Growth comes back on 05-13");
}

#[test]
fn clean_data_raises_no_fail_and_few_warnings_staged_or_committed() {
    let dir = tempfile::tempdir().unwrap();
    let days = dir.path().join("days");
    riskdesk::demo::write_exposures(&days, &DemoOptions { assets: 600, days: 31, ..DemoOptions::default() }, &Progress::none()).unwrap();
    let b = LocalBackend::open(&dir.path().join("home")).unwrap();
    b.stage(D, &[days], false, &Progress::none()).unwrap();
    let staged = b.check(D, &CheckRequest { staging: true, ..CheckRequest::default() }).unwrap().findings;
    assert!(staged.iter().all(|x| x.severity == Severity::Warn) && staged.len() <= 5, "{staged:#?}");
    b.commit(D, CommitMode::Append, None, &Progress::none()).unwrap();
    let committed = b.check(D, &CheckRequest::default()).unwrap().findings;
    assert_eq!(committed, staged.into_iter().filter(|x| x.check != CheckId::DuplicateDay).collect::<Vec<_>>());
    // Staged again, every date is already committed: a warning each, no failure.
    let more = dir.path().join("more");
    riskdesk::demo::write_exposures(
        &more,
        &DemoOptions { assets: 600, days: 2, prefix: "again".into(), ..DemoOptions::default() },
        &Progress::none(),
    )
    .unwrap();
    b.stage(D, &[more], false, &Progress::none()).unwrap();
    let again = b.check(D, &CheckRequest { staging: true, ..CheckRequest::default() }).unwrap().findings;
    assert_eq!(again.iter().filter(|x| x.check == CheckId::DuplicateDay).count(), 2, "{again:#?}");
}

#[test]
fn thresholds_have_defaults_and_can_be_changed_by_name() {
    let mut t = Thresholds::default();
    assert_eq!(t.entries()["coverage_drop"], 0.95);
    t.apply("coverage_drop=0.5").unwrap();
    assert_eq!(t.coverage_drop, 0.5);
    let e = t.apply("coverage=0.5").unwrap_err().to_string();
    assert!(e.contains("unknown threshold 'coverage'") && e.contains("coverage_drop_fail"), "{e}");
    assert!(t.apply("stale_day=often").unwrap_err().to_string().contains("must be a number"));
}

#[test]
fn the_cli_prints_findings_as_json_and_fails_when_a_check_fails() {
    let dir = tempfile::tempdir().unwrap();
    let days = faulty_feed(dir.path());
    let home = dir.path().join("home");
    let run =
        |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_riskdesk")).arg("--home").arg(&home).args(args).output().unwrap();
    assert!(run(&["upload", "stage", "-d", D, days.to_str().unwrap()]).status.success());
    let out = run(&["upload", "check", "-d", D, "--staging", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "a fail finding exits with 1");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &json[0];
    for field in ["check", "severity", "date", "factor_group", "factor", "value", "threshold", "message", "assets"] {
        assert!(first.get(field).is_some(), "{field} missing in {first}");
    }
    assert_eq!(first["severity"], "fail");
    // Loosened thresholds silence those checks; the ones without a threshold still fail.
    let loose = ["--threshold", "coverage_drop_fail=0.1", "--threshold", "stale_day=1.1", "--threshold", "missing_values_fail=1.1"];
    let out = run(&[&["upload", "check", "-d", D, "--staging"][..], &loose].concat());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("not_one_hot"), "{text}");
    let strict_fails_left = ["not_one_hot", "market_not_one"];
    assert!(strict_fails_left.iter().all(|c| text.contains(c)) && out.status.code() == Some(1), "{text}");
}

#[test]
fn a_nan_cell_in_a_wide_file_is_a_missing_value() {
    let dir = tempfile::tempdir().unwrap();
    let days = dir.path().join("wide");
    let opts = DemoOptions { assets: 300, days: 1, layout: riskdesk::demo::DemoLayout::Wide, ..DemoOptions::default() };
    riskdesk::demo::write_exposures(&days, &opts, &Progress::none()).unwrap();
    let path = file(&days, "2025-05-01");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let col = lines[0].split(',').position(|h| h == "style.Value").expect("a style.Value column");
    let mut nans = 0;
    for line in lines.iter_mut().skip(1).step_by(10) {
        let mut cells: Vec<&str> = line.split(',').collect();
        cells[col] = "NaN";
        *line = cells.join(",");
        nans += 1;
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let b = LocalBackend::open(&dir.path().join("home")).unwrap();
    let staged = b.stage(D, &[days], false, &Progress::none()).unwrap();
    assert!(staged[0].success, "{staged:?}");
    let f = b.check(D, &CheckRequest { staging: true, ..CheckRequest::default() }).unwrap().findings;
    let missing =
        f.iter().find(|x| x.check == CheckId::MissingValues && x.factor.as_deref() == Some("Value")).expect("missing values found");
    // The NaN cells (and the demo's own 1% of empty cells) are counted as missing, not refused.
    assert!(missing.value >= nans as f64 / 300.0 && missing.value < 0.2, "{missing:?}");
}

#[test]
fn a_repeated_check_is_served_again_until_the_staging_changes() {
    let dir = tempfile::tempdir().unwrap();
    let days = dir.path().join("days");
    riskdesk::demo::write_exposures(&days, &DemoOptions { assets: 300, days: 5, ..DemoOptions::default() }, &Progress::none()).unwrap();
    let b = LocalBackend::open(&dir.path().join("home")).unwrap();
    b.stage(D, std::slice::from_ref(&days), false, &Progress::none()).unwrap();
    let staging = CheckRequest { staging: true, ..CheckRequest::default() };
    let first = b.check(D, &staging).unwrap();
    assert_eq!(b.check(D, &staging).unwrap(), first);
    // A re-sent day staged under the next date: the next check sees it.
    let resent = dir.path().join("resent");
    std::fs::create_dir_all(&resent).unwrap();
    let text = std::fs::read_to_string(file(&days, "2025-05-05")).unwrap().replace("2025-05-05", "2025-05-06");
    std::fs::write(file(&resent, "2025-05-06"), text).unwrap();
    b.stage(D, &[resent], false, &Progress::none()).unwrap();
    let after = b.check(D, &staging).unwrap().findings;
    assert!(has(&after, CheckId::StaleDay, "2025-05-06", None), "{after:?}");
    // And committing it: the committed version is checked, not the old staging.
    b.commit(D, CommitMode::Append, None, &Progress::none()).unwrap();
    assert!(has(&b.check(D, &CheckRequest::default()).unwrap().findings, CheckId::StaleDay, "2025-05-06", None));
    assert!(b.check(D, &staging).unwrap().findings.is_empty(), "nothing staged after the commit");
}

#[test]
fn a_quick_check_leaves_the_cached_full_report_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let days = dir.path().join("days");
    riskdesk::demo::write_exposures(&days, &DemoOptions { assets: 300, days: 5, ..DemoOptions::default() }, &Progress::none()).unwrap();
    let home = dir.path().join("home");
    let b = LocalBackend::open(&home).unwrap();
    b.stage(D, &[days], false, &Progress::none()).unwrap();
    let full = CheckRequest { staging: true, ..CheckRequest::default() };
    let first = b.check(D, &full).unwrap();
    // With the staged data gone from disk, only a cached report can answer the full check, and
    // the quick checks still run from what staging recorded.
    let staged: Vec<_> = walk(&home).into_iter().filter(|p| p.extension().is_some_and(|e| e == "parquet")).collect();
    assert_eq!(staged.len(), 5, "{staged:?}");
    staged.iter().for_each(|p| std::fs::remove_file(p).unwrap());
    let quick = b.check(D, &CheckRequest { quick: true, ..full.clone() }).unwrap();
    assert!(quick.quick && quick.findings.iter().all(|f| f.check != CheckId::StaleDay));
    assert_eq!(b.check(D, &full).unwrap(), first);
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() { walk(&p) } else { vec![p] }
        })
        .collect()
}
