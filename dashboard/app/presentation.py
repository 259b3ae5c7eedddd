"""Presentation mode (演示模式, issue 13 item 4): the month as a sequence of full-screen views in the
order of the briefing deck — cover, rank trend, indicator table with RAG colours, the three weakest
indicators, warnings by department × type with follow-up status, the lagging (named) departments.

This module holds what pages/present.py needs beyond the shared helpers: the list of views, the
look (no sidebar, large type), the keyboard snippet, and the compositions of query results the
views show. The figures come from the same query functions and compositions as the pages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard.app import charts
from dashboard.app.charts import PLOTLY_CONFIG
from dashboard.core import formatting as fmt

# (key, Chinese title): one view per slide of the deck, in its order.
VIEWS: tuple[tuple[str, str], ...] = (
    ("cover", "封面"),
    ("rank", "全国城市信用监测排名走势"),
    ("indicators", "监测指标完成情况"),
    ("weakest", "最需关注的三项指标"),
    ("warnings", "信用预警处置情况"),
    ("named", "工作推进不力单位"),
)
VIEW_KEYS = tuple(k for k, _ in VIEWS)
NEXT_LABEL, PREVIOUS_LABEL = "下一页", "上一页"
FONT_SIZE = 22  # chart text on a projector
CHART_HEIGHT = 620

STYLE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container {
    max-width: 100% !important; padding: 1.5rem 3rem 1rem 3rem !important; }
.present-view h1 { font-size: 3rem !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.6rem; }
[data-testid="stMetricValue"] { font-size: 3.2rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.4rem !important; }
[data-testid="stTable"] table { font-size: 1.3rem; }
[data-testid="stTable"] td { padding-top: 0.25rem !important; padding-bottom: 0.25rem !important;
    max-width: none !important; }
[data-testid="stTable"] td *, [data-testid="stTable"] th * { max-width: none !important; }
[data-testid="stTable"] th { font-size: 1.3rem; }
.present-cover { text-align: center; padding-top: 12vh; }
.present-cover .org { font-size: 2rem; color: #455A64; }
.present-cover .title { font-size: 4rem; font-weight: 700; color: #1F4E79; margin: 2rem 0; padding: 0; line-height: 1.3; }
.present-cover .meta { font-size: 1.8rem; color: #37474F; }
</style>
"""


def keyboard_script() -> str:
    """→ / PageDown / space click 下一页, ← / PageUp click 上一页 (once per browser page; typing in
    a field is left alone)."""
    labels = json.dumps({"next": NEXT_LABEL, "previous": PREVIOUS_LABEL}, ensure_ascii=False)
    return f"""
<script>
(function () {{
  const labels = {labels};
  if (window.__presentKeys) return;
  window.__presentKeys = true;
  document.addEventListener('keydown', function (e) {{
    const tag = (e.target && e.target.tagName) || '';
    if (tag === 'INPUT' || tag === 'TEXTAREA') return;
    let label = null;
    if (e.key === 'ArrowRight' || e.key === 'PageDown' || e.key === ' ') label = labels.next;
    if (e.key === 'ArrowLeft' || e.key === 'PageUp') label = labels.previous;
    if (!label) return;
    const button = Array.from(document.querySelectorAll('button')).find(
      (b) => b.innerText.trim().endsWith(label) && !b.disabled);
    if (button) {{ e.preventDefault(); button.click(); }}
  }});
}})();
</script>
"""


