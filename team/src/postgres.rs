//! The catalog in PostgreSQL: [`Pg`] runs the engine's catalog queries ([`Sql`]), [`migrate`]
//! creates and upgrades the schema, [`Pg::lock`] holds a writer's scope with advisory locks on its own session.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as _;
use std::sync::{Arc, Mutex, MutexGuard};

use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};
use riskdesk::store::catalog::POSTGRES_MIGRATIONS;
use riskdesk::store::sql::{Row, Sql, Value};
use riskdesk::{Error, Result};

/// The advisory lock (two-key form: this class, then an id) under which migrations run.
const MIGRATION_LOCK: (i32, i32) = (0x5244_4b31, 1);

/// A catalog error, with PostgreSQL's own message (and detail, if any).
pub(crate) fn error(e: postgres::Error) -> Error {
    let text = match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(d) => format!("{} ({d})", db.message()),
            None => db.message().to_owned(),
        },
        None => match e.source() {
            Some(s) => format!("{e}: {s}"),
            None => e.to_string(),
        },
    };
    Error::Catalog(format!("PostgreSQL: {text}"))
}

/// Opens a connection to the database at `url` (`postgres://USER@HOST:PORT/DB`).
pub fn connect(url: &str) -> Result<Client> {
    Client::connect(url, NoTls).map_err(|e| {
        let Error::Catalog(m) = error(e) else { unreachable!() };
        Error::Catalog(format!("cannot connect to the catalog at {}: {m}", redact(url)))
    })
}

/// `url` without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].find(':') {
            Some(colon) => format!("{}:***{}", &url[..s + 3 + colon], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

/// A catalog connection: one PostgreSQL session, its statements prepared once.
pub struct Pg {
    /// The session, shared with the [`SessionLocks`] taken on it (which release on it).
    client: Arc<Mutex<Client>>,
    prepared: RefCell<HashMap<String, Statement>>,
}

impl Pg {
    /// A connection to the catalog at `url`.
    pub fn open(url: &str) -> Result<Pg> {
        Ok(Pg::new(connect(url)?))
    }

    /// A catalog connection over an open session.
    pub fn new(client: Client) -> Pg {
        Pg { client: Arc::new(Mutex::new(client)), prepared: RefCell::default() }
    }

    fn client(&self) -> MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes the session advisory locks `keys` (each `(key, shared)`), in order, on this
    /// session, waiting `patience` for each, held until the guard drops; `Ok(Err(i))` when
    /// `keys[i]` stayed held by another session that long (the ones taken are released).
    pub fn lock(&self, keys: &[(i64, bool)], patience: std::time::Duration) -> Result<std::result::Result<SessionLocks, usize>> {
        let mut held = SessionLocks { client: Arc::clone(&self.client), held: Vec::with_capacity(keys.len()) };
        for (i, &(key, shared)) in keys.iter().enumerate() {
            if !lock(&mut self.client(), key, shared, patience)? {
                return Ok(Err(i));
            }
            held.held.push((key, shared));
        }
        Ok(Ok(held))
    }

    fn statement(&self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.prepared.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = self.client().prepare(&dollars(sql)).map_err(error)?;
        self.prepared.borrow_mut().insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

/// `sql` with SQLite's `?N` placeholders written as PostgreSQL's `$N`.
fn dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// A [`Value`] bound to a statement, encoded as the parameter's type asks.
#[derive(Debug)]
struct Param<'a>(&'a Value);

/// A column read as a [`Value`], whatever its type.
struct Cell(Value);

fn params(args: &[Value]) -> Vec<Param<'_>> {
    args.iter().map(Param).collect()
}

fn refs<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl Sql for Pg {
    fn execute(&self, sql: &str, args: &[Value]) -> Result<u64> {
        if args.is_empty() && !sql.contains('?') {
            self.client().batch_execute(sql).map_err(error)?;
            return Ok(0);
        }
        let stmt = self.statement(sql)?;
        let p = params(args);
        self.client().execute(&stmt, &refs(&p)).map_err(error)
    }

    fn query(&self, sql: &str, args: &[Value]) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        let p = params(args);
        let rows = self.client().query(&stmt, &refs(&p)).map_err(error)?;
        rows.iter()
            .map(|r| (0..r.len()).map(|i| r.try_get::<_, Cell>(i).map(|c| c.0).map_err(error)).collect::<Result<Vec<_>>>().map(Row))
            .collect()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Creates the schema in an empty database and upgrades an older one, one step per version of
/// [`POSTGRES_MIGRATIONS`], in one transaction under an advisory lock (servers starting at once
/// wait for each other); refuses a schema newer than this build knows.
pub fn migrate(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction().map_err(error)?;
    tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&MIGRATION_LOCK.0, &MIGRATION_LOCK.1]).map_err(error)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS riskdesk_schema (version BIGINT NOT NULL)").map_err(error)?;
    let found: Option<i64> = tx.query_opt("SELECT version FROM riskdesk_schema", &[]).map_err(error)?.map(|r| r.get(0));
    let known = POSTGRES_MIGRATIONS.len() as i64;
    let version = found.unwrap_or(0);
    if version > known {
        return Err(Error::invalid(format!(
            "this team catalog was written by a newer Riskdesk (schema {version}; this one knows up to {known}): upgrade Riskdesk"
        )));
    }
    for step in &POSTGRES_MIGRATIONS[version as usize..] {
        tx.batch_execute(step).map_err(error)?;
    }
    if found.is_none() {
        tx.execute("INSERT INTO riskdesk_schema (version) VALUES ($1)", &[&known]).map_err(error)?;
    } else if version < known {
        tx.execute("UPDATE riskdesk_schema SET version = $1", &[&known]).map_err(error)?;
    }
    tx.commit().map_err(error)
}

