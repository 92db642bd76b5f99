//! Exposures over HTTP. The current client asks for an exposure *report*
//! (`POST /v1/equity/report/calculate`), which names an accessor, then reads the accessor's
//! wide frame (`POST /v1/equity/report/accessor/data`: `date`, `asset_id`, one Float32 column
//! `<group>^<factor>^exposure` per factor) or its dates (`…/accessor/{id}/levels`). The
//! notebook's client (0.5.0) asks in one task (`POST /v1/equity/exposures`) and gets the
//! engine's own column names (`market.market.Market`, id column named by its type).
//!
//! Both translate into the engine's [`ExposureQuery`], so the frames are exactly what
//! `riskdesk exposures get` writes for the same choices: styles standardized per date, the
//! universe narrowed by categorical filters. The trading calendar filter is not applied (the
//! clients send `filter_tradedays: false`), and market cap filters other than "all" and
//! portfolio filters are refused.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch};
use arrow_schema::{Field, Schema};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use riskdesk::Backend;
use riskdesk::riskdataset::{ExposureQuery, Layout, Role, Selection};
use serde_json::{Value, json};

use crate::request::Params;
use crate::riskdatasets::bare;
use crate::tasks::Outcome;
use crate::{ApiError, AppState, Routes};

pub(crate) fn routes() -> Routes {
    Routes::default()
        .route("/equity/report/calculate", post(calculate))
        .route("/equity/report/accessor/data", post(data))
        .route("/equity/report/accessor/{id}/levels", post(levels))
        .route("/equity/exposures", post(notebook_exposures))
}

/// A calculated exposure report: what to query and how to name the columns.
pub struct Accessor {
    dataset: String,
    query: ExposureQuery,
    /// Engine column label → wire name; engine columns not listed are left out (all kept, with
    /// their engine names, when `None`).
    names: Option<HashMap<String, String>>,
}

impl Accessor {
    /// The whole frame of a query, with the engine's column names.
    pub fn everything(dataset: String, query: ExposureQuery) -> Accessor {
        Accessor { dataset, query, names: None }
    }

    /// Whether the frame has the engine column `label`.
    pub fn has_column(&self, label: &str) -> bool {
        self.names.as_ref().is_none_or(|n| n.contains_key(label))
    }
}

/// A calculated report, as its accessor reads it.
pub enum Report {
    /// An exposure report.
    Exposures(Accessor),
    /// A universe count report: the rows of an exposure query, one per asset and date.
    Universe(Accessor),
    /// A report over a risk model (see [`crate::riskmodels`]).
    Model(crate::riskmodels::ModelReport),
}

impl Report {
    /// About how many bytes it holds (its query's lists are as long as the caller made them).
    fn bytes(&self) -> u64 {
        let accessor = |a: &Accessor| {
            let names = a.names.as_ref().map_or(0, |n| n.iter().map(|(k, v)| k.len() + v.len() + 16).sum::<usize>());
            serde_json::to_vec(&a.query).map_or(0, |q| q.len()) + a.dataset.len() + names
        };
        let held = match self {
            Report::Exposures(a) | Report::Universe(a) => accessor(a),
            Report::Model(_) => 0,
        };
        256 + held as u64
    }
}

/// The reports calculated on this server, by accessor id, within a byte budget (the least
/// recently used forgotten first).
pub struct Accessors {
    map: Mutex<Lru<Arc<Report>>>,
}

/// The exposure frames served last, by everything they were made from (the dataset's build,
/// the query, the column names), so that a team pulling the same month shares one
/// computation; within a byte budget (the least recently used forgotten first).
pub struct Frames {
    recent: Mutex<Lru<Shared>>,
}

/// One frame being made or made: clients asking for it meanwhile wait for the one computation.
type Shared = Arc<std::sync::OnceLock<Result<Bytes, ApiError>>>;

/// Values by key, each with its size in bytes, kept within a budget: the least recently used
/// go first, never the one used last.
struct Lru<V> {
    /// Value, size and last use of each key.
    map: HashMap<String, (V, u64, u64)>,
    /// The keys by last use (a count of uses, so that every use has its own).
    order: std::collections::BTreeMap<u64, String>,
    budget: u64,
    bytes: u64,
    clock: u64,
}

