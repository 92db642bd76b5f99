//! Output shared by the commands: progress bars, JSON, tables and data files on standard output.

use std::io::{IsTerminal, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use riskdesk::progress::Step;
use riskdesk::table::{Format, Table};
use riskdesk::{Error, Progress, Result};

use crate::args::ListFormat;

/// A progress bar on standard error when it is a terminal; nothing otherwise.
pub fn with_progress<T>(f: impl FnOnce(&Progress<'_>) -> Result<T>) -> Result<T> {
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} {wide_msg}").expect("valid template").progress_chars("=> "),
    );
    let sink = |s: &Step| {
        bar.set_prefix(s.phase.clone());
        bar.set_length(s.total);
        bar.set_position(s.done);
        bar.set_message(s.message.clone());
    };
    let result = f(&Progress::new(&sink));
    bar.finish_and_clear();
    result
}

/// Prints `value` as pretty JSON.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Storage(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// Prints a table as text, CSV or JSON.
pub fn print_table(table: &Table, format: ListFormat) -> Result<()> {
    let format = match format {
        ListFormat::Table => Format::Text,
        ListFormat::Csv => Format::Csv,
        ListFormat::Json => Format::Json,
    };
    table.write(format, &mut std::io::stdout().lock(), None)
}

/// Prints records as JSON or as a text table, or `empty` when there are none.
pub fn listing<T: serde::Serialize>(records: &[T], json: bool, empty: &str) -> Result<()> {
    if json {
        return print_json(&records);
    }
    if records.is_empty() {
        println!("{empty}");
        return Ok(());
    }
    print_table(&Table::from_records(records), ListFormat::Table)
}

/// `bytes` in MB, one decimal.
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Writes a table to the file `out`, else to standard output (never Parquet to a terminal).
pub fn write_output(table: &Table, format: Format, out: Option<&Path>) -> Result<()> {
    match out {
        Some(path) => table.save(format, path),
        None => {
            if format == Format::Parquet && std::io::stdout().is_terminal() {
                return Err(Error::invalid("Parquet is binary; give --out FILE or redirect standard output"));
            }
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            table.write(format, &mut w, None)?;
            w.flush().map_err(|e| Error::io("cannot write to standard output", e))
        }
    }
}
