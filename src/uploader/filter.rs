//! Row filters over exposure frames, in disjunctive normal form as the platform's `get_data`
//! takes them: a list of AND groups, a row kept when every filter of some group holds.
//! Operators are those of the platform's DNF tuples: `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`,
//! `not in`. Dates compare as `YYYY-MM-DD`, text columns as text, `exposure` as a number.
//!
//! A client writes the filter, so it is bounded and compiled once before any row is read
//! ([`compile`]): at most [`MAX_FILTERS`] filters, [`MAX_VALUES`] values and [`MAX_FILTER_BYTES`]
//! bytes of JSON; every value typed and parsed once; the lists of `in` and `not in` kept as hash
//! sets; a text filter turned into one bit per distinct value of its column. A row then costs at
//! most one lookup per text column and per number filter of each group whose dates hold, and
//! [`Compiled::rows`] checks for cancellation at every date.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::Column;
use crate::compare::Comparison as Op;
use crate::frame::{Exposures, StrColumn};
use crate::progress::Progress;
use crate::{Error, Result};

/// The most filters a filter may hold, in all its groups together (an empty group counts as one).
pub const MAX_FILTERS: usize = 1_000;
/// The most values a filter may hold, in all its lists together (a single value counts as one).
pub const MAX_VALUES: usize = 100_000;
/// The most bytes a filter may take, written as compact JSON (`[[{"column": …}, …], …]`).
pub const MAX_FILTER_BYTES: usize = 1_000_000;
/// One condition on a column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Filter {
    /// The column tested, by name: `date`, `asset_id`, `asset_id_type`, `factor_group`, `factor`
    /// or `exposure`.
    pub column: String,
    /// The comparison: `==` (or `=`), `!=`, `<`, `<=`, `>`, `>=`, `in` or `not in`.
    pub operator: String,
    /// What the column is compared with: a list for `in` and `not in`, one value otherwise; dates
    /// as `YYYY-MM-DD` text, `exposure` as a number, the other columns as text.
    #[ts(type = "unknown")]
    pub value: serde_json::Value,
}

/// The comparison a DNF operator names.
fn parse_op(s: &str) -> Result<Op> {
    Ok(match s.trim() {
        "==" | "=" => Op::Eq,
        "!=" => Op::Ne,
        "<" => Op::Lt,
        "<=" => Op::Le,
        ">" => Op::Gt,
        ">=" => Op::Ge,
        "in" => Op::In,
        "not in" => Op::NotIn,
        other => {
            return Err(Error::invalid(format!(
                "filter operator '{}' is unknown (use ==, !=, <, <=, >, >=, in, not in)",
                crate::names::shown(other)
            )));
        }
    })
}

/// A value as a message shows it: its JSON, escaped and cut short.
fn shown_value(v: &serde_json::Value) -> String {
    crate::names::shown(&v.to_string())
}

/// One typed value or a set of them: what a filter compares a column with.
enum Test<T> {
    /// `==`, `!=`, `<`, `<=`, `>`, `>=` with one value.
    Compare(Op, T),
    /// `in` (`negated`: `not in`) a set of values.
    Set { negated: bool, set: HashSet<T> },
}

impl<T: std::hash::Hash + Eq + PartialOrd> Test<T> {
    fn new(op: Op, mut values: Vec<T>) -> Test<T> {
        match op {
            Op::In | Op::NotIn => Test::Set { negated: op == Op::NotIn, set: values.into_iter().collect() },
            // `values_of` gave exactly one value.
            _ => Test::Compare(op, values.swap_remove(0)),
        }
    }

    fn holds(&self, x: &T) -> bool {
        match self {
            Test::Compare(op, v) => op.holds(x, std::slice::from_ref(v)),
            Test::Set { negated, set } => set.contains(x) != *negated,
        }
    }
}

/// An exposure as a set compares it: equal numbers as equal keys (`-0` is `0`); NaN equal to
/// nothing.
fn number_key(x: f32) -> Option<u32> {
    if x.is_nan() {
        None
    } else if x == 0.0 {
        Some(0)
    } else {
        Some(x.to_bits())
    }
}

/// An `exposure` filter: numbers compare as `f32`, sets hold [`number_key`]s.
enum NumberTest {
    Compare(Op, f32),
    Set { negated: bool, set: HashSet<u32> },
}

