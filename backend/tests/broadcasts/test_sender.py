"""The broadcast sender against the Bot API emulator: Telegram's limits, blocked users, cancel, and a
crash in the middle (a cancelled job task, a killed worker process) resumed without duplicates."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import Receive, Scope, Send

from app.broadcasts import service
from app.broadcasts.repository import UNKNOWN_OUTCOME
from app.broadcasts.schemas import BroadcastCreate
from app.broadcasts.tasks import resume_broadcasts, send_broadcasts
from app.config import Settings
from app.db import unit_of_work
from app.metrics import BROADCAST_SENT
from app.models import Broadcast, BroadcastDelivery, User
from app.models.enums import BroadcastStatus, DeliveryStatus
from app.redis import create_redis
from app.worker.context import JobContext
from app.worker.registry import close_resources, open_resources
from fakes.server import BackgroundServer
from fakes.telegram import BotApiEmulator
from tests.conftest import TEST_SECRETS, make_settings, run_worker_burst
from tests.factories import create_user

TOKEN = "4444:broadcast-tests-token"
BACKEND_DIR = Path(__file__).resolve().parents[2]
Sessions = async_sessionmaker[AsyncSession]


class Emulator:
    """The Bot API emulator served over HTTP, optionally answering each call after a delay."""

    def __init__(self) -> None:
        self.bot = BotApiEmulator(TOKEN)
        self.delay = 0.0
        self.url = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        await self.bot.app(scope, receive, send)

    def per_chat(self) -> Counter[int]:
        return Counter(m.chat_id for m in self.bot.sent)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator()
    async with BackgroundServer(emu) as url:
        emu.url = url
        yield emu


def worker_settings(emu: Emulator, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_url": emu.url,
        "broadcast_rate_per_second": 500,
        **overrides,
    }
    return make_settings(**values)


@pytest.fixture
async def worker_ctx() -> AsyncIterator[Any]:
    """Builds job contexts like the worker's start-up does; closes them after the test."""
    contexts: list[JobContext] = []

    async def build(settings: Settings) -> JobContext:
        ctx: JobContext = {"redis": create_redis(settings)}
        await open_resources(ctx, settings)
        contexts.append(ctx)
        return ctx

    yield build
    for ctx in contexts:
        await close_resources(ctx)
        await ctx["redis"].aclose()


async def start_broadcast(
    sessions: Sessions, users: int, text: str = "Привет, <b>друг</b>!", **user_kw: Any
) -> tuple[Broadcast, list[User]]:
    async with unit_of_work(sessions) as s:
        people = [await create_user(s, **user_kw) for _ in range(users)]
        broadcast = await service.create(s, BroadcastCreate(text=text), None)
        await service.start(s, broadcast)
    return broadcast, people


async def deliveries(sessions: Sessions, broadcast_id: Any) -> dict[int, BroadcastDelivery]:
    async with sessions() as s:
        rows = (
            await s.scalars(select(BroadcastDelivery).where(BroadcastDelivery.broadcast_id == broadcast_id))
        ).all()
    return {d.telegram_id: d for d in rows}


async def stored(sessions: Sessions, broadcast_id: Any) -> Broadcast:
    async with sessions() as s:
        b = await s.get(Broadcast, broadcast_id)
        assert b is not None
        return b


async def wait_until(condition: Callable[[], bool]) -> None:
    """Poll until `condition()` holds (the emulator has no events to wait on), for at most a minute."""
    async with asyncio.timeout(60):
        while not condition():  # noqa: ASYNC110 - nothing to await but the emulator's state
            await asyncio.sleep(0.005)


