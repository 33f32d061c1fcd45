"""Benchmark 1: the API under 1000 concurrent customers, and at saturation against its own yardsticks.

Run: `backend/.venv/bin/python bench/api_load.py [--quick]` (make bench runs it). It starts PostgreSQL
and Redis (bench profile), seeds 100k users / 200k subscriptions / 500k payments, starts the API and
the baseline app under the same uvicorn settings pinned to CPU 0, drives them with wrk pinned to CPU 1,
prints the figures and saves them to .data/bench/results/api.json.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncpg  # noqa: E402
from common import (  # noqa: E402
    BACKEND,
    BENCH_SECRETS,
    Proc,
    Services,
    WrkResult,
    backend_env,
    free_port,
    log,
    machine_context,
    migrate,
    processes,
    run_wrk,
    save,
    start,
    start_services,
    stop_services,
    table,
    uvicorn_cmd,
    wait_http,
)
from seed import seed  # noqa: E402

WRK_DIR = Path(__file__).resolve().parent / "wrk"
CUSTOMER_ENDPOINTS = [
    ("users/me", "/api/v1/users/me"),
    ("my subscriptions", "/api/v1/users/me/subscriptions"),
    ("my payments", "/api/v1/users/me/payments"),
]
CATALOG_ENDPOINTS = [("catalog: locations", "/api/v1/locations"), ("catalog: tariffs", "/api/v1/tariffs")]


async def customer_tokens(services: Services, count: int) -> list[str]:
    """JWTs of `count` seeded customers, signed like the API signs them."""
    from jose import jwt

    conn = await asyncpg.connect(services.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch("SELECT id, telegram_id FROM users ORDER BY telegram_id LIMIT $1", count)
    finally:
        await conn.close()
    now = int(time.time())
    return [
        jwt.encode({"sub": str(r["id"]), "typ": "user", "jti": f"bench{i}", "iat": now, "exp": now + 7200,
                    "tg": r["telegram_id"]}, BENCH_SECRETS["JWT_SECRET_KEY"], algorithm="HS256")
        for i, r in enumerate(rows)
    ]


def admin_token(api: str) -> str:
    """Log the bootstrapped owner in."""
    resp = httpx.post(f"{api}/api/v1/auth/login", json={"username": "benchowner",
                                                        "password": "bench-owner-password-123"}, timeout=30)
    resp.raise_for_status()
    return str(resp.json()["access_token"])


def measure(proc: Proc, url: str, *, connections: int, seconds: int, env: dict[str, str],
            script: str = "single.lua") -> tuple[WrkResult, float]:
    """One wrk run and the server's CPU µs per request during it."""
    before = proc.cpu_seconds()
    result = run_wrk(url, script=WRK_DIR / script, connections=connections, seconds=seconds,
                     env={"BENCH_WRK_DIR": str(WRK_DIR), **env})
    cpu_us = (proc.cpu_seconds() - before) * 1e6 / max(result.requests, 1)
    return result, cpu_us


def users_scenario(api_proc: Proc, api: str, tokens_file: Path, admin: str, seconds: int) -> dict[str, Any]:
    """1000 customers with ~1 s think time plus 20 staff, at the same time."""
    env = {"BENCH_WRK_DIR": str(WRK_DIR), "BENCH_TOKENS": str(tokens_file), "BENCH_ADMIN_TOKEN": admin}
    before = api_proc.cpu_seconds()
    admins_cmd = ["wrk", "-t1", "-c20", f"-d{seconds}s", "--timeout=10s", "-s", str(WRK_DIR / "admins.lua"), api]
    import os

    admins = subprocess.Popen(admins_cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, **env})
    customers = run_wrk(api, script=WRK_DIR / "customers.lua", connections=1000, seconds=seconds, env=env)
    out, _ = admins.communicate(timeout=seconds + 60)
    import json

    line = next(ln for ln in out.splitlines() if ln.startswith("BENCH_JSON "))
    a = json.loads(line.removeprefix("BENCH_JSON "))
    cpu = api_proc.cpu_seconds() - before
    return {
        "customers": customers.as_dict(),
        "admins": {"requests": a["requests"], "p50_ms": a["p50_us"] / 1000, "p99_ms": a["p99_us"] / 1000,
                   "errors": a["connect_errors"] + a["read_errors"] + a["write_errors"] + a["timeouts"],
                   "non_2xx": a["status_errors"]},
        "api_cpu_share": cpu / seconds,
    }


