//! The UI's TypeScript bindings (`ui/src/bindings.ts`) are generated from the Rust types (ts-rs):
//! `Calls`, every engine call's arguments and reply by method (from [`Call::signatures`]), and the
//! declaration of every type the calls and the named commands reach, with the commit modes'
//! descriptions as a constant. This test fails when the
//! checked-in file is stale; `UPDATE_BINDINGS=1 cargo test -p riskdesk-app --test bindings`
//! rewrites it.

#![allow(clippy::unwrap_used)] // A test's panic is its failure message.

use std::any::TypeId;
use std::collections::HashSet;
use std::path::Path;

use riskdesk::api::Call;
use ts_rs::{Config, TS, TypeVisitor};

/// Collects the declaration of each type visited and of every type it reaches, once each, in
/// the order first reached.
struct Declarations<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    decls: Vec<String>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        // Primitives and containers (`Vec<T>`, `Option<T>`, maps) have no declaration of their own.
        // A shadowing type (`serde_json::Value` for ts-rs's own `JsonValue`) declares what it shadows.
        let decl = T::output_path().map(|_| format!("export {}", T::decl(self.cfg)));
        if let Some(decl) = decl.filter(|d| !self.decls.contains(d)) {
            self.decls.push(decl);
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

/// Visits each type given.
macro_rules! visit {
    ($visitor:expr; $($ty:ty),* $(,)?) => {
        $($visitor.visit::<$ty>();)*
    };
}

/// A documentation comment as ts-rs writes one.
fn doc_comment(doc: &str) -> String {
    let lines: String = doc.lines().map(|l| format!(" * {l}\n")).collect();
    format!("/**\n{lines} */\n")
}

/// The `Calls` map and the types that read it.
fn calls(cfg: &Config) -> String {
    let mut text = String::from(
        "/**\n * Every engine call the `call` command runs, by method: its arguments and its reply.\n */\nexport type Calls = {\n",
    );
    for s in Call::signatures(cfg) {
        let args: Vec<String> = s.args.iter().map(|(name, ty)| format!("{name}: {ty}")).collect();
        let args = if args.is_empty() { "Record<string, never>".to_owned() } else { format!("{{ {} }}", args.join(", ")) };
        text.push_str(&doc_comment(&s.doc));
        text.push_str(&format!("{}: {{ args: {args}, reply: {} }},\n", s.method, s.reply));
    }
    text.push_str(
        "};\n\
         /** A method of `call`. */\nexport type Method = keyof Calls;\n\
         /** The arguments of method `M`. */\nexport type ArgsOf<M extends Method> = Calls[M][\"args\"];\n\
         /** The reply of method `M`. */\nexport type ReplyOf<M extends Method> = Calls[M][\"reply\"];\n",
    );
    text
}

/// The whole generated file.
fn generated() -> String {
    // Counts and sizes are far below 2^53: plain numbers on the TypeScript side.
    let cfg = &Config::new().with_large_int("number");
    let mut types = Declarations { cfg, seen: HashSet::new(), decls: Vec::new() };
    use riskdesk_app::commands::*;
    visit![types;
        // The shell's own replies and queries, and where the app works.
        AppInfo, History, RiskForm, PreviewQuery, StagingCheck,
        riskdesk_app::connection::Connection, riskdesk_remote::ServerInfo, riskdesk_app::about::About,
        riskdesk_app::recent::Recent, riskdesk_app::recent::Remember,
        // Errors and progress.
        riskdesk::error::ErrorBody, riskdesk::progress::Step,
        // The named commands' own arguments and replies.
        riskdesk::scan::ScanReport, riskdesk::uploader::StagingResult, riskdesk::checks::Finding, riskdesk::checks::Thresholds,
        riskdesk::api::Drill, riskdesk::chart::DayCharts, riskdesk::api::DayHistogram, riskdesk::reference::ReferenceInfo,
        riskdesk::riskmodel::view::ModelCharts, riskdesk_app::portfolio::PortfolioView,
    ];
    Call::visit_types(&mut types);
    let mut text = String::from(
        "// Generated from the Rust types by src-tauri/tests/bindings.rs (ts-rs): do not edit.\n\
         // Regenerate with `UPDATE_BINDINGS=1 cargo test -p riskdesk-app --test bindings`.\n\n",
    );
    text.push_str(&calls(cfg));
    // By name: the order in which types are first reached is not the same from one build to the next.
    let mut decls = types.decls;
    decls.sort_by_cached_key(|d| declared_name(d).to_owned());
    for d in decls {
        text.push_str(&d);
        text.push('\n');
    }
    text.push_str(&commit_modes());
    text
}

/// The name a declaration (`export type Name<…> = …`) declares.
fn declared_name(decl: &str) -> &str {
    let rest = decl.split_once("type ").map_or(decl, |(_, rest)| rest);
    rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or(rest)
}

/// The commit modes in the order offered, each with the engine's description of it, so that the
/// UI words them as the CLI and the server do.
fn commit_modes() -> String {
    use riskdesk::uploader::CommitMode;
    let entries: Vec<String> = CommitMode::ALL
        .iter()
        .map(|m| {
            let name = serde_json::to_string(m).expect("a commit mode serializes");
            let description = serde_json::to_string(m.description()).expect("a string serializes");
            format!("  {name}: {description},\n")
        })
        .collect();
    format!(
        "\n/** Every commit mode, in the order offered, with what it does (`CommitMode::description`). */\n\
         export const COMMIT_MODES: Record<CommitMode, string> = {{\n{}}};\n",
        entries.concat()
    )
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

#[test]
fn each_call_is_typed_with_its_arguments_and_reply_and_every_type_it_names_is_declared() {
    let text = generated();
    assert!(text.contains("describe_risk_dataset: { args: { name: string }, reply: Description },"), "{text}");
    assert!(text.contains("datasets: { args: Record<string, never>, reply: Array<DatasetInfo> },"), "{text}");
    assert!(text.contains("commit: { args: { dataset: string, mode: CommitMode, names: Array<string> | null }, reply: CommitResult },"));
    for name in ["Description", "CommitMode", "CommitResult", "GridInfo", "Page", "UniverseSettingsMenu", "CheckReport"] {
        assert!(text.contains(&format!("export type {name} = ")), "{name} is not declared");
    }
}