def assert_at_most_once_and_nothing_lost(emu: Emulator, rows: dict[int, BroadcastDelivery]) -> int:
    """Nobody got the message twice; whoever got nothing is an unknown (in-flight) delivery."""
    per_chat = emu.per_chat()
    assert max(per_chat.values(), default=0) <= 1, "a recipient got the broadcast twice"
    unknown = {chat for chat, d in rows.items() if d.error == UNKNOWN_OUTCOME}
    for chat, d in rows.items():
        if d.status == DeliveryStatus.sent:
            assert per_chat[chat] == 1
        if per_chat[chat] == 0:
            assert chat in unknown, f"{chat} got nothing and is not an in-flight delivery ({d.status})"
        assert d.status in (DeliveryStatus.sent, DeliveryStatus.failed), d.status
    return len(unknown)


class TestSending:
    async def test_everyone_gets_it_once_within_telegrams_limits(
        self, committed_sessionmaker: Sessions, emulator: Emulator
    ) -> None:
        emulator.bot.limits.enabled = True
        broadcast, people = await start_broadcast(committed_sessionmaker, 60)
        before = BROADCAST_SENT.labels("sent")._value.get()
        worker = await run_worker_burst(worker_settings(emulator, broadcast_rate_per_second=20))
        assert worker.jobs_failed == 0
        assert emulator.bot.limits.throttled == 0  # paced under 30/s: Telegram never had to say 429
        assert emulator.per_chat() == Counter({u.telegram_id: 1 for u in people})
        assert {m.text for m in emulator.bot.sent} == {"Привет, друг!"}
        done = await stored(committed_sessionmaker, broadcast.id)
        assert (done.status, done.total, done.sent, done.failed, done.blocked) == (
            BroadcastStatus.done,
            60,
            60,
            0,
            0,
        )
        assert done.checkpoint == 60 and done.finished_at is not None
        assert BROADCAST_SENT.labels("sent")._value.get() - before == 60

    async def test_flood_control_pauses_everyone_and_loses_nothing(
        self, committed_sessionmaker: Sessions, emulator: Emulator
    ) -> None:
        emulator.bot.limits.enabled = True
        emulator.bot.limits.global_per_second = 10
        broadcast, people = await start_broadcast(committed_sessionmaker, 30)
        # Far faster than this bot may send: the 429s' retry_after must be honoured.
        await run_worker_burst(
            worker_settings(emulator, broadcast_rate_per_second=200, broadcast_concurrency=10)
        )
        assert emulator.bot.limits.throttled > 0
        assert emulator.per_chat() == Counter({u.telegram_id: 1 for u in people})
        done = await stored(committed_sessionmaker, broadcast.id)
        assert (done.status, done.sent, done.failed) == (BroadcastStatus.done, 30, 0)

    async def test_blocked_recipients_are_marked(
        self, committed_sessionmaker: Sessions, emulator: Emulator
    ) -> None:
        broadcast, people = await start_broadcast(committed_sessionmaker, 6)
        emulator.bot.blocked_chats.update({people[0].telegram_id, people[3].telegram_id})
        await run_worker_burst(worker_settings(emulator))
        rows = await deliveries(committed_sessionmaker, broadcast.id)
        assert rows[people[0].telegram_id].status == DeliveryStatus.blocked
        assert rows[people[1].telegram_id].status == DeliveryStatus.sent
        done = await stored(committed_sessionmaker, broadcast.id)
        assert (done.sent, done.blocked, done.failed) == (4, 2, 0)
        async with committed_sessionmaker() as s:
            flags = dict((await s.execute(select(User.telegram_id, User.bot_blocked))).all())
        assert flags[people[0].telegram_id] is True and flags[people[1].telegram_id] is False

    async def test_unknown_chat_fails_that_delivery_only(
        self, committed_sessionmaker: Sessions, emulator: Emulator
    ) -> None:
        broadcast, people = await start_broadcast(committed_sessionmaker, 3)
        emulator.bot.accept_unknown_chats = False
        emulator.bot.known_chats.update({people[0].telegram_id, people[2].telegram_id})
        await run_worker_burst(worker_settings(emulator))
        rows = await deliveries(committed_sessionmaker, broadcast.id)
        assert rows[people[1].telegram_id].status == DeliveryStatus.failed
        assert "chat not found" in (rows[people[1].telegram_id].error or "")
        assert (await stored(committed_sessionmaker, broadcast.id)).status == BroadcastStatus.done

    async def test_a_text_telegram_refuses_stops_the_broadcast(
        self, committed_sessionmaker: Sessions, emulator: Emulator
    ) -> None:
        broadcast, _ = await start_broadcast(committed_sessionmaker, 100)
        async with unit_of_work(committed_sessionmaker) as s:
            # As if the text had been stored before the validator knew a rule Telegram enforces.
            await s.execute(
                update(Broadcast).where(Broadcast.id == broadcast.id).values(text="<marquee>x</marquee>")
            )
        await run_worker_burst(worker_settings(emulator, broadcast_concurrency=4))
        failed = await stored(committed_sessionmaker, broadcast.id)
        assert failed.status == BroadcastStatus.failed
        assert "can't parse entities" in (failed.last_error or "")
        calls = [c for c in emulator.bot.calls if c[0] == "sendMessage"]
        assert len(calls) <= 12  # stopped after the first batch, not after 100 refusals

    async def test_without_a_bot_token_the_broadcast_fails_visibly(
        self, committed_sessionmaker: Sessions, worker_ctx: Any
    ) -> None:
        broadcast, _ = await start_broadcast(committed_sessionmaker, 2)
        ctx = await worker_ctx(make_settings())
        assert await send_broadcasts(ctx) == "idle"
        failed = await stored(committed_sessionmaker, broadcast.id)
        assert failed.status == BroadcastStatus.failed and "TELEGRAM_BOT_TOKEN" in (failed.last_error or "")

    async def test_broadcasts_run_one_after_another(
        self, committed_sessionmaker: Sessions, emulator: Emulator
    ) -> None:
        first, _ = await start_broadcast(committed_sessionmaker, 5, text="first")
        second, _ = await start_broadcast(committed_sessionmaker, 5, text="second")
        await run_worker_burst(worker_settings(emulator))
        texts = [m.text for m in emulator.bot.sent]
        # The second one goes to everyone, the first one's recipients included, but only after it.
        assert texts == ["first"] * 5 + ["second"] * 10
        for b in (first, second):
            assert (await stored(committed_sessionmaker, b.id)).status == BroadcastStatus.done


