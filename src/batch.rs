//! Batching daily files into annual ZIP archives (`<prefix>_<year>.zip`), compressing entries
//! in parallel with libdeflate (the fastest deflate available; whole-file buffers suit it).
//! The output depends only on the input files' names and bytes: entries are in name order and
//! stamped with the date in their name.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Cursor, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::error::IoContext;
use crate::names::{Format, Named};
use crate::progress::Progress;
use crate::{Error, Result};

/// The deflate level used when none is given (as zlib's default).
pub const DEFAULT_LEVEL: u32 = 6;

/// One archive written.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Archive {
    /// Where it was written: `<out_dir>/<prefix>_<year>.zip`.
    pub path: PathBuf,
    /// The calendar year of the daily files it holds.
    pub year: i32,
    /// How many daily files it holds.
    pub files: usize,
    /// The daily files' total size on disk in bytes, before compression.
    pub bytes_in: u64,
    /// The archive's size on disk in bytes.
    pub bytes_out: u64,
}

/// A daily file to batch: its path, file name and date.
type DailyFile = (PathBuf, String, i32);

/// Writes one ZIP per prefix and year of the daily files in `folder` into `out_dir`.
pub fn batch(folder: &Path, out_dir: &Path, level: u32, progress: &Progress<'_>) -> Result<Vec<Archive>> {
    if level > 9 {
        return Err(Error::invalid(format!("deflate level {level} is out of range (0 to 9)")));
    }
    // (prefix, year) → (path, file name, date) of each daily file.
    let mut groups: BTreeMap<(String, i32), Vec<DailyFile>> = BTreeMap::new();
    for (path, verdict) in crate::inputs::list_folder(folder)? {
        if let Ok(Named::Daily { prefix, date, format, .. }) = verdict
            && format != Format::Zip
        {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            groups.entry((prefix, crate::date::year(date))).or_default().push((path, name, date));
        }
    }
    if groups.is_empty() {
        return Err(Error::invalid(format!("no daily files (<prefix>_YYYY-MM-DD.csv, .csv.gz or .parquet) in {}", folder.display())));
    }
    std::fs::create_dir_all(out_dir).at("cannot create", out_dir)?;
    let total = groups.values().map(Vec::len).sum::<usize>() as u64;
    let counter = progress.counter("batch", total);
    let mut written = Vec::new();
    for ((prefix, year), files) in groups {
        let path = out_dir.join(format!("{prefix}_{year}.zip"));
        let (bytes_in, files_n) = (files.iter().map(|f| std::fs::metadata(&f.0).map(|m| m.len()).unwrap_or(0)).sum(), files.len());
        crate::store::parts::write_atomically(&path, |file| write_archive(file, &files, level, &counter))?;
        let bytes_out = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        written.push(Archive { path, year, files: files_n, bytes_in, bytes_out });
    }
    Ok(written)
}

fn write_archive(file: &File, files: &[(PathBuf, String, i32)], level: u32, counter: &crate::progress::Counter<'_, '_>) -> Result<()> {
    let mut zip = ZipWriter::new(BufWriter::with_capacity(1 << 20, file));
    // Compress a few entries at a time in parallel, then append them in order.
    let chunk = (rayon::current_num_threads() * 8).max(16);
    for group in files.chunks(chunk) {
        let compressed: Vec<Vec<u8>> = group
            .par_iter()
            .map(|(path, name, date)| {
                let bytes = std::fs::read(path).at("cannot read", path)?;
                let entry = single_entry_zip(name, *date, &bytes, level)?;
                counter.tick(name.clone())?;
                Ok(entry)
            })
            .collect::<Result<_>>()?;
        for entry in compressed {
            let mut one = ZipArchive::new(Cursor::new(entry)).map_err(zip_error)?;
            zip.raw_copy_file(one.by_index_raw(0).map_err(zip_error)?).map_err(zip_error)?;
        }
    }
    zip.finish().map_err(zip_error)?.flush().map_err(|e| Error::io("cannot write the archive", e))
}

