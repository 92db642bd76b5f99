//! The Riskdesk desktop app's entry point; see the `riskdesk_app` library.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    riskdesk_app::run();
}
