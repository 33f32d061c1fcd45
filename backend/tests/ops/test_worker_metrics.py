"""The production worker serves /metrics for Prometheus, with a heartbeat that alerts can watch."""

from __future__ import annotations

import asyncio
import os
import re
import socket

import httpx

from app.config import Settings
from tests.ops.helpers import BACKEND_DIR, cli_env


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TestWorkerMetrics:
    async def test_the_arq_worker_exposes_its_heartbeat_and_job_counters(self, settings: Settings) -> None:
        port = free_port()
        env = cli_env(settings.database_url, WORKER_METRICS_PORT=str(port), WORKER_METRICS_HOST="127.0.0.1")
        proc = await asyncio.create_subprocess_exec(
            str(BACKEND_DIR / ".venv" / "bin" / "arq"),
            "app.worker.settings.WorkerSettings",
            cwd=str(BACKEND_DIR),
            env={**env, "PATH": os.environ.get("PATH", "")},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        body = ""
        try:
            async with httpx.AsyncClient(timeout=2) as http:
                # The heartbeat cron runs at start-up; wait (bounded) until its run is counted.
                for _ in range(300):
                    try:
                        body = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
                    except httpx.TransportError:
                        body = ""
                    if 'vpnshop_job_runs_total{job="system.heartbeat",outcome="ok"}' in body:
                        break
                    await asyncio.sleep(0.1)
        finally:
            proc.terminate()
            async with asyncio.timeout(30):
                _, stderr = await proc.communicate()
        assert 'vpnshop_job_runs_total{job="system.heartbeat",outcome="ok"} 1.0' in body, stderr.decode()[
            -2000:
        ]
        heartbeat = re.search(r"^vpnshop_worker_heartbeat_timestamp_seconds (\S+)$", body, re.M)
        assert heartbeat is not None
        assert float(heartbeat.group(1)) > 1_700_000_000
        assert proc.returncode == 0
