//! Reference datasets through the engine API: import, validation, replace, delete, the demo
//! reference and the orphan cleanup.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use riskdesk::Home;
use riskdesk::demo::{DemoOptions, REGIONS};
use riskdesk::reference::{DEMO_REFERENCE, Reference, ReferenceAssets};
use riskdesk::table::{Format, Table, Values};

/// A temporary folder with a home in `home/`.
struct Env {
    dir: tempfile::TempDir,
    home: Home,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::open(&dir.path().join("home")).unwrap();
        Env { dir, home }
    }

    /// A fresh input folder holding `files` (name, content).
    fn folder(&self, name: &str, files: &[(&str, &str)]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(&path).unwrap();
        for (file, content) in files {
            std::fs::write(path.join(file), content).unwrap();
        }
        path
    }

    fn references_dir(&self) -> PathBuf {
        self.dir.path().join("home").join("data").join("references")
    }

    /// Every file under the home's `data/` folder (relative paths).
    fn data_files(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        walk(&self.dir.path().join("home").join("data"), "", &mut out);
        out
    }
}

fn walk(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            walk(&e.path(), &format!("{name}/"), out);
        } else {
            out.insert(name);
        }
    }
}

fn day(s: &str) -> i32 {
    riskdesk::date::parse(s.as_bytes()).unwrap()
}

const ASSETS: &str = "\u{feff}asset_id,ticker,isin,exchange,country,currency,name
MSFT01,MSFT,US5949181045,XNAS,US,USD,Microsoft Corp.
AAPL01,AAPL,US0378331005,XNAS,US,USD,\"Apple, Inc.\"
SHEL01,SHEL,,XLON,GB,GBP,
";
const CAPS: &str = "date,asset_id,market_cap
2025-05-02,MSFT01,3100000000000.5
2025-05-01,SHEL01,2.1e11
2025-05-01,AAPL01,3000000000000
2025-05-02,AAPL01,2999999999999.25
2025-05-01,MSFT01,0.1
";
const RETURNS: &str = "date,asset_id,return
2025-05-02,AAPL01,-0.0125
2025-05-02,SHEL01,0
2025-05-02,MSFT01,0.03333333333333333
";

/// The reference the three files above describe.
fn expected(name: &str, created: &str) -> Reference {
    Reference {
        name: name.into(),
        id_type: "bayesid".into(),
        assets: ReferenceAssets {
            asset_id: vec!["AAPL01".into(), "MSFT01".into(), "SHEL01".into()],
            alt_ids: vec![
                ("ticker".into(), vec![Some("AAPL".into()), Some("MSFT".into()), Some("SHEL".into())]),
                ("isin".into(), vec![Some("US0378331005".into()), Some("US5949181045".into()), None]),
            ],
            exchange: vec!["XNAS".into(), "XNAS".into(), "XLON".into()],
            country: vec!["US".into(), "US".into(), "GB".into()],
            currency: vec!["USD".into(), "USD".into(), "GBP".into()],
            name: vec![Some("Apple, Inc.".into()), Some("Microsoft Corp.".into()), None],
        },
        market_caps: vec![
            (day("2025-05-01"), 0, 3e12),
            (day("2025-05-01"), 1, 0.1),
            (day("2025-05-01"), 2, 2.1e11),
            (day("2025-05-02"), 0, 2_999_999_999_999.25),
            (day("2025-05-02"), 1, 3_100_000_000_000.5),
        ],
        returns: vec![(day("2025-05-02"), 0, -0.0125), (day("2025-05-02"), 1, 0.033_333_333_333_333_33), (day("2025-05-02"), 2, 0.0)],
        created: created.into(),
    }
}

fn good_folder(env: &Env, name: &str) -> PathBuf {
    env.folder(name, &[("assets.csv", ASSETS), ("market_caps.csv", CAPS), ("returns.csv", RETURNS), (".DS_Store", "junk")])
}

