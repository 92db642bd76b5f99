//! Charts of the per-day statistics and of one day's values, drawn as SVG with `plotters`.
//!
//! Each chart comes with the pixel box of its plotting area, so that a viewer can turn a pointer
//! position into a day (day `i` of `n` fills the `i`-th of `n` equal slots of the box) or into a
//! histogram bin, and show the exact values there.

use std::collections::BTreeSet;
use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use crate::uploader::DetailRow;
use crate::{Error, Result};

/// The plotting area of a chart inside its SVG, in SVG pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct PlotBox {
    /// The plotting area's left edge, in pixels from the SVG's left.
    pub left: i32,
    /// The plotting area's right edge, in pixels from the SVG's left.
    pub right: i32,
    /// The plotting area's top edge, in pixels from the SVG's top.
    pub top: i32,
    /// The plotting area's bottom edge, in pixels from the SVG's top.
    pub bottom: i32,
}

/// One drawn chart.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Chart {
    /// A stable identifier: `assets`, `range`, `std` or `histogram`.
    pub id: String,
    /// A title for the viewer to show with the chart; it is not drawn in the SVG.
    pub title: String,
    /// The SVG's width, in pixels.
    pub width: u32,
    /// The SVG's height, in pixels.
    pub height: u32,
    /// The SVG document, as text.
    pub svg: String,
    /// Where the plotting area lies in the SVG.
    pub plot: PlotBox,
}

/// The per-day charts of a detail summary.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct DayCharts {
    /// The dates with data, in order.
    pub dates: Vec<String>,
    /// Every calendar day on the x axis, first date to last: the axis is proportional to time,
    /// so a date without data is a gap (and lines break there). Slot `i` of a chart is `days[i]`.
    pub days: Vec<String>,
    /// The series (see `series_of`), in this order and in the palette's colours.
    pub series: Vec<String>,
    /// The charts `assets`, `range` and `std`, in that order; empty when there are no rows.
    pub charts: Vec<Chart>,
}

/// One histogram bin: values in `[lo, hi)` (the last bin also holds `hi`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Bin {
    /// The bin's lower edge (for category counts, the category's index).
    pub lo: f64,
    /// The bin's upper edge, excluded except in the last bin.
    pub hi: f64,
    /// How many values fall in the bin (for category counts, the category's count).
    pub count: u32,
}

/// A histogram chart with its bins.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Histogram {
    /// The drawn bars.
    pub chart: Chart,
    /// The bins, lowest first (for category counts, in the categories' order).
    pub bins: Vec<Bin>,
    /// How many values were drawn: the finite ones (for category counts, the sum of the counts).
    pub values: usize,
    /// How many values were left out as missing (not finite); 0 for category counts.
    pub missing: usize,
}

/// Series colours, as hex for the viewer's legend.
pub(crate) const PALETTE: [&str; 8] = ["#2457c5", "#c4320a", "#067647", "#7a2e98", "#101828", "#0e7090", "#c11574", "#98a2b3"];

const INK: RGBColor = RGBColor(0x1c, 0x23, 0x30);
const MUTED: RGBColor = RGBColor(0x5f, 0x6b, 0x7a);
const GRID: RGBColor = RGBColor(0xea, 0xec, 0xf0);

fn colour(series: usize) -> RGBColor {
    let hex = PALETTE[series % PALETTE.len()];
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    RGBColor(byte(1), byte(3), byte(5))
}

/// How the x axis is labelled: day slots (`MM-DD` under whole days) or plain numbers.
enum XLabels<'a> {
    Days(&'a [String]),
    Numbers,
    /// No labels under the x axis (bars told apart by the read-out).
    Nothing,
    /// A label under the middle of each of `n` slots across `0..n` (bars), shortened to fit.
    Slots(&'a [String]),
}

/// Axis labels: 12 px in the viewer (plotters draws text at about 0.8 of the given size).
fn label_font() -> TextStyle<'static> {
    ("sans-serif", 15).into_font().color(&MUTED)
}