/// The advisory lock key of a writer's scope.
pub fn scope_key(scope: &str) -> i64 {
    xxhash_rust::xxh3::xxh3_64(scope.as_bytes()) as i64
}

/// Takes the session advisory lock `key` (`shared` with other shared holders, or alone) on
/// `client` within `patience`; `Ok(false)` when another session held it that long. The
/// session's own lock timeout is left as it was.
fn lock(client: &mut Client, key: i64, shared: bool, patience: std::time::Duration) -> Result<bool> {
    client.batch_execute(&format!("SET lock_timeout = {}", patience.as_millis().max(1))).map_err(error)?;
    let sql = if shared { "SELECT pg_advisory_lock_shared($1)" } else { "SELECT pg_advisory_lock($1)" };
    let taken = client.execute(sql, &[&key]);
    client.batch_execute("RESET lock_timeout").map_err(error)?;
    match taken {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) => Ok(false),
        Err(e) => Err(error(e)),
    }
}

/// Session advisory locks held on a [`Pg`]'s session, released on it when dropped (and by
/// PostgreSQL when the session ends, should the process die first).
pub struct SessionLocks {
    client: Arc<Mutex<Client>>,
    held: Vec<(i64, bool)>,
}

impl Drop for SessionLocks {
    fn drop(&mut self) {
        let mut client = self.client.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for &(key, shared) in self.held.iter().rev() {
            let sql = if shared { "SELECT pg_advisory_unlock_shared($1)" } else { "SELECT pg_advisory_unlock($1)" };
            // A failure means a broken session, whose locks PostgreSQL has released already.
            let _ = client.execute(sql, &[&key]);
        }
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match (self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Int(v), &Type::INT4) => i32::try_from(*v)?.to_sql(ty, out),
            (Value::Int(v), &Type::INT2) => i16::try_from(*v)?.to_sql(ty, out),
            (Value::Int(v), &Type::FLOAT8) => (*v as f64).to_sql(ty, out),
            (Value::Int(v), _) => v.to_sql(ty, out),
            (Value::Real(v), &Type::FLOAT4) => (*v as f32).to_sql(ty, out),
            (Value::Real(v), _) => v.to_sql(ty, out),
            (Value::Text(v), _) => v.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Cell, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Cell(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            _ => Value::Text(<&str>::from_sql(ty, raw)?.to_owned()),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Cell, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_passwords() {
        assert_eq!(dollars("SELECT a FROM t WHERE b = ?1 AND c = ?12 AND d = '?'"), "SELECT a FROM t WHERE b = $1 AND c = $12 AND d = '?'");
        assert_eq!(redact("postgres://ann:s3cret@db:5432/risk"), "postgres://ann:***@db:5432/risk");
        assert_eq!(redact("postgres://ann@db/risk"), "postgres://ann@db/risk");
    }
}
