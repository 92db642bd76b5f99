//! Portfolio risk on a risk model through the CLI (`riskdesk risk`, `riskdesk portfolios`): a
//! portfolio file's holdings matched to the model's universe by any reference id type, the risk
//! decomposed so that the parts add up (at a date and over a range), active risk against a
//! benchmark, saved portfolios, the holdings the model cannot see listed with their weight, and
//! every figure against an independent NumPy computation.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use common::*;
use serde_json::Value;

const LAST: &str = "2025-05-12";

/// The demo risk dataset `R` with its model `M`; returns the reference's folder.
fn model(env: &Env) -> std::path::PathBuf {
    let reference = demo_risk_dataset(env, 600, 12);
    let model = env.file("settings", "model.json", r#"{"risk_dataset": "R"}"#);
    env.ok(&["riskmodels", "create", "M", "--settings", s(&model)]);
    reference
}

/// The reference's assets.csv rows as (asset_id, ticker).
fn ids(reference: &std::path::Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(reference.join("assets.csv")).unwrap();
    text.lines().skip(1).map(|l| l.split(',').collect::<Vec<_>>()).map(|f| (f[0].to_owned(), f[1].to_owned())).collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Asserts the Euler identities of one report: factor² + specific² = total², the factor parts
/// and the specific part add up to the total, the groups to the factors, the assets to the total.
fn assert_parts_add_up(r: &Value) {
    let total = f(&r["total_risk"]);
    assert!(total > 0.0, "{r}");
    let (factor, specific) = (f(&r["factor_risk"]), f(&r["specific_risk"]));
    assert!((factor * factor + specific * specific - total * total).abs() <= 1e-12 * total * total, "{r}");
    let sum = |key: &str| r[key].as_array().unwrap().iter().map(|c| f(&c["contribution"])).sum::<f64>();
    let (factors, groups, assets) = (sum("contributions"), sum("groups"), sum("assets"));
    let specific_part = f(&r["specific_contribution"]);
    assert!((factors + specific_part - total).abs() <= 1e-12 * total, "factors {factors} + specific {specific_part} vs {total}");
    assert!((groups - factors).abs() <= 1e-12 * total, "groups {groups} vs factors {factors}");
    assert!((assets - total).abs() <= 1e-12 * total, "assets {assets} vs {total}");
    for c in r["contributions"].as_array().unwrap() {
        let product = f(&c["exposure"]) * f(&c["volatility"]) * f(&c["correlation"]);
        assert!((product - f(&c["contribution"])).abs() <= 1e-12 * total, "X·σ·ρ of {c}");
    }
}

#[test]
fn a_portfolio_of_tickers_has_a_risk_whose_parts_add_up_and_lists_what_it_cannot_see() {
    let env = Env::new();
    let reference = model(&env);
    let ids = ids(&reference);
    // Three assets by ticker, values instead of weights, and an id the reference does not know.
    let p = env.file("portfolios", "p.csv", format!("ticker,value\n{},500\n{},300\n{},150\nNOPE,50\n", ids[0].1, ids[1].1, ids[2].1));
    let r = env.json(&["risk", "M", "--portfolio", s(&p), "--date", LAST, "--format", "json"]);
    assert_eq!(r["date"], LAST);
    assert!(f(&r["factor_risk"]) > 0.0 && f(&r["specific_risk"]) > 0.0, "{r}");
    assert_parts_add_up(&r);
    let weights: Vec<f64> = r["assets"].as_array().unwrap().iter().map(|a| f(&a["weight"])).collect();
    assert_eq!(weights, [0.5, 0.3, 0.15]);
    assert_eq!(r["unmatched"], serde_json::json!([{"id": "NOPE", "weight": 0.05, "benchmark": false}]));
    // The market exposure is the matched weights' sum.
    let market = r["contributions"].as_array().unwrap().iter().find(|c| c["factor"] == "market.market.Market").unwrap().clone();
    assert!((f(&market["exposure"]) - 0.95).abs() < 1e-12, "{market}");
    // The last date alone reads the specific-variance sums the model keeps; the same date at the
    // end of a range comes from a pass over every residual: the same report, to the bit.
    let range = env.json(&["risk", "M", "--portfolio", s(&p), "--start", "2025-05-09", "--end", LAST, "--format", "json"]);
    assert_eq!(range.as_array().unwrap().last().unwrap(), &r);

    // The table says the headline and the unmatched holding; the CSV has a row per part.
    let table = env.ok(&["risk", "M", "--portfolio", s(&p)]);
    assert!(table.contains(&format!("Risk on risk model M at {LAST}")), "{table}");
    assert!(table.contains("3 holdings matched; 1 not in the model's universe"), "{table}");
    assert!(table.contains("NOPE"), "{table}");
    let csv = env.ok(&["risk", "M", "--portfolio", s(&p), "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), "date,part,name,group,weight,exposure,volatility,correlation,contribution");
    let total = lines.next().unwrap();
    assert!(total.starts_with(&format!("{LAST},total,total,,,,{}", r["total_risk"])), "{total} vs {}", r["total_risk"]);
    assert!(csv.contains(&format!("{LAST},unmatched,NOPE,portfolio,0.05,")), "{csv}");
    assert_eq!(csv.lines().filter(|l| l.contains(",asset,")).count(), 3);

    // Mistakes are refused with what to do.
    let e = env.fails(&["risk", "M", "--portfolio", s(&p), "--date", "2025-05-01"]);
    assert!(e.contains("is not a date of risk model 'M'"), "{e}");
    let bad = env.file("portfolios", "bad.csv", "cusip,weight\nX,1\n");
    let e = env.fails(&["risk", "M", "--portfolio", s(&bad)]);
    assert!(e.contains("bad.csv") && e.contains("ticker"), "{e}");
    let two = env.file("portfolios", "two.csv", format!("portfolio,ticker,weight\nA,{0},1\nB,{0},1\n", ids[0].1));
    let e = env.fails(&["risk", "M", "--portfolio", s(&two)]);
    assert!(e.contains("holds several portfolios (A, B): name one"), "{e}");
    let a = env.json(&["risk", "M", "--portfolio", s(&two), "--name", "B", "--format", "json"]);
    assert_eq!(a["assets"][0]["weight"], 1.0);
    // Saved, it lists the portfolios it holds, so a caller can offer them.
    env.ok(&["portfolios", "save", "Two", s(&two)]);
    assert_eq!(env.json(&["portfolios", "list", "--json"])[0]["portfolios"], serde_json::json!(["A", "B"]));
    assert!(env.ok(&["portfolios", "list"]).contains("A,B"), "the table lists them too");
}

#[test]
fn a_range_gives_the_reports_of_its_dates_and_dated_holdings_hold_until_their_next_date() {
    let env = Env::new();
    let reference = model(&env);
    let ids = ids(&reference);
    // Two holdings from 05-05, a third added on 05-09.
    let p = env.file(
        "portfolios",
        "dated.csv",
        format!(
            "date,bayesid,weight\n2025-05-05,{a},0.6\n2025-05-05,{b},0.4\n2025-05-09,{a},0.5\n2025-05-09,{b},0.3\n2025-05-09,{c},0.2\n",
            a = ids[3].0,
            b = ids[4].0,
            c = ids[5].0
        ),
    );
    let series = env.json(&["risk", "M", "--portfolio", s(&p), "--start", "2025-05-01", "--end", LAST, "--format", "json"]);
    let series = series.as_array().unwrap();
    let dates: Vec<&str> = series.iter().map(|r| r["date"].as_str().unwrap()).collect();
    assert_eq!(dates.first(), Some(&"2025-05-05"), "dates before the portfolio's first are left out: {dates:?}");
    assert_eq!(dates.last(), Some(&LAST));
    for r in series {
        assert_parts_add_up(r);
        let held = r["assets"].as_array().unwrap().len();
        let expected = if r["date"].as_str().unwrap() < "2025-05-09" { 2 } else { 3 };
        assert_eq!(held, expected, "{}", r["date"]);
        // Each date of the range reports what that date alone reports.
        let alone = env.json(&["risk", "M", "--portfolio", s(&p), "--date", r["date"].as_str().unwrap(), "--format", "json"]);
        assert_eq!(&alone, r);
    }
    // A one-asset portfolio's specific risk over the range is the model's specific risk of
    // the asset at each date (read on its own path, date by date).
    let one = env.file("portfolios", "one.csv", format!("bayesid,weight\n{},1\n", ids[3].0));
    let series_one = env.json(&["risk", "M", "--portfolio", s(&one), "--start", "2025-05-01", "--format", "json"]);
    for r in series_one.as_array().unwrap() {
        let date = r["date"].as_str().unwrap();
        let csv = env.ok(&["riskmodels", "specific-risk", "M", "--date", date, "--format", "csv"]);
        let line = csv.lines().find(|l| l.starts_with(&format!("{},", ids[3].0))).unwrap();
        let variance: f64 = line.split(',').nth(1).unwrap().parse().unwrap();
        let expected = (252.0 * variance).sqrt();
        assert!((f(&r["specific_risk"]) - expected).abs() <= 1e-12 * expected, "{date}: {} vs {expected}", r["specific_risk"]);
    }
    let table = env.ok(&["risk", "M", "--portfolio", s(&p), "--start", "2025-05-05"]);
    assert_eq!(table.lines().filter(|l| l.contains("2025-05-")).count(), series.len(), "{table}");
    let e = env.fails(&["risk", "M", "--portfolio", s(&p), "--date", "2025-05-02"]);
    assert!(e.contains("has no holdings on the dates asked for (its first date is 2025-05-05)"), "{e}");
}

#[test]
fn the_cap_weighted_universe_against_itself_has_no_active_risk() {
    let env = Env::new();
    let reference = model(&env);
    let ids = ids(&reference);
    let ticker: std::collections::HashMap<&str, &str> = ids.iter().map(|(a, t)| (a.as_str(), t.as_str())).collect();
    // Every asset with a market cap on the date: values by primary id; the same as weights by ticker.
    let caps: Vec<(String, f64)> = std::fs::read_to_string(reference.join("market_caps.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(LAST))
        .map(|l| l.split(',').collect::<Vec<_>>())
        .map(|f| (f[1].to_owned(), f[2].parse().unwrap()))
        .collect();
    assert!(caps.len() > 500);
    let sum: f64 = caps.iter().map(|c| c.1).sum();
    let p = env.file(
        "portfolios",
        "universe.csv",
        format!("bayesid,value\n{}", caps.iter().map(|(a, c)| format!("{a},{c}\n")).collect::<String>()),
    );
    let b = env.file(
        "portfolios",
        "bench.csv",
        format!("ticker,weight\n{}", caps.iter().map(|(a, c)| format!("{},{}\n", ticker[a.as_str()], c / sum)).collect::<String>()),
    );
    let r = env.json(&["risk", "M", "--portfolio", s(&p), "--benchmark", s(&b), "--date", LAST, "--format", "json"]);
    let bench = &r["benchmark"];
    assert!(f(&bench["portfolio_risk"]) > 0.01, "{bench}");
    assert!((f(&bench["portfolio_risk"]) - f(&bench["benchmark_risk"])).abs() < 1e-12, "{bench}");
    assert!(f(&r["total_risk"]) < 1e-9, "active risk {}", r["total_risk"]);
    for c in r["contributions"].as_array().unwrap() {
        assert!(f(&c["exposure"]).abs() < 1e-12, "{c}");
    }
    let pe = bench["portfolio_exposures"].as_array().unwrap();
    let be = bench["benchmark_exposures"].as_array().unwrap();
    assert!(pe.iter().zip(be).all(|(p, b)| (f(p) - f(b)).abs() < 1e-12));
    // Assets without exposures on the date are listed on both sides, with the same weights.
    let unmatched = r["unmatched"].as_array().unwrap();
    let side =
        |b: bool| unmatched.iter().filter(|u| u["benchmark"] == b).map(|u| (u["id"].to_string(), f(&u["weight"]))).collect::<Vec<_>>();
    let (mine, theirs) = (side(false), side(true));
    assert_eq!(mine.len(), theirs.len());
    for ((a, x), (b, y)) in mine.iter().zip(&theirs) {
        assert!(a == b && (x - y).abs() < 1e-15, "{a} {x} vs {b} {y}");
    }
    assert!(mine.len() < caps.len() / 10, "most of the universe is matched: {} unmatched", mine.len());
}

#[test]
fn a_saved_portfolio_reports_what_its_file_reports() {
    let env = Env::new();
    let reference = model(&env);
    let ids = ids(&reference);
    let holdings: String = ids[10..30].iter().enumerate().map(|(i, (_, t))| format!("{t},{}\n", 1.0 + i as f64)).collect();
    let p = env.file("portfolios", "growth.csv", format!("ticker,value\n{holdings}"));
    assert_eq!(env.ok(&["portfolios", "list"]).trim(), "No saved portfolios yet.");
    let said = env.ok(&["portfolios", "save", "Growth", s(&p)]);
    assert!(said.contains("Saved portfolio Growth: 20 holdings, ids of type ticker"), "{said}");
    let e = env.fails(&["portfolios", "save", "Growth", s(&p)]);
    assert!(e.contains("Growth") && e.contains("exists"), "{e}");
    let listed = env.json(&["portfolios", "list", "--json"]);
    assert_eq!(listed[0]["name"], "Growth");
    assert_eq!(listed[0]["holdings"], 20);
    assert_eq!(listed[0]["portfolios"], serde_json::json!([""]), "one portfolio, from a file without a portfolio column");
    let from_file = env.json(&["risk", "M", "--portfolio", s(&p), "--format", "json"]);
    let saved = env.json(&["risk", "M", "--saved", "Growth", "--format", "json"]);
    assert_eq!(from_file, saved);
    // Saved as its own benchmark: no active risk.
    let active = env.json(&["risk", "M", "--portfolio", s(&p), "--saved-benchmark", "Growth", "--format", "json"]);
    assert_eq!(f(&active["total_risk"]), 0.0);
    // Replacing changes what the name reports; deleting forgets it.
    let fewer = env.file("portfolios", "fewer.csv", format!("ticker,value\n{},1\n", ids[10].1));
    env.ok(&["portfolios", "save", "Growth", s(&fewer), "--replace"]);
    let replaced = env.json(&["risk", "M", "--saved", "Growth", "--format", "json"]);
    assert_eq!(replaced["assets"].as_array().unwrap().len(), 1);
    assert!(env.ok(&["portfolios", "delete", "Growth"]).contains("Deleted portfolio Growth"));
    let e = env.fails(&["risk", "M", "--saved", "Growth"]);
    assert!(e.contains("Growth"), "{e}");
    env.ok(&["portfolios", "delete", "Growth", "--if-exists"]);
    env.collect_orphans();
    assert_eq!(env.objects("portfolios"), 0, "the replaced and deleted portfolios' files are gone");
}

#[test]
fn a_server_reports_what_the_home_reports() {
    let env = Env::new();
    let reference = model(&env);
    let ids = ids(&reference);
    let p = env.file("portfolios", "p.csv", format!("ticker,weight\n{},0.7\n{},0.3\n", ids[0].1, ids[7].1));
    let here = env.json(&["risk", "M", "--portfolio", s(&p), "--start", "2025-05-06", "--format", "json"]);
    let key = env.ok(&["keys", "create", "--user", "quant@example.com"]).lines().last().unwrap().to_owned();
    let served = env.serve();
    let client = Env::new();
    let remote = |args: &[&str]| {
        let mut all = vec!["--endpoint", served.url.as_str(), "--api-key", key.as_str()];
        all.extend(args);
        all.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let args = remote(&["risk", "M", "--portfolio", s(&p), "--start", "2025-05-06", "--format", "json"]);
    let there = client.json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(here, there);
    let args = remote(&["portfolios", "save", "P", s(&p)]);
    client.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(env.json(&["portfolios", "list", "--json"])[0]["name"], "P", "saved on the server's store");
    let args = remote(&["risk", "M", "--saved", "P", "--start", "2025-05-06", "--format", "json"]);
    assert_eq!(client.json(&args.iter().map(String::as_str).collect::<Vec<_>>()), here);
    served.stop();
}

#[test]
#[ignore = "needs the peers' venv (NumPy, polars): run scripts/test"]
fn the_report_equals_a_numpy_computation() {
    let env = Env::new();
    let reference = model(&env);
    let ids = ids(&reference);
    // Forty assets by primary id, long and short; a benchmark of thirty, twenty of them shared.
    let held: String = ids[..40].iter().enumerate().map(|(i, (a, _))| format!("{a},{}\n", if i % 5 == 0 { -0.01 } else { 0.03 })).collect();
    let bench: String = ids[20..50].iter().map(|(a, _)| format!("{a},{}\n", 1.0 / 30.0)).collect();
    let dir = env.folder("peer");
    std::fs::write(dir.join("holdings.csv"), format!("id,weight\n{held}")).unwrap();
    std::fs::write(dir.join("benchmark.csv"), format!("id,weight\n{bench}")).unwrap();
    let p = env.file("portfolios", "p.csv", format!("bayesid,weight\n{held}"));
    let b = env.file("portfolios", "b.csv", format!("bayesid,weight\n{bench}"));
    let date = "2025-05-09";
    let out = |f: &str| dir.join(f).to_str().unwrap().to_owned();
    env.ok(&["risk", "M", "--portfolio", s(&p), "--date", date, "--format", "json", "--out", &out("report.json")]);
    env.ok(&["risk", "M", "--portfolio", s(&p), "--benchmark", s(&b), "--date", date, "--format", "json", "--out", &out("active.json")]);
    env.ok(&[
        "exposures",
        "get",
        "--dataset",
        "R",
        "--start",
        date,
        "--end",
        date,
        "--industry",
        "all",
        "--region",
        "all",
        "--format",
        "csv",
        "--out",
        &out("exposures.csv"),
    ]);
    env.ok(&["riskmodels", "covariance", "M", "--date", date, "--format", "csv", "--out", &out("covariance.csv")]);
    env.ok(&["riskmodels", "specific-risk", "M", "--date", date, "--format", "csv", "--out", &out("specific_risk.csv")]);
    let d: Value = serde_json::from_str(&peer_python("portfolio_risk.py", &[s(&dir)])).unwrap();
    println!("NumPy against Riskdesk, portfolio risk: {d}");
    assert!(d["matched"].as_u64().unwrap() > 30, "{d}");
    for side in ["portfolio", "active"] {
        for key in ["total", "factor", "specific", "contributions", "correlations", "exposures", "assets", "groups"] {
            assert!(d[side][key].as_f64().unwrap() <= 1e-12, "{side} {key} differs: {d}");
        }
    }
}
