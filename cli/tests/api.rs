//! Every operation of the `Backend` trait through `LocalBackend`, on a small demo: the order a
//! front end calls them in, with the answers checked against the demo files and the engine.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use riskdesk::api::DataRequest;
use riskdesk::demo::DemoOptions;
use riskdesk::error::ErrorBody;
use riskdesk::progress::Step;
use riskdesk::riskdataset::grid::{ColumnKind, GridFilter, GridOp, GridRequest, GridSort};
use riskdesk::riskdataset::{ExposureQuery, RiskDatasetSettings, Selection, Status};
use riskdesk::scan::FileStatus;
use riskdesk::table::{Format, Values};
use riskdesk::uploader::{Column, CommitMode, StageState};
use riskdesk::{Backend, Error, LocalBackend, Progress};

const DATASET: &str = "My-Exposures";
const INSTITUTIONS: &str = "Institutions, Associations & Organizations";

fn demo() -> DemoOptions {
    DemoOptions { assets: 400, days: 4, ..DemoOptions::default() }
}

struct Setup {
    dir: tempfile::TempDir,
    backend: LocalBackend,
    folder: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("daily");
    riskdesk::demo::write_exposures(&folder, &demo(), &Progress::none()).unwrap();
    let backend = LocalBackend::open(&dir.path().join("home")).unwrap();
    Setup { dir, backend, folder }
}

/// A grid of `query` over `dataset`, unsorted and unfiltered.
fn grid(dataset: &str, query: ExposureQuery) -> GridRequest {
    GridRequest { dataset: dataset.into(), query, sort: None, filters: vec![], search: String::new() }
}

fn settings() -> RiskDatasetSettings {
    let json = format!(
        r#"{{"reference_dataset": "Demo-Global", "exposures": [{{"exposure_type": "uploaded", "exposure_source": "{DATASET}",
            "market_factor_group": "market", "style_factor_group": "style", "industry_factor_group": "industry",
            "region_factor_group": "region"}}]}}"#
    );
    RiskDatasetSettings::from_json(&json, "test").unwrap()
}

/// Stages and commits the demo, stores the demo reference and builds "Risk" over them.
fn committed_and_built(s: &Setup) {
    let b = &s.backend;
    b.stage(DATASET, std::slice::from_ref(&s.folder), false, &Progress::none()).unwrap();
    b.commit(DATASET, CommitMode::Append, None, &Progress::none()).unwrap();
    b.demo_reference(&demo()).unwrap();
    b.create_risk_dataset("Risk", &settings(), false, &Progress::none()).unwrap();
}

