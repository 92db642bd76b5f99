"""Risk models with the current official client (bayesline-apiclient 0.24.x) against
`riskdesk serve`: a model loaded from settings, its factor returns, t-statistics, p-values,
exposures, universe, market caps and future asset returns, the model listing, settings the
server refuses, and the same model loaded again (reused, not estimated twice). Every frame is
compared here with what the CLI wrote for the same settings; a last line of JSON gives the
differences for the caller to bound.

    riskmodels_current.py ENDPOINT API_KEY DATASET CLI_DIR REFERENCE_DIR [again]

CLI_DIR holds, per case (`default`, `full`), `<case>_fret.csv`, `<case>_t_stats.csv`,
`<case>_p_values.csv` (`riskdesk riskmodels fret|t-stats|p-values --format csv`) and
`<case>_exposures.parquet` (`riskdesk exposures get`, with `--industry all --region all` for
`full`); REFERENCE_DIR the reference's `returns.csv` and `market_caps.csv`. With `again`, only
the default case's factor returns are fetched and compared (after the risk dataset was rebuilt).
"""
import json
import sys
import time
from pathlib import Path

import polars as pl
from bayesline.apiclient import BayeslineApiClient
from bayesline.api.equity import (
    CategoricalExposureGroupSettings,
    ContinuousExposureGroupSettings,
    ExposureSettings,
    FactorRiskModelSettings,
    FactorStatsReportSettings,
    ModelConstructionSettings,
    UniverseSettings,
)

endpoint, api_key, dataset = sys.argv[1], sys.argv[2], sys.argv[3]
cli_dir, reference_dir = Path(sys.argv[4]), Path(sys.argv[5])
again = sys.argv[6:] == ["again"]
bln = BayeslineApiClient.new_client(endpoint=endpoint, api_key=api_key)

# The two cases: the default exposures (every factor of the dataset) with a return clip and a
# shrinkage threshold, and every factor group listed with its zero-sum constraint.
CASES = {
    "default": FactorRiskModelSettings(
        universe=[UniverseSettings()],
        modelconstruction=[ModelConstructionSettings(return_clip_bounds=(-0.05, 0.08), thin_category_shrinkage={"industry": 3.0})],
    ),
    "full": FactorRiskModelSettings(
        universe=[UniverseSettings()],
        exposures=[ExposureSettings(exposures=[
            ContinuousExposureGroupSettings(hierarchy="market"),
            ContinuousExposureGroupSettings(hierarchy="style"),
            CategoricalExposureGroupSettings(hierarchy="industry"),
            CategoricalExposureGroupSettings(hierarchy="region"),
        ])],
        modelconstruction=[ModelConstructionSettings(
            zero_sum_constraints={"industry": "equal_weights", "region": "mcap_weighted"}, return_clip_bounds=(None, 0.07))],
    ),
}


def cli_label(column):
    """The client's name of a CLI column: `<role>.<group>.<factor>` loses its role."""
    return column.split(".", 1)[1] if column.count(".") >= 2 else column


def read_cli_frame(path):
    """A per-date frame the CLI wrote as CSV: dates, then Float64 columns (empty cells null)."""
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.with_columns(pl.col("date").str.to_date(), pl.exclude("date").cast(pl.Float64))
    return frame.rename({c: cli_label(c) for c in frame.columns})


def compare(got, cli):
    """The largest difference between two per-date frames, and how their layout and nulls agree."""
    out = {"columns": got.columns == cli.columns, "dates": got["date"].to_list() == cli["date"].to_list(),
           "dtypes": sorted({str(t) for t in got.dtypes[1:]}), "max_diff": 0.0, "values": 0, "null_mismatch": 0}
    if not (out["columns"] and out["dates"]):
        out["got_columns"], out["cli_columns"] = got.columns[:5], cli.columns[:5]
        return out
    for c in got.columns[1:]:
        for a, b in zip(got[c].to_list(), cli[c].to_list()):
            if a is None or b is None:
                out["null_mismatch"] += (a is None) != (b is None)
                continue
            out["values"] += 1
            out["max_diff"] = max(out["max_diff"], abs(a - b))
    return out


def same_exposures(got, cli):
    """Whether the client's exposures equal the CLI's frame, value for value."""
    cli = cli.rename({c: cli_label(c) for c in cli.columns})
    return {"equal": got.columns == cli.columns and got.equals(cli), "rows": [got.height, cli.height], "columns": len(got.columns)}


def errors(call):
    try:
        call()
        return None
    except Exception as e:  # noqa: BLE001 - the refusal's text is the result
        return str(e)


if again:
    started = time.perf_counter()
    model = bln.equity.riskmodels.load(CASES["default"].with_dataset(dataset)).get_model()
    fret = compare(model.fret(), read_cli_frame(cli_dir / "default_fret.csv"))
    print(json.dumps({"fret": fret, "seconds": time.perf_counter() - started}))
    sys.exit(0)

out = {"cases": {}}
exposure_frames = {case: pl.read_parquet(cli_dir / f"{case}_exposures.parquet") for case in CASES}
for case, settings in CASES.items():
    started = time.perf_counter()
    model = bln.equity.riskmodels.load(settings.with_dataset(dataset)).get_model()
    result = {"fret": compare(model.fret(), read_cli_frame(cli_dir / f"{case}_fret.csv"))}
    result["seconds_to_estimate"] = time.perf_counter() - started
    result["t_stats"] = compare(model.t_stats(), read_cli_frame(cli_dir / f"{case}_t_stats.csv"))
    result["p_values"] = compare(model.p_values(), read_cli_frame(cli_dir / f"{case}_p_values.csv"))
    result["dates"] = [str(d) for d in sorted(model.dates())]
    result["factors"] = {g: len(f) for g, f in sorted(model.factors().items())}
    result["exposures"] = same_exposures(model.exposures(), exposure_frames[case])
    out["cases"][case] = result
    # Loaded again: the stored model is reused, answered without a task.
    started = time.perf_counter()
    bln.equity.riskmodels.load(settings.with_dataset(dataset)).get_model().fret()
    result["seconds_again"] = time.perf_counter() - started

