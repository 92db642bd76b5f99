#!/usr/bin/env python3
"""Python baselines for scripts/bench, run on the same daily exposure CSVs as riskdesk.

    bench_python.py pipeline CSV_DIR OUT_DIR STATS_CSV   polars: read, per-date stats, Parquet per file
    bench_python.py zip CSV_DIR OUT_DIR                  zipfile: annual ZIPs, deflate level 6
    bench_python.py checks PARQUET_DIR                   polars: per date x factor moments, ranks vs the day before
    bench_python.py diff OLD_PARQUET_DIR NEW_PARQUET_DIR polars: rows added, removed, changed per factor
    bench_python.py compare RISKDESK_CSV POLARS_CSV      checks both detail summaries agree (untimed)
    bench_python.py create HOME SETTINGS_JSON OUT        polars: risk dataset creation + exposures get, to Parquet
    bench_python.py createcheck RISKDESK_PARQUET POLARS_PARQUET  checks both exposure frames agree (untimed)

Each timed command prints its own elapsed time (without interpreter start-up and imports) on stdout;
scripts/bench times the whole process with GNU time.
"""

import glob
import json
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


def create(home, settings_json, out_parquet):
    """What `riskdatasets create` then `exposures get --format parquet` do with the bench's settings,
    from riskdesk's own files: the latest version's committed parts (found through the catalog,
    HOME/catalog.sqlite) and the reference's assets.parquet and market_caps.parquet.

    Rules (src/riskdataset/build.rs and exposures.rs): rows whose asset_id is a reference asset
    (of the reference's primary id type), one row per (date, asset) with any row in a mapped
    group; market and style factors as columns, the industry as one categorical; per date and
    style, huberize (clip to median +- 3 * 1.4826 * MAD, in f64 on the f32 values), fill missing
    values with the industry mean of the date (else the date's mean), then standardize (cap-
    weighted mean 0 with the date's market caps, equal-weighted sample std 1). Columns and order
    as `exposures get`: date, the id, market.*, style.*; sorted by date then id.

    Dates are processed 8 at a time (riskdesk's DATES_PER_BATCH) and streamed into one Parquet file
    through an IO-source plugin, so memory stays flat however long the history. Tried on 10,000
    assets x 120 days (riskdesk in the same session: create 2.8 s / 56 MB, get 0.9 s / 118 MB),
    in-process seconds / peak RSS: the whole range as one lazy query, collected 3.9 s / 885 MB or
    sunk with the streaming engine 3.2 s / 897 MB (the per-date windows are not streamed: memory
    grows with the days, a year at full size would need ~25 GB and five years do not fit this
    machine); per-batch queries under one pl.concat sunk by the streaming engine 3.1 s / 650 MB (it
    does not free a batch before the next); per-batch collect to Parquet parts and a final
    streaming concat 3.5 s / 292 MB; per-batch through the plugin 3.5 s / 310 MB, with 4 or 16
    dates a batch 3.9 s / 272 MB and 3.2 s / 412 MB. Dropping unmatched ids at the join after
    the long -> wide step instead of an is_in filter before it: 3.1-3.3 s / 280-300 MB (this).
    Long to wide: group_by with a filtered first() per factor beat a lazy pivot and per-factor
    joins (1.4 against 1.9 and 1.6 s). One nested expression per style instead of the chain of
    with_columns below took 20 s instead of 1.6 s on 40 days (its sub-expressions, windows
    included, were evaluated again at every use).
    """
    import sqlite3
    from datetime import date

    import polars as pl
    from polars.io.plugins import register_io_source

    start = time.perf_counter()
    with open(settings_json) as fh:
        settings = json.load(fh)
    source = settings["exposures"][0] if len(settings.get("exposures", [])) == 1 else {}
    if source.get("exposure_type") != "uploaded" or source.get("other_factor_group") or settings.get("exchange_codes"):
        sys.exit("create: only one uploaded source without exchange_codes or other_factor_group is supported")
    group = {role: source.get(f"{role}_factor_group") for role in ("market", "style", "industry", "region")}
    huberize, fill = source.get("style_factor_huberize", True), source.get("style_factor_fill_miss", True)
    # With one source the trim rules (earliest_start, latest_end, ...) keep every date: only dates
    # given as such bound the range. trim_assets needs nothing either: without exchange_codes, each
    # of its rules keeps every matched asset.
    def bound(rule, default):
        return (date.fromisoformat(rule) - date(1970, 1, 1)).days if rule and rule[0].isdigit() else default
    first, last = bound(settings.get("trim_start_date"), -2**31), bound(settings.get("trim_end_date"), 2**31)

    db = sqlite3.connect(f"file:{os.path.join(home, 'catalog.sqlite')}?mode=ro", uri=True)
    parts = db.execute(
        """SELECT p.date, p.file
           FROM dataset d JOIN version_part v ON v.dataset_id = d.id JOIN part p ON p.id = v.part_id
           WHERE d.name = ?1 AND v.version = (SELECT max(version) FROM version WHERE dataset_id = d.id)
           ORDER BY p.date""", (source["exposure_source"],)).fetchall()
    ref_id, id_type = db.execute("SELECT id, id_type FROM reference_dataset WHERE name = ?1",
                                 (settings["reference_dataset"],)).fetchone()
    db.close()
    all_files = [os.path.join(home, f) for _, f in parts]  # factors come from every date, as in riskdesk
    parts = [(d, os.path.join(home, f)) for d, f in parts if first <= d <= last]
    if not parts:
        sys.exit("create: no committed parts in the date range")
    ref_dir = os.path.join(home, "data", "references", str(ref_id))
    assets = pl.read_parquet(os.path.join(ref_dir, "assets.parquet"), columns=["asset_id"]).with_row_index("asset")
    caps_file = os.path.join(ref_dir, "market_caps.parquet")

    fg, f, x = pl.col("factor_group"), pl.col("factor"), pl.col("exposure")
    found = pl.scan_parquet(all_files).select(fg.cast(pl.String), f.cast(pl.String)).unique().collect()
    def factors(role):
        return sorted(found.filter(pl.col("factor_group") == group[role])["factor"]) if group[role] else []
    market = [(m, f"market.{group['market']}.{m}") for m in factors("market")]
    styles = [(s, f"style.{group['style']}.{s}") for s in factors("style")]
    mapped = [g for g in group.values() if g]

    def date_of(days):
        return date.fromordinal(date(1970, 1, 1).toordinal() + days)

    def batch(chunk):
        """The output rows of the dates in `chunk` (the committed parts of consecutive dates)."""
        d = "date"
        long = pl.scan_parquet([p for _, p in chunk]).filter((pl.col("asset_id_type") == id_type) & fg.is_in(mapped))
        aggs = [x.filter((fg == group["market"]) & (f == m)).first().alias(c) for m, c in market]
        aggs += [x.filter((fg == group["style"]) & (f == s)).first().alias(c) for s, c in styles]
        if group["industry"]:
            aggs.append(f.filter((fg == group["industry"]) & (x == 1)).first().cast(pl.String).alias("#industry"))
        else:
            aggs.append(pl.lit(None, pl.String).alias("#industry"))
        # Unmatched ids fall out at the inner join with the reference (after the long -> wide step,
        # on a tenth of the rows); the join also gives the asset index market caps are keyed on.
        wide = long.group_by(d, "asset_id").agg(aggs).with_columns(pl.col("asset_id").cast(pl.String))
        wide = wide.join(assets.lazy(), on="asset_id", how="inner")
        if os.path.exists(caps_file):
            caps = pl.scan_parquet(caps_file).filter(pl.col(d).is_between(date_of(chunk[0][0]), date_of(chunk[-1][0])))
            wide = wide.join(caps.select(d, "asset", "market_cap"), on=[d, "asset"], how="left")
        else:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias("market_cap"))
        names = [c for _, c in styles]

        def f64(c):
            return pl.col(c).cast(pl.Float64)

        # One with_columns per stage, each naming the previous stage's columns: polars evaluates
        # a window once per stage instead of once per use.
        if huberize:
            wide = wide.with_columns(f64(c).median().over(d).alias(c + "#med") for c in names)
            deviation = {c: (f64(c) - pl.col(c + "#med")).abs() for c in names}
            wide = wide.with_columns(deviation[c].median().over(d).alias(c + "#mad") for c in names)
            wide = wide.with_columns((3 * 1.4826 * pl.col(c + "#mad")).alias(c + "#mad") for c in names)
            wide = wide.with_columns(
                f64(c).clip(pl.col(c + "#med") - pl.col(c + "#mad"), pl.col(c + "#med") + pl.col(c + "#mad"))
                .cast(pl.Float32).alias(c) for c in names)
        if fill:
            wide = wide.with_columns(f64(c).mean().over(d).alias(c + "#all") for c in names)
            # The mean of the asset's industry that date, else (no industry, or no values in it) the date's.
            has_industry = pl.col("#industry").is_not_null()
            industry_mean = {c: pl.when(has_industry).then(f64(c).mean().over(d, "#industry")) for c in names}
            wide = wide.with_columns(industry_mean[c].fill_null(pl.col(c + "#all")).alias(c + "#fill") for c in names)
            wide = wide.with_columns(pl.col(c).fill_null(pl.col(c + "#fill")).cast(pl.Float32).alias(c) for c in names)
        weight = pl.col("market_cap").fill_null(0.0)
        wide = wide.with_columns(weight.alias("#w"), (weight > 0).any().over(d).alias("#cap_weighted"))

        def standardized(c):
            v = f64(c)
            w = pl.when(v.is_not_null()).then(pl.col("#w")).otherwise(0.0)
            w_sum = w.sum().over(d)
            cap_weighted = pl.col("#cap_weighted") & (w_sum > 0)
            mean = pl.when(cap_weighted).then((v * w).sum().over(d) / w_sum).otherwise(v.mean().over(d))
            std = v.std(ddof=1).over(d)
            return pl.when(std > 0).then((v - mean) / std).otherwise(v - mean).cast(pl.Float32).alias(c)

        return wide.select(d, pl.col("asset_id").alias(id_type), *[c for _, c in market],
                           *[standardized(c) for c in names]).sort(d, id_type)

    batches = [batch(parts[i:i + 8]) for i in range(0, len(parts), 8)]
    rows = 0

    def produce(with_columns, predicate, n_rows, batch_size):
        nonlocal rows
        for q in batches:
            df = q.collect()
            rows += df.height
            if predicate is not None:
                df = df.filter(predicate)
            yield df.select(with_columns) if with_columns is not None else df

    # LZ4, as riskdesk writes its Parquet (src/store/parts.rs).
    register_io_source(produce, schema=batches[0].collect_schema()).sink_parquet(out_parquet, compression="lz4")
    print(f"polars create: {rows} rows x {2 + len(market) + len(styles)} columns over {len(parts)} dates, "
          f"{time.perf_counter() - start:.3f} s in-process")


