"""The shrink guard: a full extract that would retire too much of an entity is not applied.

In full mode a key missing from the extract is retired. A broken export — a header-only
penalties.csv, a query that lost its WHERE clause's other half — therefore looks exactly like
"everything was retired", and once reported 成功 while it emptied the warning base. So before the
retire step writes anything, the pipeline asks `check`: when the extract would retire more than
`warehouse.max_retire_share` of the entity's current rows, or when it holds no row at all while
current rows exist, it raises ShrinkHeld. The ingest then writes nothing for the entity and
reports status held (待确认) with the figures; the load publishes nothing; the extract is applied
only when someone confirms (`python -m dashboard load … --confirm-shrink`, or the administrator's
button on 数据状态), and that confirmation is audited (dashboard.load.loading).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shrink:
    """The figures of a held extract."""

    rows_read: int
    rows_current: int
    rows_to_retire: int
    max_share: float

    @property
    def share(self) -> float:
        return self.rows_to_retire / self.rows_current if self.rows_current else 0.0

    def message(self) -> str:
        """The Chinese sentence the run record, the load output and 数据状态 show."""
        return (
            f"全量抽取只有 {self.rows_read:,} 行，将使当前 {self.rows_current:,} 条记录中的 "
            f"{self.rows_to_retire:,} 条退役（{self.share:.0%}，上限 {self.max_share:.0%}，"
            "设置 warehouse.max_retire_share）：疑为导出不完整，本次未应用，现有数据保持不变，待确认"
        )


class ShrinkHeld(Exception):
    """A full extract held by the guard; nothing of the entity was written."""

    def __init__(self, shrink: Shrink) -> None:
        super().__init__(shrink.message())
        self.shrink = shrink


def is_shrink(rows_read: int, rows_current: int, rows_to_retire: int, max_share: float) -> bool:
    """Whether a full extract would shrink the entity too much: it retires rows and either holds
    no row at all (an empty extract always counts) or retires more than `max_share` of the
    current rows."""
    if rows_to_retire <= 0 or rows_current <= 0:
        return False
    return rows_read == 0 or rows_to_retire > max_share * rows_current


def check(rows_read: int, rows_current: int, rows_to_retire: int, max_share: float, confirmed: bool) -> None:
    """Raise ShrinkHeld when the extract is a shrink (is_shrink) that nobody confirmed."""
    if not confirmed and is_shrink(rows_read, rows_current, rows_to_retire, max_share):
        raise ShrinkHeld(Shrink(rows_read, rows_current, rows_to_retire, max_share))