type Ctx<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
type Drawn = std::result::Result<(), Box<dyn std::error::Error>>;

fn failed(e: impl std::fmt::Display) -> Error {
    Error::invalid(format!("cannot draw the chart: {e}"))
}

/// The y range of `values` with a little air, never empty.
fn y_range(values: impl Iterator<Item = f64>, from_zero: bool) -> Range<f64> {
    let (mut lo, hi) = values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    if from_zero {
        lo = lo.min(0.0);
    }
    if hi - lo < 1e-12 {
        let pad = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
        return lo - pad..hi + pad;
    }
    let pad = (hi - lo) * 0.06;
    (if from_zero && lo >= 0.0 { lo } else { lo - pad })..hi + pad
}

/// Axis numbers: whole numbers with thousands separators, else three significant decimals.
fn axis_number(v: f64, whole: bool) -> String {
    if whole {
        let s = format!("{:.0}", v.abs());
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < -0.5 { format!("-{out}") } else { out }
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.into() }
    }
}

/// `MM-DD` labels under the x axis of a chart whose slot `i` is `days[i]`: under the middle of
/// each labelled slot, at least 56 px apart.
fn day_labels(root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>, chart: &Ctx<'_, '_>, days: &[String]) -> Result<()> {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let style = label_font().pos(Pos::new(HPos::Center, VPos::Top));
    if days.len() > 92 {
        // Longer than a quarter: `YYYY-MM` under the first day of months, at least 64 px apart.
        let starts: Vec<usize> = (0..days.len()).filter(|&i| days[i].ends_with("-01")).collect();
        let fit = ((xs.end - xs.start).max(0) / 64).max(2) as usize;
        let step = starts.len().div_ceil(fit).max(1);
        for &i in starts.iter().step_by(step) {
            let (px, _) = chart.backend_coord(&(i as f64, 0.0));
            root.draw(&Text::new(days[i].get(..7).unwrap_or(&days[i]).to_string(), (px, ys.end + 6), style.clone())).map_err(failed)?;
        }
        return Ok(());
    }
    let fit = ((xs.end - xs.start).max(0) / 56).max(2) as usize;
    let step = days.len().div_ceil(fit).max(1);
    for (i, d) in days.iter().enumerate().step_by(step) {
        let (px, _) = chart.backend_coord(&(i as f64, 0.0));
        root.draw(&Text::new(d.get(5..).unwrap_or(d).to_string(), (px, ys.end + 6), style.clone())).map_err(failed)?;
    }
    Ok(())
}

/// Draws one chart: axes over `x` and `y`, then `paint` on them.
fn draw(
    id: &'static str,
    title: String,
    (width, height): (u32, u32),
    (x, y): (Range<f64>, Range<f64>),
    x_labels: XLabels<'_>,
    y_whole: bool,
    paint: impl FnOnce(&mut Ctx<'_, '_>) -> Drawn,
) -> Result<Chart> {
    let mut svg = String::new();
    let plot = {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let mut chart = ChartBuilder::on(&root)
            .margin_top(8)
            .margin_right(14)
            .margin_left(4)
            .x_label_area_size(26)
            .y_label_area_size(62)
            .build_cartesian_2d(x, y)
            .map_err(failed)?;
        let y_label = |v: &f64| axis_number(*v, y_whole);
        let x_fmt = |v: &f64| axis_number(*v, false);
        let ticks = match &x_labels {
            XLabels::Numbers => 8,
            XLabels::Days(_) | XLabels::Nothing | XLabels::Slots(_) => 0,
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(ticks)
            .y_labels(5)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_label)
            .label_style(label_font())
            .axis_style(MUTED.mix(0.6))
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .draw()
            .map_err(failed)?;
        paint(&mut chart).map_err(failed)?;
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        match x_labels {
            XLabels::Days(dates) => day_labels(&root, &chart, dates)?,
            XLabels::Slots(labels) => {
                // About 7 px a character at the labels' size.
                let room = (f64::from(xs.end - xs.start) / labels.len().max(1) as f64 / 7.0) as usize;
                let style = label_font().pos(Pos::new(HPos::Center, VPos::Top));
                for (i, label) in labels.iter().enumerate() {
                    let text: String = if label.chars().count() > room {
                        label.chars().take(room.saturating_sub(1)).chain(['…']).collect()
                    } else {
                        label.clone()
                    };
                    let (px, _) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
                    if room >= 2 {
                        root.draw(&Text::new(text, (px, ys.end + 6), style.clone())).map_err(failed)?;
                    }
                }
            }
            XLabels::Numbers | XLabels::Nothing => {}
        }
        root.present().map_err(failed)?;
        PlotBox { left: xs.start, right: xs.end, top: ys.start, bottom: ys.end }
    };
    Ok(Chart { id: id.to_owned(), title, width, height, svg, plot })
}

