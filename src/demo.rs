//! Deterministic demo exposures shaped like the seed notebook's data: one market factor, seven
//! style factors (roughly N(0,1), clipped near ±4, stored at half precision), one industry out
//! of 13 and one region out of 60 per asset, about 1% of style values missing and a little
//! asset churn from day to day. The same options always give the same bytes.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::IoContext;
use crate::progress::Progress;
use crate::random::{mix, unit};
use crate::{Error, Result};

/// The style factors, with the mean each is drawn around.
pub const STYLES: [(&str, f32); 7] = [
    ("Dividend", -0.10),
    ("Growth", -0.05),
    ("Leverage", -0.08),
    ("Momentum", -0.02),
    ("Size", -0.15),
    ("Value", -0.10),
    ("Volatility", -0.08),
];

/// The industries (as in the seed's risk dataset).
pub const INDUSTRIES: [&str; 13] = [
    "Academic & Educational Services",
    "Basic Materials",
    "Consumer Cyclicals",
    "Consumer Non-Cyclicals",
    "Energy",
    "Financials",
    "Government Activity",
    "Healthcare",
    "Industrials",
    "Institutions, Associations & Organizations",
    "Real Estate",
    "Technology",
    "Utilities",
];

/// Regions (countries), most common first, with ISO country code, currency and main exchange (MIC).
pub const REGIONS: [(&str, &str, &str, &str); 60] = [
    ("United States", "US", "USD", "XNYS"),
    ("Japan", "JP", "JPY", "XTKS"),
    ("China", "CN", "CNY", "XSHG"),
    ("India", "IN", "INR", "XNSE"),
    ("United Kingdom", "GB", "GBP", "XLON"),
    ("Canada", "CA", "CAD", "XTSE"),
    ("South Korea", "KR", "KRW", "XKRX"),
    ("Taiwan", "TW", "TWD", "XTAI"),
    ("Hong Kong", "HK", "HKD", "XHKG"),
    ("Australia", "AU", "AUD", "XASX"),
    ("Germany", "DE", "EUR", "XETR"),
    ("France", "FR", "EUR", "XPAR"),
    ("Sweden", "SE", "SEK", "XSTO"),
    ("Switzerland", "CH", "CHF", "XSWX"),
    ("Brazil", "BR", "BRL", "BVMF"),
    ("Malaysia", "MY", "MYR", "XKLS"),
    ("Thailand", "TH", "THB", "XBKK"),
    ("Indonesia", "ID", "IDR", "XIDX"),
    ("Israel", "IL", "ILS", "XTAE"),
    ("Poland", "PL", "PLN", "XWAR"),
    ("Italy", "IT", "EUR", "XMIL"),
    ("Spain", "ES", "EUR", "XMAD"),
    ("Singapore", "SG", "SGD", "XSES"),
    ("Türkiye", "TR", "TRY", "XIST"),
    ("Vietnam", "VN", "VND", "HSTC"),
    ("Netherlands", "NL", "EUR", "XAMS"),
    ("Norway", "NO", "NOK", "XOSL"),
    ("Denmark", "DK", "DKK", "XCSE"),
    ("Mexico", "MX", "MXN", "XMEX"),
    ("Philippines", "PH", "PHP", "XPHS"),
    ("Finland", "FI", "EUR", "XHEL"),
    ("Belgium", "BE", "EUR", "XBRU"),
    ("Greece", "GR", "EUR", "XATH"),
    ("Pakistan", "PK", "PKR", "XKAR"),
    ("New Zealand", "NZ", "NZD", "XNZE"),
    ("Ireland", "IE", "EUR", "XDUB"),
    ("Austria", "AT", "EUR", "XWBO"),
    ("Portugal", "PT", "EUR", "XLIS"),
    ("United Arab Emirates", "AE", "AED", "XADS"),
    ("Bermuda", "BM", "BMD", "XBDA"),
    ("Cayman Islands", "KY", "USD", "XCAY"),
    ("Luxembourg", "LU", "EUR", "XLUX"),
    ("Hungary", "HU", "HUF", "XBUD"),
    ("Czechia", "CZ", "CZK", "XPRA"),
    ("Romania", "RO", "RON", "XBSE"),
    ("Croatia", "HR", "EUR", "XZAG"),
    ("Bulgaria", "BG", "BGN", "XBUL"),
    ("Slovenia", "SI", "EUR", "XLJU"),
    ("Slovakia", "SK", "EUR", "XBRA"),
    ("Lithuania", "LT", "EUR", "XLIT"),
    ("Estonia", "EE", "EUR", "XTAL"),
    ("Latvia", "LV", "EUR", "XRIS"),
    ("Cyprus", "CY", "EUR", "XCYS"),
    ("Iceland", "IS", "ISK", "XICE"),
    ("Serbia", "RS", "RSD", "XBEL"),
    ("Ukraine", "UA", "UAH", "PFTS"),
    ("Kazakhstan", "KZ", "KZT", "AIXK"),
    ("Guernsey", "GG", "GBP", "XCIE"),
    ("Jersey", "JE", "GBP", "XCIE"),
    ("Macau", "MO", "MOP", "XHKG"),
];

