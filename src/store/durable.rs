//! Files a store keeps on this machine (a home folder, a team store's cache): created private to
//! their owner, and published durably.
//!
//! Folders are created `0700` and files `0600` on unix (a home holds the catalog with its API
//! key hashes and every dataset; nothing in it is for other users of the machine). A file is
//! published by [`rename`], which also syncs the folder it lands in: a file's own fsync makes its
//! bytes durable, not its new name, so without it a power loss after a commit could leave the
//! catalog naming a file that is not there.

use std::fs::File;
use std::path::Path;

use crate::Result;
use crate::error::IoContext;

/// Renames `from` to `to`, then syncs `to`'s folder, so that once this returns the new name
/// survives a power loss. The caller has synced the file's own bytes.
pub fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).at("cannot rename into", to)?;
    match to.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => sync_folder(dir),
        _ => sync_folder(Path::new(".")),
    }
}

/// Syncs a folder's entries (names created, renamed or removed in it) to disk. On Windows this
/// does nothing: a folder cannot be opened as a file there, and NTFS journals its entries.
pub fn sync_folder(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir).and_then(|d| d.sync_all()).at("cannot sync the folder", dir)?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Creates `dir` and its missing parents, each folder it creates private (`0700` on unix, set
/// after creation so that no umask widens or narrows it); folders already there are left as they are.
pub fn create_private_dir_all(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir_all(parent)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Ok(()) => {
            #[cfg(unix)]
            std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).at("cannot make private", dir)?;
            Ok(())
        }
        // Made meanwhile by another writer: as good.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e).at("cannot create", dir),
    }
}

/// Creates `path` for writing, empty, readable and writable by its owner only (`0600` on unix;
/// a umask can only take permissions away).
pub fn create_private_file(path: &Path) -> Result<File> {
    private_options().truncate(true).open(path).at("cannot create", path)
}

/// Opens `path` for writing, creating it private (`0600` on unix) if it is not there; an
/// existing file keeps its content and permissions.
pub fn open_private_file(path: &Path) -> Result<File> {
    private_options().truncate(false).open(path).at("cannot open", path)
}

fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(path).unwrap().permissions()) & 0o777
    }

    #[test]
    fn a_rename_lands_and_syncs_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("x.tmp"), dir.path().join("x.parquet"));
        std::fs::write(&from, "bytes").unwrap();
        rename(&from, &to).unwrap();
        assert_eq!(std::fs::read_to_string(&to).unwrap(), "bytes");
        assert!(!from.exists());
        // The folder sync is not skipped: a folder that cannot be opened fails, naming it.
        #[cfg(unix)]
        {
            let gone = dir.path().join("gone");
            let e = sync_folder(&gone).unwrap_err().to_string();
            assert!(e.contains("cannot sync the folder") && e.contains("gone"), "{e}");
        }
        // A failed rename names where it was going.
        let e = rename(&from, &to).unwrap_err().to_string();
        assert!(e.contains("cannot rename into") && e.contains("x.parquet"), "{e}");
    }

    #[test]
    #[cfg(unix)]
    fn folders_and_files_are_created_private() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        create_private_dir_all(&deep).unwrap();
        for d in ["a", "a/b", "a/b/c"] {
            assert_eq!(mode(&dir.path().join(d)), 0o700, "{d}");
        }
        let file = deep.join("f");
        drop(create_private_file(&file).unwrap());
        assert_eq!(mode(&file), 0o600);
        // An existing folder or file is left as it is.
        std::fs::set_permissions(&deep, std::os::unix::fs::PermissionsExt::from_mode(0o750)).unwrap();
        create_private_dir_all(&deep).unwrap();
        assert_eq!(mode(&deep), 0o750);
        std::fs::write(&file, "kept").unwrap();
        drop(open_private_file(&file).unwrap());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept");
    }

    #[test]
    #[cfg(unix)]
    fn a_new_home_and_everything_stored_in_it_is_private() {
        use crate::api::Backend;
        let dir = tempfile::tempdir().unwrap();
        let (root, days) = (dir.path().join("home"), dir.path().join("days"));
        let opts = crate::demo::DemoOptions { assets: 30, days: 2, ..Default::default() };
        crate::demo::write_exposures(&days, &opts, &crate::Progress::none()).unwrap();
        let backend = crate::LocalBackend::open(&root).unwrap();
        backend.stage("D", &[days], false, &crate::Progress::none()).unwrap();
        backend.commit("D", crate::uploader::CommitMode::Append, None, &crate::Progress::none()).unwrap();
        backend.demo_reference(&opts).unwrap();
        drop(backend);
        // Every folder 0700, every file 0600: the catalog (and its journal), the lock, the parts,
        // the reference's files.
        let (mut folders, mut files) = (0, 0);
        let mut todo = vec![root.clone()];
        while let Some(d) = todo.pop() {
            assert_eq!(mode(&d), 0o700, "{}", d.display());
            folders += 1;
            for e in std::fs::read_dir(&d).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    todo.push(path);
                } else {
                    assert_eq!(mode(&path), 0o600, "{}", path.display());
                    files += 1;
                }
            }
        }
        assert!(root.join("catalog.sqlite").exists() && root.join("lock").exists());
        assert!(folders >= 5 && files >= 6, "{folders} folders, {files} files");
    }
}
