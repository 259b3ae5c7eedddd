"""Every list of the dashboard as a table on screen and as Excel / CSV downloads of exactly what
is shown (issue: "Every list has an Excel (.xlsx, Chinese headers) and CSV download").

`shown_frame` turns a query function's frame into the table people see: only the listed
columns, Chinese headers, statuses and booleans in words, lists joined, natural persons masked
per P6 (dashboard.core.privacy; a second line of defence behind the query functions). The downloads
are built from that same frame, with text cells that begin with = + - @ (or a tab / carriage
return) neutralised at every line start so that a spreadsheet never runs them as formulas
(dashboard.core.spreadsheet, shared with the audit export). Bytes are built only when
someone downloads, and kept in a small in-process cache keyed by what the table shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dashboard.core import formatting as fmt
from dashboard.core import spreadsheet
from dashboard.core.dates import to_date
from dashboard.core.privacy import mask_frame
from dashboard.core.scope import Scope
from dashboard.core.spreadsheet import neutralise, neutralised

# Column kinds: how a value is shown on screen, in Excel and in CSV.
TEXT, PCT, COUNT, NUMBER, DATE, MONTH, WAN_YUAN, BOOL, LIST, STATUS = (
    "text",
    "pct",
    "count",
    "number",
    "date",
    "month",
    "wan_yuan",
    "bool",
    "list",
    "status",
)
DISPLAY_TZ = "Asia/Shanghai"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"


@dataclass(frozen=True)
class Col:
    """One shown column: its Chinese header and its kind; `labels` turns codes into the words the
    office reads (a code without a label is shown as it is)."""

    label: str
    kind: str = TEXT
    labels: tuple[tuple[str, str], ...] = ()


ColumnSpec = Mapping[str, "str | Col | tuple[str, str]"]


def _col(spec: str | Col | tuple[str, str]) -> Col:
    if isinstance(spec, Col):
        return spec
    if isinstance(spec, tuple):
        return Col(*spec)
    return Col(spec)


def columns_of(spec: ColumnSpec) -> dict[str, Col]:
    """The column spec with every entry as a Col."""
    return {name: _col(s) for name, s in spec.items()}


def _list_text(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else list(value)
        return "、".join(str(v) for v in items if not fmt.is_missing(v))
    return None if fmt.is_missing(value) else str(value)


def _bool_text(value: Any) -> Any:
    if fmt.is_missing(value):
        return None
    return "是" if bool(value) else "否"


def shown_frame(
    frame: pd.DataFrame,
    columns: ColumnSpec,
    scope: Scope,
    personal: Mapping[str, str] | None = None,
    person_flag: str | None = None,
) -> pd.DataFrame:
    """The table as shown: `columns` (English name → Chinese header, or (header, kind)) in order,
    columns the frame lacks left out; `personal` columns (name → 'name'|'id_no'|'phone') masked
    unless the scope grants personal data — on the rows where `person_flag` is true when given;
    when the frame lacks that flag, ID numbers are masked on every row and names left as the
    query function returned them."""
    cols = columns_of(columns)
    if personal:
        if person_flag is not None and person_flag not in frame:
            # without the flag a name cannot be told from an organization's (public) name: the
            # query function has masked names; ID numbers are never public, mask them all
            personal = {c: k for c, k in personal.items() if k == "id_no"}
            person_flag = None
        frame = mask_frame(frame, scope, dict(personal), person_flag)
    present = [c for c in cols if c in frame.columns]
    out = frame.loc[:, present].copy()
    for name in present:
        if _zoned(out[name]):
            # a spreadsheet cannot hold zoned times: show them as the office reads them
            times = pd.to_datetime(out[name], utc=True).dt.tz_convert(DISPLAY_TZ)
            out[name] = times.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object).where(times.notna(), None)
        kind = cols[name].kind
        if cols[name].labels:
            words = dict(cols[name].labels)
            out[name] = out[name].map(lambda v, words=words: words.get(v, v)).astype(object)
        if kind == LIST:
            out[name] = out[name].map(_list_text).astype(object)
        elif kind == BOOL:
            out[name] = out[name].map(_bool_text).astype(object)
        elif kind == STATUS:
            out[name] = out[name].map(lambda s: fmt.STATUS_LABELS.get(str(s), fmt.STATUS_LABELS["none"])).astype(object)
        elif kind == MONTH:
            out[name] = out[name].map(lambda d: None if fmt.is_missing(d) else fmt.fmt_month(d)).astype(object)
        elif kind == DATE:
            out[name] = out[name].map(to_date).astype(object)
    out.columns = [cols[c].label for c in present]
    return out.reset_index(drop=True)


def _zoned(column: pd.Series) -> bool:
    """Whether a column holds time-zone-aware timestamps (typed, or as Python datetimes)."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return True
    if column.dtype != object:
        return False
    first = next((v for v in column if v is not None and not fmt.is_missing(v)), None)
    return isinstance(first, dt.datetime) and first.tzinfo is not None


