"""Shared plumbing of the benchmarks: local services, pinned processes, wrk, CPU and memory readings.

Every benchmark starts what it needs on loopback and stops it; results print as a table and are
saved as JSON under .data/bench/results/ (docs/benchmarks.md records them).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
BOT = ROOT / "bot"
PY = BACKEND / ".venv" / "bin" / "python"
DATA = ROOT / ".data" / "bench"
RESULTS = DATA / "results"
LOGS = DATA / "logs"

BENCH_SECRETS = {
    "JWT_SECRET_KEY": "bench-jwt-secret-0123456789abcdef0123456789",
    "SECRET_KEY": "bench-encryption-key-0123456789abcdef012345",
    "BOT_SERVICE_TOKEN": "bench-bot-service-token-0123456789abcdef",
}


def log(msg: str) -> None:
    """Progress line on stderr (stdout carries the results)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Services:
    """PostgreSQL and Redis of the bench profile."""

    pg_base: str
    redis_url: str
    database_url: str


def start_services() -> Services:
    """A fresh PostgreSQL cluster and Redis on free ports (infra/local/services.sh start bench)."""
    subprocess.run(["bash", str(ROOT / "infra/local/services.sh"), "start", "bench"], check=True,
                   stdout=subprocess.DEVNULL)
    env = dict(line.split("=", 1) for line in (DATA / "services.env").read_text().split() if "=" in line)
    pg_base = env["PG_BASE_URL"]
    return Services(pg_base=pg_base, redis_url=f"redis://127.0.0.1:{env['REDIS_PORT']}/0",
                    database_url=f"{pg_base}/vpnshop_bench")


def stop_services() -> None:
    """Stop the bench PostgreSQL and Redis."""
    subprocess.run(["bash", str(ROOT / "infra/local/services.sh"), "stop", "bench"], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def backend_env(services: Services, **extra: str) -> dict[str, str]:
    """Environment for backend processes (API, worker, tools) of a benchmark."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "ENVIRONMENT": "production",
        "DATABASE_URL": services.database_url,
        "REDIS_URL": services.redis_url,
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "true",
        "ADMIN_USERNAME": "benchowner",
        "ADMIN_PASSWORD": "bench-owner-password-123",
        "PUBLIC_BASE_URL": "https://shop.bench",
        **BENCH_SECRETS,
    }
    env.update(extra)
    return env


def migrate(env: dict[str, str]) -> None:
    """alembic upgrade head."""
    subprocess.run([str(BACKEND / ".venv/bin/alembic"), "upgrade", "head"], cwd=BACKEND, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def has_taskset() -> bool:
    """CPU pinning is available (util-linux)."""
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


@dataclass
class Proc:
    """A process started for a benchmark, optionally pinned to one CPU."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    peak_rss_kb: int = 0
    _samples: list[int] = field(default_factory=list)

    @property
    def pid(self) -> int:
        """Its pid."""
        return self.popen.pid

    def cpu_seconds(self) -> float:
        """User + system CPU time so far (including reaped children)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks

    def rss_kb(self) -> int:
        """Peak resident memory (VmHWM) in kB."""
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{self.pid}/status").read_text()
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                self.peak_rss_kb = max(self.peak_rss_kb, int(match.group(1)))
        return self.peak_rss_kb

    def stop(self) -> None:
        """SIGINT, then SIGKILL if it lingers; records peak RSS first."""
        if self.popen.poll() is None:
            self.rss_kb()
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def start(name: str, cmd: Sequence[str], *, env: dict[str, str], cwd: Path, cpu: int | None = None) -> Proc:
    """Start a process (pinned to `cpu` when possible), logging to .data/bench/logs/<name>.log."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{name}.log"
    full = list(cmd)
    if cpu is not None and has_taskset():
        full = ["taskset", "-c", str(cpu), *full]
    out = log_path.open("wb")
    popen = subprocess.Popen(full, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Proc(name, popen, log_path)


def uvicorn_cmd(app: str, port: int, *, factory: bool = True) -> list[str]:
    """The production uvicorn settings every API benchmark uses (one worker, uvloop, httptools)."""
    cmd = [str(PY), "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
           "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning",
           "--backlog", "4096", "--timeout-keep-alive", "30"]
    if factory:
        cmd.append("--factory")
    return cmd


def wait_http(url: str, proc: Proc | None = None, timeout: float = 60) -> None:
    """Wait until `url` answers 2xx."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 300:
                return
        if proc is not None and proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited; see {proc.log_path}")
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def free_port() -> int:
    """A free loopback port."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WrkResult:
    """What one wrk run measured."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    timeouts: int
    non_2xx: int

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return self.__dict__.copy()


def run_wrk(url: str, *, script: Path, connections: int, seconds: int, env: dict[str, str] | None = None,
            cpu: int | None = 1, timeout_s: int = 10) -> WrkResult:
    """Run wrk with a Lua script whose done() prints a BENCH_JSON line."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: bash infra/local/setup.sh tools")
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_s}s", "-s", str(script), url]
    if cpu is not None and has_taskset():
        cmd = ["taskset", "-c", str(cpu), *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=seconds + 120, check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{proc.stdout}\n{proc.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_run = data["duration_us"] / 1e6
    errors = data["connect_errors"] + data["read_errors"] + data["write_errors"]
    return WrkResult(
        requests=data["requests"], seconds=seconds_run, rps=data["requests"] / seconds_run,
        p50_ms=data["p50_us"] / 1000, p90_ms=data["p90_us"] / 1000, p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000, errors=errors, timeouts=data["timeouts"], non_2xx=data["status_errors"],
    )


def machine_context() -> dict[str, Any]:
    """Where the numbers were measured."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError):
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": pg,
        "pinned": has_taskset(),
        "load_before": os.getloadavg()[0],
    }


def save(name: str, data: dict[str, Any]) -> Path:
    """Write a result file."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"
        return str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


@contextlib.contextmanager
def processes() -> Iterator[list[Proc]]:
    """Stop every process appended to the list on the way out."""
    procs: list[Proc] = []
    try:
        yield procs
    finally:
        for p in reversed(procs):
            p.stop()
