"""An independent computation of a Riskdesk risk model, for cli/tests/riskmodels.rs.

Reads, from the folder given as the only argument:
  exposures.csv        `riskdesk exposures get --industry all --region all` (standardized styles, 0/1 columns)
  returns.csv, market_caps.csv   the reference's series (date, asset_id, value)
  settings.json        the model's settings
  fret.csv, t_stats.csv, p_values.csv, r2.csv, sigma2.csv   Riskdesk's frames
  covariance.csv, specific_risk.csv   Riskdesk's forecasts at the last model date

and recomputes everything from the README's conventions: one statsmodels WLS per date on the
design with each categorical group's zero-sum constraint removed by a change of variables (the
*first* present member written as minus the others, where Riskdesk eliminates the largest), the
covariance and the specific variances with NumPy. Prints one JSON object of the largest
differences (and counts, so that a test can see something was compared).
"""

import json
import sys

import numpy as np
import polars as pl
import statsmodels.api as sm
from scipy import stats

folder = sys.argv[1]
settings = json.load(open(f"{folder}/settings.json"))
low, high = settings.get("return_clip_bounds", [-0.1, 0.1])
weights_kind = settings.get("weights", "SqrtCap")
constraints = settings.get("zero_sum_constraints", {})
hl_vol = settings.get("halflife_factor_vol", 42.0)
hl_cor = settings.get("halflife_factor_cor", 126.0)
hl_idio = settings.get("halflife_idio_vol", 42.0)
lags = settings.get("nw_lags", 0)
thin = settings.get("thin_category_shrinkage", {})

exposures = pl.read_csv(f"{folder}/exposures.csv", infer_schema_length=0)
id_col = exposures.columns[1]
factor_cols = exposures.columns[2:]
# Stored as 32-bit floats: read each value as the float32 its shortest text stands for.
exposures = exposures.with_columns([pl.col(c).cast(pl.Float32).cast(pl.Float64) for c in factor_cols])
returns = pl.read_csv(f"{folder}/returns.csv").rename({"return": "ret"})
caps = pl.read_csv(f"{folder}/market_caps.csv")
ours = {name: pl.read_csv(f"{folder}/{name}.csv", infer_schema_length=0) for name in ["fret", "t_stats", "p_values", "r2", "sigma2"]}


def groups_of(columns):
    """Numeric columns, then each categorical group's columns (industry, region)."""
    numeric = [c for c in columns if c.split(".")[0] in ("market", "style", "other")]
    cats = {}
    for c in columns:
        role, group = c.split(".")[0], c.split(".")[1]
        if role in ("industry", "region"):
            cats.setdefault(group, []).append(c)
    return numeric, cats


numeric, cats = groups_of(factor_cols)
labels = numeric + [c for g in cats.values() for c in g]
dates = sorted(exposures["date"].unique().to_list())

diff = {"fret": 0.0, "se": 0.0, "t": 0.0, "p": 0.0, "r2": 0.0, "sigma2": 0.0, "constraint": 0.0}
compared_dates = 0
compared_values = 0
our_fret_rows = {r["date"]: r for r in ours["fret"].iter_rows(named=True)}
rows_of = {name: {r["date"]: r for r in frame.iter_rows(named=True)} for name, frame in ours.items()}
peer_fret = {}
residuals = {}  # date -> {asset: residual}
universe_caps = {}  # date -> {asset: cap} of the estimation universe


def num(v):
    return float("nan") if v is None or v == "" else float(v)


