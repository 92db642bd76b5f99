"""The NumPy peer of scripts/bench_portfolio: the same portfolio risk report as `riskdesk risk`
(factor exposure b = Xᵀw, factor variance bᵀFb, specific variance Σ wᵢ² sᵢ, annualised; per
factor X·σ·ρ, per group, per asset), from the model's inputs exported by the CLI.

Usage:
  bench_portfolio.py date FOLDER   one date: FOLDER holds exposures.parquet (that date, every
                                   industry and region column), covariance.csv, specific.csv,
                                   portfolio.csv and report.json (Riskdesk's report, compared);
                                   prints one line: seconds reading, seconds computing, the
                                   largest difference from Riskdesk's total, factor, specific
                                   risk and contributions
  bench_portfolio.py year FOLDER   every date of FOLDER/exposures-year.parquet with the
                                   covariance and specific variances of the date above (the
                                   arithmetic of a year of reports; the forecasts are the model's
                                   job): prints seconds reading, seconds computing, dates
"""

import json
import sys
import time

import numpy as np
import polars as pl

YEAR = np.sqrt(252.0)


def read_inputs(d, exposures):
    x = pl.read_parquet(exposures)
    idc = x.columns[1]
    cov = pl.read_csv(f"{d}/covariance.csv", infer_schema_length=0)
    factors = cov["factor"].to_list()
    f = np.array([[float(v) if v not in (None, "") else 0.0 for v in row[1:]] for row in cov.iter_rows()])
    spec = pl.read_csv(f"{d}/specific.csv", infer_schema_length=0)
    s_of = dict(zip(spec[spec.columns[0]].to_list(), (float(v) for v in spec["specific_var"].to_list())))
    # An asset without enough residuals (none at all: not listed) gets the model's fill, the
    # estimation universe's cap-weighted median, which the filled rows carry.
    filled = spec.filter(pl.col("filled") == "true")["specific_var"].to_list()
    s_of["<fill>"] = float(filled[0]) if filled else 0.0
    held = pl.read_csv(f"{d}/portfolio.csv", infer_schema_length=0)
    w_of = dict(zip(held[held.columns[0]].to_list(), (float(v) for v in held["weight"].to_list())))
    return x, idc, factors, f, s_of, w_of


def report(x, idc, factors, f, s_of, w_of):
    """One date's report: headline, per factor, per group, per asset."""
    held = x.filter(pl.col(idc).is_in(list(w_of)))
    ids = held[idc].to_list()
    w = np.array([w_of[a] for a in ids])
    big_x = held.select([pl.col(c).cast(pl.Float64).fill_null(0.0) for c in factors]).to_numpy()
    s = np.array([s_of.get(a, s_of["<fill>"]) for a in ids])
    b = big_x.T @ w
    fb = f @ b
    factor_var, specific_var = b @ fb, (w * w * s).sum()
    sigma = np.sqrt(factor_var + specific_var)
    vol = np.sqrt(np.diag(f)) * YEAR
    contribution = b * fb / sigma * YEAR
    correlation = np.where(vol > 0, fb / np.sqrt(np.diag(f)).clip(1e-300) / sigma, 0.0)
    group_of = np.array([c.split(".")[0] for c in factors])
    groups = {g: contribution[group_of == g].sum() for g in np.unique(group_of)}
    per_asset = w * (big_x @ fb + w * s) / sigma * YEAR
    return {
        "total": sigma * YEAR,
        "factor": np.sqrt(factor_var) * YEAR,
        "specific": np.sqrt(specific_var) * YEAR,
        "contribution": dict(zip(factors, contribution)),
        "correlation": correlation,
        "groups": groups,
        "assets": dict(zip(ids, per_asset)),
    }


def main():
    mode, d = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    exposures = f"{d}/exposures.parquet" if mode == "date" else f"{d}/exposures-year.parquet"
    x, idc, factors, f, s_of, w_of = read_inputs(d, exposures)
    t1 = time.perf_counter()
    if mode == "date":
        r = report(x, idc, factors, f, s_of, w_of)
        t2 = time.perf_counter()
        ours = json.load(open(f"{d}/report.json"))
        diff = max(abs(ours["total_risk"] - r["total"]), abs(ours["factor_risk"] - r["factor"]), abs(ours["specific_risk"] - r["specific"]))
        for c in ours["contributions"]:
            diff = max(diff, abs(c["contribution"] - r["contribution"][c["factor"]]))
        for a in ours["assets"]:
            diff = max(diff, abs(a["contribution"] - r["assets"][a["id"]]))
        print(f"{t1 - t0:.4f} {t2 - t1:.4f} {diff:.2e} {len(r['assets'])}")
    else:
        dates = 0
        for _, day in x.partition_by("date", as_dict=True).items():
            report(day, idc, factors, f, s_of, w_of)
            dates += 1
        t2 = time.perf_counter()
        print(f"{t1 - t0:.4f} {t2 - t1:.4f} {dates}")


main()
