"""Readers: put one source's rows, as text, into the temporary table `_ingest_src`.

Whatever the format, `_ingest_src` has one VARCHAR column per source column, named c0, c1, …
in source order (so no name from a file ever becomes a SQL identifier), and the reader says how
to compute the row number a person sees (CSV: header = line 1, first data row = 2; XLSX: the
sheet row; Parquet and SQL: the 1-based row). CSV and Parquet are read by DuckDB itself;
XLSX and SQL sources are fetched row by row in chunks, which is fine at their scale.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import python_calamine

from dashboard.core import contract, reasons
from dashboard.load.ingest import encoding
from dashboard.load.ingest.model import FILE, SQL, EntitySource, IngestError, SourceUnavailable

if TYPE_CHECKING:
    from sqlalchemy import Engine  # imported where used: heavy, and only database sources need it

SRC_TABLE = "_ingest_src"
CHUNK_ROWS = 50_000
CSV_DELIMITERS = (",", "\t", ";", "|")
HEADER_SEARCH_ROWS = 20  # XLSX: rows searched for the header (title rows above it are common)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SELECT = re.compile(r"\s*(\(\s*)*(select|with)\b", re.IGNORECASE)


REJECTS_TABLE = "_ingest_rejects"  # rows a reader could not split into fields (see Reject)
CSV_REJECTS, CSV_REJECTS_SCAN = "_ingest_csv_rejects", "_ingest_csv_rejects_scan"
MIN_LINE_BYTES = 2 << 20  # DuckDB's own default line limit; a CSV line may be twice max_field_bytes
# DuckDB's error types of a rejected CSV line → quarantine reason code (dashboard.core.reasons).
CSV_ERROR_CODES = {
    "MISSING COLUMNS": "csv_columns",
    "TOO MANY COLUMNS": "csv_columns",
    "UNQUOTED VALUE": "csv_quote",
    "LINE SIZE OVER MAXIMUM": "field_too_long",
}
ORIGINAL_CHARS = 2000  # of a rejected line kept in quarantine (a 10 MB line is not copied whole)


@dataclass(frozen=True)
class Extract:
    """What a reader left in `_ingest_src`: the original headers (column i is `c{i}`) and the SQL
    expression, over `_ingest_src`, of each row's person-visible number. Rows the reader could not
    split into fields are in REJECTS_TABLE (row_no, code, detail, original) when `rejects` is set."""

    headers: list[str]
    row_no_sql: str
    rejects: bool = False


def read(
    con: duckdb.DuckDBPyConnection,
    source: EntitySource,
    tmp_dir: Path,
    say: Callable[[str], None],
    max_field_bytes: int = 1 << 20,
) -> Extract:
    """Read `source` into `_ingest_src`. Raises IngestError (unusable source, Chinese message)
    or SourceUnavailable (database unreachable). A CSV line longer than twice `max_field_bytes`
    is rejected as it is read; longer fields of any reader are quarantined by the pipeline."""
    if source.kind == FILE:
        if source.path is None:
            raise IngestError(reasons.ERR_READ.format(name=source.display_name, reason=reasons.ERR_NOT_FOUND))
        path = Path(source.path)
        name = source.display_name
        if not path.is_file():
            raise IngestError(reasons.ERR_READ.format(name=name, reason=reasons.ERR_NOT_FOUND))
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return read_csv(con, path, name, tmp_dir, say, source.entity, max_field_bytes)
        if suffix == ".xlsx":
            return read_xlsx(con, path, name, source.entity)
        if suffix == ".parquet":
            return read_parquet(con, path, name)
        raise IngestError(reasons.ERR_READ.format(name=name, reason=reasons.ERR_FORMAT))
    if source.kind == SQL:
        return read_sql(con, source)
    raise ValueError(f"unknown source kind {source.kind!r}")


# --- CSV -------------------------------------------------------------------------------------


def _sniff_delimiter(first_line: str) -> str:
    """The candidate delimiter occurring most often outside quotes in the header line (',' on ties)."""
    counts = dict.fromkeys(CSV_DELIMITERS, 0)
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(CSV_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _parse_line(line: str, delim: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(line), delimiter=delim, quotechar='"'))
    except (StopIteration, csv.Error):
        return []


def _csv_header(path: Path, enc: str, entity: str | None = None) -> tuple[list[str], str, int]:
    """The header cells, the delimiter and the number of lines above the header. The header is the
    first of the first HEADER_SEARCH_ROWS lines that names a column of the entity (title lines
    above it are skipped, as in XLSX), else the first line."""
    head = encoding.head_text(path, enc)
    lines = head.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    if entity is not None:
        known = contract.header_map(contract.ENTITY_BY_NAME[entity])
        for k, line in enumerate(lines):
            delim = _sniff_delimiter(line)
            cells = _parse_line(line.rstrip("\r"), delim)
            if any(contract.lookup_header(known, c) for c in cells if c.strip()):
                return cells, delim, k
    first_line = lines[0] if lines else ""
    delim = _sniff_delimiter(first_line)
    return _parse_line(head, delim), delim, 0


def read_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    tmp_dir: Path,
    say: Callable[[str], None],
    entity: str | None = None,
    max_field_bytes: int = 1 << 20,
) -> Extract:
    """CSV in UTF-8, UTF-8 with BOM or GB18030/GBK (see dashboard.load.ingest.encoding); DuckDB
    parses it, and checks it is UTF-8 on the way: only a file it refuses is tried as GB18030.
    Lines that cannot be split into the header's fields (wrong count, unbalanced quote, over the
    line limit) are left in REJECTS_TABLE with their line numbers; the other lines load."""
    if path.stat().st_size == 0:
        raise IngestError(reasons.ERR_READ.format(name=name, reason=reasons.ERR_EMPTY))
    max_line = max(MIN_LINE_BYTES, 2 * max_field_bytes)
    if encoding.head_is_utf8(path):
        try:
            return _duckdb_csv(con, path, name, entity, max_line)
        except _NotUtf8:
            pass
    say(f"{name}：不是 UTF-8 编码，按 GB18030 转换")
    data_path = tmp_dir / "transcoded.csv"
    try:
        encoding.transcode_to_utf8(path, data_path, encoding.GB18030)
    except encoding.Undecodable:
        raise IngestError(reasons.ERR_READ.format(name=name, reason=reasons.ERR_ENCODING)) from None
    try:
        return _duckdb_csv(con, data_path, name, entity, max_line)
    except _NotUtf8:  # cannot happen for a file just written as UTF-8; refuse rather than guess
        raise IngestError(reasons.ERR_READ.format(name=name, reason=reasons.ERR_ENCODING)) from None


class _NotUtf8(Exception):
    pass


def _duckdb_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str, entity: str | None, max_line: int) -> Extract:
    header, delim, skip = _csv_header(path, encoding.UTF8, entity)
    if not header or not any(h.strip() for h in header):
        raise IngestError(reasons.ERR_READ.format(name=name, reason=reasons.ERR_NO_HEADER))
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    for table in (CSV_REJECTS, CSV_REJECTS_SCAN):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
    sql = (
        f"CREATE OR REPLACE TEMP TABLE {SRC_TABLE} AS SELECT * FROM read_csv($path, header = true, "
        f"skip = {int(skip)}, delim = $delim, quote = '\"', escape = '\"', auto_detect = false, "
        f"columns = {columns}, strict_mode = true, max_line_size = {int(max_line)}, "
        f"store_rejects = true, rejects_table = '{CSV_REJECTS}', rejects_scan = '{CSV_REJECTS_SCAN}')"
    )
    try:
        con.execute(sql, {"path": str(path), "delim": delim})
    except duckdb.Error as exc:
        if "Invalid unicode" in str(exc):
            raise _NotUtf8() from None
        detail = str(exc).strip().splitlines()[0][:300]
        raise IngestError(reasons.ERR_READ.format(name=name, reason=reasons.ERR_CSV.format(detail=detail))) from None
    first_line = skip + 2  # lines above the header, the header, then the first data line
    rejected = con.execute(
        f"""SELECT line, error_type, csv_line FROM {CSV_REJECTS}
        QUALIFY row_number() OVER (PARTITION BY line ORDER BY column_idx) = 1 ORDER BY line"""
    ).fetchall()
    for table in (CSV_REJECTS, CSV_REJECTS_SCAN):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
    if not rejected:
        return Extract(headers=header, row_no_sql=f"rowid + {first_line}")
    if any(error_type in ("INVALID UNICODE", "INVALID ENCODING") for _, error_type, _ in rejected):
        raise _NotUtf8()
    return _with_rejects(con, header, delim, first_line, rejected, max_line)


def _with_rejects(
    con: duckdb.DuckDBPyConnection,
    header: list[str],
    delim: str,
    first_line: int,
    rejected: list[tuple[int, str, str]],
    max_line: int,
) -> Extract:
    """Number the accepted rows by their file line (each rejected line shifts the ones after it)
    and keep the rejected lines in REJECTS_TABLE. DuckDB reads everything after an unterminated
    quote as one value: those following lines are read again one by one, so only the broken line
    is lost to quarantine."""
    ncols = len(header)
    rejects: list[tuple[int, str, str, str]] = []
    recovered: list[tuple[int, list[str]]] = []
    skipped: list[int] = []  # file lines not in _ingest_src, in order
    for line_no, error_type, csv_line in rejected:
        code = CSV_ERROR_CODES.get(error_type, "csv_columns")
        lines = (csv_line or "").strip("\r\n").split("\n")
        if len(lines) > 1:  # a quote swallowed the lines after it (closing later, or never)
            lines = [x.rstrip("\r") for x in lines]
            rejects.append((line_no, "csv_quote", "", lines[0][:ORIGINAL_CHARS]))
            skipped.append(line_no)
            for k, text in enumerate(lines[1:], start=1):
                if not text.strip():
                    skipped.append(line_no + k)
                    continue
                cells = _parse_line(text, delim) if '"' not in text or text.count('"') % 2 == 0 else None
                if cells is not None and len(cells) == ncols and len(text.encode()) <= max_line:
                    recovered.append((line_no + k, cells))
                else:
                    reason = "csv_quote" if cells is None else "csv_columns"
                    rejects.append((line_no + k, reason, "", text[:ORIGINAL_CHARS]))
                skipped.append(line_no + k)
            continue
        text = lines[0].rstrip("\r")
        found = len(_parse_line(text, delim)) if code == "csv_columns" else 0
        detail = f"应有 {ncols} 列，实有 {found} 列" if code == "csv_columns" else ""
        rejects.append((line_no, code, detail, text[:ORIGINAL_CHARS]))
        skipped.append(line_no)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {REJECTS_TABLE} (row_no BIGINT, code VARCHAR, detail VARCHAR, original VARCHAR)"
    )
    con.executemany(f"INSERT INTO {REJECTS_TABLE} VALUES (?, ?, ?, ?)", [list(r) for r in rejects])
    # Row i of the table (rowid order) is the i-th file line from first_line that was not skipped.
    con.execute(f"ALTER TABLE {SRC_TABLE} ADD COLUMN _row_no BIGINT")
    con.execute("CREATE OR REPLACE TEMP TABLE _ingest_skipped (line BIGINT, k BIGINT)")
    con.executemany("INSERT INTO _ingest_skipped VALUES (?, ?)", [[n, k] for k, n in enumerate(sorted(skipped))])
    # The i-th accepted row sits on line first_line + i + (skipped lines before it): a skipped line
    # at position k shifts every row from index (line - first_line - k) on.
    con.execute(
        f"""UPDATE {SRC_TABLE} SET _row_no = rowid + {int(first_line)}
            + (SELECT count(*) FROM _ingest_skipped s WHERE s.line - {int(first_line)} - s.k <= {SRC_TABLE}.rowid)"""
    )
    con.execute("DROP TABLE temp._ingest_skipped")
    if recovered:
        _append(con, [cells for _, cells in recovered], ncols, [n for n, _ in recovered])
    return Extract(headers=header, row_no_sql="_row_no", rejects=True)


# --- Parquet ---------------------------------------------------------------------------------


def read_parquet(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> Extract:
    """Parquet via DuckDB; every column cast to VARCHAR (dates come out ISO)."""
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)}).fetchall()
        headers = [row[0] for row in described]
        cols = ", ".join(f"c{i} VARCHAR" for i in range(len(headers)))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {SRC_TABLE} ({cols})")
        # Positional insert: the file's column names never enter the SQL text.
        con.execute(f"INSERT INTO {SRC_TABLE} SELECT COLUMNS(*)::VARCHAR FROM read_parquet($path)", {"path": str(path)})
    except duckdb.Error as exc:
        detail = str(exc).strip().splitlines()[0][:300]
        raise IngestError(
            reasons.ERR_READ.format(name=name, reason=reasons.ERR_PARQUET.format(detail=detail))
        ) from None
    return Extract(headers=headers, row_no_sql="rowid + 1")


# --- Python-fetched rows (XLSX, SQL) ---------------------------------------------------------


def cell_text(value: Any) -> str | None:
    """A cell or database value as the text a CSV export would carry (dates ISO, 12.0 → "12")."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _create_src(con: duckdb.DuckDBPyConnection, ncols: int, with_row_no: bool) -> None:
    cols = [f"c{i} VARCHAR" for i in range(ncols)]
    if with_row_no:
        cols.append("_row_no BIGINT")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SRC_TABLE} ({', '.join(cols)})")


