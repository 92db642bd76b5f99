//! One date's cross-sectional regression: weighted least squares of the assets' returns on their
//! exposures, with a zero-sum constraint per categorical group, and its statistics.
//!
//! The normal equations are assembled block by block, never from an n × k design: the numeric
//! factors' block is one dense product (faer), and each industry and region adds its assets'
//! weights to its own cells (one-hot columns: a group's own block is diagonal). Constraints are
//! removed by a change of variables: in each constrained group one member (the largest by its
//! constraint coefficient) is written as minus the others, f = R g; the reduced system
//! RᵀAR g = Rᵀb is solved by Cholesky (faer), and the covariance of f is σ² R (RᵀAR)⁻¹ Rᵀ, which
//! does not depend on the member chosen.

use faer::linalg::solvers::{DenseSolveCore, Solve};
use faer::{Mat, Side};
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::settings::ZeroSum;

/// An asset's member when it has none in a group.
pub(crate) const NO_MEMBER: u16 = u16::MAX;

/// A categorical factor group on one date.
pub(crate) struct Group<'a> {
    /// Each row's member (index into the group's factors), or [`NO_MEMBER`].
    pub members: &'a [u16],
    /// The group's number of factors.
    pub count: usize,
    /// Its zero-sum constraint.
    pub constraint: ZeroSum,
    /// The minimum effective number of assets below which a member is shrunk toward 0.
    pub shrinkage: Option<f64>,
}

/// One date's regression inputs, one entry per row (asset).
pub(crate) struct CrossSection<'a> {
    /// Per numeric factor (market, styles, others), each row's exposure.
    pub numeric: &'a [Vec<f64>],
    /// The categorical groups (industry, region).
    pub groups: &'a [Group<'a>],
    /// Each row's regression weight.
    pub weights: &'a [f64],
    /// Each row's market cap (the coefficients of `mcap_weighted` constraints).
    pub caps: &'a [f64],
    /// Each row's (clipped) return.
    pub returns: &'a [f64],
}

/// One date's estimates. Factors are the numeric ones, then each group's members in order; a
/// member without an asset has NaN everywhere.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fit {
    /// The factor returns.
    pub factor_returns: Vec<f64>,
    /// Their standard errors.
    pub std_errors: Vec<f64>,
    /// Their t-statistics.
    pub t_stats: Vec<f64>,
    /// Their two-sided p-values (Student t with n − p degrees of freedom).
    pub p_values: Vec<f64>,
    /// The weighted, centred R² (NaN when the returns do not vary).
    pub r2: f64,
    /// The weighted residual variance Σ w e² / (n − p).
    pub sigma2: f64,
    /// Each row's residual return: its return minus the fitted one.
    pub residuals: Vec<f64>,
}

