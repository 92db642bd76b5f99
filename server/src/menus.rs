//! The settings menus a risk dataset offers (what `describe` and `settings/available` answer),
//! built from the engine's description in both client generations' shapes. The clients validate
//! them strictly: every hierarchy is one group named like the uploaded factor group with its
//! factors as codes (never empty, no code twice), and every label map covers exactly its codes.

use std::collections::BTreeMap;

use riskdesk::riskdataset::{Description, Layout, Role};
use serde_json::{Value, json};

/// Model construction weights the notebook client's menu offers.
const WEIGHTS: [&str; 2] = ["SqrtCap", "InvIdioVar"];

/// `{group: [factors]}` of the continuous columns (market, styles, other), in layout order.
fn continuous(layout: &Layout) -> BTreeMap<String, Vec<String>> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &layout.numeric {
        groups.entry(c.group.clone()).or_default().push(c.factor.clone());
    }
    groups
}

fn categorical(layout: &Layout) -> BTreeMap<String, Vec<String>> {
    [&layout.industry, &layout.region].into_iter().flatten().map(|c| (c.group.clone(), c.factors.clone())).collect()
}

/// Each code labelled by itself, per hierarchy.
fn labels(hierarchies: &BTreeMap<String, Vec<String>>) -> BTreeMap<&String, BTreeMap<&String, &String>> {
    hierarchies.iter().map(|(g, codes)| (g, codes.iter().map(|c| (c, c)).collect())).collect()
}

/// The current client's universe menu (`settings/available?settings_type=UniverseSettings`).
pub fn universe(d: &Description) -> Value {
    let hierarchies = categorical(&d.layout);
    json!({
        "calendar_settings_menu": { "exchanges": d.universe_settings_menu.exchanges },
        "id_types": d.universe_settings_menu.id_types,
        "categorical_hierarchies": hierarchies,
        "categorical_hierarchies_labels": labels(&hierarchies),
    })
}

/// The current client's exposure menu (`settings/available?settings_type=ExposureSettings`).
pub fn exposure(d: &Description) -> Value {
    let hierarchies = continuous(&d.layout);
    json!({
        "universe_settings_menu": universe(d),
        "continuous_hierarchies": hierarchies,
        "continuous_hierarchies_labels": labels(&hierarchies),
    })
}

/// The notebook client's (0.5.0) exposure menu: codes `<group>.<factor>`, categorical
/// hierarchies under one `ALL` node, exactly one market code.
pub fn notebook_exposure(d: &Description) -> Value {
    let code = |group: &str, factor: &str| format!("{group}.{factor}");
    let of_role = |role: Role| d.layout.numeric.iter().filter(move |c| c.role == role);
    let market = of_role(Role::Market).next().map_or_else(|| "market.Market".to_owned(), |c| code(&c.group, &c.factor));
    let styles: BTreeMap<String, Vec<String>> =
        of_role(Role::Style).map(|c| (code(&c.group, &c.factor), vec![code(&c.group, &c.factor)])).collect();
    let style_labels: BTreeMap<&String, &String> = styles.keys().map(|k| (k, k)).collect();
    let other: Vec<String> = of_role(Role::Other).map(|c| code(&c.group, &c.factor)).collect();
    let menu = &d.universe_settings_menu;
    json!({
        "market": market, "styles": styles, "industries": menu.industry, "regions": menu.region, "other": other,
        "market_labels": { &market: &market }, "style_labels": style_labels,
        "industry_labels": menu.industry_labels, "region_labels": menu.region_labels,
        "other_labels": other.iter().map(|o| (o, o)).collect::<BTreeMap<_, _>>(),
    })
}

/// `describe`: both generations' `RiskDatasetProperties` in one object (each client reads its
/// own fields and ignores the others').
pub fn properties(d: &Description) -> Value {
    let menu = &d.universe_settings_menu;
    json!({
        "factor_risk_model_settings_menu": crate::riskmodels::menu(d),
        "calendar_settings_menu": { "exchanges": menu.exchanges },
        "universe_settings_menu": menu,
        "exposure_settings_menu": notebook_exposure(d),
        "modelconstruction_settings_menu": { "weights": WEIGHTS, "known_factors": {} },
    })
}