def create_check(riskdesk_parquet, polars_parquet):
    """Checks that riskdesk's `exposures get` Parquet and the polars creation agree: same columns
    and types, same rows (dates and ids, in order), and how far the numbers are apart. Streams
    both files side by side, so five years do not need to fit in memory."""
    import polars as pl

    a, b = pl.scan_parquet(riskdesk_parquet), pl.scan_parquet(polars_parquet)
    sa, sb = a.collect_schema(), b.collect_schema()
    ha, hb = a.select(pl.len()).collect().item(), b.select(pl.len()).collect().item()
    if sa != sb or ha != hb:
        print(f"polars create: SHAPE DIFFERS: riskdesk {ha} rows {dict(sa)}, polars {hb} rows {dict(sb)}")
        return
    names = sa.names()
    keys, numbers = names[:2], names[2:]
    both = pl.concat([a, b.rename({c: c + "#p" for c in names})], how="horizontal")
    diff = {c: (pl.col(c).cast(pl.Float64) - pl.col(c + "#p").cast(pl.Float64)).abs() for c in numbers}
    stats = both.select(
        pl.all_horizontal([(pl.col(k) == pl.col(k + "#p")) for k in keys]).all().alias("#rows_equal"),
        *[diff[c].max().alias(c) for c in numbers],
        *[(diff[c] > 0).sum().alias(c + "#n") for c in numbers],
        *[(pl.col(c).is_null() != pl.col(c + "#p").is_null()).sum().alias(c + "#nulls") for c in numbers],
    ).collect(engine="streaming").row(0, named=True)
    styles = [c for c in numbers if c.startswith("style.")]
    others = [c for c in numbers if c not in styles]
    worst = max((stats[c] or 0.0 for c in styles), default=0.0)
    differ = sum(stats[c + "#n"] for c in styles)
    nulls = sum(stats[c + "#nulls"] for c in numbers)
    other_worst = max((stats[c] or 0.0 for c in others), default=0.0)
    line = (f"polars create vs riskdesk exposures get: same shape ({ha:,} rows x {len(names)} columns), "
            f"rows {'equal' if stats['#rows_equal'] else 'DIFFER'} (dates and ids in order), "
            f"style columns max |diff| {worst:.3g} ({differ:,} of {ha * len(styles):,} values differ), "
            f"{', '.join(others) or 'no other columns'} max |diff| {other_worst:.3g}")
    if nulls:
        line += f", {nulls:,} values missing on one side only"
    if worst > 0:
        # Where the largest difference is, to look into it.
        c = max(styles, key=lambda s: stats[s] or 0.0)
        at = both.filter(diff[c] == worst).select(*keys, c, c + "#p").head(1).collect().row(0)
        line += f"; largest at {c} {at[0]} {at[1]}: riskdesk {at[2]!r}, polars {at[3]!r}"
    print(line)


if __name__ == "__main__":
    commands = {"pipeline": (pipeline, 3), "checks": (checks, 1), "diff": (diff, 2), "zip": (zip_annual, 2),
                "compare": (compare, 2), "create": (create, 3), "createcheck": (create_check, 2)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or len(sys.argv) != commands[sys.argv[1]][1] + 2:
        sys.exit(__doc__)
    fn, _ = commands[sys.argv[1]]
    fn(*sys.argv[2:])
