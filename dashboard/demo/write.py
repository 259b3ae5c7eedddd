"""How the demo drop is written: one file per entity, in the varied shapes real exports take.

Each entity has a FileSpec: format (CSV, Parquet, XLSX), encoding (UTF-8, UTF-8 with BOM,
GB18030), quoting, and per column the header written (canonical name, 双公示 code or Chinese
label) and the spelling of dates, months and booleans. Generators hand typed pyarrow tables to an
EntityWriter, batch by batch, which formats and appends them; planted malformed rows arrive as
ready-made strings (write_raw). Output is byte-for-byte deterministic for the same input.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Mapping, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from dashboard.core import contract

ARROW_TYPES = {
    contract.TEXT: pa.string(),
    contract.DATE: pa.date32(),
    contract.MONTH: pa.date32(),
    contract.BOOL: pa.bool_(),
    contract.INT: pa.int64(),
    contract.DECIMAL: pa.float64(),
}
# 上报时间 carries a time of day in the exports; the contract keeps its date.
TIMESTAMP_COLUMNS = {("penalties", "reported_at"), ("licenses", "reported_at")}
# Columns outside the contract that some exports add (kept by the loader as extra columns).
EXTRA_COLUMNS = {"x_subject_name": pa.string()}

# Rows buffered per entity before they are formatted and written (bounds memory at province scale).
FLUSH_ROWS = 200_000

DATE_STYLES = {"iso": "%Y-%m-%d", "slash": "%Y/%m/%d", "compact": "%Y%m%d", "datetime": "%Y-%m-%d %H:%M:%S"}


def arrow_schema(entity: str, extras: tuple[str, ...] = ()) -> pa.Schema:
    """Typed schema of one entity's generated rows: contract columns, then the given extras."""
    ent = contract.ENTITY_BY_NAME[entity]
    fields = []
    for col in ent.columns:
        typ = pa.timestamp("s") if (entity, col.name) in TIMESTAMP_COLUMNS else ARROW_TYPES[col.type]
        fields.append(pa.field(col.name, typ))
    fields += [pa.field(x, EXTRA_COLUMNS[x]) for x in extras]
    return pa.schema(fields)


@dataclass(frozen=True)
class Out:
    """One written column: canonical (or extra) column, header text, value style, absent token."""

    column: str
    header: str
    style: str = ""
    absent: str = ""


@dataclass(frozen=True)
class FileSpec:
    entity: str
    fmt: str  # csv | parquet | xlsx
    columns: tuple[Out, ...]
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | gb18030
    quote: bool = False

    @property
    def extras(self) -> tuple[str, ...]:
        names = contract.ENTITY_BY_NAME[self.entity].column_names
        return tuple(o.column for o in self.columns if o.column not in names)

    @property
    def file_name(self) -> str:
        return f"{self.entity}.{self.fmt}"


def _h(entity: str, column: str, how: str) -> str:
    col = contract.ENTITY_BY_NAME[entity].column(column)
    return {"name": col.name, "label": col.label, "code": col.code or col.label}[how]


def _cols(entity: str, how: str, *items: tuple) -> tuple[Out, ...]:
    """Out columns; each item is (column, style[, absent[, header]]), header by `how` unless given."""
    outs = []
    for item in items:
        column, style, absent, header = item + ("", "", "", None)[len(item) :]
        if header is None:
            header = _h(entity, column, how)
        outs.append(Out(column, header, style or "", absent or ""))
    return tuple(outs)


