//! The UI's TypeScript types (`ui/src/bindings.ts`) are generated from the Rust types of every
//! command's arguments and replies (ts-rs). This test fails when the checked-in file is stale;
//! `UPDATE_BINDINGS=1 cargo test -p riskdesk-app --test bindings` rewrites it.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

use std::path::Path;

use ts_rs::{Config, TS};

/// The declarations of `types`, each exported, in the order given.
macro_rules! declarations {
    ($cfg:expr; $($ty:ty),* $(,)?) => {
        vec![$(format!("export {}", <$ty as TS>::decl($cfg))),*]
    };
}

/// The whole generated file.
fn generated() -> String {
    // Counts and sizes are far below 2^53: plain numbers on the TypeScript side.
    let cfg = &Config::new().with_large_int("number");
    use riskdesk::api::*;
    use riskdesk::chart::*;
    use riskdesk::reference::ReferenceInfo;
    use riskdesk::riskdataset::*;
    use riskdesk::scan::*;
    use riskdesk::uploader::*;
    use riskdesk_app::commands::{AppInfo, History, PreviewQuery, RiskForm, StagingCheck};
    let decls = declarations![cfg;
        // The shell's own replies and queries.
        AppInfo, History, RiskForm, PreviewQuery, StagingCheck,
        // Where the app works.
        riskdesk_app::connection::Connection, riskdesk_app::connection::SavedServer, riskdesk_remote::ServerInfo,
        // Errors and progress.
        riskdesk::error::ErrorBody, riskdesk::progress::Step,
        // Scanning and staging.
        ScanReport, ScannedFile, RejectedFile, YearCount, FileStatus, riskdesk::names::Format,
        DatasetInfo, StagingResult, StageState, riskdesk::parse::Diagnostic,
        DetailRow, StagedSummary, DateSummary, GroupValues, FactorValues, DataRequest, riskdesk::uploader::filter::Filter, Column,
        Drill, AssetValue,
        // Sanity checks.
        riskdesk::checks::Finding, riskdesk::checks::CheckId, riskdesk::checks::Severity, riskdesk::checks::Thresholds,
        // Charts.
        DayCharts, Chart, PlotBox, Histogram, Bin, DayHistogram, Heatmap, HeatMetric,
        // Commits and versions.
        CommitMode, CommitResult, DateReplacement, FactorShift, VersionInfo, VersionDiff, FactorDiff, RowChanges, RowChange,
        // References and risk datasets.
        ReferenceInfo, Exchange, RiskDatasetInfo, DatasetKind, Status, Description, UniverseSettingsMenu,
        riskdesk::riskdataset::build::Layout, riskdesk::riskdataset::build::FactorColumn, riskdesk::riskdataset::build::Categories,
        CreationReport, SourceVersion, UpdateResult,
        RiskDatasetSettings, ExposureSource, UploadedExposures, TrimAssets, Role,
        // Exposures.
        ExposureQuery, Selection, Page, riskdesk::table::Format,
        grid::GridRequest, grid::GridSort, grid::GridFilter, grid::GridOp, grid::GridInfo, grid::GridColumn, grid::ColumnKind, grid::GridDay,
        // Free-form JSON (the settings of referenced exposures).
        serde_json::Value,
    ];
    let mut text = String::from(
        "// Generated from the Rust types by src-tauri/tests/bindings.rs (ts-rs): do not edit.\n\
         // Regenerate with `UPDATE_BINDINGS=1 cargo test -p riskdesk-app --test bindings`.\n\n",
    );
    for d in decls {
        text.push_str(&d);
        text.push('\n');
    }
    text
}

#[test]
fn the_ui_bindings_match_the_rust_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    let fresh = generated();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).expect("write ui/src/bindings.ts");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p riskdesk-app --test bindings` and commit it"
    );
}

#[test]
fn lists_travel_as_lists_and_large_numbers_as_numbers() {
    let text = generated();
    assert!(text.contains(r#"export type Selection = "none" | "all" | { "only": Array<string> };"#), "{text}");
    assert!(!text.contains("bigint"), "{text}");
}
