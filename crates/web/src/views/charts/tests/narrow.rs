//! Unit tests of the narrow (phone) drawings: every other month labelled, labels never closer
//! than their estimated width, text escaped, ids of their own, bar labels above the bars.

use super::*;

/// The x and text of every `<text class="{class}" …>`.
fn texts(svg: &str, class: &str) -> Vec<(f64, String)> {
    svg.split("<text ")
        .skip(1)
        .filter(|t| t.starts_with(&format!("class=\"{class}\"")))
        .filter_map(|t| {
            let x = t.split(" x=\"").nth(1)?.split('"').next()?.parse().ok()?;
            let content = t.split('>').nth(1)?.split("</text").next()?.to_owned();
            Some((x, content))
        })
        .collect()
}

fn year_of(labels: &[&str]) -> Vec<String> {
    labels.iter().map(|l| (*l).to_owned()).collect()
}

const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[test]
fn a_narrow_column_chart_labels_every_other_month_and_titles_every_one() {
    let values = [1_000; 12];
    let series = [Series {
        name: "Bills",
        class: "bar-bills",
        values: &values,
    }];
    let labels = year_of(&SHORT_MONTHS);
    let narrow = columns(
        &frame(),
        Width::Narrow,
        &labels,
        &series,
        Layout::Stacked,
        &plain,
        &plain,
    );
    let shown: Vec<String> = texts(&narrow, "chart-text chart-x")
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(shown, ["Jan", "Mar", "May", "Jul", "Sep", "Nov"]);
    assert_eq!(
        narrow.matches("<title>Feb: Bills $1000</title>").count(),
        1,
        "an unlabelled month keeps its title"
    );
    assert!(narrow.contains("class=\"chart-svg chart-for-narrow\" viewBox=\"0 0 360 280\""));
    let wide = columns(
        &frame(),
        Width::Wide,
        &labels,
        &series,
        Layout::Stacked,
        &plain,
        &plain,
    );
    assert_eq!(
        texts(&wide, "chart-text chart-x").len(),
        12,
        "the wide chart labels every month"
    );
    assert!(wide.contains("class=\"chart-svg chart-for-wide\" viewBox=\"0 0 720 280\""));
}

#[test]
fn x_axis_labels_are_never_closer_than_their_estimated_width() {
    let values = [5; 12];
    let series = [Series {
        name: "Bills",
        class: "bar-bills",
        values: &values,
    }];
    let long = year_of(&[
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]);
    let short = year_of(&SHORT_MONTHS);
    for (width, font) in [(Width::Narrow, 14.0), (Width::Wide, 12.0)] {
        for labels in [&short, &long] {
            let svg = columns(
                &frame(),
                width,
                labels,
                &series,
                Layout::Grouped,
                &plain,
                &plain,
            );
            let placed = texts(&svg, "chart-text chart-x");
            assert!(placed.len() >= 2, "{width:?}: {placed:?}");
            for pair in placed.windows(2) {
                let ((x1, a), (x2, b)) = (&pair[0], &pair[1]);
                let needed = (text_width(a, font) + text_width(b, font)) / 2.0 + font / 2.0;
                assert!(x2 - x1 >= needed, "{width:?}: {a} at {x1} and {b} at {x2}");
            }
            let first = &placed[0];
            assert!(
                first.0 - text_width(&first.1, font) / 2.0 >= 0.0,
                "inside the drawing"
            );
        }
    }
}

#[test]
fn a_narrow_chart_escapes_its_text_and_has_its_own_ids() {
    let f = Frame {
        id: "m\"x",
        title: "<b>&",
        desc: "d<",
    };
    let values = [1, 2];
    let series = [Series {
        name: "<i>",
        class: "bar-bills",
        values: &values,
    }];
    let labels = year_of(&["<a>", "'&'"]);
    let rows = [BarRow {
        label: "<script>x</script>".into(),
        value: 3,
        color: None,
    }];
    let charts = [
        columns(
            &f,
            Width::Narrow,
            &labels,
            &series,
            Layout::Stacked,
            &plain,
            &plain,
        ),
        bars(&f, Width::Narrow, &rows, "bar-category", &plain),
    ];
    for svg in charts {
        assert!(
            svg.contains("aria-labelledby=\"m&quot;x-narrow-title m&quot;x-narrow-desc\""),
            "{svg}"
        );
        assert!(svg.contains("<title id=\"m&quot;x-narrow-title\">&lt;b&gt;&amp;</title>"));
        assert!(svg.contains("<desc id=\"m&quot;x-narrow-desc\">d&lt;</desc>"));
        assert!(
            !svg.contains("<a>") && !svg.contains("<i>") && !svg.contains("<script>"),
            "{svg}"
        );
        assert!(!svg.contains("style="));
    }
    let svg = columns(
        &f,
        Width::Narrow,
        &labels,
        &series,
        Layout::Stacked,
        &plain,
        &plain,
    );
    assert!(
        svg.contains(">&lt;a&gt;</text>")
            && svg.contains("<title>&#39;&amp;&#39;: &lt;i&gt; $2</title>"),
        "{svg}"
    );
}

#[test]
fn a_narrow_bar_list_writes_label_and_value_above_a_full_width_bar() {
    let rows = [
        BarRow {
            label: "A category name far too long for a phone's narrow chart".into(),
            value: 123_456_789,
            color: None,
        },
        BarRow {
            label: "Rent".into(),
            value: 61_728_394,
            color: None,
        },
    ];
    let svg = bars(&frame(), Width::Narrow, &rows, "bar-category", &plain);
    assert_eq!(attrs(&svg, "bar-category", "x"), vec![0.0, 0.0]);
    assert_eq!(attrs(&svg, "bar-category", "width"), vec![360.0, 180.0]);
    let labels = texts(&svg, "chart-text chart-label");
    let values = texts(&svg, "chart-text chart-value");
    assert_eq!(
        values[0],
        (360.0, "$123456789".to_owned()),
        "right-aligned at the edge"
    );
    assert_eq!(labels[1], (0.0, "Rent".to_owned()));
    let label = &labels[0].1;
    assert!(
        label.ends_with('…') && label.starts_with("A category name"),
        "{label}"
    );
    assert!(
        text_width(label, 14.0) + 14.0 + text_width(&values[0].1, 14.0) <= 360.0,
        "the shortened label leaves room for the value: {label}"
    );
    assert!(svg.contains(
        "<title>A category name far too long for a phone&#39;s narrow chart: $123456789</title>"
    ));
    let label_y: Vec<f64> = svg
        .split("<text ")
        .skip(1)
        .filter_map(|t| t.split(" y=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect();
    let bar_y = attrs(&svg, "bar-category", "y");
    assert!(label_y[0] < bar_y[0], "the label is above its bar");
}