class TestCancelAndLocking:
    async def test_cancel_stops_the_sender(
        self, committed_sessionmaker: Sessions, emulator: Emulator, worker_ctx: Any
    ) -> None:
        broadcast, _ = await start_broadcast(committed_sessionmaker, 300)
        ctx = await worker_ctx(worker_settings(emulator, broadcast_rate_per_second=50))
        task = asyncio.create_task(send_broadcasts(ctx))
        await wait_until(lambda: len(emulator.bot.sent) >= 20)
        async with unit_of_work(committed_sessionmaker) as s:
            await service.cancel(s, await service.get_broadcast(s, broadcast.id, lock=True))
        assert await asyncio.wait_for(task, 30) == "idle"
        sent_at_stop = len(emulator.bot.sent)
        assert sent_at_stop < 300
        cancelled = await stored(committed_sessionmaker, broadcast.id)
        assert cancelled.status == BroadcastStatus.cancelled
        assert cancelled.sent == sent_at_stop  # the counters were brought up to date on the way out
        # Nothing more goes out for a cancelled broadcast.
        assert await send_broadcasts(ctx) == "idle"
        assert len(emulator.bot.sent) == sent_at_stop

    async def test_only_one_sender_at_a_time(
        self, committed_sessionmaker: Sessions, emulator: Emulator, worker_ctx: Any
    ) -> None:
        _, people = await start_broadcast(committed_sessionmaker, 60)
        settings = worker_settings(emulator, broadcast_rate_per_second=100)
        ctx1, ctx2 = await worker_ctx(settings), await worker_ctx(settings)
        first = asyncio.create_task(send_broadcasts(ctx1))
        await wait_until(lambda: bool(emulator.bot.sent))
        assert await send_broadcasts(ctx2) == "busy"
        assert await first == "idle"
        assert emulator.per_chat() == Counter({u.telegram_id: 1 for u in people})

    async def test_long_broadcasts_continue_in_a_new_job(
        self, committed_sessionmaker: Sessions, emulator: Emulator, worker_ctx: Any
    ) -> None:
        broadcast, people = await start_broadcast(committed_sessionmaker, 40)
        ctx = await worker_ctx(
            worker_settings(emulator, broadcast_rate_per_second=20, broadcast_chunk_seconds=1)
        )
        await ctx["redis"].flushdb()
        assert await send_broadcasts(ctx) == "continue"
        assert await ctx["redis"].zcard("arq:queue") == 1  # the continuation
        midway = await stored(committed_sessionmaker, broadcast.id)
        assert 0 < midway.checkpoint < 40 and midway.status == BroadcastStatus.running
        assert await send_broadcasts(ctx) in ("idle", "continue")
        while (await stored(committed_sessionmaker, broadcast.id)).status == BroadcastStatus.running:
            await send_broadcasts(ctx)
        assert emulator.per_chat() == Counter({u.telegram_id: 1 for u in people})

    async def test_resume_cron_requeues_running_broadcasts(
        self, committed_sessionmaker: Sessions, worker_ctx: Any
    ) -> None:
        ctx = await worker_ctx(make_settings())
        await ctx["redis"].flushdb()
        assert await resume_broadcasts(ctx) == "nothing running"
        await start_broadcast(committed_sessionmaker, 1)
        await ctx["redis"].flushdb()
        assert await resume_broadcasts(ctx) == "1 running"
        assert await ctx["redis"].zcard("arq:queue") == 1