/// Fits one date. Fails, saying why, when there are no more rows than free parameters or the
/// exposures are collinear.
pub(crate) fn fit(x: &CrossSection<'_>) -> Result<Fit, String> {
    let n = x.returns.len();
    let q = x.numeric.len();
    let offsets: Vec<usize> = x.groups.iter().scan(q, |o, g| Some(std::mem::replace(o, *o + g.count))).collect();
    let k = q + x.groups.iter().map(|g| g.count).sum::<usize>();

    // Per member: assets, Σ w, Σ w², Σ cap.
    let mut assets = vec![0usize; k];
    let (mut wsum, mut w2sum, mut capsum) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    for (g, o) in x.groups.iter().zip(&offsets) {
        for (i, &m) in g.members.iter().enumerate() {
            if m != NO_MEMBER {
                let j = o + m as usize;
                assets[j] += 1;
                wsum[j] += x.weights[i];
                w2sum[j] += x.weights[i] * x.weights[i];
                capsum[j] += x.caps[i];
            }
        }
    }
    let present: Vec<bool> = (0..k).map(|j| j < q || assets[j] > 0).collect();

    // The normal equations A f = b.
    let sqrt_w: Vec<f64> = x.weights.iter().map(|w| w.sqrt()).collect();
    let xs = Mat::<f64>::from_fn(n, q, |i, a| sqrt_w[i] * x.numeric[a][i]);
    let ys = Mat::<f64>::from_fn(n, 1, |i, _| sqrt_w[i] * x.returns[i]);
    let numeric_block = xs.transpose() * &xs;
    let numeric_rhs = xs.transpose() * &ys;
    let mut a = Mat::<f64>::zeros(k, k);
    let mut b = vec![0.0; k];
    for i in 0..q {
        b[i] = numeric_rhs[(i, 0)];
        for j in 0..q {
            a[(i, j)] = numeric_block[(i, j)];
        }
    }
    let mut cells: Vec<usize> = Vec::with_capacity(x.groups.len());
    for i in 0..n {
        cells.clear();
        cells.extend(x.groups.iter().zip(&offsets).filter(|(g, _)| g.members[i] != NO_MEMBER).map(|(g, o)| o + g.members[i] as usize));
        let (w, y) = (x.weights[i], x.returns[i]);
        for &j in &cells {
            b[j] += w * y;
            for (c, col) in x.numeric.iter().enumerate() {
                a[(c, j)] += w * col[i];
            }
            for &l in &cells {
                a[(j, l)] += w;
            }
        }
    }
    for i in 0..q {
        for j in q..k {
            a[(j, i)] = a[(i, j)];
        }
    }
    // Thin members: as if (threshold − n_eff) assets of average weight with a zero return joined.
    let mean_weight = x.weights.iter().sum::<f64>() / n.max(1) as f64;
    for (g, o) in x.groups.iter().zip(&offsets) {
        let Some(threshold) = g.shrinkage else { continue };
        for j in *o..o + g.count {
            if present[j] {
                let n_eff = wsum[j] * wsum[j] / w2sum[j];
                if n_eff < threshold {
                    a[(j, j)] += (threshold - n_eff) * mean_weight;
                }
            }
        }
    }

    // f = R g: the free parameters are the present ones but one member per constrained group.
    let mut column = vec![usize::MAX; k];
    let mut eliminated: Vec<(usize, Vec<(usize, f64)>)> = Vec::new();
    for (g, o) in x.groups.iter().zip(&offsets) {
        let members: Vec<usize> = (*o..o + g.count).filter(|&j| present[j]).collect();
        let coefficient = |j: usize| match g.constraint {
            ZeroSum::McapWeighted => capsum[j],
            _ => 1.0,
        };
        if g.constraint == ZeroSum::None || members.is_empty() {
            continue;
        }
        let e = members.iter().copied().fold(members[0], |best, j| if coefficient(j) > coefficient(best) { j } else { best });
        if coefficient(e) <= 0.0 {
            return Err("the market caps of a constrained group's members are all zero".into());
        }
        eliminated.push((e, members.iter().filter(|&&j| j != e).map(|&j| (j, -coefficient(j) / coefficient(e))).collect()));
        column[e] = usize::MAX - 1;
    }
    let mut p = 0;
    for j in 0..k {
        if present[j] && column[j] == usize::MAX {
            column[j] = p;
            p += 1;
        }
    }
    let mut r = Mat::<f64>::zeros(k, p);
    for j in 0..k {
        if column[j] < p {
            r[(j, column[j])] = 1.0;
        }
    }
    for (e, others) in &eliminated {
        for &(j, c) in others {
            r[(*e, column[j])] = c;
        }
    }
    if n <= p {
        return Err(format!("{n} assets are too few for {p} free factor returns"));
    }

    let reduced = r.transpose() * &a * &r;
    let rhs = r.transpose() * Mat::<f64>::from_fn(k, 1, |j, _| b[j]);
    check_rank(&reduced)?;
    let llt = reduced.llt(Side::Lower).map_err(|_| collinear())?;
    let g = llt.solve(&rhs);
    let f_mat = &r * &g;
    let f: Vec<f64> = (0..k).map(|j| if present[j] { f_mat[(j, 0)] } else { f64::NAN }).collect();

    // Residuals, R², σ².
    let mut residuals = x.returns.to_vec();
    for (c, col) in x.numeric.iter().enumerate() {
        for (e, v) in residuals.iter_mut().zip(col) {
            *e -= f[c] * v;
        }
    }
    for (g, o) in x.groups.iter().zip(&offsets) {
        for (e, &m) in residuals.iter_mut().zip(g.members) {
            if m != NO_MEMBER {
                *e -= f[o + m as usize];
            }
        }
    }
    let total_weight: f64 = x.weights.iter().sum();
    let mean = x.weights.iter().zip(x.returns).map(|(w, y)| w * y).sum::<f64>() / total_weight;
    let tss: f64 = x.weights.iter().zip(x.returns).map(|(w, y)| w * (y - mean) * (y - mean)).sum();
    let ssr: f64 = x.weights.iter().zip(&residuals).map(|(w, e)| w * e * e).sum();
    let df = (n - p) as f64;
    let sigma2 = ssr / df;
    let r2 = if tss > 0.0 { 1.0 - ssr / tss } else { f64::NAN };

    // Var f = σ² R (RᵀAR)⁻¹ Rᵀ, its diagonal only.
    let m = &r * llt.inverse();
    let t_dist = StudentsT::new(0.0, 1.0, df).map_err(|e| e.to_string())?;
    let mut std_errors = vec![f64::NAN; k];
    let mut t_stats = vec![f64::NAN; k];
    let mut p_values = vec![f64::NAN; k];
    for j in (0..k).filter(|&j| present[j]) {
        let var: f64 = (0..p).map(|c| m[(j, c)] * r[(j, c)]).sum::<f64>() * sigma2;
        std_errors[j] = var.max(0.0).sqrt();
        t_stats[j] = f[j] / std_errors[j];
        p_values[j] = if t_stats[j].is_nan() { f64::NAN } else { 2.0 * t_dist.sf(t_stats[j].abs()) };
    }
    Ok(Fit { factor_returns: f, std_errors, t_stats, p_values, r2, sigma2, residuals })
}

