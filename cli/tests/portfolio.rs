//! Portfolio risk on a risk model (issue 21, in progress): a portfolio file's holdings matched to
//! the model's universe by any reference id type, the risk decomposed so that the parts add up,
//! and the holdings the model cannot see listed with their weight.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;

use common::*;

/// The demo risk dataset `R` with its model `M`: the home and the reference `Ref`.
fn model(env: &Env) -> (riskdesk::Home, riskdesk::reference::Reference) {
    demo_risk_dataset(env, 600, 12);
    let model = env.file("settings", "model.json", r#"{"risk_dataset": "R"}"#);
    env.ok(&["riskmodels", "create", "M", "--settings", s(&model)]);
    let home = env.open_home();
    let reference = home.reference("Ref").unwrap();
    (home, reference)
}

#[test]
fn a_portfolio_of_tickers_has_a_risk_whose_parts_add_up() {
    let env = Env::new();
    let (home, reference) = model(&env);
    let tickers = &reference.assets.alt_ids.iter().find(|(t, _)| t == "ticker").unwrap().1;
    // Three assets with exposures on the last date, and an id the reference does not know.
    let held: Vec<String> = tickers.iter().take(3).map(|t| t.clone().unwrap()).collect();
    let portfolio = env.file("portfolios", "p.csv", format!("ticker,value\n{},500\n{},300\n{},150\nNOPE,50\n", held[0], held[1], held[2]));
    let r = home.portfolio_risk("M", &portfolio, None, "2025-05-12").unwrap();
    assert_eq!(r.date, "2025-05-12");
    let total = r.total_risk;
    assert!(total > 0.0 && r.factor_risk > 0.0 && r.specific_risk > 0.0, "{r:?}");
    assert!((r.factor_risk.powi(2) + r.specific_risk.powi(2) - total.powi(2)).abs() < 1e-12 * total.powi(2));
    let factors: f64 = r.contributions.iter().map(|c| c.contribution).sum();
    assert!(
        (factors + r.specific_contribution - total).abs() < 1e-12 * total,
        "factors {factors} + specific {} vs {total}",
        r.specific_contribution
    );
    let groups: f64 = r.groups.iter().map(|c| c.contribution).sum();
    assert!((groups - factors).abs() < 1e-12 * total);
    let assets: f64 = r.assets.iter().map(|a| a.contribution).sum();
    assert!((assets - total).abs() < 1e-12 * total);
    // Values became weights; the unknown id is listed with its weight, not dropped.
    let weights: Vec<f64> = r.assets.iter().map(|a| a.weight).collect();
    assert_eq!(weights, [0.5, 0.3, 0.15]);
    assert_eq!(r.unmatched.len(), 1);
    assert_eq!((r.unmatched[0].id.as_str(), r.unmatched[0].weight), ("NOPE", 0.05));
    // The market exposure is the matched weights' sum.
    let market = r.contributions.iter().find(|c| c.factor == "market.market.Market").unwrap();
    assert!((market.exposure - 0.95).abs() < 1e-12);
    // A date outside the model is refused with the model's range.
    let e = home.portfolio_risk("M", &portfolio, None, "2025-05-01").unwrap_err().to_string();
    assert!(e.contains("is not a date of risk model 'M'"), "{e}");
}

#[test]
#[ignore = "needs the peers' venv (NumPy, polars): run scripts/test"]
fn the_report_equals_a_numpy_computation() {
    let env = Env::new();
    let (home, reference) = model(&env);
    // Forty assets by primary id, long and short.
    let held: Vec<(String, f64)> =
        reference.assets.asset_id.iter().take(40).enumerate().map(|(i, a)| (a.clone(), if i % 5 == 0 { -0.01 } else { 0.03 })).collect();
    let dir = env.folder("peer");
    let holdings = format!("id,weight\n{}", held.iter().map(|(a, w)| format!("{a},{w}\n")).collect::<String>());
    std::fs::write(dir.join("holdings.csv"), &holdings).unwrap();
    let portfolio = env.file("portfolios", "p.csv", holdings.replacen("id,", "bayesid,", 1));
    let date = "2025-05-12";
    let report = home.portfolio_risk("M", &portfolio, None, date).unwrap();
    std::fs::write(dir.join("report.json"), serde_json::to_string(&report).unwrap()).unwrap();
    let fill = home.specific_risk("M", date).unwrap().fill;
    std::fs::write(dir.join("fill.json"), serde_json::to_string(&fill).unwrap()).unwrap();
    let out = |f: &str| dir.join(f).to_str().unwrap().to_owned();
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
    let d: serde_json::Value = serde_json::from_str(&peer_python("portfolio_risk.py", &[s(&dir)])).unwrap();
    println!("NumPy against Riskdesk, portfolio risk: {d}");
    assert_eq!(d["matched"].as_u64().unwrap() as usize, report.assets.len());
    assert!(report.assets.len() > 30, "{d}");
    for key in ["total", "factor", "specific", "contributions", "exposures", "assets"] {
        assert!(d[key].as_f64().unwrap() <= 1e-12, "{key} differs: {d}");
    }
}