impl NumberTest {
    fn holds(&self, x: f32) -> bool {
        match self {
            NumberTest::Compare(op, v) => op.holds(&x, std::slice::from_ref(v)),
            NumberTest::Set { negated, set } => number_key(x).is_some_and(|k| set.contains(&k)) != *negated,
        }
    }
}

/// One AND group, typed.
#[derive(Default)]
struct Group {
    dates: Vec<Test<i32>>,
    numbers: Vec<NumberTest>,
    texts: Vec<(Column, Test<String>)>,
}

/// A filter checked, bounded and typed once, ready to run over any number of frames.
pub struct Compiled {
    groups: Vec<Group>,
}

fn values_of(f: &Filter, op: Op) -> Result<Vec<&serde_json::Value>> {
    let list = op.takes_list();
    let column = crate::names::shown(&f.column);
    match (&f.value, list) {
        (serde_json::Value::Array(items), true) => Ok(items.iter().collect()),
        (v, false) if !v.is_array() => Ok(vec![v]),
        (v, true) => Err(Error::invalid(format!("filter on {column}: '{}' takes a list, not {}", f.operator.trim(), shown_value(v)))),
        (v, false) => {
            Err(Error::invalid(format!("filter on {column}: '{}' takes one value, not the list {}", f.operator.trim(), shown_value(v))))
        }
    }
}

fn text_column(frame: &Exposures, c: Column) -> &StrColumn {
    match c {
        Column::AssetId => &frame.asset_id,
        Column::AssetIdType => &frame.asset_id_type,
        Column::FactorGroup => &frame.factor_group,
        _ => &frame.factor,
    }
}

/// Bytes written, and nothing kept: the size of a filter as JSON.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Refuses a filter beyond [`MAX_FILTERS`], [`MAX_VALUES`] or [`MAX_FILTER_BYTES`], naming the
/// bound and the size sent.
pub fn check_size(groups: &[Vec<Filter>]) -> Result<()> {
    let thousands = |n: usize| crate::text::thousands(n as u64);
    let filters: usize = groups.iter().map(|g| g.len().max(1)).sum();
    if filters > MAX_FILTERS {
        return Err(Error::invalid(format!(
            "the filter holds {} filters in {} groups, more than the {} accepted (in all groups together); filter on fewer conditions, \
             say with one `in` list per column",
            thousands(filters),
            thousands(groups.len()),
            thousands(MAX_FILTERS)
        )));
    }
    let values: usize = groups.iter().flatten().map(|f| f.value.as_array().map_or(1, Vec::len)).sum();
    if values > MAX_VALUES {
        return Err(Error::invalid(format!(
            "the filter holds {} values, more than the {} accepted (in all its lists together)",
            thousands(values),
            thousands(MAX_VALUES)
        )));
    }
    let mut bytes = ByteCount(0);
    serde_json::to_writer(&mut bytes, groups).map_err(|e| Error::invalid(format!("the filter cannot be written as JSON: {e}")))?;
    if bytes.0 > MAX_FILTER_BYTES {
        return Err(Error::invalid(format!(
            "the filter takes {} bytes as JSON, more than the {} accepted",
            thousands(bytes.0),
            thousands(MAX_FILTER_BYTES)
        )));
    }
    Ok(())
}

/// Checks `groups` (their size first, see [`check_size`], then each filter's column, operator
/// and values) and types them once.
pub fn compile(groups: &[Vec<Filter>]) -> Result<Compiled> {
    check_size(groups)?;
    let mut compiled = Vec::with_capacity(groups.len());
    for g in groups {
        let mut group = Group::default();
        for f in g {
            let column = Column::parse(&f.column)?;
            let op = parse_op(&f.operator)?;
            let values = values_of(f, op)?;
            let bad = |v: &serde_json::Value, what: &str| {
                Error::invalid(format!("filter on {}: {} is not {what}", crate::names::shown(&f.column), shown_value(v)))
            };
            match column {
                Column::Date => {
                    let dates = values
                        .iter()
                        .map(|v| {
                            v.as_str()
                                .and_then(|s| crate::date::parse(s.get(..10).unwrap_or(s).as_bytes()))
                                .ok_or_else(|| bad(v, "a date (YYYY-MM-DD)"))
                        })
                        .collect::<Result<Vec<i32>>>()?;
                    group.dates.push(Test::new(op, dates));
                }
                Column::Exposure => {
                    let numbers = values
                        .iter()
                        .map(|v| v.as_f64().map(|x| x as f32).ok_or_else(|| bad(v, "a number")))
                        .collect::<Result<Vec<f32>>>()?;
                    group.numbers.push(match op {
                        Op::In | Op::NotIn => {
                            NumberTest::Set { negated: op == Op::NotIn, set: numbers.into_iter().filter_map(number_key).collect() }
                        }
                        _ => NumberTest::Compare(op, numbers[0]),
                    });
                }
                text => {
                    let texts = values
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| bad(v, "text")))
                        .collect::<Result<Vec<String>>>()?;
                    group.texts.push((text, Test::new(op, texts)));
                }
            }
        }
        compiled.push(group);
    }
    Ok(Compiled { groups: compiled })
}

