fn main() {
    // `src-tauri/tauri.conf.json` links to the one configuration at the repository root.
    tauri_build::build();
}
