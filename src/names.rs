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

/// The most bytes (UTF-8) a dataset, model, portfolio or staged name may have.
pub const MAX_NAME_BYTES: usize = 128;

/// The name rule, as errors state it.
const NAME_RULE: &str = "1 to 128 bytes in Unicode's composed form (NFC), not . or .., no slashes, \
     no control or invisible formatting characters, no space but the plain one and none around the name";

/// Why `c` may not appear in a name (nor go unescaped into a message), if it may not: control
/// characters, invisible formatting characters (general category `Cf`: the bidirectional
/// overrides and isolates U+202A–U+202E and U+2066–U+2069, the zero-width U+200B–U+200D, U+2060,
/// U+FEFF, …), line and paragraph separators, and spaces other than the plain one.
fn refused_char(c: char) -> Option<&'static str> {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    if c.is_control() {
        return Some("a control character");
    }
    match c.general_category() {
        GeneralCategory::Format => Some("an invisible formatting character (a bidirectional control, a zero-width character or the like)"),
        GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => Some("a line or paragraph separator"),
        GeneralCategory::SpaceSeparator if c != ' ' => Some("a space other than the plain space"),
        _ => None,
    }
}

/// `text` with every character a name may not hold (control, invisible formatting,
/// separators, unusual spaces) escaped as Rust escapes them (`\u{1b}`, `\0`, `\n`): safe to
/// print in a terminal, a log or a message, and to tell apart from a look-alike.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match refused_char(c) {
            Some(_) if c.is_ascii_control() => out.extend(c.escape_debug()),
            Some(_) => out.extend(c.escape_unicode()),
            None => out.push(c),
        }
    }
    out
}

/// [`escaped`], cut after 200 characters (then its length in bytes): how a message shows a
/// value a client sent, whatever its size.
pub fn shown(text: &str) -> String {
    const SHOWN_CHARS: usize = 200;
    match text.char_indices().nth(SHOWN_CHARS) {
        None => escaped(text),
        Some((cut, _)) => format!("{}… ({} bytes in all)", escaped(&text[..cut]), crate::text::thousands(text.len() as u64)),
    }
}

/// Why `name` breaks the name rule (see [`check_name`]), if it does.
fn broken_rule(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Some(format!("it is {} bytes long", crate::text::thousands(name.len() as u64)));
    }
    if let Some((c, why)) = name.chars().find_map(|c| refused_char(c).map(|why| (c, why))) {
        return Some(format!("it holds {why}, U+{:04X}", u32::from(c)));
    }
    if name.trim() != name {
        return Some("it begins or ends with a space".into());
    }
    if matches!(name, "." | "..") {
        return Some("it is . or ..".into());
    }
    if name.contains(['/', '\\']) {
        return Some("it holds a slash".into());
    }
    None
}

/// Checks the name of a dataset of `kind` ("dataset", "reference dataset", …): 1 to
/// [`MAX_NAME_BYTES`] bytes, not `.` or `..`, no slashes, no control or invisible formatting
/// characters (bidirectional overrides and isolates, zero-width characters: names that would
/// look like others), no space but the plain one and none around the name, and in Unicode's
/// composed form (NFC), so that two names that look the same are the same. The error names the
/// name, escaped ([`shown`]), and what is wrong with it.
pub fn check_name(kind: &str, name: &str) -> crate::Result<()> {
    let why = broken_rule(name).or_else(|| {
        (!unicode_normalization::is_nfc(name)).then(|| {
            "it is not in Unicode's composed form (NFC): an accent is written as a separate character; type the name again, \
             or compose it (say with Python's unicodedata.normalize('NFC', name))"
                .to_owned()
        })
    });
    match why {
        None => Ok(()),
        Some(why) => Err(crate::Error::invalid(format!("'{}' is not a valid {kind} name: {why} ({NAME_RULE})", shown(name)))),
    }
}

/// Looks a name up through `find` unless no rule ever allowed it (empty, longer than
/// [`MAX_NAME_BYTES`], or with control characters such as NUL, which a team store's PostgreSQL
/// refuses): such a name is never sent to the catalog, it is simply not there.
pub(crate) fn find<T>(name: &str, find: impl FnOnce(&str) -> crate::Result<Option<T>>) -> crate::Result<Option<T>> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES || name.chars().any(char::is_control) {
        return Ok(None);
    }
    find(name)
}

/// The staged name a file or archive member whose stem (its name without folders and
/// extension) is `stem` becomes: the stem in Unicode's composed form (NFC; file names made on
/// a Mac are often decomposed), refused with the reason (the stem escaped) when it breaks the
/// name rule of [`check_name`].
pub(crate) fn staged_name(stem: &str) -> Result<String, String> {
    use unicode_normalization::UnicodeNormalization;
    let name: String = stem.nfc().collect();
    check_name("staged", &name).map_err(|e| e.to_string())?;
    Ok(name)
}

