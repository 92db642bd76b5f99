//! Persisting built risk datasets: one Parquet file each, and a catalog row with the settings,
//! column layout and creation report.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float32Type, UInt16Type, UInt32Type};
use arrow_array::{ArrayRef, Date32Array, DictionaryArray, Float32Array, RecordBatch, StringArray, UInt16Array, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rusqlite::Connection;

use super::build::{Built, CreationReport, Layout};
use super::settings::RiskDatasetSettings;
use crate::error::IoContext;
use crate::frame::{Dict, StrColumn};
use crate::store::{catalog, parts};
use crate::{Error, Result};

/// A risk dataset's catalog row.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub settings: RiskDatasetSettings,
    pub layout: Layout,
    pub report: CreationReport,
    pub file: String,
    pub created: String,
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serializable")
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, name: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::Storage(format!("the catalog's {what} of risk dataset '{name}' cannot be read: {e}")))
}

impl Row {
    fn from_catalog(r: catalog::RiskRow) -> Result<Row> {
        Ok(Row {
            settings: parse("settings", &r.name, &r.settings)?,
            layout: parse("layout", &r.name, &r.layout)?,
            report: parse("report", &r.name, &r.report)?,
            file: r.file,
            created: r.created,
            name: r.name,
        })
    }
}

/// Every risk dataset, by name.
pub fn all(db: &Connection) -> Result<Vec<Row>> {
    catalog::risk_datasets(db)?.into_iter().map(Row::from_catalog).collect()
}

/// One risk dataset by name.
pub fn get(db: &Connection, name: &str) -> Result<Option<Row>> {
    catalog::risk_dataset(db, name)?.map(Row::from_catalog).transpose()
}

/// Replaces (or inserts) the row of `row.name`; returns the old file, if any.
pub fn put(db: &Connection, row: &Row) -> Result<Option<String>> {
    let r = catalog::RiskRow {
        name: row.name.clone(),
        settings: json(&row.settings),
        layout: json(&row.layout),
        report: json(&row.report),
        file: row.file.clone(),
        created: row.created.clone(),
    };
    catalog::put_risk_dataset(db, &r)
}

/// Deletes a row; returns its file.
pub fn delete(db: &Connection, name: &str) -> Result<Option<String>> {
    catalog::delete_risk_dataset(db, name)
}

/// Writes a built dataset as Parquet, atomically.
pub fn write(path: &Path, built: &Built) -> Result<()> {
    let mut fields = vec![
        Field::new("date", DataType::Date32, false),
        Field::new("asset_id", DataType::Dictionary(Box::new(DataType::UInt32), Box::new(DataType::Utf8)), false),
    ];
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(Date32Array::from(built.date.clone())),
        Arc::new(DictionaryArray::<UInt32Type>::try_new(
            UInt32Array::from(built.asset.codes.clone()),
            Arc::new(StringArray::from_iter_values(built.asset.dict.values())),
        )?),
    ];
    for (c, values) in built.layout.numeric.iter().zip(&built.values) {
        fields.push(Field::new(c.label(), DataType::Float32, false));
        columns.push(Arc::new(Float32Array::from(values.clone())));
    }
    for (name, codes, present) in
        [("industry", &built.industry, built.layout.industry.is_some()), ("region", &built.region, built.layout.region.is_some())]
    {
        if present {
            fields.push(Field::new(name, DataType::UInt16, false));
            columns.push(Arc::new(UInt16Array::from(codes.clone())));
        }
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    parts::write_atomically(path, |file| parts::write_batches(BufWriter::new(file), schema, &[batch]))
}

/// Reads a built dataset written by [`write`].
pub fn read(path: &Path, layout: &Layout) -> Result<Built> {
    let file = File::open(path).at("cannot open", path)?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)?.with_batch_size(1 << 22).build()?;
    let mut built = Built { layout: layout.clone(), values: vec![Vec::new(); layout.numeric.len()], ..Default::default() };
    let bad = |what: &str| Error::Storage(format!("{}: {what}", path.display()));
    for batch in reader {
        let batch = batch?;
        let col = |name: &str| batch.column_by_name(name).ok_or_else(|| bad(&format!("missing column {name}")));
        built.date.extend_from_slice(col("date")?.as_primitive::<Date32Type>().values());
        let assets = col("asset_id")?.as_dictionary::<UInt32Type>().clone();
        let values = assets.values().as_string::<i32>();
        let part = StrColumn {
            codes: assets.keys().values().to_vec(),
            dict: Dict::from_values(values.iter().map(|v| v.unwrap_or_default().to_owned()).collect()),
        };
        built.asset.append(&part);
        for (i, c) in layout.numeric.iter().enumerate() {
            built.values[i].extend_from_slice(col(&c.label())?.as_primitive::<Float32Type>().values());
        }
        if layout.industry.is_some() {
            built.industry.extend_from_slice(col("industry")?.as_primitive::<UInt16Type>().values());
        }
        if layout.region.is_some() {
            built.region.extend_from_slice(col("region")?.as_primitive::<UInt16Type>().values());
        }
    }
    Ok(built)
}
