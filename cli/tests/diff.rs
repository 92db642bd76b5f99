//! Version diffs after each commit mode, against answers stated by hand.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

use std::path::Path;

use riskdesk::uploader::{CommitMode, FactorDiff, VersionDiff};
use riskdesk::{Backend, LocalBackend, Progress};

const D: &str = "Exp";
const D1: &str = "2025-05-01";
const D2: &str = "2025-05-02";
const D3: &str = "2025-05-03";
const D4: &str = "2025-05-04";

/// Stages one long file per date (`(date, asset, factor, value)` rows, all style) and commits them.
fn commit(b: &LocalBackend, dir: &Path, n: usize, mode: CommitMode, rows: &[(&str, &str, &str, f32)]) {
    let folder = dir.join(format!("c{n}"));
    std::fs::create_dir_all(&folder).unwrap();
    let mut dates: Vec<&str> = rows.iter().map(|r| r.0).collect();
    dates.dedup();
    for date in dates {
        let mut text = String::from("date,asset_id,asset_id_type,factor_group,factor,exposure\n");
        for (d, a, f, v) in rows.iter().filter(|r| r.0 == date) {
            text.push_str(&format!("{d},{a},bayesid,style,{f},{v}\n"));
        }
        std::fs::write(folder.join(format!("x_{date}.csv")), text).unwrap();
    }
    let staged = b.stage(D, &[folder], false, &Progress::none()).unwrap();
    assert!(staged.iter().all(|r| r.success), "{staged:?}");
    assert_eq!(b.commit(D, mode, None, &Progress::none()).unwrap().version as usize, n);
}

fn factor(d: &VersionDiff, name: &str) -> FactorDiff {
    d.factors.iter().find(|f| f.factor == name).cloned().unwrap_or_else(|| panic!("no {name} in {d:?}"))
}

/// (added, removed, changed) of a factor.
fn counts(f: &FactorDiff) -> (u64, u64, u64) {
    (f.added, f.removed, f.changed)
}

#[test]
fn diffs_after_each_commit_mode_match_the_hand_stated_answers() {
    let dir = tempfile::tempdir().unwrap();
    let b = LocalBackend::open(&dir.path().join("home")).unwrap();
    // v1 (append): day 1 with A and B, day 2 with A.
    commit(
        &b,
        dir.path(),
        1,
        CommitMode::Append,
        &[(D1, "A", "Size", 1.0), (D1, "A", "Value", 2.0), (D1, "B", "Size", 3.0), (D1, "B", "Value", 4.0), (D2, "A", "Size", 5.0)],
    );
    // v2 (upsert): day 2's A changes 5 → 6 and B arrives; day 3 is new.
    commit(&b, dir.path(), 2, CommitMode::Upsert, &[(D2, "A", "Size", 6.0), (D2, "B", "Size", 7.0), (D3, "A", "Size", 8.0)]);
    let d = b.diff(D, 1, 2).unwrap();
    assert_eq!(
        (d.dates_added.as_slice(), d.dates_removed.len(), d.dates_changed.as_slice(), d.dates_unchanged),
        (&[D3.to_owned()][..], 0, &[D2.to_owned()][..], 1)
    );
    let size = factor(&d, "Size");
    assert_eq!(counts(&size), (2, 0, 1));
    assert_eq!((size.largest_change, size.largest_at.as_deref()), (1.0, Some("2025-05-02 A")));
    assert_eq!((d.factors.len(), d.rows_changed), (1, 3));

    // v3 (overwrite_dates): day 1 becomes A's Size alone.
    commit(&b, dir.path(), 3, CommitMode::OverwriteDates, &[(D1, "A", "Size", 1.0)]);
    let d = b.diff(D, 2, 3).unwrap();
    assert_eq!((d.dates_changed.as_slice(), d.dates_unchanged, d.dates_added.len()), (&[D1.to_owned()][..], 2, 0));
    assert_eq!((counts(&factor(&d, "Size")), counts(&factor(&d, "Value"))), ((0, 1, 0), (0, 2, 0)));
    assert_eq!(d.rows_changed, 3);

    // v4 (overwrite): only day 3, with A at 9.
    commit(&b, dir.path(), 4, CommitMode::Overwrite, &[(D3, "A", "Size", 9.0)]);
    let d = b.diff(D, 3, 4).unwrap();
    assert_eq!((d.dates_removed.as_slice(), d.dates_changed.as_slice()), (&[D1.to_owned(), D2.to_owned()][..], &[D3.to_owned()][..]));
    let size = factor(&d, "Size");
    assert_eq!((counts(&size), size.largest_change), ((0, 3, 1), 1.0));

    // v5 (append): a new day.
    commit(&b, dir.path(), 5, CommitMode::Append, &[(D4, "B", "Size", 1.5)]);
    let d = b.diff(D, 4, 5).unwrap();
    assert_eq!((d.dates_added.as_slice(), counts(&factor(&d, "Size")), d.dates_unchanged), (&[D4.to_owned()][..], (1, 0, 0), 1));

    // Across several versions, and a version against itself.
    let d = b.diff(D, 1, 5).unwrap();
    assert_eq!(
        (d.dates_removed.as_slice(), d.dates_added.as_slice()),
        (&[D1.to_owned(), D2.to_owned()][..], &[D3.to_owned(), D4.to_owned()][..])
    );
    let same = b.diff(D, 3, 3).unwrap();
    assert_eq!((same.rows_changed, same.dates_unchanged, same.factors.len()), (0, 3, 0));
    assert_eq!(b.diff(D, 1, 9).unwrap_err().code(), "not_found");
}

