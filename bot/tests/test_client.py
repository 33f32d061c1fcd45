"""BackendClient: against the real backend for today's endpoints, against the agreed contract
(tests/contract.py) for the endpoints other branches are building."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest

from bot.api.client import BackendClient, TelegramIdentity
from bot.api.errors import BackendError, BackendUnavailable
from tests.conftest import new_user_id
from tests.contract import SERVICE_TOKEN, ContractBackend, subscription


class CountingTransport(httpx.AsyncBaseTransport):
    """The real network transport, counting requests per path."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(f"{request.method} {request.url.path}")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class TestAgainstTheBackend:
    async def test_one_login_then_cached_token(self, backend_url: str) -> None:
        from tests.conftest import SERVICE_TOKEN as REAL_TOKEN

        transport = CountingTransport()
        api = BackendClient(backend_url, REAL_TOKEN, transport=transport)
        who = TelegramIdentity(
            telegram_id=new_user_id(), username="anna", first_name="Anna", language_code="en"
        )
        auth = await api.login(who)
        assert auth.created is True and auth.user.language == "en"
        profile = await api.me(who)
        await api.me(who)
        assert str(profile.balance) == "0.00"
        assert profile.subscription_url.startswith("https://shop.test/sub/")
        assert transport.paths.count("POST /api/v1/auth/telegram") == 1
        assert api.cached_profile(who.telegram_id) == profile

        changed = await api.set_language(who, "ru")
        assert changed.language == "ru"
        assert api.cached_profile(who.telegram_id) is not None
        assert api.cached_profile(who.telegram_id).language == "ru"  # type: ignore[union-attr]
        await api.close()

    async def test_a_refused_cached_token_is_renewed_once(self, api: BackendClient) -> None:
        who = TelegramIdentity(telegram_id=new_user_id())
        await api.login(who)
        api._sessions[who.telegram_id].token = "not-a-token"
        profile = await api.me(who)
        assert profile.telegram_id == who.telegram_id
        assert api._sessions[who.telegram_id].token != "not-a-token"

    async def test_catalog_and_subscriptions(self, api: BackendClient) -> None:
        locations = await api.locations()
        assert all(loc.available for loc in locations)
        if locations:
            plans = await api.tariffs(locations[0].id)
            assert all(p.location_id in (None, locations[0].id) for p in plans)
        who = TelegramIdentity(telegram_id=new_user_id())
        # None while this backend has no subscriptions endpoint; an empty list once it has.
        assert await api.subscriptions(who) in (None, [])

    async def test_wrong_service_token_is_a_backend_error(self, backend_url: str) -> None:
        client = BackendClient(backend_url, "x" * 40)
        with pytest.raises(BackendError) as exc:
            await client.login(TelegramIdentity(telegram_id=1))
        assert exc.value.status == 401
        assert exc.value.route_missing is False
        await client.close()

    async def test_unreachable_backend(self) -> None:
        client = BackendClient("http://127.0.0.1:1", "x" * 40, timeout=1)
        with pytest.raises(BackendUnavailable):
            await client.login(TelegramIdentity(telegram_id=1))
        await client.close()


@pytest.fixture
async def contract() -> ContractBackend:
    return ContractBackend()


@pytest.fixture
async def capi(contract: ContractBackend) -> BackendClient:
    return BackendClient("http://backend.test", SERVICE_TOKEN, transport=contract.transport())


WHO = TelegramIdentity(telegram_id=5001, first_name="Anna", language_code="ru")


class TestRetries:
    async def test_idempotent_calls_are_retried(self, contract: ContractBackend, capi: BackendClient) -> None:
        contract.failures["GET /locations"] = [503, 502]
        assert await capi.locations() == []
        assert sum(1 for r in contract.requests if r.url.path == "/api/v1/locations") == 3

    async def test_retries_give_up(self, contract: ContractBackend, capi: BackendClient) -> None:
        contract.failures["GET /locations"] = [503, 503, 503]
        with pytest.raises(BackendUnavailable):
            await capi.locations()

    async def test_a_purchase_is_never_retried(self, contract: ContractBackend, capi: BackendClient) -> None:
        contract.failures["POST /users/me/purchases"] = [503]
        with pytest.raises(BackendUnavailable):
            await capi.purchase(WHO, uuid.uuid4(), uuid.uuid4())
        assert sum(1 for r in contract.requests if r.url.path.endswith("/purchases")) == 1

    async def test_rate_limit_carries_retry_after(self, capi: BackendClient) -> None:
        transport = httpx.MockTransport(
            lambda r: httpx.Response(
                429, json={"error": "RateLimited", "detail": "slow"}, headers={"Retry-After": "7"}
            )
        )
        client = BackendClient("http://backend.test", SERVICE_TOKEN, transport=transport)
        with pytest.raises(BackendError) as exc:
            await client.locations()
        assert (exc.value.code, exc.value.retry_after) == ("RateLimited", 7)