impl<V: Clone> Lru<V> {
    fn new(budget: u64) -> Self {
        Lru { map: HashMap::new(), order: std::collections::BTreeMap::new(), budget, bytes: 0, clock: 0 }
    }

    /// Marks `key` (whose last use was `used`) as used now.
    fn touch(&mut self, used: u64) -> u64 {
        self.clock += 1;
        if let Some(k) = self.order.remove(&used) {
            self.order.insert(self.clock, k);
        }
        self.clock
    }

    /// The value of `key`, now the most recently used.
    fn get(&mut self, key: &str) -> Option<V> {
        let used = self.map.get(key)?.2;
        let now = self.touch(used);
        let entry = self.map.get_mut(key)?;
        entry.2 = now;
        Some(entry.0.clone())
    }

    /// Keeps `value` under `key` (the most recently used), then forgets the least recently used
    /// until the rest fits the budget.
    fn insert(&mut self, key: String, value: V, bytes: u64) {
        self.remove(&key);
        self.clock += 1;
        self.order.insert(self.clock, key.clone());
        self.map.insert(key, (value, bytes, self.clock));
        self.bytes += bytes;
        self.fit();
    }

    /// Sets the size of `key`'s value (once it is known).
    fn resize(&mut self, key: &str, bytes: u64) {
        if let Some((_, size, _)) = self.map.get_mut(key) {
            self.bytes = self.bytes - *size + bytes;
            *size = bytes;
        }
        self.fit();
    }

    fn remove(&mut self, key: &str) {
        if let Some((_, bytes, used)) = self.map.remove(key) {
            self.bytes -= bytes;
            self.order.remove(&used);
        }
    }

    fn fit(&mut self) {
        while self.bytes > self.budget && self.map.len() > 1 {
            let Some((_, oldest)) = self.order.pop_first() else { break };
            if let Some((_, bytes, _)) = self.map.remove(&oldest) {
                self.bytes -= bytes;
            }
        }
    }
}

impl Frames {
    /// Frames kept within `budget` bytes.
    pub fn within(budget: u64) -> Self {
        Frames { recent: Mutex::new(Lru::new(budget)) }
    }

    /// The frame for `key`, made by `make` unless it was made (or is being made) already.
    fn get_or_make(&self, key: String, make: impl FnOnce() -> Result<Bytes, ApiError>) -> Result<Bytes, ApiError> {
        let shared = {
            let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            recent.get(&key).unwrap_or_else(|| {
                let shared: Shared = Arc::default();
                recent.insert(key.clone(), Arc::clone(&shared), key.len() as u64);
                shared
            })
        };
        let out = shared.get_or_init(make).clone();
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        match &out {
            // Counted once made (a frame being made counts only its key).
            Ok(bytes) => recent.resize(&key, (key.len() + bytes.len()) as u64),
            // A failure is not kept: the next client tries again.
            Err(_) => recent.remove(&key),
        }
        out
    }
}

impl Accessors {
    /// Accessors kept within `budget` bytes.
    pub fn within(budget: u64) -> Self {
        Accessors { map: Mutex::new(Lru::new(budget)) }
    }

    /// Keeps a report under accessor id `id`.
    pub(crate) fn insert(&self, id: String, accessor: Report) {
        let bytes = accessor.bytes() + id.len() as u64;
        self.map.lock().unwrap_or_else(|p| p.into_inner()).insert(id, Arc::new(accessor), bytes);
    }

    fn get(&self, id: &str) -> Result<Arc<Report>, ApiError> {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).get(id).ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, "KeyError", format!("no report accessor '{id}' here: calculate the report again"))
        })
    }
}

