"""The change in a date's factor returns when one exposure changes, by statsmodels' OLSInfluence,
for cli/tests/impact.rs.

Reads from the folder given: exposures.csv (`exposures get` at the exposures' date: market and
raw "other" factors), market_caps.csv and returns.csv (the reference's), changed.csv (the one
staged row that differs from the committed file) and impact.json (Riskdesk's model impact);
arguments: the folder, the exposures' date and the model date. The regression is WLS with
weights √cap; on the design scaled by √weight it is OLS, and deleting the changed row gives the
same fit before and after the change, so the change of the estimates is
dfbeta_after(row) − dfbeta_before(row), with statsmodels' dfbeta = β − β₍₋ᵢ₎. Prints the largest differences.
"""

import json
import sys

import numpy as np
import polars as pl
import statsmodels.api as sm
from statsmodels.stats.outliers_influence import OLSInfluence

d, day, nxt = sys.argv[1], sys.argv[2], sys.argv[3]
x = pl.read_csv(f"{d}/exposures.csv", infer_schema_length=0)
idc = x.columns[1]
factors = [c for c in x.columns[2:]]
caps = pl.read_csv(f"{d}/market_caps.csv", infer_schema_length=0).filter(pl.col("date") == day)
cap_of = {a: float(c) for a, c in zip(caps["asset_id"].to_list(), caps["market_cap"].to_list())}
rets = pl.read_csv(f"{d}/returns.csv", infer_schema_length=0).filter(pl.col("date") == nxt)
ret_of = {a: float(r) for a, r in zip(rets["asset_id"].to_list(), rets["return"].to_list())}
changed = pl.read_csv(f"{d}/changed.csv", infer_schema_length=0).row(0, named=True)
label = f"other.{changed['factor_group']}.{changed['factor']}"
impact = json.load(open(f"{d}/impact.json"))
date = next(x for x in impact["dates"] if x["date"] == nxt)
ours = {f["factor"]: f for f in date["factors"]}

rows, X, y, w = [], [], [], []
for r in x.iter_rows(named=True):
    a = r[idc]
    vals = [r[f] for f in factors]
    if a not in ret_of or cap_of.get(a, 0.0) <= 0.0 or any(v in (None, "") for v in vals):
        continue
    rows.append(a)
    X.append([float(np.float32(v)) for v in vals])
    y.append(ret_of[a])
    w.append(np.sqrt(cap_of[a]))
X, y, w = np.array(X), np.array(y), np.array(w)
i = rows.index(changed["asset_id"])
k = factors.index(label)
s = np.sqrt(w)[:, None]


def fit(design):
    res = sm.OLS(y * s[:, 0], design * s).fit()
    return res.params, OLSInfluence(res).dfbeta[i]


b0, dfb0 = fit(X)
X1 = X.copy()
X1[i, k] = float(np.float32(changed["exposure"]))
b1, dfb1 = fit(X1)
predicted = dfb1 - dfb0
# The formula against a direct refit, so that the sign convention is the one assumed.
assert np.allclose(predicted, b1 - b0, rtol=1e-9, atol=1e-15), (predicted, b1 - b0)
delta = np.array([ours[f]["fret_after"] - ours[f]["fret_before"] for f in factors])
before = np.array([ours[f]["fret_before"] for f in factors])
print(json.dumps({
    "assets": len(rows),
    "largest_change": float(np.abs(predicted).max()),
    "change": float(np.abs(delta - predicted).max()),
    "fret_before": float(np.abs(before - b0).max() / np.abs(b0).max()),
}))
