//! File naming rules: daily files `<prefix>_YYYY-MM-DD.<ext>` and annual archives `<prefix>_YYYY.zip`.

use std::fmt;

/// A supported file format, known from the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "FileFormat")]
pub enum Format {
    /// Comma-separated text (`.csv`).
    Csv,
    /// Gzip-compressed comma-separated text (`.csv.gz`).
    CsvGz,
    /// Apache Parquet (`.parquet`).
    Parquet,
    /// A ZIP archive of data files (`.zip`).
    Zip,
}

impl Format {
    /// The format of a file name, from its (case-insensitive) extension, with the stem.
    pub fn split(file_name: &str) -> Option<(&str, Format)> {
        let lower = file_name.to_ascii_lowercase();
        [(".csv.gz", Format::CsvGz), (".csv", Format::Csv), (".parquet", Format::Parquet), (".zip", Format::Zip)]
            .into_iter()
            .find(|(ext, _)| lower.ends_with(ext) && lower.len() > ext.len())
            .map(|(ext, format)| (&file_name[..file_name.len() - ext.len()], format))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Csv => "csv",
            Format::CsvGz => "csv.gz",
            Format::Parquet => "parquet",
            Format::Zip => "zip",
        })
    }
}

/// What a file name says about its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    /// `<prefix>_YYYY-MM-DD.<ext>`: one day of exposures (a zip of daily files is allowed too).
    Daily {
        /// The file name without its extension: the staged name (a zip's members are staged under their own).
        stem: String,
        /// The part of the stem before the last underscore, i.e. before the date.
        prefix: String,
        /// The date in the name, as days since 1970-01-01.
        date: i32,
        /// The format its extension names.
        format: Format,
    },
    /// `<prefix>_YYYY.zip`: an annual archive of daily files.
    Annual {
        /// The file name without `.zip` (its members are staged under their own names).
        stem: String,
        /// The part of the stem before the last underscore, i.e. before the year.
        prefix: String,
        /// The four-digit year in the name.
        year: i32,
    },
}

impl Named {
    /// The staged name the file becomes (its stem).
    pub(crate) fn stem(&self) -> &str {
        match self {
            Named::Daily { stem, .. } | Named::Annual { stem, .. } => stem,
        }
    }

    /// The calendar year the file belongs to.
    pub(crate) fn year(&self) -> i32 {
        match self {
            Named::Daily { date, .. } => crate::date::year(*date),
            Named::Annual { year, .. } => *year,
        }
    }
}

/// Checks the name of a dataset of `kind` ("dataset", "reference dataset", …): 1 to 128
/// characters, no slashes, control characters or surrounding spaces.
pub fn check_name(kind: &str, name: &str) -> crate::Result<()> {
    let bad = name.trim().is_empty()
        || name.len() > 128
        || name.trim() != name
        || matches!(name, "." | "..")
        || name.chars().any(|c| c.is_control() || c == '/' || c == '\\');
    if bad {
        return Err(crate::Error::invalid(format!(
            "'{name}' is not a valid {kind} name (1 to 128 characters, not . or .., no slashes, control characters or surrounding spaces)"
        )));
    }
    Ok(())
}

/// How [`parse`]'s reason starts when the name has a date that does not exist.
pub(crate) const IMPOSSIBLE_DATE: &str = "impossible date";

/// Reads a file name; the error says why it is not a daily file or annual archive.
pub fn parse(file_name: &str) -> Result<Named, String> {
    let Some((stem, format)) = Format::split(file_name) else {
        return Err("unsupported extension (expected .csv, .csv.gz, .parquet or .zip)".into());
    };
    let Some((prefix, tail)) = stem.rsplit_once('_') else {
        return Err("no date in the name (expected <prefix>_YYYY-MM-DD)".into());
    };
    if format == Format::Zip && tail.len() == 4 && tail.bytes().all(|b| b.is_ascii_digit()) {
        let year = tail.parse().expect("four digits");
        return Ok(Named::Annual { stem: stem.into(), prefix: prefix.into(), year });
    }
    let looks_like_date =
        tail.len() == 10 && tail.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !looks_like_date {
        return Err(format!("no date in the name: '{tail}' is not YYYY-MM-DD"));
    }
    match crate::date::parse(tail.as_bytes()) {
        Some(date) => Ok(Named::Daily { stem: stem.into(), prefix: prefix.into(), date, format }),
        None => Err(format!("{IMPOSSIBLE_DATE} {tail}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_names_that_could_break_paths_are_refused() {
        for bad in ["", " x", "x ", ".", "..", "a/b", "a\\b", "tab\tname"] {
            assert!(check_name("dataset", bad).is_err(), "{bad:?}");
        }
        for good in ["My-Exposures", "a.b", "Équipe 2025", "x..y"] {
            assert!(check_name("dataset", good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn reads_daily_and_annual_names() {
        let d = parse("exposures_2025-05-01.csv.gz").unwrap();
        assert_eq!(d.stem(), "exposures_2025-05-01");
        assert!(matches!(d, Named::Daily { format: Format::CsvGz, .. }));
        assert_eq!(parse("my_exp_2024-12-31.parquet").unwrap().year(), 2024);
        assert!(matches!(parse("exposures_2025.zip").unwrap(), Named::Annual { year: 2025, .. }));
        assert!(parse("exposures_2025-02-30.csv").unwrap_err().contains("impossible date"));
        assert!(parse("exposures_2025-05-01.txt").unwrap_err().contains("unsupported extension"));
        assert!(parse("exposures.csv").unwrap_err().contains("no date"));
        assert!(parse("exposures_May.csv").unwrap_err().contains("not YYYY-MM-DD"));
        assert!(parse("exposures_2025.csv").is_err());
    }
}