#[test]
fn an_import_round_trips_exactly() {
    let env = Env::new();
    let dir = good_folder(&env, "in");
    let info = env.home.import_reference("Global", &dir, "bayesid", false).unwrap();
    assert_eq!(info.name, "Global");
    assert_eq!(info.id_type, "bayesid");
    assert_eq!(info.id_types, ["bayesid", "ticker", "isin"]);
    assert_eq!((info.assets, info.exchanges), (3, 2));
    assert_eq!((info.first_date.as_deref(), info.last_date.as_deref()), (Some("2025-05-01"), Some("2025-05-02")));
    assert!(info.has_market_caps && info.has_returns);

    let loaded = env.home.reference("Global").unwrap();
    assert_eq!(loaded, expected("Global", &info.created));
    assert_eq!(loaded.info(), info);
    assert_eq!(env.home.references().unwrap(), vec![info.clone()]);

    // Stored durably: a new handle on the same folder sees the same thing.
    let again = Home::open(&env.dir.path().join("home")).unwrap();
    assert_eq!(again.reference("Global").unwrap(), loaded);
    assert_eq!(again.references().unwrap(), vec![info]);

    // Stored as Parquet in data/references/<id>/.
    let files = env.data_files();
    let stored: Vec<&String> = files.iter().filter(|f| f.starts_with("references/")).collect();
    assert_eq!(stored.len(), 3, "{files:?}");
    for name in ["assets.parquet", "market_caps.parquet", "returns.parquet"] {
        assert!(stored.iter().any(|f| f.ends_with(&format!("/{name}"))), "{name} in {stored:?}");
    }
}

#[test]
fn optional_files_and_columns_may_be_left_out() {
    let env = Env::new();
    let dir = env.folder("in", &[("assets.csv", "asset_id,exchange,country,currency\nB,XTKS,JP,JPY\nA,XTKS,JP,JPY\n")]);
    let info = env.home.import_reference("Bare", &dir, "ticker", false).unwrap();
    assert_eq!(info.id_types, ["ticker"]);
    assert!(!info.has_market_caps && !info.has_returns);
    assert_eq!((info.first_date, info.last_date), (None, None));
    let r = env.home.reference("Bare").unwrap();
    assert_eq!(r.id_type, "ticker");
    assert_eq!(r.assets.asset_id, ["A", "B"]);
    assert!(r.assets.alt_ids.is_empty());
    assert_eq!(r.assets.name, [None, None]);
    assert!(r.market_caps.is_empty() && r.returns.is_empty());
}