class TestCrash:
    async def test_a_killed_job_task_resumes_without_duplicates(
        self, committed_sessionmaker: Sessions, emulator: Emulator, worker_ctx: Any
    ) -> None:
        emulator.delay = 0.05  # requests are in flight when the job dies
        broadcast, _ = await start_broadcast(committed_sessionmaker, 120)
        settings = worker_settings(emulator, broadcast_rate_per_second=100, broadcast_concurrency=8)
        ctx = await worker_ctx(settings)
        task = asyncio.create_task(send_broadcasts(ctx))
        await wait_until(lambda: len(emulator.bot.sent) >= 40)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        midway = await deliveries(committed_sessionmaker, broadcast.id)
        in_flight = sum(d.status == DeliveryStatus.sending for d in midway.values())
        assert 1 <= in_flight <= 8  # the crash left deliveries in flight, as a real one would

        await asyncio.sleep(0.2)  # let requests that reached the emulator finish there
        assert await send_broadcasts(ctx) == "idle"  # the resumed run
        rows = await deliveries(committed_sessionmaker, broadcast.id)
        unknown = assert_at_most_once_and_nothing_lost(emulator, rows)
        assert unknown == in_flight
        done = await stored(committed_sessionmaker, broadcast.id)
        assert done.status == BroadcastStatus.done
        assert done.sent + done.failed == 120 and done.failed == unknown
        assert len(emulator.bot.sent) >= 120 - unknown

    @pytest.mark.fault
    async def test_a_killed_worker_process_resumes_without_duplicates(
        self, committed_sessionmaker: Sessions, emulator: Emulator, worker_ctx: Any, settings: Settings
    ) -> None:
        emulator.delay = 0.03
        broadcast, _ = await start_broadcast(committed_sessionmaker, 150)
        env = {
            **os.environ,
            "ENVIRONMENT": "test",
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "JWT_SECRET_KEY": TEST_SECRETS["jwt_secret_key"],
            "SECRET_KEY": TEST_SECRETS["secret_key"],
            "BOT_SERVICE_TOKEN": TEST_SECRETS["bot_service_token"],
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": emulator.url,
            "BROADCAST_RATE_PER_SECOND": "60",
            "LOG_LEVEL": "WARNING",
        }
        # The production worker, started the way operators start it.
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "arq",
            "app.worker.settings.WorkerSettings",
            cwd=BACKEND_DIR,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            await wait_until(lambda: len(emulator.bot.sent) >= 50 or proc.returncode is not None)
            assert proc.returncode is None, "the worker exited on its own"
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
        sent_by_dead_worker = len(emulator.bot.sent)
        assert sent_by_dead_worker < 150

        await asyncio.sleep(0.2)
        ctx = await worker_ctx(worker_settings(emulator))
        # PostgreSQL frees the dead worker's sender lock once it sees the connection gone.
        result = await send_broadcasts(ctx)
        for _ in range(50):
            if result != "busy":
                break
            await asyncio.sleep(0.1)
            result = await send_broadcasts(ctx)
        assert result == "idle"
        rows = await deliveries(committed_sessionmaker, broadcast.id)
        unknown = assert_at_most_once_and_nothing_lost(emulator, rows)
        assert unknown <= 8
        done = await stored(committed_sessionmaker, broadcast.id)
        assert done.status == BroadcastStatus.done and done.sent + done.failed == 150


