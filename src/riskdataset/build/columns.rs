//! The coverage universe and the columns of a build, fixed by the first pass: where each
//! uploaded (source, group, factor) goes.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::ids::Ids;
use super::list;
use super::sources::Source;
use crate::reference::Reference;
use crate::riskdataset::built::{Categories, FactorColumn, Layout};
use crate::riskdataset::settings::{RiskDatasetSettings, Role, TrimAssets};
use crate::{Error, Result};

/// The coverage universe: a mask over reference assets.
pub(super) fn coverage(settings: &RiskDatasetSettings, reference: &Reference, matched: &[bool]) -> Result<Vec<bool>> {
    let assets = &reference.assets;
    let mut keep = vec![true; assets.asset_id.len()];
    if let Some(codes) = &settings.exchange_codes {
        let known: HashSet<&str> = assets.exchange.iter().map(String::as_str).collect();
        let unknown: Vec<&String> = codes.iter().filter(|c| !known.contains(c.as_str())).collect();
        if !unknown.is_empty() {
            let mut all: Vec<&str> = known.into_iter().collect();
            all.sort_unstable();
            return Err(Error::invalid(format!(
                "exchange_codes {} are not exchanges of reference dataset '{}' (its exchanges: {})",
                list(&unknown),
                reference.name,
                list(all)
            )));
        }
        let codes: HashSet<&str> = codes.iter().map(String::as_str).collect();
        keep.iter_mut().enumerate().for_each(|(i, k)| *k &= codes.contains(assets.exchange[i].as_str()));
    }
    match settings.trim_assets {
        TrimAssets::None => {}
        TrimAssets::AssetUnion => keep.iter_mut().zip(matched).for_each(|(k, m)| *k &= *m),
        TrimAssets::CcyUnion => {
            let currencies: HashSet<&str> = (0..matched.len()).filter(|&i| matched[i]).map(|i| assets.currency[i].as_str()).collect();
            keep.iter_mut().enumerate().for_each(|(i, k)| *k &= currencies.contains(assets.currency[i].as_str()));
        }
    }
    Ok(keep)
}

/// Where each (source, group, factor) goes: a numeric column, or a categorical slot.
pub(super) struct Plan<'r> {
    pub ids: Ids<'r>,
    pub universe: Vec<bool>,
    pub layout: Layout,
    /// (source, group, factor) → numeric column.
    pub numeric: HashMap<(usize, String, String), usize>,
    /// (huberize, fill) per numeric column.
    pub flags: Vec<(bool, bool)>,
    /// Per categorical slot (industry, region).
    pub categorical: [Option<Slot>; 2],
}

/// Where a categorical role comes from: its source and group, and each factor's category.
pub(super) struct Slot {
    pub source: usize,
    pub group: String,
    pub codes: HashMap<String, u16>,
}

impl<'r> Plan<'r> {
    /// The columns: numeric factors in role order (market, style, other), then the categoricals,
    /// from each source's `factors` by group.
    pub fn new(
        ids: Ids<'r>,
        universe: Vec<bool>,
        sources: &[Source<'_>],
        factors: &[HashMap<String, BTreeSet<String>>],
    ) -> Result<Plan<'r>> {
        let mut plan =
            Plan { ids, universe, layout: Layout::default(), numeric: HashMap::new(), flags: Vec::new(), categorical: [None, None] };
        let factors_of =
            |si: usize, group: &str| -> Vec<String> { factors[si].get(group).map(|f| f.iter().cloned().collect()).unwrap_or_default() };
        for role in [Role::Market, Role::Style, Role::Other] {
            for (si, s) in sources.iter().enumerate() {
                let Some(&(_, group)) = s.settings.roles().iter().find(|(r, _)| *r == role) else { continue };
                for factor in factors_of(si, group) {
                    let column = FactorColumn { role, group: group.to_owned(), factor: factor.clone() };
                    if plan.layout.numeric.iter().any(|c| c.label() == column.label()) {
                        return Err(Error::invalid(format!("column {} comes from two exposure sources", column.label())));
                    }
                    plan.numeric.insert((si, group.to_owned(), factor), plan.layout.numeric.len());
                    let is_style = role == Role::Style;
                    plan.flags.push((is_style && s.settings.style_factor_huberize, is_style && s.settings.style_factor_fill_miss));
                    plan.layout.numeric.push(column);
                }
            }
        }
        for (slot, role) in [Role::Industry, Role::Region].into_iter().enumerate() {
            for (si, s) in sources.iter().enumerate() {
                let Some(&(_, group)) = s.settings.roles().iter().find(|(r, _)| *r == role) else { continue };
                let factors = factors_of(si, group);
                let codes = factors.iter().enumerate().map(|(i, f)| (f.clone(), i as u16)).collect();
                let cats = Some(Categories { group: group.to_owned(), factors });
                if role == Role::Industry {
                    plan.layout.industry = cats
                } else {
                    plan.layout.region = cats
                }
                plan.categorical[slot] = Some(Slot { source: si, group: group.to_owned(), codes });
            }
        }
        Ok(plan)
    }
}

impl<'r> Plan<'r> {
    /// The plan that built `layout` from the sources of `settings` (in their order): the stored
    /// layout fixes the columns and categories, the settings the flags; for assembling dates
    /// again without the first pass.
    pub fn from_layout(ids: Ids<'r>, universe: Vec<bool>, settings: &RiskDatasetSettings, layout: &Layout) -> Result<Plan<'r>> {
        let sources: Vec<&crate::riskdataset::settings::UploadedExposures> = settings
            .exposures
            .iter()
            .filter_map(|s| match s {
                crate::riskdataset::settings::ExposureSource::Uploaded(u) => Some(u),
                crate::riskdataset::settings::ExposureSource::Referenced { .. } => None,
            })
            .collect();
        let source_of = |role: Role, group: &str| {
            sources.iter().position(|s| s.roles().iter().any(|&(r, g)| r == role && g == group)).ok_or_else(|| {
                Error::Storage(format!("no exposure source of the risk dataset maps group '{group}' to the {} role", role.name()))
            })
        };
        let mut plan =
            Plan { ids, universe, layout: layout.clone(), numeric: HashMap::new(), flags: Vec::new(), categorical: [None, None] };
        for (column, c) in layout.numeric.iter().enumerate() {
            let si = source_of(c.role, &c.group)?;
            plan.numeric.insert((si, c.group.clone(), c.factor.clone()), column);
            let is_style = c.role == Role::Style;
            plan.flags.push((is_style && sources[si].style_factor_huberize, is_style && sources[si].style_factor_fill_miss));
        }
        for (slot, (role, cats)) in [(Role::Industry, &layout.industry), (Role::Region, &layout.region)].into_iter().enumerate() {
            if let Some(c) = cats {
                let codes = c.factors.iter().enumerate().map(|(i, f)| (f.clone(), i as u16)).collect();
                plan.categorical[slot] = Some(Slot { source: source_of(role, &c.group)?, group: c.group.clone(), codes });
            }
        }
        Ok(plan)
    }
}
