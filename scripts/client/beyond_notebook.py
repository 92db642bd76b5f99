"""The platform calls beyond the notebook (the reference's section 7) with the current official
client, run after notebook_current.py against the same server: summaries of committed
versions, version history, commit modes, filtered data, the staging area's summaries, rows,
validation and wiping, a bad upload, risk dataset listing, loading, staleness and update,
exposure dates, deleting a risk dataset and destroying an uploader dataset. A last line of
JSON gives the results for the caller to compare.

    beyond_notebook.py ENDPOINT API_KEY NEW_DAY_CSV BAD_CSV SHORT_DAY_CSV

NEW_DAY_CSV is a day after the committed ones, BAD_CSV a file with a bad value, SHORT_DAY_CSV
a later day with a fraction of the assets (which the validation must flag).
"""
import json
import sys
import tempfile
import zipfile
from pathlib import Path

import polars as pl
from bayesline.apiclient import BayeslineApiClient
from bayesline.api.equity import ExposureSettings, UniverseSettings

endpoint, api_key = sys.argv[1], sys.argv[2]
new_day, bad_csv, short_day = Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5])
bln = BayeslineApiClient.new_client(endpoint=endpoint, api_key=api_key)
uploader = bln.equity.uploaders.get_data_type("exposures").get_dataset("My-Exposures")
out = {}

# Committed versions.
history = uploader.version_history()
out["versions"] = sorted(history)
summary = uploader.get_data_summary()
out["summary"] = summary.select("version", "n_rows", "n_dates").row(0)
at_commit = uploader.get_data_summary(version=history[1])
out["summary_at_commit_time"] = at_commit["version"].item()
detail = uploader.get_data_detail_summary(version=1)
out["detail_columns"] = detail.columns
out["detail_n_assets"] = detail["n_assets"].to_list()
out["commit_modes"] = sorted(uploader.get_commit_modes())

# Filtered data equals the same filter applied to everything.
everything = uploader.get_data().collect()
filters = [("factor_group", "==", "style"), ("date", ">=", "2025-05-03")]
filtered = uploader.get_data(columns=["date", "asset_id", "factor", "exposure"], filters=filters).collect()
expected = everything.filter((pl.col("factor_group") == "style") & (pl.col("date") >= pl.date(2025, 5, 3))).select(
    "date", "asset_id", "factor", "exposure")
out["filtered_rows"] = filtered.height
out["filtered_equal"] = filtered.sort(filtered.columns).equals(expected.sort(expected.columns))
either = uploader.get_data(columns=["factor_group"], unique=True,
                           filters=[[("factor_group", "==", "market")], [("factor_group", "==", "region")]]).collect()
out["or_groups"] = sorted(either["factor_group"].to_list())

# The staging area: a new day, a bad file, summaries, rows, validation, wiping.
tmp = Path(tempfile.mkdtemp())
with zipfile.ZipFile(tmp / "exposures_2025.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write(new_day, new_day.name)
staged = uploader.stage_file(tmp / "exposures_2025.zip")
out["staged"] = [staged.success, sorted(uploader.get_staging_results())]
bad = uploader.stage_file(bad_csv)
out["bad_upload"] = [bad.success, " ".join(m for r in bad.results for m in r.messages)]
staging_summary = uploader.get_staging_data_summary()
out["staging_summary"] = staging_summary.select("_name", "n_dates", "n_assets").rows()
rows = uploader.get_staging_data(columns=["asset_id", "exposure"]).collect()
out["staging_rows"] = [rows.columns, rows.height]
out["validation_clean"] = uploader.validate_staging_data()
uploader.stage_file(short_day)
problems = uploader.validate_staging_data()
out["validation"] = {name: [frame.columns, frame["_name"].to_list()] for name, frame in problems.items()}
wiped = uploader.wipe_staging(names=[new_day.stem, short_day.stem])
out["wiped"] = sorted(wiped)
out["staging_after_wipe"] = sorted(uploader.get_staging_results())

# Risk datasets: list, load, staleness after a new commit, update, dates, delete.
datasets = bln.equity.riskdatasets
out["listed"] = sorted((m.name, m.source) for m in datasets.list_riskdatasets())
loaded = datasets.load("My-Risk-Dataset")
out["loaded_reference"] = loaded.describe().exposure_settings_menu.continuous_hierarchies["style"]
uploader.stage_file(tmp / "exposures_2025.zip")
uploader.commit(mode="append")
out["status_after_commit"] = datasets.get_dataset_names()["My-Risk-Dataset"]
loaded.update()
out["status_after_update"] = datasets.get_dataset_names()["My-Risk-Dataset"]
exposures = bln.equity.exposures.load(ExposureSettings().with_dataset("My-Risk-Dataset"))
out["dates"] = [str(d) for d in exposures.dates(UniverseSettings())]
datasets.delete_dataset("My-Risk-Dataset")
out["after_delete"] = sorted(datasets.get_dataset_names())
uploader.destroy()
out["after_destroy"] = bln.equity.uploaders.get_data_type("exposures").get_datasets()
print(json.dumps(out, default=str))
