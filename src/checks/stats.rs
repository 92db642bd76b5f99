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

/// Median and robust standard deviation (1.4826 × the median absolute deviation).
pub(crate) fn median_robust_sd(values: &[f32]) -> (f64, f64) {
    let mut v = values.to_vec();
    let median = crate::frame::median(&mut v);
    let mut dev: Vec<f32> = values.iter().map(|&x| (f64::from(x) - median).abs() as f32).collect();
    (median, 1.4826 * crate::frame::median(&mut dev))
}

/// Population stability index of `now` against `before`, over `before`'s deciles.
pub(crate) fn psi(before: &[f32], now: &[f32]) -> f64 {
    if before.len() < 10 || now.is_empty() {
        return 0.0;
    }
    let mut sorted = before.to_vec();
    sorted.sort_unstable_by(f32::total_cmp);
    let mut edges: Vec<f32> = (1..10).map(|k| sorted[k * sorted.len() / 10]).collect();
    edges.dedup();
    let bin = |x: f32| edges.partition_point(|&e| e <= x);
    let share = |values: &[f32]| {
        let mut counts = vec![0u64; edges.len() + 1];
        values.iter().for_each(|&x| counts[bin(x)] += 1);
        counts.into_iter().map(|c| (c as f64 / values.len() as f64).max(1e-4)).collect::<Vec<f64>>()
    };
    let (e, a) = (share(before), share(now));
    e.iter().zip(&a).map(|(e, a)| (a - e) * (a / e).ln()).sum()
}

/// Average ranks (1-based; ties share their mean rank).
fn ranks(values: &[f32]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut out = vec![0.0; values.len()];
    let mut k = 0;
    while k < order.len() {
        let mut end = k;
        while end + 1 < order.len() && values[order[end + 1]] == values[order[k]] {
            end += 1;
        }
        let rank = (k + end) as f64 / 2.0 + 1.0;
        for &i in &order[k..=end] {
            out[i] = rank;
        }
        k = end + 1;
    }
    out
}

/// Spearman's rank correlation of paired values.
pub(crate) fn spearman(a: &[f32], b: &[f32]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    let mean = (n + 1.0) / 2.0;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        sab += (x - mean) * (y - mean);
        saa += (x - mean).powi(2);
        sbb += (y - mean).powi(2);
    }
    if saa > 0.0 && sbb > 0.0 { sab / (saa * sbb).sqrt() } else { 1.0 }
}

/// The positions of the `k` pairs whose rank moved most, most first.
pub(crate) fn movers(a: &[f32], b: &[f32], k: usize) -> Vec<usize> {
    let (ra, rb) = (ranks(a), ranks(b));
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

    #[test]
    fn spread_stability_and_ranks_by_hand() {
        assert_eq!(mean_std(&[1.0, 2.0, 3.0]), (2.0, 1.0));
        let (median, sd) = median_robust_sd(&[1.0, 2.0, 3.0, 4.0, 100.0]);
        assert_eq!((median, sd), (3.0, 1.4826));
        let same: Vec<f32> = (0..100).map(|i| i as f32).collect();
        assert!(psi(&same, &same).abs() < 1e-12);
        let shifted: Vec<f32> = same.iter().map(|x| x + 50.0).collect();
        assert!(psi(&same, &shifted) > 1.0);
        assert_eq!(ranks(&[10.0, 30.0, 20.0, 20.0]), [1.0, 4.0, 2.5, 2.5]);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        let (a, b) = ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 4.0, 3.0]);
        assert!((spearman(&a, &b) - 0.8).abs() < 1e-12);
        let moved = movers(&a, &b, 2);
        assert!(moved.contains(&2) && moved.contains(&3), "{moved:?}");
    }
}