/// Writes a table as a Parquet file.
fn parquet(path: &Path, table: &Table) {
    let mut bytes = Vec::new();
    table.write(Format::Parquet, &mut bytes, None).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn text(values: &[&str]) -> Values {
    Values::Text(values.iter().map(|s| s.to_string()).collect())
}

#[test]
fn parquet_files_import_like_csv() {
    let env = Env::new();
    let dir = env.folder("pq", &[("returns.csv", RETURNS)]);
    let assets = Table::default()
        .with("asset_id", text(&["MSFT01", "AAPL01", "SHEL01"]))
        .with("ticker", text(&["MSFT", "AAPL", "SHEL"]))
        .with("isin", text(&["US5949181045", "US0378331005", ""]))
        .with("exchange", text(&["XNAS", "XNAS", "XLON"]))
        .with("country", text(&["US", "US", "GB"]))
        .with("currency", text(&["USD", "USD", "GBP"]))
        .with("name", text(&["Microsoft Corp.", "Apple, Inc.", ""]));
    parquet(&dir.join("assets.parquet"), &assets);
    let caps = Table::default()
        .with("date", Values::Date(["2025-05-02", "2025-05-01", "2025-05-01", "2025-05-02", "2025-05-01"].map(day).to_vec()))
        .with("asset_id", text(&["MSFT01", "SHEL01", "AAPL01", "AAPL01", "MSFT01"]))
        .with("market_cap", Values::F64(vec![3_100_000_000_000.5, 2.1e11, 3e12, 2_999_999_999_999.25, 0.1]));
    parquet(&dir.join("market_caps.parquet"), &caps);
    let info = env.home.import_reference("Pq", &dir, "bayesid", false).unwrap();
    assert_eq!(env.home.reference("Pq").unwrap(), expected("Pq", &info.created));

    // A bad value in Parquet is located by row, and shown as Arrow writes the stored Float64.
    let bad = Table::default()
        .with("date", text(&["2025-05-01", "2025-05-01"]))
        .with("asset_id", text(&["MSFT01", "AAPL01"]))
        .with("market_cap", Values::F64(vec![1e9, -3.0]));
    parquet(&dir.join("market_caps.parquet"), &bad);
    let message = refused(&env, &dir);
    for part in ["market_caps.parquet", "line 2", "'-3.0'", "greater than 0"] {
        assert!(message.contains(part), "{part:?} not in {message:?}");
    }
}

/// Imports `dir` as "New", requires an `invalid_input` refusal that changed nothing; returns the
/// message and its details.
fn refused(env: &Env, dir: &Path) -> String {
    let before = (env.home.references().unwrap(), env.data_files());
    let err = env.home.import_reference("New", dir, "bayesid", false).unwrap_err();
    assert_eq!(err.code(), "invalid_input", "{err}");
    assert_eq!((env.home.references().unwrap(), env.data_files()), before, "a refused import changed the home");
    assert!(matches!(env.home.reference("New"), Err(e) if e.code() == "not_found"));
    std::iter::once(err.to_string()).chain(err.details().iter().cloned()).collect::<Vec<_>>().join("\n")
}

/// A validation case: what it is, the folder's files, what the message must contain.
type Case<'a> = (&'a str, Vec<(&'a str, String)>, Vec<&'a str>);

/// Every validation error, with the parts its message must contain.
#[test]
fn every_bad_input_is_refused_with_file_line_and_value() {
    let env = Env::new();
    // Something already there, which a refused import must leave alone.
    env.home.import_reference("Existing", &good_folder(&env, "existing"), "bayesid", false).unwrap();
    let assets = "asset_id,exchange,country,currency\nAAA,XNYS,US,USD\nBBB,XLON,GB,GBP\n";
    let caps_header = "date,asset_id,market_cap\n";
    let returns_header = "date,asset_id,return\n";
    let with_caps = |caps: &str| vec![("assets.csv", assets.to_owned()), ("market_caps.csv", format!("{caps_header}{caps}"))];
    let with_returns = |r: &str| vec![("assets.csv", assets.to_owned()), ("returns.csv", format!("{returns_header}{r}"))];
    let only_assets = |a: &str| vec![("assets.csv", a.to_owned())];
    let cases: Vec<Case> = vec![
        (
            "missing required columns",
            only_assets("asset_id,exchange,country\nAAA,XNYS,US\n"),
            vec!["assets.csv", "line 1", "lacks required column(s) currency", "found: asset_id, exchange, country"],
        ),
        (
            "missing columns in market caps",
            vec![("assets.csv", assets.to_owned()), ("market_caps.csv", "date,asset_id,cap\n2025-05-01,AAA,1\n".into())],
            vec!["market_caps.csv", "line 1", "market_cap", "found: date, asset_id, cap"],
        ),
        (
            "unknown column in assets",
            only_assets("asset_id,exchange,country,currency,sector\nAAA,XNYS,US,USD,Tech\n"),
            vec!["assets.csv", "line 1", "column 5", "'sector'", "unknown column"],
        ),
        (
            "the primary id type as an alternative id",
            only_assets("asset_id,bayesid,exchange,country,currency\nAAA,AAA,XNYS,US,USD\n"),
            vec!["assets.csv", "line 1", "'bayesid'", "primary id type"],
        ),
        (
            "unknown column in returns",
            vec![("assets.csv", assets.to_owned()), ("returns.csv", "date,asset_id,return,extra\n2025-05-01,AAA,0.1,1\n".into())],
            vec!["returns.csv", "line 1", "'extra'"],
        ),
        (
            "duplicate asset id",
            only_assets("asset_id,exchange,country,currency\nAAA,XNYS,US,USD\nBBB,XLON,GB,GBP\nAAA,XNAS,US,USD\n"),
            vec!["assets.csv", "line 4", "first on line 2", "'AAA'"],
        ),
        (
            "empty asset id",
            only_assets("asset_id,exchange,country,currency\nAAA,XNYS,US,USD\n ,XLON,GB,GBP\n"),
            vec!["assets.csv", "line 3", "asset id is empty", "' '"],
        ),
        (
            "empty exchange",
            only_assets("asset_id,exchange,country,currency\nAAA,,US,USD\n"),
            vec!["assets.csv", "line 2", "(exchange)", "exchange is empty", "''"],
        ),
        (
            "empty country",
            only_assets("asset_id,exchange,country,currency\nAAA,XNYS,US,USD\nBBB,XLON,,GBP\n"),
            vec!["assets.csv", "line 3", "country is empty", "''"],
        ),
        (
            "empty currency",
            only_assets("asset_id,exchange,country,currency\nAAA,XNYS,US,\n"),
            vec!["assets.csv", "line 2", "currency is empty", "''"],
        ),
        ("only a header", only_assets("asset_id,exchange,country,currency\n"), vec!["assets.csv", "no assets"]),
        ("an empty assets file", only_assets(""), vec!["assets.csv", "empty"]),
        (
            "a short line",
            only_assets("asset_id,exchange,country,currency\nAAA,XNYS,US,USD\nBBB,XLON\n"),
            vec!["assets.csv", "line 3", "2 fields"],
        ),
        (
            "market cap not a number",
            with_caps("2025-05-01,AAA,1e9\n2025-05-01,BBB,abc\n"),
            vec!["market_caps.csv", "line 3", "'abc'", "not a finite number"],
        ),
        ("market cap empty", with_caps("2025-05-01,AAA,\n"), vec!["market_caps.csv", "line 2", "''", "market cap"]),
        ("market cap zero", with_caps("2025-05-01,AAA,0\n"), vec!["market_caps.csv", "line 2", "'0'", "greater than 0"]),
        ("market cap negative", with_caps("2025-05-01,AAA,-1e9\n"), vec!["market_caps.csv", "line 2", "'-1e9'", "greater than 0"]),
        ("market cap infinite", with_caps("2025-05-01,AAA,inf\n"), vec!["market_caps.csv", "line 2", "'inf'", "finite"]),
        (
            "return not finite",
            with_returns("2025-05-01,AAA,0.01\n2025-05-01,BBB,NaN\n"),
            vec!["returns.csv", "line 3", "'NaN'", "return is not a finite number"],
        ),
        ("return not a number", with_returns("2025-05-01,AAA,1%\n"), vec!["returns.csv", "line 2", "'1%'"]),
        (
            "invalid date in market caps",
            with_caps("2025-02-30,AAA,1e9\n"),
            vec!["market_caps.csv", "line 2", "'2025-02-30'", "not a valid date"],
        ),
        (
            "invalid date in returns",
            with_returns("2025-05-01,AAA,0.01\n2025/05/02,AAA,0.01\n"),
            vec!["returns.csv", "line 3", "'2025/05/02'", "not a valid date"],
        ),
        (
            "unknown asset in market caps",
            with_caps("2025-05-01,AAA,1e9\n2025-05-01,ZZZ,1e9\n"),
            vec!["market_caps.csv", "line 3", "'ZZZ'", "not in assets.csv"],
        ),
        ("unknown asset in returns", with_returns("2025-05-01,CCC,0.01\n"), vec!["returns.csv", "line 2", "'CCC'", "not in assets.csv"]),
        (
            "duplicate date and asset in market caps",
            with_caps("2025-05-01,AAA,1e9\n2025-05-01,BBB,1e9\n2025-05-01,AAA,2e9\n"),
            vec!["market_caps.csv", "line 4", "first on line 2", "'AAA'", "2025-05-01"],
        ),
        (
            "duplicate date and asset in returns",
            with_returns("2025-05-02,BBB,0.01\n2025-05-01,BBB,0.01\n2025-05-02,BBB,0.02\n"),
            vec!["returns.csv", "line 4", "first on line 2", "'BBB'", "2025-05-02"],
        ),
        ("an unknown file", vec![("assets.csv", assets.to_owned()), ("notes.txt", "hello".into())], vec!["notes.txt", "unexpected file"]),
        (
            "a table given twice",
            vec![("assets.csv", assets.to_owned()), ("returns.csv", returns_header.into()), ("returns.parquet", "x".into())],
            vec!["returns.parquet", "given twice"],
        ),
        ("a missing assets file", vec![("market_caps.csv", format!("{caps_header}2025-05-01,AAA,1e9\n"))], vec!["no assets.csv"]),
    ];
    for (i, (what, files, parts)) in cases.iter().enumerate() {
        let files: Vec<(&str, &str)> = files.iter().map(|(n, c)| (*n, c.as_str())).collect();
        let dir = env.folder(&format!("case{i}"), &files);
        let message = refused(&env, &dir);
        for part in parts {
            assert!(message.contains(part), "{what}: {part:?} not in {message:?}");
        }
    }
    // A folder that does not exist, and one that is a file.
    let missing = env.dir.path().join("nowhere");
    let message = refused(&env, &missing);
    assert!(message.contains(&missing.display().to_string()) && message.contains("does not exist"), "{message}");
    let file = env.dir.path().join("case0").join("assets.csv");
    assert!(refused(&env, &file).contains("not a folder"));
    // The existing reference is untouched.
    assert_eq!(env.home.references().unwrap().len(), 1);
    let existing = env.home.reference("Existing").unwrap();
    assert_eq!(existing, expected("Existing", &existing.created));
}

#[test]
fn several_problems_are_reported_together() {
    let env = Env::new();
    let dir = env.folder(
        "in",
        &[
            ("assets.csv", "asset_id,exchange,country,currency\nAAA,XNYS,US,USD\n"),
            ("market_caps.csv", "date,asset_id,market_cap\n2025-05-01,AAA,x\n2025-05-01,QQQ,1\n"),
            ("returns.csv", "date,asset_id,return\nyesterday,AAA,0.1\n"),
        ],
    );
    let message = refused(&env, &dir);
    for part in [
        "market_caps.csv: line 2",
        "'x'",
        "(and 2 more problems)",
        "market_caps.csv: line 3",
        "'QQQ'",
        "returns.csv: line 2",
        "'yesterday'",
    ] {
        assert!(message.contains(part), "{part:?} not in {message:?}");
    }
}

#[test]
fn bad_names_and_id_types_are_refused() {
    let env = Env::new();
    let dir = good_folder(&env, "in");
    for name in ["", " x", "a/b", "a\\b"] {
        let err = env.home.import_reference(name, &dir, "bayesid", false).unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{name:?}");
    }
    let err = env.home.import_reference("R", &dir, "shoesize", false).unwrap_err();
    assert!(err.code() == "invalid_input" && err.to_string().contains("shoesize"), "{err}");
    assert!(env.home.references().unwrap().is_empty());
    assert!(env.data_files().is_empty());
}

#[test]
fn an_existing_name_is_refused_unless_replaced() {
    let env = Env::new();
    env.home.import_reference("R", &good_folder(&env, "a"), "bayesid", false).unwrap();
    let first = env.home.reference("R").unwrap();
    let files = env.data_files();
    let other = env.folder("b", &[("assets.csv", "asset_id,exchange,country,currency\nZ1,XTKS,JP,JPY\n")]);

    let err = env.home.import_reference("R", &other, "bayesid", false).unwrap_err();
    assert_eq!(err.code(), "conflict", "{err}");
    assert!(err.to_string().contains("'R'") && err.to_string().contains("replace"), "{err}");
    assert_eq!(env.home.reference("R").unwrap(), first);
    assert_eq!(env.data_files(), files);

    // A refused replacement keeps the old data.
    let bad = env.folder("c", &[("assets.csv", "asset_id,exchange,country,currency\nZ1,,JP,JPY\n")]);
    assert_eq!(env.home.import_reference("R", &bad, "bayesid", true).unwrap_err().code(), "invalid_input");
    assert_eq!(env.home.reference("R").unwrap(), first);
    assert_eq!(env.data_files(), files);

    let info = env.home.import_reference("R", &other, "ticker", true).unwrap();
    assert_eq!((info.assets, info.id_type.as_str(), info.has_market_caps), (1, "ticker", false));
    let replaced = env.home.reference("R").unwrap();
    assert_eq!(replaced.assets.asset_id, ["Z1"]);
    assert!(replaced.market_caps.is_empty() && replaced.returns.is_empty());
    assert_eq!(env.home.references().unwrap(), vec![info]);
    // The old files are gone; only the new assets file is left.
    let now: Vec<String> = env.data_files().into_iter().collect();
    assert_eq!(now.len(), 1, "{now:?}");
    assert!(now[0].starts_with("references/") && now[0].ends_with("/assets.parquet") && !files.contains(&now[0]), "{now:?}");
}

#[test]
fn references_are_listed_by_name_and_deleted() {
    let env = Env::new();
    let dir = good_folder(&env, "in");
    for name in ["b", "a", "c"] {
        env.home.import_reference(name, &dir, "bayesid", false).unwrap();
    }
    let names: Vec<String> = env.home.references().unwrap().into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["a", "b", "c"]);
    let folders = || std::fs::read_dir(env.references_dir()).unwrap().count();
    assert_eq!(folders(), 3);

    env.home.delete_reference("b").unwrap();
    let names: Vec<String> = env.home.references().unwrap().into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(folders(), 2);
    let err = env.home.reference("b").unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(err.to_string(), "reference dataset 'b' does not exist");
    assert_eq!(env.home.delete_reference("b").unwrap_err().code(), "not_found");
    // The others are intact.
    assert_eq!(env.home.reference("a").unwrap().assets.len(), 3);
    assert_eq!(env.home.reference("c").unwrap().market_caps.len(), 5);
}

