"""The seed notebook ("Initial Exposures Upload and Risk Dataset Creation") verbatim, for
bayesline-apiclient 0.5.0, the version it was written for. Only the three placeholders are
filled in (endpoint, API key, exposure folder, from the command line) and each cell's displayed
value is printed. A last line of JSON gives the results for the caller to compare.

    notebook_050.py ENDPOINT API_KEY EXPOSURE_DIR
"""
import json
import sys
import time

ENDPOINT, API_KEY, EXPOSURE_DIR = sys.argv[1], sys.argv[2], sys.argv[3]
started = time.perf_counter()

# ---- the notebook, cell by cell ----
import datetime as dt
import itertools as it
import shutil
import tempfile
import zipfile

from pathlib import Path

from tqdm import tqdm

from bayesline.apiclient import BayeslineApiClient
from bayesline.api.equity import (
    ExposureSettings, 
    IndustrySettings, 
    RegionSettings,
    RiskDatasetSettings,
    RiskDatasetUploadedExposureSettings,
    UniverseSettings,
)
bln = BayeslineApiClient.new_client(
    endpoint=ENDPOINT,
    api_key=API_KEY,
)
exposure_dir = Path(EXPOSURE_DIR)
assert exposure_dir.exists()
exposure_dataset_name = "My-Exposures"
exposure_uploader = bln.equity.uploaders.get_data_type("exposures")
uploader = exposure_uploader.get_or_create_dataset(exposure_dataset_name)
# list all csv files and group them by year
# expects file pattern "*_YYYY-MM-DD.csv"

all_files = sorted(exposure_dir.glob("*.csv"))
existing_files = uploader.get_staging_results().keys()

files_by_year = {
    k: list(v) 
    for k, v in 
    it.groupby(all_files, lambda x: int(x.name.split("_")[1].split(".")[0].split("-")[0]))
}
print(files_by_year.keys())

print(f"Found {len(all_files)} files.")
print("Years:", ", ".join(map(str, files_by_year)))
temp_dir = Path(tempfile.mkdtemp())
print(f"Created temp directory: {temp_dir}")
for year, files in tqdm(files_by_year.items()):
    zip_path = temp_dir / f"exposures_{year}.zip"

    with zipfile.ZipFile(zip_path, 'w', zipfile.ZIP_DEFLATED) as zipf:
        for file in files:
            zipf.writestr(file.name, file.read_bytes())
for year in files_by_year.keys():
    zip_path = temp_dir / f"exposures_{year}.zip"
    result = uploader.stage_file(zip_path)
    assert result.success
shutil.rmtree(temp_dir)
staging_data_summary_df = uploader.get_staging_data_detail_summary()
print(staging_data_summary_df)
commit_result = uploader.commit(mode="append")
print(commit_result)
risk_datasets = bln.equity.riskdatasets
# exisint datasets which can be used as reference datasets
dataset_names = risk_datasets.get_dataset_names()
print(dataset_names)
risk_dataset_name = "My-Risk-Dataset"
risk_datasets.delete_dataset_if_exists(risk_dataset_name)
factor_groups = uploader.get_data(columns=["factor_group"], unique=True).collect()
print(factor_groups)
settings = RiskDatasetSettings(
    reference_dataset="Bayesline-US-All-1y",
    exposures=[
        RiskDatasetUploadedExposureSettings(
            exposure_source=exposure_dataset_name,
            market_factor_group="market",
            style_factor_group="style",
            industry_factor_group="industry",
            region_factor_group="region",
            style_factor_fill_miss=True,
        ),
    ],
    trim_start_date=dt.date(2025, 5, 1),
)
my_risk_dataset = risk_datasets.create_dataset(risk_dataset_name, settings)
menu = my_risk_dataset.describe().universe_settings_menu
print(menu)
exposures_api = bln.equity.exposures.load(
    ExposureSettings(
        industries=None,
        regions=None,
    )
)
# note that the industry and region hierarchy names tie out with the factor groups we specified above

df = exposures_api.get(
    UniverseSettings(
        dataset=risk_dataset_name, 
        industry=IndustrySettings(hierarchy="industry", include="All"),
        region=RegionSettings(hierarchy="region", include="All")
    )
)

print(df.tail())
# ---- end of the notebook ----

out = Path(EXPOSURE_DIR).parent / "notebook_050.parquet"
df.write_parquet(out)
print(json.dumps({
    "seconds": round(time.perf_counter() - started, 2),
    "summary_rows": staging_data_summary_df.height,
    "n_assets": staging_data_summary_df["n_assets"].to_list(),
    "summary": [[str(x) for x in row[:2]] + list(row[2:]) for row in staging_data_summary_df.rows()],
    "version": commit_result.version,
    "committed": sorted(commit_result.committed_names),
    "dataset_names": dataset_names,
    "factor_groups": sorted(factor_groups["factor_group"].to_list()),
    "id_types": menu.id_types,
    "industries": menu.industry["industry"]["ALL"],
    "columns": df.columns,
    "rows": df.height,
    "frame": str(out),
}))
