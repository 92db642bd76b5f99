//! The canonical long exposure frame, held column-wise with dictionary-coded strings.
//!
//! Columns: `date` (days since epoch), `asset_id`, `asset_id_type`, `factor_group`, `factor`
//! (codes into per-column dictionaries) and `exposure` (f32). The key is the first five columns.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

type Index = FxHashMap<Box<[u8]>, u32>;

/// A dictionary of distinct strings; codes are indexes into `values`.
///
/// The index from string to code is built on first use: a dictionary only read by code (as the
/// assets of a stored risk dataset, read a date at a time for queries and the grid) never hashes
/// its strings.
#[derive(Debug, Clone, Default)]
pub struct Dict {
    values: Vec<String>,
    index: OnceLock<Index>,
}

fn index_of(values: &[String]) -> Index {
    values.iter().enumerate().map(|(i, v)| (v.as_bytes().into(), i as u32)).collect()
}

impl Dict {
    /// The index, built now if it was not.
    fn index_mut<'a>(cell: &'a mut OnceLock<Index>, values: &[String]) -> &'a mut Index {
        if cell.get().is_none() {
            let _ = cell.set(index_of(values));
        }
        cell.get_mut().expect("set above")
    }

    /// The code of `bytes`, adding it if new. `Err` carries bytes that are not UTF-8.
    #[inline]
    pub(crate) fn intern(&mut self, bytes: &[u8]) -> Result<u32, ()> {
        let index = Self::index_mut(&mut self.index, &self.values);
        if let Some(&code) = index.get(bytes) {
            return Ok(code);
        }
        let s = std::str::from_utf8(bytes).map_err(|_| ())?;
        let code = self.values.len() as u32;
        self.values.push(s.to_owned());
        index.insert(bytes.into(), code);
        Ok(code)
    }

    /// Makes room for `n` more distinct strings.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.values.reserve(n);
        Self::index_mut(&mut self.index, &self.values).reserve(n);
    }

    /// The code of an already valid string, adding it if new.
    pub(crate) fn intern_str(&mut self, s: &str) -> u32 {
        self.intern(s.as_bytes()).expect("str is UTF-8")
    }

    /// The code of `s` if present.
    pub fn code(&self, s: &str) -> Option<u32> {
        self.index.get_or_init(|| index_of(&self.values)).get(s.as_bytes()).copied()
    }

    /// The string of a code.
    #[inline]
    pub fn get(&self, code: u32) -> &str {
        &self.values[code as usize]
    }

    /// All strings, by code.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// A dictionary holding `values` in that order (must be distinct).
    pub(crate) fn from_values(values: Vec<String>) -> Self {
        Dict { values, index: OnceLock::new() }
    }

    /// Sorts the strings; returns the map old code → new code.
    fn sort(&mut self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.values[a as usize].cmp(&self.values[b as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let values = order.iter().map(|&o| std::mem::take(&mut self.values[o as usize])).collect();
        *self = Dict::from_values(values);
        remap
    }
}

/// One string column: codes plus their dictionary.
#[derive(Debug, Clone, Default)]
pub struct StrColumn {
    pub codes: Vec<u32>,
    pub dict: Dict,
}

impl StrColumn {
    /// Appends `other`'s values, re-coding them into this column's dictionary.
    pub(crate) fn append(&mut self, other: &StrColumn) {
        let remap: Vec<u32> = other.dict.values().iter().map(|v| self.dict.intern_str(v)).collect();
        self.codes.extend(other.codes.iter().map(|&c| remap[c as usize]));
    }

    /// The string at `row`.
    #[inline]
    pub fn get(&self, row: usize) -> &str {
        self.dict.get(self.codes[row])
    }
}

/// Long exposures, column-wise. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct Exposures {
    pub date: Vec<i32>,
    pub asset_id: StrColumn,
    pub asset_id_type: StrColumn,
    pub factor_group: StrColumn,
    pub factor: StrColumn,
    pub exposure: Vec<f32>,
}

