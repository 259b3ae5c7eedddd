"""`python -m dashboard serve`: what scripts/start.sh runs. Makes sure a snapshot is live (on a
first start: generates the seeded demo drop and loads it), then replaces this process with
`streamlit run dashboard/app.py` on 127.0.0.1:8501. Extra arguments go to streamlit unchanged
(e.g. `--server.port 8600`; a later option wins over the defaults)."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from . import snapshots
from .loading import load_drop
from .settings import PACKAGE_DIR, PROJECT_DIR, Settings, get_settings

APP_FILE = PACKAGE_DIR / "app.py"
DEFAULT_STREAMLIT_ARGS = ("--server.address", "127.0.0.1", "--server.port", "8501", "--server.headless", "true")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def demo_drop_dir(settings: Settings) -> Path:
    return settings.data_dir / "drops" / "demo"


def ensure_demo_drop(settings: Settings) -> Path:
    """The demo drop (dashboard.demo, seed 42, city scale), generated once. It is written beside
    its final place and renamed, so an interrupted generation is never taken for a drop."""
    from .demo import generate_drop

    target = demo_drop_dir(settings)
    if target.is_dir():
        return target
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    _say(f"生成演示数据到 {target} …")
    generate_drop(partial, scale="city", seed=42)
    os.replace(partial, target)
    return target


def ensure_snapshot(settings: Settings) -> snapshots.SnapshotInfo | None:
    """The live snapshot; when there is none yet, load the demo drop first."""
    live = snapshots.current_snapshot(settings)
    if live is not None:
        return live
    drop = ensure_demo_drop(settings)
    _say("尚无已发布的数据快照，正在装载演示数据…")
    outcome = load_drop(settings, drop, wait=True, progress=_say)
    if outcome.error:
        _say(f"演示数据装载未成功：{outcome.error}")
    return snapshots.current_snapshot(settings)


def streamlit_command(extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(APP_FILE), *DEFAULT_STREAMLIT_ARGS, *extra]


def _cmd_serve(args: argparse.Namespace) -> int:
    live = ensure_snapshot(get_settings())
    from .users import sync_demo_accounts  # demo accounts exist only while the demo data is live

    if sync_demo_accounts(get_settings(), live.snapshot_id if live else None):
        _say("当前为演示数据：登录页列出了可用的演示账号")
    command = streamlit_command(getattr(args, "extra", []))
    os.chdir(PROJECT_DIR)  # streamlit finds .streamlit/config.toml in the working folder
    os.execv(command[0], command)
    return 0  # not reached


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动驾驶舱（首次启动时生成并装载演示数据）；其余参数传给 streamlit")
    p.set_defaults(func=_cmd_serve, pass_through=True)
