"""What the figures were measured on: they mean little without the machine, versions and load."""

import datetime
import os
import platform
import subprocess
from pathlib import Path


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "not installed"


def java_version() -> str:
    try:
        output = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (
        output.splitlines()[0].replace("openjdk version ", "OpenJDK ").replace('"', "")
        if output
        else "unknown"
    )


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def describe() -> dict[str, str]:
    memory_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": str(os.cpu_count()),
        "cpu_model": _first("/proc/cpuinfo", "model name"),
        "ram": f"{int(memory_kb) / 1024**2:.1f} GiB" if memory_kb.isdigit() else "unknown",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "java": java_version(),
        "pyspark": _version("pyspark"),
        "moto": _version("moto"),
        "load_at_start": load(),
    }


def line(machine: dict[str, str]) -> str:
    return (
        f"{machine['date']} · {machine['cpus']} CPUs ({machine['cpu_model']}) · {machine['ram']} RAM · "
        f"{machine['os']} · Python {machine['python']} · {machine['java']} · pyspark {machine['pyspark']} · "
        f"moto {machine['moto']} · load avg 1/5 min {machine['load_at_start']} at start, "
        f"{machine.get('load_at_end', '?')} at end"
    )
