//! A small SVG chart renderer for the analytics page: column charts (stacked or grouped),
//! horizontal bar lists and a year heatmap, drawn on the server so they work without
//! JavaScript and under the strict CSP.
//!
//! Invariants (the page inserts this output unescaped, so they matter):
//! - The markup is built only from numbers this module formats and text passed through
//!   [`escape`]; no caller text reaches the output any other way.
//! - No `style=` attributes and no colours but a category's own: every shape carries a class,
//!   and `static/analytics.css` colours the classes with the design system's variables (so dark
//!   mode works); a bar of a category with a colour (a typed [`Color`], always `#rrggbb`) has
//!   it as its `fill` attribute, the colour its chips show. Otherwise only geometry and text
//!   anchoring are attributes.
//! - Every chart is `<svg role="img" aria-labelledby="…-title …-desc">` with a `<title>` and a
//!   `<desc>`; every bar and heatmap cell has its own `<title>` naming what it shows and the
//!   formatted amount, so colour is never the only signal. The page adds a data table too.
//! - Amounts are integer minor units; the scales are integers (a "nice" step of 1, 2 or 5 ×
//!   10ⁿ). `f64` is used only for pixel positions. Negative values are drawn as zero.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{Datelike, Duration, NaiveDate};
use domain::category::Color;

use crate::locale::Locale;

/// Escapes text for SVG/HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A chart's identity: its element id prefix, title and description.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Unique on the page; used for the `<title>` and `<desc>` ids.
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
}

/// One series of a column chart: one value per category on the x axis.
#[derive(Debug, Clone)]
pub struct Series<'a> {
    pub name: &'a str,
    /// The CSS class that colours its shapes.
    pub class: &'static str,
    pub values: &'a [i64],
}

/// How several series share a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// On top of each other: the column's height is the sum.
    Stacked,
    /// Side by side.
    Grouped,
}

/// One row of a horizontal bar list.
#[derive(Debug, Clone)]
pub struct BarRow {
    pub label: String,
    pub value: i64,
    /// The bar's own colour (a category's), else the list's class colours it.
    pub color: Option<Color>,
}

/// The step of an axis with four equal steps reaching at least `max`: 1, 2 or 5 × 10ⁿ.
pub fn nice_step(max: i64) -> i128 {
    let target = (i128::from(max.max(0)) + 3) / 4;
    let mut power: i128 = 1;
    loop {
        for factor in [1, 2, 5] {
            if power * factor >= target {
                return power * factor;
            }
        }
        power *= 10;
    }
}

/// `value` of `axis_max` as a fraction of `length` pixels; negative values are zero.
fn scale(value: i64, axis_max: i128, length: f64) -> f64 {
    if axis_max <= 0 || value <= 0 {
        return 0.0;
    }
    let fraction = (i128::from(value).min(axis_max) as f64) / (axis_max as f64);
    fraction * length
}

fn open(out: &mut String, frame: &Frame<'_>, width: u32, height: u32) {
    let id = escape(frame.id);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-svg\" viewBox=\"0 0 {width} {height}\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" focusable=\"false\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(frame.title),
        escape(frame.desc),
    );
}

fn rect(out: &mut String, class: &str, geometry: (f64, f64, f64, f64), title: &str) {
    filled_rect(out, class, geometry, None, title);
}

/// A rectangle, with a `fill` attribute when it has its own colour (a [`Color`] is always
/// `#rrggbb`, so nothing else can reach the attribute).
fn filled_rect(
    out: &mut String,
    class: &str,
    (x, y, w, h): (f64, f64, f64, f64),
    color: Option<Color>,
    title: &str,
) {
    let fill = color.map(|c| format!(" fill=\"{c}\"")).unwrap_or_default();
    let _ = write!(
        out,
        "<rect class=\"{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\"{fill}>\
         <title>{}</title></rect>",
        escape(class),
        escape(title),
    );
}

fn text(out: &mut String, class: &str, (x, y): (f64, f64), anchor: &str, content: &str) {
    let _ = write!(
        out,
        "<text class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}</text>",
        escape(content),
    );
}

