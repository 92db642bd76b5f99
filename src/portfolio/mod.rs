//! Portfolio risk on a risk model: `file` reads a portfolio file (ids of any reference id type,
//! weights or values, dates, several portfolios) into a [`Portfolio`], `saved` keeps portfolios
//! by name in the home, `decompose` computes one portfolio's factor, specific and total risk and
//! their Euler decomposition per factor, group and asset, and `report` matches holdings to the
//! model's universe date by date and reports the risk (annualised), of a portfolio or of its
//! weights against a benchmark, and `export` writes reports as one long table.

mod decompose;
mod export;
mod file;
mod report;
mod saved;

use serde::{Deserialize, Serialize};

pub use export::report_table;
pub use file::read;
pub use report::{AssetRisk, BenchmarkRisk, Contribution, RiskReport, Unmatched};
pub use saved::PortfolioInfo;

/// One holding of a portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Holding {
    /// The portfolio's name (`""` when the file has no `portfolio` column).
    pub portfolio: String,
    /// The date the holding is of (`YYYY-MM-DD`); none: every date.
    pub date: Option<String>,
    /// The asset id, of the portfolio's id type.
    pub id: String,
    /// The weight (values are divided by the sum of their portfolio's values on their date).
    pub weight: f64,
}

/// A portfolio file's holdings: one portfolio or several (by name), for every date or date by
/// date. Read on the caller's machine (see `Backend::read_portfolio`), so a server never needs
/// the caller's paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Portfolio {
    /// Where it came from (a file's name), for messages.
    pub source: String,
    /// The id type of the ids (one of the reference's: `bayesid`, `ticker`, …).
    pub id_type: String,
    /// The holdings, in file order.
    pub holdings: Vec<Holding>,
}

impl Portfolio {
    /// The names of the portfolios it holds, sorted (`[""]` for a file without a `portfolio` column).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.holdings.iter().map(|h| h.portfolio.clone()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// Which portfolio a report is about: holdings sent along, or a saved portfolio by name; and,
/// when either holds several portfolios, which one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct PortfolioChoice {
    /// The holdings.
    pub source: PortfolioSource,
    /// The portfolio's name within them (needed when they hold several).
    #[serde(default)]
    pub name: Option<String>,
}

/// Where a portfolio's holdings come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PortfolioSource {
    /// Holdings read from a file by the caller.
    Holdings(Portfolio),
    /// A portfolio saved in the home, by name.
    Saved(String),
}

/// What a risk report is asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct RiskRequest {
    /// The risk model.
    pub model: String,
    /// The portfolio.
    pub portfolio: PortfolioChoice,
    /// A benchmark: the report is then of the active weights (portfolio − benchmark).
    #[serde(default)]
    pub benchmark: Option<PortfolioChoice>,
    /// The first model date (`YYYY-MM-DD`); none: the last model date (or `end`'s only date).
    #[serde(default)]
    pub start: Option<String>,
    /// The last model date; none: the last model date. A report per model date from `start` to `end`.
    #[serde(default)]
    pub end: Option<String>,
}