def view_index(value: Any) -> int:
    """The view number of a URL parameter (1-based in the URL), clamped to the views."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 0
    return min(max(number - 1, 0), len(VIEWS) - 1)


def large(fig: Any, height: int = CHART_HEIGHT) -> Any:
    """A page chart with projector-sized text and height (data labels stay smaller, so that the
    points of a long series do not run into each other)."""
    fig.update_layout(
        height=height,
        font={"size": FONT_SIZE},
        title={"font": {"size": FONT_SIZE + 4}},
        legend={"font": {"size": FONT_SIZE - 4}, "y": -0.12},
        margin={"l": 110, "r": 100, "t": 70, "b": 40},
    )
    fig.update_xaxes(tickfont={"size": FONT_SIZE - 4}, nticks=6, tickangle=0, automargin=True)
    fig.update_yaxes(tickfont={"size": FONT_SIZE - 4}, title={"font": {"size": FONT_SIZE - 4}, "standoff": 12})
    fig.update_layout(yaxis={"automargin": True})
    fig.update_traces(textfont={"size": FONT_SIZE - 8}, selector={"type": "scatter"})
    return fig


def plot(fig: Any, key: str) -> None:
    """A chart of a view, drawn with the figure's own layout (the page theme would shrink its
    type back to page size)."""
    st.plotly_chart(large(fig), key=key, theme=None, config=PLOTLY_CONFIG)


def indicator_table(tiles: pd.DataFrame) -> pd.DataFrame:
    """The indicator tiles (page_queries.indicator_tiles) as the table of the view: 指标, 名称,
    实际值, 目标, 状态, 较上月 — texts in each indicator's unit; `_status` keeps the colour key."""
    rows = []
    for t in tiles.itertuples():
        change = fmt.fmt_delta(t.change, t.unit)
        rows.append(
            {
                "指标": t.indicator_id,
                "名称": t.name,
                "实际值": fmt.fmt_value(t.value, t.unit),
                "目标": charts.target_text(t.target, t.direction, t.unit),
                "状态": charts.status_label(t.status),
                "较上月": change if change is not None else fmt.MISSING,
                "_status": t.status,
            }
        )
    return pd.DataFrame(rows, columns=["指标", "名称", "实际值", "目标", "状态", "较上月", "_status"])


def rag_styler(table: pd.DataFrame) -> Styler:
    """The indicator table with its 状态 cell in the RAG colour of the palette (white text)."""
    status = table["_status"].tolist()
    shown = table.drop(columns="_status")

    def colour(column: pd.Series) -> list[str]:
        if column.name != "状态":
            return [""] * len(column)
        return [f"background-color: {charts.status_colour(s)}; color: white; font-weight: 600" for s in status]

    return shown.style.apply(colour).hide(axis="index")


def warning_matrix(counts: pd.DataFrame, types: Mapping[str, str], names: Mapping[str, str]) -> pd.DataFrame:
    """Warnings by department × type (followup.warning_counts): one row per department with warnings
    in force, most overdue first; one column per type present, each cell '预警中 n / 已处置 n / 超期 n',
    and the department's totals."""
    held = counts[counts["n_open"] > 0] if not counts.empty else counts
    if held.empty:
        return pd.DataFrame(columns=["责任单位"])
    present = [t for t in types if t in set(held["warning_type"])]
    rows = []
    for code, group in held.groupby(held["department_code"].fillna(""), sort=False):
        by_type = group.set_index("warning_type")
        row: dict[str, Any] = {"责任单位": names.get(code, code) if code else "未匹配部门"}
        for t in present:
            if t in by_type.index:
                r = by_type.loc[t]
                row[types[t]] = f"{int(r['n_open'])} / {int(r['n_acted'])} / {int(r['n_overdue'])}"
            else:
                row[types[t]] = ""
        row["预警中"] = int(group["n_open"].sum())
        row["已处置"] = int(group["n_acted"].sum())
        row["超期未处置"] = int(group["n_overdue"].sum())
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.sort_values(["超期未处置", "预警中", "责任单位"], ascending=[False, False, True]).reset_index(drop=True)


def named_table(named: pd.DataFrame) -> pd.DataFrame:
    """The named departments (ranking.named_of) as the view shows them."""
    return pd.DataFrame(
        {
            "序号": named["rank"].astype(int),
            "责任单位": named["department_name"],
            "符合情形": named["n_criteria"].astype(int),
            "存在问题": named["reasons"],
        }
    )


def named_styler(table: pd.DataFrame) -> Styler:
    """The named departments' table with room for what they lag on."""
    return (
        table.style.hide(axis="index")
        .set_properties(subset=["存在问题"], **{"width": "70%", "text-align": "left"})
        .set_properties(subset=["序号", "符合情形"], **{"width": "5%", "text-align": "center"})
    )
