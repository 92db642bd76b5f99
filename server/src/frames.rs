//! Data frames sent as Parquet, typed the way the platform's client expects them.

use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Float32Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use riskdesk::uploader::DetailRow;

use crate::ApiError;

/// The staging detail summary: `_name` String, `date` Date, `n_assets` UInt32, then the
/// exposure statistics as Float32, one row per staged name and date.
pub fn detail_summary(rows: &[DetailRow]) -> Result<Vec<u8>, ApiError> {
    let floats = |f: fn(&DetailRow) -> f32| -> ArrayRef { Arc::new(Float32Array::from_iter_values(rows.iter().map(f))) };
    let dates = rows.iter().map(|r| riskdesk::date::parse_arg(&r.date)).collect::<riskdesk::Result<Vec<i32>>>()?;
    let columns: Vec<(&str, DataType, ArrayRef)> = vec![
        ("_name", DataType::Utf8, Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.name.clone().unwrap_or_default())))),
        ("date", DataType::Date32, Arc::new(Date32Array::from(dates))),
        ("n_assets", DataType::UInt32, Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.n_assets)))),
        ("min_exposure", DataType::Float32, floats(|r| r.min_exposure)),
        ("max_exposure", DataType::Float32, floats(|r| r.max_exposure)),
        ("mean_exposure", DataType::Float32, floats(|r| r.mean_exposure)),
        ("median_exposure", DataType::Float32, floats(|r| r.median_exposure)),
        ("std_exposure", DataType::Float32, floats(|r| r.std_exposure)),
    ];
    let schema = Arc::new(Schema::new(columns.iter().map(|(n, t, _)| Field::new(*n, t.clone(), false)).collect::<Vec<_>>()));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns.into_iter().map(|(_, _, a)| a).collect())
        .map_err(|e| ApiError::internal(format!("cannot build the summary frame: {e}")))?;
    let mut bytes = Vec::new();
    riskdesk::store::parts::write_batches(&mut bytes, schema, &[batch])?;
    Ok(bytes)
}
