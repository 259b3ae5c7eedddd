"""One chart style for the whole dashboard (Plotly): the status palette, target lines on every
indicator chart, Chinese number formats and 年月 axis labels.

Every function takes a query function's frame as it comes (English columns) and returns a
figure; pages hand the figure to `st.plotly_chart`, with `on_select` where a click drills on.
Points carry their drill key in `customdata[0]`, so a page reads a selection the same way
whatever the chart (see `selected_key`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.core import formatting as fmt
from dashboard.core.dates import to_date

# Status of an indicator against its target (docs/rules.md §4 "Status colours").
STATUS_COLOURS = {"green": "#2E7D32", "amber": "#F2A900", "red": "#C62828", "none": "#9E9E9E"}
STATUS_LABELS = fmt.STATUS_LABELS
STATUS_ORDER = {"red": 0, "amber": 1, "green": 2, "none": 3}
PRIMARY = "#1F4E79"
MUTED = "#B0BEC5"
TARGET_COLOUR = "#455A64"
# G1 grades: A/B 诚信守法 (greens), C 轻微失信 (amber), D 一般失信, E 严重失信 (reds).
GRADE_COLOURS = {"A": "#1B5E20", "B": "#66BB6A", "C": "#F2A900", "D": "#EF6C00", "E": "#B71C1C", "M": "#90A4AE"}
SERIES_COLOURS = ("#1F4E79", "#2E86AB", "#7E57C2", "#00897B", "#F2A900", "#C62828", "#6D4C41")
FONT = "Microsoft YaHei, PingFang SC, WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"
MONTH_TICKS = "%Y年%-m月"
PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


# Streamlit's badge colour names for the statuses (`:green-badge[达标]`).
STATUS_NAMES = {"green": "green", "amber": "orange", "red": "red", "none": "gray"}


def status_badge(status: Any) -> str:
    """Markdown of a status badge: :green-badge[达标]."""
    key = str(status) if str(status) in STATUS_NAMES else "none"
    return f":{STATUS_NAMES[key]}-badge[{STATUS_LABELS[key]}]"


def target_text(target: Any, direction: str, unit: str) -> str:
    """The target as a condition: ≥ 15.0% for 'higher is better', ≤ 0 for 'lower'."""
    if fmt.is_missing(target):
        return fmt.MISSING
    return f"{'≥' if direction == 'higher' else '≤'} {fmt.fmt_value(target, unit)}"


def status_label(status: Any) -> str:
    return STATUS_LABELS.get(str(status), STATUS_LABELS["none"])


def status_colour(status: Any) -> str:
    return STATUS_COLOURS.get(str(status), STATUS_COLOURS["none"])


def _layout(fig: go.Figure, height: int = 360, title: str | None = None) -> go.Figure:
    fig.update_layout(
        height=height,
        title=None if title is None else {"text": title, "x": 0, "font": {"size": 16}},
        font={"family": FONT, "size": 14},
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        # below the plot: above it the legend would run into the title
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT}},
        separators=".,",
    )
    fig.update_xaxes(showgrid=False, linecolor="#CFD8DC")
    fig.update_yaxes(gridcolor="#ECEFF1", zeroline=False)
    return fig


def _value_axis(unit: str) -> dict[str, Any]:
    if unit == fmt.PCT:
        return {"tickformat": ".0%", "rangemode": "tozero"}
    return {"tickformat": ",d", "rangemode": "tozero"}


def _texts(values: Iterable[Any], unit: str) -> list[str]:
    return [fmt.fmt_value(v, unit) for v in values]


def indicator_trend(series: pd.DataFrame, unit: str, title: str | None = None, height: int = 360) -> go.Figure:
    """An indicator's monthly series (indicator_series) with its target as a dashed line and each
    month's point in its status colour."""
    fig = go.Figure()
    if series.empty:
        return _layout(fig, height, title)
    months = pd.to_datetime(series["month_end"])
    texts = _texts(series["value"], unit)
    fig.add_trace(
        go.Scatter(
            x=months,
            y=series["value"],
            mode="lines+markers",
            name="实际值",
            line={"color": PRIMARY, "width": 3},
            marker={
                "size": 9,
                "color": [status_colour(s) for s in series["status"]],
                "line": {"width": 1, "color": "white"},
            },
            customdata=list(
                zip([fmt.fmt_month(m) for m in months], texts, [status_label(s) for s in series["status"]])
            ),
            hovertemplate="%{customdata[0]}<br>实际值 %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        )
    )
    if "target" in series and series["target"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=months,
                y=series["target"],
                mode="lines",
                name="目标值",
                line_shape="hv",
                line={"color": TARGET_COLOUR, "width": 2, "dash": "dash"},
                customdata=_texts(series["target"], unit),
                hovertemplate="目标值 %{customdata}<extra></extra>",
            )
        )
    fig.update_xaxes(tickformat=MONTH_TICKS, dtick="M3")
    fig.update_yaxes(**_value_axis(unit))
    return _layout(fig, height, title)