def _append(
    con: duckdb.DuckDBPyConnection,
    rows: Sequence[Sequence[str | None]],
    ncols: int,
    row_nos: Sequence[int] | None = None,
) -> None:
    """Append text rows to `_ingest_src` through an Arrow table (one INSERT per chunk)."""
    if not rows:
        return
    arrays = {f"c{i}": pa.array([r[i] if i < len(r) else None for r in rows], pa.string()) for i in range(ncols)}
    if row_nos is not None:
        arrays["_row_no"] = pa.array(row_nos, pa.int64())
    chunk = pa.table(arrays)  # noqa: F841  (scanned by name below)
    con.register("_ingest_chunk", chunk)
    try:
        con.execute(f"INSERT INTO {SRC_TABLE} SELECT * FROM _ingest_chunk")
    finally:
        con.unregister("_ingest_chunk")


# --- XLSX ------------------------------------------------------------------------------------


def _pick_sheet(sheet_names: Sequence[str], entity: str) -> str:
    """The sheet named after the entity (or its Chinese label), else the first sheet."""
    wanted = {entity.lower(), contract.ENTITY_BY_NAME[entity].label}
    for title in sheet_names:
        if title.strip().lower() in wanted or title.strip() in wanted:
            return title
    return sheet_names[0]


def _merged_ranges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of every merged range of the sheet, 1-based (the
    reader reports them 0-based as ((row, col), (row, col)))."""
    ranges = sheet.merged_cell_ranges or []
    return [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in ranges]


def _sheet_rows(sheet: Any) -> Iterable[tuple[int, list[str | None]]]:
    """(sheet row number, cell texts from column A) of every row of the sheet; an empty cell is
    None. The grid is read from A1 (skip_empty_area=False), so positions are the sheet's own."""
    for n, row in enumerate(sheet.to_python(skip_empty_area=False), start=1):
        yield n, [None if v == "" else cell_text(v) for v in row]