for prev, cur in zip(dates, dates[1:]):
    x = exposures.filter(pl.col("date") == prev)
    x = x.join(caps.filter(pl.col("date") == prev).select(["asset_id", "market_cap"]), left_on=id_col, right_on="asset_id", how="left")
    x = x.join(returns.filter(pl.col("date") == cur).select(["asset_id", "ret"]), left_on=id_col, right_on="asset_id", how="left")
    eligible = x.filter(pl.all_horizontal([pl.col(c).is_not_null() for c in numeric]) & pl.col("ret").is_not_null())
    u = eligible.filter(pl.col("market_cap").is_not_null() & (pl.col("market_cap") > 0))
    if u.height == 0:
        continue
    cap = u["market_cap"].to_numpy()
    y = np.clip(u["ret"].to_numpy(), -np.inf if low is None else low, np.inf if high is None else high)
    w = np.sqrt(cap) if weights_kind == "SqrtCap" else np.ones(len(cap))
    present = numeric + [c for g in cats.values() for c in g if u[c].sum() > 0]
    B = u.select(present).to_numpy()
    # f = R g: in each constrained group the first present member is minus the others, weighted.
    eliminated = {}
    for group, cols in cats.items():
        members = [c for c in cols if c in present]
        kind = constraints.get(group, "mcap_weighted")
        if kind == "none" or not members:
            continue
        coef = {c: (cap[u[c].to_numpy() == 1].sum() if kind == "mcap_weighted" else 1.0) for c in members}
        first = members[0]
        eliminated[first] = [(c, -coef[c] / coef[first]) for c in members[1:]]
    free = [c for c in present if c not in eliminated]
    R = np.zeros((len(present), len(free)))
    for i, c in enumerate(present):
        if c in eliminated:
            for other, k in eliminated[c]:
                R[i, free.index(other)] = k
        else:
            R[i, free.index(c)] = 1.0
    fit = sm.WLS(y, B @ R, weights=w).fit()
    if thin:
        # Thin members: a pseudo-observation each (its factor 1, return 0) weighing
        # (threshold - n_eff) times the mean regression weight, n_eff = (sum w)^2 / sum w^2.
        rows, weights = [], []
        for group, cols in cats.items():
            if group not in thin:
                continue
            for c in cols:
                if c not in present:
                    continue
                wk = w[u[c].to_numpy() == 1]
                n_eff = wk.sum() ** 2 / (wk**2).sum()
                if n_eff < thin[group]:
                    e = np.zeros(len(present))
                    e[present.index(c)] = 1.0
                    rows.append(e)
                    weights.append((thin[group] - n_eff) * w.mean())
        if rows:
            aug = sm.WLS(np.concatenate([y, np.zeros(len(rows))]), np.vstack([B, np.array(rows)]) @ R, weights=np.concatenate([w, weights])).fit()
            diff["shrunk_members"] = diff.get("shrunk_members", 0) + len(rows)
            fit = aug
    f = R @ fit.params
    cov = R @ fit.cov_params() @ R.T
    se = np.sqrt(np.diag(cov))
    t = f / se
    p = 2 * stats.t.sf(np.abs(t), fit.df_resid)
    compared_dates += 1
    row = {name: rows_of[name][cur] for name in rows_of}
    peer_fret[cur] = {c: f[present.index(c)] if c in present else float("nan") for c in labels}
    for i, c in enumerate(present):
        checks = [("fret", "fret", f[i])] if thin else [("fret", "fret", f[i]), ("t", "t_stats", t[i]), ("p", "p_values", p[i])]
        for key, ours_name, value in checks:
            diff[key] = max(diff[key], abs(num(row[ours_name][c]) - value))
            compared_values += 1
    for c in labels:
        if c not in present and row["fret"][c] not in (None, ""):
            diff["fret"] = float("inf")  # a member without assets must have no return
    if not thin:
        diff["r2"] = max(diff["r2"], abs(num(row["r2"]["r2"]) - fit.rsquared))
        diff["sigma2"] = max(diff["sigma2"], abs(num(row["sigma2"]["sigma2"]) - fit.scale) / fit.scale)
    for group, cols in cats.items():
        members = [c for c in cols if c in present]
        kind = constraints.get(group, "mcap_weighted")
        if kind != "none" and members:
            coef = np.array([cap[u[c].to_numpy() == 1].sum() if kind == "mcap_weighted" else 1.0 for c in members])
            total = sum(coef[j] * num(row["fret"][c]) for j, c in enumerate(members))
            diff["constraint"] = max(diff["constraint"], abs(total) / coef.sum())
    # Residuals of every eligible asset, from the same clipped returns.
    E = eligible.select(present).to_numpy()
    ye = np.clip(eligible["ret"].to_numpy(), -np.inf if low is None else low, np.inf if high is None else high)
    e = ye - E @ f
    absent = [c for g in cats.values() for c in g if c not in present]
    keep = np.ones(eligible.height, dtype=bool)
    for c in absent:
        keep &= eligible[c].to_numpy() != 1
    residuals[cur] = dict(zip(eligible[id_col].to_list(), np.where(keep, e, np.nan)))
    universe_caps[cur] = dict(zip(u[id_col].to_list(), cap))

