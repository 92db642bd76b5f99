//! Risk dataset rules on small hand-made data whose answers are stated here.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

mod common;
use common::*;
use riskdesk::riskdataset::{ExposureQuery, RiskDatasetSettings, Selection};
use riskdesk::table::{Table, Values};
use riskdesk::{Home, Progress};

const D1: &str = "2025-05-01";
const D2: &str = "2025-05-02";

/// Six reference assets; F is never uploaded. Caps: A 300, B 100, others 100.
fn reference(env: &Env) -> std::path::PathBuf {
    env.file(
        "ref",
        "assets.csv",
        "asset_id,ticker,exchange,country,currency,name\nA,TA,XNYS,US,USD,Alpha\nB,TB,XNAS,US,USD,Beta\nC,TC,XLON,GB,GBP,Gamma\nD,TD,XNYS,US,USD,Delta\nE,TE,XNYS,US,USD,Epsilon\nF,TF,XPAR,FR,EUR,Phi\n",
    );
    let mut caps = String::from("date,asset_id,market_cap\n");
    for d in [D1, D2] {
        for (a, c) in [("A", 300), ("B", 100), ("C", 100), ("D", 100), ("E", 100), ("F", 100)] {
            caps += &format!("{d},{a},{c}\n");
        }
    }
    env.file("ref", "market_caps.csv", caps);
    env.folder("ref")
}

/// Rows of (asset, group, factor, value) for one date, in long form.
fn day(date: &str, rows: &[(&str, &str, &str, f32)]) -> String {
    rows.iter().map(|(a, g, f, v)| format!("{date},{a},bayesid,{g},{f},{v}\n")).collect()
}

/// Exposures: A,B,D,E in Tech, C in Fin; Value 1,2,3,4,100 on D1 (100 is an outlier); C misses
/// Size on D1, E misses Size on D1; X matches no reference asset.
fn exposures(env: &Env) {
    let mut d1 = vec![];
    for (a, ind, reg, size, value) in [
        ("A", "Tech", "US", Some(1.0), 1.0),
        ("B", "Tech", "US", Some(3.0), 2.0),
        ("C", "Fin", "UK", None, 3.0),
        ("D", "Tech", "US", Some(2.0), 4.0),
        ("E", "Tech", "US", None, 100.0),
        ("X", "Tech", "US", Some(9.0), 5.0),
    ] {
        d1.push((a, "market", "Market", 1.0));
        d1.push((a, "industry", ind, 1.0));
        d1.push((a, "region", reg, 1.0));
        d1.push((a, "style", "Value", value));
        d1.push((a, "extra", "Ignored", 7.0));
        if let Some(s) = size {
            d1.push((a, "style", "Size", s));
        }
    }
    let mut d2 = vec![];
    for (a, ind) in [("A", "Tech"), ("C", "Fin")] {
        d2.extend([
            (a, "market", "Market", 1.0),
            (a, "industry", ind, 1.0),
            (a, "region", "US", 1.0),
            (a, "style", "Size", 2.0),
            (a, "style", "Value", 2.0),
        ]);
    }
    let text = String::from("date,asset_id,asset_id_type,factor_group,factor,exposure\n") + &day(D1, &d1) + &day(D2, &d2);
    let path = env.file("exp", "exp.csv", text);
    env.ok(&["upload", "stage", "-d", "Exp", s(&path)]);
    env.ok(&["upload", "commit", "-d", "Exp", "--mode", "append"]);
}

fn setup() -> (Env, Home) {
    let env = Env::new();
    exposures(&env);
    let home = Home::open(&env.home()).unwrap();
    home.import_reference("Ref", &reference(&env), "bayesid", false).unwrap();
    (env, home)
}

fn settings(extra: &str) -> RiskDatasetSettings {
    let json = format!(
        r#"{{"reference_dataset": "Ref", "exposures": [{{"exposure_type": "uploaded", "exposure_source": "Exp",
            "market_factor_group": "market", "style_factor_group": "style", "industry_factor_group": "industry",
            "region_factor_group": "region"}}] {extra}}}"#
    );
    RiskDatasetSettings::from_json(&json, "test").unwrap()
}

