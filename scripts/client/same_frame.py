"""Whether a frame a client fetched equals the one `riskdesk exposures get` wrote, value for
value (nulls included). Column names are compared after the client's renaming: the current
client drops the role from `<role>.<group>.<factor>`. Prints one JSON line.

    same_frame.py CLIENT.parquet CLI.parquet
"""
import json
import sys

import polars as pl

got, cli = pl.read_parquet(sys.argv[1]), pl.read_parquet(sys.argv[2])
if got.columns != cli.columns:
    cli = cli.rename({c: c.split(".", 1)[1] for c in cli.columns if c.count(".") >= 2})
print(json.dumps({
    "equal": got.columns == cli.columns and got.equals(cli),
    "rows": [got.height, cli.height],
    "columns": [got.columns, cli.columns],
}))
