//! The model's forecasts at a date D: the exponentially weighted factor covariance and the
//! assets' specific variances. Weights are 0.5^(age / half-life), age counted in model dates (0 at
//! D), normalised to sum 1 over the dates that have a value; returns are taken as mean zero.

/// The weight of a value `age` model dates before D.
pub(crate) fn weight(age: usize, halflife: f64) -> f64 {
    0.5f64.powf(age as f64 / halflife)
}

/// The exponentially weighted second moments of the factor returns with `lags` Newey–West lags
/// (Bartlett weights b_l = 1 − l/(lags+1)). With y_t = √w_t · f_t (0 where a factor has no
/// return), entry (i, j) is [Σ_t y_i,t y_j,t + Σ_l b_l Σ_t (y_i,t y_j,t−l + y_j,t y_i,t−l)] / √(W_i W_j),
/// W_i the sum of the weights of the dates factor i has: a variance is normalised over the dates
/// it has, and the matrix stays positive semi-definite (a Bartlett sum of outer products of the
/// y's, scaled on both sides). `returns` holds one row per model date up to D (the last row), one
/// column per factor, NaN for no return; a factor without any return has NaN in its row and column.
#[allow(clippy::needless_range_loop)] // (i, j) index the matrix and the factors alike
fn moments(returns: &[Vec<f64>], halflife: f64, lags: usize) -> Vec<Vec<f64>> {
    let t_count = returns.len();
    let k = returns.first().map_or(0, Vec::len);
    let w: Vec<f64> = (0..t_count).map(|t| weight(t_count - 1 - t, halflife)).collect();
    let y: Vec<Vec<f64>> =
        returns.iter().zip(&w).map(|(row, w)| row.iter().map(|&f| if f.is_finite() { w.sqrt() * f } else { 0.0 }).collect()).collect();
    let total: Vec<f64> = (0..k).map(|i| (0..t_count).filter(|&t| returns[t][i].is_finite()).map(|t| w[t]).sum()).collect();
    let lagged = |i: usize, j: usize, l: usize| (l..t_count).map(|t| y[t][i] * y[t - l][j]).sum::<f64>();
    let mut out = vec![vec![f64::NAN; k]; k];
    for i in 0..k {
        for j in i..k {
            if total[i] > 0.0 && total[j] > 0.0 {
                let mut m = lagged(i, j, 0);
                for l in 1..=lags.min(t_count.saturating_sub(1)) {
                    m += (1.0 - l as f64 / (lags as f64 + 1.0)) * (lagged(i, j, l) + lagged(j, i, l));
                }
                out[i][j] = m / (total[i] * total[j]).sqrt();
                out[j][i] = out[i][j];
            }
        }
    }
    out
}

/// The factor covariance at the last row of `returns`: volatilities from the moments with
/// half-life `vol`, correlations from those with half-life `cor`, cov = diag(σ)·ρ·diag(σ). A
/// factor without any return up to D has NaN in its row and column.
pub(crate) fn factor_covariance(returns: &[Vec<f64>], vol: f64, cor: f64, lags: usize) -> Vec<Vec<f64>> {
    combine(&moments(returns, vol, lags), &moments(returns, cor, lags))
}

/// cov = diag(σ)·ρ·diag(σ), σ from the moments `v`, ρ from the moments `c`.
#[allow(clippy::needless_range_loop)] // (i, j) index the matrix and the factors alike
fn combine(v: &[Vec<f64>], c: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = v.len();
    let sigma: Vec<f64> = (0..k).map(|i| if v[i][i].is_nan() { f64::NAN } else { v[i][i].max(0.0).sqrt() }).collect();
    let mut cov = vec![vec![f64::NAN; k]; k];
    for i in 0..k {
        for j in i..k {
            let rho = if i == j {
                1.0
            } else if c[i][i] > 0.0 && c[j][j] > 0.0 {
                c[i][j] / (c[i][i] * c[j][j]).sqrt()
            } else {
                0.0
            };
            // Written to both halves from one product: the matrix is exactly symmetric.
            cov[i][j] = sigma[i] * rho * sigma[j];
            cov[j][i] = cov[i][j];
        }
    }
    cov
}