def breakdown_bar(
    frame: pd.DataFrame, key_column: str, label_column: str, unit: str, target: Any = None, title: str | None = None
) -> go.Figure:
    """An indicator broken down by department or district: one horizontal bar per group in its
    status colour, the target as a dashed vertical line; `customdata[0]` is the group's code."""
    fig = go.Figure()
    if frame.empty:
        return _layout(fig, 200, title)
    rows = frame.iloc[::-1]  # Plotly draws the first category at the bottom
    statuses = rows["status"] if "status" in rows else pd.Series(["none"] * len(rows))
    fig.add_trace(
        go.Bar(
            y=rows[label_column],
            x=rows["value"],
            orientation="h",
            marker={"color": [status_colour(s) for s in statuses]},
            text=_texts(rows["value"], unit),
            textposition="auto",
            customdata=list(zip(rows[key_column], [status_label(s) for s in statuses])),
            hovertemplate="%{y}<br>%{text}　%{customdata[1]}<extra></extra>",
        )
    )
    if target is not None and not fmt.is_missing(target):
        fig.add_vline(
            x=float(target),
            line_dash="dash",
            line_color=TARGET_COLOUR,
            line_width=2,
            annotation_text=f"目标 {fmt.fmt_value(target, unit)}",
            annotation_position="top",
        )
    fig.update_xaxes(**_value_axis(unit))
    fig = _layout(fig, max(220, 34 * len(rows) + 80), title)
    fig.update_layout(margin={"t": 40 if title else 30})  # room for the target's label
    return fig


def _home_city(scores: pd.DataFrame) -> str | None:
    if scores.empty:
        return None
    home = scores.loc[scores["is_home_city"].fillna(False).astype(bool), "city"]
    return None if len(home) == 0 else home.iloc[0]


def city_score_trend(scores: pd.DataFrame, title: str | None = None) -> go.Figure:
    """I00 (indicators.city_scores): the national 综合信用指数 of the province's cities by month,
    the home city drawn thick in the primary colour, the others thin and muted."""
    fig = go.Figure()
    if scores.empty:
        return _layout(fig, 380, title)
    home_city = _home_city(scores)
    for city in sorted(scores["city"].unique(), key=lambda c: (c == home_city, c)):
        rows = scores[scores["city"] == city]
        home = city == home_city
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(rows["month"]),
                y=rows["score"],
                mode="lines+markers" if home else "lines",
                name=city,
                line={"color": PRIMARY if home else MUTED, "width": 4 if home else 1.5},
                customdata=list(zip([fmt.fmt_month(m) for m in rows["month"]], rows["rank"])),
                hovertemplate=f"{city}<br>%{{customdata[0]}}<br>指数 %{{y:.2f}}　全国第%{{customdata[1]}}名<extra></extra>",
            )
        )
    fig.update_xaxes(tickformat=MONTH_TICKS)
    fig.update_yaxes(title_text="综合信用指数")
    return _layout(fig, 380, title)


def city_rank_trend(scores: pd.DataFrame, title: str | None = None) -> go.Figure:
    """I00: the home city's national and in-province rank by month (rank 1 on top)."""
    fig = go.Figure()
    rows = scores[scores["city"] == _home_city(scores)] if not scores.empty else scores
    if rows.empty:
        return _layout(fig, 300, title)
    months = pd.to_datetime(rows["month"])
    fig.add_trace(
        go.Scatter(
            x=months,
            y=rows["rank"],
            mode="lines+markers+text",
            name="全国排名",
            text=[f"{int(r)}" for r in rows["rank"]],
            textposition="top center",
            line={"color": PRIMARY, "width": 3},
            hovertemplate="%{x|%Y年%-m月}　全国第%{y}名<extra></extra>",
        )
    )
    if "rank_in_province" in rows and rows["rank_in_province"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=months,
                y=rows["rank_in_province"],
                mode="lines+markers",
                name="省内排名",
                yaxis="y2",
                line={"color": SERIES_COLOURS[4], "width": 2},
                hovertemplate="%{x|%Y年%-m月}　省内第%{y}名<extra></extra>",
            )
        )
        fig.update_layout(
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "autorange": "reversed",
                "tickformat": "d",
                "dtick": 1,
                "title": {"text": "省内排名"},
                "showgrid": False,
            }
        )
    fig.update_xaxes(tickformat=MONTH_TICKS)
    fig.update_layout(yaxis={"autorange": "reversed", "tickformat": "d", "title": {"text": "全国排名"}})
    return _layout(fig, 300, title)