#[test]
fn every_operation_of_the_upload_half() {
    let s = setup();
    let b = &s.backend;
    assert_eq!(b.location(), s.dir.path().join("home").display().to_string());
    assert!(b.datasets().unwrap().is_empty());
    assert!(b.file_statuses(DATASET).unwrap().is_empty(), "an unknown dataset knows no names");
    let scan = b.scan(&s.folder, Some(DATASET)).unwrap();
    assert_eq!(scan.files.len(), 4);

    let steps = std::sync::Mutex::new(Vec::<Step>::new());
    let sink = |st: &Step| steps.lock().unwrap().push(st.clone());
    let results = b.stage(DATASET, std::slice::from_ref(&s.folder), false, &Progress::new(&sink)).unwrap();
    assert!(results.iter().all(|r| r.success && r.state == StageState::Staged), "{results:?}");
    assert_eq!(steps.lock().unwrap().last().map(|st| (st.phase.as_str(), st.done, st.total)), Some(("stage", 4, 4)));
    assert_eq!(b.datasets().unwrap()[0].staged, 4);
    assert!(b.file_statuses(DATASET).unwrap().values().all(|st| *st == FileStatus::Staged));
    assert_eq!(b.staging_results(DATASET).unwrap().len(), 4);
    assert_eq!(b.staging_summary(DATASET).unwrap().len(), 4);
    let detail = b.staging_detail(DATASET).unwrap();
    assert_eq!(detail.len(), 4);
    let first = &results[0];
    let day = b.staged_day(DATASET, &first.name, first.first_date.as_deref().unwrap()).unwrap();
    let groups: Vec<&str> = day.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(groups, ["industry", "market", "region", "style"]);
    let charts = b.day_charts(DATASET, (600, 200)).unwrap();
    assert_eq!(charts.dates.len(), 4);
    let histogram = b.day_histogram(DATASET, &first.name, first.first_date.as_deref().unwrap(), None, None, (600, 200)).unwrap();
    assert_eq!(histogram.group, "style");
    let styles = day.iter().find(|g| g.group == "style").unwrap().values();
    assert_eq!(histogram.histogram.bins.iter().map(|b| u64::from(b.count)).sum::<u64>(), styles.len() as u64);
    // One style alone, and a categorical group counted per factor.
    let date = first.first_date.as_deref().unwrap();
    let size = b.day_histogram(DATASET, &first.name, date, Some("style"), Some("Size"), (600, 200)).unwrap();
    let sizes = day.iter().find(|g| g.group == "style").unwrap().factors.iter().find(|f| f.factor == "Size").unwrap().values.len();
    assert_eq!((size.factor.as_deref(), size.histogram.bins.iter().map(|b| b.count as usize).sum::<usize>()), (Some("Size"), sizes));
    let industries = b.day_histogram(DATASET, &first.name, date, Some("industry"), None, (600, 200)).unwrap();
    assert_eq!(industries.categories.len(), industries.factors.len());
    let counts: Vec<u32> = industries.histogram.bins.iter().map(|b| b.count).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most members first: {counts:?}");
    let members = day.iter().find(|g| g.group == "industry").unwrap().values().len();
    assert_eq!(counts.iter().sum::<u32>() as usize, members, "one bar per industry, every member counted");

    let wiped = b.wipe_staging(DATASET, Some(std::slice::from_ref(&first.name))).unwrap();
    assert_eq!(wiped.len(), 1);
    assert_eq!(b.staging_results(DATASET).unwrap().len(), 3);
    let commit = b.commit(DATASET, CommitMode::Append, None, &Progress::none()).unwrap();
    assert_eq!((commit.version, commit.committed_names.len()), (1, 3));
    assert_eq!(b.version_history(DATASET).unwrap().len(), 1);
    assert_eq!(b.data_summary(DATASET, None).unwrap().len(), 3);
    assert_eq!(b.data_detail(DATASET, Some(1)).unwrap().len(), 3);
    assert_eq!(b.factor_groups(DATASET, None).unwrap(), ["industry", "market", "region", "style"]);
    let groups = b
        .data(DATASET, &DataRequest { columns: vec![Column::FactorGroup], unique: true, version: None, filters: vec![] }, &Progress::none())
        .unwrap();
    assert_eq!(groups.rows(), 4);
    let all =
        b.data(DATASET, &DataRequest { columns: vec![], unique: false, version: Some(1), filters: vec![] }, &Progress::none()).unwrap();
    assert_eq!(all.names, ["date", "asset_id", "asset_id_type", "factor_group", "factor", "exposure"]);
    assert_eq!(all.rows() as u64, b.version_history(DATASET).unwrap()[0].rows);

    b.destroy(DATASET).unwrap();
    assert!(b.datasets().unwrap().is_empty());
    assert_eq!(b.version_history(DATASET).unwrap_err().code(), "not_found");
}

#[test]
fn every_operation_of_the_risk_half() {
    let s = setup();
    let b = &s.backend;
    committed_and_built(&s);
    let refs = b.references().unwrap();
    assert_eq!(refs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Demo-Global"]);
    let exchanges = b.reference_exchanges("Demo-Global").unwrap();
    assert_eq!(exchanges.iter().map(|e| e.assets).sum::<usize>(), refs[0].assets);
    let list = b.risk_datasets().unwrap();
    assert_eq!(
        list.iter().map(|d| (d.name.as_str(), d.status)).collect::<Vec<_>>(),
        [("Demo-Global", Status::Ready), ("Risk", Status::Ready)]
    );
    let d = b.describe_risk_dataset("Risk").unwrap();
    assert_eq!(d.report.sources[0].version, 1);

    let q = ExposureQuery::default();
    let table = b.exposures("Risk", &q).unwrap();
    let page = b.grid_rows(&grid("Risk", q.clone()), 10, 5).unwrap();
    assert_eq!((page.total, page.rows.len()), (table.rows(), 5));
    assert_eq!(page.rows[0][..table.columns.len()], (0..table.columns.len()).map(|c| table.cell(10, c)).collect::<Vec<_>>());
    let out = s.dir.path().join("out.csv");
    assert_eq!(b.export_exposures("Risk", &q, Format::Csv, &out, &Progress::none()).unwrap(), table.rows());
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), table.rows() + 1);

    // A new version makes the dataset stale; update rebuilds it.
    b.stage(DATASET, std::slice::from_ref(&s.folder), true, &Progress::none()).unwrap();
    b.commit(DATASET, CommitMode::Upsert, None, &Progress::none()).unwrap();
    assert_eq!(b.describe_risk_dataset("Risk").unwrap().status, Status::Stale);
    let updated = b.update_risk_dataset("Risk", &Progress::none()).unwrap();
    assert!(updated.updated);
    assert_eq!(updated.report.sources[0].version, 2);
    // The grid never serves the rows of the replaced build.
    assert_eq!(b.grid_rows(&grid("Risk", q.clone()), 0, 1).unwrap().total, b.exposures("Risk", &q).unwrap().rows());

    let refused = b.delete_reference("Demo-Global").unwrap_err();
    assert_eq!((refused.code(), refused.details()), ("conflict", &["Risk".to_owned()][..]), "{refused}");
    assert!(b.delete_risk_dataset("Risk", false).unwrap());
    assert!(!b.delete_risk_dataset("Risk", true).unwrap());
    b.delete_reference("Demo-Global").unwrap();
    assert!(b.references().unwrap().is_empty());
}

