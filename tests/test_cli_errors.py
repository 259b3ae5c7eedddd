"""Every command-line error in Chinese (dashboard/cli/arguments.py, dashboard/core/os_errors.py):
bad arguments give `参数错误：…` with the command's expected form and exit 2; operating-system
errors — a full disk, no permission, a read-only file system, a path through a regular file — a
sentence naming the path and the fix, exit 1; a traceback only with --debug.

The OS errors are raised for real: /dev/full for a full disk on a write, /sys for a permission
refused, a file path under a regular file, and — where the tests may mount one (root) — a tiny
tmpfs that a load and DuckDB really fill. EPERM and a read-only file system are checked on the
translation function with OSError instances (no way to provoke them portably here)."""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from loadkit import cli, isolate, scalar, subjects_drop

from dashboard.cli import arguments
from dashboard.cli.main import build_parser, main
from dashboard.core import os_errors
from dashboard.load import loading
from dashboard.store import runs, snapshots
from dashboard.store.opstore import get_engine

BAD_DATE = "../../etc/passwd"


def leaf_commands() -> list[tuple[list[str], argparse.ArgumentParser]]:
    """Every command of the command line (subcommands included) with its parser."""
    out = []

    def walk(prefix: list[str], parser: argparse.ArgumentParser) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            out.append((prefix, parser))
        for action in subs:
            for name, child in action.choices.items():
                walk([*prefix, name], child)

    walk([], build_parser())
    return out


LEAVES = leaf_commands()
DATED = [(cmd, a.option_strings[0]) for cmd, p in LEAVES for a in p._actions if a.type is arguments.iso_date]
REQUIRED = [cmd for cmd, p in LEAVES if any(a.required for a in p._actions) or p._mutually_exclusive_groups]


def usage_error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("参数错误："), err
    assert "usage:" not in err and "error:" not in err and "Traceback" not in err
    return err


def test_every_date_argument_is_checked_by_iso_date():
    assert ("indicators", "--as-of") in [(c[0], o) for c, o in DATED]
    assert {c[0] for c, _ in DATED} >= {"indicators", "warnings", "spotcheck", "profile", "audit", "demo", "bench"}


@pytest.mark.parametrize("command, option", DATED, ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_a_bad_date_names_the_expected_form(capsys, command, option):
    err = usage_error(capsys, [*command, option, BAD_DATE])
    assert f"参数 {option}：日期“{BAD_DATE}”无效，应为 YYYY-MM-DD 形式的日期" in err
    assert f"用法：python -m dashboard {' '.join(command)}" in err


@pytest.mark.parametrize("command", [c for c, p in LEAVES if c != ["serve"]], ids=" ".join)
def test_an_unknown_option_is_refused_in_chinese(capsys, command, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "data"))
    err = usage_error(capsys, [*command, "--no-such-option"])
    assert "无法识别的参数：--no-such-option" in err or "缺少必需的参数" in err or "必须给出以下参数之一" in err
    assert f"用法：python -m dashboard {' '.join(command)}" in err


@pytest.mark.parametrize("command", REQUIRED, ids=" ".join)
def test_a_missing_required_argument_is_named(capsys, command):
    err = usage_error(capsys, command)
    assert "缺少必需的参数：" in err or "必须给出以下参数之一：" in err
    assert f"用法：python -m dashboard {' '.join(command)}" in err


def test_no_command_an_unknown_command_and_a_bad_choice(capsys):
    assert "缺少必需的参数：COMMAND" in usage_error(capsys, [])
    assert "参数 COMMAND：无效的取值 'nosuch'（可选：'demo', 'load'" in usage_error(capsys, ["nosuch"])
    assert "参数 --mode：无效的取值 'half'（可选：'full', 'incremental'）" in usage_error(
        capsys, ["load", "x", "--mode", "half"]
    )
    assert "参数 --runs：无效的取值 'many'" in usage_error(capsys, ["status", "--runs", "many"])
    assert "参数 --as-of：需要一个值" in usage_error(capsys, ["indicators", "--as-of"])


def test_the_probe_gives_no_traceback_in_a_real_process(monkeypatch, tmp_path):
    isolate(monkeypatch, tmp_path)
    done = cli("indicators", "--as-of", BAD_DATE)
    assert done.returncode == 2
    assert done.stderr.startswith(f"参数错误：参数 --as-of：日期“{BAD_DATE}”无效，应为 YYYY-MM-DD")
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_help_is_chinese():
    text = build_parser().format_help()
    assert text.startswith("用法：python -m dashboard") and "显示本帮助并退出" in text and "选项" in text


# --- operating-system errors -------------------------------------------------------------------


def test_translation_of_real_os_errors(tmp_path):
    with pytest.raises(PermissionError) as refused:  # sysfs refuses new files, even to root
        open("/sys/dashboard-test.csv", "w")  # noqa: SIM115
    assert os_errors.describe(refused.value) == (
        "没有权限访问“/sys/dashboard-test.csv”：请检查该路径的所有者与权限（运行本程序的账户需要读写权限），或改用有权限的路径"
    )
    regular = tmp_path / "regular"
    regular.write_text("x")
    with pytest.raises(NotADirectoryError) as not_dir:
        (regular / "x.csv").write_text("x")
    assert os_errors.describe(not_dir.value).startswith(f"路径“{regular / 'x.csv'}”中有一段不是目录")
    with pytest.raises(OSError) as full, open("/dev/full", "wb") as f:
        f.write(b"x")
        f.flush()
    assert full.value.errno == errno.ENOSPC
    assert os_errors.describe(os_errors.with_path(full.value, "/dev/full")) == (
        "磁盘空间已满，无法写入“/dev/full”：请清理该磁盘（如删除旧的快照或日志）或扩容后重试"
    )
    # Not provoked here (root may do anything; no read-only mount): instances of the real classes.
    assert os_errors.describe(PermissionError(errno.EPERM, os.strerror(errno.EPERM), "/data/x")).startswith(
        "操作系统不允许对“/data/x”执行此操作"
    )
    assert os_errors.describe(OSError(errno.EROFS, os.strerror(errno.EROFS), "/mnt/ro/x")).startswith(
        "“/mnt/ro/x”所在的文件系统是只读的：请改用可写的路径"
    )
    assert os_errors.describe(ValueError("not an OS error")) is None


