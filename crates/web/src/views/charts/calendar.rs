//! The year heatmap of the analytics page: one cell per day, weeks as columns, weekdays as
//! rows, with the same invariants as the rest of [`super`] (escaped text, classes not styles,
//! a `<title>` on every cell).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};

use super::{Frame, open, rect, text};
use crate::locale::Locale;

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
    open(&mut out, frame, "chart-svg", "", (width, height));
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
