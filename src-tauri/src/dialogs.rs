//! Native file dialogs, behind a trait so that tests can answer them.

use std::path::PathBuf;

/// The dialogs the app opens. `None` means the user cancelled.
pub trait Dialogs: Send + Sync {
    /// Asks for a folder of exposure files.
    fn pick_folder(&self) -> Option<PathBuf>;
    /// Asks for one file, titled `title`, of the kind `kind` (e.g. "Portfolio") with one of `extensions`.
    fn pick_file(&self, title: &str, kind: &str, extensions: &[&str]) -> Option<PathBuf>;
    /// Asks where to save a file, titled `title`, suggesting `file_name`; `extension` is the
    /// format's (`csv`, `parquet`).
    fn save_file(&self, title: &str, file_name: &str, extension: &str) -> Option<PathBuf>;
}

/// The desktop's own dialogs (GTK on Linux).
pub struct NativeDialogs;

impl Dialogs for NativeDialogs {
    fn pick_folder(&self) -> Option<PathBuf> {
        rfd::FileDialog::new().set_title("Choose a folder of daily exposure files").pick_folder()
    }

    fn pick_file(&self, title: &str, kind: &str, extensions: &[&str]) -> Option<PathBuf> {
        let names: Vec<String> = extensions.iter().map(|e| format!("*.{e}")).collect();
        rfd::FileDialog::new().set_title(title).add_filter(format!("{kind} ({})", names.join(", ")), extensions).pick_file()
    }

    fn save_file(&self, title: &str, file_name: &str, extension: &str) -> Option<PathBuf> {
        let path = rfd::FileDialog::new()
            .set_title(title)
            .set_file_name(file_name)
            .add_filter(extension.to_uppercase(), &[extension])
            .save_file()?;
        // A name typed without the extension gets it, as users expect.
        Some(if path.extension().is_none() { path.with_extension(extension) } else { path })
    }
}

/// Answers every dialog with fixed paths (tests and scripted runs).
#[derive(Default)]
pub struct FixedDialogs {
    /// The folder every folder dialog picks (`None`: the user cancels).
    pub folder: Option<PathBuf>,
    /// The file every file dialog picks (`None`: the user cancels).
    pub file: Option<PathBuf>,
    /// Where every save dialog saves (`None`: the user cancels).
    pub save_to: Option<PathBuf>,
}

impl Dialogs for FixedDialogs {
    fn pick_folder(&self) -> Option<PathBuf> {
        self.folder.clone()
    }

    fn pick_file(&self, _title: &str, _kind: &str, _extensions: &[&str]) -> Option<PathBuf> {
        self.file.clone()
    }

    fn save_file(&self, _title: &str, _file_name: &str, _extension: &str) -> Option<PathBuf> {
        self.save_to.clone()
    }
}