/// A column chart: one column (or group of columns) per label, a value axis with five
/// gridlines labelled by `tick`, and a `<title>` on every bar with its value by `format`.
pub fn columns(
    frame: &Frame<'_>,
    labels: &[String],
    series: &[Series<'_>],
    layout: Layout,
    tick: &dyn Fn(i64) -> String,
    format: &dyn Fn(i64) -> String,
) -> String {
    const WIDTH: u32 = 720;
    const HEIGHT: u32 = 280;
    let (left, right, top, bottom) = (84.0, 8.0, 12.0, 28.0);
    let plot_w = f64::from(WIDTH) - left - right;
    let plot_h = f64::from(HEIGHT) - top - bottom;
    let value = |s: &Series<'_>, i: usize| s.values.get(i).copied().unwrap_or(0).max(0);
    let max = (0..labels.len())
        .map(|i| match layout {
            Layout::Stacked => series
                .iter()
                .fold(0_i64, |sum, s| sum.saturating_add(value(s, i))),
            Layout::Grouped => series.iter().map(|s| value(s, i)).max().unwrap_or(0),
        })
        .max()
        .unwrap_or(0);
    let step = nice_step(max);
    let axis_max = step * 4;
    let mut out = String::new();
    open(&mut out, frame, WIDTH, HEIGHT);
    for k in 0..=4_i32 {
        let y = top + plot_h - plot_h * f64::from(k) / 4.0;
        let _ = write!(
            out,
            "<line class=\"chart-grid\" x1=\"{left:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>",
            left + plot_w
        );
        let value_at = i64::try_from(step * i128::from(k)).unwrap_or(i64::MAX);
        text(
            &mut out,
            "chart-text",
            (left - 6.0, y + 4.0),
            "end",
            &tick(value_at),
        );
    }
    let slot = plot_w / labels.len().max(1) as f64;
    let bar_w = slot * 0.7;
    for (i, label) in labels.iter().enumerate() {
        let x0 = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let mut base = top + plot_h;
        let each = bar_w / series.len().max(1) as f64;
        for (j, s) in series.iter().enumerate() {
            let v = value(s, i);
            let h = scale(v, axis_max, plot_h);
            let title = format!("{label}: {} {}", s.name, format(v));
            if h <= 0.0 {
                continue;
            }
            match layout {
                Layout::Stacked => {
                    base -= h;
                    rect(&mut out, s.class, (x0, base, bar_w, h), &title);
                }
                Layout::Grouped => {
                    let x = x0 + each * j as f64;
                    rect(&mut out, s.class, (x, top + plot_h - h, each, h), &title);
                }
            }
        }
        let cx = left + slot * i as f64 + slot / 2.0;
        text(
            &mut out,
            "chart-text",
            (cx, f64::from(HEIGHT) - 8.0),
            "middle",
            label,
        );
    }
    out.push_str("</svg>");
    out
}

/// Shortens a label for the drawing (the title and the table keep it whole).
fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        return label.to_owned();
    }
    let mut short: String = label.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// A horizontal bar list: one row per item, its label on the left and its value written
/// after the bar, bars scaled to the largest value.
pub fn bars(
    frame: &Frame<'_>,
    rows: &[BarRow],
    class: &'static str,
    format: &dyn Fn(i64) -> String,
) -> String {
    const WIDTH: u32 = 720;
    const ROW: u32 = 28;
    let (label_w, value_w) = (180.0, 130.0);
    let plot_w = f64::from(WIDTH) - label_w - value_w;
    let count = u32::try_from(rows.len()).unwrap_or(u32::MAX / ROW).max(1);
    let height = count.saturating_mul(ROW).saturating_add(8);
    let max = rows.iter().map(|r| r.value.max(0)).max().unwrap_or(0);
    let mut out = String::new();
    open(&mut out, frame, WIDTH, height);
    for (i, row) in rows.iter().enumerate() {
        let y = 4.0 + f64::from(ROW) * i as f64;
        let w = scale(row.value, i128::from(max), plot_w);
        let shown = format(row.value);
        text(
            &mut out,
            "chart-text chart-label",
            (label_w - 8.0, y + 18.0),
            "end",
            &shorten(&row.label, 26),
        );
        if w > 0.0 {
            let class = if row.color.is_some() {
                "bar-own"
            } else {
                class
            };
            filled_rect(
                &mut out,
                class,
                (label_w, y + 5.0, w, 18.0),
                row.color,
                &format!("{}: {shown}", row.label),
            );
        }
        text(
            &mut out,
            "chart-text chart-value",
            (label_w + w + 6.0, y + 18.0),
            "start",
            &shown,
        );
    }
    out.push_str("</svg>");
    out
}

