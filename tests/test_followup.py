"""Warning follow-up: recorded steps, status at T, 已解除, and overdue over the 2024 Spring Festival."""

import datetime as dt
import uuid

import pandas as pd
import pytest
from sqlalchemy import create_engine

from dashboard.core.identifiers import make_uscc
from dashboard.core.scope import Scope
from dashboard.rules import followup
from dashboard.rules.credit_warnings import warnings_at
from dashboard.rules.followup import warning_counts
from dashboard.store import schema

D = dt.date
ALL = Scope.all()


def uscc(tag: str) -> str:
    return make_uscc("91", "230402", f"MA{tag:0>6}")


def penalty(no, tag, decided):
    return dict(
        decision_no=no,
        party_name=f"主体{tag}",
        party_category="法人及非法人组织",
        uscc=uscc(tag),
        penalty_kinds="罚款",
        decision_date=decided,
        authority="市税务局",
        reported_at=decided,
    )


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    yield engine
    engine.dispose()


@pytest.fixture
def wh(warehouse):
    schema.insert_current_rows(
        warehouse,
        "penalties",
        [
            penalty("SF1", "A", D(2023, 11, 8)),  # W1b from 2024-02-08, the Thursday before the Spring Festival
            penalty("SF2", "B", D(2023, 11, 8)),
            penalty("RS", "C", D(2023, 10, 1)),  # W1b from 2024-01-01, repaired 2024-03-05
            penalty("OLD", "E", D(2023, 8, 1)),  # W1b from 2023-11-01, repaired 2024-01-10
        ],
    )
    schema.insert_current_rows(
        warehouse,
        "repairs",
        [
            dict(
                repair_id="r1",
                uscc=uscc("C"),
                record_type="penalty",
                record_ref="RS",
                applied_date=D(2024, 3, 1),
                status="已修复",
                decided_date=D(2024, 3, 5),
            ),
            dict(
                repair_id="r2",
                uscc=uscc("E"),
                record_type="penalty",
                record_ref="OLD",
                applied_date=D(2024, 1, 5),
                status="已修复",
                decided_date=D(2024, 1, 10),
            ),
        ],
    )
    schema.build_marts(warehouse)
    return warehouse


def ids(con, day):
    got = warnings_at(con, day, ALL, types=["W1b"])
    return dict(zip(got["anchor_records"].map(lambda a: a[0]), got["warning_id"]))


def status_rows(con, engine, day, scope=ALL):
    got = followup.warning_status(con, engine, day, scope)

    def plain(v):
        return None if v is None or pd.isna(v) else v

    return {
        r.warning_id: (
            r.status,
            r.holds,
            plain(r.first_seen_date),
            plain(r.deadline_date),
            plain(r.first_action_date),
            plain(r.working_days_to_first_action),
            r.is_overdue,
        )
        for r in got.itertuples()
    }


def test_record_and_read_steps(wh, engine):
    wid = ids(wh, D(2024, 2, 21))["SF2"]
    first = followup.record_step(engine, wid, "已查看", D(2024, 2, 9), None, "王科员", "tax")
    second = followup.record_step(engine, wid, "提示约谈", "2024-02-19", "约谈法定代表人", "王科员", "tax")
    assert second > first
    steps = followup.steps_for(engine, [wid])
    assert steps[
        ["warning_id", "warning_type", "step", "action_date", "note", "user_name", "department_code"]
    ].values.tolist() == [
        [wid, "W1b", "已查看", D(2024, 2, 9), None, "王科员", "tax"],
        [wid, "W1b", "提示约谈", D(2024, 2, 19), "约谈法定代表人", "王科员", "tax"],
    ]
    assert followup.steps_for(engine, [wid], until=D(2024, 2, 10))["step"].tolist() == ["已查看"]
    assert followup.steps_for(engine, []).empty
    with pytest.raises(ValueError):
        followup.record_step(engine, wid, "新产生", D(2024, 2, 9), None, "王科员", "tax")
    with pytest.raises(ValueError):
        followup.record_step(engine, wid, "已解除", D(2024, 2, 9), None, "王科员", "tax")
    with pytest.raises(ValueError):
        followup.record_step(engine, "not-a-warning", "已查看", D(2024, 2, 9), None, "王科员", "tax")


def test_overdue_counts_statutory_working_days_over_the_spring_festival(wh, engine):
    w = ids(wh, D(2024, 2, 21))
    followup.record_step(engine, w["SF2"], "已查看", D(2024, 2, 9), None, "王科员", "tax")
    followup.record_step(engine, w["SF2"], "提示约谈", D(2024, 2, 19), None, "王科员", "tax")

    # 5 working days after 2024-02-08: 02-09, 02-18 (调休 Sunday), 02-19, 02-20, 02-21
    on_deadline = status_rows(wh, engine, D(2024, 2, 21))
    assert on_deadline[w["SF1"]] == ("新产生", True, D(2024, 2, 8), D(2024, 2, 21), None, None, False)
    assert on_deadline[w["SF2"]] == ("已处置", True, D(2024, 2, 8), D(2024, 2, 21), D(2024, 2, 19), 3, False)
    # RS appeared on 2024-01-01 (New Year's Day): due 2024-01-08, long overdue — 超期未处置, not 新产生
    assert on_deadline[w["RS"]] == ("超期未处置", True, D(2024, 1, 1), D(2024, 1, 8), None, None, True)

    # a weekday count would have made SF1 overdue on 2024-02-16 (a holiday); it is overdue from 02-22
    assert status_rows(wh, engine, D(2024, 2, 16))[w["SF1"]][-1] is False
    day_after = status_rows(wh, engine, D(2024, 2, 22))
    assert day_after[w["SF1"]][-1] is True
    assert day_after[w["SF2"]][-1] is False


