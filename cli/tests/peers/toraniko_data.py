"""Writes a small market + sector + style data set on which toraniko's two-stage estimate equals a
joint regression, for cli/tests/riskmodels.rs: each style is orthogonal, under the √cap weights,
to every sector (so to the market too), has a cap-weighted mean of 0 and a sample standard
deviation of 1 (so standardizing leaves it as it is). Writes OUT/days/*.csv (long exposure files)
and OUT/reference/ (assets, market caps, returns).
"""

import os
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(11)
n, days, sectors, styles = 400, 6, ["Energy", "Financials", "Health", "Tech"], ["Momentum", "Value"]
ids = [f"A{i:04d}" for i in range(n)]
sector = rng.integers(0, len(sectors), n)
caps = np.exp(rng.normal(21, 1.2, (days, n)))
dates = [f"2025-03-{d + 3:02d}" for d in range(days)]
os.makedirs(f"{out}/days", exist_ok=True)
os.makedirs(f"{out}/reference", exist_ok=True)
values = np.zeros((days, len(styles), n))
for d in range(days):
    for s in range(len(styles)):
        z = rng.normal(size=n)
        for k in range(len(sectors)):
            m = sector == k
            basis = np.stack([np.sqrt(caps[d, m]), caps[d, m]], axis=1)
            q, _ = np.linalg.qr(basis)
            z[m] = z[m] - q @ (q.T @ z[m])
        values[d, s] = z / z.std(ddof=1)
    with open(f"{out}/days/exposures_{dates[d]}.csv", "w") as f:
        f.write("date,asset_id,asset_id_type,factor_group,factor,exposure\n")
        for i, a in enumerate(ids):
            f.write(f"{dates[d]},{a},bayesid,market,Market,1\n")
            for s, name in enumerate(styles):
                f.write(f"{dates[d]},{a},bayesid,style,{name},{values[d, s, i]!r}\n")
            f.write(f"{dates[d]},{a},bayesid,industry,{sectors[sector[i]]},1\n")
with open(f"{out}/reference/assets.csv", "w") as f:
    f.write("asset_id,exchange,country,currency\n")
    f.writelines(f"{a},XNYS,US,USD\n" for a in ids)
with open(f"{out}/reference/market_caps.csv", "w") as f:
    f.write("date,asset_id,market_cap\n")
    for d in range(days):
        f.writelines(f"{dates[d]},{a},{caps[d, i]!r}\n" for i, a in enumerate(ids))
with open(f"{out}/reference/returns.csv", "w") as f:
    f.write("date,asset_id,return\n")
    for d in range(days):
        f.writelines(f"{dates[d]},{a},{rng.normal(0, 0.02)!r}\n" for a in ids)