/// Which file layout to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DemoLayout {
    /// `date, asset_id, asset_id_type, factor_group, factor, exposure`: one row per value (an asset's own industry and region only).
    Long,
    /// One row per asset: `date, bayesid`, then one column per `<group>.<factor>` (0 or 1 for industries and regions).
    Wide,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct DemoOptions {
    /// Assets per day (before churn).
    pub assets: usize,
    /// Consecutive calendar days.
    pub days: usize,
    /// First day (days since the epoch).
    pub start: i32,
    /// The layout of the CSV files written.
    pub layout: DemoLayout,
    /// Seeds every random draw: the same options always give the same files (and demo reference).
    pub seed: u64,
    /// File name prefix: files are `<prefix>_YYYY-MM-DD.csv`.
    pub prefix: String,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            assets: 35_800,
            days: 31,
            start: crate::date::parse(b"2025-05-01").expect("valid"),
            layout: DemoLayout::Long,
            seed: 7,
            prefix: "exposures".into(),
        }
    }
}

/// The most assets a demo accepts (asset ids have 3 to 5 letters: about 12 million exist).
pub const MAX_DEMO_ASSETS: usize = 1_000_000;
/// The most days a demo accepts.
pub const MAX_DEMO_DAYS: usize = 10_000;
/// The most asset-days a demo accepts (ten years of 35,800 assets fit): the demo reference
/// holds a market cap and a return for each, about 32 bytes, in memory at once.
pub const MAX_DEMO_ASSET_DAYS: usize = 100_000_000;

impl DemoOptions {
    /// Refuses sizes and dates a demo cannot be made of, naming the value and its bound: at least
    /// one asset and one day, at most [`MAX_DEMO_ASSETS`], [`MAX_DEMO_DAYS`] and
    /// [`MAX_DEMO_ASSET_DAYS`], every day from year 0 to 9999.
    pub fn check(&self) -> Result<()> {
        if self.assets == 0 || self.days == 0 {
            return Err(Error::invalid("the demo needs at least one asset and one day"));
        }
        let thousands = |n: usize| crate::text::thousands(n as u64);
        if self.assets > MAX_DEMO_ASSETS {
            return Err(Error::invalid(format!(
                "the demo's assets: {} is more than the {} accepted",
                thousands(self.assets),
                thousands(MAX_DEMO_ASSETS)
            )));
        }
        if self.days > MAX_DEMO_DAYS {
            return Err(Error::invalid(format!(
                "the demo's days: {} is more than the {} accepted",
                thousands(self.days),
                thousands(MAX_DEMO_DAYS)
            )));
        }
        if self.assets * self.days > MAX_DEMO_ASSET_DAYS {
            return Err(Error::invalid(format!(
                "the demo's {} assets over {} days make {} asset-days, more than the {} accepted",
                thousands(self.assets),
                thousands(self.days),
                thousands(self.assets * self.days),
                thousands(MAX_DEMO_ASSET_DAYS)
            )));
        }
        let (first, last) = (crate::date::parse(b"0000-01-01").unwrap_or(i32::MIN), crate::date::parse(b"9999-12-31").unwrap_or(i32::MAX));
        // Both within i32 (the checks above keep `days` small): no overflow.
        let end = i64::from(self.start) + self.days as i64 - 1;
        if i64::from(self.start) < i64::from(first) || end > i64::from(last) {
            return Err(Error::invalid(format!(
                "the demo's start: day {} (days since 1970-01-01) puts its {} days outside the years 0 to 9999",
                self.start,
                thousands(self.days)
            )));
        }
        Ok(())
    }
}

