//! Portfolios saved by name in the home: a catalog row and the holdings as a Parquet file with
//! the columns of a portfolio file (the id type, `weight`, `date` when dated, `portfolio`), read
//! back by the same reader as a user's file.

use std::io::BufWriter;
use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use serde::{Deserialize, Serialize};

use super::Portfolio;
use crate::store::home::{PORTFOLIOS, Scope};
use crate::store::{catalog, objects, parts};
use crate::{Error, Home, Result};

/// A saved portfolio, as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct PortfolioInfo {
    /// Its name.
    pub name: String,
    /// The id type of its holdings.
    pub id_type: String,
    /// How many holdings (over every portfolio and date it holds).
    pub holdings: u64,
    /// The names of the portfolios it holds, sorted (`[""]`: one, from a file without a
    /// `portfolio` column); a report on one holding several names the one it is about.
    pub portfolios: Vec<String>,
    /// When it was saved, RFC 3339 UTC.
    pub saved: String,
}

fn info(row: catalog::PortfolioRow) -> PortfolioInfo {
    PortfolioInfo {
        name: row.name,
        id_type: row.id_type,
        holdings: row.holdings.max(0) as u64,
        portfolios: row.portfolios,
        saved: row.saved,
    }
}

/// Writes `portfolio`'s holdings at `path` as a portfolio file.
fn write(path: &std::path::Path, portfolio: &Portfolio) -> Result<()> {
    let h = &portfolio.holdings;
    let dated = h.iter().any(|h| h.date.is_some());
    let mut fields = vec![Field::new(&portfolio.id_type, DataType::Utf8, false), Field::new("weight", DataType::Float64, false)];
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(h.iter().map(|h| h.id.as_str()))),
        Arc::new(Float64Array::from_iter_values(h.iter().map(|h| h.weight))),
    ];
    if dated {
        let days: Vec<i32> = h
            .iter()
            .map(|h| match &h.date {
                Some(d) => crate::date::parse_arg(d),
                None => Err(Error::invalid(format!("{}: holding {} has no date while others have one", portfolio.source, h.id))),
            })
            .collect::<Result<_>>()?;
        fields.push(Field::new("date", DataType::Date32, false));
        columns.push(Arc::new(Date32Array::from(days)));
    }
    fields.push(Field::new("portfolio", DataType::Utf8, false));
    columns.push(Arc::new(StringArray::from_iter_values(h.iter().map(|h| h.portfolio.as_str()))));
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?;
    parts::write_object(path, |file| parts::write_batches(BufWriter::new(file), batch.schema(), &[batch]))
}

impl Home {
    /// The saved portfolios, by name.
    pub fn portfolios(&self) -> Result<Vec<PortfolioInfo>> {
        Ok(catalog::portfolios(self.db())?.into_iter().map(info).collect())
    }

    /// Saves `portfolio` under `name`; an existing one of that name is replaced only with `replace`.
    pub fn save_portfolio(&self, name: &str, portfolio: &Portfolio, replace: bool) -> Result<PortfolioInfo> {
        crate::names::check_name("portfolio", name)?;
        if portfolio.holdings.is_empty() {
            return Err(Error::invalid(format!("portfolio '{name}' holds no asset")));
        }
        if let Some(bad) = portfolio.holdings.iter().find(|h| !h.weight.is_finite() || h.id.trim().is_empty()) {
            return Err(Error::invalid(format!("{}: holding '{}' has weight {}", portfolio.source, bad.id, bad.weight)));
        }
        let _lock = self.write_lock(Scope::Portfolios)?;
        if !replace && catalog::portfolio(self.db(), name)?.is_some() {
            return Err(Error::conflict(format!("portfolio '{name}' already exists; delete it or save with replace"), vec![]));
        }
        let objects = self.objects();
        let key = objects::new_key(PORTFOLIOS);
        let row = catalog::PortfolioRow {
            name: name.to_owned(),
            id_type: portfolio.id_type.clone(),
            holdings: portfolio.holdings.len() as i64,
            portfolios: portfolio.names(),
            file: key.clone(),
            saved: crate::date::now(),
        };
        let stored = (|| {
            write(&objects.create(&key)?, portfolio)?;
            objects.publish(&key)?;
            catalog::put_portfolio(self.db(), &row)
        })();
        match stored {
            Ok(old) => {
                if let Some(old) = old {
                    let _ = objects.delete(&old);
                }
                Ok(info(row))
            }
            Err(e) => {
                let _ = objects.delete(&key);
                Err(e)
            }
        }
    }

    /// Deletes a saved portfolio; with `if_exists`, a missing one is not an error. Returns whether one was deleted.
    pub fn delete_portfolio(&self, name: &str, if_exists: bool) -> Result<bool> {
        let _lock = self.write_lock(Scope::Portfolios)?;
        match crate::names::find(name, |n| catalog::delete_portfolio(self.db(), n))? {
            Some(file) => {
                let _ = self.objects().delete(&file);
                Ok(true)
            }
            None if if_exists => Ok(false),
            None => Err(Error::not_found("portfolio", name)),
        }
    }

    /// The holdings of the saved portfolio `name`.
    pub fn saved_portfolio(&self, name: &str) -> Result<Portfolio> {
        let row = crate::names::find(name, |n| catalog::portfolio(self.db(), n))?.ok_or_else(|| Error::not_found("portfolio", name))?;
        let mut portfolio = super::file::read(&self.local(&row.file)?, std::slice::from_ref(&row.id_type))?;
        portfolio.source = format!("saved portfolio '{name}'");
        Ok(portfolio)
    }
}
