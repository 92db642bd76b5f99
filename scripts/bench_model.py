"""The statsmodels peer of scripts/bench_model: the same risk model as `riskmodels create` with the
default settings (sqrt-cap weights, cap-weighted zero-sum constraints, returns clipped to +-10%),
one statsmodels WLS per date on the design with the constraints removed by a change of variables,
then the covariance and the specific variances at the last date with NumPy.

Usage: bench_model.py EXPOSURES.parquet REFERENCE_DIR
  EXPOSURES.parquet  `riskdesk exposures get --industry all --region all --format parquet`
  REFERENCE_DIR      `riskdesk demo reference` (returns.csv, market_caps.csv)
"""

import sys

import numpy as np
import polars as pl
import statsmodels.api as sm

exposures_path, reference = sys.argv[1], sys.argv[2]
x_all = pl.read_parquet(exposures_path)
id_col = x_all.columns[1]
cols = x_all.columns[2:]
numeric = [c for c in cols if c.split(".")[0] in ("market", "style", "other")]
groups = {}
for c in cols:
    if c.split(".")[0] in ("industry", "region"):
        groups.setdefault(c.split(".")[1], []).append(c)
returns = pl.read_csv(f"{reference}/returns.csv", try_parse_dates=True).rename({"return": "ret"})
caps = pl.read_csv(f"{reference}/market_caps.csv", try_parse_dates=True)
dates = sorted(x_all["date"].unique().to_list())
by_date_x = x_all.partition_by("date", as_dict=True)
by_date_r = returns.partition_by("date", as_dict=True)
by_date_c = caps.partition_by("date", as_dict=True)

fret, residuals, universe_caps = [], [], []
for prev, cur in zip(dates, dates[1:]):
    x = by_date_x[(prev,)].join(by_date_c[(prev,)].select(["asset_id", "market_cap"]), left_on=id_col, right_on="asset_id", how="left")
    x = x.join(by_date_r[(cur,)].select(["asset_id", "ret"]), left_on=id_col, right_on="asset_id", how="left")
    eligible = x.filter(pl.all_horizontal([pl.col(c).is_not_null() for c in numeric]) & pl.col("ret").is_not_null())
    u = eligible.filter(pl.col("market_cap") > 0)
    cap = u["market_cap"].to_numpy()
    present = numeric + [c for g in groups.values() for c in g if u[c].sum() > 0]
    B = u.select(present).to_numpy().astype(np.float64)
    eliminated = {}
    for g in groups.values():
        members = [c for c in g if c in present]
        coef = np.array([cap[u[c].to_numpy() == 1].sum() for c in members])
        eliminated[members[0]] = list(zip(members[1:], -coef[1:] / coef[0]))
    free = {c: j for j, c in enumerate(c for c in present if c not in eliminated)}
    R = np.zeros((len(present), len(free)))
    for i, c in enumerate(present):
        for other, k in eliminated.get(c, [(c, 1.0)]):
            R[i, free[other]] = k
    y = np.clip(u["ret"].to_numpy(), -0.1, 0.1)
    fit = sm.WLS(y, B @ R, weights=np.sqrt(cap)).fit()
    f = R @ fit.params
    _ = np.sqrt(np.diag(R @ fit.cov_params() @ R.T))  # standard errors, as the model stores them
    full = dict(zip(present, f))
    fret.append([full.get(c, np.nan) for c in numeric + [c for g in groups.values() for c in g]])
    E = eligible.select(present).to_numpy().astype(np.float64)
    residuals.append(dict(zip(eligible[id_col].to_list(), np.clip(eligible["ret"].to_numpy(), -0.1, 0.1) - E @ f)))
    universe_caps.append(dict(zip(u[id_col].to_list(), cap)))

# The covariance at the last date (vol 42, cor 126) and the specific variances (42).
F = np.array(fret)
T = len(F)


def moments(h):
    w = 0.5 ** (np.arange(T - 1, -1, -1) / h)
    ok = np.isfinite(F)
    Y = np.where(ok, F, 0.0) * np.sqrt(w)[:, None]
    W = (ok * w[:, None]).sum(axis=0)
    return (Y.T @ Y) / np.sqrt(np.outer(W, W))


V, C = moments(42.0), moments(126.0)
s = np.sqrt(np.diag(V))
cov = np.outer(s, s) * C / np.sqrt(np.outer(np.diag(C), np.diag(C)))
acc = {}
for age, per_asset in zip(range(T - 1, -1, -1), residuals):
    w = 0.5 ** (age / 42.0)
    for a, e in per_asset.items():
        v = acc.setdefault(a, [0.0, 0.0, 0])
        v[0] += w * e * e
        v[1] += w
        v[2] += 1
specific = {a: v[0] / v[1] for a, v in acc.items() if v[2] >= 5}
print(f"{T} dates, {F.shape[1]} factors, {len(specific)} specific variances; covariance trace {np.nansum(np.diag(cov)):.3e}")