#[test]
fn an_industry_named_with_commas_selects_its_members() {
    let s = setup();
    committed_and_built(&s);
    let q = ExposureQuery { industries: Selection::Only(vec![INSTITUTIONS.into()]), ..ExposureQuery::default() };
    let table = s.backend.exposures("Risk", &q).unwrap();
    let column = format!("industry.industry.{INSTITUTIONS}");
    let c = table.names.iter().position(|n| *n == column).unwrap_or_else(|| panic!("no {column} in {:?}", table.names));
    assert!(table.rows() > 0, "the demo has members of {INSTITUTIONS}");
    assert!((0..table.rows()).all(|r| table.cell(r, c) == "1"), "only members are returned");
    assert!(table.rows() < s.backend.exposures("Risk", &ExposureQuery::default()).unwrap().rows());
}

/// The grid against the whole frame of `exposures`: its rows, sorted, filtered, searched, with
/// each column's profile and each date's first row.
#[test]
fn the_grid_sorts_filters_searches_and_profiles_the_rows() {
    let s = setup();
    committed_and_built(&s);
    let b = &s.backend;
    let all_ind = ExposureQuery { industries: Selection::All, ..ExposureQuery::default() };
    let table = b.exposures("Risk", &all_ind).unwrap();
    let n = table.rows();
    let col = |name: &str| table.names.iter().position(|x| x == name).unwrap_or_else(|| panic!("no {name}"));
    let f32s = |c: usize| match &table.columns[c] {
        Values::F32(v) => v.clone(),
        other => panic!("{other:?}"),
    };
    let size = f32s(col("style.style.Size"));
    // Each row's industry, from the 0/1 columns.
    let industries: Vec<String> = (0..n)
        .map(|r| {
            let hit = table.names.iter().enumerate().find(|(c, name)| name.starts_with("industry.") && table.cell(r, *c) == "1");
            hit.map(|(_, name)| name["industry.industry.".len()..].to_owned()).unwrap_or_default()
        })
        .collect();

    // Unsorted: date then id, industries as one column of names.
    let request = grid("Risk", ExposureQuery::default());
    let info = b.grid(&request, &Progress::none()).unwrap();
    assert_eq!((info.total as usize, info.unfiltered as usize), (n, n));
    let names: Vec<&str> = info.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(&names[..2], ["date", "bayesid"]);
    assert_eq!(&names[names.len() - 2..], ["industry", "region"]);
    assert_eq!(info.columns[names.len() - 2].kind, ColumnKind::Category);
    let page = b.grid_rows(&request, 0, n).unwrap();
    let ind = names.iter().position(|x| *x == "industry").unwrap();
    for r in [0, 1, n / 2, n - 1] {
        assert_eq!(page.rows[r][0], table.cell(r, 0));
        assert_eq!(page.rows[r][1], table.cell(r, 1));
        assert_eq!(page.rows[r][ind], industries[r], "row {r}");
        // Every factor, standardized by the scales the run found (a page reads no market caps).
        for c in 2..ind {
            assert_eq!(
                (page.columns[c].as_str(), page.rows[r][c].as_str()),
                (table.names[c].as_str(), table.cell(r, c).as_str()),
                "row {r}"
            );
        }
    }
    // The profile of a style: nulls, min and max of the frame.
    let present: Vec<f32> = size.iter().copied().filter(|x| !x.is_nan()).collect();
    let size_col = &info.columns[names.iter().position(|x| *x == "style.style.Size").unwrap()];
    assert_eq!(size_col.nulls as usize, n - present.len());
    assert_eq!(size_col.min, Some(present.iter().copied().fold(f32::INFINITY, f32::min).to_string()));
    assert_eq!(size_col.max, Some(present.iter().copied().fold(f32::NEG_INFINITY, f32::max).to_string()));
    assert_eq!(info.columns[0].distinct, Some(info.days.len() as u64));
    // Each date's first row, in date order.
    let mut first = 0;
    for day in &info.days {
        assert_eq!(day.first, Some(first));
        assert_eq!(page.rows[first as usize][0], day.date);
        first += day.rows;
    }
    assert_eq!(first as usize, n);

    // Sorted by Size, largest first, then filtered to one industry and Size above 0.
    let sorted = GridRequest { sort: Some(GridSort { column: "style.style.Size".into(), descending: true }), ..request.clone() };
    let info = b.grid(&sorted, &Progress::none()).unwrap();
    assert!(info.days.iter().all(|d| d.first.is_none()), "a sorted grid has no date offsets");
    let page = b.grid_rows(&sorted, 0, n).unwrap();
    let c = names.iter().position(|x| *x == "style.style.Size").unwrap();
    let shown: Vec<f32> = page.rows.iter().map(|r| r[c].parse().unwrap_or(f32::NAN)).collect();
    let mut expected = size.clone();
    expected.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
    assert_eq!(shown.iter().filter(|x| !x.is_nan()).collect::<Vec<_>>(), expected.iter().filter(|x| !x.is_nan()).collect::<Vec<_>>());
    let filtered = GridRequest {
        filters: vec![
            GridFilter { column: "industry".into(), op: GridOp::OneOf, values: vec![INSTITUTIONS.into()] },
            GridFilter { column: "style.style.Size".into(), op: GridOp::Gt, values: vec!["0".into()] },
        ],
        ..sorted.clone()
    };
    let page = b.grid_rows(&filtered, 0, n).unwrap();
    let want = (0..n).filter(|&r| industries[r] == INSTITUTIONS && size[r] > 0.0).count();
    assert!(want > 0);
    assert_eq!((page.total, page.rows.len()), (want, want));
    assert!(page.rows.iter().all(|r| r[ind] == INSTITUTIONS && r[c].parse::<f32>().unwrap() > 0.0));

    // A search by ticker keeps that asset's rows, one per date.
    let reference = riskdesk::Home::open(&s.dir.path().join("home")).unwrap().reference("Demo-Global").unwrap();
    let (_, tickers) = reference.assets.alt_ids.iter().find(|(t, _)| t == "ticker").expect("the demo has tickers");
    let id = &table.cell(0, 1);
    let i = reference.assets.asset_id.iter().position(|a| a == id).unwrap();
    let ticker = tickers[i].clone().unwrap();
    let searched = GridRequest { search: ticker.to_lowercase(), ..request.clone() };
    let page = b.grid_rows(&searched, 0, n).unwrap();
    let mine = (0..n).filter(|&r| table.cell(r, 1) == *id).count();
    assert!(page.total >= mine && page.rows.iter().filter(|r| r[1] == *id).count() == mine, "{ticker}: {} rows", page.total);

    // Bad filters name the column and the value.
    let bad = GridRequest {
        filters: vec![GridFilter { column: "style.style.Size".into(), op: GridOp::Lt, values: vec!["abc".into()] }],
        ..request.clone()
    };
    let e = b.grid(&bad, &Progress::none()).unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert!(e.to_string().contains("'style.style.Size'") && e.to_string().contains("'abc' is not a number"), "{e}");
    let unknown = GridRequest { sort: Some(GridSort { column: "nope".into(), descending: false }), ..request };
    assert!(b.grid(&unknown, &Progress::none()).unwrap_err().to_string().contains("column 'nope' is not a column"));
}