/// The longest upload file name accepted, in bytes: what most file systems allow.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// Checks the name of a file sent to be stored here (an upload), without folders: 1 to
/// [`MAX_FILE_NAME_BYTES`] bytes, not hidden (a leading dot), no slashes, no control or invisible
/// formatting characters. The error names the name, escaped ([`shown`]).
pub fn check_file_name(name: &str) -> crate::Result<()> {
    let why = if name.trim().is_empty() {
        Some("it is empty".to_owned())
    } else if name.len() > MAX_FILE_NAME_BYTES {
        Some(format!(
            "it is {} bytes long, more than the {MAX_FILE_NAME_BYTES} a file name may have",
            crate::text::thousands(name.len() as u64)
        ))
    } else if let Some(c) = name.chars().find(|&c| refused_char(c).is_some()) {
        Some(format!("it holds {}, U+{:04X}", refused_char(c).unwrap_or_default(), u32::from(c)))
    } else if name.starts_with('.') {
        Some("it starts with a dot (a hidden file)".to_owned())
    } else if name.contains(['/', '\\']) {
        Some("it holds a slash".to_owned())
    } else {
        None
    };
    match why {
        None => Ok(()),
        Some(why) => Err(crate::Error::invalid(format!("'{}' is not a file name this server stores: {why}", shown(name)))),
    }
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
        return Err(format!("no date in the name: '{}' is not YYYY-MM-DD", escaped(tail)));
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
        for good in ["My-Exposures", "a.b", "Équipe 2025", "x..y", "株式 α", &"x".repeat(MAX_NAME_BYTES)] {
            assert!(check_name("dataset", good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn names_with_control_invisible_or_decomposed_characters_are_refused_and_shown_escaped() {
        let cases = [
            ("a\u{1b}[31mb", "control character, U+001B", "a\\u{1b}[31mb"),
            ("nul\0x", "control character, U+0000", "nul\\0x"),
            (
                "paypal\u{202e}lmth.exe",
                "invisible formatting character (a bidirectional control, a zero-width character or the like), U+202E",
                "paypal\\u{202e}lmth.exe",
            ),
            ("a\u{2066}b", "U+2066", "a\\u{2066}b"),
            ("ad\u{200b}min", "U+200B", "ad\\u{200b}min"),
            ("\u{feff}x", "U+FEFF", "\\u{feff}x"),
            ("a\u{2060}b", "U+2060", "a\\u{2060}b"),
            ("a\u{a0}b", "a space other than the plain space, U+00A0", "a\\u{a0}b"),
            ("a\u{2028}b", "line or paragraph separator", "a\\u{2028}b"),
            ("E\u{301}quipe", "composed form (NFC)", "E\u{301}quipe"),
        ];
        for (name, why, shown) in cases {
            let e = check_name("dataset", name).unwrap_err().to_string();
            assert!(e.contains(why) && e.contains(&format!("'{shown}'")), "{name:?}: {e}");
            if name.chars().any(|c| c.is_control() || matches!(c, '\u{200b}'..='\u{206f}' | '\u{feff}')) {
                assert!(!e.contains(name), "{e:?} carries the name as it is");
            }
        }
        let e = check_name("dataset", &"é".repeat(100)).unwrap_err().to_string();
        assert!(e.contains("it is 200 bytes long") && e.contains("1 to 128 bytes"), "{e}");
    }

    #[test]
    fn staged_names_are_composed_and_follow_the_name_rule() {
        assert_eq!(staged_name("E\u{301}quipe_2025-05-01").unwrap(), "\u{c9}quipe_2025-05-01");
        assert_eq!(staged_name("exposures_2025-05-01").unwrap(), "exposures_2025-05-01");
        let e = staged_name("\u{1b}]0;pwned\u{7}e_2025-05-01").unwrap_err();
        assert!(e.contains("'\\u{1b}]0;pwned\\u{7}e_2025-05-01' is not a valid staged name") && !e.contains('\u{1b}'), "{e}");
        assert!(staged_name("x\u{202e}vsc_2025-05-01").unwrap_err().contains("U+202E"));
    }

    #[test]
    fn upload_file_names_are_bounded_and_plain() {
        assert!(check_file_name("exposures_2025-05-01.csv").is_ok());
        let e = check_file_name(&format!("{}.csv", "x".repeat(296))).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().contains("300 bytes long, more than the 255"), "{e}");
        assert!(e.to_string().contains("bytes in all"), "a long name is shown cut: {e}");
        for (bad, why) in [("a\0b.csv", "U+0000"), ("", "empty"), (".hidden.csv", "dot"), ("a\u{202e}b.csv", "U+202E")] {
            let e = check_file_name(bad).unwrap_err().to_string();
            assert!(e.contains(why) && !e.contains('\0') && !e.contains('\u{202e}'), "{bad:?}: {e}");
        }
    }

    #[test]
    fn names_no_rule_allowed_are_never_looked_up() {
        let asked = std::cell::Cell::new(0);
        let lookup = |n: &str| {
            asked.set(asked.get() + 1);
            Ok(Some(n.len()))
        };
        assert_eq!(find("x", lookup).unwrap(), Some(1));
        for never in ["", "a\0b", "a\nb", &"x".repeat(MAX_NAME_BYTES + 1)] {
            assert_eq!(find(never, lookup).unwrap(), None, "{never:?}");
        }
        assert_eq!(asked.get(), 1);
        assert_eq!(shown(&"x".repeat(300)), format!("{}… (300 bytes in all)", "x".repeat(200)));
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
