//! Times what two screens of the app ask of the engine on stored data, through the backend the
//! app uses, and prints one line per step (`step seconds`) and the process's peak RSS. A
//! measurement for scripts/bench, not a test.
//!
//! - `check HOME DATASET`: the Check screen on the staging area: the detail summary, the day
//!   charts drawn from it and the quick checks.
//! - `dataset HOME RISK_DATASET [STYLE]`: the Dataset screen's grid: running it (the query), the
//!   first page, a jump to the last date, a page in the middle; a filter on a style and its first
//!   page; a sort by that style and pages of it.
//!
//! `cargo bench -p riskdesk-cli --bench screens -- check HOME DATASET`

use std::time::Instant;

use riskdesk::api::CheckRequest;
use riskdesk::riskdataset::ExposureQuery;
use riskdesk::riskdataset::grid::{GridFilter, GridOp, GridRequest, GridSort};
use riskdesk::{Backend, LocalBackend, Progress};

/// Rows the app asks for at a time.
const PAGE: usize = 200;

fn timed<T>(step: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    println!("{step} {:.3}", t.elapsed().as_secs_f64());
    out
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn check(b: &LocalBackend, dataset: &str) {
    let rows = timed("check-summary-detail", || b.staging_detail(dataset).expect("the detail summary"));
    timed("check-day-charts", || b.day_charts(dataset, (1100, 260)).expect("the day charts"));
    let quick = CheckRequest { staging: true, quick: true, ..CheckRequest::default() };
    timed("check-quick", || b.check(dataset, &quick).expect("the quick checks"));
    println!("check-days {}", rows.iter().map(|r| r.date.as_str()).collect::<std::collections::BTreeSet<_>>().len());
}

fn dataset(b: &LocalBackend, dataset: &str, style: &str) {
    let plain =
        GridRequest { dataset: dataset.to_owned(), query: ExposureQuery::default(), sort: None, filters: vec![], search: String::new() };
    let none = Progress::none();
    let info = timed("grid-run", || b.grid(&plain, &none).expect("the grid"));
    timed("grid-first-page", || b.grid_rows(&plain, 0, PAGE).expect("a page"));
    let last = info.days.last().and_then(|d| d.first).unwrap_or(0) as usize;
    timed("grid-jump-last-date", || b.grid_rows(&plain, last, PAGE).expect("a page"));
    timed("grid-middle-page", || b.grid_rows(&plain, info.total as usize / 2, PAGE).expect("a page"));

    let filter = vec![GridFilter { column: style.to_owned(), op: GridOp::Gt, values: vec!["1".into()] }];
    let filtered = GridRequest { filters: filter, ..plain.clone() };
    timed("grid-run-filtered", || b.grid(&filtered, &none).expect("the grid"));
    timed("grid-filtered-first-page", || b.grid_rows(&filtered, 0, PAGE).expect("a page"));

    let sorted = GridRequest { sort: Some(GridSort { column: style.to_owned(), descending: true }), ..plain.clone() };
    let info = timed("grid-run-sorted", || b.grid(&sorted, &none).expect("the grid"));
    timed("grid-sorted-first-page", || b.grid_rows(&sorted, 0, PAGE).expect("a page"));
    timed("grid-sorted-middle-page", || b.grid_rows(&sorted, info.total as usize / 2, PAGE).expect("a page"));
    println!("grid-rows {}", info.total);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let usage = || -> ! {
        eprintln!("usage: screens check HOME DATASET | screens dataset HOME RISK_DATASET [STYLE]");
        std::process::exit(2)
    };
    let [screen, home, name, rest @ ..] = &args[..] else { usage() };
    let b = LocalBackend::open(std::path::Path::new(home)).expect("the home folder");
    match screen.as_str() {
        "check" => check(&b, name),
        "dataset" => dataset(&b, name, rest.first().map_or("style.style.Size", String::as_str)),
        _ => usage(),
    }
    println!("peak-rss-mb {:.0}", peak_rss_mb());
}
