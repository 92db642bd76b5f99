//! Reference datasets: the universe (security master, market caps, returns) a risk dataset
//! borrows. Imported from a folder or generated for the demo.
//!
//! A reference dataset is stored as up to three Parquet files (zstd) in
//! `data/references/<id>/` — `assets.parquet`, `market_caps.parquet`, `returns.parquet` — and one
//! `reference_dataset` catalog row. Files are written first and the row is recorded in one
//! transaction afterwards, so a failed or killed import leaves nothing visible; the next writer
//! deletes the unrecorded folder.

pub mod demo;
mod files;
pub use files::SeriesDays;
mod import;

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;

use crate::store::catalog::{self, ReferenceRow};
use crate::store::sql::transaction;
use crate::store::{Home, Scope};
use crate::{Error, Result};

/// The name of the demo reference dataset built by [`Home::demo_reference`].
pub const DEMO_REFERENCE: &str = "Demo-Global";

/// The security master of a reference dataset: one row per asset, column-wise, sorted by
/// `asset_id`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferenceAssets {
    /// Primary ids (of the reference's `id_type`), unique and sorted.
    pub asset_id: Vec<String>,
    /// Alternative ids: (id type, e.g. `ticker`; one optional value per asset, aligned with
    /// `asset_id`).
    pub alt_ids: Vec<(String, Vec<Option<String>>)>,
    /// The listing exchange (MIC).
    pub exchange: Vec<String>,
    /// ISO country code.
    pub country: Vec<String>,
    /// ISO currency code.
    pub currency: Vec<String>,
    /// The issuer's name, when known.
    pub name: Vec<Option<String>>,
}

impl ReferenceAssets {
    /// Number of assets.
    pub fn len(&self) -> usize {
        self.asset_id.len()
    }

    /// Whether there are no assets.
    pub fn is_empty(&self) -> bool {
        self.asset_id.is_empty()
    }

    /// Each listing exchange with its number of assets, by exchange code.
    pub(crate) fn exchange_counts(&self) -> Vec<(String, usize)> {
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for e in &self.exchange {
            *counts.entry(e).or_default() += 1;
        }
        counts.into_iter().map(|(e, n)| (e.to_owned(), n)).collect()
    }

    /// The position of an asset by primary id (the assets are sorted by id).
    pub fn index_of(&self, asset_id: &str) -> Option<u32> {
        self.asset_id.binary_search_by(|a| a.as_str().cmp(asset_id)).ok().map(|i| i as u32)
    }
}

/// A whole reference dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The name it is listed under, unique among reference datasets.
    pub name: String,
    /// The primary id's type (`bayesid` unless imported otherwise).
    pub id_type: String,
    /// The security master: one row per asset, sorted by primary id.
    pub assets: ReferenceAssets,
    /// (date as days since 1970 like [`crate::date`], index into `assets`, market cap), sorted
    /// by (date, index).
    pub market_caps: Vec<(i32, u32, f64)>,
    /// (date, index into `assets`, daily return), sorted by (date, index).
    pub returns: Vec<(i32, u32, f64)>,
    /// When it was imported (RFC 3339, UTC).
    pub created: String,
}

/// A reference dataset's ids alone, without the rest of its security master: what reading
/// exposures by any id type needs.
#[derive(Debug, Clone)]
pub struct ReferenceIds {
    /// The reference dataset's name.
    pub name: String,
    /// The primary id's type.
    pub id_type: String,
    /// Primary ids, unique and sorted: an asset's index everywhere is its place here.
    pub asset_id: Vec<String>,
    /// Alternative ids: (id type, one optional value per asset, aligned with `asset_id`).
    pub alt_ids: Vec<(String, Vec<Option<String>>)>,
}

impl ReferenceIds {
    /// Number of assets.
    pub fn len(&self) -> usize {
        self.asset_id.len()
    }

    /// Whether there are no assets.
    pub fn is_empty(&self) -> bool {
        self.asset_id.is_empty()
    }

    /// The primary id type, then the alternative ones.
    pub fn id_types(&self) -> Vec<String> {
        std::iter::once(self.id_type.clone()).chain(self.alt_ids.iter().map(|(t, _)| t.clone())).collect()
    }
}

/// A reference dataset as listed.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ReferenceInfo {
    /// The name it is listed under, unique among reference datasets.
    pub name: String,
    /// The primary id's type.
    pub id_type: String,
    /// The primary id type first, then the alternative id types.
    pub id_types: Vec<String>,
    /// Number of assets.
    pub assets: usize,
    /// Number of distinct exchanges.
    pub exchanges: usize,
    /// First date with market caps (`YYYY-MM-DD`).
    pub first_date: Option<String>,
    /// Last date with market caps (`YYYY-MM-DD`).
    pub last_date: Option<String>,
    /// Whether it holds at least one market cap.
    pub has_market_caps: bool,
    /// Whether it holds at least one daily return.
    pub has_returns: bool,
    /// When it was imported or generated (RFC 3339, UTC).
    pub created: String,
}

