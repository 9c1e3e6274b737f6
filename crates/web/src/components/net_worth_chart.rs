//! Net worth over time in one currency: a line drawn as SVG, with the money axis and the dates
//! in HTML around it so that their text stays readable at any width.
//!
//! Positions are computed with `Decimal`, like the money they come from: the plot is a
//! 100 × 100 box stretched to fit, and every coordinate is a percentage of it.
//!
//! Days before Tally began recording a bank's balances are reconstructed from its transactions:
//! that part of the line is dashed and lighter, and a note under the chart says so in words,
//! with the loans and investments that count only from their recorded balances.

use crate::format;
use chrono::NaiveDate;
use leptos::prelude::*;
use rust_decimal::Decimal;
use tally_shared::api::insights::{NetWorthPoint, NetWorthSeries, RecordedOnlyAccount};

/// About this many steps between gridlines.
const TICK_STEPS: u32 = 4;
/// Dates under the plot.
const DATE_LABELS: usize = 4;
/// A line longer than this many days is labelled by month and year rather than day and month.
const LONG_LINE_DAYS: i64 = 300;

#[component]
pub fn NetWorthChart(series: NetWorthSeries) -> impl IntoView {
    let currency = series.currency.clone();
    let (Some(first), Some(last)) = (series.points.first(), series.points.last()) else {
        return view! {
            <div class="chart chart-empty">
                <h3 class="chart-title">{format!("Net worth in {currency}")}</h3>
                <p class="muted">
                    "No history yet. Tally records your balances each day a bank syncs, so a line "
                    "appears here from tomorrow."
                </p>
            </div>
        }
        .into_any();
    };

    let title = format!(
        "Net worth in {currency}, {} to {}",
        format::date(first.date),
        format::date(last.date)
    );
    let values: Vec<Decimal> = series.points.iter().map(|point| point.net).collect();
    let low = values.iter().copied().min().unwrap_or_default();
    let high = values.iter().copied().max().unwrap_or_default();
    let ticks = ticks(low, high, TICK_STEPS);
    let bottom = ticks.first().copied().unwrap_or(low);
    let top = ticks.last().copied().unwrap_or(high);
    let y = move |value: Decimal| percent_of(top - value, top - bottom);
    let last_index = series.points.len() - 1;
    let x = move |index: usize| {
        if last_index == 0 {
            Decimal::from(50)
        } else {
            percent_of(Decimal::from(index), Decimal::from(last_index))
        }
    };

    let point_at = |index: usize| {
        let net = series.points[index].net;
        format!("{},{}", coordinate(x(index)), coordinate(y(net)))
    };
    let line_path = |indexes: std::ops::RangeInclusive<usize>| {
        format!("M{}", indexes.map(point_at).collect::<Vec<_>>().join(" L"))
    };
    let area_path = format!(
        "{} L{},100 L{},100 Z",
        line_path(0..=last_index),
        coordinate(x(last_index)),
        coordinate(x(0))
    );
    let segments = segments(&series.points)
        .into_iter()
        .map(|segment| {
            let class = if segment.reconstructed {
                "chart-line chart-line-reconstructed"
            } else {
                "chart-line"
            };
            view! { <path class=class d=line_path(segment.indexes) /> }
        })
        .collect_view();
    let history_note = HistoryNote::of(&series.points, &series.recorded_only, first.date);
    let description = if last_index == 0 {
        format!(
            "One day so far: {} on {}.",
            format::money(last.net, &currency),
            format::date(last.date)
        )
    } else {
        format!(
            "From {} on {} to {} on {}; lowest {}, highest {}.",
            format::money(first.net, &currency),
            format::date(first.date),
            format::money(last.net, &currency),
            format::date(last.date),
            format::money(low, &currency),
            format::money(high, &currency),
        )
    };
    let description = match &history_note.reconstructed {
        Some(words) => format!("{description} {words}"),
        None => description,
    };

    let gridlines = ticks
        .iter()
        .map(|tick| {
            let level = coordinate(y(*tick));
            let class = if tick.is_zero() {
                "chart-grid chart-zero"
            } else {
                "chart-grid"
            };
            view! { <line class=class x1="0" x2="100" y1=level.clone() y2=level /> }
        })
        .collect_view();
    let money_labels = ticks
        .iter()
        .map(|tick| {
            let top = format!("top: {}%", coordinate(y(*tick)));
            view! { <span style=top>{format::money_compact(*tick, &currency)}</span> }
        })
        .collect_view();
    let long_line = (last.date - first.date).num_days() > LONG_LINE_DAYS;
    let date_labels = date_label_indexes(series.points.len())
        .into_iter()
        .map(|index| {
            let left = format!("left: {}%", coordinate(x(index)));
            let day = series.points[index].date;
            let label = if long_line {
                format::short_month_year(day)
            } else {
                format::day_month(day)
            };
            view! { <span style=left>{label}</span> }
        })
        .collect_view();
    let dot_style = format!(
        "left: {}%; top: {}%",
        coordinate(x(last_index)),
        coordinate(y(last.net))
    );
    let id = format!("net-worth-chart-{currency}");
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled_by = format!("{title_id} {desc_id}");

    view! {
        <figure class="chart">
            <h3 class="chart-title" id=title_id.clone()>{title.clone()}</h3>
            <div class="chart-body">
                <div class="chart-y" aria-hidden="true">{money_labels}</div>
                <div class="chart-plot">
                    <svg
                        viewBox="0 0 100 100"
                        preserveAspectRatio="none"
                        role="img"
                        aria-labelledby=labelled_by
                    >
                        <title>{title}</title>
                        <desc id=desc_id>{description.clone()}</desc>
                        {gridlines}
                        <path class="chart-area" d=area_path />
                        {segments}
                    </svg>
                    <span class="chart-dot" style=dot_style title=description></span>
                </div>
                <div class="chart-x" aria-hidden="true">{date_labels}</div>
            </div>
            {(last_index == 0).then(|| view! {
                <p class="chart-note muted">"One day of history so far: the line grows a point a day."</p>
            })}
            {history_note.reconstructed.map(|words| view! {
                <p class="chart-note muted" data-testid="net-worth-reconstructed-note">
                    <span class="chart-key-reconstructed" aria-hidden="true"></span>
                    {words}
                </p>
            })}
            {history_note.recorded_only.map(|words| view! {
                <p class="chart-note muted" data-testid="net-worth-recorded-only-note">{words}</p>
            })}
        </figure>
    }
    .into_any()
}