#[test]
fn the_orphan_cleanup_keeps_reference_files_and_removes_orphaned_ones() {
    let env = Env::new();
    env.home.import_reference("Kept", &good_folder(&env, "in"), "bayesid", false).unwrap();
    let kept = env.data_files();
    let refs = env.references_dir();
    // What a killed import leaves: a folder whose id the catalog does not know.
    std::fs::create_dir_all(refs.join("999")).unwrap();
    std::fs::write(refs.join("999").join("assets.parquet"), b"partial").unwrap();
    std::fs::create_dir_all(refs.join("not-an-id")).unwrap();
    std::fs::write(refs.join("stray.tmp"), b"x").unwrap();
    // And an exposure-dataset folder nobody knows (removed as before).
    std::fs::create_dir_all(env.dir.path().join("home/data/4242/parts")).unwrap();
    assert_ne!(env.data_files(), kept);

    drop(env.home.write_lock(riskdesk::store::Scope::References).unwrap());
    assert_eq!(env.data_files(), kept);
    assert!(!refs.join("999").exists() && !refs.join("not-an-id").exists());
    assert!(!env.dir.path().join("home/data/4242").exists());
    let r = env.home.reference("Kept").unwrap();
    assert_eq!(r, expected("Kept", &r.created));

    // A folder left behind under the id of a deleted reference is an orphan too.
    let other = Home::open(&env.dir.path().join("home")).unwrap();
    other.delete_reference("Kept").unwrap();
    std::fs::create_dir_all(refs.join("1")).unwrap();
    std::fs::write(refs.join("1").join("assets.parquet"), b"left behind").unwrap();
    drop(env.home.write_lock(riskdesk::store::Scope::References).unwrap());
    assert!(env.data_files().is_empty(), "{:?}", env.data_files());
}

