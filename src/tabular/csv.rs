//! CSV tables: the [`Tokenizer`] over the whole text, cells decoded when a getter asks.

use std::borrow::Cow;

use super::tokenize::{TokenError, Tokenizer};
use super::{Diagnostic, Kind, Meta, Problem, trim};

/// The last date text of a column and what it decoded to (a column repeats its date row after row).
#[derive(Default)]
struct LastDate {
    text: Vec<u8>,
    date: Option<i32>,
}

/// A CSV table being read.
pub(super) struct Cursor<'a> {
    input: Cow<'a, [u8]>,
    tok: Tokenizer,
    width: usize,
    /// Per column: the last date decoded (date columns only).
    dates: Vec<LastDate>,
    done: bool,
}

fn token_problem(label: &str, e: TokenError) -> Problem {
    Box::new(Diagnostic { line: Some(e.line), ..Diagnostic::file(label, e.message) })
}

/// Equality for short byte strings without a library call.
#[inline]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("an 8-byte slice"));
    let half = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().expect("a 4-byte slice"));
    match n {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

impl<'a> Cursor<'a> {
    /// Reads the header line (skipping a byte-order mark); refuses an empty file and a header
    /// that is not UTF-8.
    pub(super) fn open(input: Cow<'a, [u8]>, label: &str) -> Result<(Vec<String>, Self), Problem> {
        let start = if input.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        if input[start..].iter().all(u8::is_ascii_whitespace) {
            return Err(Box::new(Diagnostic::file(label, "the file is empty")));
        }
        let mut tok = Tokenizer::new(start);
        match tok.next_record(&input) {
            Ok(Some(_)) => {}
            Ok(None) => return Err(Box::new(Diagnostic::file(label, "the file is empty"))),
            Err(e) => return Err(token_problem(label, e)),
        }
        let mut names = Vec::with_capacity(tok.len());
        for i in 0..tok.len() {
            let h = tok.get(&input, i);
            match std::str::from_utf8(h) {
                Ok(s) => names.push(s.trim().to_owned()),
                Err(_) => {
                    return Err(Box::new(Diagnostic {
                        line: Some(1),
                        column: Some(i + 1),
                        value: Some(String::from_utf8_lossy(h).into_owned()),
                        ..Diagnostic::file(label, "the header is not valid UTF-8 text")
                    }));
                }
            }
        }
        let width = names.len();
        Ok((names, Cursor { input, tok, width, dates: Vec::new(), done: false }))
    }

    pub(super) fn input_len(&self) -> usize {
        self.input.len()
    }

    pub(super) fn select(&mut self, kinds: &[Option<Kind>]) {
        self.dates = kinds.iter().map(|_| LastDate::default()).collect();
    }

    /// Moves to the next record; returns its line.
    pub(super) fn advance(&mut self, meta: &Meta) -> Result<Option<u64>, Problem> {
        if self.done {
            return Ok(None);
        }
        match self.tok.next_record(&self.input) {
            Ok(Some(line)) if self.tok.len() == self.width => Ok(Some(line)),
            Ok(Some(line)) => Err(Box::new(Diagnostic {
                line: Some(line),
                ..Diagnostic::file(&meta.label, format!("this line has {} fields but the header has {}", self.tok.len(), self.width))
            })),
            Ok(None) => Ok(None),
            Err(e) => {
                self.done = true;
                Err(token_problem(&meta.label, e))
            }
        }
    }

    /// Field `col` of the current record.
    #[inline(always)]
    pub(super) fn get(&self, col: usize) -> &[u8] {
        self.tok.get(&self.input, col)
    }

    /// A number, parsed straight to `T` from the trimmed text (so an `f32` is rounded once);
    /// values beyond `T`'s range come back infinite.
    #[inline(always)]
    pub(super) fn number<T: fast_float2::FastFloat>(&self, col: usize) -> Result<Option<T>, ()> {
        let text = trim(self.get(col));
        if text.is_empty() {
            return Ok(None);
        }
        fast_float2::parse::<T, _>(text).map(Some).map_err(|_| ())
    }

    /// A strict `YYYY-MM-DD` date; the last text of the column is remembered with its date.
    #[inline(always)]
    pub(super) fn date(&mut self, col: usize) -> Result<Option<i32>, ()> {
        let text = trim(self.tok.get(&self.input, col));
        if text.is_empty() {
            return Ok(None);
        }
        let last = &mut self.dates[col];
        if !same(text, &last.text) || last.date.is_none() {
            last.text.clear();
            last.text.extend_from_slice(text);
            last.date = crate::date::parse(text);
        }
        last.date.map(Some).ok_or(())
    }
}