/// One demo asset.
#[derive(Debug, Clone)]
pub struct DemoAsset {
    /// Its id: 3 to 5 capital letters, unique in the universe (a `bayesid` in the files).
    pub id: String,
    /// Index into [`INDUSTRIES`].
    pub industry: usize,
    /// Index into [`REGIONS`].
    pub region: usize,
    /// Active from this day index (inclusive) to `last` (exclusive).
    pub first: usize,
    /// The first day index on which it no longer appears (`days` when it never leaves).
    pub last: usize,
}

/// A uniform number in [0, 1) determined by the inputs.
fn uniform(seed: u64, a: u64, b: u64, c: u64) -> f64 {
    unit(mix(mix(mix(seed ^ a.wrapping_mul(0xA24B_AED4_963E_E407)) ^ b.wrapping_mul(0x9FB2_1C65_1E98_DF25)) ^ c))
}

/// A standard normal number determined by the inputs (Box–Muller).
fn normal(seed: u64, a: u64, b: u64, c: u64) -> f64 {
    crate::random::normal(c, |c| uniform(seed, a, b, c))
}

/// Rounds to half precision (11 significant bits), as the seed's data is stored.
fn half_precision(x: f32) -> f32 {
    f32::from_bits((x.to_bits() + 0x1000) & !0x1FFF)
}

/// Picks an index with weights proportional to 1 / (i + 1)^power.
fn pick_weighted(u: f64, n: usize, power: f64) -> usize {
    let weights: Vec<f64> = (0..n).map(|i| 1.0 / ((i + 1) as f64).powf(power)).collect();
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w / total;
        if u < acc {
            return i;
        }
    }
    n - 1
}

/// The demo universe: asset ids, industries, regions and active days.
pub fn universe(opts: &DemoOptions) -> Vec<DemoAsset> {
    let leavers = opts.assets * 3 / 1000;
    let joiners = opts.assets / 1000;
    let pool = opts.assets + joiners;
    let mut ids = HashSet::with_capacity(pool);
    let mut assets = Vec::with_capacity(pool);
    let mut n = 0u64;
    while assets.len() < pool {
        n += 1;
        let h = mix(opts.seed ^ mix(n));
        let len = [3, 4, 4, 4, 5][(h % 5) as usize];
        let id: String = (0..len).map(|i| (b'A' + ((h >> (8 + 5 * i)) % 26) as u8) as char).collect();
        if !ids.insert(id.clone()) {
            continue;
        }
        let i = assets.len() as u64;
        let (first, last) = if assets.len() < leavers {
            (0, 1 + (uniform(opts.seed, i, 1, 0) * opts.days as f64) as usize % opts.days.max(1))
        } else if assets.len() >= pool - joiners {
            ((uniform(opts.seed, i, 2, 0) * opts.days as f64) as usize, opts.days)
        } else {
            (0, opts.days)
        };
        assets.push(DemoAsset {
            industry: pick_weighted(uniform(opts.seed, i, 3, 0), INDUSTRIES.len(), 0.3),
            region: pick_weighted(uniform(opts.seed, i, 4, 0), REGIONS.len(), 1.3),
            id,
            first,
            last: last.max(first + 1).min(opts.days.max(1)),
        });
    }
    assets.sort_by(|a, b| a.id.cmp(&b.id));
    assets
}

/// The style value of asset `a` (by position in the universe) on day `d`, or `None` when missing.
pub fn style_value(opts: &DemoOptions, a: usize, d: usize, f: usize) -> Option<f32> {
    let (a, d, f) = (a as u64, d as u64, f as u64);
    if uniform(opts.seed, a, 1000 + d, 50 + f) < 0.01 {
        return None;
    }
    let persistent = normal(opts.seed, a, 10, f);
    let daily = normal(opts.seed, a, 100 + d, f);
    let z = 0.97 * persistent + 0.243 * daily;
    let (_, mean) = STYLES[f as usize];
    Some(half_precision((f64::from(mean) + 1.05 * z).clamp(-4.1, 4.1) as f32))
}

