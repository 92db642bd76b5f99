//! Turns the paths a user gives (files, folders, ZIPs) into staging units, one per staged name,
//! and reads a unit's bytes, guarding against hostile archives.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::IoContext;
use crate::names::{self, Format, Named};
use crate::parse::Diagnostic;

/// A member may not inflate beyond this many bytes.
pub(crate) const MAX_MEMBER_BYTES: u64 = 4 << 30;
/// Beyond [`RATIO_FLOOR_BYTES`], a member may not inflate more than this many times its compressed size.
pub(crate) const MAX_RATIO: u64 = 200;
/// Sizes up to this are allowed whatever the compression ratio.
pub(crate) const RATIO_FLOOR_BYTES: u64 = 64 << 20;
/// An archive may hold at most this many members (a ZIP per year holds about 260).
pub const MAX_MEMBERS: usize = 10_000;

/// How many bytes `stored` bytes (as uploaded or kept on disk) may inflate to, whatever inflates
/// them (a ZIP member, a `.csv.gz`, or both): up to [`RATIO_FLOOR_BYTES`] whatever the ratio,
/// beyond that [`MAX_RATIO`] times `stored`, never beyond [`MAX_MEMBER_BYTES`].
pub(crate) fn inflation_bound(stored: u64) -> u64 {
    MAX_MEMBER_BYTES.min(RATIO_FLOOR_BYTES.max(stored.saturating_mul(MAX_RATIO)))
}

/// Why an inflated file is refused: it would grow beyond `limit` bytes.
pub(crate) fn bomb(kind: &str, limit: u64) -> String {
    format!("refused as a {kind} bomb: it would inflate beyond the safe bound of {limit} bytes; not read")
}

/// Where a unit's bytes come from.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    File(PathBuf),
    /// A member of an archive opened once (its central directory read once) for all its units.
    Member {
        archive: Arc<Archive>,
        index: usize,
    },
}

/// An open ZIP archive: its central directory, read once, over one file handle shared by every
/// reader (each a clone with a position of its own).
pub(crate) type Archive = zip::ZipArchive<SharedFile>;

/// A file read at positions of its own by every clone (positional reads, so clones never move
/// each other's position), through a small buffer of its own.
#[derive(Debug)]
pub(crate) struct SharedFile {
    file: Arc<File>,
    len: u64,
    pos: u64,
    buffer: Vec<u8>,
    /// The file offset of `buffer[0]`.
    buffer_at: u64,
}

/// Bytes read from the file at a time.
const READ_AHEAD: usize = 64 << 10;

impl SharedFile {
    fn open(path: &Path) -> std::io::Result<SharedFile> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(SharedFile { file: Arc::new(file), len, pos: 0, buffer: Vec::new(), buffer_at: 0 })
    }

    #[cfg(unix)]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(&*self.file, buf, offset)
    }

    #[cfg(windows)]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(&*self.file, buf, offset)
    }
}

impl Clone for SharedFile {
    fn clone(&self) -> Self {
        SharedFile { file: Arc::clone(&self.file), len: self.len, pos: self.pos, buffer: Vec::new(), buffer_at: 0 }
    }
}

impl Read for SharedFile {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let buffered = self.buffer_at..self.buffer_at + self.buffer.len() as u64;
        if !buffered.contains(&self.pos) {
            // Large reads go straight to the caller; small ones fill the buffer first.
            if out.len() >= READ_AHEAD {
                let n = self.read_at(out, self.pos)?;
                self.pos += n as u64;
                return Ok(n);
            }
            let mut buffer = std::mem::take(&mut self.buffer);
            buffer.resize(READ_AHEAD, 0);
            let n = self.read_at(&mut buffer, self.pos)?;
            buffer.truncate(n);
            (self.buffer, self.buffer_at) = (buffer, self.pos);
            if n == 0 {
                return Ok(0);
            }
        }
        let start = (self.pos - self.buffer_at) as usize;
        let n = out.len().min(self.buffer.len() - start);
        out[..n].copy_from_slice(&self.buffer[start..start + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "a seek before the file's start"))?;
        Ok(self.pos)
    }
}