/// A row key packed for sorting: date, asset, id type, group, factor (dictionary codes).
pub type Key = u128;

impl Exposures {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.exposure.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.exposure.is_empty()
    }

    /// Appends one row given as codes of this frame's dictionaries.
    #[inline]
    pub(crate) fn push_codes(&mut self, date: i32, asset: u32, id_type: u32, group: u32, factor: u32, value: f32) {
        self.date.push(date);
        self.asset_id.codes.push(asset);
        self.asset_id_type.codes.push(id_type);
        self.factor_group.codes.push(group);
        self.factor.codes.push(factor);
        self.exposure.push(value);
    }

    /// Appends one row given as strings.
    pub fn push(&mut self, date: i32, asset: &str, id_type: &str, group: &str, factor: &str, value: f32) {
        let (a, t) = (self.asset_id.dict.intern_str(asset), self.asset_id_type.dict.intern_str(id_type));
        let (g, f) = (self.factor_group.dict.intern_str(group), self.factor.dict.intern_str(factor));
        self.push_codes(date, a, t, g, f, value);
    }

    /// The packed key of `row`; keys compare like the rows' (date, codes).
    #[inline]
    pub fn key(&self, row: usize) -> Key {
        // Dates are offset so that negative days still sort correctly.
        let date = (self.date[row] as i64 + (1 << 31)) as u128;
        (date << 96)
            | (u128::from(self.asset_id.codes[row]) << 64)
            | (u128::from(self.asset_id_type.codes[row]) << 48)
            | (u128::from(self.factor_group.codes[row]) << 32)
            | u128::from(self.factor.codes[row])
    }

    /// Sorts every dictionary alphabetically, then the rows by key, so that row order is the
    /// order of (date, asset_id, asset_id_type, factor_group, factor) as strings.
    pub fn sort(&mut self) {
        for col in [&mut self.asset_id, &mut self.asset_id_type, &mut self.factor_group, &mut self.factor] {
            let remap = col.dict.sort();
            col.codes.iter_mut().for_each(|c| *c = remap[*c as usize]);
        }
        let mut order: Vec<(Key, u32)> = (0..self.len()).map(|r| (self.key(r), r as u32)).collect();
        order.sort_unstable_by_key(|&(k, _)| k);
        if order.windows(2).all(|w| w[0].1 < w[1].1) {
            return;
        }
        let rows: Vec<u32> = order.into_iter().map(|(_, r)| r).collect();
        *self = self.take(&rows);
    }

    /// The rows at `rows` (sharing dictionaries), in that order.
    pub fn take(&self, rows: &[u32]) -> Exposures {
        fn pick<T: Copy>(v: &[T], rows: &[u32]) -> Vec<T> {
            rows.iter().map(|&r| v[r as usize]).collect()
        }
        let col = |c: &StrColumn| StrColumn { codes: pick(&c.codes, rows), dict: c.dict.clone() };
        Exposures {
            date: pick(&self.date, rows),
            asset_id: col(&self.asset_id),
            asset_id_type: col(&self.asset_id_type),
            factor_group: col(&self.factor_group),
            factor: col(&self.factor),
            exposure: pick(&self.exposure, rows),
        }
    }

    /// Whether any two rows share a key. One pass over runs of rows with the same (date, asset,
    /// id type), as files list an asset's rows together; falls back to [`Exposures::duplicate_keys`]
    /// when an asset's rows are not contiguous.
    pub(crate) fn has_duplicate_keys(&self) -> bool {
        let mut seen_runs: rustc_hash::FxHashSet<(i32, u32, u32)> = rustc_hash::FxHashSet::default();
        let mut pairs: Vec<u64> = Vec::with_capacity(64);
        let mut start = 0;
        let n = self.len();
        while start < n {
            let run = (self.date[start], self.asset_id.codes[start], self.asset_id_type.codes[start]);
            let mut end = start + 1;
            while end < n && (self.date[end], self.asset_id.codes[end], self.asset_id_type.codes[end]) == run {
                end += 1;
            }
            if !seen_runs.insert(run) {
                return !self.duplicate_keys().is_empty();
            }
            pairs.clear();
            pairs.extend((start..end).map(|r| (u64::from(self.factor_group.codes[r]) << 32) | u64::from(self.factor.codes[r])));
            pairs.sort_unstable();
            if pairs.windows(2).any(|w| w[0] == w[1]) {
                return true;
            }
            start = end;
        }
        false
    }

    /// Pairs of rows `(first, second)` that share a key, in key order (the frame need not be sorted).
    pub(crate) fn duplicate_keys(&self) -> Vec<(usize, usize)> {
        let mut keys: Vec<(Key, u32)> = (0..self.len()).map(|r| (self.key(r), r as u32)).collect();
        keys.sort_unstable();
        keys.windows(2).filter(|w| w[0].0 == w[1].0).map(|w| (w[0].1 as usize, w[1].1 as usize)).collect()
    }

    /// The key of `row` as text, for messages.
    pub(crate) fn describe_key(&self, row: usize) -> String {
        format!(
            "date {}, asset_id {}, asset_id_type {}, factor_group {}, factor {}",
            crate::date::format(self.date[row]),
            self.asset_id.get(row),
            self.asset_id_type.get(row),
            self.factor_group.get(row),
            self.factor.get(row)
        )
    }

    /// Concatenates frames into one with shared dictionaries (rows in the given order).
    pub fn concat<'a>(parts: impl IntoIterator<Item = &'a Exposures>) -> Exposures {
        let mut out = Exposures::default();
        for part in parts {
            out.append(part);
        }
        out
    }

    /// Appends the rows of `other`, re-coding its strings into this frame's dictionaries.
    pub(crate) fn append(&mut self, other: &Exposures) {
        self.date.extend_from_slice(&other.date);
        self.asset_id.append(&other.asset_id);
        self.asset_id_type.append(&other.asset_id_type);
        self.factor_group.append(&other.factor_group);
        self.factor.append(&other.factor);
        self.exposure.extend_from_slice(&other.exposure);
    }

    /// The rows of one date, in order.
    pub(crate) fn rows_of_date(&self, date: i32) -> Vec<u32> {
        (0..self.len() as u32).filter(|&r| self.date[r as usize] == date).collect()
    }

    /// Distinct strings actually used in a column, sorted.
    pub(crate) fn used(col: &StrColumn) -> Vec<String> {
        let mut seen = vec![false; col.dict.len()];
        col.codes.iter().for_each(|&c| seen[c as usize] = true);
        let mut v: Vec<String> = seen.iter().enumerate().filter(|(_, s)| **s).map(|(c, _)| col.dict.get(c as u32).to_owned()).collect();
        v.sort();
        v
    }
}

