"""The seed notebook's uploader steps with the official client (bayesline-apiclient), verbatim
where the uploader API is concerned, against a Riskdesk server. Prints what the notebook prints
and a JSON line of results for the caller to compare.

    notebook_uploader.py ENDPOINT API_KEY EXPOSURE_DIR
"""
import itertools as it
import json
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from bayesline.apiclient import BayeslineApiClient

endpoint, api_key, exposure_dir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
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
groups = uploader.get_data(columns=["factor_group"], unique=True).collect()
print(groups)

print(json.dumps({
    "summary_rows": staging_data_summary_df.height,
    "summary_columns": staging_data_summary_df.columns,
    "summary_dtypes": [str(t) for t in staging_data_summary_df.dtypes],
    "n_assets": staging_data_summary_df["n_assets"].to_list(),
    "version": commit.version,
    "committed": sorted(commit.committed_names),
    "factor_groups": sorted(groups["factor_group"].to_list()),
}))
