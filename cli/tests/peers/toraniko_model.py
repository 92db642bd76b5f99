"""toraniko's market + sector + style estimate on Riskdesk's inputs, for cli/tests/riskmodels.rs.
Reads DIR/exposures.csv (`exposures get --industry all`), DIR/returns.csv, DIR/market_caps.csv
(the reference's) and DIR/fret.csv (Riskdesk's factor returns of a model with equal-weighted
constraints and no clipping); prints the largest difference and how many values were compared.
"""

import json
import sys

import numpy as np
import polars as pl
from toraniko.model import estimate_factor_returns

folder = sys.argv[1]
x = pl.read_csv(f"{folder}/exposures.csv", try_parse_dates=True)
id_col = x.columns[1]
x = x.rename({id_col: "symbol"}).with_columns([pl.col(c).cast(pl.Float32).cast(pl.Float64) for c in x.columns[2:]])
sectors = [c for c in x.columns if c.startswith("industry.")]
styles = [c for c in x.columns if c.startswith("style.")]
dates = sorted(x["date"].unique().to_list())
nxt = {d: n for d, n in zip(dates, dates[1:])}
returns = pl.read_csv(f"{folder}/returns.csv", try_parse_dates=True).rename({"asset_id": "symbol", "return": "asset_returns"})
# toraniko joins everything on one date: the return of the next date goes with the exposures of this one.
shifted = returns.filter(pl.col("date").is_in(list(nxt.values()))).with_columns(
    pl.col("date").replace_strict({v: k for k, v in nxt.items()}, return_dtype=pl.Date)
)
caps = pl.read_csv(f"{folder}/market_caps.csv", try_parse_dates=True).rename({"asset_id": "symbol"})
fac, _ = estimate_factor_returns(
    shifted,
    caps,
    x.select(["date", "symbol"] + sectors),
    x.select(["date", "symbol"] + styles),
    winsor_factor=None,
    residualize_styles=True,
)
ours = pl.read_csv(f"{folder}/fret.csv", try_parse_dates=True)
worst, compared = 0.0, 0
for row in fac.iter_rows(named=True):
    mine = ours.filter(pl.col("date") == nxt[row["date"]]).row(0, named=True)
    for c in ["market"] + sectors + styles:
        ours_name = "market.market.Market" if c == "market" else c
        worst = max(worst, abs(row[c] - mine[ours_name]))
        compared += 1
print(json.dumps({"fret": worst, "values": compared}))