/// A non-empty string field, if present.
pub(crate) fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// `include` ("All" or codes) and `exclude` (codes) as an engine selection.
fn selection(filter: &Value) -> Selection {
    let codes = |key: &str| -> Vec<String> {
        filter
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let include = codes("include").into_iter().filter(|c| c != "ALL");
    let exclude = codes("exclude").into_iter().map(|c| format!("~{c}"));
    let items: Vec<String> = include.chain(exclude).collect();
    if items.is_empty() { Selection::All } else { Selection::Only(items) }
}

/// Whether a filter keeps everything.
fn keeps_all(filter: &Value) -> bool {
    selection(filter) == Selection::All
}

/// The role of a categorical group of the dataset.
fn categorical_role(layout: &Layout, group: &str) -> Option<Role> {
    if layout.industry.as_ref().is_some_and(|c| c.group == group) {
        Some(Role::Industry)
    } else if layout.region.as_ref().is_some_and(|c| c.group == group) {
        Some(Role::Region)
    } else {
        None
    }
}

/// Narrows the universe to a categorical filter's members (columns of the group are not added).
fn restrict(query: &mut ExposureQuery, layout: &Layout, filter: &Value, columns_of: &HashSet<Role>) -> Result<(), ApiError> {
    if keeps_all(filter) {
        return Ok(());
    }
    let group = text(filter, "hierarchy").unwrap_or_default();
    let role = categorical_role(layout, group)
        .ok_or_else(|| ApiError::invalid(format!("the universe filter's hierarchy '{group}' is not a categorical group of the dataset")))?;
    if columns_of.contains(&role) {
        return Err(ApiError::invalid(format!(
            "filtering the universe by '{group}' while asking for its columns is not served: ask for one of the two"
        )));
    }
    let target = if role == Role::Industry { &mut query.industries } else { &mut query.regions };
    *target = selection(filter);
    Ok(())
}

/// The checks both clients' universes share: no portfolio filter, market caps unfiltered.
pub(crate) fn plain_universe(universe: &Value, mcap_key: &str) -> Result<(), ApiError> {
    if universe.get("portfolio_filter").is_some_and(|p| !p.is_null()) {
        return Err(ApiError::invalid("portfolio filters are not served: Riskdesk has no portfolios"));
    }
    if let Some(m) = universe.get(mcap_key).filter(|m| !m.is_null()) {
        let lower = m.get("lower").and_then(Value::as_f64).unwrap_or(0.0);
        let upper = m.get("upper").and_then(Value::as_f64).unwrap_or(1e20);
        if lower > 0.0 || upper < 1e20 {
            return Err(ApiError::invalid("market cap filters are not served: every asset of the risk dataset is returned"));
        }
    }
    Ok(())
}

/// The current client's exposure report settings as an accessor.
pub(crate) fn current_accessor(body: &Value, layout: &Layout) -> Result<Accessor, ApiError> {
    let settings = &body["settings"];
    if settings.get("standardize_universe_settings").is_some_and(|s| !s.is_null()) {
        return Err(ApiError::invalid(
            "standardize_universe_settings is not served: styles are standardized over the whole universe of each date",
        ));
    }
    let dataset = bare(text(body, "dataset").ok_or_else(|| ApiError::invalid("the report names no dataset"))?).to_owned();
    let universe = &settings["universe_settings"];
    plain_universe(universe, "mcap_filter")?;
    let kwargs = &body["report_kwargs"];
    let mut query = ExposureQuery {
        start: text(kwargs, "start_date").map(str::to_owned),
        end: text(kwargs, "end_date").map(str::to_owned),
        id_type: text(universe, "id_type").map(str::to_owned),
        industries: Selection::None,
        regions: Selection::None,
        styles: Selection::All,
        standardize: true,
    };
    let wire = |group: &str, factor: &str| format!("{group}^{factor}^exposure");
    let mut names = HashMap::new();
    let mut columns_of = HashSet::new();
    let groups = settings["exposure_settings"]["exposures"].as_array().cloned().unwrap_or_default();
    if groups.is_empty() {
        // No groups listed: the continuous ones (market, styles, other), as the platform answers.
        names.extend(layout.numeric.iter().map(|c| (c.label(), wire(&c.group, &c.factor))));
    }
    for g in &groups {
        let group = text(g, "factor_group").or_else(|| text(g, "hierarchy")).unwrap_or_default();
        let numeric: Vec<_> = layout.numeric.iter().filter(|c| c.group == group).collect();
        if let Some(first) = numeric.first() {
            if first.role == Role::Style {
                query.styles = selection(g);
                names.extend(numeric.iter().map(|c| (c.label(), wire(&c.group, &c.factor))));
            } else {
                let Selection::Only(items) = selection(g) else {
                    names.extend(numeric.iter().map(|c| (c.label(), wire(&c.group, &c.factor))));
                    continue;
                };
                let listed = |f: &str, c: &riskdesk::riskdataset::FactorColumn| f == c.factor || f == format!("{}.{}", c.group, c.factor);
                let includes: Vec<&String> = items.iter().filter(|i| !i.starts_with('~')).collect();
                for c in &numeric {
                    let kept = (includes.is_empty() || includes.iter().any(|i| listed(i, c)))
                        && !items.iter().any(|i| i.strip_prefix('~').is_some_and(|e| listed(e, c)));
                    if kept {
                        names.insert(c.label(), wire(&c.group, &c.factor));
                    }
                }
            }
        } else if let Some(role) = categorical_role(layout, group) {
            let cats = if role == Role::Industry { layout.industry.as_ref() } else { layout.region.as_ref() };
            for f in cats.map(|c| c.factors.as_slice()).unwrap_or_default() {
                names.insert(format!("{}.{group}.{f}", role.name()), wire(group, f));
            }
            *(if role == Role::Industry { &mut query.industries } else { &mut query.regions }) = selection(g);
            columns_of.insert(role);
        } else {
            return Err(ApiError::invalid(format!("the exposures ask for factor group '{group}', which the dataset does not have")));
        }
    }
    if !names.keys().any(|l| l.starts_with("style.")) {
        query.styles = Selection::None;
    }
    for filter in universe["categorical_filters"].as_array().cloned().unwrap_or_default() {
        restrict(&mut query, layout, &filter, &columns_of)?;
    }
    Ok(Accessor { dataset, query, names: Some(names) })
}

/// `POST /v1/equity/report/calculate`: checks the report against the dataset and answers its
/// accessor at once (the platform's inline form); the data is read when the accessor is.
async fn calculate(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let body: Value = serde_json::from_slice(&body).map_err(|e| ApiError::invalid(format!("the report is not JSON: {e}")))?;
    let kind = text(&body["settings"], "report_type").unwrap_or("exposure").to_owned();
    match kind.as_str() {
        "exposure" | "universe_count" => {}
        "factor_stats" | "mcap_exposure" | "idio" => return crate::riskmodels::calculate(&state, &body, &kind).await,
        other => {
            return Err(ApiError::invalid(format!(
                "report type '{other}' is not served: only exposure, universe_count, factor_stats, mcap_exposure and idio reports"
            )));
        }
    }
    let dataset = bare(text(&body, "dataset").unwrap_or_default()).to_owned();
    let d = state.run(move |b| b.describe_risk_dataset(&dataset)).await?;
    let (report, params) = if kind == "exposure" {
        let params = json!({
            "axes": { "date": ["date"], "asset": ["asset_id"], "factor": ["factor_group", "factor"] },
            "metric_cols": ["exposure"], "pivot_cols": ["factor_group", "factor"],
            "available_scenario_types": [], "scenario_settings": [],
        });
        (Report::Exposures(current_accessor(&body, &d.layout)?), params)
    } else {
        let params = json!({
            "axes": { "date": ["date"], "asset": ["asset_id"] }, "metric_cols": ["count"], "pivot_cols": ["asset_id"],
            "available_scenario_types": [], "scenario_settings": [],
        });
        (Report::Universe(universe_accessor(&body, &d.layout)?), params)
    };
    let id = state.tasks.new_id();
    state.accessors.insert(id.clone(), report);
    Ok(Json(json!({ "accessor_id": id, "accessor_params": params })).into_response())
}

/// A universe count report's settings as an accessor: the rows of the universe, no factor columns.
fn universe_accessor(body: &Value, layout: &Layout) -> Result<Accessor, ApiError> {
    let settings = &body["settings"];
    if settings.get("date_aggregation").and_then(Value::as_str).is_some_and(|a| a != "last") {
        return Err(ApiError::invalid(format!("date_aggregation {} is not served: only \"last\"", settings["date_aggregation"])));
    }
    let dataset = bare(text(body, "dataset").ok_or_else(|| ApiError::invalid("the report names no dataset"))?).to_owned();
    let universe = &settings["universe_settings"];
    plain_universe(universe, "mcap_filter")?;
    let mut query = ExposureQuery {
        id_type: text(universe, "id_type").map(str::to_owned),
        industries: Selection::None,
        regions: Selection::None,
        styles: Selection::None,
        standardize: false,
        ..ExposureQuery::default()
    };
    for filter in universe["categorical_filters"].as_array().cloned().unwrap_or_default() {
        restrict(&mut query, layout, &filter, &HashSet::new())?;
    }
    Ok(Accessor { dataset, query, names: None })
}

/// The accessor's frame with wire names; rows whose values are all missing left out when `drop`.
fn frame(b: &riskdesk::LocalBackend, a: &Accessor, id_name: Option<&str>, drop: bool) -> riskdesk::Result<RecordBatch> {
    let batch = b.exposures(&a.dataset, &a.query)?.to_batch()?;
    let schema = batch.schema();
    let mut fields: Vec<Field> = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (i, f) in schema.fields().iter().enumerate() {
        let name = match i {
            0 => Some(f.name().clone()),
            1 => Some(id_name.map_or_else(|| f.name().clone(), str::to_owned)),
            _ => match &a.names {
                Some(names) => names.get(f.name()).cloned(),
                None => Some(f.name().clone()),
            },
        };
        if let Some(name) = name {
            fields.push(f.as_ref().clone().with_name(name));
            arrays.push(Arc::clone(batch.column(i)));
        }
    }
    let out = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?;
    if !drop || out.num_columns() <= 2 {
        return Ok(out);
    }
    let keep: BooleanArray = (0..out.num_rows()).map(|r| Some(out.columns()[2..].iter().any(|c| c.is_valid(r)))).collect();
    Ok(arrow_select::filter::filter_record_batch(&out, &keep)?)
}

/// [`frame`] as Parquet, shared with every client asking for the same frame of the same build.
pub(crate) fn shared_frame(
    b: &riskdesk::LocalBackend,
    frames: &Frames,
    a: &Accessor,
    id_name: Option<&str>,
    drop: bool,
) -> Result<Bytes, ApiError> {
    let build = b.risk_dataset_build(&a.dataset)?;
    let mut names: Option<Vec<(&String, &String)>> = a.names.as_ref().map(|n| n.iter().collect());
    if let Some(n) = names.as_mut() {
        n.sort();
    }
    let key = serde_json::json!([build, a.dataset, a.query, names, id_name, drop]).to_string();
    frames.get_or_make(key, || crate::frames::parquet(&[frame(b, a, id_name, drop)?]))
}

/// `POST /v1/equity/report/accessor/data`: the report's wide frame as Parquet.
async fn data(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let body: Value = serde_json::from_slice(&body).map_err(|e| ApiError::invalid(format!("the request is not JSON: {e}")))?;
    if body.get("path").and_then(Value::as_array).is_some_and(|p| !p.is_empty()) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "IllegalPathError", "reports have no paths below their root here"));
    }
    let report = state.accessors.get(text(&body, "accessor_id").unwrap_or_default())?;
    if let Report::Exposures(_) = &*report
        && body.get("filters").is_some_and(|f| !f.is_null())
    {
        return Err(ApiError::invalid("accessor filters are not served: narrow the report's dates and universe instead"));
    }
    let shape = shape(&body)?;
    let drop = text(&body, "absent") == Some("drop");
    let frames = Arc::clone(&state.frames);
    let bytes = state
        .blocking(None, move |b| match &*report {
            Report::Exposures(accessor) => shared_frame(b, &frames, accessor, Some("asset_id"), drop),
            Report::Universe(accessor) => crate::riskmodels::universe_frame(&b.exposures(&accessor.dataset, &accessor.query)?, &shape),
            Report::Model(model) => crate::riskmodels::data(b, model, &shape),
        })
        .await?;
    Ok(crate::frames::parquet_response(bytes))
}