class TestPhaseTwoContract:
    async def test_subscriptions(self, contract: ContractBackend, capi: BackendClient) -> None:
        await capi.login(WHO)
        assert await capi.subscriptions(WHO) == []
        contract.subscriptions[WHO.telegram_id] = [subscription("Netherlands", "🇳🇱")]
        [sub] = await capi.subscriptions(WHO) or []
        assert sub.location.name == "Netherlands" and sub.days_left == 30
        assert (await capi.subscription(WHO, sub.id)).id == sub.id
        assert (await capi.set_auto_renew(WHO, sub.id, True)).auto_renew is True
        with pytest.raises(BackendError) as exc:
            await capi.subscription(WHO, uuid.uuid4())
        assert exc.value.not_found and not exc.value.route_missing

        contract.missing_routes.add("GET /users/me/subscriptions")
        assert await capi.subscriptions(WHO) is None

    async def test_trial_and_link_rotation(self, capi: BackendClient) -> None:
        trial = await capi.start_trial(WHO)
        assert trial.is_trial is True
        with pytest.raises(BackendError) as exc:
            await capi.start_trial(WHO)
        assert exc.value.code == "TrialAlreadyUsed" and exc.value.status == 409
        rotated = await capi.rotate_subscription_url(WHO)
        assert rotated.subscription_url.endswith("-new")
        assert capi.cached_profile(WHO.telegram_id) == rotated

    async def test_money(self, contract: ContractBackend, capi: BackendClient) -> None:
        [method] = await capi.payment_methods()
        assert (method.method, method.min_amount, method.sandbox) == ("cryptopay", Decimal("50.00"), True)
        topup = await capi.create_topup(WHO, Decimal("150"), "cryptopay")
        assert topup.pay_url == "https://pay.test/inv/1" and topup.amount == Decimal("150.00")
        assert contract.requests[-1].content == b'{"amount":"150.00","method":"cryptopay"}'

        loc = contract.add_location("Netherlands", "🇳🇱")
        plan = contract.add_tariff(loc, "1 месяц", 30, "49.00")
        with pytest.raises(BackendError) as exc:
            await capi.purchase(WHO, uuid.UUID(plan["id"]), uuid.UUID(loc["id"]))
        assert exc.value.code == "InsufficientBalance"
        pending = await capi.purchase(
            WHO,
            uuid.UUID(plan["id"]),
            uuid.UUID(loc["id"]),
            method="cryptopay",
            promo_code="SALE",
            subscription_id=uuid.uuid4(),
        )
        assert pending.status == "payment_required" and pending.payment is not None
        assert pending.payment.pay_url == "https://pay.test/inv/2"
        contract.users[WHO.telegram_id]["balance"] = "100.00"
        done = await capi.purchase(WHO, uuid.UUID(plan["id"]), uuid.UUID(loc["id"]))
        assert done.status == "completed" and done.subscription is not None

        assert await capi.payments(WHO) == []
        [entry] = await capi.balance_history(WHO)
        assert entry.kind == "topup" and entry.amount == Decimal("150.00")
        promo = await capi.apply_promo(WHO, "GIFT")
        assert promo.amount == Decimal("50.00")
        referrals = await capi.referrals(WHO)
        assert referrals is not None and (referrals.invited, referrals.earned) == (2, Decimal("30.00"))
        contract.missing_routes.add("GET /users/me/referrals")
        assert await capi.referrals(WHO) is None

    async def test_stars_forwarding_uses_the_service_token(self, capi: BackendClient) -> None:
        check = await capi.stars_pre_checkout(
            {"id": "q1", "invoice_payload": "payment:1", "total_amount": 50}
        )
        assert check.ok is True
        refused = await capi.stars_pre_checkout({"id": "q2", "invoice_payload": "junk"})
        assert (refused.ok, refused.error_message) == (False, "Unknown invoice")
        paid = await capi.stars_paid({"telegram_payment_charge_id": "c1", "invoice_payload": "payment:1"})
        assert paid.status == "paid"

    async def test_support_and_shop_info(self, contract: ContractBackend, capi: BackendClient) -> None:
        ticket = await capi.create_ticket(WHO, "Не подключается", "Ошибка таймаута")
        assert ticket.subject == "Не подключается"
        [listed] = await capi.tickets(WHO)
        assert (await capi.ticket(WHO, listed.id)).messages[0].text == "Не работает"
        replied = await capi.reply_ticket(WHO, listed.id, "Спасибо")
        assert replied.messages[-1].text == "Спасибо"
        assert (await capi.close_ticket(WHO, listed.id)).status == "closed"
        info = await capi.shop_info()
        assert info is not None and (info.shop_name, info.support_contact) == ("Test VPN", "@support")
        contract.missing_routes.add("GET /shop-info")
        assert await capi.shop_info() is None

    async def test_blocked_customer_is_forgotten(
        self, contract: ContractBackend, capi: BackendClient
    ) -> None:
        await capi.login(WHO)
        contract.blocked.add(WHO.telegram_id)
        with pytest.raises(BackendError) as exc:
            await capi.me(WHO)
        assert exc.value.code == "UserBlocked"
        capi.forget(WHO.telegram_id)
        assert capi.cached_profile(WHO.telegram_id) is None
