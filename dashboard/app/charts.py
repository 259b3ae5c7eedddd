"""One chart style for the whole dashboard (Plotly): the status palette, target lines on every
indicator chart, Chinese number formats and 年月 axis labels, and the one Plotly configuration
(PLOTLY_CONFIG: plotly.js in Chinese, a modebar with the download button only).

Every function takes a query function's frame as it comes (English columns) and returns a
figure; pages hand the figure to `st.plotly_chart`, with `on_select` where a click drills on.
Points carry their drill key in `customdata[0]`, so a page reads a selection the same way
whatever the chart (see `selected_key`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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
MONTH_TICKS_SHORT = "%y年%-m月"  # 25年6月: a narrow chart's month axis

# plotly.js speaks English unless a locale is registered; Streamlit's bundle registers none, so
# the config carries its own (plotly.js reads `locales` of the config before its registry). Only
# what a viewer can meet: the download button, its notices, the zoom hint, dates and numbers.
ZH_CN_LOCALE = {
    "dictionary": {
        "Download plot as a PNG": "下载图片（PNG）",
        "Download plot": "下载图片",
        "Preparing image - this may take a few seconds": "正在生成图片，请稍候…",
        "Image download succeeded": "图片已下载",
        "Sorry, there was a problem downloading your image!": "图片下载失败，请重试。",
        "Reset axes": "还原坐标轴",
        "Autoscale": "自动缩放",
        "Double-click to zoom back out": "双击还原",
        "Zoom": "缩放",
        "Pan": "平移",
        "Zoom in": "放大",
        "Zoom out": "缩小",
        "Box Select": "框选",
        "Lasso Select": "套索选择",
        "Show closest data on hover": "悬停显示最近数据",
        "Compare data on hover": "悬停比较数据",
        "Toggle Spike Lines": "显示或隐藏参考线",
    },
    "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        "months": [f"{m}月" for m in range(1, 13)],
        "shortMonths": [f"{m}月" for m in range(1, 13)],
        "date": "%Y-%m-%d",
        "decimal": ".",
        "thousands": ",",
    },
}
# The one configuration of every chart (ui.plot, presentation.plot): Chinese, no logo, and a modebar
# holding only 下载图片（PNG） — `modeBarButtons` lists exactly the buttons shown, which also leaves
# out Streamlit's own 'Fullscreen' button (English, added through modeBarButtonsToAdd). Axes do
# not zoom or pan (_layout: fixedrange), so nothing needs resetting.
PLOTLY_CONFIG: dict[str, Any] = {
    "locale": "zh-CN",
    "locales": {"zh-CN": ZH_CN_LOCALE},
    "displaylogo": False,
    "modeBarButtons": [["toImage"]],
    "scrollZoom": False,
    "doubleClick": False,
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "城市信用监测图表"},
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


def status_word(status: Any) -> str:
    """Markdown of the status word in its colour, bold: :red[**未达标**]."""
    key = str(status) if str(status) in STATUS_NAMES else "none"
    return f":{STATUS_NAMES[key]}[**{STATUS_LABELS[key]}**]"


# Light backgrounds of the status colours, for tiles that carry a status; "neutral" for a tile of
# the same shape that carries none (a rank, a count of warnings).
STATUS_TINTS = {"green": "#EDF7EE", "amber": "#FFF7E0", "red": "#FDECEC", "none": "#F3F5F7", "neutral": "#F4F7FA"}
TILE_EDGES = {**STATUS_COLOURS, "neutral": PRIMARY}
# Prefix of the key of a container tinted by status: st.container(key=f"{TILE_KEY}-red-I03").
TILE_KEY = "status-tile"


def status_tile_key(status: Any, name: str) -> str:
    """The key of a container tinted in `status`'s colours (see tile_style); 'neutral' for none."""
    key = str(status) if str(status) in STATUS_TINTS else "none"
    return f"{TILE_KEY}-{key}-{name}"


def tile_style(top_padding_rem: float | None = None) -> str:
    """The <style> that tints containers keyed by status_tile_key — a light background and a left
    edge in the status colour (Streamlit gives a keyed container the class st-key-<key>) — and,
    with `top_padding_rem`, a smaller space above the page's title (a dense page on one screen)."""
    rules = [
        f'div[class*="st-key-{TILE_KEY}-{status}-"] {{ background: {tint}; '
        f"border-left: 6px solid {TILE_EDGES[status]}; border-radius: 0.5rem; padding: 0.5rem 0.75rem; }}"
        for status, tint in STATUS_TINTS.items()
    ]
    # a tile's title button (type tertiary) reads as a left-aligned heading, not a centred button;
    # a tile's metric label (the status word and the indicator) at body size, not the small default
    rules.append(
        f'div[class*="st-key-{TILE_KEY}-"] button[kind="tertiary"] {{ justify-content: flex-start; text-align: left; }}'
    )
    rules.append(f'div[class*="st-key-{TILE_KEY}-"] [data-testid="stMetricLabel"] p {{ font-size: 1rem; }}')
    rules.append(  # … and wrapped on a narrow screen rather than cut off with an ellipsis
        f'div[class*="st-key-{TILE_KEY}-"] [data-testid="stMetricLabel"] * '
        "{ white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }"
    )
    # tiles of a fixed least width in a horizontal container grow to share out the row they wrap into
    # (the flex item is the layout wrapper around the keyed container)
    rules.append(
        f'[data-testid="stLayoutWrapper"]:has(> div[class*="st-key-{TILE_KEY}-"]) {{ flex: 1 1 auto !important; }}'
    )
    if top_padding_rem is not None:
        rules.append(f'[data-testid="stMainBlockContainer"] {{ padding-top: {top_padding_rem}rem; }}')
    return "<style>\n" + "\n".join(rules) + "\n</style>"


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
    # fixed axes: charts are read, not explored (no zoom or pan to undo on a projector or a touch screen)
    fig.update_xaxes(showgrid=False, linecolor="#CFD8DC", fixedrange=True, automargin=True)
    fig.update_yaxes(gridcolor="#ECEFF1", zeroline=False, fixedrange=True, automargin=True)
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