fn quoted(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

fn day_file(opts: &DemoOptions, assets: &[DemoAsset], d: usize) -> String {
    let date = crate::date::format(opts.start + d as i32);
    let mut out = String::with_capacity(assets.len() * 480);
    let industries: Vec<String> = INDUSTRIES.iter().map(|s| quoted(s)).collect();
    let regions: Vec<String> = REGIONS.iter().map(|r| quoted(r.0)).collect();
    match opts.layout {
        DemoLayout::Long => {
            out.push_str("date,asset_id,asset_id_type,factor_group,factor,exposure\n");
            for (a, asset) in assets.iter().enumerate().filter(|(_, x)| (x.first..x.last).contains(&d)) {
                let id = &asset.id;
                let _ = writeln!(out, "{date},{id},bayesid,market,Market,1");
                for (f, (name, _)) in STYLES.iter().enumerate() {
                    if let Some(v) = style_value(opts, a, d, f) {
                        let _ = writeln!(out, "{date},{id},bayesid,style,{name},{v}");
                    }
                }
                let _ = writeln!(out, "{date},{id},bayesid,industry,{},1", industries[asset.industry]);
                let _ = writeln!(out, "{date},{id},bayesid,region,{},1", regions[asset.region]);
            }
        }
        DemoLayout::Wide => {
            out.push_str("date,bayesid,market.Market");
            STYLES.iter().for_each(|(n, _)| out.push_str(&format!(",style.{n}")));
            INDUSTRIES.iter().for_each(|n| out.push_str(&format!(",{}", quoted(&format!("industry.{n}")))));
            REGIONS.iter().for_each(|r| out.push_str(&format!(",{}", quoted(&format!("region.{}", r.0)))));
            out.push('\n');
            for (a, asset) in assets.iter().enumerate().filter(|(_, x)| (x.first..x.last).contains(&d)) {
                let _ = write!(out, "{date},{},1", asset.id);
                for f in 0..STYLES.len() {
                    out.push(',');
                    if let Some(v) = style_value(opts, a, d, f) {
                        let _ = write!(out, "{v}");
                    }
                }
                (0..INDUSTRIES.len()).for_each(|i| out.push_str(if i == asset.industry { ",1" } else { ",0" }));
                (0..REGIONS.len()).for_each(|r| out.push_str(if r == asset.region { ",1" } else { ",0" }));
                out.push('\n');
            }
        }
    }
    out
}

/// Writes one CSV per day into `out_dir`; returns the paths, in date order.
pub fn write_exposures(out_dir: &Path, opts: &DemoOptions, progress: &Progress<'_>) -> Result<Vec<PathBuf>> {
    opts.check()?;
    std::fs::create_dir_all(out_dir).at("cannot create", out_dir)?;
    let assets = universe(opts);
    let counter = progress.counter("demo", opts.days as u64);
    (0..opts.days)
        .into_par_iter()
        .map(|d| {
            let path = out_dir.join(format!("{}_{}.csv", opts.prefix, crate::date::format(opts.start + d as i32)));
            std::fs::write(&path, day_file(opts, &assets, d)).at("cannot write", &path)?;
            counter.tick(path.file_name().unwrap_or_default().to_string_lossy())?;
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_deterministic_and_shaped_like_the_seed() {
        let opts = DemoOptions { assets: 2000, days: 3, ..DemoOptions::default() };
        let u = universe(&opts);
        assert_eq!(u.len(), 2002);
        assert_eq!(day_file(&opts, &u, 1), day_file(&opts, &universe(&opts), 1));
        let values: Vec<f32> = (0..2000).filter_map(|a| style_value(&opts, a, 0, 3)).collect();
        let missing = 2000 - values.len();
        assert!((5..=40).contains(&missing), "about 1% missing, got {missing}");
        assert!(values.iter().all(|v| v.abs() <= 4.1 && half_precision(*v) == *v));
        let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64;
        assert!(mean.abs() < 0.15, "mean {mean}");
    }
}