def _fill_merged(
    rows: Iterable[tuple[int, list[str | None]]], merged: list[tuple[int, int, int, int]]
) -> Iterable[tuple[int, list[str | None]]]:
    """Give every cell of a merged range the value of its first cell (read-only sheets leave the
    others empty): a vertically merged 处罚机关 or 主体名称 fills each row it spans."""
    if not merged:
        yield from rows
        return
    by_row: dict[int, list[tuple[int, int, int, int]]] = {}
    for rng in merged:
        for r in range(rng[0], rng[2] + 1):
            by_row.setdefault(r, []).append(rng)
    first_values: dict[tuple[int, int], str | None] = {}
    for n, texts in rows:
        for min_row, min_col, _max_row, max_col in by_row.get(n, ()):
            if n == min_row:
                first_values[(min_row, min_col)] = texts[min_col - 1] if min_col - 1 < len(texts) else None
            value = first_values.get((min_row, min_col))
            if len(texts) < max_col:
                texts.extend([None] * (max_col - len(texts)))
            for c in range(min_col, max_col + 1):
                if (n, c) != (min_row, min_col):
                    texts[c - 1] = value
        yield n, texts


def _two_level_header(
    top: list[str | None], below: list[str | None], top_row: int, merged: list[tuple[int, int, int, int]], known: Any
) -> list[str] | None:
    """A two-row header (a group cell merged across the columns of its sub-headers): one label
    per column, the group and the sub-header joined ("行政相对人" + "名称"), or the sub-header alone
    when only it names a column; None when the header has one row."""
    groups = [m for m in merged if m[0] == top_row and m[2] == top_row and m[3] > m[1]]
    if not groups or not any(t is not None and t.strip() for t in below):
        return None
    grouped = {c for _, min_col, _, max_col in groups for c in range(min_col, max_col + 1)}
    width = max(len(top), len(below))
    labels = []
    for c in range(1, width + 1):
        upper = (top[c - 1] if c - 1 < len(top) else None) or ""
        lower = (below[c - 1] if c - 1 < len(below) else None) or ""
        if c not in grouped or not lower.strip() or lower.strip() == upper.strip():
            labels.append(upper or lower)
            continue
        joined = upper.strip() + lower.strip()
        bracketed = f"{upper.strip()}({lower.strip()})"
        candidates = [joined, bracketed, lower.strip()]
        labels.append(next((x for x in candidates if contract.lookup_header(known, x)), joined))
    return labels


