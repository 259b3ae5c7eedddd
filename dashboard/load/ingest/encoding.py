"""CSV text encodings: UTF-8 (with or without BOM) or GB18030/GBK, decided by strict decoding.

A file is UTF-8 when every byte decodes as UTF-8; otherwise GB18030 when every byte decodes as
GB18030 (a superset of GBK and GB2312); otherwise it is refused. Nothing is ever decoded with
replacement characters, so a wrong guess cannot slip through silently. The CSV reader lets
DuckDB do the UTF-8 check of the whole file (it refuses invalid UTF-8 strictly, surrogates and
overlong forms included) and comes here only for the head of the file and the GB18030 fallback.
"""

from __future__ import annotations

import codecs
from pathlib import Path

UTF8, GB18030 = "utf-8", "gb18030"
CHUNK_BYTES = 16 << 20
BOM = codecs.BOM_UTF8


class Undecodable(Exception):
    """The file is neither valid UTF-8 nor valid GB18030."""


def head_is_utf8(path: Path, max_bytes: int = 1 << 20) -> bool:
    """Whether the first `max_bytes` decode as UTF-8 (a sequence cut at the end is allowed)."""
    with open(path, "rb") as f:
        data = f.read(max_bytes)
    try:
        codecs.getincrementaldecoder(UTF8)("strict").decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def transcode_to_utf8(path: Path, target: Path, encoding: str = GB18030) -> None:
    """Stream `path` (in `encoding`) into `target` as UTF-8, chunk by chunk; strict decoding
    (raises Undecodable, leaving a partial `target` for the caller's temporary folder)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    first = True
    with open(path, "rb") as src, open(target, "w", encoding=UTF8, newline="") as dst:
        try:
            while chunk := src.read(CHUNK_BYTES):
                text = decoder.decode(chunk)
                if first:
                    text = text.lstrip("\ufeff")  # a GB18030 BOM decodes to U+FEFF
                    first = False
                dst.write(text)
            dst.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            raise Undecodable(str(path)) from None


def head_text(path: Path, encoding: str, max_bytes: int = 1 << 20) -> str:
    """The beginning of a file as text (enough for the header line), BOM removed."""
    with open(path, "rb") as f:
        data = f.read(max_bytes)
    text = codecs.getincrementaldecoder(encoding)("replace").decode(data)
    return text.lstrip("\ufeff")