/// The heat level (0–4) of each amount: 0 for nothing (or a net refund), else its quarter
/// among the year's days with spending counted from the top (4 − ⌊4 × days with more / days⌋),
/// so one huge day does not wash out the rest and the largest day is always level 4.
pub fn heat_levels(amounts: &[i64]) -> Vec<u8> {
    let mut positive: Vec<i64> = amounts.iter().copied().filter(|a| *a > 0).collect();
    positive.sort_unstable();
    let n = positive.len().max(1);
    amounts
        .iter()
        .map(|a| {
            if *a <= 0 {
                return 0;
            }
            let more = positive.len() - positive.partition_point(|x| x <= a);
            4 - u8::try_from(more * 4 / n).unwrap_or(3).min(3)
        })
        .collect()
}

/// A calendar heatmap of `year`: one cell per day, weeks as columns and weekdays as rows
/// starting on `week_start` (1 = Monday … 7 = Sunday), month names above, a legend below.
/// `days` lists the days with an amount; the others are drawn empty.
pub fn heatmap(
    frame: &Frame<'_>,
    year: i32,
    week_start: u8,
    days: &[(NaiveDate, i64)],
    l: &Locale,
    format: &dyn Fn(i64) -> String,
) -> String {
    const CELL: f64 = 12.0;
    const STEP: f64 = 15.0;
    let (left, top) = (34.0, 18.0);
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return String::new();
    };
    let start = u32::from(week_start.clamp(1, 7)) - 1;
    let row_of = |d: NaiveDate| (d.weekday().num_days_from_monday() + 7 - start) % 7;
    let offset = row_of(first);
    let column_of = |d: NaiveDate| (d.ordinal0() + offset) / 7;
    let columns = column_of(last) + 1;
    let width = 34 + columns * 15;
    let height = 18 + 7 * 15 + 30;
    let all: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let by_day: BTreeMap<NaiveDate, i64> = days.iter().copied().collect();
    let amounts: Vec<i64> = all
        .iter()
        .map(|d| by_day.get(d).copied().unwrap_or(0))
        .collect();
    let levels = heat_levels(&amounts);
    let mut out = String::new();
    open(&mut out, frame, width, height);
    for row in [0_u32, 2, 4] {
        let weekday = first + Duration::days(i64::from((row + 7 - offset) % 7));
        let y = top + STEP * f64::from(row) + CELL - 2.0;
        text(
            &mut out,
            "chart-text",
            (left - 6.0, y),
            "end",
            &l.weekday_short(weekday),
        );
    }
    for month in 1..=12 {
        if let Some(day) = NaiveDate::from_ymd_opt(year, month, 1) {
            let x = left + STEP * f64::from(column_of(day));
            text(
                &mut out,
                "chart-text",
                (x, top - 6.0),
                "start",
                &l.month_short(day),
            );
        }
    }
    for ((day, amount), level) in all.iter().zip(&amounts).zip(&levels) {
        let x = left + STEP * f64::from(column_of(*day));
        let y = top + STEP * f64::from(row_of(*day));
        let shown = if *amount == 0 {
            "nothing".to_owned()
        } else {
            format(*amount)
        };
        let title = format!("{}: {shown}", l.long_date(*day));
        rect(
            &mut out,
            &format!("heat heat-{level}"),
            (x, y, CELL, CELL),
            &title,
        );
    }
    let legend_y = top + STEP * 7.0 + 8.0;
    let legend_x = f64::from(width) - 5.0 * STEP - 44.0;
    text(
        &mut out,
        "chart-text",
        (legend_x - 6.0, legend_y + CELL - 2.0),
        "end",
        "Less",
    );
    for level in 0..5_u8 {
        let x = legend_x + STEP * f64::from(level);
        let title = match level {
            0 => "Nothing paid",
            1 => "The smallest quarter of the days with spending",
            2 => "The second quarter of the days with spending",
            3 => "The third quarter of the days with spending",
            _ => "The largest quarter of the days with spending",
        };
        rect(
            &mut out,
            &format!("heat heat-{level}"),
            (x, legend_y, CELL, CELL),
            title,
        );
    }
    text(
        &mut out,
        "chart-text",
        (legend_x + 5.0 * STEP + 2.0, legend_y + CELL - 2.0),
        "start",
        "More",
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests;