/// One bit per dictionary code of a text column: whether rows of that value pass.
struct Bits(Vec<u64>);

impl Bits {
    fn of(n: usize, pass: impl Fn(usize) -> bool) -> Bits {
        let mut words = vec![0u64; n.div_ceil(64)];
        for i in (0..n).filter(|&i| pass(i)) {
            words[i / 64] |= 1 << (i % 64);
        }
        Bits(words)
    }

    fn get(&self, i: u32) -> bool {
        let i = i as usize;
        (self.0[i / 64] >> (i % 64)) & 1 == 1
    }
}

/// A group made ready for one frame: its text filters as bits per column (every text filter on
/// that column holding), its number filters, and its date filters for the dates to test.
struct Ready<'c> {
    group: &'c Group,
    texts: Vec<(&'c StrColumn, Bits)>,
}

impl Compiled {
    /// Whether it keeps every row (no group).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The rows of `frame` that pass (all rows when there is no group), in order; date by date
    /// (runs of equal dates, one per date in a frame sorted by date), checking `progress` for
    /// cancellation before each.
    pub fn rows(&self, frame: &Exposures, progress: &Progress<'_>) -> Result<Vec<u32>> {
        progress.check()?;
        if self.groups.is_empty() {
            return Ok((0..frame.len() as u32).collect());
        }
        // Groups that test one text column and nothing else (the usual shape of many OR groups:
        // one asset each) are merged into one set of bits per column, so that a row costs one
        // lookup per column for all of them; the others are tested one by one.
        let (mut merged, mut others): (Vec<(&StrColumn, Bits)>, Vec<Ready<'_>>) = (Vec::new(), Vec::new());
        for ready in self.groups.iter().map(|g| Ready::new(g, frame)) {
            if !(ready.group.dates.is_empty() && ready.group.numbers.is_empty() && ready.texts.len() <= 1) {
                others.push(ready);
                continue;
            }
            let Some((column, bits)) = ready.texts.into_iter().next() else {
                // A group without a filter keeps every row.
                return Ok((0..frame.len() as u32).collect());
            };
            match merged.iter_mut().find(|(c, _)| std::ptr::eq(*c, column)) {
                Some((_, union)) => union.0.iter_mut().zip(&bits.0).for_each(|(a, b)| *a |= b),
                None => merged.push((column, bits)),
            }
        }
        let mut kept = Vec::new();
        let (n, mut start, mut dates) = (frame.len(), 0, 0u64);
        while start < n {
            progress.check()?;
            let day = frame.date[start];
            let end = frame.date[start..].iter().position(|&d| d != day).map_or(n, |p| start + p);
            let live: Vec<&Ready<'_>> = others.iter().filter(|r| r.group.dates.iter().all(|t| t.holds(&day))).collect();
            if !live.is_empty() || !merged.is_empty() {
                let holds = |r: usize| merged.iter().any(|(c, bits)| bits.get(c.codes[r])) || live.iter().any(|g| g.holds(frame, r));
                kept.extend((start..end).filter(|&r| holds(r)).map(|r| r as u32));
            }
            dates += 1;
            progress.report("filter", dates, 0, crate::date::format(day));
            start = end;
        }
        Ok(kept)
    }
}

impl<'c> Ready<'c> {
    fn new(group: &'c Group, frame: &'c Exposures) -> Ready<'c> {
        let mut texts: Vec<(Column, &'c StrColumn, Bits)> = Vec::new();
        for (column, test) in &group.texts {
            let values = text_column(frame, *column).dict.values();
            let bits = Bits::of(values.len(), |i| test.holds(&values[i]));
            match texts.iter_mut().find(|(c, _, _)| c == column) {
                // Every filter of a group holds: the bits of one column are ANDed.
                Some((_, _, both)) => both.0.iter_mut().zip(&bits.0).for_each(|(a, b)| *a &= b),
                None => texts.push((*column, text_column(frame, *column), bits)),
            }
        }
        Ready { group, texts: texts.into_iter().map(|(_, c, b)| (c, b)).collect() }
    }