/// A list of strings of the body (`expand`, `pivot_cols`, `value_cols`).
fn strings(body: &Value, key: &str) -> Vec<String> {
    body[key].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

/// What a data call asks for; its filters may only bound dates (one AND group of `date`
/// comparisons `>=`, `<=`, `==` with `YYYY-MM-DD` values).
fn shape(body: &Value) -> Result<crate::riskmodels::Shape, ApiError> {
    let mut shape = crate::riskmodels::Shape {
        expand: strings(body, "expand"),
        pivot: strings(body, "pivot_cols"),
        values: strings(body, "value_cols"),
        dates: (None, None),
    };
    let filters = match body.get("filters") {
        None | Some(Value::Null) => return Ok(shape),
        Some(Value::Array(f)) => f.as_slice(),
        Some(other) => return Err(ApiError::invalid(format!("filters {other} must be a list of (column, operator, value)"))),
    };
    // One AND group, or an OR of exactly one.
    let group = match filters {
        [Value::Array(inner)] if inner.first().is_some_and(Value::is_array) => inner.as_slice(),
        group => group,
    };
    for filter in group {
        let (Some("date"), Some(op), Some(value)) = (filter[0].as_str(), filter[1].as_str(), filter[2].as_str()) else {
            return Err(ApiError::invalid(format!(
                "filter {filter} is not served: only date bounds (\"date\", \">=\" or \"<=\", \"YYYY-MM-DD\")"
            )));
        };
        let date = riskdesk::date::format(riskdesk::date::parse_arg(value)?);
        match op {
            ">=" => shape.dates.0 = Some(shape.dates.0.take().map_or(date.clone(), |d| d.max(date))),
            "<=" => shape.dates.1 = Some(shape.dates.1.take().map_or(date.clone(), |d| d.min(date))),
            "==" => {
                shape.dates.0 = Some(shape.dates.0.take().map_or(date.clone(), |d| d.max(date.clone())));
                shape.dates.1 = Some(shape.dates.1.take().map_or(date.clone(), |d| d.min(date)));
            }
            other => return Err(ApiError::invalid(format!("date filter operator '{other}' is not served: only >=, <= and =="))),
        }
    }
    Ok(shape)
}

/// `POST /v1/equity/report/accessor/{id}/levels`: the report's distinct dates.
async fn levels(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Result<Response, ApiError> {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let wanted: Vec<&str> = body["levels"].as_array().map(|l| l.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    if wanted != ["date"] {
        return Err(ApiError::invalid(format!("levels {wanted:?} are not served: only [\"date\"]")));
    }
    let report = state.accessors.get(&id)?;
    let bytes = state
        .blocking(None, move |b| {
            let accessor = match &*report {
                Report::Exposures(a) | Report::Universe(a) => a,
                Report::Model(model) => {
                    let dates =
                        crate::riskmodels::Shape { expand: vec!["date".into()], pivot: vec![], values: vec![], dates: (None, None) };
                    return crate::riskmodels::data(b, model, &dates);
                }
            };
            let table = b.exposures(&accessor.dataset, &accessor.query)?;
            let batch = table.to_batch()?;
            let dates =
                batch.column(0).as_any().downcast_ref::<arrow_array::Date32Array>().map(|d| d.values().to_vec()).unwrap_or_default();
            let mut distinct = dates;
            distinct.dedup();
            let column: ArrayRef = Arc::new(arrow_array::Date32Array::from(distinct));
            let schema = Arc::new(Schema::new(vec![Field::new("date", arrow_schema::DataType::Date32, false)]));
            crate::frames::parquet(&[RecordBatch::try_new(schema, vec![column]).map_err(|e| ApiError::internal(e.to_string()))?])
        })
        .await?;
    Ok(crate::frames::parquet_response(bytes))
}

/// The notebook client's (0.5.0) request as an accessor with the engine's column names.
fn notebook_accessor(params: &Params, body: &Value, layout: &Layout) -> Result<Accessor, ApiError> {
    let universe = &body["universe_settings"];
    plain_universe(universe, "mcap")?;
    let exposures = &body["exposure_settings"];
    let dataset = bare(text(universe, "dataset").ok_or_else(|| ApiError::invalid("the universe names no dataset"))?).to_owned();
    let styles = match exposures.get("styles").filter(|s| !s.is_null()) {
        None => Selection::All,
        Some(Value::Object(m)) => Selection::Only(
            m.values().flat_map(|v| v.as_array().cloned().unwrap_or_default()).filter_map(|c| c.as_str().map(str::to_owned)).collect(),
        ),
        Some(other) => return Err(ApiError::invalid(format!("styles {other} must be a map of style to sub-styles"))),
    };
    let chosen = |key: &str| if exposures.get(key).is_some_and(|v| !v.is_null()) { Selection::All } else { Selection::None };
    let mut query = ExposureQuery {
        start: params.last("start"),
        end: params.last("end"),
        id_type: params.last("id_type").or_else(|| text(universe, "id_type").map(str::to_owned)),
        industries: chosen("industries"),
        regions: chosen("regions"),
        styles,
        standardize: exposures.get("standardize_styles").and_then(Value::as_bool).unwrap_or(true),
    };
    let market = exposures.get("market").and_then(Value::as_bool).unwrap_or(true);
    let other = exposures.get("other").and_then(Value::as_object).is_some_and(|o| !o.is_empty());
    let mut names: HashMap<String, String> = layout
        .numeric
        .iter()
        .filter(|c| match c.role {
            Role::Market => market,
            Role::Other => other,
            _ => true,
        })
        .map(|c| (c.label(), c.label()))
        .collect();
    let mut columns_of = HashSet::new();
    for (role, cats) in [(Role::Industry, &layout.industry), (Role::Region, &layout.region)] {
        let on = if role == Role::Industry { &query.industries } else { &query.regions };
        if *on == Selection::None {
            continue;
        }
        columns_of.insert(role);
        for f in cats.iter().flat_map(|c| c.factors.iter().map(move |f| format!("{}.{}.{f}", role.name(), c.group))) {
            names.insert(f.clone(), f);
        }
    }
    for key in ["industry", "region"] {
        if let Some(filter) = universe.get(key).filter(|f| !f.is_null()) {
            restrict(&mut query, layout, filter, &columns_of)?;
        }
    }
    Ok(Accessor { dataset, query, names: Some(names) })
}

/// `POST /v1/equity/exposures[?start=&end=&id_type=]` (the notebook's client): a task whose
/// `dataframe` result is the exposures with the engine's column names.
async fn notebook_exposures(State(state): State<AppState>, params: Params, body: Bytes) -> Result<Response, ApiError> {
    let body: Value = serde_json::from_slice(&body).map_err(|e| ApiError::invalid(format!("the request is not JSON: {e}")))?;
    let dataset = bare(text(&body["universe_settings"], "dataset").unwrap_or_default()).to_owned();
    let d = state.run(move |b| b.describe_risk_dataset(&dataset)).await?;
    let accessor = notebook_accessor(&params, &body, &d.layout)?;
    let frames = Arc::clone(&state.frames);
    Ok(state.spawn_task(move |b, progress| {
        progress.report("exposures", 0, 1, "reading the risk dataset");
        Ok(Outcome::Parquet(shared_frame(b, &frames, &accessor, None, false)?))
    }))
}

#[cfg(test)]
mod tests {
    use super::Lru;

    #[test]
    fn the_least_recently_used_go_first_and_the_last_used_always_stays() {
        let mut lru = Lru::new(100);
        lru.insert("a".into(), 1, 40);
        lru.insert("b".into(), 2, 40);
        assert_eq!(lru.get("a"), Some(1)); // a is now used after b
        lru.insert("c".into(), 3, 40); // 120 > 100: b goes, not a
        assert_eq!((lru.get("a"), lru.get("b"), lru.get("c")), (Some(1), None, Some(3)));
        assert_eq!(lru.bytes, 80);
        // One value beyond the whole budget stays alone, as the one used last.
        lru.insert("huge".into(), 4, 1_000);
        assert_eq!((lru.map.len(), lru.get("huge"), lru.bytes), (1, Some(4), 1_000));
        // Resized once made, and removed: the bytes follow.
        lru.insert("d".into(), 5, 10);
        assert_eq!(lru.map.len(), 1, "the huge one goes once another is used last");
        lru.resize("d", 30);
        assert_eq!(lru.bytes, 30);
        lru.remove("d");
        assert_eq!((lru.bytes, lru.order.len()), (0, 0));
    }
}