# The covariance at the last model date, from Riskdesk's own factor returns.
model_dates = sorted(our_fret_rows)
F = np.array([[num(our_fret_rows[d][c]) for c in labels] for d in model_dates])
T = len(model_dates)


def moments(h):
    """Bartlett-weighted sums of outer products of y_t = sqrt(w_t) f_t (0 where missing), each
    entry divided by sqrt(W_i W_j), W_i the weights of the dates factor i has."""
    age_w = 0.5 ** (np.arange(T - 1, -1, -1) / h)
    present = np.isfinite(F)
    Y = np.where(present, F, 0.0) * np.sqrt(age_w)[:, None]
    M = Y.T @ Y
    for lag in range(1, min(lags, T - 1) + 1):
        G = Y[lag:].T @ Y[: T - lag]
        M += (1 - lag / (lags + 1)) * (G + G.T)
    W = (present * age_w[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        M = M / np.sqrt(np.outer(W, W))
    M[W == 0, :] = np.nan
    M[:, W == 0] = np.nan
    return M


V, C = moments(hl_vol), moments(hl_cor)
sigma = np.sqrt(np.clip(np.diag(V), 0, None))
with np.errstate(invalid="ignore", divide="ignore"):
    rho = C / np.sqrt(np.outer(np.diag(C), np.diag(C)))
rho[np.isfinite(C) & ~np.isfinite(rho)] = 0.0
np.fill_diagonal(rho, 1.0)
peer_cov = np.outer(sigma, sigma) * rho
our_cov_frame = pl.read_csv(f"{folder}/covariance.csv", infer_schema_length=0)
our_cov = np.array([[num(v) for v in r[1:]] for r in our_cov_frame.iter_rows()])
both = np.isfinite(peer_cov) & np.isfinite(our_cov)
scale = np.nanmax(np.abs(peer_cov))
diff["covariance"] = float(np.nanmax(np.abs(peer_cov[both] - our_cov[both])) / scale)
diff["covariance_nan_mismatch"] = int((np.isfinite(peer_cov) != np.isfinite(our_cov)).sum())
finite = np.isfinite(our_cov).all(axis=1)
sub = our_cov[np.ix_(finite, finite)]
eig = np.linalg.eigvalsh(sub)
diff["covariance_min_eigenvalue"] = float(eig.min() / eig.max())
diff["covariance_asymmetry"] = float(np.abs(sub - sub.T).max())

# Specific variances at the last model date.
last = model_dates[-1]
ages = {d: len(model_dates) - 1 - i for i, d in enumerate(model_dates)}
acc = {}
for d, per_asset in residuals.items():
    wgt = 0.5 ** (ages[d] / hl_idio)
    for a, e in per_asset.items():
        if np.isfinite(e):
            s = acc.setdefault(a, [0.0, 0.0, 0])
            s[0] += wgt * e * e
            s[1] += wgt
            s[2] += 1
pool = [(acc[a][0] / acc[a][1], c) for a, c in universe_caps[last].items() if a in acc and acc[a][2] >= 5]
if not pool:
    pool = [(acc[a][0] / acc[a][1], c) for a, c in universe_caps[last].items() if a in acc]
pool.sort()
total = sum(c for _, c in pool)
cum, median = 0.0, None
for v, c in pool:
    cum += c
    if cum >= 0.5 * total:
        median = v
        break
our_spec = pl.read_csv(f"{folder}/specific_risk.csv", infer_schema_length=0)
spec_diff, filled, mismatched = 0.0, 0, 0
ids = set()
for r in our_spec.iter_rows(named=True):
    a = r[our_spec.columns[0]]
    ids.add(a)
    n = acc[a][2]
    expected = acc[a][0] / acc[a][1] if n >= 5 else median
    filled += n < 5
    if int(r["residuals"]) != n or (r["filled"] == "true") != (n < 5):
        mismatched += 1
    # Relative, but not to a variance near 0 (an asset alone in a region fits exactly).
    spec_diff = max(spec_diff, abs(num(r["specific_var"]) - expected) / max(expected, 1e-6))
mismatched += len(set(acc) ^ ids)
diff["specific_var"] = spec_diff
diff["specific_rows_mismatched"] = mismatched
diff["specific_filled"] = filled
diff["specific_rows"] = len(ids)
diff["dates"] = compared_dates
diff["values"] = compared_values
print(json.dumps(diff))