/// The series a detail row belongs to: its name without its date, so that daily files
/// `exposures_2025-05-01`, `exposures_2025-05-02`, … make one series, `exposures`.
pub(crate) fn series_of(row: &DetailRow) -> String {
    let name = row.name.as_deref().unwrap_or_default();
    let bare = name.replace(&row.date, "");
    let bare = bare.trim_matches(|c: char| c == '_' || c == '-' || c == '.' || c == ' ');
    if bare.is_empty() { name.to_owned() } else { bare.to_owned() }
}

/// The charts of a detail summary: assets per day; the min–max band with mean and median lines;
/// the standard deviation per day. One series per `series_of`. Empty when there are no rows.
pub fn day_charts(rows: &[DetailRow], size: (u32, u32)) -> Result<DayCharts> {
    let dates: Vec<String> = rows.iter().map(|r| r.date.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let names: Vec<String> = rows.iter().map(series_of).collect::<BTreeSet<_>>().into_iter().collect();
    let day_of = |d: &str| crate::date::parse(d.as_bytes()).unwrap_or(0);
    let (Some(first), Some(last)) = (dates.first().map(|d| day_of(d)), dates.last().map(|d| day_of(d))) else {
        return Ok(DayCharts { dates, days: vec![], series: names, charts: vec![] });
    };
    let days: Vec<String> = (first..=last).map(crate::date::format).collect();
    let n = days.len();
    // series[s][i]: the row of name s on calendar day i.
    let mut series: Vec<Vec<Option<&DetailRow>>> = vec![vec![None; n]; names.len()];
    for r in rows {
        let s = names.binary_search(&series_of(r)).unwrap_or(0);
        let i = (day_of(&r.date) - first) as usize;
        series[s][i].get_or_insert(r);
    }
    let x = -0.5..n as f64 - 0.5;
    // The runs of consecutive days with a value: lines break where a day has none.
    let runs = |s: usize, f: &dyn Fn(&DetailRow) -> f32| -> Vec<Vec<(f64, f64)>> {
        let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (i, r) in series[s].iter().enumerate() {
            match r.map(|r| f64::from(f(r))).filter(|v| v.is_finite()) {
                Some(v) => out.last_mut().expect("a run").push((i as f64, v)),
                None if out.last().is_some_and(|run| !run.is_empty()) => out.push(Vec::new()),
                None => {}
            }
        }
        out.retain(|run| !run.is_empty());
        out
    };
    let line = |chart: &mut Ctx<'_, '_>, runs: Vec<Vec<(f64, f64)>>, c: RGBColor, width: u32, dashed: bool| -> Drawn {
        let dots = runs.iter().map(Vec::len).sum::<usize>() < 40;
        for pts in runs {
            if dashed {
                chart.draw_series(DashedLineSeries::new(pts.clone(), 5, 4, c.stroke_width(width)))?;
            } else {
                chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(width)))?;
            }
            if dots {
                chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 2, c.filled())))?;
            }
        }
        Ok(())
    };

    let all = |f: &dyn Fn(&DetailRow) -> f32| rows.iter().map(|r| f(r) as f64).collect::<Vec<_>>();
    let mut charts = Vec::with_capacity(3);
    // The asset count scales to its own range (not from zero), so that a drop of a few percent shows.
    charts.push(draw(
        "assets",
        "Assets per day".into(),
        size,
        (x.clone(), y_range(all(&|r| r.n_assets as f32).into_iter(), false)),
        XLabels::Days(&days),
        true,
        |chart| {
            for s in 0..names.len() {
                line(chart, runs(s, &|r| r.n_assets as f32), colour(s), 2, false)?;
            }
            Ok(())
        },
    )?);
    let band_values = all(&|r| r.min_exposure).into_iter().chain(all(&|r| r.max_exposure));
    charts.push(draw(
        "range",
        "Min–max band, mean (solid) and median (dashed)".into(),
        size,
        (x.clone(), y_range(band_values, false)),
        XLabels::Days(&days),
        false,
        |chart| {
            for s in 0..names.len() {
                let c = colour(s);
                for (upper, lower) in runs(s, &|r| r.max_exposure).into_iter().zip(runs(s, &|r| r.min_exposure)) {
                    let mut outline = upper.clone();
                    outline.extend(lower.iter().rev());
                    if upper.len() > 1 {
                        chart.draw_series(std::iter::once(Polygon::new(outline, c.mix(0.14).filled())))?;
                    } else if let (Some(&hi), Some(&lo)) = (upper.first(), lower.first()) {
                        // A lone day has no band to fill: its range is a bar.
                        chart.draw_series(std::iter::once(PathElement::new(vec![lo, hi], c.mix(0.45).stroke_width(6))))?;
                    }
                    chart.draw_series(LineSeries::new(upper, c.mix(0.45).stroke_width(1)))?;
                    chart.draw_series(LineSeries::new(lower, c.mix(0.45).stroke_width(1)))?;
                }
                line(chart, runs(s, &|r| r.mean_exposure), c, 2, false)?;
                line(chart, runs(s, &|r| r.median_exposure), INK, 1, true)?;
            }
            Ok(())
        },
    )?);
    charts.push(draw(
        "std",
        "Standard deviation per day".into(),
        size,
        (x, y_range(all(&|r| r.std_exposure).into_iter(), true)),
        XLabels::Days(&days),
        false,
        |chart| {
            for s in 0..names.len() {
                line(chart, runs(s, &|r| r.std_exposure), colour(s), 2, false)?;
            }
            Ok(())
        },
    )?);
    Ok(DayCharts { dates, days, series: names, charts })
}

