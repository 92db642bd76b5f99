//! The catalog schema and its queries. Every multi-row change happens in one transaction, so
//! a crash leaves either the old or the new state.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;
use crate::frame::DayStats;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS dataset (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS staged (
    dataset_id INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    parser TEXT NOT NULL,
    file TEXT NOT NULL,
    rows INTEGER NOT NULL,
    assets INTEGER NOT NULL,
    factor_groups TEXT NOT NULL,
    factors INTEGER NOT NULL,
    timestamp TEXT NOT NULL,
    digest TEXT,
    PRIMARY KEY (dataset_id, name)
);
CREATE TABLE IF NOT EXISTS staged_day (
    dataset_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    date INTEGER NOT NULL,
    rows INTEGER NOT NULL, n_assets INTEGER NOT NULL,
    min REAL, max REAL, mean REAL, median REAL, std REAL,
    PRIMARY KEY (dataset_id, name, date),
    FOREIGN KEY (dataset_id, name) REFERENCES staged(dataset_id, name) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS part (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    date INTEGER NOT NULL,
    file TEXT NOT NULL,
    rows INTEGER NOT NULL, n_assets INTEGER NOT NULL,
    min REAL, max REAL, mean REAL, median REAL, std REAL,
    factor_groups TEXT NOT NULL,
    factors INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS version (
    dataset_id INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    mode TEXT NOT NULL,
    committed_names TEXT NOT NULL,
    PRIMARY KEY (dataset_id, version)
);
CREATE TABLE IF NOT EXISTS version_part (
    dataset_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    part_id INTEGER NOT NULL REFERENCES part(id) ON DELETE CASCADE,
    PRIMARY KEY (dataset_id, version, part_id),
    FOREIGN KEY (dataset_id, version) REFERENCES version(dataset_id, version) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS reference_dataset (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    id_type TEXT NOT NULL,
    id_types TEXT NOT NULL,
    assets INTEGER NOT NULL,
    exchanges INTEGER NOT NULL,
    first_date INTEGER,
    last_date INTEGER,
    market_caps INTEGER NOT NULL,
    returns INTEGER NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS risk_dataset (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    settings TEXT NOT NULL,
    layout TEXT NOT NULL,
    report TEXT NOT NULL,
    file TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_key (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);
";

/// The folder (relative to the home folder) holding one folder per reference dataset, named by its id.
pub const REFERENCES_DIR: &str = "data/references";

/// The schema version this build writes (SQLite's `user_version`). Version 3 added `api_key`
/// (created by `SCHEMA`, like every table).
const SCHEMA_VERSION: i64 = 3;

/// Creates the tables if they are missing and upgrades an older schema; refuses a newer one.
pub fn migrate(db: &Connection) -> Result<()> {
    let version: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(crate::Error::invalid(format!(
            "this catalog was written by a newer Riskdesk (schema {version}; this one knows up to {SCHEMA_VERSION}): upgrade Riskdesk"
        )));
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = db.unchecked_transaction()?;
    tx.execute_batch(SCHEMA)?;
    // Version 2: staged entries remember a digest of their input, so re-staging an identical
    // file is recognised (NULL for entries staged before).
    let has_digest: bool = tx.query_row("SELECT COUNT(*) FROM pragma_table_info('staged') WHERE name = 'digest'", [], |r| r.get(0))?;
    if !has_digest {
        tx.execute_batch("ALTER TABLE staged ADD COLUMN digest TEXT")?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// The current time as RFC 3339 (UTC, milliseconds).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Every stored path (relative to the home folder) that a catalog row references: staged and
/// committed files, risk dataset files, and reference dataset folders (kept whole). The orphan
/// cleanup keeps exactly these, so a new kind of stored file must be added here, nowhere else.
pub fn referenced_files(db: &Connection) -> Result<HashSet<String>> {
    let mut stmt = db.prepare(
        "SELECT file FROM staged
         UNION ALL SELECT file FROM part
         UNION ALL SELECT file FROM risk_dataset
         UNION ALL SELECT ?1 || '/' || id FROM reference_dataset",
    )?;
    let files = stmt.query_map([REFERENCES_DIR], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(files)
}

/// (id, name, created) of every dataset, by name.
pub fn datasets(db: &Connection) -> Result<Vec<(i64, String, String)>> {
    let mut stmt = db.prepare("SELECT id, name, created FROM dataset ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The id of a dataset by name.
pub fn dataset_id(db: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(db.query_row("SELECT id FROM dataset WHERE name = ?1", [name], |r| r.get(0)).optional()?)
}

/// Creates a dataset, returning its id.
pub fn create_dataset(db: &Connection, name: &str) -> Result<i64> {
    db.execute("INSERT INTO dataset (name, created) VALUES (?1, ?2)", params![name, now()])?;
    Ok(db.last_insert_rowid())
}

/// A staged entry as recorded.
#[derive(Debug, Clone)]
pub struct StagedRow {
    pub name: String,
    pub source: String,
    pub parser: String,
    pub file: String,
    pub rows: u64,
    pub assets: u32,
    pub factor_groups: Vec<String>,
    pub factors: u32,
    pub timestamp: String,
    pub days: Vec<DayStats>,
    /// A digest of the input it was staged from (see [`digest`]); `None` for old entries.
    pub digest: Option<String>,
}

/// The digest staged entries record of their input bytes (XXH3, 128 bits, hex).
pub fn digest(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// Records a staged entry with its per-day statistics (inside the caller's transaction).
pub fn insert_staged(db: &Connection, dataset: i64, s: &StagedRow) -> Result<()> {
    db.execute(
        "INSERT INTO staged (dataset_id, name, source, parser, file, rows, assets, factor_groups, factors, timestamp, digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            dataset,
            s.name,
            s.source,
            s.parser,
            s.file,
            s.rows as i64,
            s.assets,
            serde_json::to_string(&s.factor_groups).unwrap(),
            s.factors,
            s.timestamp,
            s.digest
        ],
    )?;
    let mut stmt = db.prepare_cached(
        "INSERT INTO staged_day (dataset_id, name, date, rows, n_assets, min, max, mean, median, std) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for d in &s.days {
        stmt.execute(params![dataset, s.name, d.date, d.rows as i64, d.n_assets, d.min, d.max, d.mean, d.median, d.std])?;
    }
    Ok(())
}

fn day_stats(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<DayStats> {
    let f = |i: usize| -> rusqlite::Result<f64> { Ok(r.get::<_, Option<f64>>(first + i)?.unwrap_or(f64::NAN)) };
    Ok(DayStats {
        date: r.get(first)?,
        rows: r.get::<_, i64>(first + 1)? as u64,
        n_assets: r.get(first + 2)?,
        min: f(3)?,
        max: f(4)?,
        mean: f(5)?,
        median: f(6)?,
        std: f(7)?,
    })
}

/// All staged entries of a dataset, by name, with their days.
pub fn staged(db: &Connection, dataset: i64) -> Result<Vec<StagedRow>> {
    let mut stmt = db.prepare(
        "SELECT name, source, parser, file, rows, assets, factor_groups, factors, timestamp, digest FROM staged WHERE dataset_id = ?1 ORDER BY name",
    )?;
    let mut rows: Vec<StagedRow> = stmt
        .query_map([dataset], |r| {
            Ok(StagedRow {
                name: r.get(0)?,
                source: r.get(1)?,
                parser: r.get(2)?,
                file: r.get(3)?,
                rows: r.get::<_, i64>(4)? as u64,
                assets: r.get(5)?,
                factor_groups: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
                factors: r.get(7)?,
                timestamp: r.get(8)?,
                days: Vec::new(),
                digest: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = db.prepare(
        "SELECT name, date, rows, n_assets, min, max, mean, median, std FROM staged_day WHERE dataset_id = ?1 ORDER BY name, date",
    )?;
    let days = stmt.query_map([dataset], |r| Ok((r.get::<_, String>(0)?, day_stats(r, 1)?)))?;
    let mut by_name: std::collections::HashMap<String, Vec<DayStats>> = std::collections::HashMap::new();
    for d in days {
        let (name, stats) = d?;
        by_name.entry(name).or_default().push(stats);
    }
    for row in &mut rows {
        row.days = by_name.remove(&row.name).unwrap_or_default();
    }
    Ok(rows)
}

/// Removes staged entries by name (inside the caller's transaction).
pub fn delete_staged(db: &Connection, dataset: i64, name: &str) -> Result<()> {
    db.execute("DELETE FROM staged WHERE dataset_id = ?1 AND name = ?2", params![dataset, name])?;
    Ok(())
}

/// A committed file holding one date.
#[derive(Debug, Clone)]
pub struct PartRow {
    pub id: i64,
    pub file: String,
    pub stats: DayStats,
    pub factor_groups: Vec<String>,
    pub factors: u32,
}

/// Records a part, returning its id.
pub fn insert_part(db: &Connection, dataset: i64, p: &PartRow) -> Result<i64> {
    let s = &p.stats;
    db.execute(
        "INSERT INTO part (dataset_id, date, file, rows, n_assets, min, max, mean, median, std, factor_groups, factors)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            dataset,
            s.date,
            p.file,
            s.rows as i64,
            s.n_assets,
            s.min,
            s.max,
            s.mean,
            s.median,
            s.std,
            serde_json::to_string(&p.factor_groups).unwrap(),
            p.factors
        ],
    )?;
    Ok(db.last_insert_rowid())
}

/// The parts of a version, by date.
pub fn version_parts(db: &Connection, dataset: i64, version: u32) -> Result<Vec<PartRow>> {
    let mut stmt = db.prepare(
        "SELECT p.id, p.file, p.date, p.rows, p.n_assets, p.min, p.max, p.mean, p.median, p.std, p.factor_groups, p.factors
         FROM version_part v JOIN part p ON p.id = v.part_id
         WHERE v.dataset_id = ?1 AND v.version = ?2 ORDER BY p.date",
    )?;
    let rows = stmt
        .query_map(params![dataset, version], |r| {
            Ok(PartRow {
                id: r.get(0)?,
                file: r.get(1)?,
                stats: day_stats(r, 2)?,
                factor_groups: serde_json::from_str(&r.get::<_, String>(10)?).unwrap_or_default(),
                factors: r.get(11)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A version as recorded.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub version: u32,
    pub created: String,
    pub mode: String,
    pub committed_names: Vec<String>,
}

/// Every version of a dataset, oldest first.
pub fn versions(db: &Connection, dataset: i64) -> Result<Vec<VersionRow>> {
    let mut stmt = db.prepare("SELECT version, created, mode, committed_names FROM version WHERE dataset_id = ?1 ORDER BY version")?;
    let rows = stmt
        .query_map([dataset], |r| {
            Ok(VersionRow {
                version: r.get(0)?,
                created: r.get(1)?,
                mode: r.get(2)?,
                committed_names: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The newest version number (0 when nothing was committed).
pub fn latest_version(db: &Connection, dataset: i64) -> Result<u32> {
    Ok(db.query_row("SELECT COALESCE(MAX(version), 0) FROM version WHERE dataset_id = ?1", [dataset], |r| r.get(0))?)
}

/// Records a version made of `parts` (inside the caller's transaction).
pub fn insert_version(db: &Connection, dataset: i64, v: &VersionRow, parts: &[i64]) -> Result<()> {
    db.execute(
        "INSERT INTO version (dataset_id, version, created, mode, committed_names) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![dataset, v.version, v.created, v.mode, serde_json::to_string(&v.committed_names).unwrap()],
    )?;
    let mut stmt = db.prepare_cached("INSERT INTO version_part (dataset_id, version, part_id) VALUES (?1, ?2, ?3)")?;
    for p in parts {
        stmt.execute(params![dataset, v.version, p])?;
    }
    Ok(())
}

/// Deletes a dataset and everything recorded under it.
pub fn delete_dataset(db: &Connection, dataset: i64) -> Result<()> {
    let tx = db.unchecked_transaction()?;
    for sql in [
        "DELETE FROM version_part WHERE dataset_id = ?1",
        "DELETE FROM version WHERE dataset_id = ?1",
        "DELETE FROM part WHERE dataset_id = ?1",
        "DELETE FROM staged_day WHERE dataset_id = ?1",
        "DELETE FROM staged WHERE dataset_id = ?1",
        "DELETE FROM dataset WHERE id = ?1",
    ] {
        tx.execute(sql, [dataset])?;
    }
    tx.commit()?;
    Ok(())
}

/// A reference dataset as recorded. Its files live in `data/references/<id>/`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceRow {
    pub id: i64,
    pub name: String,
    /// The primary id's type.
    pub id_type: String,
    /// The primary id type, then the alternative id types in stored order.
    pub id_types: Vec<String>,
    pub assets: u64,
    /// Distinct exchanges (MICs).
    pub exchanges: u64,
    /// First and last date with market caps.
    pub first_date: Option<i32>,
    pub last_date: Option<i32>,
    /// Rows of market caps and of returns (0 when the file is absent).
    pub market_caps: u64,
    pub returns: u64,
    pub created: String,
}

const REFERENCE_COLUMNS: &str = "id, name, id_type, id_types, assets, exchanges, first_date, last_date, market_caps, returns, created";

fn reference_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReferenceRow> {
    Ok(ReferenceRow {
        id: r.get(0)?,
        name: r.get(1)?,
        id_type: r.get(2)?,
        id_types: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
        assets: r.get::<_, i64>(4)? as u64,
        exchanges: r.get::<_, i64>(5)? as u64,
        first_date: r.get(6)?,
        last_date: r.get(7)?,
        market_caps: r.get::<_, i64>(8)? as u64,
        returns: r.get::<_, i64>(9)? as u64,
        created: r.get(10)?,
    })
}

/// Every reference dataset, by name.
pub fn references(db: &Connection) -> Result<Vec<ReferenceRow>> {
    let mut stmt = db.prepare(&format!("SELECT {REFERENCE_COLUMNS} FROM reference_dataset ORDER BY name"))?;
    let rows = stmt.query_map([], reference_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A reference dataset by name.
pub fn reference(db: &Connection, name: &str) -> Result<Option<ReferenceRow>> {
    let sql = format!("SELECT {REFERENCE_COLUMNS} FROM reference_dataset WHERE name = ?1");
    Ok(db.query_row(&sql, [name], reference_row).optional()?)
}

/// One more than the largest reference dataset id (1 when there is none).
pub fn next_reference_id(db: &Connection) -> Result<i64> {
    Ok(db.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM reference_dataset", [], |r| r.get(0))?)
}

/// Records a reference dataset under its id (inside the caller's transaction).
pub fn insert_reference(db: &Connection, r: &ReferenceRow) -> Result<()> {
    db.execute(
        &format!("INSERT INTO reference_dataset ({REFERENCE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
        params![
            r.id,
            r.name,
            r.id_type,
            serde_json::to_string(&r.id_types).unwrap(),
            r.assets as i64,
            r.exchanges as i64,
            r.first_date,
            r.last_date,
            r.market_caps as i64,
            r.returns as i64,
            r.created
        ],
    )?;
    Ok(())
}

/// Removes a reference dataset's row (inside the caller's transaction, if any).
pub fn delete_reference(db: &Connection, id: i64) -> Result<()> {
    db.execute("DELETE FROM reference_dataset WHERE id = ?1", [id])?;
    Ok(())
}

/// A risk dataset as recorded. Its settings, column layout and creation report are JSON here;
/// their types live with the risk datasets.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskRow {
    pub name: String,
    pub settings: String,
    pub layout: String,
    pub report: String,
    /// Its Parquet file, relative to the home folder.
    pub file: String,
    pub created: String,
}

fn risk_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RiskRow> {
    Ok(RiskRow { name: r.get(0)?, settings: r.get(1)?, layout: r.get(2)?, report: r.get(3)?, file: r.get(4)?, created: r.get(5)? })
}

/// Every risk dataset, by name.
pub fn risk_datasets(db: &Connection) -> Result<Vec<RiskRow>> {
    let mut stmt = db.prepare("SELECT name, settings, layout, report, file, created FROM risk_dataset ORDER BY name")?;
    let rows = stmt.query_map([], risk_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// One risk dataset by name.
pub fn risk_dataset(db: &Connection, name: &str) -> Result<Option<RiskRow>> {
    let sql = "SELECT name, settings, layout, report, file, created FROM risk_dataset WHERE name = ?1";
    Ok(db.query_row(sql, [name], risk_row).optional()?)
}

/// Replaces (or inserts) the risk dataset `row.name` in one transaction; returns the file it
/// had before, if another.
pub fn put_risk_dataset(db: &Connection, row: &RiskRow) -> Result<Option<String>> {
    let tx = db.unchecked_transaction()?;
    let old: Option<String> = tx.query_row("SELECT file FROM risk_dataset WHERE name = ?1", [&row.name], |r| r.get(0)).optional()?;
    tx.execute("DELETE FROM risk_dataset WHERE name = ?1", [&row.name])?;
    tx.execute(
        "INSERT INTO risk_dataset (name, settings, layout, report, file, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![row.name, row.settings, row.layout, row.report, row.file, row.created],
    )?;
    tx.commit()?;
    Ok(old.filter(|f| *f != row.file))
}

/// The risk datasets built on reference dataset `reference`, by name.
pub fn risk_datasets_on_reference(db: &Connection, reference: &str) -> Result<Vec<String>> {
    let mut stmt = db.prepare("SELECT name FROM risk_dataset WHERE json_extract(report, '$.reference_dataset') = ?1 ORDER BY name")?;
    let names = stmt.query_map([reference], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

/// Deletes a risk dataset; returns its file.
pub fn delete_risk_dataset(db: &Connection, name: &str) -> Result<Option<String>> {
    let file: Option<String> = db.query_row("SELECT file FROM risk_dataset WHERE name = ?1", [name], |r| r.get(0)).optional()?;
    db.execute("DELETE FROM risk_dataset WHERE name = ?1", [name])?;
    Ok(file)
}

/// A stored API key: its id, user and creation time (the key itself is never stored).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ApiKey {
    pub id: i64,
    pub user: String,
    pub created: String,
}

/// Records a key by its hash; returns its id (never reused, even after a revocation).
pub fn insert_key(db: &Connection, user: &str, hash: &str, created: &str) -> Result<i64> {
    db.execute("INSERT INTO api_key (user, hash, created) VALUES (?1, ?2, ?3)", params![user, hash, created])?;
    Ok(db.last_insert_rowid())
}

/// Every key, oldest first.
pub fn keys(db: &Connection) -> Result<Vec<ApiKey>> {
    let mut stmt = db.prepare("SELECT id, user, created FROM api_key ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok(ApiKey { id: r.get(0)?, user: r.get(1)?, created: r.get(2)? }))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Deletes key `id`; returns the deleted row, if there was one.
pub fn delete_key(db: &Connection, id: i64) -> Result<Option<ApiKey>> {
    let row = db
        .query_row("SELECT id, user, created FROM api_key WHERE id = ?1", [id], |r| {
            Ok(ApiKey { id: r.get(0)?, user: r.get(1)?, created: r.get(2)? })
        })
        .optional()?;
    db.execute("DELETE FROM api_key WHERE id = ?1", [id])?;
    Ok(row)
}

/// The user of the key with this hash.
pub fn key_user(db: &Connection, hash: &str) -> Result<Option<String>> {
    Ok(db.query_row("SELECT user FROM api_key WHERE hash = ?1", [hash], |r| r.get(0)).optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_catalog_is_upgraded_and_a_newer_one_refused() {
        let db = Connection::open_in_memory().unwrap();
        migrate(&db).unwrap();
        // A version 2 catalog: no key table yet.
        db.execute_batch("DROP TABLE api_key; PRAGMA user_version = 2;").unwrap();
        migrate(&db).unwrap();
        assert_eq!(db.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap(), SCHEMA_VERSION);
        assert_eq!(insert_key(&db, "tester@example.com", "h", "t").unwrap(), 1);
        db.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        assert!(migrate(&db).unwrap_err().to_string().contains("newer Riskdesk"));
    }
}