fn collinear() -> String {
    "the exposures are collinear (a factor without variation, or a categorical group without a zero-sum constraint \
     beside the market factor or another unconstrained group)"
        .into()
}

/// Refuses a (numerically) singular normal matrix: the smallest eigenvalue of its correlation
/// form below 1e-10.
fn check_rank(a: &Mat<f64>) -> Result<(), String> {
    let p = a.nrows();
    let d: Vec<f64> = (0..p).map(|i| a[(i, i)]).collect();
    if d.iter().any(|&v| v.is_nan() || v <= 0.0) {
        return Err(collinear());
    }
    let scaled = Mat::<f64>::from_fn(p, p, |i, j| a[(i, j)] / (d[i] * d[j]).sqrt());
    let eigen = scaled.self_adjoint_eigenvalues(Side::Lower).map_err(|_| collinear())?;
    match eigen.first() {
        Some(&smallest) if smallest < 1e-10 => Err(collinear()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{mix, normal, unit};

    /// The `i`-th standard normal number of the tests.
    fn draw(i: u64) -> f64 {
        normal(i, |h| unit(mix(h ^ 0x5EED)))
    }

    /// A market, two styles, four industries (the last without assets) and two regions.
    struct Data {
        numeric: Vec<Vec<f64>>,
        industry: Vec<u16>,
        region: Vec<u16>,
        weights: Vec<f64>,
        caps: Vec<f64>,
        returns: Vec<f64>,
    }

    fn data(n: usize, truth: &[f64]) -> Data {
        let mut numeric = vec![vec![1.0; n], Vec::new(), Vec::new()];
        for (c, column) in numeric.iter_mut().enumerate().skip(1) {
            *column = (0..n).map(|i| draw((c * n + i) as u64)).collect();
        }
        let industry: Vec<u16> = (0..n).map(|i| (i % 3) as u16).collect();
        let region: Vec<u16> = (0..n).map(|i| (i % 2) as u16).collect();
        let caps: Vec<f64> = (0..n).map(|i| (draw((3 * n + i) as u64) * 0.5 + 8.0).exp()).collect();
        let weights = caps.iter().map(|c| c.sqrt()).collect();
        let returns = (0..n)
            .map(|i| {
                truth[0]
                    + truth[1] * numeric[1][i]
                    + truth[2] * numeric[2][i]
                    + truth[3 + industry[i] as usize]
                    + truth[7 + region[i] as usize]
            })
            .collect();
        Data { numeric, industry, region, weights, caps, returns }
    }

    fn fit_of(d: &Data, constraint: ZeroSum) -> Result<Fit, String> {
        let groups = [
            Group { members: &d.industry, count: 4, constraint, shrinkage: None },
            Group { members: &d.region, count: 2, constraint, shrinkage: None },
        ];
        fit(&CrossSection { numeric: &d.numeric, groups: &groups, weights: &d.weights, caps: &d.caps, returns: &d.returns })
    }

    #[test]
    fn exact_returns_are_recovered_and_the_constraints_hold() {
        let n = 300;
        let caps = data(n, &[0.0; 9]).caps;
        let cap_of = |member: usize, of: usize| (0..n).filter(|i| i % of == member).map(|i| caps[i]).sum::<f64>();
        // Industry returns that sum to 0 by cap; region returns too.
        let (c0, c1, c2) = (cap_of(0, 3), cap_of(1, 3), cap_of(2, 3));
        let (r0, r1) = (cap_of(0, 2), cap_of(1, 2));
        let truth = [0.01, 0.002, -0.003, 0.004, -0.001, -(0.004 * c0 - 0.001 * c1) / c2, 0.0, 0.0005, -0.0005 * r0 / r1];
        let d = data(n, &truth);
        let f = fit_of(&d, ZeroSum::McapWeighted).unwrap();
        for j in [0, 1, 2, 3, 4, 5, 7, 8] {
            assert!((f.factor_returns[j] - truth[j]).abs() < 1e-12, "{j}: {} vs {}", f.factor_returns[j], truth[j]);
        }
        assert!(f.factor_returns[6].is_nan(), "a member without assets has no return");
        assert!(f.residuals.iter().all(|e| e.abs() < 1e-12));
        assert!((f.r2 - 1.0).abs() < 1e-12);
        let industry_sum = c0 * f.factor_returns[3] + c1 * f.factor_returns[4] + c2 * f.factor_returns[5];
        assert!(industry_sum.abs() < 1e-10 * c0, "{industry_sum}");
        // Equal-weight constraints: the members' returns sum to 0 instead.
        let f = fit_of(&d, ZeroSum::EqualWeights).unwrap();
        assert!((f.factor_returns[3] + f.factor_returns[4] + f.factor_returns[5]).abs() < 1e-12);
        assert!((f.factor_returns[7] + f.factor_returns[8]).abs() < 1e-12);
    }

    #[test]
    fn zero_returns_give_zero_factor_returns() {
        let mut d = data(200, &[0.0; 9]);
        d.returns.iter_mut().for_each(|r| *r = 0.0);
        let f = fit_of(&d, ZeroSum::McapWeighted).unwrap();
        assert!(f.factor_returns.iter().filter(|v| !v.is_nan()).all(|&v| v == 0.0));
        assert!(f.r2.is_nan());
    }

    #[test]
    fn an_unconstrained_group_beside_the_market_is_refused() {
        let d = data(200, &[0.01, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let e = fit_of(&d, ZeroSum::None).unwrap_err();
        assert!(e.contains("collinear"), "{e}");
        let few = Data { numeric: d.numeric.iter().map(|c| c[..5].to_vec()).collect(), ..data(5, &[0.0; 9]) };
        assert!(fit_of(&few, ZeroSum::McapWeighted).unwrap_err().contains("too few"));
    }

    #[test]
    fn thin_members_are_shrunk_toward_zero() {
        let truth = [0.0, 0.0, 0.0, 0.02, -0.01, -0.01, 0.0, 0.0, 0.0];
        let d = data(90, &truth);
        let plain = fit_of(&d, ZeroSum::EqualWeights).unwrap();
        let groups = [
            Group { members: &d.industry, count: 4, constraint: ZeroSum::EqualWeights, shrinkage: Some(1000.0) },
            Group { members: &d.region, count: 2, constraint: ZeroSum::EqualWeights, shrinkage: None },
        ];
        let shrunk =
            fit(&CrossSection { numeric: &d.numeric, groups: &groups, weights: &d.weights, caps: &d.caps, returns: &d.returns }).unwrap();
        assert!(shrunk.factor_returns[3].abs() < plain.factor_returns[3].abs() * 0.5);
        assert!((shrunk.factor_returns[3] + shrunk.factor_returns[4] + shrunk.factor_returns[5]).abs() < 1e-12);
    }
}