/// One thing to stage: a file, or one member of a ZIP.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// The staged name (the file stem).
    pub name: String,
    /// How messages name it (`file.csv` or `archive.zip/member.csv`).
    pub label: String,
    pub format: Format,
    /// The date in the file name, if it has one.
    pub name_date: Option<i32>,
    pub origin: Origin,
    /// Its size as stored (a file's length, a member's compressed size): what bounds how far
    /// its bytes may inflate ([`inflation_bound`]).
    pub stored: u64,
}

/// A unit that cannot be staged at all, with why.
#[derive(Debug, Clone)]
pub(crate) struct Refused {
    pub name: String,
    pub diagnostic: Diagnostic,
}

/// Units found in the given paths, plus those refused before reading.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub units: Vec<Unit>,
    pub refused: Vec<Refused>,
}

/// A path's file name as it is (a name that is not UTF-8 read lossily).
fn raw_name_of(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// How messages and results name a file: its name, escaped ([`names::escaped`]: a name with
/// terminal escapes or invisible characters is shown as such, never acted on).
fn label_of(path: &Path) -> String {
    names::escaped(&raw_name_of(path))
}

/// The stem of a file name, escaped: how a refused file's name is shown.
fn stem_of(file_name: &str) -> String {
    names::escaped(Format::split(file_name).map_or(file_name, |(stem, _)| stem))
}

/// Expands files, folders (their supported files, not recursive) and ZIPs (their members).
pub(crate) fn resolve(paths: &[PathBuf]) -> Resolved {
    let mut out = Resolved::default();
    for path in paths {
        if path.is_dir() {
            match list_folder(path) {
                Ok(entries) => {
                    for (file, verdict) in entries {
                        match verdict {
                            Ok(_) => add_file(&mut out, &file),
                            // A data-looking file with a bad name is refused, not skipped.
                            Err(reason) if Format::split(&label_of(&file)).is_some() => out
                                .refused
                                .push(Refused { name: stem_of(&label_of(&file)), diagnostic: Diagnostic::file(&label_of(&file), reason) }),
                            Err(_) => {}
                        }
                    }
                }
                Err(e) => out.refused.push(Refused {
                    name: label_of(path),
                    diagnostic: Diagnostic::file(&names::escaped(&path.display().to_string()), e.to_string()),
                }),
            }
        } else {
            add_file(&mut out, path);
        }
    }
    out
}

fn add_file(out: &mut Resolved, path: &Path) {
    let raw = raw_name_of(path);
    let label = names::escaped(&raw);
    let refuse = |out: &mut Resolved, message: String| {
        out.refused.push(Refused { name: stem_of(&raw), diagnostic: Diagnostic::file(&label, message) })
    };
    if !path.is_file() {
        return refuse(out, format!("no such file: {}", names::escaped(&path.display().to_string())));
    }
    let Some((stem, format)) = Format::split(&raw) else {
        return refuse(out, "unsupported file type (expected .csv, .csv.gz, .parquet or .zip)".into());
    };
    if format == Format::Zip {
        return add_archive(out, path, &label);
    }
    let name = match names::staged_name(stem) {
        Ok(name) => name,
        Err(reason) => return refuse(out, reason),
    };
    let name_date = match names::parse(&raw) {
        Ok(Named::Daily { date, .. }) => Some(date),
        Err(reason) if reason.starts_with(names::IMPOSSIBLE_DATE) => return refuse(out, reason),
        _ => None,
    };
    let stored = std::fs::metadata(path).map_or(0, |m| m.len());
    out.units.push(Unit { name, label, format, name_date, origin: Origin::File(path.to_owned()), stored });
}

/// Opens an archive and reads its central directory (once: its units share it), refusing one
/// with more than [`MAX_MEMBERS`] members.
fn open_archive(path: &Path, label: &str) -> Result<Archive, String> {
    let file = SharedFile::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let archive = zip::ZipArchive::new(file).map_err(|e| format!("not a readable ZIP archive (truncated or corrupt?): {e}"))?;
    if archive.len() > MAX_MEMBERS {
        return Err(format!(
            "the archive {label} holds {} members, more than the {} accepted; not read (split it, say one ZIP per year)",
            crate::text::thousands(archive.len() as u64),
            crate::text::thousands(MAX_MEMBERS as u64)
        ));
    }
    Ok(archive)
}

fn add_archive(out: &mut Resolved, path: &Path, label: &str) {
    let mut archive = match open_archive(path, label) {
        Ok(a) => a,
        Err(m) => return out.refused.push(Refused { name: stem_of(label), diagnostic: Diagnostic::file(label, m) }),
    };
    let shared = Arc::new(archive.clone());
    let before = out.units.len() + out.refused.len();
    for index in 0..archive.len() {
        let member = match archive.by_index_raw(index) {
            Ok(m) => m,
            Err(e) => {
                out.refused.push(Refused {
                    name: stem_of(label),
                    diagnostic: Diagnostic::file(label, format!("unreadable member #{}: {e}", index + 1)),
                });
                continue;
            }
        };
        let raw_name = member.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("member #{}", index + 1));
        let stored = member.compressed_size();
        if member.is_dir() || raw_name.starts_with("__MACOSX/") {
            continue;
        }
        let member_label = format!("{label}/{}", names::escaped(&raw_name));
        let file_name = raw_name.rsplit('/').next().unwrap_or(&raw_name).to_owned();
        let name = stem_of(&file_name);
        if member.enclosed_name().is_none() {
            out.refused.push(Refused {
                name,
                diagnostic: Diagnostic::file(&member_label, "the member's path escapes the archive's folder; not read"),
            });
            continue;
        }
        match Format::split(&file_name) {
            Some((_, Format::Zip)) | None => out.refused.push(Refused {
                name,
                diagnostic: Diagnostic::file(&member_label, "unsupported member type (expected .csv, .csv.gz or .parquet)"),
            }),
            Some((stem, format)) => {
                let staged = match names::staged_name(stem) {
                    Ok(staged) => staged,
                    Err(reason) => {
                        out.refused.push(Refused { name, diagnostic: Diagnostic::file(&member_label, reason) });
                        continue;
                    }
                };
                let name_date = match names::parse(&file_name) {
                    Ok(Named::Daily { date, .. }) => Some(date),
                    _ => None,
                };
                out.units.push(Unit {
                    name: staged,
                    label: member_label,
                    format,
                    name_date,
                    origin: Origin::Member { archive: Arc::clone(&shared), index },
                    stored,
                });
            }
        }
    }
    if out.units.len() + out.refused.len() == before {
        out.refused.push(Refused { name: stem_of(label), diagnostic: Diagnostic::file(label, "the archive has no files") });
    }
}