def count_bar(
    frame: pd.DataFrame,
    key_column: str,
    label_column: str,
    value_column: str,
    title: str | None = None,
    colour: str = PRIMARY,
) -> go.Figure:
    """Counts per category (e.g. warnings opened this month by type); `customdata[0]` is the key."""
    fig = go.Figure()
    if frame.empty:
        return _layout(fig, 200, title)
    fig.add_trace(
        go.Bar(
            x=frame[label_column],
            y=frame[value_column],
            marker={"color": colour},
            text=[fmt.fmt_count(v) for v in frame[value_column]],
            textposition="outside",
            customdata=list(frame[key_column]),
            hovertemplate="%{x}<br>%{text}<extra></extra>",
        )
    )
    fig.update_yaxes(tickformat=",d", rangemode="tozero")
    return _layout(fig, 320, title)


def stacked_counts(
    frame: pd.DataFrame,
    key_column: str,
    label_column: str,
    series: Mapping[str, tuple[str, str]],
    title: str | None = None,
) -> go.Figure:
    """Several counts per category stacked (e.g. warnings open / acted / overdue per department).
    `series` maps a value column to (legend label, colour); `customdata[0]` is the key."""
    fig = go.Figure()
    if frame.empty:
        return _layout(fig, 200, title)
    rows = frame.iloc[::-1]
    for column, (label, colour) in series.items():
        fig.add_trace(
            go.Bar(
                y=rows[label_column],
                x=rows[column],
                orientation="h",
                name=label,
                marker={"color": colour},
                customdata=list(rows[key_column]),
                hovertemplate=f"%{{y}}<br>{label} %{{x:,d}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=",d")
    return _layout(fig, max(240, 30 * len(rows) + 90), title)


def grade_distribution(frame: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Subjects per grade per group (grade_distribution), stacked A → E in the grade colours;
    `customdata[0]` is the group code."""
    fig = go.Figure()
    if frame.empty:
        return _layout(fig, 200, title)
    groups = list(dict.fromkeys(frame["group_name"]))
    for grade in sorted(frame["grade"].dropna().unique()):
        rows = frame[frame["grade"] == grade].set_index("group_name").reindex(groups[::-1])
        fig.add_trace(
            go.Bar(
                y=rows.index,
                x=rows["n_subjects"].fillna(0),
                orientation="h",
                name=f"{grade}级",
                marker={"color": GRADE_COLOURS.get(grade, MUTED)},
                customdata=list(rows["group_code"]),
                hovertemplate=f"%{{y}}<br>{grade}级 %{{x:,d}}户<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=",d")
    return _layout(fig, max(260, 28 * len(groups) + 90), title)


def penalty_timeline(penalties: pd.DataFrame, as_of: Any, title: str | None = None) -> go.Figure:
    """A subject's penalties (profile section) as bars from the decision date to the end of
    publicity (P8), red while in publicity at T, grey otherwise; a diamond marks the date it may
    apply for repair (P10) and a dashed line the as-of date."""
    fig = go.Figure()
    if penalties.empty:
        return _layout(fig, 160, title)
    rows = penalties.sort_values("decision_date")
    start = pd.to_datetime(rows["decision_date"])
    end = pd.to_datetime(rows["publicity_end_date"]).fillna(start)
    live = rows["in_publicity"].fillna(False).astype(bool)
    fig.add_trace(
        go.Bar(
            y=rows["decision_no"],
            base=start,
            x=(end - start).dt.total_seconds() * 1000,
            orientation="h",
            marker={"color": [STATUS_COLOURS["red"] if x else MUTED for x in live]},
            name="公示期",
            customdata=list(
                zip(
                    [fmt.fmt_date(d) for d in start],
                    [fmt.fmt_date(d) for d in end],
                    ["公示中" if x else "不在公示期" for x in live],
                )
            ),
            hovertemplate="%{y}<br>%{customdata[0]} 至 %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        )
    )
    if "eligible_for_repair_date" in rows:
        eligible = pd.to_datetime(rows["eligible_for_repair_date"])
        fig.add_trace(
            go.Scatter(
                y=rows["decision_no"],
                x=eligible,
                mode="markers",
                name="可申请修复日期",
                marker={"symbol": "diamond", "size": 11, "color": STATUS_COLOURS["green"]},
                hovertemplate="可申请修复：%{x|%Y-%m-%d}<extra></extra>",
            )
        )
    day = to_date(as_of)
    if day is not None:
        fig.add_vline(
            x=pd.Timestamp(day).value / 1e6,
            line_dash="dash",
            line_color=TARGET_COLOUR,
            annotation_text=f"统计日 {fmt.fmt_date(day)}",
            annotation_position="top",
        )
    fig.update_xaxes(type="date", tickformat=MONTH_TICKS)
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, max(180, 40 * len(rows) + 90), title)


def selected_key(event: Any) -> Any:
    """The drill key (customdata[0]) of the first point selected in a chart, or None."""
    try:
        points = event.selection.points if hasattr(event, "selection") else event["selection"]["points"]
    except (KeyError, TypeError, AttributeError):
        return None
    for point in points or ():
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and custom:
            return custom[0]
        if custom is not None:
            return custom
    return None