impl Reference {
    /// Its listing: counts, id types and the market caps' date range.
    pub fn info(&self) -> ReferenceInfo {
        info_of(&self.row(0))
    }

    /// The catalog row describing it under `id`.
    fn row(&self, id: i64) -> ReferenceRow {
        let exchanges: HashSet<&str> = self.assets.exchange.iter().map(String::as_str).collect();
        ReferenceRow {
            id,
            name: self.name.clone(),
            id_type: self.id_type.clone(),
            id_types: std::iter::once(self.id_type.clone()).chain(self.assets.alt_ids.iter().map(|(t, _)| t.clone())).collect(),
            assets: self.assets.len() as u64,
            exchanges: exchanges.len() as u64,
            first_date: self.market_caps.iter().map(|c| c.0).min(),
            last_date: self.market_caps.iter().map(|c| c.0).max(),
            market_caps: self.market_caps.len() as u64,
            returns: self.returns.len() as u64,
            created: self.created.clone(),
        }
    }
}

fn info_of(row: &ReferenceRow) -> ReferenceInfo {
    ReferenceInfo {
        name: row.name.clone(),
        id_type: row.id_type.clone(),
        id_types: row.id_types.clone(),
        assets: row.assets as usize,
        exchanges: row.exchanges as usize,
        first_date: row.first_date.map(crate::date::format),
        last_date: row.last_date.map(crate::date::format),
        has_market_caps: row.market_caps > 0,
        has_returns: row.returns > 0,
        created: row.created.clone(),
    }
}

/// The primary id type, lowercased, if it is one of [`crate::parse::KNOWN_ID_TYPES`].
fn check_id_type(id_type: &str) -> Result<String> {
    let lower = id_type.trim().to_ascii_lowercase();
    if crate::parse::KNOWN_ID_TYPES.contains(&lower.as_str()) {
        Ok(lower)
    } else {
        Err(Error::invalid(format!("'{id_type}' is not a known id type (expected one of: {})", crate::parse::KNOWN_ID_TYPES.join(", "))))
    }
}

impl Home {
    /// Imports the reference folder `dir` as `name`, whose `asset_id`s are of type `id_type`
    /// (one of `crate::parse::KNOWN_ID_TYPES`); refuses an existing name unless `replace`.
    ///
    /// The folder holds `assets.csv` (or `.parquet`) and optionally `market_caps` and `returns`
    /// in either format; any other (non-hidden) file refuses the import. Everything is checked
    /// before anything is written; a refused import changes nothing.
    pub fn import_reference(&self, name: &str, dir: &Path, id_type: &str, replace: bool) -> Result<ReferenceInfo> {
        crate::names::check_name("reference dataset", name)?;
        let id_type = check_id_type(id_type)?;
        let _lock = self.write_lock(Scope::References)?;
        let existing = catalog::reference(self.db(), name)?;
        if existing.is_some() && !replace {
            return Err(Error::conflict(
                format!("reference dataset '{name}' already exists; import it with replace to overwrite it"),
                Vec::new(),
            ));
        }
        let read = import::read_folder(dir, &id_type)?;
        let reference = Reference {
            name: name.to_owned(),
            id_type,
            assets: read.assets,
            market_caps: read.market_caps,
            returns: read.returns,
            created: crate::date::now(),
        };
        self.store_reference(&reference, existing)
    }

    /// Builds the deterministic demo reference [`DEMO_REFERENCE`] (replacing any previous one):
    /// every asset of [`crate::demo::universe`] for `opts` plus about 2% assets the demo
    /// exposures never mention, with exchanges, countries, currencies, names, tickers, ISINs,
    /// and market caps and returns for every demo date.
    pub fn demo_reference(&self, opts: &crate::demo::DemoOptions) -> Result<ReferenceInfo> {
        opts.check()?;
        let _lock = self.write_lock(Scope::References)?;
        let existing = catalog::reference(self.db(), DEMO_REFERENCE)?;
        let reference = demo::build(opts, crate::date::now());
        self.store_reference(&reference, existing)
    }

    /// Every reference dataset, by name.
    pub fn references(&self) -> Result<Vec<ReferenceInfo>> {
        Ok(catalog::references(self.db())?.iter().map(info_of).collect())
    }

    /// A whole reference dataset, loaded from its files.
    pub fn reference(&self, name: &str) -> Result<Reference> {
        self.read_reference(name, true)
    }

    /// What a risk dataset's build reads of a reference dataset: its ids, exchanges and
    /// currencies. Its `country` and `name` stay empty, and so do its `market_caps` and `returns`
    /// (years of them are large; [`Home::market_caps`] reads them date by date).
    pub(crate) fn reference_assets(&self, name: &str) -> Result<Reference> {
        self.read_reference(name, false)
    }

