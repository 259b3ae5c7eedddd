"""Operating-system errors told in Chinese: what happened, to which path, and what to do.

A disk that is full, a folder the account may not write, a read-only file system or a path through
a regular file reached the office as raw English ("[Errno 28] No space left on device") after
装载出错, or as a traceback. `describe` turns such an error — a Python OSError, or an error of a
library that only carries the system's message in its text (DuckDB's IO Error) — into one
sentence naming the path and the fix; the command line and the load report use it.
"""

from __future__ import annotations

import errno
import re

# errno → (what happened, what to do); {path} is the path concerned.
_KNOWN: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("磁盘空间已满，无法写入{path}", "请清理该磁盘（如删除旧的快照或日志）或扩容后重试"),
    errno.EDQUOT: ("磁盘配额已用尽，无法写入{path}", "请清理该账户的文件或提高配额后重试"),
    errno.EACCES: (
        "没有权限访问{path}",
        "请检查该路径的所有者与权限（运行本程序的账户需要读写权限），或改用有权限的路径",
    ),
    errno.EPERM: ("操作系统不允许对{path}执行此操作", "请检查该路径的所有者、权限与文件属性，或改用其他路径"),
    errno.EROFS: (
        "{path}所在的文件系统是只读的",
        "请改用可写的路径（如设置 DASHBOARD_DATA_DIR），或将该文件系统以读写方式挂载",
    ),
    errno.ENOTDIR: ("路径{path}中有一段不是目录（是普通文件）", "请检查路径是否写错，或改用一个目录"),
    errno.ENOENT: ("找不到{path}", "请检查路径是否写错、目录是否存在"),
    errno.EISDIR: ("{path}是目录，不是文件", "请指定一个文件名"),
    errno.EEXIST: ("{path}已存在，且类型不符", "请检查该路径，或改用其他路径"),
}
# The system's own wording, for errors that carry only a message (DuckDB's "IO Error: …").
_MESSAGES = {
    "No space left on device": errno.ENOSPC,
    "Disk quota exceeded": errno.EDQUOT,
    "Permission denied": errno.EACCES,
    "Operation not permitted": errno.EPERM,
    "Read-only file system": errno.EROFS,
    "Not a directory": errno.ENOTDIR,
}
_QUOTED_PATH = re.compile(r"""["'](/[^"']+)["']""")


def _code_of(exc: BaseException) -> int | None:
    if isinstance(exc, OSError) and exc.errno in _KNOWN:
        return exc.errno
    text = str(exc)
    return next((code for message, code in _MESSAGES.items() if message in text), None)


def _path_of(exc: BaseException, code: int) -> str | None:
    if isinstance(exc, OSError):
        # shutil's copies name the source first and the destination second: a full disk is the
        # destination's
        if code in (errno.ENOSPC, errno.EDQUOT) and exc.filename2 is not None:
            return str(exc.filename2)
        if exc.filename is not None:
            return str(exc.filename)
    found = _QUOTED_PATH.search(str(exc))
    return found.group(1) if found else None


def with_path(exc: OSError, path: object) -> OSError:
    """The same error naming `path` (a write to an open file reports no file name)."""
    if exc.filename is not None:
        return exc
    return type(exc)(exc.errno, exc.strerror, str(path))


def describe(exc: BaseException) -> str | None:
    """The Chinese sentence for a known operating-system error (with its path and the fix), or
    None when `exc` is not one."""
    code = _code_of(exc)
    if code is None:
        return None
    what, fix = _KNOWN[code]
    path = _path_of(exc, code)
    return f"{what.format(path=f'“{path}”' if path else '目标路径')}：{fix}"