/// [`moments`] kept up to date one model date at a time, in O(k² · lags) per date instead of
/// O(k² · lags · dates): when D moves on one date every weight, and so every lagged sum
/// Σ_t √(w_t w_t−l) f_i,t f_j,t−l, is multiplied by δ = 0.5^(1/half-life), and the new date adds
/// its own terms (weight 1, δ^(l/2) for lag l).
struct RunningMoments {
    decay: f64,
    lags: usize,
    /// Per lag l, Σ_t √(w_t w_t−l) f_i,t f_j,t−l (k × k).
    sums: Vec<Vec<Vec<f64>>>,
    /// Per factor, the sum of the weights of the dates it has a return.
    totals: Vec<f64>,
}

impl RunningMoments {
    fn new(k: usize, halflife: f64, lags: usize) -> Self {
        RunningMoments { decay: weight(1, halflife), lags, sums: vec![vec![vec![0.0; k]; k]; lags + 1], totals: vec![0.0; k] }
    }

    /// Moves D on to the newest row of `recent` (zero-filled returns, newest last).
    fn push(&mut self, recent: &[Vec<f64>], present: &[bool]) {
        let now = &recent[recent.len() - 1];
        for (l, sum) in self.sums.iter_mut().enumerate() {
            let lagged = recent.len().checked_sub(l + 1).map(|t| &recent[t]);
            let scale = self.decay.powf(l as f64 / 2.0);
            for (i, row) in sum.iter_mut().enumerate() {
                for (j, v) in row.iter_mut().enumerate() {
                    *v *= self.decay;
                    if let Some(before) = lagged {
                        *v += scale * now[i] * before[j];
                    }
                }
            }
        }
        for (t, &p) in self.totals.iter_mut().zip(present) {
            *t = *t * self.decay + if p { 1.0 } else { 0.0 };
        }
    }

    #[allow(clippy::needless_range_loop)] // (i, j) index the matrix and the factors alike
    fn moments(&self, dates: usize) -> Vec<Vec<f64>> {
        let k = self.totals.len();
        let mut out = vec![vec![f64::NAN; k]; k];
        for i in 0..k {
            for j in i..k {
                if self.totals[i] > 0.0 && self.totals[j] > 0.0 {
                    let mut m = self.sums[0][i][j];
                    for l in 1..=self.lags.min(dates.saturating_sub(1)) {
                        m += (1.0 - l as f64 / (self.lags as f64 + 1.0)) * (self.sums[l][i][j] + self.sums[l][j][i]);
                    }
                    out[i][j] = m / (self.totals[i] * self.totals[j]).sqrt();
                    out[j][i] = out[i][j];
                }
            }
        }
        out
    }
}

/// The factor covariance at every model date in turn, each equal (to rounding) to
/// [`factor_covariance`] of the returns up to that date.
pub(crate) struct CovarianceWalk {
    vol: RunningMoments,
    cor: RunningMoments,
    recent: Vec<Vec<f64>>,
    dates: usize,
}

impl CovarianceWalk {
    /// A walk over `k` factors with the model's half-lives and Newey–West lags.
    pub fn new(k: usize, vol: f64, cor: f64, lags: usize) -> Self {
        CovarianceWalk { vol: RunningMoments::new(k, vol, lags), cor: RunningMoments::new(k, cor, lags), recent: Vec::new(), dates: 0 }
    }

    /// Moves on to the next model date, whose factor returns are `returns` (NaN: none).
    pub fn push(&mut self, returns: &[f64]) {
        let present: Vec<bool> = returns.iter().map(|f| f.is_finite()).collect();
        self.recent.push(returns.iter().map(|&f| if f.is_finite() { f } else { 0.0 }).collect());
        if self.recent.len() > self.vol.lags + 1 {
            self.recent.remove(0);
        }
        self.vol.push(&self.recent, &present);
        self.cor.push(&self.recent, &present);
        self.dates += 1;
    }