# Universe, market caps and future returns against the CLI's exposures and the reference.
model = bln.equity.riskmodels.load(CASES["full"].with_dataset(dataset)).get_model()
exposures = exposure_frames["full"]
id_column = exposures.columns[1]
universe = model.universe()
members = universe.unpivot(index="date", variable_name="asset", value_name="member").filter(pl.col("member"))
got_pairs = set(zip(members["date"].to_list(), members["asset"].to_list()))
cli_pairs = set(zip(exposures["date"].to_list(), exposures[id_column].to_list()))
out["universe"] = {"equal": got_pairs == cli_pairs, "pairs": len(cli_pairs), "dtype": str(universe.dtypes[1])}

returns = pl.read_csv(reference_dir / "returns.csv", try_parse_dates=True)
caps = pl.read_csv(reference_dir / "market_caps.csv", try_parse_dates=True)
return_of = {(d, a): r for d, a, r in returns.iter_rows()}
cap_of = {(d, a): c for d, a, c in caps.iter_rows()}
dates = sorted(set(exposures["date"].to_list()))
next_date = dict(zip(dates, dates[1:]))

# Market caps: per model date t, over the assets regressed on t (every numeric exposure on the
# date before, a return on t, a positive market cap the date before), sum exposure × cap.
fret_dates = read_cli_frame(cli_dir / "full_fret.csv")["date"].to_list()
numeric = [c for c in exposures.columns[2:] if c.split(".")[0] in ("market", "style", "other")]
factor_columns = exposures.columns[2:]
expected_caps = {}
for t in fret_dates:
    e = dates[dates.index(t) - 1]
    day = exposures.filter(pl.col("date") == e)
    sums = dict.fromkeys(factor_columns, 0.0)
    for row in day.iter_rows(named=True):
        asset = row[id_column]
        cap, ret = cap_of.get((e, asset)), return_of.get((t, asset))
        if cap is None or not cap > 0 or ret is None or any(row[c] is None for c in numeric):
            continue
        for c in factor_columns:
            if row[c] is not None:
                sums[c] += row[c] * cap
    expected_caps[t] = sums
market_caps = model.market_caps()
caps_out = {"dates": market_caps["date"].to_list() == fret_dates, "columns": market_caps.columns[1:] == [cli_label(c) for c in factor_columns],
            "max_relative_diff": 0.0, "values": 0}
if caps_out["dates"] and caps_out["columns"]:
    for row in market_caps.iter_rows(named=True):
        sums = expected_caps[row["date"]]
        scale = sums["market.market.Market"]
        for c in factor_columns:
            caps_out["values"] += 1
            caps_out["max_relative_diff"] = max(caps_out["max_relative_diff"], abs(row[cli_label(c)] - sums[c]) / scale)
out["market_caps"] = caps_out

# Future asset returns: on each date, every asset of the dataset that date with its return on
# the next date (none on the last date).
future = model.future_asset_returns()
got = {(d, a): v for d, a, v in future.unpivot(index="date", variable_name="asset").drop_nulls("value").iter_rows()}
expected = {}
for d, a in zip(exposures["date"].to_list(), exposures[id_column].to_list()):
    r = return_of.get((next_date.get(d), a))
    if r is not None:
        expected[(d, a)] = r
out["future_returns"] = {
    "dates": future["date"].to_list() == dates, "values": len(expected), "same_cells": got.keys() == expected.keys(),
    "max_diff": max((abs(got[k] - expected[k]) for k in expected if k in got), default=None),
    "last_date_empty": all(v is None for v in future.filter(pl.col("date") == dates[-1]).select(pl.exclude("date")).row(0)),
}

listed = bln.equity.riskmodels.list_riskmodels()
out["listed"] = sorted([m.name, m.risk_dataset, m.status, m.risk_dataset_status] for m in listed)
out["listed_for_dataset"] = len(bln.equity.riskmodels.list_riskmodels(dataset))

# What Riskdesk has no counterpart for is refused by the server by name, in the platform's shape.
reports = bln.equity.reports


def report(frm):
    return reports.load(FactorStatsReportSettings(factor_model_settings=frm).with_dataset(dataset)).calculate(None, None)


def with_construction(**kwargs):
    return FactorRiskModelSettings(universe=[UniverseSettings()], modelconstruction=[ModelConstructionSettings(**kwargs)])


out["refused"] = {
    "cap": errors(lambda: report(with_construction(weights="Cap"))),
    "inv_idio_var": errors(lambda: report(with_construction(weights="InvIdioVar"))),
    "known_factor_map": errors(lambda: report(with_construction(known_factor_map={("style", "Size"): "SPX"}))),
    "estimation_universe": errors(lambda: report(with_construction(estimation_universe=UniverseSettings()))),
    "currency": errors(lambda: report(with_construction(currency="EUR"))),
    "group": errors(lambda: report(with_construction(zero_sum_constraints={"sector": "none"}))),
    "partial_exposures": errors(lambda: bln.equity.riskmodels.load(FactorRiskModelSettings(
        universe=[UniverseSettings()], exposures=[ExposureSettings(exposures=[ContinuousExposureGroupSettings(hierarchy="style")])],
    ).with_dataset(dataset)).get_model().fret()),
}
out["listed_after_refusals"] = len(bln.equity.riskmodels.list_riskmodels())
print(json.dumps(out, default=str))