    /// Whether row `r` passes the group's text and number filters (its dates were checked).
    fn holds(&self, frame: &Exposures, r: usize) -> bool {
        self.texts.iter().all(|(column, bits)| bits.get(column.codes[r])) && self.group.numbers.iter().all(|t| t.holds(frame.exposure[r]))
    }
}

/// The rows of `frame` that pass `groups` (all rows when there are none), in order: [`compile`]
/// then [`Compiled::rows`], not cancellable.
pub fn rows(frame: &Exposures, groups: &[Vec<Filter>]) -> Result<Vec<u32>> {
    compile(groups)?.rows(frame, &Progress::none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn frame() -> Exposures {
        let mut f = Exposures::default();
        for (d, a, g, x) in [("2025-05-01", "A", "style", 0.5), ("2025-05-01", "B", "market", 1.0), ("2025-05-02", "A", "style", -2.0)] {
            f.push(crate::date::parse(d.as_bytes()).unwrap(), a, "bayesid", g, "F", x);
        }
        f
    }

    fn filter(column: &str, operator: &str, value: serde_json::Value) -> Filter {
        Filter { column: column.into(), operator: operator.into(), value }
    }

    #[test]
    fn groups_are_ands_ored_over_every_column_kind() {
        let f = frame();
        assert_eq!(rows(&f, &[vec![filter("factor_group", "==", json!("style"))]]).unwrap(), vec![0, 2]);
        let and = vec![filter("factor_group", "==", json!("style")), filter("date", ">=", json!("2025-05-02"))];
        assert_eq!(rows(&f, &[and]).unwrap(), vec![2]);
        let or = [vec![filter("exposure", "<", json!(0))], vec![filter("asset_id", "in", json!(["B"]))]];
        assert_eq!(rows(&f, &or).unwrap(), vec![1, 2]);
        assert_eq!(rows(&f, &[vec![filter("asset_id", "not in", json!(["A"]))]]).unwrap(), vec![1]);
        assert_eq!(rows(&f, &[]).unwrap(), vec![0, 1, 2]);
    }

    #[test]
    fn bad_filters_name_what_is_wrong() {
        let f = frame();
        let err = |x: Filter| rows(&f, &[vec![x]]).unwrap_err().to_string();
        assert!(err(filter("colour", "==", json!("x"))).contains("colour"));
        assert!(err(filter("date", "~", json!("x"))).contains("operator '~' is unknown"));
        assert!(err(filter("date", "==", json!("May"))).contains("\"May\" is not a date"));
        assert!(err(filter("asset_id", "in", json!("A"))).contains("'in' takes a list"));
        // What a client sent is shown escaped, never as raw control characters.
        let e = err(filter("col\u{1b}[31m", "==", json!("x")));
        assert!(e.contains("col\\u{1b}[31m") && !e.contains('\u{1b}'), "{e}");
        assert!(!err(filter("date", "\u{202e}~", json!("x"))).contains('\u{202e}'));
    }

    /// A frame of `days` dates from 2025-05-01, each with the same `assets` assets and two factors.
    fn days(days: usize, assets: usize) -> Exposures {
        let mut f = Exposures::default();
        for d in 0..days {
            for a in 0..assets {
                for (g, x) in [("market", 1.0), ("style", (a % 7) as f32 - 3.0 + d as f32 / 8.0)] {
                    f.push(crate::date::parse(b"2025-05-01").unwrap() + d as i32, &format!("A{a}"), "bayesid", g, "F", x);
                }
            }
        }
        f
    }

    #[test]
    fn compiled_filters_keep_the_rows_a_plain_evaluation_keeps() {
        let f = days(6, 50);
        let dates = |i: &[usize]| json!(i.iter().map(|d| format!("2025-05-0{}", d + 1)).collect::<Vec<_>>());
        let groups = vec![
            vec![filter("asset_id", "in", json!(["A1", "A3", "A5", "A49", "nobody"])), filter("date", "not in", dates(&[2]))],
            vec![filter("exposure", "in", json!([-3.0, 0, 1.125])), filter("factor_group", "==", json!("style"))],
            vec![filter("exposure", ">=", json!(2.5)), filter("asset_id", "<", json!("A2")), filter("asset_id", "!=", json!("A10"))],
            vec![filter("date", ">", json!("2025-05-05")), filter("factor_group", "not in", json!(["market"]))],
            // Groups of one text filter (merged into one set of bits per column).
            vec![filter("asset_id", "==", json!("A7"))],
            vec![filter("asset_id", "in", json!(["A8", "A9"]))],
            vec![filter("factor_group", "==", json!("nothing"))],
        ];
        let kept = rows(&f, &groups).unwrap();
        // The same, row by row, straight from the comparisons.
        let day = |r: usize| crate::date::format(f.date[r]);
        let plain: Vec<u32> = (0..f.len())
            .filter(|&r| {
                let (a, g, x) = (f.asset_id.get(r), f.factor_group.get(r), f.exposure[r]);
                (["A1", "A3", "A5", "A49"].contains(&a) && day(r) != "2025-05-03")
                    || ([-3.0, 0.0, 1.125].contains(&x) && g == "style")
                    || (x >= 2.5 && a < "A2" && a != "A10")
                    || (day(r).as_str() > "2025-05-05" && g != "market")
                    || ["A7", "A8", "A9"].contains(&a)
            })
            .map(|r| r as u32)
            .collect();
        assert_eq!(kept, plain);
        assert!(!kept.is_empty() && kept.len() < f.len());
        // -0 is 0 in a set, NaN in none.
        let mut z = frame();
        z.exposure[0] = -0.0;
        z.exposure[1] = f32::NAN;
        assert_eq!(rows(&z, &[vec![filter("exposure", "in", json!([0.0]))]]).unwrap(), vec![0]);
        assert_eq!(rows(&z, &[vec![filter("exposure", "not in", json!([0.0]))]]).unwrap(), vec![1, 2]);
        // An empty group keeps every row.
        assert_eq!(rows(&z, &[vec![], vec![filter("asset_id", "==", json!("B"))]]).unwrap(), vec![0, 1, 2]);
    }

    #[test]
    fn filters_beyond_their_bounds_are_refused_naming_the_bound_and_the_size() {
        let one = |i: usize| filter("asset_id", "==", json!(format!("A{i}")));
        let many_groups: Vec<Vec<Filter>> = (0..MAX_FILTERS + 1).map(|i| vec![one(i)]).collect();
        let e = compile(&many_groups).err().unwrap().to_string();
        assert!(e.contains("1,001 filters") && e.contains("1,000 accepted"), "{e}");
        assert!(compile(&many_groups[..MAX_FILTERS]).is_ok());
        let list = |n: usize| filter("asset_id", "in", json!((0..n).map(|i| format!("{i}")).collect::<Vec<_>>()));
        let e = compile(&[vec![list(MAX_VALUES / 2), list(MAX_VALUES / 2 + 1)]]).err().unwrap().to_string();
        assert!(e.contains("100,001 values") && e.contains("100,000 accepted"), "{e}");
        let long = filter("asset_id", "in", json!((0..50_000).map(|i| format!("{i:020}")).collect::<Vec<_>>()));
        let e = compile(&[vec![long]]).err().unwrap().to_string();
        assert!(e.contains("1,150,") && e.contains("bytes as JSON") && e.contains("1,000,000 accepted"), "{e}");
        assert_eq!(compile(&[vec![list(MAX_VALUES)]]).err().map(|e| e.code().to_owned()), None);
        assert_eq!(compile(&many_groups).err().unwrap().code(), "invalid_input");
    }

    #[test]
    fn a_filter_checks_for_cancellation_at_every_date() {
        let f = days(5, 20);
        let compiled = compile(&[vec![filter("factor_group", "==", json!("style"))]]).unwrap();
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let dates = std::sync::Mutex::new(Vec::new());
        // Cancelled once the second date is done: the third is never filtered.
        let sink = |s: &crate::progress::Step| {
            dates.lock().unwrap().push(s.message.clone());
            if s.done == 2 {
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        };
        let progress = Progress::new(&sink).cancellable(&cancel);
        assert!(matches!(compiled.rows(&f, &progress), Err(Error::Cancelled)));
        assert_eq!(*dates.lock().unwrap(), ["2025-05-01", "2025-05-02"]);
        // Not cancelled: every date, every style row.
        let kept = compiled.rows(&f, &Progress::none()).unwrap();
        assert_eq!(kept.len(), f.len() / 2);
    }
}
