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
//! - Column and bar charts come in two drawings ([`Width`]): the page shows the wide one where
//!   the chart is at least 42rem wide and the narrow one below, where the wide one would shrink
//!   its text to ~5 px (a container query in `static/analytics.css`). The narrow one's ids end
//!   in `-narrow`, so both can be on one page; CSS hides one with `display: none`, which also
//!   hides it from assistive technology. Labels are spaced by
//!   [`text_width`], an over-estimate of their rendered width, so they never overlap.
//! - Amounts are integer minor units; the scales are integers (a "nice" step of 1, 2 or 5 ×
//!   10ⁿ). `f64` is used only for pixel positions. Negative values are drawn as zero.

use std::fmt::Write;

use domain::category::Color;

mod calendar;

pub use calendar::{heat_levels, heatmap};

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

/// Which of a chart's two drawings: `Wide` where the chart is at least 42rem wide, `Narrow`
/// below (phones, and tablets beside the sidebar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// 720 units wide, text at 12 units (`.chart-text` in `static/analytics.css`).
    Wide,
    /// 360 units wide, text at 14 units (`.chart-for-narrow .chart-text`): on a 390 px phone
    /// it is drawn 324 px wide, so its text renders at 12.6 px (11.4 px on a 360 px phone).
    Narrow,
}

impl Width {
    /// The drawing's width in SVG units.
    fn units(self) -> u32 {
        match self {
            Width::Wide => 720,
            Width::Narrow => 360,
        }
    }

    /// The font size of its text in SVG units; must match `static/analytics.css`.
    fn font(self) -> f64 {
        match self {
            Width::Wide => 12.0,
            Width::Narrow => 14.0,
        }
    }

    /// The class that lets the stylesheet show it at its screen widths only.
    fn class(self) -> &'static str {
        match self {
            Width::Wide => "chart-svg chart-for-wide",
            Width::Narrow => "chart-svg chart-for-narrow",
        }
    }

    /// Added to the frame's id so the two drawings of a chart have different ids.
    fn id_suffix(self) -> &'static str {
        match self {
            Width::Wide => "",
            Width::Narrow => "-narrow",
        }
    }
}

/// An over-estimate of `text`'s rendered width at `font` units: 0.6 em a character (digits
/// and most letters of the system fonts are narrower; only runs of capitals like "MW" exceed it).
pub fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * font * 0.6
}

