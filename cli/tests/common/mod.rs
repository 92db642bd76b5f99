//! Helpers shared by the integration tests: a temporary store, the CLI binary, small files.
//!
//! The store is a home folder, or with `RISKDESK_TEST_TEAM=1` a team store of its own (a new
//! PostgreSQL database and bucket prefix on the servers `scripts/services.sh` started, named by
//! `RISKDESK_TEST_CATALOG` and `RISKDESK_TEST_STORE`), so the same tests run on both.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Lines, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};

/// A temporary workspace with a store (a home folder, or a team store) and a folder for input files.
pub struct Env {
    pub dir: tempfile::TempDir,
    /// The team store's catalog and store URLs, when the tests run on one.
    pub team: Option<(String, String)>,
    opened: std::sync::OnceLock<Option<riskdesk_team::TeamStore>>,
}

/// Whether the tests run on a team store (`RISKDESK_TEST_TEAM=1`).
pub fn on_team() -> bool {
    std::env::var("RISKDESK_TEST_TEAM").is_ok_and(|v| v == "1")
}

/// A new, empty team store: a database of its own on `RISKDESK_TEST_CATALOG`'s server and a
/// prefix of its own in `RISKDESK_TEST_STORE`'s bucket.
pub fn new_team_store() -> (String, String) {
    let admin = std::env::var("RISKDESK_TEST_CATALOG")
        .expect("RISKDESK_TEST_CATALOG: start PostgreSQL and SeaweedFS with scripts/services (scripts/test does)");
    let bucket = std::env::var("RISKDESK_TEST_STORE").expect("RISKDESK_TEST_STORE");
    let mut salt = [0u8; 6];
    getrandom::fill(&mut salt).unwrap();
    let name = format!("t{}", salt.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    (format!("{base}/{name}"), format!("{bucket}/{name}"))
}

impl Env {
    pub fn new() -> Env {
        Env { dir: tempfile::tempdir().unwrap(), team: on_team().then(new_team_store), opened: Default::default() }
    }

    /// A workspace on a home folder, whatever `RISKDESK_TEST_TEAM` says.
    pub fn embedded() -> Env {
        Env { dir: tempfile::tempdir().unwrap(), team: None, opened: Default::default() }
    }

    /// A workspace on a team store of its own, whatever `RISKDESK_TEST_TEAM` says.
    pub fn team() -> Env {
        Env { dir: tempfile::tempdir().unwrap(), team: Some(new_team_store()), opened: Default::default() }
    }

    /// The home folder (on a team store: unused, but given to every command all the same).
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The store's own folder on this machine, where `riskdesk serve` receives uploads: the home
    /// folder, or on a team store this workspace's cache.
    pub fn local_folder(&self) -> PathBuf {
        if self.team.is_some() { self.dir.path().join("cache") } else { self.home() }
    }

    /// The options that choose this workspace's store, for any command.
    pub fn store_args(&self) -> Vec<std::ffi::OsString> {
        self.store_args_cached("cache")
    }

    /// [`Env::store_args`] with a team store's cache in the workspace's folder `cache` (servers
    /// of one team on "other machines" each have their own).
    pub fn store_args_cached(&self, cache: &str) -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = vec!["--home".into(), self.home().into()];
        if let Some((catalog, store)) = &self.team {
            args.extend(["--catalog".into(), catalog.into(), "--store".into(), store.into(), "--cache".into()]);
            args.push(self.dir.path().join(cache).into());
        }
        args
    }

    fn open_team(&self) -> Option<riskdesk_team::TeamStore> {
        let (catalog, store) = self.team.as_ref()?;
        Some(riskdesk_team::TeamStore::open(catalog, store, Some(&self.dir.path().join("cache"))).unwrap())
    }

    /// The team store itself (with this workspace's cache), opened once.
    pub fn team_store(&self) -> Option<&riskdesk_team::TeamStore> {
        self.opened.get_or_init(|| self.open_team()).as_ref()
    }

    /// The store opened in this process.
    pub fn open_home(&self) -> riskdesk::Home {
        match self.open_team() {
            Some(t) => riskdesk::Home::on(t.shared()).unwrap(),
            None => riskdesk::Home::open(&self.home()).unwrap(),
        }
    }

    /// How many stored objects there are under `folder` (say `data/1/parts`).
    pub fn objects(&self, folder: &str) -> usize {
        match self.team_store() {
            Some(t) => t.bucket().list(&format!("{folder}/")).unwrap().len(),
            None => std::fs::read_dir(self.home().join(folder)).map(|d| d.count()).unwrap_or(0),
        }
    }

    /// Removes what killed or failed writers left: the embedded store does it when a writer
    /// takes its lock, a team store's collector when it runs.
    pub fn collect_orphans(&self) {
        match self.team_store() {
            Some(t) => drop(riskdesk_team::collect::collect(t).unwrap()),
            None => drop(self.open_home().write_lock(riskdesk::store::Scope::References).unwrap()),
        }
    }

    /// The CLI binary with this workspace's store chosen.
    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_riskdesk"));
        c.args(self.store_args());
        c
    }

    /// A subfolder (created).
    pub fn folder(&self, name: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    /// Writes a file into a subfolder; returns its path.
    pub fn file(&self, folder: &str, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.folder(folder).join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    /// Runs the CLI with this home; returns the output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Runs the CLI and requires success; returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "riskdesk {args:?} failed:\n{}\n{}", stdout(&out), stderr(&out));
        stdout(&out)
    }

    /// Runs the CLI and requires failure; returns standard error.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "riskdesk {args:?} should fail:\n{}", stdout(&out));
        stderr(&out) + &stdout(&out)
    }

    /// Runs the CLI with `--json` output parsed.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Starts `riskdesk serve` over this home on a free port, once it listens.
    pub fn serve(&self) -> Served {
        self.serve_cached("cache")
    }

    /// [`Env::serve`] with a team store's cache in the workspace's folder `cache`.
    pub fn serve_cached(&self, cache: &str) -> Served {
        self.serve_with(cache, &[])
    }

    /// [`Env::serve_cached`] with more of `serve`'s options.
    pub fn serve_with(&self, cache: &str, options: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_riskdesk"))
            .args(self.store_args_cached(cache))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(options)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let url = first.split_whitespace().find(|w| w.starts_with("http://")).unwrap_or_else(|| panic!("no URL in {first:?}")).to_owned();
        Served { child, url, lines }
    }

    /// Writes demo files into a subfolder.
    pub fn demo(&self, folder: &str, assets: usize, days: usize, extra: &[&str]) -> PathBuf {
        let p = self.folder(folder);
        let mut args = vec!["demo", "exposures", p.to_str().unwrap()];
        let (a, d) = (assets.to_string(), days.to_string());
        args.extend(["--assets", &a, "--days", &d]);
        args.extend(extra);
        self.ok(&args);
        p
    }
}

