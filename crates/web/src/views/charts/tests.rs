//! Unit tests of the chart renderer: escaping, scales, stacking and grouping, empty and
//! negative data, the narrow drawings' label spacing, the heatmap's cells and levels.

use chrono::NaiveDate;

use super::*;
use crate::locale::Locale;

mod narrow;

fn frame() -> Frame<'static> {
    Frame {
        id: "t",
        title: "Title",
        desc: "Description",
    }
}

fn plain(v: i64) -> String {
    format!("${v}")
}

fn months() -> Vec<String> {
    ["Jan", "Feb", "Mar"].map(str::to_owned).to_vec()
}

/// The numeric attribute `name` of every `<rect class="{class}" …>`.
fn attrs(svg: &str, class: &str, name: &str) -> Vec<f64> {
    svg.split("<rect ")
        .skip(1)
        .filter(|r| r.starts_with(&format!("class=\"{class}\"")))
        .filter_map(|r| {
            let rest = r.split(&format!(" {name}=\"")).nth(1)?;
            rest.split('"').next()?.parse().ok()
        })
        .collect()
}

#[test]
fn escape_covers_markup_and_both_quotes() {
    assert_eq!(escape("<b>&\"x'"), "&lt;b&gt;&amp;&quot;x&#39;");
    assert_eq!(escape("plain café"), "plain café");
}

#[test]
fn nice_steps_are_one_two_or_five_times_a_power_of_ten() {
    assert_eq!(nice_step(0), 1);
    assert_eq!(nice_step(-5), 1);
    assert_eq!(nice_step(4), 1);
    assert_eq!(nice_step(5), 2);
    assert_eq!(nice_step(40_000), 10_000);
    assert_eq!(nice_step(40_001), 20_000);
    assert_eq!(nice_step(123_456), 50_000);
    assert!(nice_step(i64::MAX) * 4 >= i128::from(i64::MAX));
}

#[test]
fn every_chart_has_a_labelled_title_and_description() {
    let f = Frame {
        id: "x\"y",
        title: "<b>&",
        desc: "d<",
    };
    let series = [Series {
        name: "Bills",
        class: "bar-bills",
        values: &[1, 2, 3],
    }];
    let charts = [
        columns(
            &f,
            Width::Wide,
            &months(),
            &series,
            Layout::Stacked,
            &plain,
            &plain,
        ),
        bars(
            &f,
            Width::Wide,
            &[BarRow {
                label: "a".into(),
                value: 1,
                color: None,
            }],
            "bar-category",
            &plain,
        ),
        heatmap(&f, 2025, 1, &[], &Locale::default(), &plain),
    ];
    for svg in charts {
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.contains("role=\"img\" aria-labelledby=\"x&quot;y-title x&quot;y-desc\""));
        assert!(svg.contains("<title id=\"x&quot;y-title\">&lt;b&gt;&amp;</title>"));
        assert!(svg.contains("<desc id=\"x&quot;y-desc\">d&lt;</desc>"));
        assert!(!svg.contains("style="));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(svg.ends_with("</svg>"));
    }
}

#[test]
fn columns_scale_to_the_nice_axis_and_stack() {
    let bills = [40_000, 0, 10_000];
    let expenses = [0, 20_000, 10_000];
    let series = [
        Series {
            name: "Bills",
            class: "bar-bills",
            values: &bills,
        },
        Series {
            name: "Expenses",
            class: "bar-expenses",
            values: &expenses,
        },
    ];
    let svg = columns(
        &frame(),
        Width::Wide,
        &months(),
        &series,
        Layout::Stacked,
        &plain,
        &plain,
    );
    // Axis 0..40,000 over 240 px of plot: 40,000 is the full height.
    assert_eq!(attrs(&svg, "bar-bills", "height"), vec![240.0, 60.0]);
    assert_eq!(attrs(&svg, "bar-expenses", "height"), vec![120.0, 60.0]);
    let march_bills = attrs(&svg, "bar-bills", "y")[1];
    let march_expenses = attrs(&svg, "bar-expenses", "y")[1];
    assert!(
        (march_bills - march_expenses - 60.0).abs() < 0.01,
        "stacked on top"
    );
    assert!(svg.contains("<title>Mar: Expenses $10000</title>"));
    assert!(svg.contains(">$40000</text>") && svg.contains(">$0</text>"));
}

#[test]
fn grouped_columns_sit_side_by_side() {
    let expected = [100, 100, 100];
    let paid = [50, 100, 0];
    let series = [
        Series {
            name: "Expected",
            class: "bar-expected",
            values: &expected,
        },
        Series {
            name: "Paid",
            class: "bar-paid",
            values: &paid,
        },
    ];
    let svg = columns(
        &frame(),
        Width::Wide,
        &months(),
        &series,
        Layout::Grouped,
        &plain,
        &plain,
    );
    let xs_expected = attrs(&svg, "bar-expected", "x");
    let xs_paid = attrs(&svg, "bar-paid", "x");
    assert_eq!(xs_expected.len(), 3);
    assert_eq!(xs_paid.len(), 2, "a zero is not drawn");
    assert!(xs_paid[0] > xs_expected[0]);
    let heights = attrs(&svg, "bar-paid", "height");
    assert!((heights[0] * 2.0 - heights[1]).abs() < 0.2);
}