/// Lines over a calendar-day axis: `days` holds every calendar day shown (slot `i` is
/// `days[i]`), each series a value per day (`None` where it has none: the line joins the days
/// that have one, so that weekends and holidays do not break it). A zero line when `zero`.
pub(crate) fn day_lines(
    id: &'static str,
    title: String,
    days: &[String],
    series: &[Vec<Option<f64>>],
    (y_whole, zero): (bool, bool),
    size: (u32, u32),
) -> Result<Chart> {
    let n = days.len().max(1);
    let y = y_range(series.iter().flatten().flatten().copied().chain(zero.then_some(0.0)), false);
    draw(id, title, size, (-0.5..n as f64 - 0.5, y), XLabels::Days(days), y_whole, |chart| {
        if zero {
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(-0.5, 0.0), (n as f64 - 0.5, 0.0)], MUTED.mix(0.5).stroke_width(1))))?;
        }
        for (s, values) in series.iter().enumerate() {
            let points: Vec<(f64, f64)> = values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64, v))).collect();
            chart.draw_series(LineSeries::new(points.clone(), colour(s).stroke_width(2)))?;
            if points.len() < 40 {
                chart.draw_series(points.into_iter().map(|p| Circle::new(p, 2, colour(s).filled())))?;
            }
        }
        Ok(())
    })
}

