//! The risk of one portfolio at one date on a factor model, and its Euler decomposition.
//!
//! With exposures X (assets × factors), factor covariance F and specific variances s (daily), a
//! portfolio's weights w give its factor exposures b = Xᵀw, factor variance bᵀFb, specific
//! variance Σ wᵢ² sᵢ and total variance σ²_P, their sum. Each factor k contributes
//! X_k·σ_k·ρ_k = b_k (Fb)_k / σ_P (ρ_k, the correlation of the factor's return with the
//! portfolio's, is (Fb)_k / (σ_k σ_P)); a group contributes the sum of its factors; asset i
//! contributes wᵢ (xᵢᵀFb + wᵢ sᵢ) / σ_P. The factor contributions add up to the factor variance
//! over σ_P, and with the specific part's s = Σ w² s / σ_P to σ_P itself; the assets' add up to
//! σ_P too.

/// One date's model, as the decomposition needs it: every array daily.
pub(crate) struct ModelAt<'a> {
    /// The factor covariance, `k × k`.
    pub covariance: &'a [Vec<f64>],
    /// Each asset's exposures, `k` values (0 where it has none of a categorical factor).
    pub exposures: &'a [&'a [f64]],
    /// Each asset's specific variance.
    pub specific: &'a [f64],
    /// Each factor's group index (for the per-group sums).
    pub groups: &'a [usize],
    /// How many groups.
    pub group_count: usize,
}

/// One factor's (or one group's) part of the risk, daily units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Part {
    /// The portfolio's exposure (1 for a group: its volatility is that of its exposures together).
    pub exposure: f64,
    /// The volatility of the factor (of the group's exposure-weighted factors).
    pub volatility: f64,
    /// The correlation of the factor's (group's) return with the portfolio's.
    pub correlation: f64,
    /// exposure × volatility × correlation: its share of the portfolio's volatility.
    pub contribution: f64,
}

/// A portfolio's risk at one date, daily units (standard deviations; variances where named).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Risk {
    /// bᵀFb.
    pub factor_variance: f64,
    /// Σ wᵢ² sᵢ.
    pub specific_variance: f64,
    /// Their sum.
    pub total_variance: f64,
    /// Per factor.
    pub factors: Vec<Part>,
    /// Per group.
    pub groups: Vec<Part>,
    /// The specific part's contribution: specific variance / σ_P.
    pub specific_contribution: f64,
    /// Per asset, its contribution to the total volatility.
    pub assets: Vec<f64>,
}

