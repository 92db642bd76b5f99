//! A small blocking WebDriver client for the end-to-end test.
//!
//! HTTP through `reqwest` (blocking) with `serde_json`; the `tauri-driver` process in front of
//! WebKitWebDriver; a [`Session`] with polling helpers that fail with a screenshot and the
//! page's error text. Dropping a [`Session`] deletes it and stops `tauri-driver`, also when the
//! test panics.

use std::ffi::OsStr;
use std::fmt;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The W3C key under which WebDriver returns an element reference.
pub const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How often the polling helpers look again.
const POLL: Duration = Duration::from_millis(250);

/// A failed request: a transport problem (`status` 0) or a WebDriver error response.
#[derive(Debug, Clone)]
pub struct WdError {
    /// The HTTP status, 0 when no response was read.
    pub status: u16,
    /// The WebDriver error code, e.g. `no such element`, or `http` for transport problems.
    pub error: String,
    pub message: String,
}

impl WdError {
    fn transport(message: impl Into<String>) -> WdError {
        WdError { status: 0, error: "http".into(), message: message.into() }
    }

    /// Whether waiting may make the error go away (the UI re-renders its elements often).
    pub fn is_transient(&self) -> bool {
        matches!(
            self.error.as_str(),
            "no such element" | "stale element reference" | "element not interactable" | "element click intercepted"
        )
    }
}

impl fmt::Display for WdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.status == 0 {
            write!(f, "{}: {}", self.error, self.message)
        } else {
            write!(f, "HTTP {} {}: {}", self.status, self.error, self.message)
        }
    }
}

/// Sends one request to `127.0.0.1:port` and returns the status and the JSON body
/// (`Value::Null` when the body is empty). One pooled client (reqwest) for every request; it
/// never sends `Connection: close`, which tauri-driver would forward to WebKitWebDriver, whose
/// closing of tauri-driver's pooled connection then fails a quick next command.
pub fn http(port: u16, method: &str, path: &str, body: Option<&Value>, timeout: Duration) -> Result<(u16, Value), WdError> {
    static CLIENT: std::sync::OnceLock<reqwest::blocking::Client> = std::sync::OnceLock::new();
    let client = CLIENT.get_or_init(reqwest::blocking::Client::new);
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| WdError::transport(e.to_string()))?;
    let url = format!("http://127.0.0.1:{port}{path}");
    let mut request = client.request(method.clone(), &url).timeout(timeout).header("Accept", "application/json");
    if let Some(b) = body {
        request = request.json(b);
    }
    let fail = |e: reqwest::Error| WdError::transport(format!("{method} {path}: {e}"));
    let response = request.send().map_err(fail)?;
    let status = response.status().as_u16();
    let text = response.text().map_err(fail)?;
    if text.trim().is_empty() {
        return Ok((status, Value::Null));
    }
    serde_json::from_str(&text)
        .map(|v| (status, v))
        .map_err(|e| WdError::transport(format!("{method} {path}: HTTP {status}: the body is not JSON ({e}): {text}")))
}

/// Turns a WebDriver answer into its `value`, or the error it reports.
fn unwrap_value(status: u16, body: Value) -> Result<Value, WdError> {
    let value = match body {
        Value::Object(mut map) => map.remove("value").unwrap_or(Value::Null),
        other => other,
    };
    if (200..300).contains(&status) {
        return Ok(value);
    }
    let field = |k: &str| value.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    Err(WdError { status, error: field("error"), message: field("message") })
}

/// Two free TCP ports on 127.0.0.1 (asked from the OS, then released).
pub fn free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let b = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    (a.local_addr().unwrap().port(), b.local_addr().unwrap().port())
}

/// A running `tauri-driver`: started with its log in a file, stopped (with its WebKitWebDriver)
/// when dropped.
pub struct Driver {
    child: Child,
    /// The port `tauri-driver` listens on.
    pub port: u16,
    /// Where its output (and the app's) goes.
    pub log: PathBuf,
}

