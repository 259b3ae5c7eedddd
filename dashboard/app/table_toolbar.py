"""The toolbar and menus Streamlit draws around every table (st.dataframe), in Chinese.

Streamlit 1.67 draws them in English and has no parameter, setting or locale to change that:
the toolbar over a table (Show/hide columns, Download as CSV, Search, Fullscreen), its search bar
(Type to search, "2 results"), the menu behind a column header (Sort ascending, Format,
Statistics, Pin column, Hide column …) and the tooltips of these buttons. So:

- **Download as CSV** is switched off by Streamlit's own option `client.disableDataExport`
  (`.streamlit/config.toml`; it also stops copying cells to the clipboard). It exported a list
  past the export grant and the audit log; every list has its own 下载 Excel / 下载 CSV buttons
  (dashboard.app.ui.table), granted and recorded.
- **Everything else** stays — 显示/隐藏列, 查找, 全屏, sorting and the column menu are useful — and
  its words are replaced in the browser: `install()` puts a small script on the page that
  rewrites the texts and labels of WORDS (and the counts of PATTERNS) inside these controls
  (SCOPE) whenever Streamlit draws them. Cell values are drawn on a canvas and never touched;
  outside SCOPE nothing is changed. A Streamlit release that renames one of these words leaves it
  in English until WORDS follows: tests/browser/test_browser_chinese.py opens the toolbar, the
  search bar and the column menu and fails on any English word.
"""

from __future__ import annotations

import json

import streamlit as st

# English word of Streamlit's table controls → the word the office reads.
WORDS: dict[str, str] = {
    # the toolbar over a table, its tooltips and the search bar
    "Show/hide columns": "显示/隐藏列",
    "Download as CSV": "下载 CSV",
    "Search": "查找",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Exit fullscreen": "退出全屏",
    "Clear selection": "清除选择",
    "Type to search": "输入关键字查找",
    "Close Search": "关闭查找",
    "Previous Result": "上一个",
    "Next Result": "下一个",
    "over 1000": "超过 1000 处",
    # show / hide columns
    "Select all": "全选",
    "(index)": "（行号）",
    # the column menu
    "Dataframe column menu": "列菜单",
    "Copy column name": "复制列名",
    "Sort ascending": "升序排列",
    "Sort descending": "降序排列",
    "Statistics": "统计",
    "Format": "显示格式",
    "Autosize": "自动调整列宽",
    "Pin column": "固定此列",
    "Unpin column": "取消固定",
    "Hide column": "隐藏此列",
    # the kind of a column (the column menu's icon title)
    "text": "文本",
    "number": "数值",
    "checkbox": "是/否",
    "date": "日期",
    "datetime": "日期时间",
    "time": "时间",
    "list": "列表",
    "link": "链接",
    "progress": "进度",
    "object": "其他",
    # display formats
    "Automatic": "自动",
    "Localized": "本地格式",
    "Plain": "不分组",
    "Compact": "简写（千、百万）",
    "Dollar": "美元",
    "Euro": "欧元",
    "Yen": "日元",
    "Percent": "百分比",
    "Scientific": "科学计数",
    "Accounting": "会计格式",
    "Duration": "时长",
    "Distance": "距今多久",
    "Calendar": "日历格式",
    # column statistics
    "Values": "有值",
    "Empty": "空值",
    "Distinct": "不同取值",
    "Average": "平均值",
    "Standard deviation": "标准差",
    "Minimum": "最小值",
    "25th percentile": "25% 分位数",
    "Median": "中位数",
    "75th percentile": "75% 分位数",
    "Maximum": "最大值",
    "Sum": "合计",
    "Minimum length": "最短长度",
    "Maximum length": "最长长度",
    "Average length": "平均长度",
    "Range": "范围",
    "Count": "个数",
    "No data": "无数据",
    "Based on sample": "按抽样计算",
    # the link keyboard users reach first on every page
    "Skip to main content": "跳到主要内容",
}
# The search bar's counts: "3 results", "2 of 3 results", "1 of over 1000".
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^(\d+) results?$", "共 $1 处"),
    (r"^(\d+) of (\d+) results?$", "第 $1 处，共 $2 处"),
    (r"^(\d+) of over 1000$", "第 $1 处，超过 1000 处"),
)
# Where the words are replaced: the tables with their toolbars and search bars, the column menu
# and its sub-menus, the toolbar tooltips, the statistics chart's tooltip, and the skip link.
SCOPE = ", ".join(
    (
        '[data-testid^="stDataFrame"]',
        '[data-testid="stElementToolbar"]',
        '[data-testid="stTooltipContent"]',
        ".stDataFrameColumnFormattingMenu",
        "#vg-tooltip-element",
        '[data-testid="stSkipToContent"]',
    )
)
CONTAINER_KEY = "table_toolbar_words"

_SCRIPT = """
(() => {
  if (window.dashboardTableWords) return;
  window.dashboardTableWords = true;
  const WORDS = __WORDS__;
  const PATTERNS = __PATTERNS__.map(([re, to]) => [new RegExp(re), to]);
  const SCOPE = __SCOPE__;
  const ATTRS = ["aria-label", "title", "placeholder"];
  const has = Object.prototype.hasOwnProperty;
  const translated = (text) => {
    const key = text.trim();
    if (!key) return null;
    if (has.call(WORDS, key)) return text.replace(key, WORDS[key]);
    for (const [re, to] of PATTERNS) {
      if (re.test(key)) return text.replace(key, key.replace(re, to));
    }
    return null;
  };
  // the grid's own table of cell values (for screen readers) holds data, never controls
  const inScope = (el) => Boolean(el && el.closest && el.closest(SCOPE) && !el.closest("table[role=grid]"));
  const fixText = (node) => {
    if (!inScope(node.parentElement)) return;
    const text = translated(node.nodeValue);
    if (text !== null && text !== node.nodeValue) node.nodeValue = text;
  };
  const fixAttributes = (el) => {
    if (!inScope(el)) return;
    for (const name of ATTRS) {
      const value = el.getAttribute(name);
      const text = value ? translated(value) : null;
      if (text !== null && text !== value) el.setAttribute(name, text);
    }
  };
  const fixTree = (root) => {
    if (root.nodeType === Node.TEXT_NODE) return fixText(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    if (!inScope(root) && !root.querySelector(SCOPE)) return;
    fixAttributes(root);
    root.querySelectorAll("[aria-label], [title], [placeholder]").forEach(fixAttributes);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) fixText(walker.currentNode);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "characterData") fixText(r.target);
      else if (r.type === "attributes") fixAttributes(r.target);
      else r.addedNodes.forEach(fixTree);
    }
  }).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS,
  });
  fixTree(document.body);
})();
"""


def script() -> str:
    """The script that rewrites the table controls' words (WORDS, PATTERNS inside SCOPE) as
    Streamlit draws them; it installs itself once per browser tab."""
    return (
        _SCRIPT.replace("__WORDS__", json.dumps(WORDS, ensure_ascii=False))
        .replace("__PATTERNS__", json.dumps([list(p) for p in PATTERNS]))
        .replace("__SCOPE__", json.dumps(SCOPE))
    )


def install() -> None:
    """Put the script on the page, in a container that takes no room (hidden by its own style)."""
    with st.container(key=CONTAINER_KEY):
        st.html(
            f"<style>.st-key-{CONTAINER_KEY} {{ display: none; }}</style><script>{script()}</script>",
            unsafe_allow_javascript=True,
        )
