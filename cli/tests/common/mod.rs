//! Helpers shared by the integration tests: a temporary home, the CLI binary, small files.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Lines, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};

/// A temporary workspace with a home folder and a folder for input files.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env { dir: tempfile::tempdir().unwrap() }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
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
        Command::new(env!("CARGO_BIN_EXE_riskdesk")).arg("--home").arg(self.home()).args(args).output().unwrap()
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
        let mut child = Command::new(env!("CARGO_BIN_EXE_riskdesk"))
            .arg("--home")
            .arg(self.home())
            .args(["serve", "--listen", "127.0.0.1:0"])
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
