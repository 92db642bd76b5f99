//! Reading a portfolio file: CSV or Parquet with an asset id column (any id type the reference
//! knows: `bayesid`, `ticker`, `isin`, …) and `weight` or `value` (values are normalised to
//! weights), optionally `date` (one portfolio per date) and `portfolio` (several in one file).
//! Every problem is reported with the file, line, column and value; nothing is read half.

use std::collections::HashMap;
use std::path::Path;

use super::{Holding, Portfolio};
use crate::tabular::{self, Diagnostic, Format, Kind, Reader};
use crate::{Error, Result};

/// Reads the portfolio file at `path`; `id_types` are the reference's id types (the primary
/// first). Callers with a backend use `Backend::read_portfolio`, which finds the id types.
pub fn read(path: &Path, id_types: &[String]) -> Result<Portfolio> {
    let label = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let lower = label.to_lowercase();
    let format = if lower.ends_with(".csv") {
        Format::Csv
    } else if lower.ends_with(".parquet") {
        Format::Parquet
    } else {
        return Err(Error::invalid(format!("{label}: a portfolio is a .csv or .parquet file")));
    };
    let refuse = |problems: Vec<Diagnostic>| Error::InvalidInput {
        message: format!("the portfolio file {label} cannot be read"),
        details: problems.iter().map(Diagnostic::to_string).collect(),
    };
    let mut table = Reader::open(tabular::Input::File(path), format, &label).map_err(|p| refuse(vec![*p]))?;
    let names: Vec<String> = table.header().iter().map(|n| n.trim().to_lowercase()).collect();
    let header = |i: usize, message: String| Diagnostic {
        file: label.clone(),
        line: Some(1),
        column: Some(i + 1),
        column_name: Some(table.header()[i].clone()),
        value: None,
        message,
    };
    let expected = format!("an id column ({}), weight or value, and optionally date and portfolio", id_types.join(", "));
    let mut problems = Vec::new();
    let (mut id, mut amount, mut date, mut portfolio) = (None, None, None, None);
    for (i, n) in names.iter().enumerate() {
        let slot = if id_types.iter().any(|t| t.to_lowercase() == *n) {
            &mut id
        } else if n == "weight" || n == "value" {
            &mut amount
        } else if n == "date" {
            &mut date
        } else if n == "portfolio" {
            &mut portfolio
        } else {
            problems.push(header(i, format!("unknown column (expected {expected})")));
            continue;
        };
        match slot {
            Some(first) => problems.push(header(i, format!("a second column of this kind (the first is column {})", *first + 1))),
            None => *slot = Some(i),
        }
    }
    let (Some(id), Some(amount)) = (id, amount) else {
        let missing = if id.is_none() { format!("an id column ({})", id_types.join(", ")) } else { "a weight or value column".to_owned() };
        problems.push(Diagnostic::file(&label, format!("the file has no {missing}")));
        return Err(refuse(problems));
    };
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    let id_type = id_types.iter().find(|t| t.to_lowercase() == names[id]).cloned().unwrap_or_default();
    let values = names[amount] == "value";
    let mut kinds = vec![(id, Kind::Text), (amount, Kind::F64)];
    kinds.extend(date.map(|d| (d, Kind::Date)));
    kinds.extend(portfolio.map(|p| (p, Kind::Text)));
    table.select(&kinds).map_err(|p| refuse(vec![*p]))?;

    let mut holdings = Vec::new();
    let mut seen: HashMap<(String, Option<i32>, String), u64> = HashMap::new();
    while let Some(mut row) = table.next_row().map_err(|p| refuse(vec![*p]))? {
        let line = row.line();
        let asset = match row.text(id) {
            Ok(t) if !t.trim().is_empty() => Some(t.trim().to_owned()),
            Ok(_) => {
                problems.push(*row.problem(id, "the asset id is empty"));
                None
            }
            Err(p) => {
                problems.push(*p);
                None
            }
        };
        let what = if values { "value" } else { "weight" };
        let weight = match row.f64(amount) {
            Ok(Some(v)) if v.is_finite() => Some(v),
            Ok(_) => {
                problems.push(*row.problem(amount, format!("the {what} is not a finite number")));
                None
            }
            Err(p) => {
                problems.push((*p).saying(format!("the {what} is not a finite number")));
                None
            }
        };
        let day = match date.map(|d| (d, row.date(d))) {
            None => Some(None),
            Some((_, Ok(Some(d)))) => Some(Some(d)),
            Some((d, Ok(None))) => {
                problems.push(*row.problem(d, "the date is empty (expected YYYY-MM-DD)"));
                None
            }
            Some((_, Err(p))) => {
                problems.push(*p);
                None
            }
        };
        let name = match portfolio.map(|p| (p, row.text(p))) {
            None => Some(String::new()),
            Some((_, Ok(t))) => Some(t.trim().to_owned()),
            Some((_, Err(p))) => {
                problems.push(*p);
                None
            }
        };
        if let (Some(asset), Some(weight), Some(day), Some(name)) = (asset, weight, day, name) {
            match seen.get(&(name.clone(), day, asset.clone())) {
                Some(first) => problems.push(*row.problem(id, format!("this asset is already held on line {first}"))),
                None => {
                    seen.insert((name.clone(), day, asset.clone()), line);
                    holdings.push(Holding { portfolio: name, date: day.map(crate::date::format), id: asset, weight });
                }
            }
        }
        if problems.len() >= 50 {
            break;
        }
    }
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    if holdings.is_empty() {
        return Err(Error::invalid(format!("the portfolio file {label} holds no asset")));
    }
    if values {
        let mut totals: HashMap<(String, Option<String>), f64> = HashMap::new();
        for h in &holdings {
            *totals.entry((h.portfolio.clone(), h.date.clone())).or_default() += h.weight;
        }
        if let Some(((p, d), _)) = totals.iter().find(|(_, t)| **t == 0.0 || !t.is_finite()) {
            let on = d.as_ref().map(|d| format!(" on {d}")).unwrap_or_default();
            let name = if p.is_empty() { String::new() } else { format!(" of portfolio '{p}'") };
            return Err(Error::invalid(format!("{label}: the values{name}{on} sum to 0, so they cannot be made weights")));
        }
        for h in &mut holdings {
            h.weight /= totals[&(h.portfolio.clone(), h.date.clone())];
        }
    }
    Ok(Portfolio { source: label, id_type, holdings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        ["bayesid", "ticker", "isin"].map(String::from).to_vec()
    }

    fn file(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn values_become_weights_per_portfolio_and_date() {
        let (_d, p) = file(
            "p.csv",
            "Portfolio,Date,Ticker,Value\nA,2025-05-02,AAA,300\nA,2025-05-02,BBB,100\nB,2025-05-02,AAA,-50\nB,2025-05-02,CCC,150\n",
        );
        let f = read(&p, &ids()).unwrap();
        assert_eq!(f.id_type, "ticker");
        let w: Vec<(String, String, f64)> = f.holdings.iter().map(|h| (h.portfolio.clone(), h.id.clone(), h.weight)).collect();
        assert_eq!(
            w,
            [
                ("A".into(), "AAA".into(), 0.75),
                ("A".into(), "BBB".into(), 0.25),
                ("B".into(), "AAA".into(), -0.5),
                ("B".into(), "CCC".into(), 1.5)
            ]
        );
        assert!(f.holdings.iter().all(|h| h.date.as_deref() == Some("2025-05-02")));
    }

    #[test]
    fn problems_name_the_line_column_and_value() {
        let (_d, p) = file("p.csv", "bayesid,weight\nAAA,0.5\nBBB,abc\n,0.1\nAAA,0.2\n");
        let e = read(&p, &ids()).unwrap_err();
        let details = e.details().join("\n");
        assert!(details.contains("p.csv: line 3, column 2 (weight): the weight is not a finite number: 'abc'"), "{details}");
        assert!(details.contains("p.csv: line 4, column 1 (bayesid): the asset id is empty"), "{details}");
        assert!(details.contains("p.csv: line 5, column 1 (bayesid): this asset is already held on line 2"), "{details}");
        let (_d, p) = file("q.csv", "cusip,weight,sector\nAAA,1,x\n");
        let details = read(&p, &ids()).unwrap_err().details().join("\n");
        assert!(details.contains("column 1 (cusip): unknown column (expected an id column (bayesid, ticker, isin)"), "{details}");
        let (_d, p) = file("r.csv", "ticker,isin,weight\nA,B,1\n");
        assert!(read(&p, &ids()).unwrap_err().details().join("\n").contains("a second column of this kind (the first is column 1)"));
        let (_d, p) = file("s.txt", "ticker,weight\nA,1\n");
        assert!(read(&p, &ids()).unwrap_err().to_string().contains("a portfolio is a .csv or .parquet file"));
        let (_d, p) = file("t.csv", "ticker,value\nA,1\nB,-1\n");
        assert!(read(&p, &ids()).unwrap_err().to_string().contains("the values sum to 0"));
    }
}
