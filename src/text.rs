//! Numbers in messages, as people read them.

/// `n` with thousands separators: `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` and the noun, singular for one: `count(1, "asset", "assets")` → `1 asset`, `count(2, ..)` → `2 assets`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// How many of `total` detail lines a message lists: "" when all, else "; the first 50 are listed".
pub(crate) fn listed(shown: usize, total: u64) -> String {
    if shown as u64 >= total { String::new() } else { format!("; the first {} are listed", thousands(shown as u64)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_thousands() {
        assert_eq!([0, 999, 1000, 35_800, 1_108_816].map(thousands), ["0", "999", "1,000", "35,800", "1,108,816"]);
        assert_eq!((count(1, "asset", "assets"), count(1200, "asset", "assets")), ("1 asset".into(), "1,200 assets".into()));
        assert_eq!(listed(50, 50), "");
        assert_eq!(listed(50, 1234), "; the first 50 are listed");
    }
}