fn create(home: &Home, name: &str, s: &RiskDatasetSettings) -> riskdesk::Result<riskdesk::riskdataset::CreationReport> {
    home.create_risk_dataset(name, s, true, &Progress::none())
}

fn column(t: &Table, name: &str) -> Vec<String> {
    let c = t.names.iter().position(|n| n == name).unwrap_or_else(|| panic!("no column {name} in {:?}", t.names));
    (0..t.rows()).map(|r| t.cell(r, c)).collect()
}

fn f32s(t: &Table, name: &str) -> Vec<f32> {
    let c = t.names.iter().position(|n| n == name).unwrap();
    match &t.columns[c] {
        Values::F32(v) => v.clone(),
        other => panic!("{name} is {other:?}"),
    }
}

fn raw() -> ExposureQuery {
    ExposureQuery { standardize: false, ..ExposureQuery::default() }
}

#[test]
fn roles_must_name_existing_groups_once() {
    let (_env, home) = setup();
    let mut s = settings("");
    if let riskdesk::riskdataset::ExposureSource::Uploaded(u) = &mut s.exposures[0] {
        u.style_factor_group = Some("styles".into());
    }
    let err = create(&home, "R", &s).unwrap_err().to_string();
    assert!(
        err.contains("style_factor_group 'styles' is not a factor group of 'Exp'")
            && err.contains("extra, industry, market, region, style"),
        "{err}"
    );
}

