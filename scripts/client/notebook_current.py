"""The seed notebook adapted to the current official client (bayesline-apiclient 0.24.x): the
same steps, with the settings objects the current API names (the reference's section 0 lists
what changed). A last line of JSON gives the results for the caller to compare.

    notebook_current.py ENDPOINT API_KEY EXPOSURE_DIR
"""
import datetime as dt
import itertools as it
import json
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bayesline.apiclient import BayeslineApiClient
from bayesline.api.equity import (
    CategoricalFilterSettings,
    DerivedRiskDatasetSettings,
    ExposureSettings,
    RiskDatasetUploadedExposureSettings,
    UniverseSettings,
)

endpoint, api_key, exposure_dir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
started = time.perf_counter()
bln = BayeslineApiClient.new_client(endpoint=endpoint, api_key=api_key)

exposure_dataset_name = "My-Exposures"
exposure_uploader = bln.equity.uploaders.get_data_type("exposures")
uploader = exposure_uploader.get_or_create_dataset(exposure_dataset_name)

all_files = sorted(exposure_dir.glob("*.csv"))
existing_files = uploader.get_staging_results().keys()
files_by_year = {
    k: list(v) for k, v in it.groupby(all_files, lambda x: int(x.name.split("_")[1].split(".")[0].split("-")[0]))
}
print(f"Found {len(all_files)} files.")
print("Years:", ", ".join(map(str, files_by_year)))

temp_dir = Path(tempfile.mkdtemp())
for year, files in files_by_year.items():
    zip_path = temp_dir / f"exposures_{year}.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zipf:
        for file in files:
            zipf.writestr(file.name, file.read_bytes())
for year in files_by_year.keys():
    zip_path = temp_dir / f"exposures_{year}.zip"
    result = uploader.stage_file(zip_path)
    assert result.success, result
shutil.rmtree(temp_dir)

staging_data_summary_df = uploader.get_staging_data_detail_summary()
print(staging_data_summary_df)
commit = uploader.commit(mode="append")
print(commit)

risk_datasets = bln.equity.riskdatasets
dataset_names = risk_datasets.get_dataset_names()
print(dataset_names)
risk_dataset_name = "My-Risk-Dataset"
risk_datasets.delete_dataset_if_exists(risk_dataset_name)
groups = uploader.get_data(columns=["factor_group"], unique=True).collect()
print(groups)

settings = DerivedRiskDatasetSettings(
    reference_dataset="Bayesline-US-All-1y",
    exposures=[
        RiskDatasetUploadedExposureSettings(
            exposure_source=exposure_dataset_name,
            continuous_factor_groups=["market", "style"],
            categorical_factor_groups=["industry", "region"],
            factor_groups_fill_miss=["style"],
        ),
    ],
    trim_assets="ccy_union",
    trim_start_date=dt.date(2025, 5, 1),
)
my_risk_dataset = risk_datasets.create_dataset(risk_dataset_name, settings)
menu = my_risk_dataset.describe().universe_settings_menu
print(menu)

exposures_api = bln.equity.exposures.load(ExposureSettings().with_dataset(risk_dataset_name))
df = exposures_api.get(
    UniverseSettings(
        categorical_filters=[
            CategoricalFilterSettings(hierarchy="industry", include="All"),
            CategoricalFilterSettings(hierarchy="region", include="All"),
        ]
    ),
    standardize_universe=None,
)
print(df.tail())

out = exposure_dir.parent / "notebook_current.parquet"
df.write_parquet(out)
print(json.dumps({
    "seconds": round(time.perf_counter() - started, 2),
    "summary_rows": staging_data_summary_df.height,
    "n_assets": staging_data_summary_df["n_assets"].to_list(),
    "summary": [[str(x) for x in row[:2]] + list(row[2:]) for row in staging_data_summary_df.rows()],
    "version": commit.version,
    "committed": sorted(commit.committed_names),
    "dataset_names": sorted(dataset_names),
    "factor_groups": sorted(groups["factor_group"].to_list()),
    "id_types": menu.id_types,
    "industries": menu.categorical_hierarchies["industry"],
    "columns": df.columns,
    "rows": df.height,
    "frame": str(out),
}))
