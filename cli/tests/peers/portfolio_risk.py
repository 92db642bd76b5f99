"""An independent NumPy computation of a portfolio's risk report, for cli/tests/portfolio.rs.

Reads from the folder given: exposures.csv (`exposures get --industry all --region all` at the
date, primary ids), covariance.csv and specific_risk.csv (`riskmodels covariance/specific-risk`
at the date), holdings.csv and benchmark.csv (primary id, weight), report.json and active.json
(Riskdesk's reports of the portfolio, and of it against the benchmark); prints the largest
differences, relative to the total risk, as JSON.
"""

import json
import sys

import numpy as np
import polars as pl

d = sys.argv[1]
x = pl.read_csv(f"{d}/exposures.csv", infer_schema_length=0)
idc = x.columns[1]
cov = pl.read_csv(f"{d}/covariance.csv", infer_schema_length=0)
factors = cov["factor"].to_list()
F = np.array([[float(v) if v not in (None, "") else 0.0 for v in row[1:]] for row in cov.iter_rows()])
spec = pl.read_csv(f"{d}/specific_risk.csv", infer_schema_length=0)
s_of = {r[spec.columns[0]]: float(r["specific_var"]) for r in spec.iter_rows(named=True)}
rows = {r[idc]: r for r in x.iter_rows(named=True)}
year = np.sqrt(252.0)


def weights(name):
    held = pl.read_csv(f"{d}/{name}", infer_schema_length=0)
    return {a: float(w) for a, w in zip(held["id"].to_list(), held["weight"].to_list())}


def groups_of(names):
    return [n.split(".")[0] for n in names]


def compare(report, w_of):
    """Riskdesk's report against NumPy's for the weights w_of (id -> weight)."""
    ids = [a["id"] for a in report["assets"]]
    assert sorted(ids) == sorted(a for a in w_of if a in rows), "matched ids differ"
    w = np.array([w_of[a] for a in ids])
    # Exposures as float32 values, as stored; specific variances as the model gives them.
    X = np.array([[float(np.float32(rows[a][f])) if rows[a].get(f) not in (None, "") else 0.0 for f in factors] for a in ids])
    s = np.array([s_of[a] for a in ids])
    b = X.T @ w
    fb = F @ b
    fv, sv = b @ fb, (w * w * s).sum()
    sigma = np.sqrt(fv + sv)
    scale = sigma * year
    contrib = b * fb / sigma * year
    vol = np.sqrt(np.diag(F)) * year
    corr = np.where(vol > 0, fb / np.sqrt(np.diag(F)).clip(1e-300) / sigma, 0.0)
    assets = w * (X @ fb + w * s) / sigma * year
    ours = {c["factor"]: c for c in report["contributions"]}
    group_names = groups_of(factors)
    group_sum = {}
    for g, c in zip(group_names, contrib):
        group_sum[g] = group_sum.get(g, 0.0) + c
    return {
        "total": abs(report["total_risk"] - scale) / scale,
        "factor": abs(report["factor_risk"] - np.sqrt(fv) * year) / scale,
        "specific": abs(report["specific_risk"] - np.sqrt(sv) * year) / scale,
        "contributions": max(abs(ours[f]["contribution"] - c) for f, c in zip(factors, contrib)) / scale,
        "correlations": max(abs(ours[f]["correlation"] - c) for f, c in zip(factors, corr) if vol[factors.index(f)] > 0),
        "exposures": max(abs(ours[f]["exposure"] - e) for f, e in zip(factors, b)),
        "assets": max(abs(a["contribution"] - c) for a, c in zip(report["assets"], assets)) / scale,
        "groups": max(abs(g["contribution"] - group_sum[g["factor"]]) for g in report["groups"]) / scale,
    }


p = weights("holdings.csv")
bench = weights("benchmark.csv")
active = {a: p.get(a, 0.0) - bench.get(a, 0.0) for a in set(p) | set(bench)}
out = {
    "portfolio": compare(json.load(open(f"{d}/report.json")), p),
    "active": compare(json.load(open(f"{d}/active.json")), active),
    "matched": sum(1 for a in p if a in rows),
}
print(json.dumps(out))