/// Vertical bars, one per value in order (bar `i` fills slot `i`; `None`: no bar), from zero,
/// with a dashed line at `mark` if given, and `labels` under the bars when they are at most 16.
pub(crate) fn bars(
    id: &'static str,
    title: String,
    values: &[Option<f64>],
    labels: &[String],
    mark: Option<f64>,
    size: (u32, u32),
) -> Result<Chart> {
    let n = values.len().max(1) as f64;
    let y = y_range(values.iter().flatten().copied().chain(mark), true);
    let x_labels = if labels.len() == values.len() && labels.len() <= 16 { XLabels::Slots(labels) } else { XLabels::Nothing };
    draw(id, title, size, (0.0..n, y), x_labels, false, |chart| {
        let c = colour(0);
        chart.draw_series(values.iter().enumerate().filter_map(|(i, v)| {
            v.map(|v| {
                let mut bar = Rectangle::new([(i as f64, 0.0), (i as f64 + 1.0, v)], c.mix(0.75).filled());
                bar.set_margin(0, 0, 1, 1);
                bar
            })
        }))?;
        if let Some(m) = mark {
            chart.draw_series(DashedLineSeries::new(vec![(0.0, m), (n, m)], 5, 4, INK.mix(0.7).stroke_width(1)))?;
        }
        Ok(())
    })
}

/// Blue (−1) through white (0) to red (+1).
fn diverging(v: f64) -> RGBColor {
    let t = v.clamp(-1.0, 1.0);
    let mix = |a: u8, b: u8, t: f64| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    if t >= 0.0 {
        RGBColor(mix(0xf8, 0xb4, t), mix(0xf8, 0x23, t), mix(0xf8, 0x18, t))
    } else {
        RGBColor(mix(0xf8, 0x24, -t), mix(0xf8, 0x57, -t), mix(0xf8, 0xc5, -t))
    }
}

/// A square matrix of values in [−1, 1] (correlations), row `r` and column `c` both
/// `labels[r]`/`labels[c]`; rows labelled when they are tall enough. Cell (r, c) fills slot `c`
/// of `labels.len()` across and slot `r` down.
pub(crate) fn matrix(id: &'static str, title: String, labels: &[String], values: &[Vec<Option<f64>>], size: (u32, u32)) -> Result<Chart> {
    let n = labels.len().max(1);
    let (width, height) = (size.0, size.1.max(60 + (14 * n as u32).min(700)));
    let mut svg = String::new();
    let plot = {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let nf = n as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin_top(8)
            .margin_right(14)
            .margin_left(4)
            .x_label_area_size(10)
            .y_label_area_size(150)
            .build_cartesian_2d(-0.5..nf - 0.5, -0.5..nf - 0.5)
            .map_err(failed)?;
        chart.configure_mesh().disable_mesh().x_labels(0).y_labels(0).axis_style(MUTED.mix(0.6)).draw().map_err(failed)?;
        chart
            .draw_series(values.iter().enumerate().flat_map(|(r, row)| {
                let y = nf - 1.0 - r as f64;
                row.iter().enumerate().filter_map(move |(c, v)| {
                    v.map(|v| Rectangle::new([(c as f64 - 0.5, y - 0.5), (c as f64 + 0.5, y + 0.5)], diverging(v).filled()))
                })
            }))
            .map_err(failed)?;
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        if f64::from(ys.end - ys.start) / nf >= 9.0 {
            let style = label_font().pos(Pos::new(HPos::Right, VPos::Center));
            for (r, f) in labels.iter().enumerate() {
                let (_, py) = chart.backend_coord(&(0.0, nf - 1.0 - r as f64));
                let label: String = if f.chars().count() > 26 { f.chars().take(25).chain(['…']).collect() } else { f.clone() };
                root.draw(&Text::new(label, (xs.start - 6, py), style.clone())).map_err(failed)?;
            }
        }
        root.present().map_err(failed)?;
        PlotBox { left: xs.start, right: xs.end, top: ys.start, bottom: ys.end }
    };
    Ok(Chart { id: id.to_owned(), title, width, height, svg, plot })
}

