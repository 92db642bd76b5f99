//! Risk reports as one long table, a row per date and part, for CSV and Parquet files (the
//! CLI's `--format csv` and the app's *Export CSV* write the same table).

use super::RiskReport;
use crate::frame::StrColumn;
use crate::table::{Table, Values};

/// The rows of `reports`: per date, `total` (the total risk), `factors` and `specific` (their
/// risks and shares), a `group` row per factor group, a `factor` row per factor, an `asset` row
/// per matched holding and an `unmatched` row per holding left out. Columns: `date`, `part`,
/// `name`, `group`, `weight`, `exposure`, `volatility`, `correlation`, `contribution`, and with a
/// benchmark `portfolio_exposure` and `benchmark_exposure` on factor rows. Missing figures are
/// empty (NaN).
pub fn report_table(reports: &[RiskReport]) -> Table {
    let mut t = Rows::default();
    let benchmark = reports.iter().any(|r| r.benchmark.is_some());
    for r in reports {
        t.day = crate::date::parse_arg(&r.date).unwrap_or_default();
        let factor_share: f64 = r.contributions.iter().map(|c| c.contribution).sum();
        t.push("total", "total", "", [f64::NAN, f64::NAN, r.total_risk, f64::NAN, r.total_risk], None);
        t.push("factors", "factors", "", [f64::NAN, f64::NAN, r.factor_risk, f64::NAN, factor_share], None);
        let specific_correlation = if r.specific_risk > 0.0 { r.specific_contribution / r.specific_risk } else { f64::NAN };
        t.push("specific", "specific", "", [f64::NAN, f64::NAN, r.specific_risk, specific_correlation, r.specific_contribution], None);
        for g in &r.groups {
            t.push("group", &g.factor, &g.group, [f64::NAN, g.exposure, g.volatility, g.correlation, g.contribution], None);
        }
        for (i, c) in r.contributions.iter().enumerate() {
            let sides = r.benchmark.as_ref().map(|b| (b.portfolio_exposures[i], b.benchmark_exposures[i]));
            t.push("factor", &c.factor, &c.group, [f64::NAN, c.exposure, c.volatility, c.correlation, c.contribution], sides);
        }
        for a in &r.assets {
            t.push("asset", &a.id, "", [a.weight, f64::NAN, f64::NAN, f64::NAN, a.contribution], None);
        }
        for u in &r.unmatched {
            let side = if u.benchmark { "benchmark" } else { "portfolio" };
            t.push("unmatched", &u.id, side, [u.weight, f64::NAN, f64::NAN, f64::NAN, f64::NAN], None);
        }
    }
    let mut table = Table::default()
        .with("date", Values::Date(t.date))
        .with("part", Values::Dict(t.part))
        .with("name", Values::Text(t.name))
        .with("group", Values::Dict(t.group));
    for (name, values) in ["weight", "exposure", "volatility", "correlation", "contribution"].into_iter().zip(t.figures) {
        table = table.with(name, Values::F64(values));
    }
    if benchmark {
        table = table.with("portfolio_exposure", Values::F64(t.portfolio)).with("benchmark_exposure", Values::F64(t.benchmark));
    }
    table
}

#[derive(Default)]
struct Rows {
    /// The date of the report being added.
    day: i32,
    date: Vec<i32>,
    part: StrColumn,
    name: Vec<String>,
    group: StrColumn,
    figures: [Vec<f64>; 5],
    portfolio: Vec<f64>,
    benchmark: Vec<f64>,
}

impl Rows {
    fn push(&mut self, part: &str, name: &str, group: &str, figures: [f64; 5], sides: Option<(f64, f64)>) {
        self.date.push(self.day);
        self.part.codes.push(self.part.dict.intern_str(part));
        self.name.push(name.to_owned());
        self.group.codes.push(self.group.dict.intern_str(group));
        for (column, v) in self.figures.iter_mut().zip(figures) {
            column.push(v);
        }
        let (p, b) = sides.unwrap_or((f64::NAN, f64::NAN));
        self.portfolio.push(p);
        self.benchmark.push(b);
    }
}