#[test]
fn ids_map_through_the_reference_and_unmatched_ones_are_counted() {
    let (_env, home) = setup();
    let report = create(&home, "R", &settings(r#", "trim_assets": "none""#)).unwrap();
    assert_eq!((report.unmatched_ids, report.unmatched_sample.clone()), (1, vec!["bayesid:X".to_owned()]));
    assert_eq!((report.assets, report.dates, report.rows), (5, 2, 7));
    let t = home.exposures("R", &raw()).unwrap();
    assert_eq!(column(&t, "date"), [D1, D1, D1, D1, D1, D2, D2]);
    assert_eq!(column(&t, "bayesid"), ["A", "B", "C", "D", "E", "A", "C"]);
    assert_eq!(t.names[..4], ["date", "bayesid", "market.market.Market", "style.style.Size"]);
    let by_ticker = home.exposures("R", &ExposureQuery { id_type: Some("ticker".into()), ..raw() }).unwrap();
    assert_eq!(by_ticker.names[1], "ticker");
    assert_eq!(column(&by_ticker, "ticker")[..5], ["TA", "TB", "TC", "TD", "TE"]);
    let err = home.exposures("R", &ExposureQuery { id_type: Some("isin".into()), ..raw() }).unwrap_err().to_string();
    assert!(err.contains("id type 'isin' is not supported") && err.contains("bayesid, ticker"), "{err}");
}

#[test]
fn an_uploaded_id_type_the_reference_lacks_is_refused() {
    let (env, home) = setup();
    let p =
        env.file("exp2", "cus.csv", "date,asset_id,asset_id_type,factor_group,factor,exposure\n2025-05-01,123,cusip9,market,Market,1\n");
    env.ok(&["upload", "stage", "-d", "Cus", s(&p)]);
    env.ok(&["upload", "commit", "-d", "Cus", "--mode", "append"]);
    let s = RiskDatasetSettings::from_json(r#"{"reference_dataset": "Ref", "exposures": [{"exposure_type": "uploaded", "exposure_source": "Cus", "market_factor_group": "market"}]}"#, "t").unwrap();
    let err = create(&home, "R", &s).unwrap_err().to_string();
    assert!(err.contains("asset_id_type 'cusip9' is not an id of reference dataset 'Ref' (its ids: bayesid, ticker)"), "{err}");
}

#[test]
fn coverage_universe_follows_exchange_codes_and_trim_assets() {
    let (_env, home) = setup();
    let ids = |home: &Home| column(&home.exposures("R", &raw()).unwrap(), "bayesid");
    // none: all six reference assets; F has no exposures so it has no rows.
    assert_eq!(create(&home, "R", &settings(r#", "trim_assets": "none""#)).unwrap().coverage_assets, 6);
    // asset_union: the five uploaded assets that match.
    assert_eq!(create(&home, "R", &settings(r#", "trim_assets": "asset_union""#)).unwrap().coverage_assets, 5);
    // ccy_union: USD and GBP → all but F (EUR).
    let r = create(&home, "R", &settings("")).unwrap();
    assert_eq!((r.coverage_assets, r.exchanges.clone()), (5, vec!["XLON".to_owned(), "XNAS".into(), "XNYS".into()]));
    // exchange_codes: XNYS only → A, D, E.
    let r = create(&home, "R", &settings(r#", "exchange_codes": ["XNYS"], "trim_assets": "none""#)).unwrap();
    assert_eq!((r.coverage_assets, r.outside_universe_assets), (3, 2));
    assert_eq!(ids(&home), ["A", "D", "E", "A"]);
    let err = create(&home, "R", &settings(r#", "exchange_codes": ["XXXX"]"#)).unwrap_err().to_string();
    assert!(err.contains("exchange_codes XXXX are not exchanges of reference dataset 'Ref'") && err.contains("XNAS"), "{err}");
}

#[test]
fn dates_are_trimmed_by_rule_or_date() {
    let (_env, home) = setup();
    let r = create(&home, "R", &settings(r#", "trim_start_date": "2025-05-02""#)).unwrap();
    assert_eq!((r.first_date.as_deref(), r.dates, r.rows_outside_dates), (Some(D2), 1, 28)); // D1 rows of A, B, C, D, E: 6 + 6 + 5 + 6 + 5 (X never matched)
    let r = create(&home, "R", &settings(r#", "trim_end_date": "earliest_end", "trim_start_date": "none""#)).unwrap();
    assert_eq!(r.last_date.as_deref(), Some(D2));
    let r = create(&home, "R", &settings(r#", "trim_end_date": "2025-05-01""#)).unwrap();
    assert_eq!((r.first_date.as_deref(), r.last_date.as_deref()), (Some(D1), Some(D1)));
    let err = create(&home, "R", &settings(r#", "trim_start_date": "2025-06-01""#)).unwrap_err().to_string();
    assert!(err.contains("the trimmed date range is empty"), "{err}");
}

#[test]
fn styles_are_huberized_then_filled_by_industry_mean() {
    let (_env, home) = setup();
    let report = create(&home, "R", &settings("")).unwrap();
    let t = home.exposures("R", &raw()).unwrap();
    // Value on D1 for A..E: 1,2,3,4,100 → median 3, MAD 1 → 100 clipped to 3 + 3·1.4826.
    assert_eq!(f32s(&t, "style.style.Value")[..5], [1.0, 2.0, 3.0, 4.0, (3.0 + 3.0 * 1.4826f64) as f32]);
    assert_eq!(report.clipped["style.style.Value"], 1);
    // Size on D1: A 1, B 3, D 2 (Tech); C (Fin, nobody else) and E (Tech) missing.
    // E gets the Tech mean (1+3+2)/3 = 2; C gets the cross-sectional mean 2 as Fin has no values.
    let size = f32s(&t, "style.style.Size");
    assert_eq!(size[..5], [1.0, 3.0, 2.0, 2.0, 2.0]);
    assert_eq!(report.filled["style.style.Size"], 2);
    // Switched off, values stay raw and missing ones stay missing.
    let off = r#", "exposures": [{"exposure_type": "uploaded", "exposure_source": "Exp", "style_factor_group": "style", "industry_factor_group": "industry", "style_factor_fill_miss": false, "style_factor_huberize": false}]"#;
    let s = RiskDatasetSettings::from_json(&format!(r#"{{"reference_dataset": "Ref"{off}}}"#), "t").unwrap();
    let report = create(&home, "R2", &s).unwrap();
    assert!(report.clipped.is_empty() && report.filled.is_empty());
    let t = home.exposures("R2", &raw()).unwrap();
    assert_eq!(f32s(&t, "style.style.Value")[4], 100.0);
    assert!(f32s(&t, "style.style.Size")[2].is_nan());
    assert_eq!(t.names, ["date", "bayesid", "style.style.Size", "style.style.Value"]);
}

#[test]
fn styles_are_standardized_cap_weighted_mean_zero_unit_std() {
    let (_env, home) = setup();
    create(&home, "R", &settings("")).unwrap();
    let t = home.exposures("R", &ExposureQuery { end: Some(D1.into()), ..ExposureQuery::default() }).unwrap();
    let caps = [300.0, 100.0, 100.0, 100.0, 100.0];
    for col in ["style.style.Size", "style.style.Value"] {
        let v: Vec<f64> = f32s(&t, col).iter().map(|&x| f64::from(x)).collect();
        let cap_mean = v.iter().zip(caps).map(|(x, c)| x * c).sum::<f64>() / 700.0;
        let mean = v.iter().sum::<f64>() / 5.0;
        let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 4.0).sqrt();
        assert!(cap_mean.abs() < 1e-6 && (std - 1.0).abs() < 1e-6, "{col}: cap-weighted mean {cap_mean}, std {std}");
    }
    assert_eq!(f32s(&t, "market.market.Market"), [1.0; 5], "market is not standardized");
}

#[test]
fn industry_and_region_lists_add_columns_and_restrict_the_universe() {
    let (_env, home) = setup();
    create(&home, "R", &settings("")).unwrap();
    let q = ExposureQuery { industries: Selection::Only(vec!["Fin".into()]), regions: Selection::All, ..raw() };
    let t = home.exposures("R", &q).unwrap();
    assert_eq!(column(&t, "bayesid"), ["C", "C"]);
    assert_eq!(t.names[5..], ["industry.industry.Fin", "region.region.UK", "region.region.US"]);
    assert_eq!(f32s(&t, "region.region.UK"), [1.0, 0.0]);
    let all = home.exposures("R", &ExposureQuery { industries: Selection::Only(vec!["~Fin".into()]), ..raw() }).unwrap();
    assert_eq!(column(&all, "bayesid"), ["A", "B", "D", "E", "A"]);
    let err = home.exposures("R", &ExposureQuery { industries: Selection::Only(vec!["Energy".into()]), ..raw() }).unwrap_err().to_string();
    assert!(err.contains("industry 'Energy' does not exist (known: industry.Fin, industry.Tech)"), "{err}");
}

#[test]
fn industries_must_be_categorical() {
    let (env, home) = setup();
    let p = env.file("exp", "x.csv", "date,asset_id,asset_id_type,factor_group,factor,exposure\n2025-05-01,B,bayesid,industry,Fin,1\n2025-05-02,B,bayesid,region,US,0.5\n");
    env.ok(&["upload", "stage", "-d", "Exp", s(&p)]);
    env.ok(&["upload", "commit", "-d", "Exp", "--mode", "append"]);
    let err = create(&home, "R", &settings("")).unwrap_err();
    let details = err.details().join("\n");
    assert!(err.to_string().contains("must be categorical"), "{err}");
    assert!(details.contains("2025-05-01 B: more than one industry"), "{details}");
    assert!(details.contains("2025-05-02 B: region US has exposure 0.5, not 1"), "{details}");
    assert!(details.contains("2025-05-02 B: no industry"), "{details}");
}

#[test]
fn describe_lists_the_universe_menu_and_the_report() {
    let (_env, home) = setup();
    create(&home, "R", &settings(r#", "trim_assets": "none""#)).unwrap();
    let d = home.describe_risk_dataset("R").unwrap();
    let m = serde_json::to_value(&d.universe_settings_menu).unwrap();
    assert_eq!(m["id_types"], serde_json::json!(["bayesid", "ticker"]));
    assert_eq!(m["exchanges"], serde_json::json!(["XLON", "XNAS", "XNYS", "XPAR"]));
    assert_eq!(m["industry"], serde_json::json!({"industry": {"ALL": ["industry.Fin", "industry.Tech"]}}));
    assert_eq!(m["region_labels"], serde_json::json!({"region": {"ALL": "ALL", "region.UK": "region.UK", "region.US": "region.US"}}));
    assert_eq!((d.first_date.as_deref(), d.last_date.as_deref(), d.status.as_str()), (Some(D1), Some(D2), "ready"));
    assert_eq!(d.report.sources[0].version, 1);
}

#[test]
fn a_new_commit_makes_the_dataset_stale_and_update_rebuilds_it() {
    let (env, home) = setup();
    create(&home, "R", &settings("")).unwrap();
    let names = home.risk_datasets().unwrap();
    let kinds: Vec<(&str, &str, &str)> = names.iter().map(|d| (d.name.as_str(), d.kind.as_str(), d.status.as_str())).collect();
    assert_eq!(kinds, [("Ref", "reference", "ready"), ("R", "user", "ready")]);
    let p = env.file("exp", "exp_2025-05-03.csv", "date,asset_id,asset_id_type,factor_group,factor,exposure\n2025-05-03,A,bayesid,market,Market,1\n2025-05-03,A,bayesid,industry,Tech,1\n2025-05-03,A,bayesid,region,US,1\n");
    env.ok(&["upload", "stage", "-d", "Exp", s(&p)]);
    env.ok(&["upload", "commit", "-d", "Exp", "--mode", "append"]);
    let r = home.risk_datasets().unwrap().into_iter().find(|d| d.name == "R").unwrap();
    assert_eq!((r.status.as_str(), r.stale_reason.as_deref()), ("stale", Some("'Exp' is at version 2; built from version 1")));
    let up = home.update_risk_dataset("R", &Progress::none()).unwrap();
    assert!(up.updated);
    assert_eq!((up.previous_sources[0].version, up.report.sources[0].version), (1, 2));
    assert_eq!(up.report.last_date.as_deref(), Some("2025-05-03"));
    assert_eq!(home.describe_risk_dataset("R").unwrap().status.as_str(), "ready");
    assert!(!home.update_risk_dataset("R", &Progress::none()).unwrap().updated);
    // Names: no silent replacement, and delete --if-exists.
    let err = home.create_risk_dataset("R", &settings(""), false, &Progress::none()).unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert!(home.delete_risk_dataset("R", false).unwrap());
    assert!(!home.delete_risk_dataset("R", true).unwrap());
    assert_eq!(home.delete_risk_dataset("R", false).unwrap_err().code(), "not_found");
}

#[test]
fn missing_sources_and_referenced_exposures_are_explained() {
    let (_env, home) = setup();
    let err = create(&home, "R", &RiskDatasetSettings { reference_dataset: "Nope".into(), ..settings("") }).unwrap_err().to_string();
    assert!(err.contains("reference dataset 'Nope' does not exist (reference datasets: Ref)"), "{err}");
    let json = r#"{"reference_dataset": "Ref", "exposures": [{"exposure_type": "uploaded", "exposure_source": "Missing", "market_factor_group": "market"}]}"#;
    let err = create(&home, "R", &RiskDatasetSettings::from_json(json, "t").unwrap()).unwrap_err().to_string();
    assert!(err.contains("exposure dataset 'Missing' does not exist (exposure datasets: Exp)"), "{err}");
    let json = r#"{"reference_dataset": "Ref", "exposures": [{"exposure_type": "referenced", "style_factor_group": "style"}]}"#;
    let err = create(&home, "R", &RiskDatasetSettings::from_json(json, "t").unwrap()).unwrap_err().to_string();
    assert!(err.contains("holds no exposures to reference"), "{err}");
    assert!(home.risk_datasets().unwrap().iter().all(|d| d.kind.as_str() == "reference"), "failed creations left nothing");
}

#[test]
fn start_rules_combine_the_ranges_of_several_sources() {
    let (env, home) = setup();
    // A second source with an "other" group that starts a day later (D2) and ends on D2.
    let p = env.file("exp2", "b.csv", "date,asset_id,asset_id_type,factor_group,factor,exposure\n2025-05-02,A,bayesid,beta,Beta,0.5\n");
    env.ok(&["upload", "stage", "-d", "Exp2", s(&p)]);
    env.ok(&["upload", "commit", "-d", "Exp2", "--mode", "append"]);
    let two = |start: &str| {
        let json = format!(
            r#"{{"reference_dataset": "Ref", "trim_start_date": "{start}", "exposures": [
                {{"exposure_type": "uploaded", "exposure_source": "Exp", "market_factor_group": "market", "industry_factor_group": "industry"}},
                {{"exposure_type": "uploaded", "exposure_source": "Exp2", "other_factor_group": "beta"}}]}}"#
        );
        RiskDatasetSettings::from_json(&json, "t").unwrap()
    };
    assert_eq!(create(&home, "R", &two("earliest_start")).unwrap().first_date.as_deref(), Some(D1));
    let r = create(&home, "R", &two("latest_start")).unwrap();
    assert_eq!((r.first_date.as_deref(), r.sources.len()), (Some(D2), 2));
    let t = home.exposures("R", &raw()).unwrap();
    assert_eq!(t.names, ["date", "bayesid", "market.market.Market", "other.beta.Beta"]);
    assert_eq!(column(&t, "bayesid"), ["A", "C"]);
    assert_eq!(f32s(&t, "other.beta.Beta")[0], 0.5);
    assert!(f32s(&t, "other.beta.Beta")[1].is_nan(), "C has no beta");
}

#[test]
fn style_lists_pick_columns_and_a_replaced_reference_makes_the_dataset_stale() {
    let (env, home) = setup();
    create(&home, "R", &settings("")).unwrap();
    let t =
        home.exposures("R", &ExposureQuery { styles: Selection::Only(vec!["style.Value".into()]), ..ExposureQuery::default() }).unwrap();
    assert_eq!(t.names, ["date", "bayesid", "market.market.Market", "style.style.Value"]);
    let t = home.exposures("R", &ExposureQuery { styles: Selection::Only(vec!["~Value".into()]), ..ExposureQuery::default() }).unwrap();
    assert_eq!(t.names[3..], ["style.style.Size"]);
    home.import_reference("Ref", &env.folder("ref"), "bayesid", true).unwrap();
    let r = home.risk_datasets().unwrap().into_iter().find(|d| d.name == "R").unwrap();
    assert_eq!((r.status.as_str(), r.stale_reason.as_deref()), ("stale", Some("reference dataset 'Ref' was replaced")));
    assert!(home.update_risk_dataset("R", &Progress::none()).unwrap().updated);
    assert_eq!(home.describe_risk_dataset("R").unwrap().status.as_str(), "ready");
}

#[test]
fn the_report_warns_of_a_style_missing_for_a_date_and_of_thin_coverage() {
    let (env, home) = setup();
    let mut rows = vec![];
    for a in ["A", "B"] {
        rows.extend([(a, "market", "Market", 1.0), (a, "industry", "Tech", 1.0), (a, "region", "US", 1.0), (a, "style", "Value", 1.5)]);
    }
    let mut d1 = rows.clone();
    d1.extend([("A", "style", "Size", 1.0), ("B", "style", "Size", 2.0)]);
    let text = String::from("date,asset_id,asset_id_type,factor_group,factor,exposure\n") + &day(D1, &d1) + &day(D2, &rows);
    let path = env.file("exp2", "exp2.csv", text);
    env.ok(&["upload", "stage", "-d", "Exp2", s(&path)]);
    env.ok(&["upload", "commit", "-d", "Exp2", "--mode", "append"]);
    let json = r#"{"reference_dataset": "Ref", "trim_assets": "none", "exposures": [{"exposure_type": "uploaded", "exposure_source": "Exp2",
        "market_factor_group": "market", "style_factor_group": "style", "industry_factor_group": "industry", "region_factor_group": "region"}]}"#;
    let report = create(&home, "Thin", &RiskDatasetSettings::from_json(json, "test").unwrap()).unwrap();
    assert_eq!(report.warnings.len(), 2, "{:?}", report.warnings);
    assert!(report.warnings[0].contains("style.style.Size has no uploaded value on 2025-05-02"), "{:?}", report.warnings);
    // Filling (on by default) has no Size of that date to start from: the values stay empty, as said.
    assert!(report.warnings[0].contains("its values there stay empty"), "{:?}", report.warnings);
    let raw = home
        .exposures("Thin", &ExposureQuery { start: Some(D2.into()), end: Some(D2.into()), standardize: false, ..Default::default() })
        .unwrap();
    let size = raw.names.iter().position(|n| n == "style.style.Size").unwrap();
    assert!(raw.rows() == 2 && (0..2).all(|r| raw.cell(r, size).is_empty()), "{}", raw.render(None));
    assert!(report.warnings[1].contains("only 2 of the 6 assets of the coverage universe have exposures (33%)"), "{:?}", report.warnings);
    // A full dataset has none.
    assert!(create(&home, "R", &settings("")).unwrap().warnings.is_empty());
}

/// A build date by date in small batches writes the same file, byte for byte, and the same
/// report as one that assembles every date at once; a multi-date query returns the dates in
/// order with each date standardized on its own.
#[test]
fn batches_of_dates_build_the_same_dataset_as_one_batch() {
    let env = Env::new();
    let folder = env.demo("daily", 300, 12, &["--seed", "3"]);
    // Holes and outliers in the styles, so that filling and huberizing have work on every date.
    for file in std::fs::read_dir(&folder).unwrap() {
        let path = file.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            let cells: Vec<&str> = line.split(',').collect();
            if i > 0 && cells[3] == "style" && i % 17 == 0 {
                continue;
            }
            if i > 0 && cells[3] == "style" && i % 23 == 0 {
                let v: f32 = cells[5].parse().unwrap();
                out += &format!("{},{}\n", cells[..5].join(","), v * 40.0 + 9.0);
                continue;
            }
            out += line;
            out.push('\n');
        }
        std::fs::write(&path, out).unwrap();
    }
    env.ok(&["upload", "stage", "--dataset", "Demo", folder.to_str().unwrap()]);
    env.ok(&["upload", "commit", "--dataset", "Demo", "--mode", "append"]);
    env.ok(&["reference", "demo", "--assets", "300", "--days", "12", "--seed", "3"]);
    let home = Home::open(&env.home()).unwrap();
    let settings = RiskDatasetSettings::from_json(
        r#"{"reference_dataset": "Demo-Global", "exposures": [{"exposure_type": "uploaded", "exposure_source": "Demo",
            "market_factor_group": "market", "style_factor_group": "style", "industry_factor_group": "industry",
            "region_factor_group": "region", "style_factor_fill_miss": true}]}"#,
        "test",
    )
    .unwrap();
    let out = env.folder("built");
    let pinned = std::collections::HashMap::new();
    let build = |batch: usize| {
        let path = out.join(format!("batch-{batch}.parquet"));
        let (layout, report) = riskdesk::riskdataset::build::build(&home, &settings, &pinned, &Progress::none(), &path, batch).unwrap();
        (layout, report, std::fs::read(&path).unwrap())
    };
    let (one_layout, one_report, one_file) = build(1000);
    assert_eq!(one_report.dates, 12);
    assert!(one_report.clipped.values().all(|&n| n > 0), "{:?}", one_report.clipped);
    assert!(one_report.filled.values().all(|&n| n > 0), "{:?}", one_report.filled);
    for batch in [1, 5] {
        let (layout, report, file) = build(batch);
        assert_eq!(layout, one_layout, "batch {batch}");
        assert_eq!(report, one_report, "batch {batch}");
        assert!(file == one_file, "batch {batch}: the files differ");
    }
    assert!(std::fs::read_dir(&out).unwrap().all(|e| e.unwrap().path().extension().unwrap() == "parquet"), "no temporary file is left");

    // Queried, every date comes back in order, each standardized by itself.
    home.create_risk_dataset("Risk", &settings, false, &Progress::none()).unwrap();
    let all = home.exposures("Risk", &ExposureQuery::default()).unwrap();
    let dates = match &all.columns[0] {
        Values::Date(d) => d.clone(),
        other => panic!("{other:?}"),
    };
    assert!(dates.windows(2).all(|w| w[0] <= w[1]));
    let mut rows = 0;
    for d in dates.iter().copied().collect::<std::collections::BTreeSet<_>>() {
        let day = riskdesk::date::format(d);
        let one = home.exposures("Risk", &ExposureQuery { start: Some(day.clone()), end: Some(day), ..Default::default() }).unwrap();
        let first = dates.iter().position(|&x| x == d).unwrap();
        for c in 0..one.columns.len() {
            for r in 0..one.rows() {
                assert_eq!(one.cell(r, c), all.cell(first + r, c));
            }
        }
        rows += one.rows();
    }
    assert_eq!(rows, all.rows());
}
