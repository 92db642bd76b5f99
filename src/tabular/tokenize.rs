//! A zero-copy CSV tokenizer over a whole file in memory (RFC 4180: `,` separated, `"` quoted,
//! `""` an escaped quote, `\n` or `\r\n` line ends, newlines allowed inside quotes).
//!
//! Unquoted and plainly quoted fields are slices of the input; only fields with escaped quotes
//! are copied (unescaped) into a scratch buffer. The tokenizer keeps only positions: every call
//! is given the same input, so its owner may hold the bytes borrowed or owned.

/// The index of the first `,` or `\n` at or after `i` (or the input's length), eight bytes at a
/// time: fields are short, so this beats a vectorized search that must be set up per field.
#[inline]
fn field_end(input: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (comma, newline) = (ONES * u64::from(b','), ONES * u64::from(b'\n'));
    while i + 8 <= input.len() {
        let w = u64::from_le_bytes(input[i..i + 8].try_into().expect("eight bytes"));
        let (a, b) = (w ^ comma, w ^ newline);
        // A byte of `a` or `b` is zero where the delimiter is; the lowest flag is exact.
        let found = (a.wrapping_sub(ONES) & !a & HIGH) | (b.wrapping_sub(ONES) & !b & HIGH);
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < input.len() && input[i] != b',' && input[i] != b'\n' {
        i += 1;
    }
    i
}

/// Where a field's bytes are.
#[derive(Clone, Copy)]
enum Span {
    Input(usize, usize),
    Scratch(usize, usize),
}

/// One record at a time, reusing its buffers.
pub(crate) struct Tokenizer {
    pos: usize,
    /// 1-based line of the next record.
    line: u64,
    spans: Vec<Span>,
    scratch: Vec<u8>,
}

/// A malformed record.
pub(crate) struct TokenError {
    pub line: u64,
    pub message: String,
}

impl Tokenizer {
    /// A tokenizer starting at byte `start` of its input (after a byte-order mark, say), on line 1.
    pub fn new(start: usize) -> Self {
        Tokenizer { pos: start, line: 1, spans: Vec::with_capacity(128), scratch: Vec::new() }
    }

    /// Reads the next record; `Ok(None)` at the end. Blank lines are skipped.
    /// Returns the record's first line.
    pub(crate) fn next_record(&mut self, input: &[u8]) -> Result<Option<u64>, TokenError> {
        loop {
            if self.pos >= input.len() {
                return Ok(None);
            }
            // Skip blank lines.
            match input[self.pos] {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    continue;
                }
                b'\r' if input.get(self.pos + 1) == Some(&b'\n') => {
                    self.pos += 2;
                    self.line += 1;
                    continue;
                }
                _ => break,
            }
        }
        let first_line = self.line;
        self.spans.clear();
        self.scratch.clear();
        loop {
            if input.get(self.pos) == Some(&b'"') {
                self.quoted(input, first_line)?;
            } else {
                let start = self.pos;
                let end = field_end(input, start);
                let trimmed = if end > start && input[end - 1] == b'\r' && input.get(end) != Some(&b',') { end - 1 } else { end };
                self.spans.push(Span::Input(start, trimmed));
                self.pos = end;
            }
            match input.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                    return Ok(Some(first_line));
                }
                None => return Ok(Some(first_line)),
                Some(_) => unreachable!("fields end at a comma, a newline or the end"),
            }
        }
    }

    fn quoted(&mut self, input: &[u8], first_line: u64) -> Result<(), TokenError> {
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            let Some(q) = memchr::memchr(b'"', &input[i..]) else {
                return Err(TokenError { line: first_line, message: "a quoted field is never closed".into() });
            };
            self.line += input[i..i + q].iter().filter(|&&b| b == b'\n').count() as u64;
            i += q;
            if input.get(i + 1) == Some(&b'"') {
                escaped = true;
                i += 2;
                continue;
            }
            break;
        }
        let end = i;
        self.pos = i + 1;
        if input.get(self.pos) == Some(&b'\r') && input.get(self.pos + 1) == Some(&b'\n') {
            self.pos += 1;
        }
        if !matches!(input.get(self.pos), None | Some(b',') | Some(b'\n')) {
            return Err(TokenError { line: self.line, message: "unexpected text after a closing quote".into() });
        }
        if escaped {
            let from = self.scratch.len();
            let mut k = start;
            while k < end {
                self.scratch.push(input[k]);
                k += if input[k] == b'"' { 2 } else { 1 };
            }
            self.spans.push(Span::Scratch(from, self.scratch.len()));
        } else {
            self.spans.push(Span::Input(start, end));
        }
        Ok(())
    }

    /// Number of fields in the current record.
    #[inline]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Field `i` of the current record, read from `input`.
    #[inline]
    pub fn get<'s>(&'s self, input: &'s [u8], i: usize) -> &'s [u8] {
        match self.spans[i] {
            Span::Input(a, b) => &input[a..b],
            Span::Scratch(a, b) => &self.scratch[a..b],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut t = Tokenizer::new(0);
        let mut out = Vec::new();
        while let Some(line) = t.next_record(text.as_bytes()).ok().flatten() {
            out.push((line, (0..t.len()).map(|i| String::from_utf8(t.get(text.as_bytes(), i).to_vec()).unwrap()).collect()));
        }
        out
    }

    #[test]
    fn splits_quotes_escapes_and_line_ends() {
        let got = records("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",\n,last");
        assert_eq!(
            got,
            vec![
                (1, vec!["a".into(), "b".into()]),
                (2, vec!["x,1".into(), "say \"hi\"".into()]),
                (4, vec!["two\nlines".into(), String::new()]),
                (6, vec![String::new(), "last".into()]),
            ]
        );
        assert!(Tokenizer::new(0).next_record(b"\"open").is_err());
        assert!(Tokenizer::new(0).next_record(b"\"a\"b,c").is_err());
    }
}
