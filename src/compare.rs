//! The comparisons both filter languages evaluate: the platform's DNF filters
//! (`uploader::filter`) and the grid's typed filters (`riskdataset::grid`).
//! Each language parses its own syntax into a [`Comparison`] and its values, typed for the
//! column; this is where a comparison holds or not.

/// How a value compares with a filter's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Equal to one of the values.
    In,
    /// Equal to none of the values.
    NotIn,
}

impl Comparison {
    /// Whether `x` compares so with `values` (the first value, for the comparisons of one value;
    /// the caller checks there is one).
    pub fn holds<T: PartialOrd>(self, x: &T, values: &[T]) -> bool {
        match self {
            Comparison::Eq => x == &values[0],
            Comparison::Ne => x != &values[0],
            Comparison::Lt => x < &values[0],
            Comparison::Le => x <= &values[0],
            Comparison::Gt => x > &values[0],
            Comparison::Ge => x >= &values[0],
            Comparison::In => values.contains(x),
            Comparison::NotIn => !values.contains(x),
        }
    }

    /// Whether the comparison takes a list of values rather than one.
    pub fn takes_list(self) -> bool {
        matches!(self, Comparison::In | Comparison::NotIn)
    }
}

#[cfg(test)]
mod tests {
    use super::Comparison::*;

    #[test]
    fn each_comparison_holds_as_named() {
        let holds: Vec<bool> = [Eq, Ne, Lt, Le, Gt, Ge].iter().map(|c| c.holds(&2, &[3])).collect();
        assert_eq!(holds, [false, true, true, true, false, false]);
        assert!(In.holds(&"b", &["a", "b"]) && !NotIn.holds(&"b", &["a", "b"]));
        assert!(!In.holds(&1.0, &[]) && NotIn.holds(&1.0, &[]));
        assert!(In.takes_list() && NotIn.takes_list() && !Eq.takes_list());
    }
}
