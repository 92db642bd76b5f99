//! The demo reference dataset: the demo universe plus about 2% assets the demo exposures never
//! mention, each with an exchange, country, currency, a made-up name, a ticker and an ISIN, and
//! market caps and returns for every demo date. Everything is derived by hashing the options
//! and the asset id, so the same options always give the same reference.

use std::collections::HashSet;

use super::{Reference, ReferenceAssets};
use crate::demo::{DemoOptions, INDUSTRIES, REGIONS, STYLES};
use crate::random::{mix, unit};

/// A uniform number in [0, 1) determined by a key and a salt.
fn uniform(key: u64, salt: u64) -> f64 {
    unit(mix(key ^ mix(salt.wrapping_add(0x1234_5678))))
}

/// A standard normal number determined by a key and a salt (Box–Muller).
fn normal(key: u64, salt: u64) -> f64 {
    crate::random::normal(salt, |s| uniform(key, s))
}

/// The hash key of an asset id under a seed.
fn key_of(seed: u64, id: &str) -> u64 {
    id.bytes().fold(mix(seed ^ 0x0005_EED0_F00D), |h, b| mix(h ^ u64::from(b)))
}

/// US listings are spread over these exchanges, with these cumulative shares.
const US_EXCHANGES: [(&str, f64); 3] = [("XNAS", 0.50), ("XNYS", 0.92), ("ARCX", 1.0)];

const SYLLABLES: [&str; 24] = [
    "Al", "Bel", "Cor", "Dal", "Ev", "Fer", "Gran", "Hal", "Ir", "Jor", "Kel", "Lum", "Mar", "Nor", "Or", "Pel", "Quor", "Ros", "Sol",
    "Tor", "Ul", "Ver", "Wes", "Zen",
];
const ENDINGS: [&str; 8] = ["a", "on", "ex", "is", "ia", "ent", "ar", "o"];

/// Words that fit a company of each industry (same order as [`INDUSTRIES`]).
const SECTOR_WORDS: [[&str; 2]; 13] = [
    ["Education", "Learning"],
    ["Materials", "Mining"],
    ["Retail", "Brands"],
    ["Foods", "Consumer"],
    ["Energy", "Petroleum"],
    ["Financial", "Capital"],
    ["Services", "Infrastructure"],
    ["Health", "Pharma"],
    ["Industries", "Engineering"],
    ["Partners", "Foundation"],
    ["Properties", "Realty"],
    ["Systems", "Technologies"],
    ["Power", "Utilities"],
];

/// The legal-form suffix usual in a country.
fn legal_form(country: &str, u: f64) -> &'static str {
    match country {
        "US" | "CA" => {
            if u < 0.6 {
                "Inc."
            } else {
                "Corp."
            }
        }
        "GB" | "IE" | "JE" | "GG" => "plc",
        "DE" | "AT" | "CH" => "AG",
        "FR" | "BE" | "LU" => "SA",
        "JP" => "Co., Ltd.",
        "NL" => "N.V.",
        "SE" => "AB",
        "NO" => "ASA",
        "DK" => "A/S",
        "FI" => "Oyj",
        "IT" => "S.p.A.",
        "ES" | "PT" | "BR" | "MX" => "S.A.",
        _ => {
            if u < 0.5 {
                "Ltd"
            } else {
                "Holdings Ltd"
            }
        }
    }
}

/// A made-up but plausible company name.
fn company_name(key: u64, industry: usize, country: &str) -> String {
    let pick = |salt: u64, n: usize| (uniform(key, salt) * n as f64) as usize % n;
    let stem = format!("{}{}", SYLLABLES[pick(11, SYLLABLES.len())], ENDINGS[pick(12, ENDINGS.len())]);
    let word = SECTOR_WORDS[industry % SECTOR_WORDS.len()][pick(13, 2)];
    format!("{stem} {word} {}", legal_form(country, uniform(key, 14)))
}