def file_specs(xlsx: bool = True) -> dict[str, FileSpec]:
    """The shape of every entity's file in the demo drop (XLSX only where `xlsx`, else CSV)."""
    specs = [
        FileSpec(
            "subjects",
            "csv",
            _cols(
                "subjects",
                "label",
                ("uscc", ""),
                ("name", "", "", "企业名称"),
                ("status", ""),
                ("established_date", "iso"),
                ("district_code", ""),
                ("industry_code", ""),
                ("closed_date", "iso"),
                ("legal_rep", ""),
            ),
            encoding="utf-8-sig",
        ),
        FileSpec(
            "penalties",
            "csv",
            _cols(
                "penalties",
                "code",
                ("decision_no", ""),
                ("party_name", ""),
                ("party_category", ""),
                ("uscc", ""),
                ("party_id_no", ""),
                ("legal_rep", "", "暂无"),
                ("penalty_kinds", ""),
                ("violation_type", ""),
                ("facts", ""),
                ("basis", ""),
                ("content", ""),
                ("fine_wan_yuan", "", "暂无", "cf_nr_fk"),
                ("decision_date", "slash"),
                ("publicity_end", "slash"),
                ("authority", ""),
                ("authority_uscc", ""),
                ("source_unit", ""),
                ("reported_at", "datetime"),
                ("procedure", ""),
                ("severity", ""),
                ("minor_first_offence", "shifou"),
                ("revoked", "shifou"),
            ),
            quote=True,
        ),
        FileSpec(
            "licenses",
            "csv",
            _cols(
                "licenses",
                "code",
                ("license_no", ""),
                ("decision_doc_no", ""),
                ("party_name", ""),
                ("uscc", ""),
                ("certificate", ""),
                ("license_kind", "", "暂无"),
                ("content", ""),
                ("decision_date", "compact"),
                ("valid_from", "compact"),
                ("valid_to", "compact"),
                ("authority", ""),
                ("authority_uscc", ""),
                ("status", ""),
                ("reported_at", "compact"),
            ),
            encoding="utf-8-sig",
            quote=True,
        ),
        FileSpec(
            "abnormal_operations",
            "csv",
            (
                Out("uscc", "统一社会信用代码"),
                Out("x_subject_name", "企业名称"),
                *_cols(
                    "abnormal_operations",
                    "label",
                    ("listed_date", "cn"),
                    ("listed_reason", ""),
                    ("removed_date", "cn"),
                    ("removed_reason", ""),
                    ("decided_by", ""),
                ),
            ),
            encoding="gb18030",
        ),
        FileSpec(
            "executees",
            "csv",
            _cols(
                "executees",
                "label",
                ("case_no", ""),
                ("party_name", ""),
                ("uscc", ""),
                ("party_id_no", ""),
                ("court", ""),
                ("filed_date", "iso"),
                ("is_dishonest", "shifou", "", "是否失信"),
                ("dishonest_published_date", "iso"),
                ("closed_date", "iso"),
                ("performance", ""),
            ),
        ),
        FileSpec(
            "serious_dishonest",
            "csv",
            _cols(
                "serious_dishonest",
                "name",
                ("uscc", ""),
                ("subject_name", ""),
                ("list_name", ""),
                ("department", ""),
                ("listed_date", "iso"),
                ("removed_date", "iso"),
                ("removed_reason", ""),
            ),
            quote=True,
        ),
        FileSpec(
            "tax_credit",
            "csv",
            (
                Out("uscc", "纳税人识别号"),
                Out("x_subject_name", "纳税人名称"),
                Out("year", "评价年度"),
                Out("grade", "纳税信用级别"),
                Out("published_date", "发布日期", "slash"),
            ),
        ),
        FileSpec(
            "evaluations",
            "parquet",
            _cols(
                "evaluations", "name", ("uscc", ""), ("evaluator", ""), ("eval_date", ""), ("grade", ""), ("score", "")
            ),
        ),
        FileSpec(
            "repairs",
            "csv",
            _cols(
                "repairs",
                "name",
                ("repair_id", ""),
                ("uscc", ""),
                ("record_type", ""),
                ("record_ref", ""),
                ("applied_date", "compact"),
                ("status", ""),
                ("decided_date", "compact"),
            ),
        ),
        FileSpec(
            "objections",
            "csv",
            _cols(
                "objections",
                "name",
                ("objection_id", ""),
                ("uscc", ""),
                ("department", ""),
                ("received_date", "iso"),
                ("answered_date", "iso"),
                ("outcome", ""),
                ("concerns_grading", "10"),
            ),
            quote=True,
        ),
        FileSpec(
            "commitments",
            "csv",
            _cols(
                "commitments",
                "label",
                ("commitment_id", ""),
                ("uscc", ""),
                ("kind", ""),
                ("department", ""),
                ("signed_date", "cn"),
                ("due_date", "cn", "无"),
                ("fulfilment", ""),
            ),
        ),
        FileSpec(
            "loans",
            "xlsx" if xlsx else "csv",
            (
                *_cols("loans", "label", ("loan_id", ""), ("uscc", "")),
                Out("x_subject_name", "企业名称"),
                *_cols(
                    "loans",
                    "label",
                    ("lender", ""),
                    ("amount_wan_yuan", ""),
                    ("due_date", "iso"),
                    ("repaid_date", "iso"),
                    ("buffer_days", "", "", "缓冲期"),
                ),
            ),
        ),
        FileSpec(
            "campaign_lists",
            "csv",
            _cols(
                "campaign_lists",
                "name",
                ("uscc", ""),
                ("campaign", ""),
                ("department", ""),
                ("listed_date", "iso"),
                ("closed_date", "iso"),
            ),
        ),
        FileSpec(
            "disclosure_ledger",
            "csv",
            _cols(
                "disclosure_ledger", "label", ("department", ""), ("month", "month_cn"), ("kind", ""), ("decisions", "")
            ),
            encoding="utf-8-sig",
        ),
        FileSpec(
            "collections",
            "csv",
            (
                Out("department", " department"),
                Out("month", "Month", "month_ym"),
                Out("category", "category"),
                Out("records", " records "),
                Out("subjects_covered", "SUBJECTS_COVERED"),
            ),
            quote=True,
        ),
        FileSpec(
            "city_scores",
            "csv",
            _cols(
                "city_scores",
                "name",
                ("month", "month_ym"),
                ("city", ""),
                ("province", ""),
                ("score", ""),
                ("rank", ""),
                ("rank_in_province", ""),
            ),
        ),
    ]
    return {s.entity: s for s in specs}