    /// A reference dataset's ids only (a fraction of its security master to read).
    pub(crate) fn reference_ids(&self, name: &str) -> Result<ReferenceIds> {
        let row =
            crate::names::find(name, |n| catalog::reference(self.db(), n))?.ok_or_else(|| Error::not_found("reference dataset", name))?;
        files::read_ids(&self.reference_folder(&row, false)?, &row)
    }

    /// The market caps of a reference dataset, date by date from `start` on.
    pub(crate) fn market_caps(&self, name: &str, start: i32) -> Result<files::SeriesDays> {
        files::SeriesDays::open(&self.market_caps_file(name)?, "market_cap", start)
    }

    /// The returns of a reference dataset, date by date from `start` on.
    pub(crate) fn returns(&self, name: &str, start: i32) -> Result<files::SeriesDays> {
        let row =
            crate::names::find(name, |n| catalog::reference(self.db(), n))?.ok_or_else(|| Error::not_found("reference dataset", name))?;
        files::SeriesDays::open(&self.local(&format!("{}/{}", Home::reference_key(row.id), files::RETURNS))?, "return", start)
    }

    fn market_caps_file(&self, name: &str) -> Result<std::path::PathBuf> {
        let row =
            crate::names::find(name, |n| catalog::reference(self.db(), n))?.ok_or_else(|| Error::not_found("reference dataset", name))?;
        self.local(&format!("{}/{}", Home::reference_key(row.id), files::MARKET_CAPS))
    }

    /// A local folder holding the files of reference `row` that [`files::read`] reads (the market
    /// caps and returns only with `series`).
    fn reference_folder(&self, row: &ReferenceRow, series: bool) -> Result<std::path::PathBuf> {
        let key = Home::reference_key(row.id);
        let assets = self.local(&format!("{key}/{}", files::ASSETS))?;
        for (file, rows) in [(files::MARKET_CAPS, row.market_caps), (files::RETURNS, row.returns)] {
            if series && rows > 0 {
                self.local(&format!("{key}/{file}"))?;
            }
        }
        Ok(assets.parent().expect("a file in a folder").to_owned())
    }

    fn read_reference(&self, name: &str, series: bool) -> Result<Reference> {
        let row =
            crate::names::find(name, |n| catalog::reference(self.db(), n))?.ok_or_else(|| Error::not_found("reference dataset", name))?;
        let stored = files::read(&self.reference_folder(&row, series)?, &row, series)?;
        Ok(Reference {
            name: row.name,
            id_type: row.id_type,
            assets: stored.assets,
            market_caps: stored.market_caps,
            returns: stored.returns,
            created: row.created,
        })
    }

    /// Deletes a reference dataset: its catalog row, then its files. Refused while risk datasets
    /// are built on it (they read its universe, ids and market caps).
    pub fn delete_reference(&self, name: &str) -> Result<()> {
        let _lock = self.write_lock(Scope::References)?;
        let row =
            crate::names::find(name, |n| catalog::reference(self.db(), n))?.ok_or_else(|| Error::not_found("reference dataset", name))?;
        let users = catalog::risk_datasets_on_reference(self.db(), name)?;
        if !users.is_empty() {
            return Err(Error::conflict(
                format!("reference dataset '{name}' is used by risk dataset(s) {}; delete them first", users.join(", ")),
                users,
            ));
        }
        catalog::delete_reference(self.db(), row.id)?;
        let _ = self.objects().delete(&Home::reference_key(row.id));
        Ok(())
    }

    /// Writes `reference` into a new folder, then records it (replacing `existing`) in one
    /// transaction. The caller holds the write lock.
    fn store_reference(&self, reference: &Reference, existing: Option<ReferenceRow>) -> Result<ReferenceInfo> {
        // A fresh id whose folder does not exist yet (the orphan cleanup may not have removed
        // one yet; never write into one: stored objects are never rewritten).
        let objects = self.objects();
        let mut id = catalog::next_reference_id(self.db())?;
        while objects.exists(&Home::reference_key(id))? {
            id += 1;
        }
        let key = Home::reference_key(id);
        let written = files::write(objects, &key, reference);
        let row = reference.row(id);
        let recorded = written.and_then(|()| {
            transaction(self.db(), |tx| {
                if let Some(old) = &existing {
                    catalog::delete_reference(tx, old.id)?;
                }
                catalog::insert_reference(tx, &row)
            })
        });
        if let Err(e) = recorded {
            let _ = objects.delete(&key);
            return Err(e);
        }
        if let Some(old) = existing {
            let _ = objects.delete(&Home::reference_key(old.id));
        }
        Ok(info_of(&row))
    }
}
