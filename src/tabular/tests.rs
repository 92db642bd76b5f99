use std::sync::Arc;

use ::parquet::arrow::ArrowWriter;
use arrow_array::types::{Int32Type, UInt16Type};
use arrow_array::{
    Array, ArrayRef, Date32Array, Date64Array, DictionaryArray, Float32Array, Float64Array, Int32Array, Int64Array, LargeStringArray,
    RecordBatch, StringArray, StringViewArray,
};

use super::*;

/// A Parquet file of one batch holding `columns` (named).
fn parquet_file(columns: Vec<(&str, ArrayRef)>) -> Vec<u8> {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}

/// Every row of column 0 read as `kind` by `get`; problems as `Err` with their diagnostic.
fn read_all<T>(reader: &mut Reader<'_>, kind: Kind, get: impl Fn(&mut Row<'_, '_>) -> Cell<T>) -> Vec<Result<Option<T>, Diagnostic>> {
    reader.select(&[(0, kind)]).unwrap();
    let mut out = Vec::new();
    while let Some(mut row) = reader.next_row().unwrap() {
        out.push(get(&mut row).map_err(|d| *d));
    }
    out
}

fn dictionary<K: arrow_array::types::ArrowDictionaryKeyType>(values: &[Option<&str>]) -> ArrayRef {
    Arc::new(values.iter().copied().collect::<DictionaryArray<K>>())
}

#[test]
fn one_column_stored_as_any_numeric_or_text_type_reads_the_same() {
    let text = [Some("1"), Some("-2"), None, Some("40")];
    let stored: Vec<(&str, ArrayRef)> = vec![
        ("Int32", Arc::new(Int32Array::from(vec![Some(1), Some(-2), None, Some(40)]))),
        ("Int64", Arc::new(Int64Array::from(vec![Some(1), Some(-2), None, Some(40)]))),
        ("Float32", Arc::new(Float32Array::from(vec![Some(1.0), Some(-2.0), None, Some(40.0)]))),
        ("Float64", Arc::new(Float64Array::from(vec![Some(1.0), Some(-2.0), None, Some(40.0)]))),
        ("Utf8", Arc::new(StringArray::from(text.to_vec()))),
        ("LargeUtf8", Arc::new(LargeStringArray::from(text.to_vec()))),
        ("Utf8View", Arc::new(StringViewArray::from(text.to_vec()))),
        ("Dictionary(Int32, Utf8)", dictionary::<Int32Type>(&text)),
        ("Dictionary(UInt16, Utf8)", dictionary::<UInt16Type>(&text)),
    ];
    for (what, array) in stored {
        let file = parquet_file(vec![("value", array.clone())]);
        let open = || Reader::open(Input::Bytes(&file), Format::Parquet, "t.parquet").unwrap();
        let mut r = open();
        // The type survives the round trip through the file.
        assert_eq!(r.body_type(0), *array.data_type(), "{what}");
        assert_eq!(read_all(&mut r, Kind::F64, |row| row.f64(0)), [Ok(Some(1.0)), Ok(Some(-2.0)), Ok(None), Ok(Some(40.0))], "{what}");
        let f32s = read_all(&mut open(), Kind::F32, |row| row.f32(0));
        assert_eq!(f32s, [Ok(Some(1.0)), Ok(Some(-2.0)), Ok(None), Ok(Some(40.0))], "{what}");
        if !what.starts_with("Float") {
            let mut r = open();
            r.select(&[(0, Kind::Text)]).unwrap();
            let mut texts = Vec::new();
            while let Some(row) = r.next_row().unwrap() {
                texts.push(row.text(0).unwrap().to_owned());
            }
            assert_eq!(texts, ["1", "-2", "", "40"], "{what}");
        }
    }
    // And the same column as CSV.
    let csv = b"value\n1\n-2\n\n40\n";
    let mut r = Reader::open(Input::Bytes(csv), Format::Csv, "t.csv").unwrap();
    assert_eq!(read_all(&mut r, Kind::F64, |row| row.f64(0)), [Ok(Some(1.0)), Ok(Some(-2.0)), Ok(Some(40.0))]);
    let csv = b"value,x\n1,a\n-2,b\n ,c\n40,d\n";
    let mut r = Reader::open(Input::Bytes(csv), Format::Csv, "t.csv").unwrap();
    assert_eq!(read_all(&mut r, Kind::F64, |row| row.f64(0)), [Ok(Some(1.0)), Ok(Some(-2.0)), Ok(None), Ok(Some(40.0))]);
}