/// A run of the line drawn in one style: recorded, or reconstructed from transactions.
struct Segment {
    indexes: std::ops::RangeInclusive<usize>,
    reconstructed: bool,
}

/// The line's runs of recorded and of reconstructed days. Each run reaches to the next run's
/// first point, so that the line stays unbroken where its style changes.
fn segments(points: &[NetWorthPoint]) -> Vec<Segment> {
    let last = points.len().saturating_sub(1);
    let mut segments: Vec<Segment> = Vec::new();
    for (index, point) in points.iter().enumerate() {
        match segments.last_mut() {
            Some(segment) if segment.reconstructed == point.reconstructed => {
                segment.indexes = *segment.indexes.start()..=index;
            }
            _ => segments.push(Segment {
                indexes: index..=index,
                reconstructed: point.reconstructed,
            }),
        }
    }
    for segment in &mut segments {
        let end = (*segment.indexes.end() + 1).min(last);
        segment.indexes = *segment.indexes.start()..=end;
    }
    segments
}

/// What the chart says under the line about where its history comes from.
struct HistoryNote {
    reconstructed: Option<String>,
    recorded_only: Option<String>,
}

impl HistoryNote {
    fn of(
        points: &[NetWorthPoint],
        recorded_only: &[RecordedOnlyAccount],
        first: NaiveDate,
    ) -> Self {
        let last_reconstructed = points.iter().rposition(|point| point.reconstructed);
        let reconstructed = last_reconstructed.map(|index| match points.get(index + 1) {
            Some(recorded) => format!(
                "Reconstructed from your transactions before {} (the dashed line); \
                     from then on, balances as Tally recorded them.",
                format::date(recorded.date)
            ),
            None => "Reconstructed from your transactions (the dashed line).".to_owned(),
        });
        // Only accounts that start after the line does leave a part of it out; those recorded
        // from the same day are named together.
        let mut by_day: Vec<(NaiveDate, Vec<&str>)> = Vec::new();
        for account in recorded_only
            .iter()
            .filter(|account| account.recorded_from > first)
        {
            match by_day
                .iter_mut()
                .find(|(day, _)| *day == account.recorded_from)
            {
                Some((_, names)) => names.push(&account.name),
                None => by_day.push((account.recorded_from, vec![&account.name])),
            }
        }
        let late: Vec<String> = by_day
            .into_iter()
            .map(|(day, names)| format!("{} from {}", and_list(&names), format::date(day)))
            .collect();
        let recorded_only = (!late.is_empty()).then(|| {
            format!(
                "Loans and investments count from their recorded balances only, as their \
                 transactions do not explain them: {}.",
                late.join("; ")
            )
        });
        Self {
            reconstructed,
            recorded_only,
        }
    }
}

/// "A", "A and B", "A, B and C".
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `part` as a percentage of `whole` (0 when `whole` is zero).
pub(crate) fn percent_of(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        Decimal::ZERO
    } else {
        part * Decimal::ONE_HUNDRED / whole
    }
}

/// A coordinate with two decimals, as SVG and CSS read it ("12.5").
pub(crate) fn coordinate(value: Decimal) -> String {
    value.round_dp(2).normalize().to_string()
}

/// Which points get a date under them: the first, the last, and evenly between.
fn date_label_indexes(points: usize) -> Vec<usize> {
    if points <= DATE_LABELS {
        return (0..points).collect();
    }
    let last = points - 1;
    let mut indexes: Vec<usize> = (0..DATE_LABELS)
        .map(|step| last * step / (DATE_LABELS - 1))
        .collect();
    indexes.dedup();
    indexes
}

/// Round-number gridlines covering `low..=high`, about `steps` steps of 1, 2 or 5 × 10ⁿ apart.
/// A flat series gets room above and below it.
pub(crate) fn ticks(low: Decimal, high: Decimal, steps: u32) -> Vec<Decimal> {
    let (low, high) = if low == high {
        let room = (low.abs() / Decimal::TEN).max(Decimal::ONE);
        (low - room, high + room)
    } else {
        (low, high)
    };
    let raw_step = (high - low) / Decimal::from(steps);
    let mut magnitude = Decimal::ONE;
    while magnitude * Decimal::TEN <= raw_step {
        magnitude *= Decimal::TEN;
    }
    while magnitude > raw_step && magnitude > Decimal::new(1, 2) {
        magnitude /= Decimal::TEN;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|factor| magnitude * Decimal::from(factor))
        .find(|step| *step >= raw_step)
        .unwrap_or(magnitude * Decimal::TEN);
    let first = (low / step).floor() * step;
    let mut ticks = vec![first];
    let mut tick = first;
    while tick < high && ticks.len() <= 2 * usize::try_from(steps).unwrap_or(4) + 2 {
        tick += step;
        ticks.push(tick);
    }
    ticks
}
