//! Portfolio risk on a risk model (issue 21, in progress): `file` reads a portfolio file (ids of
//! any reference id type, weights or values, dates, several portfolios), `decompose` computes one
//! portfolio's factor, specific and total risk at a date and their Euler decomposition per
//! factor, group and asset; `report` matches a file's holdings to the model's universe at a date
//! and reports the risk (annualised). Date ranges, benchmarks and the front ends come next.

mod decompose;
mod file;
mod report;

pub use report::{AssetRisk, Contribution, RiskReport, Unmatched};