@pytest.mark.parametrize(
    "out, expected",
    [
        ("/dev/full", "错误：磁盘空间已满，无法写入“/dev/full”：请清理该磁盘"),
        ("/sys/audit-export.csv", "错误：没有权限访问“/sys/audit-export.csv”：请检查该路径的所有者与权限"),
        ("{tmp}/regular/audit.csv", "错误：路径“{tmp}/regular/audit.csv”中有一段不是目录"),
    ],
    ids=["disk-full", "permission", "not-a-directory"],
)
def test_cli_os_errors_are_chinese_with_the_path_and_exit_1(monkeypatch, tmp_path, out, expected):
    isolate(monkeypatch, tmp_path)
    (tmp_path / "regular").write_text("x")
    done = cli("audit", "export", "--out", out.format(tmp=tmp_path))
    assert done.returncode == 1
    assert expected.format(tmp=tmp_path) in done.stderr
    assert "Traceback" not in done.stderr and "Errno" not in done.stderr
    debug = cli("--debug", "audit", "export", "--out", out.format(tmp=tmp_path))
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_a_data_folder_under_a_regular_file_is_told_in_chinese(monkeypatch, tmp_path):
    isolate(monkeypatch, tmp_path)
    (tmp_path / "regular").write_text("x")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "regular" / "data"))
    done = cli("load", str(subjects_drop(tmp_path / "drop", 1)))
    assert done.returncode == 1
    assert f"错误：路径“{tmp_path / 'regular' / 'data' / 'warehouse'}”中有一段不是目录" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture
def tiny_tmpfs():
    """mount(path, size): a tmpfs of that size on `path` (skipped where mounting is not allowed);
    unmounted afterwards."""
    mounted: list[Path] = []

    def mount(path: Path, size: str = "64k") -> Path:
        path.mkdir(parents=True, exist_ok=True)
        tool = shutil.which("mount")
        done = tool and subprocess.run([tool, "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=False)
        if not done or done.returncode != 0:
            pytest.skip("no tmpfs can be mounted here (needs root): ENOSPC is covered by /dev/full and the translation")
        mounted.append(path)
        return path

    yield mount
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_full_disk_during_a_load_is_told_in_chinese_and_the_snapshot_kept(monkeypatch, tmp_path, tiny_tmpfs):
    settings = isolate(monkeypatch, tmp_path)
    first = loading.load_drop(settings, subjects_drop(tmp_path / "drop", 2))
    building = tiny_tmpfs(snapshots.paths(settings).building)  # a 64 KiB disk for the next copy

    done = cli("load", str(subjects_drop(tmp_path / "drop", 3)))

    assert done.returncode == 1
    assert "错误：装载出错：磁盘空间已满，无法写入“" + str(building) in done.stdout
    assert "请清理该磁盘（如删除旧的快照或日志）或扩容后重试" in done.stdout
    assert "Errno" not in done.stdout + done.stderr and "Traceback" not in done.stderr
    record = runs.recent_runs(get_engine(settings), limit=1)[0]
    assert record.status == "failed" and record.error.startswith("装载出错：磁盘空间已满")
    assert snapshots.current_snapshot(settings).snapshot_id == first.snapshot_id
    assert scalar(snapshots.current_snapshot(settings).path, "SELECT count(*) FROM subjects") == 2


def test_duckdb_filling_a_disk_is_translated(tmp_path, tiny_tmpfs):
    disk = tiny_tmpfs(tmp_path / "disk", size="256k")
    con = duckdb.connect(str(disk / "full.duckdb"))
    with pytest.raises(duckdb.Error) as full:
        con.execute("CREATE TABLE t AS SELECT range AS i, repeat('x', 100) AS s FROM range(100000)")
        con.execute("CHECKPOINT")
    con.close()
    described = os_errors.describe(full.value)
    assert described is not None and described.startswith("磁盘空间已满，无法写入"), str(full.value)


def test_each_command_is_registered_by_the_module_the_command_line_imports_for_it():
    """main imports only the module of the command it runs (COMMAND_MODULES): the map must name
    exactly the commands each module registers."""
    import argparse
    import importlib

    from dashboard.cli.main import COMMAND_MODULES

    for module, commands in COMMAND_MODULES.items():
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(module).add_cli(sub)
        assert tuple(sub.choices) == commands, module


def test_a_statement_stopped_by_the_time_limit_is_told_in_chinese(monkeypatch, capsys):
    from dashboard.store import db

    def runaway(args: argparse.Namespace) -> int:
        raise db.QueryTimeLimit(60, "indicator_i14_a_grade_share")

    parser = build_parser(["status"])
    monkeypatch.setattr("dashboard.cli.main.build_parser", lambda argv=None: parser)
    parser._subparsers._group_actions[0].choices["status"].set_defaults(func=runaway)
    assert main(["status"]) == 1
    err = capsys.readouterr().err
    assert (
        err.strip() == "错误：查询超过 60 秒仍未完成，已停止。请缩小统计范围或稍后重试；如反复出现请联系信用办管理员。"
    )