fn small_demo() -> DemoOptions {
    DemoOptions { assets: 2500, days: 6, ..DemoOptions::default() }
}

/// An independent ISIN check: letters become two digits, then the Luhn sum must end in 0.
fn valid_isin(isin: &str) -> bool {
    if isin.len() != 12 || !isin[..2].bytes().all(|b| b.is_ascii_uppercase()) || !isin[2..].bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let digits: String = isin.chars().map(|c| c.to_digit(36).unwrap().to_string()).collect();
    let sum: u32 = digits
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap();
            if i % 2 == 1 { (2 * d) / 10 + (2 * d) % 10 } else { d }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[test]
fn the_isin_check_in_these_tests_is_right() {
    assert!(valid_isin("US0378331005") && valid_isin("AU0000XVGZA3") && valid_isin("GB0002634946"));
    assert!(!valid_isin("US0378331006") && !valid_isin("US0378331050") && !valid_isin("US037833100"));
}

#[test]
fn the_demo_reference_covers_the_demo_universe() {
    let env = Env::new();
    let opts = small_demo();
    let info = env.home.demo_reference(&opts).unwrap();
    let r = env.home.reference(DEMO_REFERENCE).unwrap();
    assert_eq!(r.info(), info);
    assert_eq!(info.id_types, ["bayesid", "ticker", "isin"]);
    let universe = riskdesk::demo::universe(&opts);
    let n = r.assets.len();

    // Every demo id, plus about 2% more that the exposures never mention.
    assert!(r.assets.asset_id.windows(2).all(|w| w[0] < w[1]), "sorted, unique ids");
    let ids: HashSet<&str> = r.assets.asset_id.iter().map(String::as_str).collect();
    assert!(universe.iter().all(|a| ids.contains(a.id.as_str())));
    let extra = n - universe.len();
    assert!((universe.len() / 60..=universe.len() / 40).contains(&extra), "{extra} extra assets of {n}");

    // Listing details agree with the demo's regions.
    let ticker = &r.assets.alt_ids[0];
    let isin = &r.assets.alt_ids[1];
    assert_eq!((ticker.0.as_str(), isin.0.as_str()), ("ticker", "isin"));
    let mut us_exchanges = HashSet::new();
    for a in &universe {
        let i = r.assets.index_of(&a.id).unwrap() as usize;
        let (_, country, currency, mic) = REGIONS[a.region];
        assert_eq!((r.assets.country[i].as_str(), r.assets.currency[i].as_str()), (country, currency), "{}", a.id);
        if country == "US" {
            us_exchanges.insert(r.assets.exchange[i].clone());
        } else {
            assert_eq!(r.assets.exchange[i], mic, "{}", a.id);
        }
    }
    assert_eq!(us_exchanges, ["ARCX", "XNAS", "XNYS"].map(String::from).into_iter().collect());
    for i in 0..n {
        assert_eq!(ticker.1[i].as_deref(), Some(r.assets.asset_id[i].as_str()));
        let code = isin.1[i].as_deref().unwrap();
        assert!(valid_isin(code) && code.starts_with(&r.assets.country[i]), "{code} for {}", r.assets.country[i]);
        assert!(r.assets.name[i].as_deref().is_some_and(|s| s.len() > 3 && s.contains(' ')));
    }
    let isins: HashSet<&str> = isin.1.iter().map(|s| s.as_deref().unwrap()).collect();
    assert_eq!(isins.len(), n, "ISINs are unique");

    // Market caps and returns for every date and asset, sorted by (date, asset).
    let dates: Vec<i32> = (0..opts.days as i32).map(|d| opts.start + d).collect();
    for series in [&r.market_caps, &r.returns] {
        assert_eq!(series.len(), n * opts.days);
        let expected: Vec<(i32, u32)> = dates.iter().flat_map(|&d| (0..n as u32).map(move |a| (d, a))).collect();
        assert_eq!(series.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(), expected);
    }
    assert!(r.market_caps.iter().all(|x| x.2.is_finite() && x.2 > 0.0));
    assert!(r.returns.iter().all(|x| x.2.is_finite() && x.2.abs() < 0.3));
    assert_eq!(info.first_date, Some(riskdesk::date::format(opts.start)));
    assert_eq!(info.last_date, Some(riskdesk::date::format(opts.start + opts.days as i32 - 1)));
    assert!(info.has_market_caps && info.has_returns);
    let mut caps: Vec<f64> = r.market_caps[..n].iter().map(|x| x.2).collect();
    caps.sort_by(f64::total_cmp);
    assert!((2e8..5e9).contains(&caps[n / 2]) && caps[n - 1] / caps[0] > 1e4, "median around 1e9, wide spread");
    let sd = (r.returns.iter().map(|x| x.2 * x.2).sum::<f64>() / r.returns.len() as f64).sqrt();
    assert!((0.015..0.025).contains(&sd), "daily return sd {sd}");
}

#[test]
fn the_demo_reference_is_deterministic_and_replaces_itself() {
    let (a, b) = (Env::new(), Env::new());
    let opts = small_demo();
    a.home.demo_reference(&opts).unwrap();
    b.home.demo_reference(&opts).unwrap();
    let (mut x, y) = (a.home.reference(DEMO_REFERENCE).unwrap(), b.home.reference(DEMO_REFERENCE).unwrap());
    x.created.clone_from(&y.created);
    assert_eq!(x, y);
    let seeded = DemoOptions { seed: 8, ..small_demo() };
    b.home.demo_reference(&seeded).unwrap();
    assert_ne!(b.home.reference(DEMO_REFERENCE).unwrap().assets.asset_id, y.assets.asset_id);

    // Building it again replaces it, leaving one reference and one folder.
    let info = a.home.demo_reference(&DemoOptions { days: 2, ..small_demo() }).unwrap();
    assert_eq!(a.home.references().unwrap(), vec![info]);
    assert_eq!(std::fs::read_dir(a.references_dir()).unwrap().count(), 1);
    assert_eq!(a.home.reference(DEMO_REFERENCE).unwrap().market_caps.len(), 2 * x.assets.len());
    let bad = DemoOptions { days: 0, ..small_demo() };
    assert_eq!(a.home.demo_reference(&bad).unwrap_err().code(), "invalid_input");
}

/// Times the demo reference with default options: `cargo test --release --test reference -- --ignored --nocapture`.
#[test]
#[ignore]
fn time_the_default_demo_reference() {
    let env = Env::new();
    let start = std::time::Instant::now();
    let info = env.home.demo_reference(&DemoOptions::default()).unwrap();
    let built = start.elapsed();
    let start = std::time::Instant::now();
    let r = env.home.reference(DEMO_REFERENCE).unwrap();
    println!("demo_reference: {} assets, {} caps in {built:.2?}; loaded in {:.2?}", info.assets, r.market_caps.len(), start.elapsed());
}
