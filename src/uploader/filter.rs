//! Row filters over exposure frames, in disjunctive normal form as the platform's `get_data`
//! takes them: a list of AND groups, a row kept when every filter of some group holds.
//! Operators are those of the platform's DNF tuples: `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`,
//! `not in`. Dates compare as `YYYY-MM-DD`, text columns as text, `exposure` as a number.

use serde::{Deserialize, Serialize};

use super::Column;
use crate::compare::Comparison as Op;
use crate::frame::{Exposures, StrColumn};
use crate::{Error, Result};

/// One condition on a column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Filter {
    /// The column tested, by name: `date`, `asset_id`, `asset_id_type`, `factor_group`, `factor`
    /// or `exposure`.
    pub column: String,
    /// The comparison: `==` (or `=`), `!=`, `<`, `<=`, `>`, `>=`, `in` or `not in`.
    pub operator: String,
    /// What the column is compared with: a list for `in` and `not in`, one value otherwise; dates
    /// as `YYYY-MM-DD` text, `exposure` as a number, the other columns as text.
    #[ts(type = "unknown")]
    pub value: serde_json::Value,
}

/// The comparison a DNF operator names.
fn parse_op(s: &str) -> Result<Op> {
    Ok(match s.trim() {
        "==" | "=" => Op::Eq,
        "!=" => Op::Ne,
        "<" => Op::Lt,
        "<=" => Op::Le,
        ">" => Op::Gt,
        ">=" => Op::Ge,
        "in" => Op::In,
        "not in" => Op::NotIn,
        other => return Err(Error::invalid(format!("filter operator '{other}' is unknown (use ==, !=, <, <=, >, >=, in, not in)"))),
    })
}

/// A filter checked against its column: the operator and its value(s) typed.
enum Typed {
    Date(Op, Vec<i32>),
    Number(Op, Vec<f32>),
    /// A text column: whether each dictionary code passes.
    Text(Column, Vec<bool>),
}

fn values_of(f: &Filter, op: Op) -> Result<Vec<&serde_json::Value>> {
    let list = op.takes_list();
    match (&f.value, list) {
        (serde_json::Value::Array(items), true) => Ok(items.iter().collect()),
        (v, false) if !v.is_array() => Ok(vec![v]),
        (v, true) => Err(Error::invalid(format!("filter on {}: '{}' takes a list, not {v}", f.column, f.operator))),
        (v, false) => Err(Error::invalid(format!("filter on {}: '{}' takes one value, not the list {v}", f.column, f.operator))),
    }
}

fn text_column(frame: &Exposures, c: Column) -> &StrColumn {
    match c {
        Column::AssetId => &frame.asset_id,
        Column::AssetIdType => &frame.asset_id_type,
        Column::FactorGroup => &frame.factor_group,
        _ => &frame.factor,
    }
}

fn typed(frame: &Exposures, f: &Filter) -> Result<Typed> {
    let column = Column::parse(&f.column)?;
    let op = parse_op(&f.operator)?;
    let values = values_of(f, op)?;
    let bad = |v: &serde_json::Value, what: &str| Error::invalid(format!("filter on {}: {v} is not {what}", f.column));
    Ok(match column {
        Column::Date => Typed::Date(
            op,
            values
                .iter()
                .map(|v| {
                    v.as_str()
                        .and_then(|s| crate::date::parse(s.get(..10).unwrap_or(s).as_bytes()))
                        .ok_or_else(|| bad(v, "a date (YYYY-MM-DD)"))
                })
                .collect::<Result<_>>()?,
        ),
        Column::Exposure => {
            Typed::Number(op, values.iter().map(|v| v.as_f64().map(|x| x as f32).ok_or_else(|| bad(v, "a number"))).collect::<Result<_>>()?)
        }
        text => {
            let wanted: Vec<&str> = values.iter().map(|v| v.as_str().ok_or_else(|| bad(v, "text"))).collect::<Result<_>>()?;
            let pass = text_column(frame, text).dict.values().iter().map(|s| op.holds(&s.as_str(), &wanted)).collect();
            Typed::Text(text, pass)
        }
    })
}

/// The rows of `frame` that pass `groups` (all rows when there are none), in order.
pub fn rows(frame: &Exposures, groups: &[Vec<Filter>]) -> Result<Vec<u32>> {
    let groups: Vec<Vec<Typed>> = groups.iter().map(|g| g.iter().map(|f| typed(frame, f)).collect::<Result<_>>()).collect::<Result<_>>()?;
    let holds = |t: &Typed, r: usize| match t {
        Typed::Date(op, v) => op.holds(&frame.date[r], v),
        Typed::Number(op, v) => op.holds(&frame.exposure[r], v),
        Typed::Text(c, pass) => pass[text_column(frame, *c).codes[r] as usize],
    };
    Ok((0..frame.len()).filter(|&r| groups.is_empty() || groups.iter().any(|g| g.iter().all(|t| holds(t, r)))).map(|r| r as u32).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn frame() -> Exposures {
        let mut f = Exposures::default();
        for (d, a, g, x) in [("2025-05-01", "A", "style", 0.5), ("2025-05-01", "B", "market", 1.0), ("2025-05-02", "A", "style", -2.0)] {
            f.push(crate::date::parse(d.as_bytes()).unwrap(), a, "bayesid", g, "F", x);
        }
        f
    }

    fn filter(column: &str, operator: &str, value: serde_json::Value) -> Filter {
        Filter { column: column.into(), operator: operator.into(), value }
    }

    #[test]
    fn groups_are_ands_ored_over_every_column_kind() {
        let f = frame();
        assert_eq!(rows(&f, &[vec![filter("factor_group", "==", json!("style"))]]).unwrap(), vec![0, 2]);
        let and = vec![filter("factor_group", "==", json!("style")), filter("date", ">=", json!("2025-05-02"))];
        assert_eq!(rows(&f, &[and]).unwrap(), vec![2]);
        let or = [vec![filter("exposure", "<", json!(0))], vec![filter("asset_id", "in", json!(["B"]))]];
        assert_eq!(rows(&f, &or).unwrap(), vec![1, 2]);
        assert_eq!(rows(&f, &[vec![filter("asset_id", "not in", json!(["A"]))]]).unwrap(), vec![1]);
        assert_eq!(rows(&f, &[]).unwrap(), vec![0, 1, 2]);
    }

    #[test]
    fn bad_filters_name_what_is_wrong() {
        let f = frame();
        let err = |x: Filter| rows(&f, &[vec![x]]).unwrap_err().to_string();
        assert!(err(filter("colour", "==", json!("x"))).contains("colour"));
        assert!(err(filter("date", "~", json!("x"))).contains("operator '~' is unknown"));
        assert!(err(filter("date", "==", json!("May"))).contains("\"May\" is not a date"));
        assert!(err(filter("asset_id", "in", json!("A"))).contains("'in' takes a list"));
    }
}
