//! Parquet input: the same layouts as CSV, read through Arrow. Rows are numbered from 1.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{At, Builder, Categorical, Columns, Diagnostic, Layout, Parsed, Source};

/// A string column of any Arrow string type, read as optional bytes.
fn string_at(a: &ArrayRef, row: usize) -> Option<String> {
    if a.is_null(row) {
        return None;
    }
    Some(match a.data_type() {
        DataType::Utf8 => a.as_string::<i32>().value(row).to_owned(),
        DataType::LargeUtf8 => a.as_string::<i64>().value(row).to_owned(),
        DataType::Utf8View => a.as_string_view().value(row).to_owned(),
        DataType::Dictionary(k, _) => {
            // The key at `row` and the dictionary's values, for any integer key type.
            macro_rules! entry {
                ($($key:ident => $ty:ty),*) => {
                    match k.as_ref() {
                        $(DataType::$key => {
                            let d = a.as_dictionary::<$ty>();
                            (d.keys().value(row) as usize, d.values())
                        })*
                        _ => return None,
                    }
                };
            }
            let (key, values) = entry!(UInt32 => UInt32Type, Int32 => Int32Type, Int64 => Int64Type, Int16 => Int16Type,
                Int8 => Int8Type, UInt16 => UInt16Type, UInt8 => UInt8Type);
            return string_at(values, key);
        }
        DataType::Int64 => a.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Int32 => a.as_primitive::<Int32Type>().value(row).to_string(),
        _ => return None,
    })
}

/// A numeric cell as f64 (`Err` when the column is not numeric; `None` when null).
fn number_at(a: &ArrayRef, row: usize) -> Option<Result<f64, ()>> {
    if a.is_null(row) {
        return None;
    }
    Some(match a.data_type() {
        DataType::Float32 => Ok(f64::from(a.as_primitive::<Float32Type>().value(row))),
        DataType::Float64 => Ok(a.as_primitive::<Float64Type>().value(row)),
        DataType::Int32 => Ok(f64::from(a.as_primitive::<Int32Type>().value(row))),
        DataType::Int64 => Ok(a.as_primitive::<Int64Type>().value(row) as f64),
        _ => match string_at(a, row) {
            Some(s) => fast_float2::parse::<f64, _>(s.trim()).map_err(|_| ()),
            None => Err(()),
        },
    })
}

/// A date cell as days since the epoch plus its text.
fn date_at(a: &ArrayRef, row: usize) -> (Option<i32>, String) {
    match a.data_type() {
        DataType::Date32 if !a.is_null(row) => {
            let d = a.as_primitive::<arrow_array::types::Date32Type>().value(row);
            (Some(d), crate::date::format(d))
        }
        DataType::Date64 if !a.is_null(row) => {
            let ms = a.as_primitive::<arrow_array::types::Date64Type>().value(row);
            let d = ms.div_euclid(86_400_000) as i32;
            (Some(d), crate::date::format(d))
        }
        _ => {
            let s = string_at(a, row).unwrap_or_default();
            (crate::date::parse(s.trim().as_bytes()), s)
        }
    }
}

/// Reads one Parquet file from memory.
pub fn parse(bytes: &[u8], src: &Source<'_>) -> Result<Parsed, Vec<Diagnostic>> {
    let fail = |m: String| vec![Diagnostic::file(src.label, m)];
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(bytes))
        .map_err(|e| fail(format!("not a readable Parquet file: {e}")))?;
    let names: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
    let cols = Columns::detect(&names, src).map_err(|d| vec![d])?;
    if cols.date.is_none() && src.name_date.is_none() {
        return Err(fail("no date column, and no date in the file name (<prefix>_YYYY-MM-DD)".into()));
    }
    let reader = builder.with_batch_size(1 << 16).build().map_err(|e| fail(format!("not a readable Parquet file: {e}")))?;
    let mut b = Builder::new(src, names);
    let id_type_name = cols.id_type_from_header.clone().unwrap_or_else(|| super::DEFAULT_ID_TYPE.to_owned());
    let default_id_type = b.frame.asset_id_type.dict.intern_str(&id_type_name);
    let wide_codes: Vec<(usize, u32, u32)> =
        cols.wide.iter().map(|(i, g, f)| (*i, b.frame.factor_group.dict.intern_str(g), b.frame.factor.dict.intern_str(f))).collect();
    let mut categorical = Categorical::default();
    let mut row_base = 0u64;
    for batch in reader {
        let batch: RecordBatch = batch.map_err(|e| fail(format!("unreadable Parquet data: {e}")))?;
        let string = |b: &mut Builder, which, col: usize, row: usize, line| {
            let v = string_at(batch.column(col), row);
            b.string(which, At { line, col }, v.as_deref().unwrap_or("").as_bytes())
        };
        for row in 0..batch.num_rows() {
            let line = row_base + row as u64 + 1;
            let date = match cols.date {
                None => src.name_date,
                Some(c) => {
                    let (d, text) = date_at(batch.column(c), row);
                    b.check_date(At { line, col: c }, text.as_bytes(), d)
                }
            };
            let asset = string(&mut b, 0, cols.asset_id, row, line);
            let id_type = match cols.asset_id_type {
                Some(c) => string(&mut b, 1, c, row, line),
                None => Some(default_id_type),
            };
            let value = |b: &mut Builder, col: usize| -> Option<Option<f32>> {
                let cell = number_at(batch.column(col), row)?;
                let text = string_at(batch.column(col), row).unwrap_or_else(|| format!("{cell:?}"));
                Some(b.number(At { line, col }, text.as_bytes(), cell))
            };
            if cols.layout == Layout::Wide {
                for &(c, group, factor) in &wide_codes {
                    if let Some(v) = value(&mut b, c)
                        && let (Some(d), Some(a), Some(t), Some(v)) = (date, asset, id_type, v)
                    {
                        categorical.see(group, v);
                        b.push(line, d, [a, t, group, factor], v);
                    }
                }
            } else {
                let group = string(&mut b, 2, cols.factor_group, row, line);
                let factor = string(&mut b, 3, cols.factor, row, line);
                let v = match value(&mut b, cols.exposure) {
                    Some(v) => v,
                    None => {
                        b.problem(At { line, col: cols.exposure }, b"", "missing exposure value");
                        None
                    }
                };
                if let (Some(d), Some(a), Some(t), Some(g), Some(f), Some(v)) = (date, asset, id_type, group, factor, v) {
                    b.push(line, d, [a, t, g, f], v);
                }
            }
            if b.full() {
                break;
            }
        }
        row_base += batch.num_rows() as u64;
        if b.full() {
            break;
        }
    }
    let categorical_groups = if cols.layout == Layout::Wide { categorical.groups() } else { Vec::new() };
    b.finish(cols.layout, &categorical_groups, "row")
}