def kinds_by_label(columns: ColumnSpec) -> dict[str, str]:
    """Chinese header → kind, for formatting the shown frame."""
    return {c.label: c.kind for c in columns_of(columns).values()}


def _cell_text(value: Any, kind: str) -> Any:
    if fmt.is_missing(value):
        return ""
    if kind == PCT:
        return f"{float(value) * 100:.2f}%"
    if kind == DATE:
        return fmt.fmt_date(value)
    return value


def csv_bytes(frame: pd.DataFrame, kinds: Mapping[str, str] | None = None) -> bytes:
    """UTF-8 with BOM (so that Excel opens Chinese headers correctly); ratios as 12.34%; text
    neutralised and line breaks quoted by dashboard.core.spreadsheet."""
    out = frame.copy()
    for label, kind in (kinds or {}).items():
        if label in out.columns and kind in (PCT, DATE):
            out[label] = out[label].map(lambda v, k=kind: _cell_text(v, k)).astype(object)
    return spreadsheet.csv_bytes(out)


def _text_width(value: Any) -> int:
    text = "" if fmt.is_missing(value) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def xlsx_bytes(frame: pd.DataFrame, kinds: Mapping[str, str] | None = None, sheet_name: str = "数据") -> bytes:
    """One sheet with bold Chinese headers, the header row frozen, ratios as 0.00%, dates as
    yyyy-mm-dd and columns wide enough for their text."""
    kinds = dict(kinds or {})
    data = neutralised(frame)
    buffer = io.BytesIO()
    with pd.ExcelWriter(
        buffer, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}
    ) as writer:
        sheet_name = sheet_name[:31]
        data.to_excel(writer, sheet_name=sheet_name, index=False)
        book, sheet = writer.book, writer.sheets[sheet_name]
        formats = {
            PCT: book.add_format({"num_format": "0.00%"}),
            DATE: book.add_format({"num_format": "yyyy-mm-dd"}),
            COUNT: book.add_format({"num_format": "#,##0"}),
            WAN_YUAN: book.add_format({"num_format": "#,##0.00"}),
        }
        header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True})
        for i, label in enumerate(frame.columns):
            sheet.write(0, i, neutralise(str(label)), header)
            sample = [label, *data.iloc[:200, i].tolist()]
            width = min(max(_text_width(v) for v in sample) + 2, 60)
            sheet.set_column(i, i, width, formats.get(kinds.get(label, TEXT)))
        sheet.freeze_panes(1, 0)
    return buffer.getvalue()


class _BytesCache:
    """A small LRU of built downloads: the same table downloaded twice is built once."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], build: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        data = build()
        with self._lock:
            self._items[key] = data
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return data

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_cache = _BytesCache()


def frame_digest(frame: pd.DataFrame) -> str:
    """A fingerprint of a table's headers and cells."""
    hashed = (
        pd.util.hash_pandas_object(frame.astype(str), index=False) if not frame.empty else pd.Series([], dtype="uint64")
    )
    return hashlib.sha1(hashed.to_numpy().tobytes() + "|".join(map(str, frame.columns)).encode()).hexdigest()


@dataclass
class Download:
    """A table's downloads, built on demand: `frame` is the shown table, or `table` gives it when
    called (shaped only when someone downloads, so showing one page of a long list costs nothing).
    Cached bytes are found by `key` (who sees which data: snapshot and scope) plus a fingerprint
    of the table itself; `on_build` (e.g. the audit record of the download) runs each time a file
    is handed out, with the kind and the number of rows."""

    key: str
    frame: pd.DataFrame | None = None
    kinds: Mapping[str, str] = field(default_factory=dict)
    sheet_name: str = "数据"
    on_build: Callable[[str, int], None] | None = None
    table: Callable[[], pd.DataFrame] | None = None

    def _get(self, kind: str, build: Callable[[pd.DataFrame], bytes]) -> bytes:
        frame = self.table() if self.table is not None else self.frame
        if frame is None:
            raise ValueError("a download needs its frame or table")
        if self.on_build is not None:
            self.on_build(kind, len(frame))
        return _cache.get((f"{self.key}|{frame_digest(frame)}", kind), lambda: build(frame))

    def xlsx(self) -> bytes:
        return self._get("xlsx", lambda frame: xlsx_bytes(frame, self.kinds, self.sheet_name))

    def csv(self) -> bytes:
        return self._get("csv", lambda frame: csv_bytes(frame, self.kinds))


def file_stem(title: str, as_of: dt.date | None = None) -> str:
    """A download's file name without extension: 信用预警清单_2024年6月."""
    safe = "".join(ch for ch in title if ch not in '\\/:*?"<>|').strip() or "数据"
    return f"{safe}_{fmt.fmt_month(as_of)}" if as_of else safe