    /// The covariance at the last date pushed.
    pub fn covariance(&self) -> Vec<Vec<f64>> {
        combine(&self.vol.moments(self.dates), &self.cor.moments(self.dates))
    }
}

/// One asset's exponentially weighted squared residuals up to D, accumulated date by date.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Specific {
    /// Σ w e² over the dates with a residual.
    pub weighted: f64,
    /// Σ w over those dates.
    pub weights: f64,
    /// How many residuals.
    pub count: u32,
}

impl Specific {
    /// Adds a residual `age` model dates before D.
    pub fn add(&mut self, residual: f64, age: usize, halflife: f64) {
        let w = weight(age, halflife);
        self.weighted += w * residual * residual;
        self.weights += w;
        self.count += 1;
    }

    /// Adds a residual some model dates after the last one added: the sums so far are decayed
    /// first by `decay`, the weight of those steps ([`weight`]`(steps, halflife)`), so that
    /// [`Specific::variance`] stays that of D, the residual's date (and of any later date: the
    /// ratio is the same).
    pub fn push(&mut self, residual: f64, decay: f64) {
        self.weighted = self.weighted * decay + residual * residual;
        self.weights = self.weights * decay + 1.0;
        self.count += 1;
    }

    /// The specific variance (daily).
    pub fn variance(&self) -> f64 {
        self.weighted / self.weights
    }
}

/// The fewest residuals a specific variance is estimated from; assets with fewer get the
/// estimation universe's cap-weighted median.
pub const MIN_RESIDUALS: u32 = 5;

