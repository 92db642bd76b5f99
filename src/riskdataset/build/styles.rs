//! Treating a date's style values: huberizing and filling.

use std::collections::HashMap;

use crate::riskdataset::built::NONE;

/// Clips values beyond median ± 3 × 1.4826 × MAD; returns how many were clipped.
pub fn huberize_day(values: &mut [f32]) -> u64 {
    let mut present: Vec<f32> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if present.is_empty() {
        return 0;
    }
    let median = crate::frame::median(&mut present);
    let mut deviations: Vec<f32> = present.iter().map(|&v| (f64::from(v) - median).abs() as f32).collect();
    let mad = crate::frame::median(&mut deviations);
    let (lo, hi) = (median - 3.0 * 1.4826 * mad, median + 3.0 * 1.4826 * mad);
    let mut clipped = 0;
    for v in values.iter_mut().filter(|v| !v.is_nan()) {
        let x = f64::from(*v);
        if x < lo || x > hi {
            *v = x.clamp(lo, hi) as f32;
            clipped += 1;
        }
    }
    clipped
}

/// Fills missing values with the mean of the asset's industry that day, else the mean of all;
/// returns how many were filled.
pub fn fill_day(values: &mut [f32], industry: &[u16]) -> u64 {
    let mut sums: HashMap<u16, (f64, u64)> = HashMap::new();
    let (mut total, mut count) = (0.0f64, 0u64);
    for (i, &v) in values.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        total += f64::from(v);
        count += 1;
        if let Some(&ind) = industry.get(i).filter(|&&c| c != NONE) {
            let e = sums.entry(ind).or_default();
            e.0 += f64::from(v);
            e.1 += 1;
        }
    }
    if count == 0 {
        return 0;
    }
    let overall = total / count as f64;
    let mut filled = 0;
    for (i, v) in values.iter_mut().enumerate() {
        if v.is_nan() {
            let mean = industry.get(i).and_then(|c| sums.get(c)).map_or(overall, |(s, n)| s / *n as f64);
            *v = mean as f32;
            filled += 1;
        }
    }
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huberize_clips_at_three_scaled_mads() {
        // median 3, |deviations| = 2,1,0,1,97 → MAD 1 → bounds 3 ± 4.4478
        let mut v = [1.0, 2.0, 3.0, 4.0, 100.0, f32::NAN];
        assert_eq!(huberize_day(&mut v), 1);
        assert_eq!(v[..4], [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(v[4], (3.0 + 3.0 * 1.4826) as f32);
        assert!(v[5].is_nan());
    }

    #[test]
    fn fill_uses_industry_means_then_the_overall_mean() {
        let mut v = [1.0, 3.0, f32::NAN, 10.0, f32::NAN, f32::NAN];
        let ind = [0, 0, 0, 1, 2, NONE];
        assert_eq!(fill_day(&mut v, &ind), 3);
        // industry 0 → (1+3)/2; industry 2 has no values → overall (1+3+10)/3; none → overall
        assert_eq!(v[2], 2.0);
        assert_eq!(v[4], (14.0f64 / 3.0) as f32);
        assert_eq!(v[5], (14.0f64 / 3.0) as f32);
    }
}