#[test]
fn changed_rows_come_by_date_and_key_a_page_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let b = LocalBackend::open(&dir.path().join("home")).unwrap();
    commit(&b, dir.path(), 1, CommitMode::Append, &[(D1, "A", "Size", 1.0), (D1, "B", "Size", 3.0), (D2, "A", "Size", 5.0)]);
    commit(&b, dir.path(), 2, CommitMode::Upsert, &[(D1, "B", "Size", 3.5), (D2, "A", "Size", 4.0), (D2, "C", "Size", 2.0)]);
    let all = b.diff_rows(D, 1, 2, 0, 10).unwrap();
    let rows: Vec<(&str, &str, Option<f32>, Option<f32>)> =
        all.rows.iter().map(|r| (r.date.as_str(), r.asset_id.as_str(), r.old, r.new)).collect();
    assert_eq!(rows, [(D1, "B", Some(3.0), Some(3.5)), (D2, "A", Some(5.0), Some(4.0)), (D2, "C", None, Some(2.0))]);
    assert_eq!(all.total, 3);
    let page = b.diff_rows(D, 1, 2, 1, 1).unwrap();
    assert_eq!((page.total, page.rows.len(), page.rows[0].asset_id.as_str()), (3, 1, "A"));
    // The CLI prints the same summary and rows.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_riskdesk"))
        .arg("--home")
        .arg(dir.path().join("home"))
        .args(["upload", "diff", "-d", D, "--from", "1", "--to", "2", "--rows", "--format", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("2025-05-02,C,bayesid,style,Size,,2\n"), "{text}");
    // Nothing changed: the header alone.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_riskdesk"))
        .arg("--home")
        .arg(dir.path().join("home"))
        .args(["upload", "diff", "-d", D, "--from", "2", "--to", "2", "--rows", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "date,asset_id,asset_id_type,factor_group,factor,old,new\n");
}

#[test]
fn pages_after_a_summary_match_one_long_page() {
    let dir = tempfile::tempdir().unwrap();
    let b = LocalBackend::open(&dir.path().join("home")).unwrap();
    let v1: Vec<(&str, &str, &str, f32)> =
        [D1, D2, D3, D4].iter().flat_map(|&d| ["A", "B", "C"].map(move |a| (d, a, "Size", 1.0))).collect();
    commit(&b, dir.path(), 1, CommitMode::Append, &v1);
    commit(&b, dir.path(), 2, CommitMode::Upsert, &[(D2, "A", "Size", 2.0), (D2, "B", "Size", 2.0), (D4, "C", "Size", 3.0)]);
    commit(&b, dir.path(), 3, CommitMode::Upsert, &[(D1, "A", "Size", 9.0)]);
    let all = b.diff_rows(D, 1, 2, 0, 100).unwrap();
    assert_eq!(all.total, 3);
    // The summary counts rows per date, which later pages use to pick their dates.
    assert_eq!(b.diff(D, 1, 2).unwrap().rows_changed, 3);
    let paged: Vec<_> = (0..3).flat_map(|k| b.diff_rows(D, 1, 2, k, 1).unwrap().rows).collect();
    assert_eq!(paged, all.rows);
    assert_eq!(b.diff_rows(D, 1, 2, 3, 1).unwrap().rows, []);
    // Counts of one comparison are never applied to another.
    let other = b.diff_rows(D, 2, 3, 0, 100).unwrap();
    let keys: Vec<(&str, &str)> = other.rows.iter().map(|r| (r.date.as_str(), r.asset_id.as_str())).collect();
    assert_eq!((other.total, keys), (1, vec![(D1, "A")]));
    assert_eq!(b.diff_rows(D, 1, 3, 1, 2).unwrap().rows.iter().map(|r| r.date.as_str()).collect::<Vec<_>>(), [D2, D2]);
}

#[test]
fn a_commit_preview_shows_what_each_mode_would_replace() {
    let dir = tempfile::tempdir().unwrap();
    let b = LocalBackend::open(&dir.path().join("home")).unwrap();
    commit(
        &b,
        dir.path(),
        1,
        CommitMode::Append,
        &[(D1, "A", "Size", 1.0), (D1, "B", "Size", 3.0), (D2, "A", "Size", 5.0), (D2, "B", "Size", 7.0)],
    );
    // Staged again: day 2 with A alone, at 2.
    let again = dir.path().join("again");
    std::fs::create_dir_all(&again).unwrap();
    std::fs::write(
        again.join(format!("y_{D2}.csv")),
        format!("date,asset_id,asset_id_type,factor_group,factor,exposure\n{D2},A,bayesid,style,Size,2\n"),
    )
    .unwrap();
    b.stage(D, &[again], false, &Progress::none()).unwrap();
    assert!(b.commit_preview(D, CommitMode::Append).unwrap().is_empty(), "append replaces nothing");
    let upsert = b.commit_preview(D, CommitMode::Upsert).unwrap();
    assert_eq!(upsert.len(), 1);
    let d2 = &upsert[0];
    assert_eq!((d2.date.as_str(), d2.old_assets, d2.new_assets), (D2, 2, 1));
    let size = &d2.factors[0];
    assert_eq!((size.factor.as_str(), size.old_mean, size.new_mean), ("Size", Some(6.0), Some(2.0)));
    assert_eq!((size.old_std.map(|s| (s * s * 1e9).round() / 1e9), size.new_std), (Some(2.0), Some(0.0)));
    let overwrite = b.commit_preview(D, CommitMode::Overwrite).unwrap();
    let dates: Vec<(&str, u32)> = overwrite.iter().map(|r| (r.date.as_str(), r.new_assets)).collect();
    assert_eq!(dates, [(D1, 0), (D2, 1)], "overwrite drops day 1");
}
