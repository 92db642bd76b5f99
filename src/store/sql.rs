//! The catalog's database connection, whatever the database: [`Sql`] runs statements with plain
//! [`Value`]s, so the catalog's queries are written once for SQLite (the embedded store) and
//! PostgreSQL (a team store, in the `riskdesk-team` crate).
//!
//! Statements use SQLite's numbered placeholders (`?1`, `?2`, …), which an implementation rewrites
//! for its database; they stay within the SQL both databases share (`RETURNING` included).

use rusqlite::types::{ToSqlOutput, ValueRef};

use crate::{Error, Result};

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL `NULL` (also how a NaN real is bound, see `From<f64>`).
    Null,
    /// An integer (SQLite's `INTEGER`, PostgreSQL's `BIGINT`).
    Int(i64),
    /// A floating-point number (SQLite's `REAL`, PostgreSQL's `DOUBLE PRECISION`).
    Real(f64),
    /// A string (`TEXT`).
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(v.into())
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}
impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::Int(v as i64)
    }
}
impl From<f64> for Value {
    /// NaN is stored as NULL (neither database keeps it in a REAL column the same way).
    fn from(v: f64) -> Self {
        if v.is_nan() { Value::Null } else { Value::Real(v) }
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// The values of a statement's placeholders, in order: `args![a, b]`.
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::store::sql::Value::from($v)),*] as &[$crate::store::sql::Value] };
}

/// One row of a query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> &Value {
        &self.0[i]
    }

    fn wrong(&self, i: usize, what: &str) -> Error {
        Error::Catalog(format!("column {i} is {:?}, expected {what}", self.at(i)))
    }

    /// An integer column (NULL is an error).
    pub fn int(&self, i: usize) -> Result<i64> {
        self.opt_int(i)?.ok_or_else(|| self.wrong(i, "an integer"))
    }

    /// An integer column that may be NULL.
    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.at(i) {
            Value::Int(v) => Ok(Some(*v)),
            Value::Null => Ok(None),
            _ => Err(self.wrong(i, "an integer")),
        }
    }

    /// A real column; NULL reads as NaN.
    pub(crate) fn real(&self, i: usize) -> Result<f64> {
        match self.at(i) {
            Value::Real(v) => Ok(*v),
            Value::Int(v) => Ok(*v as f64),
            Value::Null => Ok(f64::NAN),
            _ => Err(self.wrong(i, "a number")),
        }
    }

    /// A text column (NULL is an error).
    pub fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?.ok_or_else(|| self.wrong(i, "text"))
    }

    /// A text column that may be NULL.
    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.at(i) {
            Value::Text(v) => Ok(Some(v.clone())),
            Value::Null => Ok(None),
            _ => Err(self.wrong(i, "text")),
        }
    }
}

/// A connection to the catalog's database.
pub trait Sql: Send {
    /// Runs a statement; returns the number of rows it changed.
    fn execute(&self, sql: &str, args: &[Value]) -> Result<u64>;
    /// Runs a query; returns its rows.
    fn query(&self, sql: &str, args: &[Value]) -> Result<Vec<Row>>;

    /// The first row of a query, if any.
    fn query_opt(&self, sql: &str, args: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, args)?.into_iter().next())
    }
    /// The one row of a query (an aggregate, or `RETURNING`).
    fn query_one(&self, sql: &str, args: &[Value]) -> Result<Row> {
        self.query_opt(sql, args)?.ok_or_else(|| Error::Catalog(format!("no row from: {sql}")))
    }
    /// This connection as what it is, so that a [`super::Storage`] can use its own kind of
    /// connection as such (a team store takes a writer's locks on the writer's own session).
    fn as_any(&self) -> &dyn std::any::Any;
}

/// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
pub fn transaction<T>(db: &dyn Sql, work: impl FnOnce(&dyn Sql) -> Result<T>) -> Result<T> {
    db.execute("BEGIN", &[])?;
    match work(db) {
        Ok(v) => {
            db.execute("COMMIT", &[])?;
            Ok(v)
        }
        Err(e) => {
            let _ = db.execute("ROLLBACK", &[]);
            Err(e)
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Catalog(e.to_string())
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
        })
    }
}

/// The embedded catalog: SQLite.
impl Sql for rusqlite::Connection {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn execute(&self, sql: &str, args: &[Value]) -> Result<u64> {
        if args.is_empty() && !sql.contains('?') {
            self.execute_batch(sql)?;
            return Ok(0);
        }
        Ok(self.prepare_cached(sql)?.execute(rusqlite::params_from_iter(args))? as u64)
    }

    fn query(&self, sql: &str, args: &[Value]) -> Result<Vec<Row>> {
        let mut stmt = self.prepare_cached(sql)?;
        let width = stmt.column_count();
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            (0..width)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(v) => Value::Int(v),
                        ValueRef::Real(v) => Value::Real(v),
                        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(_) => Value::Null,
                    })
                })
                .collect::<rusqlite::Result<Vec<_>>>()
                .map(Row)
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