class TestTelegramFailures:
    async def test_a_5xx_is_an_unknown_outcome_and_never_resent(
        self, committed_sessionmaker: Sessions, emulator: Emulator
    ) -> None:
        broadcast, people = await start_broadcast(committed_sessionmaker, 3)
        broken = people[1].telegram_id

        async def flaky(scope: Scope, receive: Receive, send: Send) -> None:
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            if str(broken).encode() in body:
                emulator.bot.calls.append(("sendMessage", {"chat_id": broken}))
                payload = b'{"ok":false,"error_code":502,"description":"Bad Gateway"}'
                await send({"type": "http.response.start", "status": 502, "headers": []})
                await send({"type": "http.response.body", "body": payload})
                return

            async def replay() -> dict[str, Any]:
                return {"type": "http.request", "body": body, "more_body": False}

            await emulator.bot.app(scope, replay, send)

        async with BackgroundServer(flaky) as url:
            await run_worker_burst(make_settings(telegram_bot_token=TOKEN, telegram_api_url=url))
        rows = await deliveries(committed_sessionmaker, broadcast.id)
        assert rows[broken].status == DeliveryStatus.failed
        assert (rows[broken].error or "").startswith("unknown: ")
        assert sum(1 for m, p in emulator.bot.calls if p.get("chat_id") == broken) == 1
        assert (await stored(committed_sessionmaker, broadcast.id)).sent == 2

    async def test_unreachable_telegram_is_retried_with_backoff_then_given_up(self) -> None:
        from app.broadcasts.sender import MAX_ATTEMPTS, BroadcastSender
        from app.broadcasts.throttle import TokenBucket
        from app.integrations.telegram.client import BotApiClient
        from fakes.server import free_port

        clock = {"now": 0.0}

        async def sleep(seconds: float) -> None:
            clock["now"] += seconds

        bucket = TokenBucket(1000, clock=lambda: clock["now"], sleep=sleep)
        async with httpx.AsyncClient() as http:
            client = BotApiClient(f"http://127.0.0.1:{free_port()}", TOKEN, http)
            sender = BroadcastSender(client, None, bucket, concurrency=1)  # type: ignore[arg-type]
            outcome = await sender._send(1, "hi", "HTML")
        assert outcome.status == DeliveryStatus.failed
        assert outcome.error == f"gave up after {MAX_ATTEMPTS} attempts"
        # Nothing left the machine, so it waited (2, 4, 8, 16, 30, 30 s) and tried again each time.
        assert clock["now"] >= 2 + 4 + 8 + 16 + 30