/// Bars of `counts` (label, count), in the order given: bin `i` is `counts[i]`.
pub(crate) fn category_counts(counts: &[(String, u32)], title: String, size: (u32, u32)) -> Result<Histogram> {
    let out: Vec<Bin> = counts.iter().enumerate().map(|(i, c)| Bin { lo: i as f64, hi: i as f64 + 1.0, count: c.1 }).collect();
    let top = counts.iter().map(|c| c.1).max().unwrap_or(0).max(1) as f64 * 1.06;
    let n = counts.len().max(1) as f64;
    let chart = draw("histogram", title, size, (0.0..n, 0.0..top), XLabels::Nothing, true, |chart| {
        let c = colour(0);
        chart.draw_series(out.iter().map(|b| {
            let mut bar = Rectangle::new([(b.lo, 0.0), (b.hi, f64::from(b.count))], c.mix(0.75).filled());
            bar.set_margin(0, 0, 1, 1);
            bar
        }))?;
        Ok(())
    })?;
    let values = counts.iter().map(|c| c.1 as usize).sum();
    Ok(Histogram { chart, bins: out, values, missing: 0 })
}

/// What a factor × date heatmap colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum HeatMetric {
    /// The share of the date's assets without a value.
    Missing,
    /// How far a style is from standardised: |mean| + |std − 1|.
    Standardization,
}

/// A factor × date heatmap: one row per factor, one column per calendar day.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Heatmap {
    /// What the cells colour.
    pub metric: HeatMetric,
    /// The drawn heatmap, with id `heat-missing` or `heat-standardization`.
    pub chart: Chart,
    /// The columns: every calendar day from the first date to the last.
    pub days: Vec<String>,
    /// The rows, top to bottom: `group.factor`.
    pub factors: Vec<String>,
    /// `values[row][column]`; `None` where the factor has no data that day.
    pub values: Vec<Vec<Option<f64>>>,
}

/// White (0) to red (1 and beyond).
fn heat(v: f64) -> RGBColor {
    let t = v.clamp(0.0, 1.0);
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(mix(0xf4, 0xb4), mix(0xf6, 0x23), mix(0xf8, 0x18))
}

/// A heatmap of per date × factor statistics (see [`HeatMetric`]): missing share as is,
/// standardisation deviation scaled so that 0.5 is full red. Days without data stay blank.
pub fn factor_heatmap(stats: &[crate::checks::FactorDayStats], metric: HeatMetric, size: (u32, u32)) -> Result<Heatmap> {
    let day_of = |d: &str| crate::date::parse(d.as_bytes()).unwrap_or(0);
    let factors: Vec<String> =
        stats.iter().map(|s| format!("{}.{}", s.factor_group, s.factor)).collect::<BTreeSet<_>>().into_iter().collect();
    let (first, last) = stats.iter().fold((i32::MAX, i32::MIN), |(a, b), s| (a.min(day_of(&s.date)), b.max(day_of(&s.date))));
    let days: Vec<String> = if stats.is_empty() { Vec::new() } else { (first..=last).map(crate::date::format).collect() };
    let mut values = vec![vec![None; days.len()]; factors.len()];
    for s in stats {
        let row = factors.binary_search(&format!("{}.{}", s.factor_group, s.factor)).unwrap_or(0);
        let v = match metric {
            HeatMetric::Missing => Some(1.0 - s.coverage),
            HeatMetric::Standardization => s.mean.zip(s.std).map(|(m, d)| m.abs() + (d - 1.0).abs()),
        };
        values[row][(day_of(&s.date) - first) as usize] = v;
    }
    // Tall enough for a readable row per factor.
    let (width, height) = (size.0, size.1.max(50 + 16 * factors.len() as u32));
    let (title, scale) = match metric {
        HeatMetric::Missing => ("Share of assets without a value, by factor and date", 1.0),
        HeatMetric::Standardization => ("Distance from standardised (|mean| + |std − 1|), by factor and date", 2.0),
    };
    let mut svg = String::new();
    let plot = {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let (n_days, n_rows) = (days.len().max(1) as f64, factors.len().max(1) as f64);
        let mut chart = ChartBuilder::on(&root)
            .margin_top(8)
            .margin_right(14)
            .margin_left(4)
            .x_label_area_size(26)
            .y_label_area_size(150)
            .build_cartesian_2d(-0.5..n_days - 0.5, -0.5..n_rows - 0.5)
            .map_err(failed)?;
        chart.configure_mesh().disable_mesh().x_labels(0).y_labels(0).axis_style(MUTED.mix(0.6)).draw().map_err(failed)?;
        chart
            .draw_series(values.iter().enumerate().flat_map(|(r, row)| {
                let y = n_rows - 1.0 - r as f64;
                row.iter().enumerate().filter_map(move |(c, v)| {
                    v.map(|v| Rectangle::new([(c as f64 - 0.5, y - 0.5), (c as f64 + 0.5, y + 0.5)], heat(v * scale).filled()))
                })
            }))
            .map_err(failed)?;
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        let row_px = f64::from(ys.end - ys.start) / n_rows;
        if row_px >= 9.0 {
            let style = label_font().pos(Pos::new(HPos::Right, VPos::Center));
            for (r, f) in factors.iter().enumerate() {
                let (_, py) = chart.backend_coord(&(0.0, n_rows - 1.0 - r as f64));
                let label: String = if f.chars().count() > 22 { f.chars().take(21).chain(['…']).collect() } else { f.clone() };
                root.draw(&Text::new(label, (xs.start - 6, py), style.clone())).map_err(failed)?;
            }
        }
        day_labels(&root, &chart, &days)?;
        root.present().map_err(failed)?;
        PlotBox { left: xs.start, right: xs.end, top: ys.start, bottom: ys.end }
    };
    let id = match metric {
        HeatMetric::Missing => "heat-missing",
        HeatMetric::Standardization => "heat-standardization",
    };
    Ok(Heatmap { metric, chart: Chart { id: id.to_owned(), title: title.to_owned(), width, height, svg, plot }, days, factors, values })
}