def saturation(api_proc: Proc, api: str, base_proc: Proc, base: str, tokens_file: Path, *,
               pairs: int, seconds: int, connection_levels: list[int]) -> dict[str, Any]:
    """Interleaved A/B runs: each endpoint next to the bare and one-query yardsticks."""
    results: dict[str, Any] = {}
    targets = [("bare FastAPI", base_proc, base, "/bare", False), ("one asyncpg query", base_proc, base,
                                                                    "/one-query", False)]
    targets += [(name, api_proc, api, path, False) for name, path in CATALOG_ENDPOINTS]
    targets += [(name, api_proc, api, path, True) for name, path in CUSTOMER_ENDPOINTS]
    for conns in connection_levels:
        runs: dict[str, list[dict[str, Any]]] = {t[0]: [] for t in targets}
        for pair in range(pairs):
            for name, proc, url, path, auth in targets:
                env = {"BENCH_PATH": path}
                if auth:
                    env["BENCH_TOKENS"] = str(tokens_file)
                res, cpu_us = measure(proc, url, connections=conns, seconds=seconds, env=env)
                runs[name].append({**res.as_dict(), "cpu_us_per_request": cpu_us})
                log(f"c={conns} pair {pair + 1}: {name}: {res.rps:,.0f} req/s p99 {res.p99_ms:.1f} ms "
                    f"errors {res.errors + res.timeouts + res.non_2xx}")
        bare = [r["rps"] for r in runs["bare FastAPI"]]
        one = [r["rps"] for r in runs["one asyncpg query"]]
        level: dict[str, Any] = {}
        for name, series in runs.items():
            level[name] = {
                "rps": statistics.median(r["rps"] for r in series),
                "p50_ms": statistics.median(r["p50_ms"] for r in series),
                "p99_ms": statistics.median(r["p99_ms"] for r in series),
                "cpu_us": statistics.median(r["cpu_us_per_request"] for r in series),
                "errors": sum(r["errors"] + r["non_2xx"] for r in series),
                "timeouts": sum(r["timeouts"] for r in series),
                "ratio_to_bare": statistics.median(r["rps"] / b for r, b in zip(series, bare, strict=True)),
                "ratio_to_one_query": statistics.median(r["rps"] / o for r, o in zip(series, one, strict=True)),
            }
        results[str(conns)] = level
    return results


def main() -> None:
    """Run benchmark 1 and print its tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small data and short runs (smoke test)")
    args = parser.parse_args()
    users, subs, pays = (2_000, 4_000, 10_000) if args.quick else (100_000, 200_000, 500_000)
    seconds, pairs = (3, 1) if args.quick else (10, 3)
    context = machine_context()
    services = start_services()
    try:
        env = backend_env(services, RATE_LIMIT_PUBLIC="100000000/minute",
                          RATE_LIMIT_CUSTOMER="100000000/minute")
        migrate(env)
        log(f"seeding {users:,} users, {subs:,} subscriptions, {pays:,} payments")
        started = time.monotonic()
        asyncio.run(seed(services.database_url, users, subs, pays))
        seed_seconds = time.monotonic() - started
        tokens = asyncio.run(customer_tokens(services, 1000))
        tokens_file = Path(tempfile.mkstemp(prefix="bench-tokens-")[1])
        tokens_file.write_text("\n".join(tokens) + "\n")
        with processes() as procs:
            api_port, base_port = free_port(), free_port()
            api_proc = start("api", uvicorn_cmd("app.main:create_app", api_port), env=env, cwd=BACKEND, cpu=0)
            procs.append(api_proc)
            base_proc = start("baseline", uvicorn_cmd("baseline_app:create_app", base_port),
                              env={**env, "PYTHONPATH": str(Path(__file__).resolve().parent)}, cwd=BACKEND, cpu=0)
            procs.append(base_proc)
            api, base = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{base_port}"
            wait_http(f"{api}/readyz", api_proc)
            wait_http(f"{base}/bare", base_proc)
            admin = admin_token(api)
            log("warm-up")
            measure(api_proc, api, connections=50, seconds=2, env={"BENCH_PATH": "/api/v1/locations"})
            log("users scenario: 1000 customers + 20 staff")
            users_result = users_scenario(api_proc, api, tokens_file, admin, 10 if args.quick else 30)
            log("saturation")
            sat = saturation(api_proc, api, base_proc, base, tokens_file, pairs=pairs, seconds=seconds,
                             connection_levels=[100] if args.quick else [100, 1000])
            memory = {"api_peak_rss_mb": api_proc.rss_kb() / 1024}
        tokens_file.unlink(missing_ok=True)
    finally:
        stop_services()
    result = {"context": context, "data": {"users": users, "subscriptions": subs, "payments": pays,
                                           "seed_seconds": seed_seconds},
              "users_scenario": users_result, "saturation": sat, "memory": memory}
    save("api_quick" if args.quick else "api", result)
    print(report(result))


def report(result: dict[str, Any]) -> str:
    """Markdown tables of benchmark 1."""
    u = result["users_scenario"]
    lines = [
        f"Context: {result['context']}",
        "",
        "Users scenario (1000 customers ~1 req/s each + 20 staff):",
        table(["who", "requests", "p50 ms", "p99 ms", "errors", "non-2xx"], [
            ["customers", u["customers"]["requests"], u["customers"]["p50_ms"], u["customers"]["p99_ms"],
             u["customers"]["errors"] + u["customers"]["timeouts"], u["customers"]["non_2xx"]],
            ["staff", u["admins"]["requests"], u["admins"]["p50_ms"], u["admins"]["p99_ms"], u["admins"]["errors"],
             u["admins"]["non_2xx"]],
        ]),
    ]
    for conns, level in result["saturation"].items():
        lines += ["", f"Saturation, {conns} connections (medians of interleaved runs):"]
        lines.append(table(
            ["endpoint", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "× bare", "× one-query", "errors", "timeouts"],
            [[name, r["rps"], r["p50_ms"], r["p99_ms"], r["cpu_us"], r["ratio_to_bare"], r["ratio_to_one_query"],
              r["errors"], r["timeouts"]] for name, r in level.items()],
        ))
    lines += ["", f"API peak RSS: {result['memory']['api_peak_rss_mb']:.0f} MB"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