impl Driver {
    /// Starts `binary --port P --native-port Q` on free ports with extra environment variables,
    /// and waits until its `/status` answers.
    pub fn start(binary: &Path, envs: &[(&str, &OsStr)], log: &Path) -> Driver {
        let (port, native_port) = free_ports();
        let out = File::create(log).unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
        let err = out.try_clone().expect("clone the log file");
        let mut cmd = Command::new(binary);
        cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()]).stdin(Stdio::null()).stdout(out).stderr(err);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut driver = Driver { child, port, log: log.to_owned() };
        driver.wait_ready(Duration::from_secs(30));
        driver
    }

    /// Polls `GET /status` until it answers (panics, naming the log, when the driver exits or
    /// the deadline passes).
    fn wait_ready(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("tauri-driver exited ({status}) before answering; see {}", self.log.display());
            }
            let last = match http(self.port, "GET", "/status", None, Duration::from_secs(5)) {
                Ok((200, _)) => return,
                Ok((status, body)) => format!("HTTP {status}: {body}"),
                Err(e) => e.to_string(),
            };
            if Instant::now() > deadline {
                panic!("tauri-driver did not answer /status within {timeout:?} (last: {last}); see {}", self.log.display());
            }
            std::thread::sleep(POLL);
        }
    }

    /// Sends one WebDriver command and returns its `value`.
    pub fn command(&self, method: &str, path: &str, body: Option<&Value>, timeout: Duration) -> Result<Value, WdError> {
        let (status, body) = http(self.port, method, path, body, timeout)?;
        unwrap_value(status, body)
    }
}

impl Drop for Driver {
    /// SIGTERM first (`tauri-driver` then kills WebKitWebDriver), SIGKILL if it lingers.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while let Ok(None) = self.child.try_wait() {
                if Instant::now() > deadline {
                    let _ = self.child.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.wait();
    }
}

/// One WebDriver session on the app, with polling helpers.
///
/// Fields drop in order: the session is deleted (in `Drop`) before the driver stops.
pub struct Session {
    id: String,
    driver: Driver,
    /// Where screenshots go.
    pub artifacts: PathBuf,
    /// How long the polling helpers wait.
    pub timeout: Duration,
}