#[test]
fn zero_one_month_and_negative_data_draw_no_broken_shapes() {
    let zeros = [0; 12];
    let labels: Vec<String> = (1..=12).map(|m| m.to_string()).collect();
    let series = [Series {
        name: "Bills",
        class: "bar-bills",
        values: &zeros,
    }];
    let svg = columns(
        &frame(),
        Width::Wide,
        &labels,
        &series,
        Layout::Stacked,
        &plain,
        &plain,
    );
    assert!(attrs(&svg, "bar-bills", "height").is_empty());
    assert!(svg.contains(">$4</text>"), "an empty axis still has ticks");

    let one = [5_000];
    let series = [Series {
        name: "Bills",
        class: "bar-bills",
        values: &one,
    }];
    let svg = columns(
        &frame(),
        Width::Wide,
        &["Jan".to_owned()],
        &series,
        Layout::Stacked,
        &plain,
        &plain,
    );
    assert_eq!(attrs(&svg, "bar-bills", "height").len(), 1);

    let negative = [-500, 1_000];
    let series = [Series {
        name: "Bills",
        class: "bar-bills",
        values: &negative,
    }];
    let svg = columns(
        &frame(),
        Width::Wide,
        &months(),
        &series,
        Layout::Grouped,
        &plain,
        &plain,
    );
    assert!(attrs(&svg, "bar-bills", "height").iter().all(|h| *h > 0.0));
    let rows = [BarRow {
        label: "Refunds".into(),
        value: -10,
        color: None,
    }];
    let svg = bars(&frame(), Width::Wide, &rows, "bar-category", &plain);
    assert!(attrs(&svg, "bar-category", "width").is_empty());
    assert!(svg.contains(">$-10</text>"), "the value is still written");
    assert!(!svg.contains("width=\"-"));
}

#[test]
fn bar_lists_escape_labels_and_write_values() {
    let rows = [
        BarRow {
            label: "<b>&".into(),
            value: 300,
            color: None,
        },
        BarRow {
            label: "A very long category name that goes on".into(),
            value: 150,
            color: None,
        },
    ];
    let svg = bars(&frame(), Width::Wide, &rows, "bar-category", &plain);
    assert!(svg.contains(">&lt;b&gt;&amp;</text>"));
    assert!(svg.contains("<title>&lt;b&gt;&amp;: $300</title>"));
    assert!(!svg.contains("<b>"));
    assert!(
        svg.contains("A very long category name…"),
        "shortened in the drawing"
    );
    assert!(svg.contains("<title>A very long category name that goes on: $150</title>"));
    assert_eq!(attrs(&svg, "bar-category", "width"), vec![410.0, 205.0]);
}

#[test]
fn a_category_bar_has_the_categorys_colour() {
    let teal = Color::parse("#0891B2").ok();
    let rows = [
        BarRow {
            label: "Utilities".into(),
            value: 300,
            color: teal,
        },
        BarRow {
            label: "Uncategorised".into(),
            value: 100,
            color: None,
        },
    ];
    let svg = bars(&frame(), Width::Wide, &rows, "bar-category", &plain);
    assert!(svg.contains("class=\"bar-own\" x=\"180.0\" y=\"9.0\" width=\"410.0\" height=\"18.0\" fill=\"#0891b2\">"), "{svg}");
    assert_eq!(
        svg.matches(" fill=").count(),
        1,
        "only the category with a colour: {svg}"
    );
    assert_eq!(attrs(&svg, "bar-category", "width").len(), 1);
}

#[test]
fn heat_levels_are_quartiles_of_the_days_with_spending() {
    assert_eq!(
        heat_levels(&[0, -5, 1, 2, 3, 4, 1_000_000]),
        vec![0, 0, 1, 2, 3, 4, 4]
    );
    assert_eq!(
        heat_levels(&[1, 2, 3, 4, 5, 6, 7, 8]),
        vec![1, 1, 2, 2, 3, 3, 4, 4]
    );
    assert_eq!(heat_levels(&[7]), vec![4], "a single day is the darkest");
    assert_eq!(heat_levels(&[5, 5, 5]), vec![4, 4, 4]);
    assert!(heat_levels(&[0, 0]).iter().all(|l| *l == 0));
}

#[test]
fn the_heatmap_has_a_titled_cell_per_day_in_weekday_rows() {
    let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d).unwrap_or_default();
    let svg = heatmap(
        &frame(),
        2024,
        1,
        &[(day(3, 5), 1_234)],
        &Locale::default(),
        &plain,
    );
    assert_eq!(
        svg.matches("class=\"heat heat-").count(),
        366 + 5,
        "leap year + legend"
    );
    assert!(svg.contains("<title>Tuesday, March 5, 2024: $1234</title>"));
    assert!(svg.contains("<title>Monday, January 1, 2024: nothing</title>"));
    assert!(svg.contains(">Jan</text>") && svg.contains(">Dec</text>"));
    assert!(svg.contains(">Mon</text>"), "weeks start on Monday");
    let sunday_first = heatmap(&frame(), 2024, 7, &[], &Locale::default(), &plain);
    assert!(sunday_first.contains(">Sun</text>"));
    assert!(!sunday_first.contains(">Mon</text>"));
}
