//! The app as a desktop application: the folder or ZIP it is opened with (the file manager's
//! *Open with*, `riskdesk-app PATH`), one window for every launch (a second launch hands its path
//! to the running window), and the one WebKitGTK switch some graphics drivers need.

use std::path::{Path, PathBuf};

use tauri::{Emitter, Manager, Runtime};

/// The event a second launch sends the window: the path it was opened with (a string).
pub const OPEN_PATH: &str = "open-path";

/// The path a launch names: its first argument that is not an option, made absolute against
/// `cwd` (the launcher's folder, which for a second launch is not the running window's).
pub fn opened_path<I: IntoIterator<Item = String>>(argv: I, cwd: &Path) -> Option<PathBuf> {
    let arg = argv.into_iter().skip(1).find(|a| !a.is_empty() && !a.starts_with('-'))?;
    // A desktop entry's %F passes paths; some launchers pass file:// URLs instead.
    let path = match tauri::Url::parse(&arg).ok().filter(|u| u.scheme() == "file").and_then(|u| u.to_file_path().ok()) {
        Some(path) => path,
        None => PathBuf::from(arg),
    };
    Some(if path.is_absolute() { path } else { cwd.join(path) })
}

/// Whether a D-Bus session bus can be reached: the single-instance hand-over goes through it.
/// Without one (a bare X server, a test's virtual display), every launch opens its own window.
pub fn session_bus() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty()) {
        return true;
    }
    std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| Path::new(&d).join("bus").exists())
}

/// A second launch: its path goes to the running window, which comes to the front.
pub fn second_launch<R: Runtime>(app: &tauri::AppHandle<R>, argv: Vec<String>, cwd: String) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Some(path) = opened_path(argv, Path::new(&cwd)) {
        let _ = app.emit(OPEN_PATH, path.display().to_string());
    }
}

/// Ends the app as closing its window does when the session asks it to (SIGTERM at logout,
/// SIGHUP, SIGINT): the window's size and place are saved on the way out, which a killed process
/// would not do. The signals arrive on GLib's main loop, the window's own.
pub fn exit_on_signals<R: Runtime>(app: &tauri::AppHandle<R>) {
    #[cfg(target_os = "linux")]
    for signal in [1 /* SIGHUP */, 2 /* SIGINT */, 15 /* SIGTERM */] {
        let app = app.clone();
        webkit2gtk::glib::unix_signal_add_once(signal, move || app.exit(0));
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// On NVIDIA's proprietary driver, WebKitGTK's DMA-BUF renderer can leave the window blank;
/// WebKitGTK's documented switch `WEBKIT_DISABLE_DMABUF_RENDERER=1` turns it off. Set before
/// the web view starts, only with that driver loaded and only when the user has not set it.
pub fn graphics_workaround() {
    #[cfg(target_os = "linux")]
    if Path::new("/proc/driver/nvidia/version").exists() && std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        // SAFETY: called first thing in `run`, before any other thread exists.
        unsafe { std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1") };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_path_is_the_first_argument_made_absolute() {
        let cwd = Path::new("/home/q");
        assert_eq!(opened_path(args(&["riskdesk-app"]), cwd), None);
        assert_eq!(opened_path(args(&["riskdesk-app", "month"]), cwd), Some(PathBuf::from("/home/q/month")));
        assert_eq!(opened_path(args(&["riskdesk-app", "/data/2026.zip"]), cwd), Some(PathBuf::from("/data/2026.zip")));
        assert_eq!(opened_path(args(&["riskdesk-app", "--flag", "", "x y"]), cwd), Some(PathBuf::from("/home/q/x y")));
        assert_eq!(opened_path(args(&["riskdesk-app", "file:///data/June%20exposures"]), cwd), Some(PathBuf::from("/data/June exposures")));
        // An escape that decodes to nothing stays as it is.
        assert_eq!(opened_path(args(&["riskdesk-app", "file:///a%2"]), cwd), Some(PathBuf::from("/a%2")));
    }
}