/// A histogram of `values` in `bins` equal bins between their minimum and maximum. Missing
/// (non-finite) values are counted, not drawn; each of `marks` is a red tick under the bars.
pub(crate) fn histogram(values: &[f32], bins: usize, title: String, size: (u32, u32), marks: &[f32]) -> Result<Histogram> {
    let bins = bins.max(1);
    let finite: Vec<f64> = values.iter().filter(|v| v.is_finite()).map(|&v| v as f64).collect();
    let missing = values.len() - finite.len();
    let (lo, hi) = finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
    let (lo, hi) = if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi - lo < 1e-12 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u32; bins];
    for v in &finite {
        counts[(((v - lo) / width) as usize).min(bins - 1)] += 1;
    }
    let out: Vec<Bin> =
        counts.iter().enumerate().map(|(i, &count)| Bin { lo: lo + i as f64 * width, hi: lo + (i + 1) as f64 * width, count }).collect();
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.06;
    let chart = draw("histogram", title, size, (lo..hi, 0.0..top), XLabels::Numbers, true, |chart| {
        let c = colour(0);
        chart.draw_series(out.iter().filter(|b| b.count > 0).map(|b| {
            let mut bar = Rectangle::new([(b.lo, 0.0), (b.hi, b.count as f64)], c.mix(0.75).filled());
            bar.set_margin(0, 0, 1, 1);
            bar
        }))?;
        let red = RGBColor(0xb4, 0x23, 0x18);
        chart.draw_series(
            marks
                .iter()
                .filter(|m| m.is_finite())
                .map(|&m| PathElement::new(vec![(f64::from(m), 0.0), (f64::from(m), top * 0.12)], red.stroke_width(2))),
        )?;
        Ok(())
    })?;
    Ok(Histogram { chart, bins: out, values: finite.len(), missing })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, date: &str, n: u32, min: f32, max: f32, mean: f32, std: f32) -> DetailRow {
        DetailRow {
            name: Some(name.into()),
            date: date.into(),
            n_assets: n,
            min_exposure: min,
            max_exposure: max,
            mean_exposure: mean,
            median_exposure: mean,
            std_exposure: std,
        }
    }

    #[test]
    fn the_time_axis_is_proportional_so_a_missing_day_is_a_gap() {
        let day = |d: &str, n: u32| row(&format!("a_{d}"), d, n, -1.0, 2.0, 0.0, 1.0);
        let c = day_charts(&[day("2025-01-02", 90), day("2025-01-03", 95), day("2025-01-05", 30)], (600, 200)).unwrap();
        assert_eq!(c.dates, ["2025-01-02", "2025-01-03", "2025-01-05"]);
        assert_eq!(c.days, ["2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05"]);
        // The data lines (2 px): one joins the two consecutive days; none crosses the gap.
        let data_lines: Vec<&str> = c.charts[0]
            .svg
            .lines()
            .filter(|l| l.starts_with("<polyline") && l.contains(r#"stroke-width="2""#) && l.matches(',').count() >= 2)
            .collect();
        assert_eq!(data_lines.len(), 1, "{data_lines:?}");
        assert_eq!(data_lines[0].matches(',').count(), 2, "{data_lines:?}");
    }

    #[test]
    fn day_charts_have_one_slot_per_date_and_a_series_per_name() {
        let rows = vec![
            row("a_2025-01-03", "2025-01-03", 100, -2.0, 3.0, 0.1, 0.9),
            row("a_2025-01-02", "2025-01-02", 90, -1.0, 2.0, 0.0, 1.0),
            row("b", "2025-01-03", 50, -4.0, 1.0, -0.5, 1.5),
        ];
        let c = day_charts(&rows, (600, 200)).unwrap();
        assert_eq!(c.dates, ["2025-01-02", "2025-01-03"]);
        assert_eq!(c.series, ["a", "b"]);
        assert_eq!(c.charts.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["assets", "range", "std"]);
        for chart in &c.charts {
            assert!(chart.svg.starts_with("<svg"), "{}", &chart.svg[..40]);
            let p = chart.plot;
            assert!(0 < p.left && p.left < p.right && p.right <= 600 && 0 <= p.top && p.top < p.bottom && p.bottom <= 200, "{p:?}");
        }
        // The x axis is labelled with the dates, and both series' colours are drawn.
        assert!(c.charts[0].svg.contains("\n01-02\n") && c.charts[0].svg.contains("\n01-03\n"), "{}", c.charts[0].svg);
        assert!(c.charts[0].svg.contains(&PALETTE[0].to_uppercase()) || c.charts[0].svg.contains(PALETTE[0]));
        assert!(c.charts[0].svg.to_lowercase().contains(PALETTE[1]));
        assert!(day_charts(&[], (600, 200)).unwrap().charts.is_empty());
    }

    #[test]
    fn histogram_counts_every_finite_value_once() {
        let values = [0.0, 0.1, 0.5, 0.99, 1.0, f32::NAN, 1.0];
        let h = histogram(&values, 4, "t".into(), (400, 200), &[]).unwrap();
        assert_eq!(h.values, 6);
        assert_eq!(h.missing, 1);
        assert_eq!(h.bins.iter().map(|b| b.count).collect::<Vec<_>>(), [2, 0, 1, 3]);
        assert_eq!((h.bins[0].lo, h.bins[3].hi), (0.0, 1.0));
        // One bar per non-empty bin.
        assert_eq!(h.chart.svg.matches("<rect").count() - 1, 3, "{}", h.chart.svg);
        let one = histogram(&[2.0, 2.0], 3, "t".into(), (400, 200), &[]).unwrap();
        assert_eq!(one.bins.iter().map(|b| b.count).sum::<u32>(), 2);
    }

    #[test]
    fn axis_numbers_are_readable() {
        assert_eq!(axis_number(36000.0, true), "36,000");
        assert_eq!(axis_number(-1234.0, true), "-1,234");
        assert_eq!(axis_number(0.25, false), "0.25");
        assert_eq!(axis_number(-0.0001, false), "0");
    }
}