fn open(out: &mut String, frame: &Frame<'_>, class: &str, suffix: &str, size: (u32, u32)) {
    let id = escape(&format!("{}{suffix}", frame.id));
    let (width, height) = size;
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" viewBox=\"0 0 {width} {height}\" \
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
/// The x axis labels only every n-th column when the labels would not fit side by side (every
/// other month on a phone); every column's `<title>` still names it.
pub fn columns(
    frame: &Frame<'_>,
    width: Width,
    labels: &[String],
    series: &[Series<'_>],
    layout: Layout,
    tick: &dyn Fn(i64) -> String,
    format: &dyn Fn(i64) -> String,
) -> String {
    const HEIGHT: u32 = 280;
    let font = width.font();
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
    let ticks: Vec<String> = (0..=4_i32)
        .map(|k| tick(i64::try_from(step * i128::from(k)).unwrap_or(i64::MAX)))
        .collect();
    let widest_tick = ticks
        .iter()
        .map(|t| text_width(t, font))
        .fold(0.0, f64::max);
    let full_w = f64::from(width.units());
    let left = (widest_tick + 10.0).clamp(40.0, full_w / 3.0);
    let (right, top, bottom) = (8.0, 12.0, 28.0);
    let plot_w = full_w - left - right;
    let plot_h = f64::from(HEIGHT) - top - bottom;
    let mut out = String::new();
    open(
        &mut out,
        frame,
        width.class(),
        width.id_suffix(),
        (width.units(), HEIGHT),
    );
    for (k, shown) in (0..=4_i32).zip(&ticks) {
        let y = top + plot_h - plot_h * f64::from(k) / 4.0;
        let _ = write!(
            out,
            "<line class=\"chart-grid\" x1=\"{left:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>",
            left + plot_w
        );
        text(&mut out, "chart-text", (left - 6.0, y + 4.0), "end", shown);
    }
    let slot = plot_w / labels.len().max(1) as f64;
    let widest = labels
        .iter()
        .map(|l| text_width(l, font))
        .fold(0.0, f64::max);
    let every = label_step(slot, widest + font / 2.0, labels.len());
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
        if i % every == 0 {
            let cx = left + slot * i as f64 + slot / 2.0;
            text(
                &mut out,
                "chart-text chart-x",
                (cx, f64::from(HEIGHT) - 8.0),
                "middle",
                label,
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Label every how many slots of `slot` units so that labels `needed` units wide (gap
/// included) never overlap: the smallest such n, at most `count`.
fn label_step(slot: f64, needed: f64, count: usize) -> usize {
    let count = count.max(1);
    (1..=count)
        .find(|n| slot * *n as f64 >= needed)
        .unwrap_or(count)
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

/// Shortens a label to at most `room` units of [`text_width`] at `font`, ellipsis included.
fn fit(label: &str, room: f64, font: f64) -> String {
    if text_width(label, font) <= room {
        return label.to_owned();
    }
    let mut short = String::new();
    for c in label.chars() {
        short.push(c);
        if text_width(&short, font) + text_width("…", font) > room {
            short.pop();
            break;
        }
    }
    let mut short = short.trim_end().to_owned();
    short.push('…');
    short
}

/// A horizontal bar list: one row per item, bars scaled to the largest value. Wide: the
/// label on the left and the value written after the bar. Narrow: the label and the value on
/// a line above a bar that may use the whole width.
pub fn bars(
    frame: &Frame<'_>,
    width: Width,
    rows: &[BarRow],
    class: &'static str,
    format: &dyn Fn(i64) -> String,
) -> String {
    let row_h: u32 = match width {
        Width::Wide => 28,
        Width::Narrow => 44,
    };
    let full_w = f64::from(width.units());
    let font = width.font();
    let (label_w, value_w) = match width {
        Width::Wide => (180.0, 130.0),
        Width::Narrow => (0.0, 0.0),
    };
    let plot_w = full_w - label_w - value_w;
    let count = u32::try_from(rows.len()).unwrap_or(u32::MAX / row_h).max(1);
    let height = count.saturating_mul(row_h).saturating_add(8);
    let max = rows.iter().map(|r| r.value.max(0)).max().unwrap_or(0);
    let mut out = String::new();
    open(
        &mut out,
        frame,
        width.class(),
        width.id_suffix(),
        (width.units(), height),
    );
    for (i, row) in rows.iter().enumerate() {
        let y = 4.0 + f64::from(row_h) * i as f64;
        let w = scale(row.value, i128::from(max), plot_w);
        let shown = format(row.value);
        let bar_y = match width {
            Width::Wide => {
                text(
                    &mut out,
                    "chart-text chart-label",
                    (label_w - 8.0, y + 18.0),
                    "end",
                    &shorten(&row.label, 26),
                );
                y + 5.0
            }
            Width::Narrow => {
                let room = full_w - text_width(&shown, font) - font;
                text(
                    &mut out,
                    "chart-text chart-label",
                    (0.0, y + 15.0),
                    "start",
                    &fit(&row.label, room, font),
                );
                text(
                    &mut out,
                    "chart-text chart-value",
                    (full_w, y + 15.0),
                    "end",
                    &shown,
                );
                y + 21.0
            }
        };
        if w > 0.0 {
            let class = if row.color.is_some() {
                "bar-own"
            } else {
                class
            };
            filled_rect(
                &mut out,
                class,
                (label_w, bar_y, w, 18.0),
                row.color,
                &format!("{}: {shown}", row.label),
            );
        }
        if width == Width::Wide {
            text(
                &mut out,
                "chart-text chart-value",
                (label_w + w + 6.0, y + 18.0),
                "start",
                &shown,
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests;