#[test]
fn dates_from_date_types_and_strict_text() {
    let day = |s: &str| crate::date::parse(s.as_bytes()).unwrap();
    let text = [Some("2025-05-01"), None, Some("2025-05-31")];
    let stored: Vec<(&str, ArrayRef)> = vec![
        ("Date32", Arc::new(Date32Array::from(vec![Some(day("2025-05-01")), None, Some(day("2025-05-31"))]))),
        (
            "Date64",
            Arc::new(Date64Array::from(vec![
                Some(i64::from(day("2025-05-01")) * 86_400_000),
                None,
                Some(i64::from(day("2025-05-31")) * 86_400_000),
            ])),
        ),
        ("Utf8", Arc::new(StringArray::from(text.to_vec()))),
        ("Utf8View", Arc::new(StringViewArray::from(text.to_vec()))),
        ("Dictionary(Int32, Utf8)", dictionary::<Int32Type>(&text)),
    ];
    for (what, array) in stored {
        let file = parquet_file(vec![("date", array)]);
        let mut r = Reader::open(Input::Bytes(&file), Format::Parquet, "t.parquet").unwrap();
        assert_eq!(
            read_all(&mut r, Kind::Date, |row| row.date(0)),
            [Ok(Some(day("2025-05-01"))), Ok(None), Ok(Some(day("2025-05-31")))],
            "{what}"
        );
    }
    // Text dates are exactly YYYY-MM-DD, in CSV and Parquet alike (the cast kernel would take these).
    let file = parquet_file(vec![("date", Arc::new(StringArray::from(vec!["2025-5-1", "2025-05-01T10:00:00"])) as ArrayRef)]);
    let mut r = Reader::open(Input::Bytes(&file), Format::Parquet, "t.parquet").unwrap();
    let got = read_all(&mut r, Kind::Date, |row| row.date(0));
    let values: Vec<Option<String>> = got.iter().map(|r| r.as_ref().unwrap_err().value.clone()).collect();
    assert_eq!(values, [Some("2025-5-1".into()), Some("2025-05-01T10:00:00".into())]);
    let mut r = Reader::open(Input::Bytes(b"date\n2025-5-1\n2025-05-02\n2025-05-02\n"), Format::Csv, "t.csv").unwrap();
    let got = read_all(&mut r, Kind::Date, |row| row.date(0));
    assert!(got[0].is_err() && got[1] == Ok(Some(day("2025-05-02"))) && got[2] == got[1], "{got:?}");
    // A number is not taken for a count of days.
    let file = parquet_file(vec![("date", Arc::new(Int32Array::from(vec![20250501])) as ArrayRef)]);
    let mut r = Reader::open(Input::Bytes(&file), Format::Parquet, "t.parquet").unwrap();
    let e = r.select(&[(0, Kind::Date)]).unwrap_err();
    assert_eq!((e.line, e.column, e.value.as_deref()), (Some(1), Some(1), Some("date")));
    assert!(e.message.contains("unsupported column type Int32"), "{e}");
}

