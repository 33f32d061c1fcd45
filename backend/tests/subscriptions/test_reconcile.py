"""The drift report between panels and the database, and its one-call fixes."""

from __future__ import annotations

from arq.connections import ArqRedis
from sqlalchemy import update

from app.db import unit_of_work
from app.models import Subscription
from app.models.enums import SubscriptionStatus
from app.subscriptions import reconcile
from app.subscriptions.errors import ReconcileItemNotFound
from tests.subscriptions.conftest import World


class TestReconcile:
    async def test_report_and_fix_every_kind(self, world: World, redis: ArqRedis) -> None:
        in_line = await world.active()
        mismatched = await world.active()
        missing = await world.active()
        orphaned = await world.active()
        # Someone changed a client by hand, deleted another; a subscription failed after its client was made.
        world.client(mismatched)["expiryTime"] = 0
        world.client(mismatched)["enable"] = False
        for inbound_id, client in world.fake.find(missing.panel_identity):
            world.fake._inbound(inbound_id)["settings"]["clients"].remove(client)  # type: ignore[index]
        async with unit_of_work(world.sessions) as s:
            await s.execute(
                update(Subscription)
                .where(Subscription.id == orphaned.id)
                .values(status=SubscriptionStatus.failed)
            )

        report = await reconcile.build_report(world.sessions, world.pool.get)
        await reconcile.store_report(redis, report)
        kinds = {(i.kind, i.identity): i for i in report.items}
        assert set(kinds) == {
            ("foreign_client", "owner-phone"),
            ("state_mismatch", mismatched.panel_identity),
            ("missing_client", missing.panel_identity),
            ("orphan_client", orphaned.panel_identity),
        }
        assert kinds["foreign_client", "owner-phone"].fix is None
        detail = kinds["state_mismatch", mismatched.panel_identity].detail
        assert "expiry: panel never" in detail and "enabled: panel off, shop on" in detail
        assert report.servers[0]["clients"] == 4 and report.servers[0]["drift"] == 4
        assert in_line.panel_identity not in {i.identity for i in report.items}

        for kind, identity in list(kinds):
            outcome = await reconcile.fix_item(
                world.sessions, redis, world.pool.get, kinds[kind, identity].id
            )
            assert outcome != "panel unreachable, try again later"
        assert [i.kind for i in (await reconcile.load_report(redis)).items] == ["foreign_client"]
        again = await reconcile.build_report(world.sessions, world.pool.get)
        assert [(i.kind, i.identity) for i in again.items] == [("foreign_client", "owner-phone")]
        assert world.fake.find("owner-phone")  # never touched
        assert world.fake.find(orphaned.panel_identity) == []
        assert world.client(mismatched)["enable"] is True and world.client(missing)

    async def test_unreachable_server_is_listed_with_its_error(self, world: World, redis: ArqRedis) -> None:
        world.fake.faults.fail_all = True
        report = await reconcile.build_report(world.sessions, world.pool.get)
        assert report.items == [] and "HTTP 500" in str(report.servers[0]["error"])
        await reconcile.store_report(redis, report)
        try:
            await reconcile.fix_item(world.sessions, redis, world.pool.get, "orphan_client:x:y")
        except ReconcileItemNotFound:
            pass
        else:
            raise AssertionError("an unknown item must be refused")

    async def test_pending_clients_are_left_to_provisioning(self, world: World) -> None:
        sub = await world.active()
        async with unit_of_work(world.sessions) as s:
            await s.execute(
                update(Subscription)
                .where(Subscription.id == sub.id)
                .values(status=SubscriptionStatus.pending)
            )
        report = await reconcile.build_report(world.sessions, world.pool.get)
        assert sub.panel_identity not in {i.identity for i in report.items}