def _cn_date(arr: pa.Array, with_day: bool = True) -> pa.Array:
    """YYYY年M月D日 (or YYYY年M月) without zero padding, as office software writes it."""
    parts = [pc.cast(pc.year(arr), pa.string()), "年", pc.cast(pc.month(arr), pa.string()), "月"]
    if with_day:
        parts += [pc.cast(pc.day(arr), pa.string()), "日"]
    return pc.binary_join_element_wise(*parts, "")


def _format_days(days: np.ndarray, style: str) -> pa.Array:
    """Day numbers as text in one style, formatting each distinct day once (dates repeat a lot)."""
    uniq, inverse = np.unique(days, return_inverse=True)
    arr = pa.array(uniq.astype("int32"), pa.int32()).cast(pa.date32())
    if style == "cn":
        labels = _cn_date(arr)
    elif style == "month_cn":
        labels = _cn_date(arr, with_day=False)
    elif style == "month_ym":
        labels = pc.strftime(arr, format="%Y-%m")
    else:
        labels = pc.strftime(arr, format=DATE_STYLES[style or "iso"].replace(" %H:%M:%S", ""))
    return labels.take(pa.array(inverse.ravel()))


def format_column(arr: pa.Array, out: Out) -> pa.Array:
    """One typed column as the strings written to a CSV file."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    typ = arr.type
    style = out.style
    if pa.types.is_date32(typ) or pa.types.is_timestamp(typ):
        valid = arr.is_valid()
        if pa.types.is_timestamp(typ):
            secs = pc.fill_null(arr.cast(pa.int64()), 0).to_numpy()
            days, tod = np.divmod(secs, 86400)
        else:
            days, tod = pc.fill_null(arr.cast(pa.int32()), 0).to_numpy().astype(np.int64), None
        res = _format_days(days, style)
        if style == "datetime":
            uniq, inverse = np.unique(tod if tod is not None else np.zeros(days.size, np.int64), return_inverse=True)
            clock = pc.strftime(pa.array(uniq, pa.timestamp("s")), format="%H:%M:%S")
            res = pc.binary_join_element_wise(res, clock.take(pa.array(inverse.ravel())), " ")
        res = pc.if_else(valid, res, pa.scalar(None, pa.string()))
    elif pa.types.is_boolean(typ):
        yes, no = ("是", "否") if style == "shifou" else ("1", "0")
        res = pc.if_else(arr, yes, no)
    elif pa.types.is_string(typ):
        res = arr
    else:
        res = pc.cast(arr, pa.string())
    if out.absent:
        res = pc.fill_null(res, out.absent)
    return res


class EntityWriter:
    """Appends batches of one entity to its file; `close` finishes it and returns the row count.
    The file is written under a temporary name and renamed when complete."""

    def __init__(self, out_dir: Path, spec: FileSpec, created: dt.datetime) -> None:
        self.spec = spec
        self.path = out_dir / spec.file_name
        self.tmp = out_dir / f".{spec.file_name}.part"
        self.schema = arrow_schema(spec.entity, spec.extras)
        self.rows = 0
        self.created = created
        self._file: BinaryIO | None = None  # the CSV file, open from here to close()
        self._parquet: pq.ParquetWriter | None = None
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._header_written = False
        if spec.fmt == "csv":
            self._file = open(self.tmp, "wb")  # noqa: SIM115 — kept open across batches; close() closes it
            if spec.encoding == "utf-8-sig":
                self._file.write("\ufeff".encode("utf-8"))

    def _encode(self, text_bytes: bytes) -> bytes:
        if self.spec.encoding == "gb18030":
            return text_bytes.decode("utf-8").encode("gb18030")
        return text_bytes

    def table(self, columns: Mapping[str, Sized]) -> pa.Table:
        """A typed table of this entity from column arrays (missing columns are null)."""
        n = None
        for first in columns.values():
            n = len(first)
            break
        arrays = []
        for f in self.schema:
            v = columns.get(f.name)
            arrays.append(
                pa.nulls(n or 0, f.type)
                if v is None
                else pa.array(v, f.type)
                if not isinstance(v, (pa.Array, pa.ChunkedArray))
                else v.cast(f.type)
            )
        return pa.Table.from_arrays(arrays, schema=self.schema)

    def write(self, table: pa.Table) -> None:
        """Append a typed batch; batches are buffered and formatted in large blocks."""
        if table.num_rows == 0:
            return
        table = table.select(self.schema.names).cast(self.schema)
        self.rows += table.num_rows
        self._pending.append(table)
        self._pending_rows += table.num_rows
        if self.spec.fmt != "xlsx" and self._pending_rows >= FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._pending or self.spec.fmt == "xlsx":
            return
        table = pa.concat_tables(self._pending)
        self._pending, self._pending_rows = [], 0
        for start in range(0, table.num_rows, FLUSH_ROWS):
            self._write_block(table.slice(start, FLUSH_ROWS))

    def _write_block(self, table: pa.Table) -> None:
        if self.spec.fmt == "parquet":
            out = pa.table({o.header: table[o.column] for o in self.spec.columns})
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.tmp, out.schema, compression="zstd")
            self._parquet.write_table(out)
        else:
            out = pa.table({o.header: format_column(table[o.column], o) for o in self.spec.columns})
            buf = io.BytesIO()
            assert self._file is not None  # this branch is CSV: _flush skips XLSX
            pcsv.write_csv(
                out,
                buf,
                pcsv.WriteOptions(
                    include_header=not self._header_written, quoting_style="needed" if self.spec.quote else "none"
                ),
            )
            self._file.write(self._encode(buf.getvalue()))
        self._header_written = True

    def write_rows(self, rows: list[dict]) -> None:
        """Typed rows as dicts of canonical column → Python value (planted cases)."""
        if rows:
            self.write(pa.Table.from_pylist(rows, schema=self.schema))

    def write_raw(self, rows: list[dict[str, str]]) -> None:
        """Rows given as the exact strings to write (malformed cases); CSV only."""
        if not rows:
            return
        if self.spec.fmt != "csv":
            raise ValueError(f"raw rows need a CSV file, {self.spec.entity} is {self.spec.fmt}")
        self._flush()
        if not self._header_written:
            raise ValueError("raw rows go after at least one typed batch (the header)")
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL if self.spec.quote else csv.QUOTE_MINIMAL)
        for row in rows:
            unknown = set(row) - {o.column for o in self.spec.columns}
            if unknown:
                raise KeyError(f"{self.spec.entity} raw row has unknown columns {sorted(unknown)}")
            w.writerow([row.get(o.column, "") for o in self.spec.columns])
        assert self._file is not None  # fmt is csv (checked above)
        self._file.write(self._encode(buf.getvalue().encode("utf-8")))
        self.rows += len(rows)

    def close(self) -> tuple[Path, int]:
        self._flush()
        if self.spec.fmt == "csv":
            assert self._file is not None  # opened in __init__ for CSV
            self._file.close()
        elif self.spec.fmt == "parquet":
            if self._parquet is None:
                pq.write_table(
                    pa.table({o.header: pa.array([], self.schema.field(o.column).type) for o in self.spec.columns}),
                    self.tmp,
                )
            else:
                self._parquet.close()
        else:
            self._write_xlsx()
        os.replace(self.tmp, self.path)
        return self.path, self.rows

    def _write_xlsx(self) -> None:
        import xlsxwriter  # noqa: PLC0415 — only the city-scale drop writes XLSX

        wb = xlsxwriter.Workbook(str(self.tmp), {"constant_memory": True})
        wb.set_properties({"title": contract.ENTITY_BY_NAME[self.spec.entity].label, "created": self.created})
        ws = wb.add_worksheet(contract.ENTITY_BY_NAME[self.spec.entity].label)
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        for c, out in enumerate(self.spec.columns):
            ws.write_string(0, c, out.header)
            ws.set_column(c, c, 22 if out.style else 18)
        r = 1
        for table in self._pending:
            cols = [table[o.column].to_pylist() for o in self.spec.columns]
            for values in zip(*cols):
                for c, (_, v) in enumerate(zip(self.spec.columns, values)):
                    if v is None:
                        continue
                    if isinstance(v, dt.date):
                        ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date_fmt)
                    elif isinstance(v, (int, float)) and not isinstance(v, bool):
                        ws.write_number(r, c, v)
                    else:
                        ws.write_string(r, c, str(v))
                r += 1
        wb.close()
