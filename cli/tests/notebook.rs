//! The whole seed notebook replayed with the CLI on demo data, from a fresh home folder.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;
use common::*;

const SETTINGS: &str = r#"{
  "reference_dataset": "Demo-Global",
  "exposures": [{
    "exposure_type": "uploaded",
    "exposure_source": "My-Exposures",
    "market_factor_group": "market",
    "style_factor_group": "style",
    "industry_factor_group": "industry",
    "region_factor_group": "region",
    "style_factor_fill_miss": true
  }],
  "trim_start_date": "2025-05-01"
}"#;

#[test]
fn the_seed_notebook_end_to_end() {
    let env = Env::new();
    let exp = env.demo("exp", 400, 5, &[]);
    let zips = env.folder("zips");
    env.ok(&["batch", s(&exp), "--out", s(&zips)]);
    env.ok(&["upload", "stage", "--dataset", "My-Exposures", s(&zips.join("exposures_2025.zip"))]);
    env.ok(&["upload", "commit", "--dataset", "My-Exposures", "--mode", "append"]);
    env.ok(&["reference", "demo", "--assets", "400", "--days", "5"]);
    let names = env.json(&["riskdatasets", "list", "--json"]);
    assert_eq!(names[0]["name"], "Demo-Global");
    let settings = env.file("cfg", "settings.json", SETTINGS);
    env.ok(&["riskdatasets", "delete", "My-Risk-Dataset", "--if-exists"]);
    let report = env.json(&["riskdatasets", "create", "My-Risk-Dataset", "--settings", s(&settings), "--json"]);
    assert_eq!(report["unmatched_ids"], 0, "demo reference must cover the demo exposures");
    assert_eq!(report["dates"], 5);
    let d = env.json(&["riskdatasets", "describe", "My-Risk-Dataset", "--json"]);
    let menu = &d["universe_settings_menu"];
    assert_eq!(menu["id_types"][0], "bayesid");
    assert!(menu["exchanges"].as_array().unwrap().iter().any(|e| e == "XNYS"));
    assert_eq!(menu["industry"]["industry"]["ALL"].as_array().unwrap().len(), 13);
    assert_eq!(menu["industry_labels"]["industry"]["ALL"], "ALL");
    let csv = env.ok(&["exposures", "get", "--dataset", "My-Risk-Dataset", "--format", "csv"]);
    let header = csv.lines().next().unwrap();
    assert_eq!(
        header,
        "date,bayesid,market.market.Market,style.style.Dividend,style.style.Growth,style.style.Leverage,style.style.Momentum,style.style.Size,style.style.Value,style.style.Volatility"
    );
    let last_day: Vec<&str> = csv.lines().filter(|l| l.starts_with("2025-05-05")).collect();
    let committed = env.json(&["upload", "summary", "-d", "My-Exposures", "--detail", "--format", "json"]);
    assert_eq!(last_day.len() as u64, committed[4]["n_assets"].as_u64().unwrap());
    let ids: Vec<&str> = last_day.iter().map(|l| l.split(',').nth(1).unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "rows are sorted by id");
    assert!(last_day.iter().all(|l| l.split(',').nth(2) == Some("1")), "market exposure is 1");
    let parquet = env.dir.path().join("x.parquet");
    env.ok(&["exposures", "get", "-d", "My-Risk-Dataset", "--format", "parquet", "--out", s(&parquet), "--industry", "all"]);
    assert!(std::fs::metadata(&parquet).unwrap().len() > 1000);
    let text = env.ok(&["riskdatasets", "describe", "My-Risk-Dataset"]);
    assert!(text.contains("My-Risk-Dataset (ready)") && text.contains("industry hierarchy 'industry' (13)"), "{text}");
}