/// A ZIP holding just `name`, deflated at `level` by libdeflate, dated by the file's own date.
///
/// The one-entry archive is written here directly (it never needs ZIP64 below 4 GiB); the
/// output archive is assembled by the `zip` crate, which handles ZIP64 there.
fn single_entry_zip(name: &str, date: i32, bytes: &[u8], level: u32) -> Result<Vec<u8>> {
    use chrono::Datelike;
    let day = crate::date::to_naive(date);
    let dos_date = (((day.year().clamp(1980, 2107) - 1980) as u16) << 9) | ((day.month() as u16) << 5) | day.day() as u16;
    if bytes.len() as u64 >= u32::MAX as u64 {
        return large_single_entry_zip(name, day, bytes, level);
    }
    let lvl =
        libdeflater::CompressionLvl::new(level as i32).map_err(|_| Error::invalid(format!("deflate level {level} is out of range")))?;
    let mut compressor = libdeflater::Compressor::new(lvl);
    let mut data = vec![0u8; compressor.deflate_compress_bound(bytes.len())];
    let size = compressor.deflate_compress(bytes, &mut data).map_err(|e| Error::Storage(format!("cannot compress {name}: {e:?}")))?;
    data.truncate(size);
    let crc = libdeflater::crc32(bytes);
    let flags: u16 = if name.is_ascii() { 0 } else { 1 << 11 };
    let (method, time, version) = (8u16, 0u16, 20u16);
    let name_len = name.len() as u16;
    let mut out = Vec::with_capacity(data.len() + 2 * name.len() + 128);
    let put16 = |o: &mut Vec<u8>, v: u16| o.extend_from_slice(&v.to_le_bytes());
    let put32 = |o: &mut Vec<u8>, v: u32| o.extend_from_slice(&v.to_le_bytes());
    // Local file header, then the data.
    put32(&mut out, 0x0403_4b50);
    for v in [version, flags, method, time, dos_date] {
        put16(&mut out, v);
    }
    for v in [crc, data.len() as u32, bytes.len() as u32] {
        put32(&mut out, v);
    }
    put16(&mut out, name_len);
    put16(&mut out, 0);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&data);
    // Central directory with its one entry, then its end record.
    let directory = out.len() as u32;
    put32(&mut out, 0x0201_4b50);
    for v in [(3 << 8) | version, version, flags, method, time, dos_date] {
        put16(&mut out, v);
    }
    for v in [crc, data.len() as u32, bytes.len() as u32] {
        put32(&mut out, v);
    }
    for v in [name_len, 0, 0, 0, 0] {
        put16(&mut out, v);
    }
    put32(&mut out, 0o100644 << 16);
    put32(&mut out, 0);
    out.extend_from_slice(name.as_bytes());
    let directory_size = out.len() as u32 - directory;
    put32(&mut out, 0x0605_4b50);
    for v in [0, 0, 1, 1] {
        put16(&mut out, v);
    }
    put32(&mut out, directory_size);
    put32(&mut out, directory);
    put16(&mut out, 0);
    Ok(out)
}

/// [`single_entry_zip`] for files of 4 GiB or more, through the `zip` crate (ZIP64).
fn large_single_entry_zip(name: &str, day: chrono::NaiveDate, bytes: &[u8], level: u32) -> Result<Vec<u8>> {
    use chrono::Datelike;
    let stamp = zip::DateTime::from_date_and_time(day.year().clamp(1980, 2107) as u16, day.month() as u8, day.day() as u8, 0, 0, 0)
        .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(i64::from(level)))
        .last_modified_time(stamp)
        .unix_permissions(0o644)
        .large_file(true);
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() / 3)));
    zip.start_file(name, options).map_err(zip_error)?;
    zip.write_all(bytes).map_err(|e| Error::io(format!("cannot compress {name}"), e))?;
    Ok(zip.finish().map_err(zip_error)?.into_inner())
}

fn zip_error(e: zip::result::ZipError) -> Error {
    Error::Storage(format!("ZIP: {e}"))
}