/// The ISIN check digit of the 11 characters before it (letters count as 10..35, then Luhn).
pub(super) fn isin_check_digit(body: &str) -> char {
    let mut digits = Vec::with_capacity(22);
    for c in body.bytes() {
        match c {
            b'0'..=b'9' => digits.push(u32::from(c - b'0')),
            _ => {
                let v = u32::from(c.to_ascii_uppercase() - b'A') + 10;
                digits.extend([v / 10, v % 10]);
            }
        }
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let x = 2 * d;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// A unique ISIN for an asset of `country`.
fn isin(key: u64, country: &str, taken: &mut HashSet<String>) -> String {
    const ALPHANUMERIC: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for attempt in 0u64.. {
        let h = mix(key ^ mix(0x15_1500 + attempt));
        // Mostly digits, like most national numbers; the last characters may be letters.
        let body: String = (0..9)
            .map(|i| {
                let x = (h >> (6 * i)) as usize;
                char::from(if i < 6 { ALPHANUMERIC[x % 10] } else { ALPHANUMERIC[x % 36] })
            })
            .collect();
        let body = format!("{country}{body}");
        let code = format!("{body}{}", isin_check_digit(&body));
        if taken.insert(code.clone()) {
            return code;
        }
    }
    unreachable!("an unbounded loop returns")
}

/// One asset before its listing details: id, region, industry.
struct Entry {
    id: String,
    region: usize,
    industry: usize,
    /// Its position in the demo universe (`None` for the extra assets without exposures).
    universe: Option<usize>,
}

/// The column labels of the demo's true factor returns, as a risk model of the demo names its
/// factors (market, styles, industries, regions mapped to roles of the same name).
pub fn factor_labels() -> Vec<String> {
    std::iter::once("market.market.Market".to_owned())
        .chain(STYLES.iter().map(|(s, _)| format!("style.style.{s}")))
        .chain(INDUSTRIES.iter().map(|i| format!("industry.industry.{i}")))
        .chain(REGIONS.iter().map(|r| format!("region.region.{}", r.0)))
        .collect()
}

/// The true factor returns of demo day `d` (none on the first day), in the order of
/// [`factor_labels`]: market N(0, 0.008), styles N(0, 0.004), industries and regions
/// N(0, 0.006). With specific returns of 1.4% to 2.4% a day, they explain about a third of the
/// returns' cross-sectional variance.
pub fn factor_returns(opts: &DemoOptions, d: usize) -> Vec<f64> {
    let n = 1 + STYLES.len() + INDUSTRIES.len() + REGIONS.len();
    if d == 0 {
        return vec![f64::NAN; n];
    }
    let key = mix(opts.seed ^ 0xFAC7_0000 ^ mix(d as u64));
    (0..n)
        .map(|j| {
            let sd = if j == 0 {
                0.008
            } else if j <= STYLES.len() {
                0.004
            } else {
                0.006
            };
            sd * normal(key, j as u64)
        })
        .collect()
}

/// The factor part of the return on day `d + 1` of universe asset `u` from its exposures of day
/// `d`: styles enter centred and scaled as the demo draws them (a missing style adds nothing).
fn systematic(opts: &DemoOptions, truth: &[f64], u: usize, industry: usize, region: usize, d: usize) -> f64 {
    let mut r = truth[0];
    for (f, (_, mean)) in STYLES.iter().enumerate() {
        if let Some(v) = crate::demo::style_value(opts, u, d, f) {
            r += truth[1 + f] * (f64::from(v) - f64::from(*mean)) / 1.05;
        }
    }
    r + truth[1 + STYLES.len() + industry] + truth[1 + STYLES.len() + INDUSTRIES.len() + region]
}

/// Regions are picked with weights 1 / (i + 1)^1.3, most common first.
fn pick_region(u: f64, cumulative: &[f64]) -> usize {
    cumulative.partition_point(|&c| c <= u).min(cumulative.len() - 1)
}

/// The demo reference for `opts`, stamped `created`.
pub fn build(opts: &DemoOptions, created: String) -> Reference {
    let seed = mix(opts.seed ^ 0xDE30_2EF0);
    let universe = crate::demo::universe(opts);
    let mut entries: Vec<Entry> = universe
        .iter()
        .enumerate()
        .map(|(u, a)| Entry { id: a.id.clone(), region: a.region, industry: a.industry, universe: Some(u) })
        .collect();
    // Extra assets with 6-letter ids (the universe's have 3 to 5 letters, so none collide).
    let weights: Vec<f64> = (0..REGIONS.len()).map(|i| 1.0 / ((i + 1) as f64).powf(1.3)).collect();
    let total: f64 = weights.iter().sum();
    let cumulative: Vec<f64> = weights
        .iter()
        .scan(0.0, |acc, w| {
            *acc += w / total;
            Some(*acc)
        })
        .collect();
    let extra = (universe.len() / 50).max(1);
    let mut extra_ids = HashSet::with_capacity(extra);
    let mut n = 0u64;
    while extra_ids.len() < extra {
        n += 1;
        let h = mix(seed ^ mix(0xE0_0000 + n));
        let id: String = (0..6).map(|i| char::from(b'A' + ((h >> (5 * i)) % 26) as u8)).collect();
        if extra_ids.insert(id.clone()) {
            entries.push(Entry {
                region: pick_region(uniform(h, 1), &cumulative),
                industry: (uniform(h, 2) * INDUSTRIES.len() as f64) as usize % INDUSTRIES.len(),
                id,
                universe: None,
            });
        }
    }
    entries.sort_unstable_by(|a, b| a.id.cmp(&b.id));

    let count = entries.len();
    let mut assets = ReferenceAssets {
        asset_id: Vec::with_capacity(count),
        alt_ids: vec![("ticker".to_owned(), Vec::with_capacity(count)), ("isin".to_owned(), Vec::with_capacity(count))],
        exchange: Vec::with_capacity(count),
        country: Vec::with_capacity(count),
        currency: Vec::with_capacity(count),
        name: Vec::with_capacity(count),
    };
    let mut isins = HashSet::with_capacity(count);
    let keys: Vec<u64> = entries.iter().map(|e| key_of(seed, &e.id)).collect();
    for (e, &key) in entries.iter().zip(&keys) {
        let (_, country, currency, mic) = REGIONS[e.region];
        let exchange = if country == "US" {
            let u = uniform(key, 3);
            US_EXCHANGES.iter().find(|(_, c)| u < *c).map_or(mic, |(x, _)| x)
        } else {
            mic
        };
        assets.alt_ids[0].1.push(Some(e.id.clone()));
        assets.alt_ids[1].1.push(Some(isin(key, country, &mut isins)));
        assets.exchange.push(exchange.to_owned());
        assets.country.push(country.to_owned());
        assets.currency.push(currency.to_owned());
        assets.name.push(Some(company_name(key, e.industry, country)));
        assets.asset_id.push(e.id.clone());
    }

    // Every asset every day: returns follow a factor model on the previous day's demo exposures
    // (see [`factor_returns`]) plus a specific return, about N(0, 0.02) in all; caps log-normal
    // (median 1e9) on the first day, then moving with the returns.
    let days = opts.days;
    let truth: Vec<Vec<f64>> = (0..days).map(|d| factor_returns(opts, d)).collect();
    let mut market_caps = vec![(0i32, 0u32, 0f64); count * days];
    let mut returns = vec![(0i32, 0u32, 0f64); count * days];
    for (a, (&key, e)) in keys.iter().zip(&entries).enumerate() {
        let mut cap = 1e9 * (1.6 * normal(key, 4).clamp(-4.5, 4.5)).exp();
        let specific = 0.014 + 0.01 * uniform(key, 6);
        let active = e.universe.map(|u| (&universe[u], u));
        for d in 0..days {
            let mut r = specific * normal(key, 1000 + d as u64);
            if let Some((asset, u)) = active.filter(|(x, _)| d > 0 && (x.first..x.last).contains(&(d - 1))) {
                r += systematic(opts, &truth[d], u, asset.industry, asset.region, d - 1);
            }
            let r = r.clamp(-0.25, 0.25);
            if d > 0 {
                cap *= 1.0 + r;
            }
            let date = opts.start + d as i32;
            market_caps[d * count + a] = (date, a as u32, cap);
            returns[d * count + a] = (date, a as u32, r);
        }
    }
    Reference { name: super::DEMO_REFERENCE.to_owned(), id_type: "bayesid".to_owned(), assets, market_caps, returns, created }
}

/// The file of the demo's true factor returns that [`write_folder`] writes beside the reference
/// files (the import skips it).
pub const FACTOR_RETURNS_FILE: &str = "true_factor_returns.csv";

/// Writes the demo reference as a folder `riskdesk reference import` reads: `assets.csv`
/// (`asset_id`, `ticker`, `isin`, `exchange`, `country`, `currency`, `name`), `market_caps.csv`
/// and `returns.csv` (`date`, `asset_id`, value), and beside them the true factor returns
/// ([`FACTOR_RETURNS_FILE`]: `date`, then one column per factor). Returns the files written.
pub fn write_folder(opts: &DemoOptions, dir: &std::path::Path) -> crate::Result<Vec<std::path::PathBuf>> {
    use crate::error::IoContext;
    use crate::table::{Format, Table, Values};
    opts.check()?;
    std::fs::create_dir_all(dir).at("cannot create", dir)?;
    let r = build(opts, String::new());
    let a = &r.assets;
    let text = |v: &[Option<String>]| Values::Text(v.iter().map(|x| x.clone().unwrap_or_default()).collect());
    let mut assets = Table::default().with("asset_id", Values::Text(a.asset_id.clone()));
    for (id_type, ids) in &a.alt_ids {
        assets = assets.with(id_type, text(ids));
    }
    let assets = assets
        .with("exchange", Values::Text(a.exchange.clone()))
        .with("country", Values::Text(a.country.clone()))
        .with("currency", Values::Text(a.currency.clone()))
        .with("name", text(&a.name));
    let series = |rows: &[(i32, u32, f64)], value: &str| {
        Table::default()
            .with("date", Values::Date(rows.iter().map(|x| x.0).collect()))
            .with("asset_id", Values::Text(rows.iter().map(|x| a.asset_id[x.1 as usize].clone()).collect()))
            .with(value, Values::F64(rows.iter().map(|x| x.2).collect()))
    };
    let mut truth = Table::default().with("date", Values::Date((1..opts.days).map(|d| opts.start + d as i32).collect()));
    let by_day: Vec<Vec<f64>> = (1..opts.days).map(|d| factor_returns(opts, d)).collect();
    for (j, label) in factor_labels().iter().enumerate() {
        truth = truth.with(label, Values::F64(by_day.iter().map(|f| f[j]).collect()));
    }
    let files = [
        ("assets.csv", assets),
        ("market_caps.csv", series(&r.market_caps, "market_cap")),
        ("returns.csv", series(&r.returns, "return")),
        (FACTOR_RETURNS_FILE, truth),
    ];
    let mut written = Vec::new();
    for (name, table) in files {
        let path = dir.join(name);
        table.save(Format::Csv, &path)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_isin_check_digits() {
        // Published ISINs.
        for isin in ["US0378331005", "GB0002634946", "AU0000XVGZA3", "DE000BAY0017", "JP3633400001"] {
            assert_eq!(isin_check_digit(&isin[..11]), isin.chars().last().unwrap(), "{isin}");
        }
    }

    #[test]
    fn returns_and_caps_are_plausible() {
        let opts = DemoOptions { assets: 3000, days: 5, ..DemoOptions::default() };
        let r = build(&opts, String::new());
        let n = r.assets.len();
        let rets: Vec<f64> = r.returns.iter().map(|x| x.2).collect();
        let mean = rets.iter().sum::<f64>() / rets.len() as f64;
        let sd = (rets.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / rets.len() as f64).sqrt();
        assert!(mean.abs() < 0.01 && (0.017..0.03).contains(&sd), "mean {mean}, sd {sd}");
        let mut first: Vec<f64> = r.market_caps[..n].iter().map(|x| x.2).collect();
        first.sort_by(f64::total_cmp);
        let median = first[n / 2];
        assert!((3e8..3e9).contains(&median), "median {median}");
        assert!(first[n / 100] < 1e8 && first[n - n / 100] > 1e10, "wide spread");
        // Caps move with the returns.
        let (c0, c1, r1) = (r.market_caps[7].2, r.market_caps[n + 7].2, r.returns[n + 7].2);
        assert!((c1 / c0 - 1.0 - r1).abs() < 1e-12);
    }
}