/// Cross-sectional statistics of one day of exposures (the seed's detail summary row).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DayStats {
    /// Days since the epoch.
    pub date: i32,
    /// Rows that day.
    pub rows: u64,
    /// Distinct asset ids that day.
    pub n_assets: u32,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub median: f64,
    /// Sample standard deviation (n − 1); NaN with fewer than two values.
    pub std: f64,
}

impl DayStats {
    /// Statistics for every date of `frame`, ascending by date.
    pub(crate) fn of(frame: &Exposures) -> Vec<DayStats> {
        let first = frame.date.first().copied();
        if frame.date.iter().all(|&d| Some(d) == first) {
            // One date (a daily file): no need to gather rows.
            return first
                .map(|d| Self::compute(d, frame.exposure.clone(), frame.asset_id.codes.iter().copied(), frame.asset_id.dict.len()))
                .into_iter()
                .collect();
        }
        let mut by_date: FxHashMap<i32, Vec<u32>> = FxHashMap::default();
        for (r, &d) in frame.date.iter().enumerate() {
            by_date.entry(d).or_default().push(r as u32);
        }
        let mut out: Vec<DayStats> = by_date
            .into_iter()
            .map(|(date, rows)| {
                let values = rows.iter().map(|&r| frame.exposure[r as usize]).collect();
                Self::compute(date, values, rows.iter().map(|&r| frame.asset_id.codes[r as usize]), frame.asset_id.dict.len())
            })
            .collect();
        out.sort_by_key(|s| s.date);
        out
    }

