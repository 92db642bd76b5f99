//! Native file dialogs, behind a trait so that tests can answer them.

use std::path::PathBuf;

/// The dialogs the app opens. `None` means the user cancelled.
pub trait Dialogs: Send + Sync {
    /// Asks for a folder of exposure files.
    fn pick_folder(&self) -> Option<PathBuf>;
    /// Asks where to save a file, suggesting `file_name`; `extension` is the format's (`csv`, `parquet`).
    fn save_file(&self, file_name: &str, extension: &str) -> Option<PathBuf>;
}

/// The desktop's own dialogs (GTK on Linux).
pub struct NativeDialogs;

impl Dialogs for NativeDialogs {
    fn pick_folder(&self) -> Option<PathBuf> {
        rfd::FileDialog::new().set_title("Choose a folder of daily exposure files").pick_folder()
    }

    fn save_file(&self, file_name: &str, extension: &str) -> Option<PathBuf> {
        let path = rfd::FileDialog::new()
            .set_title("Export exposures")
            .set_file_name(file_name)
            .add_filter(extension.to_uppercase(), &[extension])
            .save_file()?;
        // A name typed without the extension gets it, as users expect.
        Some(if path.extension().is_none() { path.with_extension(extension) } else { path })
    }
}

/// Answers every dialog with fixed paths (tests and scripted runs).
pub struct FixedDialogs {
    /// The folder every folder dialog picks (`None`: the user cancels).
    pub folder: Option<PathBuf>,
    /// Where every save dialog saves (`None`: the user cancels).
    pub save_to: Option<PathBuf>,
}

impl Dialogs for FixedDialogs {
    fn pick_folder(&self) -> Option<PathBuf> {
        self.folder.clone()
    }

    fn save_file(&self, _file_name: &str, _extension: &str) -> Option<PathBuf> {
        self.save_to.clone()
    }
}
