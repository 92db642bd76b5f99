//! Mapping uploaded ids to the reference's assets.

use std::collections::HashMap;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::list;
use crate::frame::Exposures;
use crate::reference::Reference;
use crate::{Error, Result};

/// The reference's assets by id, per id type.
pub(super) struct Ids<'r> {
    pub reference: &'r Reference,
    /// Per id type, its ids' assets, made when an id of that type is first looked up (an
    /// upload uses one type or two of the reference's several).
    by_type: HashMap<&'r str, OnceLock<FxHashMap<&'r str, u32>>>,
}

impl<'r> Ids<'r> {
    pub fn new(reference: &'r Reference) -> Ids<'r> {
        let types = std::iter::once(reference.id_type.as_str()).chain(reference.assets.alt_ids.iter().map(|(t, _)| t.as_str()));
        Ids { reference, by_type: types.map(|t| (t, OnceLock::new())).collect() }
    }

    /// The assets by id of `id_type`, if the reference has that id type.
    fn of_type(&self, id_type: &str) -> Option<&FxHashMap<&'r str, u32>> {
        let (&id_type, cell) = self.by_type.get_key_value(id_type)?;
        Some(cell.get_or_init(|| {
            let assets = &self.reference.assets;
            match assets.alt_ids.iter().find(|(t, _)| t == id_type) {
                Some((_, values)) if id_type != self.reference.id_type => {
                    values.iter().enumerate().filter_map(|(i, v)| v.as_deref().map(|v| (v, i as u32))).collect()
                }
                _ => assets.asset_id.iter().enumerate().map(|(i, a)| (a.as_str(), i as u32)).collect(),
            }
        }))
    }

    /// Each row's reference asset (`None`: unmatched), and the distinct unmatched `type:id`s.
    pub fn map(&self, frame: &Exposures) -> Result<(Vec<Option<u32>>, Vec<String>)> {
        // Resolved per (type code, asset code) once; codes are small and dense, so the cache is a
        // table (a hash map per row took a quarter of a build).
        const UNKNOWN: u32 = u32::MAX;
        const NONE: u32 = u32::MAX - 1;
        let assets = frame.asset_id.dict.len();
        let mut cache: Vec<Vec<u32>> = vec![Vec::new(); frame.asset_id_type.dict.len()];
        let mut unmatched = Vec::new();
        let mut out = Vec::with_capacity(frame.len());
        for r in 0..frame.len() {
            let (t, a) = (frame.asset_id_type.codes[r] as usize, frame.asset_id.codes[r] as usize);
            if cache[t].is_empty() {
                cache[t] = vec![UNKNOWN; assets];
            }
            let found = match cache[t][a] {
                NONE => None,
                UNKNOWN => {
                    let id_type = frame.asset_id_type.get(r);
                    let Some(map) = self.of_type(id_type) else {
                        let reference = self.reference;
                        return Err(Error::invalid(format!(
                            "asset_id_type '{id_type}' is not an id of reference dataset '{}' (its ids: {})",
                            reference.name,
                            list(std::iter::once(reference.id_type.clone()).chain(reference.assets.alt_ids.iter().map(|a| a.0.clone())))
                        )));
                    };
                    let f = map.get(frame.asset_id.get(r)).copied();
                    if f.is_none() {
                        unmatched.push(format!("{id_type}:{}", frame.asset_id.get(r)));
                    }
                    cache[t][a] = f.unwrap_or(NONE);
                    f
                }
                found => Some(found),
            };
            out.push(found);
        }
        Ok((out, unmatched))
    }
}