# The rank panels of city_rank_trend: column of indicators.city_scores, label, share of the height.
RANK_PANELS = (("rank", "全国排名", "全国第", 0.6), ("rank_in_province", "省内排名", "省内第", 0.4))


def _rank_axis(ranks: pd.Series) -> dict[str, Any]:
    """A rank axis reversed once (rank 1 on top), whole numbers only, padded so that the line
    and the label of the last point stay inside."""
    lo, hi = float(ranks.min()), float(ranks.max())
    span = hi - lo
    pad = max(1.0, span * 0.2)
    dtick = max(1, math.ceil(span / 4)) if span else 1
    return {"range": [hi + pad, max(lo - pad, 0.5)], "dtick": dtick, "tickformat": "d"}


def city_rank_trend(scores: pd.DataFrame, title: str | None = None, height: int = 360) -> go.Figure:
    """I00: the home city's rank by month in two panels over one month axis — 全国排名 on top, 省内排名
    below (when the data has it) — each with a single rank axis, reversed once so that rank 1 is on
    top. Only the newest point is labelled (第114名, to its right), so labels never overlap the
    line or each other; the other months are on hover; the month axis reads 25年6月 every three
    months."""
    rows = scores[scores["city"] == _home_city(scores)].sort_values("month") if not scores.empty else scores
    if rows.empty:
        return _layout(go.Figure(), 300, title)
    panels = [p for p in RANK_PANELS if p[0] in rows and rows[p[0]].notna().any()]
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.14 if len(panels) > 1 else 0.0,
        row_heights=[p[3] for p in panels],
        subplot_titles=[p[1] for p in panels],
    )
    months = pd.to_datetime(rows["month"])
    for i, (column, label, prefix, _) in enumerate(panels, start=1):
        ranks = pd.to_numeric(rows[column], errors="coerce")
        shown = ranks.notna()
        texts = [""] * len(rows)
        last = int(ranks[shown].iloc[-1])
        texts[int(shown.to_numpy().nonzero()[0][-1])] = f"第{last}名"
        fig.add_trace(
            go.Scatter(
                x=months,
                y=ranks,
                mode="lines+markers+text",
                name=label,
                text=texts,
                textposition="middle right",
                cliponaxis=False,
                textfont={"size": 15, "color": PRIMARY if i == 1 else SERIES_COLOURS[4]},
                line={"color": PRIMARY if i == 1 else SERIES_COLOURS[4], "width": 3 if i == 1 else 2},
                marker={"size": 7},
                customdata=[fmt.fmt_month(m) for m in months],
                hovertemplate=f"%{{customdata}}　{prefix}%{{y}}名<extra></extra>",
                showlegend=False,
            ),
            row=i,
            col=1,
        )
        fig.update_yaxes(**_rank_axis(ranks[shown]), row=i, col=1)
    # room on the left for the first month's label, on the right for the newest rank's label
    fig.update_xaxes(
        tickformat=MONTH_TICKS_SHORT,
        dtick="M3",
        range=[months.min() - pd.Timedelta(days=20), months.max() + pd.Timedelta(days=40)],
    )
    fig = _layout(fig, height, title)
    fig.update_layout(margin={"t": 70 if title else 30, "r": 70})  # room for the panels' and the last rank's labels
    fig.update_annotations(font={"size": 14, "color": TARGET_COLOUR}, x=0, xanchor="left", yshift=8)
    return fig


def count_bar(
    frame: pd.DataFrame,
    key_column: str,
    label_column: str,
    value_column: str,
    title: str | None = None,
    colour: str = PRIMARY,
    horizontal: bool = False,
    unit: str = "",
) -> go.Figure:
    """Counts per category (e.g. warnings opened this month by type); `customdata[0]` is the key.
    `horizontal`: one bar per row, the category names on the left in the frame's order (long
    Chinese names stay readable in a narrow column); `unit` follows each count (条)."""
    fig = go.Figure()
    if frame.empty:
        return _layout(fig, 200, title)
    rows = frame.iloc[::-1] if horizontal else frame  # Plotly draws the first category at the bottom
    labels, values = rows[label_column], rows[value_column]
    fig.add_trace(
        go.Bar(
            x=values if horizontal else labels,
            y=labels if horizontal else values,
            orientation="h" if horizontal else "v",
            marker={"color": colour},
            text=[f"{fmt.fmt_count(v)}{unit}" for v in values],
            textposition="outside",
            cliponaxis=False,
            customdata=list(rows[key_column]),
            hovertemplate=("%{y}" if horizontal else "%{x}") + "<br>%{text}<extra></extra>",
        )
    )
    if horizontal:
        fig.update_xaxes(tickformat=",d", rangemode="tozero", showticklabels=False, showgrid=False)
        fig = _layout(fig, max(220, 36 * len(rows) + 40), title)
        fig.update_layout(margin={"r": 40})  # room for the count beside the longest bar
        return fig
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
