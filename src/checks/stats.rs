//! The statistics the checks use: set differences of sorted ids, robust spread, population
//! stability and rank correlation.

/// Items of sorted `a` that sorted `b` lacks.
pub(crate) fn difference<'a>(a: &'a [String], b: &'a [String]) -> impl Iterator<Item = &'a String> + 'a {
    let mut j = 0;
    a.iter().filter(move |x| {
        while j < b.len() && b[j] < **x {
            j += 1;
        }
        !(j < b.len() && b[j] == **x)
    })
}

/// Index pairs `(i, j)` with `a[i] == b[j]`, both sorted.
pub(crate) fn common_indexes(a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push((i, j));
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Mean and sample standard deviation.
pub(crate) fn mean_std(values: &[f32]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let ss: f64 = values.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum();
    (mean, if values.len() > 1 { (ss / (n - 1.0)).sqrt() } else { 0.0 })
}

/// A column's values with the positions of its present (non-NaN) ones in ascending order: sorted
/// once per factor and date, then read by the median, the deciles and the ranks.
#[derive(Clone, Copy)]
pub(crate) struct Sorted<'a> {
    pub values: &'a [f32],
    pub order: &'a [u32],
}

/// The positions of the present (non-NaN) `values`, by ascending value. Sorting `u64` keys (an
/// order-preserving `u32` image of the value above the position) is about three times as fast as
/// sorting positions with a comparison closure (measured on 35,800 values).
pub(crate) fn sorted_order(values: &[f32]) -> Vec<u32> {
    let key = |v: f32| {
        let b = v.to_bits();
        if b >> 31 == 1 { !b } else { b | 1 << 31 }
    };
    let mut keys: Vec<u64> =
        values.iter().enumerate().filter(|(_, v)| !v.is_nan()).map(|(i, &v)| (u64::from(key(v)) << 32) | i as u64).collect();
    keys.sort_unstable();
    keys.into_iter().map(|k| k as u32).collect()
}

impl Sorted<'_> {
    fn len(&self) -> usize {
        self.order.len()
    }

    /// The `k`-th smallest present value.
    fn at(&self, k: usize) -> f32 {
        self.values[self.order[k] as usize]
    }

    /// Median and robust standard deviation (1.4826 × the median absolute deviation).
    pub(crate) fn median_robust_sd(&self) -> (f64, f64) {
        let n = self.len();
        if n == 0 {
            return (f64::NAN, f64::NAN);
        }
        let median = if n % 2 == 1 { f64::from(self.at(n / 2)) } else { (f64::from(self.at(n / 2 - 1)) + f64::from(self.at(n / 2))) / 2.0 };
        let mut dev: Vec<f32> = (0..n).map(|k| (f64::from(self.at(k)) - median).abs() as f32).collect();
        (median, 1.4826 * crate::frame::median(&mut dev))
    }

    /// Average ranks (1-based; ties share their mean rank) of the values whose `slot` is set,
    /// among themselves, stored at their slot (`slots` long).
    pub(crate) fn ranks_of(&self, slot: &[u32], slots: usize) -> Vec<f64> {
        let members: Vec<u32> = self.order.iter().copied().filter(|&i| slot[i as usize] != NO_SLOT).collect();
        let mut out = vec![0.0; slots];
        let mut k = 0;
        while k < members.len() {
            let value = self.values[members[k] as usize];
            let mut end = k;
            while end + 1 < members.len() && self.values[members[end + 1] as usize] == value {
                end += 1;
            }
            let rank = (k + end) as f64 / 2.0 + 1.0;
            for &i in &members[k..=end] {
                out[slot[i as usize] as usize] = rank;
            }
            k = end + 1;
        }
        out
    }
}

/// A position without a slot in [`Sorted::ranks_of`].
pub(crate) const NO_SLOT: u32 = u32::MAX;

