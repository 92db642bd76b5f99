//! What the window remembers from one run to the next: the last screen, the exposure datasets
//! worked on in each place (this computer or a saved server; the first is the one to reopen) and
//! the folders scanned on this computer. Kept in the home folder's `recent.json`, written whole
//! through a temporary file, so that a crash leaves the previous list; an unreadable file is an
//! empty memory, never an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use riskdesk::{Error, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How many recent folders are kept.
pub const FOLDERS: usize = 8;
/// How many recent datasets are kept per place.
pub const DATASETS: usize = 6;
/// The longest name or path remembered (in bytes): anything longer is not a name the UI sends.
const LONGEST: usize = 4096;

/// What the window tells the memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Remember {
    /// The screen shown (its id in the UI).
    Screen(String),
    /// The exposure dataset worked on, in the current place.
    Dataset(String),
    /// A folder (or ZIP) scanned on this computer.
    Folder(String),
}

/// A folder remembered, and whether it is still there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RecentFolder {
    /// Its absolute path.
    pub path: String,
    /// Whether it still exists on this computer.
    pub present: bool,
}

/// What the window finds again at start, for the place it works on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Recent {
    /// The screen last shown, if any.
    pub screen: Option<String>,
    /// The exposure datasets of this place, the most recent first (the first is the one to reopen).
    pub datasets: Vec<String>,
    /// The folders scanned on this computer, the most recent first.
    pub folders: Vec<RecentFolder>,
}

/// The file's content.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    #[serde(default)]
    screen: Option<String>,
    /// By place: `""` for this computer, else the saved server's name.
    #[serde(default)]
    datasets: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    folders: Vec<String>,
}

/// The memory, in a home folder.
pub struct Memory {
    file: PathBuf,
    /// Held while the file is read, changed and written.
    lock: Mutex<()>,
}

/// Puts `item` first in `list`, once, keeping at most `keep` entries.
fn put_first(list: &mut Vec<String>, item: String, keep: usize) {
    list.retain(|x| *x != item);
    list.insert(0, item);
    list.truncate(keep);
}

impl Memory {
    /// The memory kept in `folder` (the home folder's local folder).
    pub fn new(folder: &Path) -> Memory {
        Memory { file: folder.join("recent.json"), lock: Mutex::new(()) }
    }

    fn read(&self) -> Stored {
        std::fs::read(&self.file).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
    }

    /// What is remembered for `place` (`None`: this computer, else a saved server's name).
    pub fn recall(&self, place: Option<&str>) -> Recent {
        let _held = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let stored = self.read();
        Recent {
            screen: stored.screen,
            datasets: stored.datasets.get(place.unwrap_or("")).cloned().unwrap_or_default(),
            folders: stored.folders.into_iter().map(|path| RecentFolder { present: Path::new(&path).exists(), path }).collect(),
        }
    }

    /// Notes `what` (in `place`, for a dataset) and writes the memory.
    pub fn remember(&self, place: Option<&str>, what: Remember) -> Result<()> {
        let value = match &what {
            Remember::Screen(v) | Remember::Dataset(v) | Remember::Folder(v) => v.trim(),
        };
        if value.is_empty() || value.len() > LONGEST || value.chars().any(char::is_control) {
            return Err(Error::invalid(format!("cannot remember '{}': empty, too long or not printable", riskdesk::names::shown(value))));
        }
        let value = value.to_owned();
        self.change(|stored| {
            match what {
                Remember::Screen(_) => stored.screen = Some(value),
                Remember::Dataset(_) => put_first(stored.datasets.entry(place.unwrap_or("").to_owned()).or_default(), value, DATASETS),
                Remember::Folder(_) => {
                    if !Path::new(&value).is_absolute() {
                        return Err(Error::invalid(format!("cannot remember the folder '{value}': not an absolute path")));
                    }
                    put_first(&mut stored.folders, value, FOLDERS);
                }
            }
            Ok(())
        })
    }

    /// Forgets a folder (the user removed it from the list).
    pub fn forget_folder(&self, path: &str) -> Result<()> {
        self.change(|stored| {
            stored.folders.retain(|f| f != path);
            Ok(())
        })
    }

    /// Reads the memory, changes it and writes it whole.
    fn change(&self, f: impl FnOnce(&mut Stored) -> Result<()>) -> Result<()> {
        let _held = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut stored = self.read();
        f(&mut stored)?;
        let text = serde_json::to_vec_pretty(&stored).map_err(|e| Error::Internal(e.to_string()))?;
        riskdesk::store::write_atomically(&self.file, |mut out| {
            std::io::Write::write_all(&mut out, &text).map_err(|e| Error::io("cannot write the recent folders and datasets", e))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_comes_first_once_and_places_keep_apart() {
        let dir = tempfile::tempdir().unwrap();
        let m = Memory::new(dir.path());
        assert_eq!(m.recall(None), Recent::default());
        for d in ["A", "B", "A"] {
            m.remember(None, Remember::Dataset(d.into())).unwrap();
        }
        m.remember(Some("team"), Remember::Dataset("T".into())).unwrap();
        m.remember(None, Remember::Screen("history".into())).unwrap();
        let here = m.recall(None);
        assert_eq!(here.datasets, ["A", "B"]);
        assert_eq!(here.screen.as_deref(), Some("history"));
        assert_eq!(m.recall(Some("team")).datasets, ["T"]);
        // At most DATASETS per place, the oldest dropped.
        for i in 0..10 {
            m.remember(None, Remember::Dataset(format!("D{i}"))).unwrap();
        }
        let here = Memory::new(dir.path()).recall(None);
        assert_eq!(here.datasets.len(), DATASETS);
        assert_eq!(here.datasets[0], "D9");
    }

    #[test]
    fn folders_say_whether_they_are_still_there() {
        let dir = tempfile::tempdir().unwrap();
        let m = Memory::new(dir.path());
        let gone = dir.path().join("gone");
        std::fs::create_dir(&gone).unwrap();
        m.remember(None, Remember::Folder(gone.display().to_string())).unwrap();
        m.remember(None, Remember::Folder(dir.path().display().to_string())).unwrap();
        std::fs::remove_dir(&gone).unwrap();
        let folders = m.recall(Some("team")).folders;
        assert_eq!(folders.iter().map(|f| f.present).collect::<Vec<_>>(), [true, false]);
        m.forget_folder(&gone.display().to_string()).unwrap();
        assert_eq!(m.recall(None).folders.len(), 1);
        assert!(m.remember(None, Remember::Folder("relative".into())).is_err());
    }

    #[test]
    fn bad_input_is_refused_and_a_broken_file_is_an_empty_memory() {
        let dir = tempfile::tempdir().unwrap();
        let m = Memory::new(dir.path());
        assert!(m.remember(None, Remember::Dataset(" ".into())).is_err());
        assert!(m.remember(None, Remember::Dataset("x".repeat(LONGEST + 1))).is_err());
        assert!(m.remember(None, Remember::Screen("a\nb".into())).is_err());
        std::fs::write(dir.path().join("recent.json"), b"{not json").unwrap();
        assert_eq!(m.recall(None), Recent::default());
        m.remember(None, Remember::Dataset("A".into())).unwrap();
        assert_eq!(m.recall(None).datasets, ["A"]);
    }
}