impl Unit {
    /// Reads the unit's bytes (inflating a ZIP member within the safety bounds).
    pub fn read(&self) -> Result<Vec<u8>, Box<Diagnostic>> {
        let fail = |m: String| Box::new(Diagnostic::file(&self.label, m));
        match &self.origin {
            Origin::File(path) => std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}"))),
            Origin::Member { archive, index } => {
                // A clone shares the central directory read when the archive was opened.
                let mut archive = Archive::clone(archive);
                let member = archive.by_index(*index).map_err(|e| fail(format!("cannot open the member: {e}")))?;
                let limit = inflation_bound(member.compressed_size());
                if member.size() > limit {
                    return Err(fail(format!("{} (it declares {} bytes)", bomb("zip", limit), member.size())));
                }
                let mut bytes = Vec::with_capacity(member.size() as usize);
                member
                    .take(limit + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| fail(format!("cannot inflate the member (corrupt archive?): {e}")))?;
                if bytes.len() as u64 > limit {
                    return Err(fail(bomb("zip", limit)));
                }
                Ok(bytes)
            }
        }
    }
}

/// Lists a folder's entries (not recursive, hidden files left out) with what each name says,
/// sorted by file name.
pub fn list_folder(folder: &Path) -> crate::Result<Vec<(PathBuf, Result<Named, String>)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(folder).at("cannot read the folder", folder)? {
        let entry = entry.at("cannot read the folder", folder)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let verdict = if path.is_dir() { Err("a folder (subfolders are not scanned)".to_owned()) } else { names::parse(&name) };
        out.push((path, verdict));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use rayon::prelude::*;

    use super::*;

    #[test]
    #[cfg(unix)]
    fn an_archive_is_opened_once_and_its_members_read_at_once_through_clones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e_2025.zip");
        let members: Vec<(String, Vec<u8>)> =
            (1..=40).map(|d| (format!("e_2025-01-{:02}.csv", d % 28 + 1), format!("day {d}\n").repeat(5000 * d).into_bytes())).collect();
        let mut z = zip::ZipWriter::new(File::create(&path).unwrap());
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (i, (name, bytes)) in members.iter().enumerate() {
            z.start_file(format!("{i:02}/{name}"), deflated).unwrap();
            std::io::Write::write_all(&mut z, bytes).unwrap();
        }
        z.finish().unwrap();
        let resolved = resolve(std::slice::from_ref(&path));
        assert_eq!(resolved.units.len(), members.len());
        // Gone from its folder: what reads its members is the handle opened (and the central
        // directory read) once, not the path opened again per member.
        std::fs::remove_file(&path).unwrap();
        let read: Vec<Vec<u8>> = resolved.units.par_iter().map(|u| u.read().unwrap()).collect();
        assert!(read.iter().zip(&members).all(|(r, (_, m))| r == m));
    }

    #[test]
    fn member_and_file_names_follow_the_name_rule_composed_and_never_raw() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e_2025.zip");
        let mut z = zip::ZipWriter::new(File::create(&path).unwrap());
        let hostile = ["\u{1b}[2J\u{1b}]0;owned\u{7}_2025-01-02.csv", "x\u{202e}vsc.e_2025-01-06.csv", "a\u{200b}b_2025-01-08.csv"];
        for name in hostile.iter().chain(&["E\u{301}quipe_2025-01-03.csv", "ok_2025-01-07.csv"]) {
            z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut z, b"date,asset_id\n").unwrap();
        }
        z.finish().unwrap();
        // A file on disk named with an escape too.
        let file = dir.path().join("f\u{1b}[31m_2025-01-09.csv");
        std::fs::write(&file, "x").unwrap();
        let resolved = resolve(&[path, file]);
        // Staged under the composed form of their names.
        let staged: Vec<&str> = resolved.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(staged, ["\u{c9}quipe_2025-01-03", "ok_2025-01-07"]);
        // Refused, saying why; nothing carries the characters as they were.
        assert_eq!(resolved.refused.len(), 4);
        let raw = |t: &str| t.chars().any(|c| c.is_control() || matches!(c, '\u{200b}' | '\u{202e}'));
        for r in &resolved.refused {
            assert!(r.diagnostic.message.contains("is not a valid staged name"), "{r:?}");
            assert!(!raw(&r.name) && !raw(&r.diagnostic.file) && !raw(&r.diagnostic.message), "{r:?}");
        }
        assert!(resolved.refused.iter().any(|r| r.name == "\\u{1b}[2J\\u{1b}]0;owned\\u{7}_2025-01-02"), "{:?}", resolved.refused);
        assert!(resolved.refused.iter().any(|r| r.diagnostic.file == "f\\u{1b}[31m_2025-01-09.csv"), "{:?}", resolved.refused);
    }
}
