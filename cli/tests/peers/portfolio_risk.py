"""An independent NumPy computation of a portfolio's risk report, for cli/tests/portfolio.rs.

Reads from the folder given: exposures.csv (`exposures get --industry all --region all` at the
date, primary ids), covariance.csv and specific_risk.csv (`riskmodels covariance/specific-risk`
at the date), holdings.csv (primary id, weight) and report.json (Riskdesk's report); prints the
largest differences as JSON.
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
fill = json.load(open(f"{d}/fill.json"))
held = pl.read_csv(f"{d}/holdings.csv", infer_schema_length=0)
report = json.load(open(f"{d}/report.json"))
rows = {r[idc]: r for r in x.iter_rows(named=True)}
ids = [a for a in held["id"].to_list() if a in rows]
w = np.array([float(v) for a, v in zip(held["id"].to_list(), held["weight"].to_list()) if a in rows])
# Exposures as float32 values, as stored.
X = np.array([[float(np.float32(rows[a][f])) if rows[a].get(f) not in (None, "") else 0.0 for f in factors] for a in ids])
s = np.array([s_of.get(a, fill) for a in ids])
b = X.T @ w
fb = F @ b
fv, sv = b @ fb, (w * w * s).sum()
sigma = np.sqrt(fv + sv)
year = np.sqrt(252.0)
contrib = b * fb / sigma * year
assets = w * (X @ fb + w * s) / sigma * year
ours = {c["factor"]: c for c in report["contributions"]}
out = {
    "total": abs(report["total_risk"] - sigma * year) / (sigma * year),
    "factor": abs(report["factor_risk"] - np.sqrt(fv) * year) / (sigma * year),
    "specific": abs(report["specific_risk"] - np.sqrt(sv) * year) / (sigma * year),
    "contributions": max(abs(ours[f]["contribution"] - c) for f, c in zip(factors, contrib)) / (sigma * year),
    "exposures": max(abs(ours[f]["exposure"] - e) for f, e in zip(factors, b)),
    "assets": max(abs(a["contribution"] - c) for a, c in zip(report["assets"], assets)) / (sigma * year),
    "matched": len(ids),
}
print(json.dumps(out))