/// The cap-weighted median of `values` (value, cap): the smallest value whose cumulative cap,
/// in increasing order of value, reaches half the total (negative caps count as 0). `None` when
/// there is no positive cap. Found by selection, in time linear in the count (the values are
/// reordered); a report over a year takes one a date over some 36,000 assets.
pub(crate) fn weighted_median(values: &mut [(f64, f64)]) -> Option<f64> {
    let cap = |v: &(f64, f64)| v.1.max(0.0);
    let by_value = |a: &(f64, f64), b: &(f64, f64)| a.0.total_cmp(&b.0);
    let total: f64 = values.iter().map(cap).sum();
    if total.is_nan() || total <= 0.0 {
        return None;
    }
    let half = 0.5 * total;
    // The median is in values[lo..hi]; everything before lo is no larger and caps `below`.
    let (mut lo, mut hi, mut below) = (0, values.len(), 0.0);
    while hi - lo > 32 {
        let (left, pivot, _) = values[lo..hi].select_nth_unstable_by((hi - lo) / 2, by_value);
        let (left_len, left_cap, pivot) = (left.len(), left.iter().map(cap).sum::<f64>(), *pivot);
        if below + left_cap >= half {
            hi = lo + left_len;
        } else if below + left_cap + cap(&pivot) >= half {
            return Some(pivot.0);
        } else {
            below += left_cap + cap(&pivot);
            lo += left_len + 1;
        }
    }
    let rest = &mut values[lo..hi];
    rest.sort_by(by_value);
    let mut cumulative = below;
    for v in rest.iter() {
        cumulative += cap(v);
        if cumulative >= half {
            return Some(v.0);
        }
    }
    // Rounding kept the sum short of half: the largest value left.
    rest.last().map(|v| v.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn covariance_without_lags_is_the_weighted_mean_of_outer_products() {
        let returns = vec![vec![0.01, -0.02], vec![0.03, 0.01], vec![-0.01, 0.02]];
        let h = 2.0;
        let w: Vec<f64> = (0..3).map(|t| weight(2 - t, h)).collect();
        let total: f64 = w.iter().sum();
        let m = |i: usize, j: usize| (0..3).map(|t| w[t] * returns[t][i] * returns[t][j]).sum::<f64>() / total;
        let cov = factor_covariance(&returns, h, h, 0);
        for i in 0..2 {
            for j in 0..2 {
                assert!((cov[i][j] - m(i, j)).abs() < 1e-15, "{i} {j}");
            }
        }
    }

    #[test]
    fn a_missing_return_leaves_its_date_out() {
        let returns = vec![vec![0.01, f64::NAN], vec![0.03, 0.01], vec![-0.01, 0.02]];
        let cov = factor_covariance(&returns, 3.0, 3.0, 0);
        let (w1, w2) = (weight(1, 3.0), weight(0, 3.0));
        let expected = (w1 * 0.01 * 0.01 + w2 * 0.02 * 0.02) / (w1 + w2);
        assert!((cov[1][1] - expected).abs() < 1e-15);
        // The covariance: normalised by the geometric mean of the two factors' weights.
        let w0 = weight(2, 3.0);
        let both = (w1 * 0.03 * 0.01 + w2 * -0.01 * 0.02) / ((w0 + w1 + w2) * (w1 + w2)).sqrt();
        assert!((cov[0][1] - both).abs() < 1e-15, "{} vs {both}", cov[0][1]);
        let never = factor_covariance(&[vec![0.01, f64::NAN]], 3.0, 3.0, 0);
        assert!(never[1][1].is_nan() && never[0][1].is_nan() && never[0][0] > 0.0);
    }

    #[test]
    fn the_walk_matches_the_covariance_at_every_date() {
        let mut returns: Vec<Vec<f64>> = Vec::new();
        for t in 0..40 {
            let x = t as f64;
            let third = if t % 7 == 3 { f64::NAN } else { (x * 0.37).cos() * 0.015 };
            returns.push(vec![(x * 0.9).sin() * 0.01, (x * 1.7).cos() * 0.02 - 0.003, third]);
        }
        for lags in [0, 2] {
            let mut walk = CovarianceWalk::new(3, 5.0, 11.0, lags);
            for t in 0..returns.len() {
                walk.push(&returns[t]);
                let (got, want) = (walk.covariance(), factor_covariance(&returns[..=t], 5.0, 11.0, lags));
                for i in 0..3 {
                    for j in 0..3 {
                        let (g, w) = (got[i][j], want[i][j]);
                        assert!((g - w).abs() <= 1e-13 * w.abs().max(1e-6), "lags {lags} date {t} ({i}, {j}): {g} vs {w}");
                    }
                }
            }
        }
    }

    #[test]
    fn medians_by_cap() {
        assert_eq!(weighted_median(&mut [(3.0, 1.0), (1.0, 1.0), (2.0, 10.0)]), Some(2.0));
        assert_eq!(weighted_median(&mut [(3.0, 10.0), (1.0, 1.0)]), Some(3.0));
        assert_eq!(weighted_median(&mut []), None);
        assert_eq!(weighted_median(&mut [(1.0, -1.0), (2.0, 0.0)]), None);
    }

    #[test]
    fn medians_by_selection_are_those_of_the_sorted_values() {
        let sorted_median = |values: &[(f64, f64)]| {
            let mut v = values.to_vec();
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            let total: f64 = v.iter().map(|x| x.1.max(0.0)).sum();
            let mut cumulative = 0.0;
            v.iter()
                .find(|x| {
                    cumulative += x.1.max(0.0);
                    cumulative >= 0.5 * total
                })
                .map(|x| x.0)
        };
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for n in [1, 2, 3, 33, 100, 1000, 5000] {
            for _ in 0..20 {
                // Few distinct values (ties) and caps of very different sizes, some zero.
                let mut values: Vec<(f64, f64)> =
                    (0..n).map(|_| ((next() * 40.0).floor(), if next() < 0.1 { 0.0 } else { next().powi(4) * 1e9 })).collect();
                values[0].1 = 1.0;
                let want = sorted_median(&values);
                assert_eq!(weighted_median(&mut values), want, "{n} values");
            }
        }
    }
}