/// The risk of weights `w` (one per asset of `model`).
pub(crate) fn decompose(model: &ModelAt<'_>, w: &[f64]) -> Risk {
    let k = model.covariance.len();
    let mut b = vec![0.0; k];
    for (x, &wi) in model.exposures.iter().zip(w) {
        for (bk, xk) in b.iter_mut().zip(x.iter()) {
            *bk += wi * xk;
        }
    }
    let fb: Vec<f64> = model.covariance.iter().map(|row| row.iter().zip(&b).map(|(f, b)| f * b).sum()).collect();
    let factor_variance: f64 = b.iter().zip(&fb).map(|(b, f)| b * f).sum();
    let specific_variance: f64 = w.iter().zip(model.specific).map(|(w, s)| w * w * s).sum();
    let total_variance = factor_variance + specific_variance;
    let sigma = total_variance.sqrt();
    let over = |v: f64| if sigma > 0.0 { v / sigma } else { 0.0 };
    let factors: Vec<Part> = (0..k)
        .map(|j| {
            let volatility = model.covariance[j][j].max(0.0).sqrt();
            let correlation = if volatility > 0.0 { over(fb[j]) / volatility } else { 0.0 };
            Part { exposure: b[j], volatility, correlation, contribution: over(b[j] * fb[j]) }
        })
        .collect();
    let groups = (0..model.group_count)
        .map(|g| {
            let members: Vec<usize> = (0..k).filter(|&j| model.groups[j] == g).collect();
            let variance: f64 = members.iter().map(|&i| members.iter().map(|&j| b[i] * model.covariance[i][j] * b[j]).sum::<f64>()).sum();
            let volatility = variance.max(0.0).sqrt();
            let with_portfolio: f64 = members.iter().map(|&j| b[j] * fb[j]).sum();
            let correlation = if volatility > 0.0 { over(with_portfolio) / volatility } else { 0.0 };
            Part { exposure: 1.0, volatility, correlation, contribution: over(with_portfolio) }
        })
        .collect();
    let assets = model
        .exposures
        .iter()
        .zip(w)
        .zip(model.specific)
        .map(|((x, &wi), &s)| over(wi * (x.iter().zip(&fb).map(|(x, f)| x * f).sum::<f64>() + wi * s)))
        .collect();
    Risk { factor_variance, specific_variance, total_variance, factors, groups, specific_contribution: over(specific_variance), assets }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Covariance, exposures, specific variances and factor groups.
    type Model = (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>, Vec<usize>);

    fn model() -> Model {
        // Market, one style, two industries; four assets.
        let f = vec![
            vec![1.0e-4, 2.0e-6, 1.0e-6, -1.0e-6],
            vec![2.0e-6, 4.0e-5, 3.0e-6, 0.0],
            vec![1.0e-6, 3.0e-6, 9.0e-5, -2.0e-5],
            vec![-1.0e-6, 0.0, -2.0e-5, 6.0e-5],
        ];
        let x = vec![vec![1.0, 0.5, 1.0, 0.0], vec![1.0, -1.2, 1.0, 0.0], vec![1.0, 0.3, 0.0, 1.0], vec![1.0, 2.0, 0.0, 1.0]];
        let s = vec![4.0e-4, 2.5e-4, 9.0e-4, 1.0e-4];
        (f, x, s, vec![0, 1, 2, 2])
    }

    #[test]
    fn the_contributions_add_up_to_the_volatility() {
        let (f, x, s, groups) = model();
        let x: Vec<&[f64]> = x.iter().map(Vec::as_slice).collect();
        let m = ModelAt { covariance: &f, exposures: &x, specific: &s, groups: &groups, group_count: 3 };
        let w = [0.4, 0.1, 0.3, 0.2];
        let r = decompose(&m, &w);
        let sigma = r.total_variance.sqrt();
        let factors: f64 = r.factors.iter().map(|p| p.contribution).sum();
        assert!((factors + r.specific_contribution - sigma).abs() < 1e-12 * sigma.max(1.0));
        let groups: f64 = r.groups.iter().map(|p| p.contribution).sum();
        assert!((groups - factors).abs() < 1e-15);
        assert!((r.assets.iter().sum::<f64>() - sigma).abs() < 1e-12);
        // Each factor's contribution is X·σ·ρ.
        for p in r.factors.iter().chain(&r.groups) {
            assert!((p.exposure * p.volatility * p.correlation - p.contribution).abs() < 1e-15);
        }
        // By hand: b = Xᵀw, factor variance bᵀFb, specific Σ w² s.
        let b = [1.0, 0.4 * 0.5 - 0.1 * 1.2 + 0.3 * 0.3 + 0.2 * 2.0, 0.5, 0.5];
        let fv: f64 = (0..4).map(|i| (0..4).map(|j| b[i] * f[i][j] * b[j]).sum::<f64>()).sum();
        assert!((r.factor_variance - fv).abs() < 1e-18);
        let sv = 0.16 * 4.0e-4 + 0.01 * 2.5e-4 + 0.09 * 9.0e-4 + 0.04 * 1.0e-4;
        assert!((r.specific_variance - sv).abs() < 1e-18);
    }

    #[test]
    fn no_position_has_no_risk() {
        let (f, x, s, groups) = model();
        let x: Vec<&[f64]> = x.iter().map(Vec::as_slice).collect();
        let m = ModelAt { covariance: &f, exposures: &x, specific: &s, groups: &groups, group_count: 3 };
        let r = decompose(&m, &[0.0; 4]);
        assert_eq!(r.total_variance, 0.0);
        assert!(r.assets.iter().chain(r.factors.iter().map(|p| &p.contribution)).all(|&c| c == 0.0));
    }
}
