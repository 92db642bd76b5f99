//! Data frames sent as Parquet, typed the way the platform's client expects them.

use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Float32Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::{Field, Schema};
use axum::body::Bytes;
use riskdesk::checks::Finding;
use riskdesk::uploader::{DateSummary, DetailRow, StagedSummary};

use crate::ApiError;

/// A batch of named columns (nullable where the arrays have nulls).
pub fn batch(columns: Vec<(&str, ArrayRef)>) -> Result<RecordBatch, ApiError> {
    let fields: Vec<Field> = columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), a.null_count() > 0)).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns.into_iter().map(|(_, a)| a).collect())
        .map_err(|e| ApiError::internal(format!("cannot build a frame: {e}")))
}

/// A Parquet file as a response.
pub fn parquet_response(bytes: Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::CONTENT_TYPE, "application/vnd.apache.parquet")], axum::body::Body::from(bytes)).into_response()
}

/// Batches of one schema as one Parquet file.
pub fn parquet(batches: &[RecordBatch]) -> Result<Bytes, ApiError> {
    let Some(first) = batches.first() else { return Err(ApiError::internal("no frame to send")) };
    let mut bytes = Vec::new();
    riskdesk::table::write_batches(&mut bytes, first.schema(), batches)?;
    Ok(bytes.into())
}

fn dates<'a>(values: impl Iterator<Item = &'a str>) -> Result<ArrayRef, ApiError> {
    let days = values.map(riskdesk::date::parse_arg).collect::<riskdesk::Result<Vec<i32>>>()?;
    Ok(Arc::new(Date32Array::from(days)))
}

fn texts<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// The detail summary: `_name` String (staging only), `date` Date, `n_assets` UInt32, then the
/// exposure statistics as Float32, one row per (staged name and) date.
pub fn detail_summary(rows: &[DetailRow], staging: bool) -> Result<RecordBatch, ApiError> {
    let floats = |f: fn(&DetailRow) -> f32| -> ArrayRef { Arc::new(Float32Array::from_iter_values(rows.iter().map(f))) };
    let mut columns: Vec<(&str, ArrayRef)> = Vec::new();
    if staging {
        columns.push(("_name", texts(rows.iter().map(|r| r.name.as_deref().unwrap_or_default()))));
    }
    columns.extend([
        ("date", dates(rows.iter().map(|r| r.date.as_str()))?),
        ("n_assets", Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.n_assets))) as ArrayRef),
        ("min_exposure", floats(|r| r.min_exposure)),
        ("max_exposure", floats(|r| r.max_exposure)),
        ("mean_exposure", floats(|r| r.mean_exposure)),
        ("median_exposure", floats(|r| r.median_exposure)),
        ("std_exposure", floats(|r| r.std_exposure)),
    ]);
    batch(columns)
}

/// The staging summary: one row per staged name.
pub fn staging_summary(rows: &[StagedSummary]) -> Result<RecordBatch, ApiError> {
    batch(vec![
        ("_name", texts(rows.iter().map(|r| r.name.as_str()))),
        ("source", texts(rows.iter().map(|r| r.source.as_str()))),
        ("parser", texts(rows.iter().map(|r| r.parser.as_str()))),
        ("n_rows", Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.rows)))),
        ("n_dates", Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.dates)))),
        ("min_date", dates(rows.iter().map(|r| r.first_date.as_str()))?),
        ("max_date", dates(rows.iter().map(|r| r.last_date.as_str()))?),
        ("n_assets", Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.assets)))),
        ("factor_groups", texts(rows.iter().map(|r| r.factor_groups.as_str()))),
        ("n_factors", Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.factors)))),
    ])
}

/// The summary of a committed version: one row.
pub fn data_summary(version: u32, rows: &[DateSummary]) -> Result<RecordBatch, ApiError> {
    let first = rows.iter().map(|r| r.date.as_str()).min();
    let last = rows.iter().map(|r| r.date.as_str()).max();
    let mut groups: Vec<&str> = rows.iter().flat_map(|r| r.factor_groups.split(',')).filter(|g| !g.is_empty()).collect();
    groups.sort_unstable();
    groups.dedup();
    let date = |d: Option<&str>| -> Result<ArrayRef, ApiError> {
        Ok(Arc::new(Date32Array::from(vec![d.map(riskdesk::date::parse_arg).transpose()?])))
    };
    batch(vec![
        ("version", Arc::new(UInt32Array::from(vec![version]))),
        ("n_rows", Arc::new(UInt64Array::from(vec![rows.iter().map(|r| r.rows).sum::<u64>()]))),
        ("n_dates", Arc::new(UInt32Array::from(vec![rows.len() as u32]))),
        ("min_date", date(first)?),
        ("max_date", date(last)?),
        ("min_assets", Arc::new(UInt32Array::from(vec![rows.iter().map(|r| r.n_assets).min()]))),
        ("max_assets", Arc::new(UInt32Array::from(vec![rows.iter().map(|r| r.n_assets).max()]))),
        ("factor_groups", texts(std::iter::once(groups.join(",").as_str()))),
    ])
}

/// One failed sanity check's findings, `_name` first (the staged names holding each date).
pub fn findings(names: &[String], findings: &[&Finding]) -> Result<Bytes, ApiError> {
    let opt = |f: fn(&Finding) -> Option<&str>| -> ArrayRef { Arc::new(StringArray::from_iter(findings.iter().map(|x| f(x)))) };
    let floats =
        |f: fn(&Finding) -> f64| -> ArrayRef { Arc::new(arrow_array::Float64Array::from_iter_values(findings.iter().map(|x| f(x)))) };
    parquet(&[batch(vec![
        ("_name", texts(names.iter().map(String::as_str))),
        ("date", dates(findings.iter().map(|f| f.date.as_str()))?),
        ("factor_group", opt(|f| f.factor_group.as_deref())),
        ("factor", opt(|f| f.factor.as_deref())),
        ("value", floats(|f| f.value)),
        ("threshold", floats(|f| f.threshold)),
        ("message", texts(findings.iter().map(|f| f.message.as_str()))),
        ("assets", texts(findings.iter().map(|f| f.assets.join(",")).collect::<Vec<_>>().iter().map(String::as_str))),
    ])?])
}

/// The polars dtype name of an Arrow type, as the schema calls name them.
pub fn polars_dtype(t: &arrow_schema::DataType) -> &'static str {
    use arrow_schema::DataType;
    match t {
        DataType::Date32 => "Date",
        DataType::Float32 => "Float32",
        DataType::Float64 => "Float64",
        DataType::UInt32 => "UInt32",
        DataType::UInt64 => "UInt64",
        _ => "String",
    }
}

/// A frame's columns and polars dtypes, each a JSON string holding a JSON string literal (the
/// client evaluates it).
pub fn dtypes(schema: &Schema) -> serde_json::Map<String, serde_json::Value> {
    schema.fields().iter().map(|f| (f.name().clone(), serde_json::Value::String(format!("\"{}\"", polars_dtype(f.data_type()))))).collect()
}
