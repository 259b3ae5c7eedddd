"""Shared fixtures, registered once for the whole suite, and how the suite runs in parallel.

Fixtures: `warehouse` below; the kit modules named in `pytest_plugins` define the rest, so test
modules use them without importing them (constants and helpers of the kits are imported as usual):
  tests/pg_kit.py         pg_url, pg_schema, pg_cursor: the test PostgreSQL server (skip outside CI,
                          fail under CI=true when it is absent)
  tests/access_kit.py     store (isolated SQLite operational store), pg_engine
  tests/pages_fixture.py  pages_template, pages_env: the fixed dataset of the page tests
  tests/notify_kit.py     robots, smtp_server: 企业微信 / 钉钉 robot endpoints and an SMTP server on loopback

Parallel runs (pytest-xdist, 2 workers from scripts/test.sh): every test writes under its own
tmp_path, session fixtures under the worker's own base temp folder, PostgreSQL tests in a schema of
their own, the browser tests' server on a free port. Tests that share an expensive module- or
session-scoped fixture run on one worker (SHARED_FIXTURE_GROUPS below): all browser tests (one
`streamlit run` and one Chromium for the run), the demo-data tests, and the modules with a
module-scoped fixture; the rest is balanced test by test. This holds for a plain `-n 2` as well.
"""

from __future__ import annotations

import warnings

import duckdb
import pytest

from dashboard.store import schema

pytest_plugins = ("tests.pg_kit", "tests.access_kit", "tests.pages_fixture", "tests.notify_kit")


@pytest.fixture
def warehouse(tmp_path):
    """An empty warehouse (schema + reference data) in a DuckDB file; rows go in with
    schema.insert_current_rows, then call schema.build_marts."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    schema.create_warehouse(con)
    schema.load_reference(con)
    yield con
    con.close()


# --- parallel runs (pytest-xdist) -------------------------------------------------------------
# Tests sharing an expensive module- or session-scoped fixture run on one worker, so that it is
# built once: these path prefixes name the groups. The grouping is done by the scheduler below from
# the test ids, not with xdist_group marks: with pytest 9.2, xdist 3.8's "loadgroup" silently
# ignores the marks (pytest-dev/pytest-xdist#1386, structured node ids).
SHARED_FIXTURE_GROUPS = {
    "tests/browser/": "browser",  # one `streamlit run` and one Chromium for the run
    "tests/test_demo.py": "demo",  # the city-scale demo drop (session fixture `city`)
    "tests/test_access_matrix.py": "access_matrix",  # query_env (module)
    "tests/test_loading.py": "loading",  # big_drop (module)
    "tests/test_deploy_nginx.py": "deploy_nginx",  # layout: two dashboard processes behind nginx (module)
    "tests/test_ingest_real_exports.py": "real_exports",  # the real-export drop, loaded once (module)
    "tests/test_page_marts.py": "page_marts",  # demo_snapshot: a tiny demo drop, loaded once (module)
}


def xdist_scope(nodeid: str) -> str:
    """The unit of work of a test under xdist: its group, else the test alone."""
    for prefix, group in SHARED_FIXTURE_GROUPS.items():
        if nodeid.startswith(prefix):
            return f"group:{group}"
    return nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """-n N (xdist's "load") and --dist loadgroup: tests balanced one by one over the workers,
    except that each group of SHARED_FIXTURE_GROUPS goes whole to one worker (biggest units first).
    Other modes (--dist loadfile, loadscope, each…) are xdist's own."""
    if config.getvalue("dist") not in ("load", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return SharedFixtureScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """Keep SHARED_FIXTURE_GROUPS honest: a test module with a module- or session-scoped fixture of
    its own that is not grouped would build that fixture on every worker."""
    unlisted = set()
    for item in items:
        module_id = item.nodeid.split("::", 1)[0]
        if xdist_scope(item.nodeid) != item.nodeid or not hasattr(item, "_fixtureinfo"):
            continue
        for defs in item._fixtureinfo.name2fixturedefs.values():
            if any(d.scope in ("module", "session") and d.baseid == module_id for d in defs):
                unlisted.add(module_id)
    for module_id in sorted(unlisted):
        warnings.warn(
            pytest.PytestConfigWarning(
                f"{module_id} has a module- or session-scoped fixture: add it to SHARED_FIXTURE_GROUPS "
                "in tests/conftest.py so that pytest-xdist runs its tests on one worker"
            )
        )