def read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, name: str, entity: str) -> Extract:
    """XLSX through calamine (cached formula values; a compiled reader, about eight times
    openpyxl's speed). The header is the first row,
    among the first HEADER_SEARCH_ROWS non-empty ones, that names a column of the entity (so a
    title row above the table is skipped), else the first non-empty row; a two-row header with
    merged group cells is joined into one label per column; merged cells give every cell they
    span their first cell's value. Excel date cells become ISO dates; row numbers are sheet rows;
    empty rows are skipped."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_name(_pick_sheet(workbook.sheet_names, entity))
        merged = _merged_ranges(sheet)
    except (python_calamine.CalamineError, ValueError, OSError, TypeError, IndexError) as exc:
        raise IngestError(
            reasons.ERR_READ.format(name=name, reason=reasons.ERR_XLSX.format(detail=type(exc).__name__))
        ) from None
    try:
        rows = _fill_merged(_sheet_rows(sheet), merged)
        rows = ((n, texts) for n, texts in rows if any(t is not None and t.strip() for t in texts))
        head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
        if not head:
            raise IngestError(reasons.ERR_READ.format(name=name, reason=reasons.ERR_NO_HEADER))
        known = contract.header_map(contract.ENTITY_BY_NAME[entity])
        at = next(
            (
                k
                for k, (_, texts) in enumerate(head)
                if any(t is not None and contract.lookup_header(known, t) for t in texts)
            ),
            0,
        )
        texts = head[at][1]
        data_from = at + 1
        if at + 1 < len(head):
            labels = _two_level_header(texts, head[at + 1][1], head[at][0], merged, known)
            if labels is not None:
                texts, data_from = list(labels), at + 2
        while texts and (texts[-1] is None or not texts[-1].strip()):
            texts.pop()
        header = [t or "" for t in texts]
        ncols = len(header)
        _create_src(con, ncols, with_row_no=True)
        batch: list[list[str | None]] = []
        numbers: list[int] = []
        for row_no, values in itertools.chain(head[data_from:], rows):
            batch.append(values[:ncols])
            numbers.append(row_no)
            if len(batch) >= CHUNK_ROWS:
                _append(con, batch, ncols, numbers)
                batch, numbers = [], []
        _append(con, batch, ncols, numbers)
    except python_calamine.CalamineError as exc:
        raise IngestError(
            reasons.ERR_READ.format(name=name, reason=reasons.ERR_XLSX.format(detail=type(exc).__name__))
        ) from None
    finally:
        workbook.close()
    return Extract(headers=header, row_no_sql="_row_no")


# --- SQL sources -----------------------------------------------------------------------------


def _redact(message: str, url: Any) -> str:
    password = getattr(url, "password", None)
    if password:
        message = message.replace(str(password), "***")
    return message.strip().splitlines()[0][:300] if message.strip() else ""


def _db_message(exc: BaseException, url: Any) -> str:
    """The driver's own first line (never the URL's password, never SQLAlchemy's help link)."""
    orig = getattr(exc, "orig", None)
    return _redact(str(orig if orig is not None else exc), url) or type(exc).__name__


