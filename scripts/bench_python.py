#!/usr/bin/env python3
"""Python baselines for scripts/bench, run on the same daily exposure CSVs as riskdesk.

    bench_python.py pipeline CSV_DIR OUT_DIR STATS_CSV   polars: read, per-date stats, Parquet per file
    bench_python.py zip CSV_DIR OUT_DIR                  zipfile: annual ZIPs, deflate level 6
    bench_python.py checks PARQUET_DIR                   polars: per date x factor moments, ranks vs the day before
    bench_python.py diff OLD_PARQUET_DIR NEW_PARQUET_DIR polars: rows added, removed, changed per factor
    bench_python.py compare RISKDESK_CSV POLARS_CSV      checks both detail summaries agree (untimed)

Each timed command prints its own elapsed time (without interpreter start-up and imports) on stdout;
scripts/bench times the whole process with GNU time.
"""

import glob
import os
import re
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

DAILY = re.compile(r"^(?P<prefix>.+)_(?P<year>\d{4})-\d{2}-\d{2}\.csv$")


def daily_files(folder):
    """The daily CSVs of a folder, sorted by name."""
    return sorted(f for f in glob.glob(os.path.join(folder, "*.csv")) if DAILY.match(os.path.basename(f)))


def pipeline(csv_dir, out_dir, stats_csv):
    """Reads every file, computes the per-date stats of the detail summary, writes one Parquet (zstd) per file.

    Files are processed by a thread pool (one worker per CPU). Polars releases the GIL and parallelises
    each read itself; among the approaches tried (plain per-file loop, one lazy scan over all files,
    collect_all of per-file lazy queries, streaming sink_parquet) this was the fastest and stays lean.
    """
    import polars as pl

    schema = {
        "date": pl.Date,
        "asset_id": pl.String,
        "asset_id_type": pl.String,
        "factor_group": pl.String,
        "factor": pl.String,
        "exposure": pl.Float32,
    }
    exposure = pl.col("exposure")
    stats = [
        pl.col("asset_id").n_unique().alias("n_assets"),
        exposure.min().alias("min_exposure"),
        exposure.max().alias("max_exposure"),
        exposure.mean().alias("mean_exposure"),
        exposure.median().alias("median_exposure"),
        exposure.std(ddof=1).alias("std_exposure"),
    ]

    def one(path):
        stem = os.path.basename(path)[: -len(".csv")]
        df = pl.read_csv(path, schema=schema)
        summary = df.group_by("date").agg(stats).with_columns(pl.lit(stem).alias("_name"))
        df.write_parquet(os.path.join(out_dir, stem + ".parquet"), compression="zstd")
        return summary

    start = time.perf_counter()
    os.makedirs(out_dir, exist_ok=True)
    files = daily_files(csv_dir)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        summaries = list(pool.map(one, files))
    result = pl.concat(summaries).select("_name", "date", *[s.meta.output_name() for s in stats]).sort("_name", "date")
    result.write_csv(stats_csv)
    print(f"polars {pl.__version__}: {len(files)} files, {result.height} file-dates, "
          f"{time.perf_counter() - start:.3f} s in-process")


def checks(parquet_dir):
    """The core of riskdesk's sanity checks, as a notebook would write it in polars: per date and
    (group, factor), the coverage, mean, std, min and max (missing_values, not_standardized), and
    per style factor the Spearman rank correlation with the date before over the shared assets
    (rank_instability, stale values). Riskdesk does more (robust outliers, population stability,
    one-hot groups, churn); this is a lower bound of the notebook's work.
    """
    import polars as pl

    start = time.perf_counter()
    df = pl.read_parquet(os.path.join(parquet_dir, "*.parquet"))
    moments = df.group_by("date", "factor_group", "factor").agg(
        pl.len().alias("n"), pl.col("exposure").mean().alias("mean"), pl.col("exposure").std().alias("std"),
        pl.col("exposure").min().alias("min"), pl.col("exposure").max().alias("max"))
    style = df.filter(pl.col("factor_group") == "style").select("date", "asset_id", "factor", "exposure")
    dates = style.select(pl.col("date").unique().sort()).to_series()
    before = style.join(pl.DataFrame({"date": dates[1:], "prev": dates[:-1]}), on="date")
    pairs = before.join(style.rename({"date": "prev", "exposure": "previous"}), on=["prev", "asset_id", "factor"])
    ranks = pairs.group_by("date", "factor").agg(
        pl.corr("exposure", "previous", method="spearman").alias("rho"),
        (pl.col("exposure") == pl.col("previous")).mean().alias("identical"))
    print(f"polars checks: {moments.height} date x factor moments, {ranks.height} rank correlations, "
          f"{time.perf_counter() - start:.3f} s in-process")


