//! Build script: embeds the UI bundle and generates Tauri's context.

fn main() {
    // `src-tauri/tauri.conf.json` links to the one configuration at the repository root, so
    // tauri-build would watch `src-tauri/ui/dist`; the embedded UI is the root's `ui/dist`.
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build();
}