#[test]
fn a_bad_cell_is_located_with_row_column_name_and_value() {
    let text = vec![Some("1.5"), Some("abc"), None, Some("2")];
    let stored: Vec<(&str, ArrayRef)> = vec![
        ("Utf8", Arc::new(StringArray::from(text.clone()))),
        ("LargeUtf8", Arc::new(LargeStringArray::from(text.clone()))),
        ("Utf8View", Arc::new(StringViewArray::from(text.clone()))),
        ("Dictionary(UInt16, Utf8)", dictionary::<UInt16Type>(&text)),
    ];
    for (what, array) in stored {
        let id: ArrayRef = Arc::new(StringArray::from(vec!["A", "B", "C", "D"]));
        let file = parquet_file(vec![("asset_id", id), ("exposure", array)]);
        let mut r = Reader::open(Input::Bytes(&file), Format::Parquet, "x.parquet").unwrap();
        r.select(&[(0, Kind::Text), (1, Kind::F32)]).unwrap();
        let mut got = Vec::new();
        while let Some(mut row) = r.next_row().unwrap() {
            got.push((row.line(), row.bytes(0).to_vec(), row.f32(1).map_err(|d| *d)));
        }
        let bad = Diagnostic {
            line: Some(2),
            column: Some(2),
            column_name: Some("exposure".into()),
            value: Some("abc".into()),
            ..Diagnostic::file("x.parquet", "not a number")
        };
        assert_eq!(
            got,
            [
                (1, b"A".to_vec(), Ok(Some(1.5))),
                (2, b"B".to_vec(), Err(bad)),
                (3, b"C".to_vec(), Ok(None)),
                (4, b"D".to_vec(), Ok(Some(2.0)))
            ],
            "{what}"
        );
    }
    // The same cell in CSV: the line counts the header.
    let mut r = Reader::open(Input::Bytes(b"asset_id,exposure\nA,1.5\nB,abc\nC,\n"), Format::Csv, "x.csv").unwrap();
    let got = read_all(&mut r, Kind::F32, |row| row.f32(1));
    let e = got[1].as_ref().unwrap_err();
    assert_eq!((e.line, e.column, e.column_name.as_deref(), e.value.as_deref()), (Some(3), Some(2), Some("exposure"), Some("abc")));
    assert_eq!(e.to_string(), "x.csv: line 3, column 2 (exposure): not a number: 'abc'");
    assert_eq!((&got[0], &got[2]), (&Ok(Some(1.5)), &Ok(None)));
}

#[test]
fn rows_are_numbered_across_batches_and_values_shown_as_stored() {
    let n = super::parquet::BATCH + 10;
    let mut values: Vec<Option<f64>> = (0..n).map(|i| Some(i as f64)).collect();
    values[n - 3] = None;
    let file = parquet_file(vec![("market_cap", Arc::new(Float64Array::from(values)) as ArrayRef)]);
    let mut r = Reader::open(Input::Bytes(&file), Format::Parquet, "m.parquet").unwrap();
    r.select(&[(0, Kind::Text)]).unwrap();
    let mut last = None;
    while let Some(row) = r.next_row().unwrap() {
        if row.line() == n as u64 - 2 {
            assert_eq!((row.text(0).unwrap(), row.shown(0)), ("", String::new()));
        }
        if row.line() == n as u64 {
            let p = row.problem(0, "too big");
            assert_eq!((p.line, p.value.as_deref()), (Some(n as u64), Some(format!("{}.0", n - 1).as_str())));
        }
        last = Some(row.line());
    }
    assert_eq!(last, Some(n as u64));
}

#[test]
fn csv_rows_that_cannot_be_read() {
    assert_eq!(Reader::open(Input::Bytes(b" \n"), Format::Csv, "e.csv").err().unwrap().message, "the file is empty");
    let e = Reader::open(Input::Bytes(b"a,\xff\n"), Format::Csv, "h.csv").err().unwrap();
    assert_eq!((e.line, e.column, e.message.as_str()), (Some(1), Some(2), "the header is not valid UTF-8 text"));
    let mut r = Reader::open(Input::Bytes(b"\xEF\xBB\xBF a ,b\n1,2\n3\n4,\xff\n\"5,6\n"), Format::Csv, "r.csv").unwrap();
    assert_eq!(r.header(), ["a", "b"]);
    r.select(&[(0, Kind::F64), (1, Kind::Text)]).unwrap();
    assert_eq!(r.next_row().unwrap().unwrap().f64(0).unwrap(), Some(1.0));
    let e = r.next_row().err().unwrap();
    assert_eq!((e.line, e.message.as_str()), (Some(3), "this line has 1 fields but the header has 2"));
    let row = r.next_row().unwrap().unwrap();
    let e = row.text(1).unwrap_err();
    assert_eq!((e.line, e.column, e.message.as_str()), (Some(4), Some(2), "not valid UTF-8 text"));
    assert_eq!(r.next_row().err().unwrap().message, "a quoted field is never closed");
    assert!(r.next_row().unwrap().is_none());
}

#[test]
fn parquet_that_cannot_be_read() {
    let e = Reader::open(Input::Bytes(b"not parquet"), Format::Parquet, "p.parquet").err().unwrap();
    assert!(e.message.starts_with("not a readable Parquet file"), "{e}");
    let missing = std::path::Path::new("/nonexistent/p.parquet");
    assert!(Reader::open(Input::File(missing), Format::Parquet, "p.parquet").err().unwrap().message.starts_with("cannot open"));
}