impl Session {
    /// Creates a session with `capabilities` (the app starts now). On failure the driver is
    /// stopped.
    pub fn new(driver: Driver, capabilities: Value, artifacts: &Path, timeout: Duration) -> Result<Session, WdError> {
        let value = driver.command("POST", "/session", Some(&capabilities), Duration::from_secs(120))?;
        let id = value
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| WdError::transport(format!("no sessionId in {value}")))?
            .to_owned();
        Ok(Session { id, driver, artifacts: artifacts.to_owned(), timeout })
    }

    /// Sends a command under `/session/{id}` (`path` starts with `/` or is empty).
    pub fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        let full = format!("/session/{}{path}", self.id);
        // Answers never take longer than the script timeout set below, plus a margin.
        self.driver.command(method, &full, body.as_ref(), self.timeout + Duration::from_secs(30))
    }

    /// Sets the window's size.
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<Value, WdError> {
        self.cmd("POST", "/window/rect", Some(json!({ "width": width, "height": height })))
    }

    /// Sets the script timeout (asynchronous scripts may wait on the engine).
    pub fn set_script_timeout(&self, timeout: Duration) -> Result<Value, WdError> {
        self.cmd("POST", "/timeouts", Some(json!({ "script": timeout.as_millis() as u64 })))
    }

    /// The first element matching a CSS selector, `None` when there is none.
    pub fn find(&self, css: &str) -> Result<Option<String>, WdError> {
        match self.cmd("POST", "/element", Some(json!({ "using": "css selector", "value": css }))) {
            Ok(v) => Ok(Some(element_id(&v)?)),
            Err(e) if e.error == "no such element" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every element matching a CSS selector.
    pub fn find_all(&self, css: &str) -> Result<Vec<String>, WdError> {
        let v = self.cmd("POST", "/elements", Some(json!({ "using": "css selector", "value": css })))?;
        v.as_array().map(|a| a.iter().map(element_id).collect()).unwrap_or_else(|| Ok(Vec::new()))
    }

    /// An element's rendered text.
    pub fn text(&self, element: &str) -> Result<String, WdError> {
        Ok(self.cmd("GET", &format!("/element/{element}/text"), None)?.as_str().unwrap_or_default().to_owned())
    }

    /// An element's DOM property (e.g. `value`).
    pub fn property(&self, element: &str, name: &str) -> Result<Value, WdError> {
        self.cmd("GET", &format!("/element/{element}/property/{name}"), None)
    }

    /// Whether an element is enabled.
    pub fn enabled(&self, element: &str) -> Result<bool, WdError> {
        Ok(self.cmd("GET", &format!("/element/{element}/enabled"), None)?.as_bool().unwrap_or(false))
    }

    /// Clicks an element.
    pub fn click(&self, element: &str) -> Result<Value, WdError> {
        self.cmd("POST", &format!("/element/{element}/click"), Some(json!({})))
    }

    /// Types `text` into an element, key by key, as a user would.
    pub fn type_text(&self, element: &str, text: &str) -> Result<Value, WdError> {
        self.cmd("POST", &format!("/element/{element}/value"), Some(json!({ "text": text })))
    }

    /// Runs a synchronous script (`return …`) with JSON arguments.
    pub fn execute(&self, script: &str, args: Value) -> Result<Value, WdError> {
        self.cmd("POST", "/execute/sync", Some(json!({ "script": script, "args": args })))
    }

    /// Runs an asynchronous script: it calls `arguments[arguments.length - 1](result)` when done.
    pub fn execute_async(&self, script: &str, args: Value) -> Result<Value, WdError> {
        self.cmd("POST", "/execute/async", Some(json!({ "script": script, "args": args })))
    }

    /// Takes a screenshot and writes it as `<artifacts>/<name>`; returns its path. Waits for
    /// the next two animation frames first (at most a second): WebKit's snapshot shows the last
    /// painted frame, which lags a change made just before.
    pub fn screenshot(&self, name: &str) -> Result<PathBuf, WdError> {
        let painted = "const done = arguments[arguments.length - 1];
            setTimeout(done, 1000);
            requestAnimationFrame(() => requestAnimationFrame(() => done()));";
        self.execute_async(painted, json!([]))?;
        let value = self.cmd("GET", "/screenshot", None)?;
        let encoded: String = value.as_str().unwrap_or_default().split_ascii_whitespace().collect();
        let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded)
            .map_err(|e| WdError::transport(format!("the screenshot is not base64: {e}")))?;
        let path = self.artifacts.join(name);
        std::fs::write(&path, png).map_err(|e| WdError::transport(format!("cannot write {}: {e}", path.display())))?;
        Ok(path)
    }

    /// The text of every `.error` box on the page (empty when there is none).
    pub fn page_errors(&self) -> String {
        self.execute("return Array.from(document.querySelectorAll('.error')).map(e => e.innerText.trim()).join('\\n---\\n');", json!([]))
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Fails the test: saves [`failure_shot`] and panics with `message`, the page's heading and
    /// `.error` text, and where to look.
    pub fn fail(&self, message: &str) -> ! {
        let shot = match self.screenshot(&failure_shot()) {
            Ok(p) => p.display().to_string(),
            Err(e) => format!("(none: {e})"),
        };
        let heading = self
            .execute("const h = document.querySelector('main h1'); return h ? h.innerText : '';", json!([]))
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let errors = self.page_errors();
        let errors = if errors.is_empty() { "none".to_owned() } else { errors };
        panic!(
            "{message}\n  screen heading: {heading:?}\n  page .error text: {errors}\n  screenshot: {shot}\n  tauri-driver log: {}",
            self.driver.log.display()
        );
    }

    /// Polls `probe` until it gives `Some`, for at most [`Session::timeout`]. Transient
    /// WebDriver errors (stale or missing elements) are retried; others fail at once.
    pub fn wait<T>(&self, what: &str, mut probe: impl FnMut(&Session) -> Result<Option<T>, WdError>) -> T {
        let start = Instant::now();
        let mut last_error: Option<WdError> = None;
        loop {
            match probe(self) {
                Ok(Some(v)) => return v,
                Ok(None) => {}
                Err(e) if e.is_transient() => last_error = Some(e),
                Err(e) => self.fail(&format!("while waiting for {what}: {e}")),
            }
            if start.elapsed() > self.timeout {
                let last = last_error.map(|e| format!(" (last error: {e})")).unwrap_or_default();
                self.fail(&format!("timed out after {} s waiting for {what}{last}", self.timeout.as_secs()));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits for an element matching `css` and returns it.
    pub fn wait_for(&self, css: &str) -> String {
        self.wait(&format!("`{css}`"), |s| s.find(css))
    }

    /// Waits until the first element matching `css` has a text containing `needle`; returns the
    /// text.
    pub fn wait_text(&self, css: &str, needle: &str) -> String {
        self.wait(&format!("`{css}` containing {needle:?}"), |s| {
            let Some(el) = s.find(css)? else { return Ok(None) };
            let text = s.text(&el)?;
            Ok(text.contains(needle).then_some(text))
        })
    }

    /// Waits until `accept(n)` holds for the number `n` of elements matching `css`; returns `n`.
    pub fn wait_count(&self, css: &str, what: &str, accept: impl Fn(usize) -> bool) -> usize {
        self.wait(&format!("`{css}` to match {what}"), |s| {
            let n = s.find_all(css)?.len();
            Ok(accept(n).then_some(n))
        })
    }

    /// Waits until an element matching `css` is enabled and clicks it (again if it was
    /// re-rendered in between).
    pub fn click_when_ready(&self, css: &str) {
        self.wait(&format!("`{css}` to be enabled and clicked"), |s| {
            let Some(el) = s.find(css)? else { return Ok(None) };
            if !s.enabled(&el)? {
                return Ok(None);
            }
            s.click(&el)?;
            Ok(Some(()))
        })
    }

    /// The cells' text of every row matching `css`, read in one script (no stale elements).
    pub fn table_rows(&self, css: &str) -> Vec<Vec<String>> {
        let script =
            "return Array.from(document.querySelectorAll(arguments[0])).map(r => Array.from(r.cells).map(c => c.innerText.trim()));";
        let value = self.execute(script, json!([css])).unwrap_or_else(|e| self.fail(&format!("cannot read `{css}`: {e}")));
        serde_json::from_value(value).unwrap_or_else(|e| self.fail(&format!("`{css}` did not read as rows of text: {e}")))
    }
}

impl Drop for Session {
    /// Deletes the session (closing the app); the driver stops right after.
    fn drop(&mut self) {
        if let Err(e) = self.driver.command("DELETE", &format!("/session/{}", self.id), None, Duration::from_secs(30)) {
            eprintln!("could not delete the WebDriver session: {e}");
        }
    }
}

/// The name of the screenshot a failing test saves: `failure-<test>.png` (the test's thread is
/// named after it), so that the next test's start does not remove it.
pub fn failure_shot() -> String {
    format!("failure-{}.png", std::thread::current().name().unwrap_or("test"))
}

/// The element id inside a WebDriver element reference.
fn element_id(v: &Value) -> Result<String, WdError> {
    v.get(ELEMENT_KEY)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| WdError::transport(format!("not an element reference: {v}")))
}