#[test]
fn errors_travel_as_code_message_and_details() {
    let s = setup();
    let e = s.backend.version_history("Nope").unwrap_err();
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["code"], "not_found");
    assert_eq!(json["message"], "dataset 'Nope' does not exist");
    let back: Error = serde_json::from_value(json).unwrap();
    assert_eq!((back.code(), back.to_string()), ("not_found", e.to_string()));
    let conflict = Error::conflict("keys exist", vec!["a".into(), "b".into()]);
    let back: Error = serde_json::from_str(&serde_json::to_string(&conflict).unwrap()).unwrap();
    assert_eq!(ErrorBody::from(&back), ErrorBody::from(&conflict));
    assert!(matches!(back, Error::Conflict { .. }));
}

#[test]
fn a_read_answers_while_a_build_runs_on_another_thread() {
    let s = setup();
    let b = &s.backend;
    committed_and_built(&s);
    let (entered, at_step) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let released = std::sync::Mutex::new(released);
    let once = std::sync::Once::new();
    let hold = |_: &Step| {
        once.call_once(|| {
            entered.send(()).unwrap();
            released.lock().unwrap().recv().unwrap();
        })
    };
    std::thread::scope(|scope| {
        let build = scope.spawn(|| b.create_risk_dataset("Second", &settings(), false, &Progress::new(&hold)));
        at_step.recv().unwrap();
        let (done, finished) = mpsc::channel();
        scope.spawn(move || done.send(b.version_history(DATASET).map(|v| v.len())).unwrap());
        assert_eq!(finished.recv_timeout(Duration::from_secs(60)).expect("the read did not wait for the build").unwrap(), 1);
        release.send(()).unwrap();
        build.join().unwrap().unwrap();
    });
    let names: HashSet<String> = b.risk_datasets().unwrap().into_iter().map(|d| d.name).collect();
    assert!(names.contains("Second"));
}