    /// Statistics of one date's values; `assets` are the rows' asset codes (below `n_codes`).
    fn compute(date: i32, mut values: Vec<f32>, assets: impl Iterator<Item = u32>, n_codes: usize) -> DayStats {
        let mut seen = vec![false; n_codes];
        let mut n_assets = 0u32;
        for a in assets {
            if !std::mem::replace(&mut seen[a as usize], true) {
                n_assets += 1;
            }
        }
        let n = values.len();
        let (mut min, mut max, mut sum) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
        for &v in &values {
            let v = f64::from(v);
            min = min.min(v);
            max = max.max(v);
            sum += v;
        }
        let mean = sum / n as f64;
        let ss: f64 = values.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum();
        let std = if n > 1 { (ss / (n - 1) as f64).sqrt() } else { f64::NAN };
        let median = median(&mut values);
        DayStats { date, rows: n as u64, n_assets, min, max, mean, median, std }
    }
}

/// The median (mean of the two middle values for an even count); NaN when empty.
pub(crate) fn median(values: &mut [f32]) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let (_, &mut hi, _) = values.select_nth_unstable_by(n / 2, f32::total_cmp);
    if n % 2 == 1 {
        return f64::from(hi);
    }
    let lo = values[..n / 2].iter().copied().fold(f32::NEG_INFINITY, f32::max);
    (f64::from(lo) + f64::from(hi)) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_strings_and_finds_duplicates() {
        let mut f = Exposures::default();
        f.push(2, "B", "bayesid", "style", "Size", 1.0);
        f.push(2, "B", "bayesid", "style", "Value", 1.0);
        f.push(1, "C", "bayesid", "style", "Size", 2.0);
        f.push(2, "A", "bayesid", "style", "Value", 3.0);
        f.push(2, "A", "bayesid", "market", "Market", 4.0);
        f.sort();
        let rows: Vec<(i32, &str, &str)> = (0..f.len()).map(|r| (f.date[r], f.asset_id.get(r), f.factor.get(r))).collect();
        assert_eq!(rows, vec![(1, "C", "Size"), (2, "A", "Market"), (2, "A", "Value"), (2, "B", "Size"), (2, "B", "Value")]);
        assert!(f.duplicate_keys().is_empty() && !f.has_duplicate_keys());
        f.push(2, "A", "bayesid", "style", "Value", 9.0); // not contiguous with A's rows
        assert_eq!(f.duplicate_keys(), vec![(2, 5)]);
        assert!(f.has_duplicate_keys());
        let frame = |rows: &[(&str, &str)]| {
            let mut g = Exposures::default();
            rows.iter().for_each(|(a, factor)| g.push(1, a, "bayesid", "style", factor, 0.0));
            g
        };
        assert!(frame(&[("A", "X"), ("A", "Y"), ("B", "X"), ("B", "X")]).has_duplicate_keys(), "inside a run");
        assert!(!frame(&[("A", "X"), ("A", "Y"), ("B", "X"), ("B", "Y")]).has_duplicate_keys());
        assert!(!frame(&[("A", "X"), ("B", "X"), ("A", "Y")]).has_duplicate_keys(), "A's rows apart, no duplicate");
    }

    #[test]
    fn day_stats_match_hand_computation() {
        let mut f = Exposures::default();
        for (a, v) in [("A", 1.0), ("A", 3.0), ("B", -2.0), ("C", 6.0)] {
            f.push(7, a, "bayesid", "style", &format!("F{v}"), v);
        }
        let s = DayStats::of(&f)[0];
        assert_eq!((s.n_assets, s.rows, s.min, s.max, s.mean, s.median), (3, 4, -2.0, 6.0, 2.0, 2.0));
        // sample variance: (1 + 1 + 16 + 16) / 3
        assert!((s.std - (34.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), 3.0);
    }
}