def test_overdue_from_the_day_after_the_deadline_even_on_a_holiday(warehouse, engine):
    """The deadline is a date (docs/rules.md conventions): a W1b warning first seen on 2024-09-24 is
    due on 2024-09-30 (09-29, a 调休 Sunday, counts); on 10-01, National Day, it is overdue although
    no working day passed since the deadline."""
    schema.insert_current_rows(warehouse, "penalties", [penalty("ND", "N", D(2024, 6, 24))])
    schema.build_marts(warehouse)
    wid = ids(warehouse, D(2024, 9, 30))["ND"]
    first_seen, deadline = D(2024, 9, 24), D(2024, 9, 30)
    on_first_day = status_rows(warehouse, engine, D(2024, 9, 24))[wid]
    assert on_first_day == ("新产生", True, first_seen, deadline, None, None, False)
    assert status_rows(warehouse, engine, D(2024, 9, 30))[wid][-1] is False  # the deadline itself
    assert status_rows(warehouse, engine, D(2024, 10, 1))[wid][-1] is True  # a holiday after it
    # an action on the deadline day keeps it off the overdue list
    followup.record_step(engine, wid, "提示约谈", D(2024, 9, 30), None, "王科员", "tax")
    assert status_rows(warehouse, engine, D(2024, 10, 1))[wid][-2:] == (5, False)


def test_resolved_warnings_and_counts(wh, engine):
    w = ids(wh, D(2024, 2, 21))
    old = ids(wh, D(2023, 12, 31))["OLD"]
    followup.record_step(engine, w["SF2"], "提示约谈", D(2024, 2, 19), None, "王科员", "tax")
    followup.record_step(engine, old, "警示约谈", D(2023, 11, 10), None, "王科员", "tax")

    march = status_rows(wh, engine, D(2024, 3, 10))
    # RS held at the end of February and was repaired on 03-05; OLD has recorded steps only
    assert march[w["RS"]][:2] == ("已解除", False)
    assert march[old][:2] == ("已解除", False)
    assert march[w["SF1"]][:2] == ("超期未处置", True)  # due 2024-02-21, never acted on

    counts = warning_counts(wh, engine, D(2024, 2, 22), ALL)
    assert counts.values.tolist() == [["tax", "市税务局", "W1b", 3, 1, 2, 1, 3.0]]
    assert list(counts.columns) == [
        "department_code",
        "department_name",
        "warning_type",
        "n_open",
        "n_acted",
        "n_overdue",
        "n_resolved",
        "median_working_days_to_first_action",
    ]
    # another department sees nothing of tax's warnings or steps
    assert warning_counts(wh, engine, D(2024, 2, 22), Scope.of("market")).empty


def test_one_state_per_warning_in_lifecycle_order(wh, engine):
    """新产生 → 已查看 → 超期未处置 → 已处置 → 已解除: each warning is in the furthest state its facts
    reach, the step last recorded is kept beside it, and the counts are read from the states."""
    w = ids(wh, D(2024, 2, 21))
    followup.record_step(engine, w["SF1"], "已查看", D(2024, 2, 9), None, "王科员", "tax")

    def states(day):
        got = followup.warning_status(wh, engine, day, ALL).set_index("warning_id")
        return {k: (got.at[w[k], "status"], got.at[w[k], "latest_step"]) for k in ("SF1", "SF2", "RS")}

    # on the deadline: SF1 viewed, SF2 new, RS (due 01-08) overdue
    assert states(D(2024, 2, 21)) == {"SF1": ("已查看", "已查看"), "SF2": ("新产生", None), "RS": ("超期未处置", None)}
    # the day after: viewing is no action, so SF1 is overdue too (never also 已查看 or 新产生)
    assert states(D(2024, 2, 22)) == {
        "SF1": ("超期未处置", "已查看"),
        "SF2": ("超期未处置", None),
        "RS": ("超期未处置", None),
    }
    # an action recorded late still makes it 已处置, and RS is 已解除 after its repair on 03-05
    followup.record_step(engine, w["SF2"], "警示约谈", D(2024, 2, 26), None, "王科员", "tax")
    assert states(D(2024, 3, 10)) == {
        "SF1": ("超期未处置", "已查看"),
        "SF2": ("已处置", "警示约谈"),
        "RS": ("已解除", None),
    }
    status = followup.warning_status(wh, engine, D(2024, 3, 10), ALL)
    assert set(status["status"]) <= set(followup.STATES)
    assert status["is_overdue"].tolist() == (status["status"] == followup.OVERDUE).tolist()
    counts = followup.counts_from_status(status, {"tax": "市税务局"})
    assert counts[list(followup.STATE_COUNT_COLUMNS)].sum().to_dict() == {
        "n_open": int(status["status"].isin(followup.HOLDING_STATES).sum()),
        "n_acted": int((status["status"] == "已处置").sum()),
        "n_overdue": int((status["status"] == "超期未处置").sum()),
        "n_resolved": int((status["status"] == "已解除").sum()),
    }


@pytest.mark.postgres
def test_steps_on_postgresql(pg_schema):
    engine = pg_schema.engine  # a fresh schema: record_step creates the table
    wid = f"W2-{uuid.uuid4().hex[:12]}"
    followup.record_step(engine, wid, "已查看", D(2024, 2, 9), "已阅", "李科员", "market")
    followup.record_step(engine, wid, "已整改", D(2024, 2, 20), None, "李科员", "market")
    got = followup.steps_for(engine, [wid])
    assert got[["step", "action_date", "note", "department_code"]].values.tolist() == [
        ["已查看", D(2024, 2, 9), "已阅", "market"],
        ["已整改", D(2024, 2, 20), None, "market"],
    ]