#[test]
fn the_cli_takes_the_industry_with_commas_as_one_flag() {
    let s = setup();
    committed_and_built(&s);
    let home: &Path = &s.dir.path().join("home");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_riskdesk"))
        .args(["--home", home.to_str().unwrap(), "exposures", "get", "-d", "Risk", "--format", "csv", "--industry", INSTITUTIONS])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.ends_with(&format!(",\"industry.industry.{INSTITUTIONS}\"")), "{header}");
    assert!(text.lines().skip(1).all(|l| l.ends_with(",1")), "only members are returned");
    assert!(text.lines().count() > 1);
}

/// Every file under `dir`, as paths relative to it, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                todo.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().to_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_orphan_cleanup_keeps_every_kind_of_stored_file() {
    let s = setup();
    committed_and_built(&s);
    // One more name staged, so that staged, committed, risk and reference files all exist.
    let extra = s.dir.path().join("extra");
    riskdesk::demo::write_exposures(
        &extra,
        &DemoOptions { start: riskdesk::date::parse(b"2025-06-01").unwrap(), ..demo() },
        &Progress::none(),
    )
    .unwrap();
    // A date committed again with upsert, so that a merged part exists beside the parts that
    // are staged files kept as they were.
    let again = s.dir.path().join("again");
    riskdesk::demo::write_exposures(&again, &DemoOptions { days: 1, seed: 99, ..demo() }, &Progress::none()).unwrap();
    s.backend.stage(DATASET, &[again], true, &Progress::none()).unwrap();
    s.backend.commit(DATASET, CommitMode::Upsert, None, &Progress::none()).unwrap();
    s.backend.stage(DATASET, &[extra], false, &Progress::none()).unwrap();
    let data = s.dir.path().join("home").join("data");
    let stored = files_under(&data);
    for kind in ["/staged/", "/parts/", "risk/", "references/"] {
        assert!(stored.iter().any(|f| f.to_string_lossy().contains(kind)), "no {kind} file in {stored:?}");
    }
    // Leftovers of crashed writers: next to each kind of file (a reference's folder is kept
    // whole, so not inside one) and in folders of their own.
    let mut orphans = Vec::new();
    for f in stored.iter().filter(|f| !f.starts_with("references")) {
        orphans.push(data.join(f).with_file_name("orphan.parquet"));
    }
    orphans.push(data.join("99").join("parts").join("orphan.parquet"));
    orphans.push(data.join("references").join("99").join("assets.parquet"));
    for o in &orphans {
        std::fs::create_dir_all(o.parent().unwrap()).unwrap();
        std::fs::write(o, b"left behind").unwrap();
    }
    let before = s.backend.exposures("Risk", &ExposureQuery::default()).unwrap().rows();

    // Taking the write lock runs the cleanup.
    drop(riskdesk::Home::open(&s.dir.path().join("home")).unwrap().write_lock(riskdesk::store::Scope::References).unwrap());
    assert_eq!(files_under(&data), stored, "every referenced file stays and every orphan goes");
    assert!(!data.join("99").exists() && !data.join("references").join("99").exists());
    assert_eq!(s.backend.exposures("Risk", &ExposureQuery::default()).unwrap().rows(), before);
    assert_eq!(s.backend.staging_results(DATASET).unwrap().len(), 4);
    assert_eq!(s.backend.references().unwrap().len(), 1);
}