/// Population stability index of `now` against `before`, over `before`'s deciles.
pub(crate) fn psi(before: Sorted, now: Sorted) -> f64 {
    if before.len() < 10 || now.len() == 0 {
        return 0.0;
    }
    let mut edges: Vec<f32> = (1..10).map(|k| before.at(k * before.len() / 10)).collect();
    edges.dedup();
    // Values ascend, so the bin (the number of edges at or below the value) only moves up.
    let share = |s: Sorted| {
        let mut counts = vec![0u64; edges.len() + 1];
        let mut bin = 0;
        for k in 0..s.len() {
            let x = s.at(k);
            while bin < edges.len() && edges[bin] <= x {
                bin += 1;
            }
            counts[bin] += 1;
        }
        counts.into_iter().map(|c| (c as f64 / s.len() as f64).max(1e-4)).collect::<Vec<f64>>()
    };
    let (e, a) = (share(before), share(now));
    e.iter().zip(&a).map(|(e, a)| (a - e) * (a / e).ln()).sum()
}

/// Spearman's rank correlation from the paired ranks of two samples.
pub(crate) fn spearman(ra: &[f64], rb: &[f64]) -> f64 {
    let n = ra.len() as f64;
    let mean = (n + 1.0) / 2.0;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(rb) {
        sab += (x - mean) * (y - mean);
        saa += (x - mean).powi(2);
        sbb += (y - mean).powi(2);
    }
    if saa > 0.0 && sbb > 0.0 { sab / (saa * sbb).sqrt() } else { 1.0 }
}

/// The positions of the `k` pairs whose rank moved most, most first.
pub(crate) fn movers(ra: &[f64], rb: &[f64], k: usize) -> Vec<usize> {
    let moved = |i: usize| (rb[i] - ra[i]).abs();
    let mut order: Vec<usize> = (0..ra.len()).collect();
    if order.len() > k {
        order.select_nth_unstable_by(k, |&i, &j| moved(j).total_cmp(&moved(i)));
        order.truncate(k);
    }
    order.sort_unstable_by(|&i, &j| moved(j).total_cmp(&moved(i)));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_differences_and_common_ids_of_sorted_lists() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (a, b) = (s(&["A", "B", "D"]), s(&["B", "C", "D", "E"]));
        assert_eq!(difference(&a, &b).collect::<Vec<_>>(), ["A"]);
        assert_eq!(difference(&b, &a).collect::<Vec<_>>(), ["C", "E"]);
        assert_eq!(common_indexes(&a, &b), [(1, 0), (2, 2)]);
    }

    /// The sorted view and every statistic read from it, on values whose answers are known.
    fn sorted(values: &[f32]) -> (Vec<f32>, Vec<u32>) {
        (values.to_vec(), sorted_order(values))
    }

    #[test]
    fn spread_stability_and_ranks_by_hand() {
        assert_eq!(mean_std(&[1.0, 2.0, 3.0]), (2.0, 1.0));
        let (_, o) = sorted(&[4.0, f32::NAN, -0.5, 100.0, 1.0, 0.0, -0.0, 2.0, 3.0]);
        assert_eq!(o, [2, 6, 5, 4, 7, 8, 0, 3], "NaN left out, -0.5 first, 100 last");
        let (v5, o5) = sorted(&[1.0, 2.0, 3.0, 4.0, 100.0]);
        assert_eq!(Sorted { values: &v5, order: &o5 }.median_robust_sd(), (3.0, 1.4826));
        let (v4, o4) = sorted(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(Sorted { values: &v4, order: &o4 }.median_robust_sd().0, 2.5);
        let (same, so) = sorted(&(0..100).map(|i| i as f32).collect::<Vec<_>>());
        let same = Sorted { values: &same, order: &so };
        assert!(psi(same, same).abs() < 1e-12);
        let (shifted, sho) = sorted(&(0..100).map(|i| i as f32 + 50.0).collect::<Vec<_>>());
        assert!(psi(same, Sorted { values: &shifted, order: &sho }) > 1.0);
        // Ranks among the slotted values only, ties sharing their mean rank.
        let (t, to) = sorted(&[10.0, 30.0, 20.0, 20.0, 5.0]);
        let slot = [0, 1, 2, 3, NO_SLOT];
        assert_eq!(Sorted { values: &t, order: &to }.ranks_of(&slot, 4), [1.0, 4.0, 2.5, 2.5]);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        let (a, b) = ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 4.0, 3.0]);
        assert!((spearman(&a, &b) - 0.8).abs() < 1e-12);
        let moved = movers(&a, &b, 2);
        assert!(moved.contains(&2) && moved.contains(&3), "{moved:?}");
    }
}
