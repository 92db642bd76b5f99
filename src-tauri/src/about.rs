//! What the About panel shows: the app's version and build, its licence, where it works, and the
//! third-party packages compiled into it with their licences (listed by the build script from
//! cargo's and npm's lockfiles, so the list is always the one of this binary).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The About panel's facts.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct About {
    /// The app's version.
    pub version: String,
    /// The commit it was built from (`-modified` when the tree had changes; `unknown` outside git).
    pub build: String,
    /// Riskdesk's own licence.
    pub licence: String,
    /// The home folder (or, in remote mode, the server) it works on.
    pub home: String,
    /// The third-party packages compiled into the app, by name.
    pub third_party: Vec<ThirdParty>,
}

/// One third-party package in the app.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ThirdParty {
    /// Its name (a Rust crate or an npm package of the UI).
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its licence (an SPDX expression).
    pub licence: String,
}

/// The packages the build listed.
pub fn third_party() -> Vec<ThirdParty> {
    include_str!(concat!(env!("OUT_DIR"), "/third_party.tsv"))
        .lines()
        .filter_map(|line| {
            let mut f = line.split('\t');
            Some(ThirdParty { name: f.next()?.to_owned(), version: f.next()?.to_owned(), licence: f.next()?.to_owned() })
        })
        .collect()
}

/// The About facts for an app working on `home`.
pub fn about(home: String) -> About {
    About {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        build: env!("RISKDESK_BUILD").to_owned(),
        licence: env!("CARGO_PKG_LICENSE").to_owned(),
        home,
        third_party: third_party(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_the_app_s_real_dependencies_and_not_the_workspace() {
        let list = third_party();
        let has = |name: &str| list.iter().any(|p| p.name == name);
        assert!(has("tauri") && has("parquet") && has("preact"), "{} packages", list.len());
        assert!(!has("riskdesk") && !has("riskdesk-app") && !has("riskdesk-server"));
        // Development-only packages are not in the app.
        assert!(!has("esbuild") && !has("typescript"));
        assert!(list.iter().all(|p| !p.version.is_empty() && !p.licence.is_empty()));
    }
}
