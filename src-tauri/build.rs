//! Build script: embeds the UI bundle, generates Tauri's context, and writes what the About
//! panel shows that only the build knows: the commit built (`RISKDESK_BUILD`) and the third-party
//! packages compiled into the app, with their licences (`$OUT_DIR/third_party.tsv`).

use std::path::Path;
use std::process::Command;

fn main() {
    // The embedded UI is `ui/dist` (the configuration's `frontendDist`).
    println!("cargo:rerun-if-changed=../ui/dist");
    println!("cargo:rerun-if-changed=../Cargo.lock");
    println!("cargo:rerun-if-changed=../ui/package-lock.json");
    build_id();
    third_party();
    tauri_build::build();
}

/// The commit built (short hash, `-modified` when the tree had changes), or "unknown" outside a
/// git checkout; rebuilt when HEAD moves.
fn build_id() {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let id = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(hash) => {
            let modified = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
            if modified { format!("{hash}-modified") } else { hash }
        }
        None => "unknown".to_owned(),
    };
    for path in [
        git(&["rev-parse", "--git-path", "HEAD"]),
        git(&["rev-parse", "--symbolic-full-name", "HEAD"]).and_then(|r| git(&["rev-parse", "--git-path", &r])),
    ]
    .into_iter()
    .flatten()
    {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rustc-env=RISKDESK_BUILD={id}");
}

/// The packages compiled into the app (cargo's resolve of this crate's normal dependencies for
/// the target, less the workspace's own crates) and the UI's runtime packages (npm's lockfile,
/// less development-only ones): one `name\tversion\tlicence` line each, sorted.
fn third_party() {
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("third_party.tsv");
    let mut lines: Vec<String> = Vec::new();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    // Offline first (every package the build needs is downloaded by now); cargo may still need
    // the manifests of other platforms' packages, which it then fetches from the registry.
    let run = |offline: bool| {
        let mut args =
            vec!["metadata", "--format-version", "1", "--locked", "--filter-platform", &target, "--manifest-path", "../Cargo.toml"];
        if offline {
            args.push("--offline");
        }
        Command::new(&cargo).args(args).output().expect("cargo metadata runs")
    };
    let metadata = Some(run(true)).filter(|o| o.status.success()).unwrap_or_else(|| run(false));
    assert!(metadata.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&metadata.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&metadata.stdout).expect("cargo metadata writes JSON");
    let members: Vec<&str> = meta["workspace_members"].as_array().into_iter().flatten().filter_map(|m| m.as_str()).collect();
    let packages: std::collections::HashMap<&str, &serde_json::Value> =
        meta["packages"].as_array().into_iter().flatten().filter_map(|p| Some((p["id"].as_str()?, p))).collect();
    let nodes: std::collections::HashMap<&str, &serde_json::Value> =
        meta["resolve"]["nodes"].as_array().into_iter().flatten().filter_map(|n| Some((n["id"].as_str()?, n))).collect();
    let root =
        packages.values().find(|p| p["name"] == "riskdesk-app").and_then(|p| p["id"].as_str()).expect("riskdesk-app is in the workspace");
    // Walk the normal (not build or dev) dependencies from the app.
    let mut seen = std::collections::HashSet::from([root]);
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        for dep in nodes.get(id).and_then(|n| n["deps"].as_array()).into_iter().flatten() {
            let normal = dep["dep_kinds"].as_array().into_iter().flatten().any(|k| k["kind"].is_null());
            if let Some(pkg) = dep["pkg"].as_str().filter(|_| normal)
                && seen.insert(pkg)
            {
                stack.push(pkg);
            }
        }
    }
    for id in seen.into_iter().filter(|id| !members.contains(id)) {
        let p = packages[id];
        let licence = p["license"].as_str().map(str::to_owned).unwrap_or_else(|| "see its licence file".to_owned());
        lines.push(format!("{}\t{}\t{}", p["name"].as_str().unwrap_or_default(), p["version"].as_str().unwrap_or_default(), licence));
    }
    let lock: serde_json::Value =
        serde_json::from_slice(&std::fs::read("../ui/package-lock.json").expect("ui/package-lock.json is there")).expect("a JSON lockfile");
    for (path, p) in lock["packages"].as_object().into_iter().flatten() {
        let Some(name) = path.strip_prefix("node_modules/") else { continue };
        if p["dev"].as_bool() == Some(true) || name.contains("/node_modules/") {
            continue;
        }
        let licence = p["license"].as_str().unwrap_or("see its licence file");
        lines.push(format!("{name}\t{}\t{licence}", p["version"].as_str().unwrap_or_default()));
    }
    lines.sort();
    lines.dedup();
    std::fs::write(&out, lines.join("\n")).expect("OUT_DIR is writable");
}
