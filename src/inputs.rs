//! Turns the paths a user gives (files, folders, ZIPs) into staging units, one per staged name,
//! and reads a unit's bytes, guarding against hostile archives.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::IoContext;
use crate::names::{self, Format, Named};
use crate::parse::Diagnostic;

/// A member may not inflate beyond this many bytes.
pub(crate) const MAX_MEMBER_BYTES: u64 = 4 << 30;
/// Beyond [`RATIO_FLOOR_BYTES`], a member may not inflate more than this many times its compressed size.
pub(crate) const MAX_RATIO: u64 = 200;
/// Sizes up to this are allowed whatever the compression ratio.
pub(crate) const RATIO_FLOOR_BYTES: u64 = 64 << 20;

/// Where a unit's bytes come from.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    File(PathBuf),
    Member { archive: PathBuf, index: usize },
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

fn label_of(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn stem_of(file_name: &str) -> String {
    Format::split(file_name).map_or_else(|| file_name.to_owned(), |(stem, _)| stem.to_owned())
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
                Err(e) => out
                    .refused
                    .push(Refused { name: label_of(path), diagnostic: Diagnostic::file(&path.display().to_string(), e.to_string()) }),
            }
        } else {
            add_file(&mut out, path);
        }
    }
    out
}

fn add_file(out: &mut Resolved, path: &Path) {
    let label = label_of(path);
    let refuse = |out: &mut Resolved, message: String| {
        out.refused.push(Refused { name: stem_of(&label), diagnostic: Diagnostic::file(&label, message) })
    };
    if !path.is_file() {
        return refuse(out, format!("no such file: {}", path.display()));
    }
    let Some((stem, format)) = Format::split(&label) else {
        return refuse(out, "unsupported file type (expected .csv, .csv.gz, .parquet or .zip)".into());
    };
    if format == Format::Zip {
        return add_archive(out, path, &label);
    }
    let name_date = match names::parse(&label) {
        Ok(Named::Daily { date, .. }) => Some(date),
        Err(reason) if reason.starts_with(names::IMPOSSIBLE_DATE) => return refuse(out, reason),
        _ => None,
    };
    out.units.push(Unit { name: stem.to_owned(), label, format, name_date, origin: Origin::File(path.to_owned()) });
}

fn open_archive(path: &Path) -> Result<zip::ZipArchive<BufReader<File>>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    zip::ZipArchive::new(BufReader::new(file)).map_err(|e| format!("not a readable ZIP archive (truncated or corrupt?): {e}"))
}

fn add_archive(out: &mut Resolved, path: &Path, label: &str) {
    let mut archive = match open_archive(path) {
        Ok(a) => a,
        Err(m) => return out.refused.push(Refused { name: stem_of(label), diagnostic: Diagnostic::file(label, m) }),
    };
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
        if member.is_dir() || raw_name.starts_with("__MACOSX/") {
            continue;
        }
        let member_label = format!("{label}/{raw_name}");
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
                let name_date = match names::parse(&file_name) {
                    Ok(Named::Daily { date, .. }) => Some(date),
                    _ => None,
                };
                out.units.push(Unit {
                    name: stem.to_owned(),
                    label: member_label,
                    format,
                    name_date,
                    origin: Origin::Member { archive: path.to_owned(), index },
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
                let mut archive = open_archive(archive).map_err(fail)?;
                let member = archive.by_index(*index).map_err(|e| fail(format!("cannot open the member: {e}")))?;
                let limit = MAX_MEMBER_BYTES.min(RATIO_FLOOR_BYTES.max(member.compressed_size().saturating_mul(MAX_RATIO)));
                if member.size() > limit {
                    return Err(fail(format!(
                        "the member would inflate to {} bytes, beyond the safe bound of {limit} (zip bomb?); not read",
                        member.size()
                    )));
                }
                let mut bytes = Vec::with_capacity(member.size() as usize);
                member
                    .take(limit + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| fail(format!("cannot inflate the member (corrupt archive?): {e}")))?;
                if bytes.len() as u64 > limit {
                    return Err(fail(format!("the member inflates beyond the safe bound of {limit} bytes (zip bomb?); not read")));
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
