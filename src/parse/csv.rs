//! CSV input (plain or already gunzipped), read with the zero-copy [`Tokenizer`].

use super::tokenize::{TokenError, Tokenizer};
use super::{At, Builder, Categorical, Columns, Diagnostic, Layout, Parsed, Source, trim};

/// Parses an exposure straight to the nearest `f32` (going through `f64` could round twice);
/// values beyond the `f32` range come back infinite and are refused by the builder.
fn number(raw: &[u8]) -> Result<f64, ()> {
    fast_float2::parse::<f32, _>(trim(raw)).map(f64::from).map_err(|_| ())
}

/// Reads one CSV file.
pub fn parse(bytes: &[u8], src: &Source<'_>) -> Result<Parsed, Vec<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(vec![Diagnostic::file(src.label, "the file is empty")]);
    }
    let mut tok = Tokenizer::new(bytes);
    match tok.next_record() {
        Ok(Some(_)) => {}
        Ok(None) => return Err(vec![Diagnostic::file(src.label, "the file is empty")]),
        Err(e) => return Err(vec![token_error(src.label, e)]),
    }
    let mut names = Vec::with_capacity(tok.len());
    for i in 0..tok.len() {
        let h = tok.get(i);
        match std::str::from_utf8(h) {
            Ok(s) => names.push(s.trim().to_owned()),
            Err(_) => {
                return Err(vec![Diagnostic {
                    line: Some(1),
                    column: Some(i + 1),
                    value: Some(String::from_utf8_lossy(h).into_owned()),
                    ..Diagnostic::file(src.label, "the header is not valid UTF-8 text")
                }]);
            }
        }
    }
    let cols = Columns::detect(&names, src).map_err(|d| vec![d])?;
    if cols.date.is_none() && src.name_date.is_none() {
        return Err(vec![Diagnostic::file(src.label, "no date column, and no date in the file name (<prefix>_YYYY-MM-DD)")]);
    }
    let width = names.len();
    let mut b = Builder::new(src, names);
    b.reserve(bytes.len() / 40);
    let fixed_id_type = cols.id_type_from_header.clone().unwrap_or_else(|| super::DEFAULT_ID_TYPE.to_owned());
    let default_id_type = b.frame.asset_id_type.dict.intern_str(&fixed_id_type);
    let mut categorical = Categorical::default();
    let wide_codes: Vec<(usize, u32, u32)> =
        cols.wide.iter().map(|(i, g, f)| (*i, b.frame.factor_group.dict.intern_str(g), b.frame.factor.dict.intern_str(f))).collect();
    let mut last_date: (Vec<u8>, Option<i32>) = (Vec::new(), None);
    loop {
        let line = match tok.next_record() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => {
                b.diagnostics.push(token_error(src.label, e));
                break;
            }
        };
        if tok.len() != width {
            b.diagnostics.push(Diagnostic {
                line: Some(line),
                ..Diagnostic::file(src.label, format!("this line has {} fields but the header has {width}", tok.len()))
            });
            if b.full() {
                break;
            }
            continue;
        }
        let at = |col| At { line, col };
        let date = match cols.date {
            None => src.name_date,
            Some(c) => {
                let raw = trim(tok.get(c));
                if !super::same(raw, &last_date.0) || last_date.1.is_none() {
                    let parsed = crate::date::parse(raw);
                    last_date = (raw.to_vec(), b.check_date(at(c), tok.get(c), parsed));
                }
                last_date.1
            }
        };
        let asset = b.string(0, at(cols.asset_id), tok.get(cols.asset_id));
        let id_type = match cols.asset_id_type {
            Some(c) => b.string(1, at(c), tok.get(c)),
            None => Some(default_id_type),
        };
        if cols.layout == Layout::Wide {
            for &(c, group, factor) in &wide_codes {
                let raw = tok.get(c);
                if trim(raw).is_empty() {
                    continue;
                }
                let value = b.number(at(c), raw, number(raw));
                if let (Some(d), Some(a), Some(t), Some(v)) = (date, asset, id_type, value) {
                    categorical.see(group, v);
                    b.push(line, d, [a, t, group, factor], v);
                }
            }
        } else {
            let group = b.string(2, at(cols.factor_group), tok.get(cols.factor_group));
            let factor = b.string(3, at(cols.factor), tok.get(cols.factor));
            let raw = tok.get(cols.exposure);
            let value = if trim(raw).is_empty() {
                b.problem(at(cols.exposure), raw, "missing exposure value");
                None
            } else {
                b.number(at(cols.exposure), raw, number(raw))
            };
            if let (Some(d), Some(a), Some(t), Some(g), Some(f), Some(v)) = (date, asset, id_type, group, factor, value) {
                b.push(line, d, [a, t, g, f], v);
            }
        }
        if b.full() {
            break;
        }
    }
    let categorical_groups = if cols.layout == Layout::Wide { categorical.groups() } else { Vec::new() };
    b.finish(cols.layout, &categorical_groups, "line")
}

fn token_error(label: &str, e: TokenError) -> Diagnostic {
    Diagnostic { line: Some(e.line), ..Diagnostic::file(label, e.message) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposures_round_once_to_the_nearest_f32() {
        // Just above the midpoint of 1 and the next f32: through f64 it would land exactly on the
        // midpoint and round (to even) down to 1.0.
        let text = "date,asset_id,factor_group,factor,exposure\n2025-05-01,A,style,Size,1.00000005960464477539062500000001\n";
        let parsed = parse(text.as_bytes(), &Source { label: "t.csv", name_date: None }).unwrap();
        assert_eq!(parsed.frame.exposure, [1.000_000_1_f32]);
        assert_eq!(parsed.layout, Layout::Long);
    }
}
