"""`python -m dashboard serve`: what scripts/start.sh runs. Makes sure a snapshot is live (on a
first start: generates the seeded demo drop and loads it), then replaces this process with
`streamlit run dashboard/app/main.py` on 127.0.0.1:8501. Extra arguments go to streamlit unchanged
(e.g. `--server.port 8600`; a later option wins over the defaults)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from dashboard.access.users import sync_demo_accounts
from dashboard.cli.demo_history import write_demo_history
from dashboard.core.settings import PACKAGE_DIR, PROJECT_DIR, Settings, get_settings
from dashboard.demo.generate import ensure_demo_drop
from dashboard.load.loading import live_derived_tables_current, load_drop, rebuild
from dashboard.store import snapshots

APP_FILE = PACKAGE_DIR / "app" / "main.py"
DEFAULT_STREAMLIT_ARGS = ("--server.address", "127.0.0.1", "--server.port", "8501", "--server.headless", "true")


log = logging.getLogger("dashboard.serve")


def ensure_snapshot(settings: Settings) -> snapshots.SnapshotInfo | None:
    """The live snapshot; when there is none yet, load the demo drop first. A snapshot whose marts
    and precomputed warnings another release or other settings built is republished with this
    release's first (loading.rebuild: the data is unchanged)."""
    live = snapshots.current_snapshot(settings)
    if live is not None:
        if not live_derived_tables_current(settings):
            log.info(
                f"快照 {live.snapshot_id} 由其他版本的程序或其他设置生成，正在按当前版本重建数据集市与预警（数据不变）…"
            )
            outcome = rebuild(settings, wait=True, progress=log.info)
            if outcome.error:
                log.info(f"重建未成功，仍使用原快照：{outcome.error}")
        return snapshots.current_snapshot(settings)
    drop = ensure_demo_drop(settings)
    log.info("尚无已发布的数据快照，正在装载演示数据…")
    outcome = load_drop(settings, drop, wait=True, progress=log.info)
    if outcome.error:
        log.info(f"演示数据装载未成功：{outcome.error}")
    return snapshots.current_snapshot(settings)


def streamlit_command(extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(APP_FILE), *DEFAULT_STREAMLIT_ARGS, *extra]


def _cmd_serve(args: argparse.Namespace) -> int:
    live = ensure_snapshot(get_settings())
    # demo accounts exist only while the demo data is live
    if sync_demo_accounts(get_settings(), live.snapshot_id if live else None):
        log.info("当前为演示数据：登录页列出了可用的演示账号")
        if live is not None:
            written = write_demo_history(get_settings(), live)
            if any(written.values()):
                log.info(
                    f"已写入演示月度历史：预警跟踪步骤 {written['steps']} 条，月度工作反馈 {written['reports']} 份"
                )
    command = streamlit_command(getattr(args, "extra", []))
    os.chdir(PROJECT_DIR)  # streamlit finds .streamlit/config.toml in the working folder
    os.execv(command[0], command)
    return 0  # not reached


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动驾驶舱（首次启动时生成并装载演示数据）；其余参数传给 streamlit")
    p.set_defaults(func=_cmd_serve, pass_through=True)