def diff(old_dir, new_dir):
    """Two versions of the month compared on the row key: added, removed and changed per factor."""
    import polars as pl

    start = time.perf_counter()
    key = ["date", "asset_id", "asset_id_type", "factor_group", "factor"]
    old = pl.read_parquet(os.path.join(old_dir, "*.parquet"))
    new = pl.read_parquet(os.path.join(new_dir, "*.parquet"))
    both = old.join(new, on=key, how="full", coalesce=True, suffix="_new")
    per_factor = both.group_by("factor_group", "factor").agg(
        pl.col("exposure").is_null().sum().alias("added"),
        pl.col("exposure_new").is_null().sum().alias("removed"),
        (pl.col("exposure") != pl.col("exposure_new")).sum().alias("changed"),
        (pl.col("exposure_new") - pl.col("exposure")).abs().max().alias("largest"))
    rows = per_factor.select(pl.sum_horizontal("added", "removed", "changed").sum()).item()
    print(f"polars diff: {rows} rows added, removed or changed over {per_factor.height} factors, "
          f"{time.perf_counter() - start:.3f} s in-process")


def zip_annual(csv_dir, out_dir):
    """Writes <prefix>_<year>.zip per year, one deflated entry (level 6) per daily file."""
    start = time.perf_counter()
    os.makedirs(out_dir, exist_ok=True)
    groups = {}
    for path in daily_files(csv_dir):
        m = DAILY.match(os.path.basename(path))
        groups.setdefault((m["prefix"], m["year"]), []).append(path)
    for (prefix, year), paths in sorted(groups.items()):
        target = os.path.join(out_dir, f"{prefix}_{year}.zip")
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for path in paths:
                archive.write(path, arcname=os.path.basename(path))
    print(f"zipfile: {len(groups)} archive(s), {time.perf_counter() - start:.3f} s in-process")


def compare(riskdesk_csv, polars_csv):
    """Checks that riskdesk's detail summary and the polars stats agree (floats to 1e-5 relative)."""
    import polars as pl

    key = ["_name", "date"]
    a = pl.read_csv(riskdesk_csv, try_parse_dates=True).sort(key)
    b = pl.read_csv(polars_csv, try_parse_dates=True).sort(key)
    if a.select(key).rows() != b.select(key).rows():
        print(f"stats check: MISMATCH of file/date keys ({a.height} riskdesk rows vs {b.height} polars rows)")
        return
    worst = 0.0
    bad = []
    for col in ["n_assets", "min_exposure", "max_exposure", "mean_exposure", "median_exposure", "std_exposure"]:
        x, y = a[col].cast(pl.Float64), b[col].cast(pl.Float64)
        rel = ((x - y).abs() / y.abs().clip(lower_bound=1e-12)).max()
        worst = max(worst, rel)
        if rel > 1e-5:
            bad.append(f"{col} (max rel diff {rel:.2e})")
    if bad:
        print(f"stats check: riskdesk and polars DIFFER on {', '.join(bad)}")
    else:
        print(f"stats check: riskdesk detail summary == polars stats on {a.height} file-dates "
              f"(max rel diff {worst:.1e})")


if __name__ == "__main__":
    commands = {"pipeline": (pipeline, 3), "checks": (checks, 1), "diff": (diff, 2), "zip": (zip_annual, 2),
                "compare": (compare, 2)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or len(sys.argv) != commands[sys.argv[1]][1] + 2:
        sys.exit(__doc__)
    fn, _ = commands[sys.argv[1]]
    fn(*sys.argv[2:])