/// The risk dataset settings of the demo exposures `E` over the reference `reference`: market,
/// style, industry and region groups mapped to their roles.
pub fn demo_dataset_settings(env: &Env, reference: &str) -> PathBuf {
    env.file(
        "settings",
        &format!("dataset-{reference}.json"),
        format!(
            r#"{{"reference_dataset": "{reference}", "exposures": [{{"exposure_type": "uploaded", "exposure_source": "E",
                "market_factor_group": "market", "style_factor_group": "style",
                "industry_factor_group": "industry", "region_factor_group": "region"}}]}}"#
        ),
    )
}

/// Demo exposures of `assets` × `days` committed as `E`, the demo reference imported as `Ref`
/// with every 37th return and 41st market cap taken out (so that the estimation universe is
/// smaller than the dataset and some assets have no next return), and the risk dataset `R` over
/// both. Returns the reference's folder.
pub fn demo_risk_dataset(env: &Env, assets: usize, days: usize) -> PathBuf {
    let folder = env.demo("days", assets, days, &[]);
    env.ok(&["upload", "stage", "--dataset", "E", s(&folder)]);
    env.ok(&["upload", "commit", "--dataset", "E", "--mode", "append"]);
    let reference = env.folder("reference");
    env.ok(&["demo", "reference", s(&reference), "--assets", &assets.to_string(), "--days", &days.to_string()]);
    for (file, every) in [("returns.csv", 37), ("market_caps.csv", 41)] {
        let text = std::fs::read_to_string(reference.join(file)).unwrap();
        let kept: Vec<&str> = text.lines().enumerate().filter(|(i, _)| *i == 0 || i % every != 0).map(|(_, l)| l).collect();
        std::fs::write(reference.join(file), kept.join("\n") + "\n").unwrap();
    }
    env.ok(&["reference", "import", "Ref", s(&reference)]);
    env.ok(&["riskdatasets", "create", "R", "--settings", s(&demo_dataset_settings(env, "Ref"))]);
    reference
}

/// Runs the peer script `cli/tests/peers/<script>` with the peers' venv python
/// (`RISKDESK_PEER_PYTHON`, which `scripts/test` sets); returns its standard output.
pub fn peer_python(script: &str, args: &[&str]) -> String {
    let python = std::env::var("RISKDESK_PEER_PYTHON").expect("RISKDESK_PEER_PYTHON names the peers' venv python (scripts/test sets it)");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers").join(script);
    let out = Command::new(python).arg(&script).args(args).output().unwrap();
    assert!(out.status.success(), "the peer {} failed:\n{}", script.display(), stderr(&out));
    stdout(&out)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A long CSV (with date) of (date, asset, group, factor, value) rows.
pub fn long_csv(rows: &[(&str, &str, &str, &str, f32)]) -> String {
    let mut out = String::from("date,asset_id,asset_id_type,factor_group,factor,exposure\n");
    for (d, a, g, f, v) in rows {
        out += &format!("{d},{a},bayesid,{g},{f},{v}\n");
    }
    out
}

/// The committed data of a dataset as sorted CSV lines (header dropped).
pub fn data_lines(env: &Env, dataset: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["upload", "data", "-d", dataset];
    args.extend(extra);
    let mut lines: Vec<String> = env.ok(&args).lines().skip(1).map(str::to_owned).collect();
    lines.sort();
    lines
}

/// A `riskdesk serve` process (see [`Env::serve`]), stopped with SIGTERM when dropped.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Served {
    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Sends SIGTERM and waits: the exit status, the rest of standard output, standard error.
    pub fn stop(mut self) -> (ExitStatus, Vec<String>, String) {
        self.terminate();
        let status = self.child.wait().unwrap();
        let rest: Vec<String> = self.lines.by_ref().map(Result::unwrap).collect();
        let mut err = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        (status, rest, err)
    }

    /// Kills the server (SIGKILL, no goodbye) as soon as `now` holds (checked every 10 ms, for a
    /// minute at most).
    pub fn kill_when(mut self, now: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !now() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn terminate(&self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if self.child.try_wait().is_ok_and(|ended| ended.is_none()) {
            self.terminate();
            let _ = self.child.wait();
        }
    }
}
