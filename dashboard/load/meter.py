"""What a stage of a load cost: wall-clock seconds, processor seconds and resident memory.

The load reports each stage (every entity, the marts, the precomputed warnings) with these
figures, so an operator can see from the log alone which stage takes the time and which one
holds the memory — and whether the machine was busy: processor seconds well below twice the wall
seconds on two cores means the load waited for the disk or for other processes.

Memory is read from the operating system (Linux /proc; elsewhere only the peak from
`resource`): the resident memory now and the highest of the whole process so far. The per-stage
peak is never reset (that would also reset the figure `/usr/bin/time -v` reports).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from dataclasses import dataclass

_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def resident_bytes() -> int | None:
    """The process's resident memory now (None where /proc is not available)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * _PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return None


def peak_resident_bytes() -> int:
    """The highest resident memory of the process so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


def _gb(n: int) -> str:
    return f"{n / 2**30:.1f} GB"


@dataclass(frozen=True)
class StageCost:
    """Wall seconds, processor seconds (all threads) of one stage; resident memory at its end
    and the process's peak so far."""

    seconds: float
    cpu_seconds: float
    resident: int | None
    peak: int

    def text(self) -> str:
        """The figures as the load log shows them (Chinese): "37.4 秒，处理器 52.1 秒，内存 1.2 GB，峰值 2.9 GB"."""
        memory = f"内存 {_gb(self.resident)}，" if self.resident is not None else ""
        return f"{self.seconds:.1f} 秒，处理器 {self.cpu_seconds:.1f} 秒，{memory}峰值 {_gb(self.peak)}"


class Stage:
    """Started when made; `cost()` gives the figures since then (call it as often as wanted)."""

    def __init__(self) -> None:
        self._wall = time.monotonic()
        self._cpu = _cpu_seconds()

    def cost(self) -> StageCost:
        return StageCost(
            seconds=time.monotonic() - self._wall,
            cpu_seconds=_cpu_seconds() - self._cpu,
            resident=resident_bytes(),
            peak=peak_resident_bytes(),
        )
