"""What the machine's processes use, read from /proc (Linux): CPU time and resident memory."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def describe_machine() -> dict[str, object]:
    """The machine a run's figures come from, for the results file."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _read(path: Path) -> str:
    """A small /proc file, or "" if the process ended meanwhile."""
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (empty if the process is gone)."""
    stat = _read(Path(f"/proc/{pid}/stat"))
    return stat.rsplit(")", 1)[1].split() if stat else []


def process_cpu_seconds(pid: int) -> float:
    """CPU time one process has used, user and system (0 if it is gone)."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else 0.0


def cpu_seconds(pids: Iterable[int]) -> float:
    """CPU time a set of processes has used."""
    return sum(process_cpu_seconds(pid) for pid in pids)


def busy_cpu_seconds() -> float:
    """CPU time all cores have spent busy since boot."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def resident_mb(pid: int) -> float:
    """A process's resident memory in MiB (0 if it has none, as a zombie)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pids() -> list[int]:
    """Every process of the machine."""
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def pids_named(command: str) -> list[int]:
    """The processes whose command name is `command` (« postgres »…)."""
    return [pid for pid in _pids() if _read(Path(f"/proc/{pid}/comm")) == command]


def descendants(roots: set[int]) -> set[int]:
    """The roots and every process they started, children of children included."""
    parents = {pid: int(fields[1]) for pid in _pids() if (fields := _stat_fields(pid))}
    found = set(roots)
    while more := {pid for pid, parent in parents.items() if parent in found} - found:
        found |= more
    return found


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU counters at the start of the measures."""

    wall: float
    busy: float
    ours: dict[int, float]


def cpu_snapshot(pids: Iterable[int]) -> CpuSnapshot | None:
    """Where the machine's CPU time stands, to tell afterwards what others took (Linux only)."""
    if not Path("/proc/stat").exists():
        return None
    ours = {pid: process_cpu_seconds(pid) for pid in pids}
    return CpuSnapshot(time.perf_counter(), busy_cpu_seconds(), ours)


def foreign_cpu_share(start: CpuSnapshot | None) -> float | None:
    """Share of the machine's CPU that processes foreign to the bench used since `start`."""
    if start is None:
        return None
    ours = sum(process_cpu_seconds(pid) - used for pid, used in start.ours.items())
    capacity = (time.perf_counter() - start.wall) * (os.cpu_count() or 1)
    return round(max(0.0, busy_cpu_seconds() - start.busy - ours) / capacity, 3)