def _select_text(source: EntitySource, engine: Engine) -> str:
    if source.table:
        parts = source.table.split(".")
        if not 1 <= len(parts) <= 2 or not all(_IDENT.fullmatch(p) for p in parts):
            raise IngestError(reasons.ERR_DB_TABLE.format(table=source.table))
        quote = engine.dialect.identifier_preparer.quote
        return "SELECT * FROM " + ".".join(quote(p) for p in parts)
    query = (source.query or "").strip().rstrip(";")
    if not _SELECT.match(query) or ";" in query:
        raise IngestError(reasons.ERR_DB_QUERY)
    return query


def read_sql(con: duckdb.DuckDBPyConnection, source: EntitySource) -> Extract:
    """A table or SELECT behind a SQLAlchemy URL, streamed in chunks; values become text.
    Connection failures raise SourceUnavailable (retryable); a failing query is an IngestError."""
    import sqlalchemy as sa  # noqa: PLC0415 — heavy; only database sources need it
    from sqlalchemy.pool import NullPool  # noqa: PLC0415 — as above

    name = source.display_name
    try:
        url = sa.engine.make_url(source.url or "")
    except sa.exc.ArgumentError:
        raise IngestError(reasons.ERR_DB_CONNECT.format(name=name, detail="连接串格式错误")) from None
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("psycopg2", "psycopg2cffi", ""):
        connect_args["connect_timeout"] = 10
    try:
        engine = sa.create_engine(url, poolclass=NullPool, connect_args=connect_args)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise IngestError(reasons.ERR_DB_CONNECT.format(name=name, detail=type(exc).__name__)) from None
    try:
        statement = _select_text(source, engine)
        try:
            conn = engine.connect()
        except Exception as exc:  # any failure to open a connection is worth a retry
            raise SourceUnavailable(reasons.ERR_DB_CONNECT.format(name=name, detail=_db_message(exc, url))) from None
        with conn:
            try:
                result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(sa.text(statement))
                headers = [str(k) for k in result.keys()]  # noqa: SIM118 — a Result iterates rows, keys() its columns
                _create_src(con, len(headers), with_row_no=False)
                for part in result.partitions(CHUNK_ROWS):
                    _append(con, [[cell_text(v) for v in row] for row in part], len(headers))
            except sa.exc.DBAPIError as exc:
                if exc.connection_invalidated:
                    raise SourceUnavailable(
                        reasons.ERR_DB_CONNECT.format(name=name, detail=_db_message(exc, url))
                    ) from None
                raise IngestError(reasons.ERR_DB_READ.format(name=name, detail=_db_message(exc, url))) from None
            except sa.exc.SQLAlchemyError as exc:
                raise IngestError(reasons.ERR_DB_READ.format(name=name, detail=_db_message(exc, url))) from None
    finally:
        engine.dispose()
    return Extract(headers=headers, row_no_sql="rowid + 1")


def iter_drop_files(drop_dir: Path) -> Iterable[Path]:
    """Visible regular files directly inside a drop folder, by name."""
    return sorted(
        (p for p in Path(drop_dir).iterdir() if p.is_file() and not p.name.startswith(".")), key=lambda p: p.name
    )
