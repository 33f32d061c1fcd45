"""Seed a benchmark database in bulk with SQL (100k users, 200k subscriptions, 500k payments by default)."""

from __future__ import annotations

import asyncio

import asyncpg

SEED_SQL = """
INSERT INTO locations (id, name, country_code, flag_emoji, is_active, sort_order)
SELECT gen_random_uuid(), n, c, f, true, o FROM (VALUES
  ('USA', 'US', '🇺🇸', 0), ('Netherlands', 'NL', '🇳🇱', 1), ('Germany', 'DE', '🇩🇪', 2),
  ('Singapore', 'SG', '🇸🇬', 3)) AS v(n, c, f, o)
ON CONFLICT (name) DO NOTHING;

INSERT INTO tariffs (id, name, duration_days, price, currency, device_limit, is_active, sort_order)
SELECT gen_random_uuid(), n, d, p, 'RUB', 3, true, o FROM (VALUES
  ('1 месяц', 30, 49.00, 0), ('3 месяца', 90, 129.00, 1), ('6 месяцев', 180, 249.00, 2),
  ('Навсегда', NULL, 599.00, 3)) AS v(n, d, p, o)
WHERE NOT EXISTS (SELECT 1 FROM tariffs);

INSERT INTO servers (id, location_id, name, panel_type, panel_url, settings, max_users, is_active, health)
SELECT gen_random_uuid(), l.id, lower(l.country_code) || '-' || s, '3x-ui', 'http://127.0.0.1:1/p/',
       '{"inbound_ids": [1]}'::jsonb, 100000, true, 'ok'
FROM locations l CROSS JOIN generate_series(1, 2) s
ON CONFLICT (name) DO NOTHING;

INSERT INTO users (id, telegram_id, username, first_name, last_name, language, balance, referral_code,
                   sub_token, created_at, updated_at)
SELECT gen_random_uuid(), 1000000000 + i, 'user' || i, 'Имя' || (i % 5000), 'Фамилия' || (i % 3000),
       CASE WHEN i % 5 = 0 THEN 'en' ELSE 'ru' END, 0, 'r' || lpad(to_hex(i), 10, '0'),
       md5('sub' || i::text) || md5('tok' || i::text),
       now() - ((i % 365) * interval '1 day') - ((i % 86400) * interval '1 second'), now()
FROM generate_series(1, $1::int) i;

CREATE TEMP TABLE seed_users AS
SELECT id, row_number() OVER (ORDER BY telegram_id) AS n FROM users;
CREATE INDEX ON seed_users (n);
CREATE TEMP TABLE seed_servers AS
SELECT s.id, s.location_id, row_number() OVER (ORDER BY s.name) - 1 AS n FROM servers s;

INSERT INTO subscriptions (id, user_id, location_id, server_id, tariff_id, status, starts_at, ends_at,
                           duration_days, panel_identity, config_url, traffic_used_bytes, device_limit,
                           created_at, updated_at)
SELECT gen_random_uuid(), u.id, sv.location_id, sv.id, NULL,
       (CASE WHEN i % 10 < 6 THEN 'active' WHEN i % 10 < 9 THEN 'expired' ELSE 'disabled' END)::subscription_status,
       now() - ((i % 200) * interval '1 day'),
       CASE WHEN i % 10 < 6 THEN now() + ((i % 90 + 1) * interval '1 day')
            ELSE now() - ((i % 30 + 1) * interval '1 day') END,
       30, 'b' || lpad(to_hex(i), 12, '0'), 'https://shop.bench/sub/x' || i, (i % 1000) * 1048576, 3,
       now() - ((i % 200) * interval '1 day'), now()
FROM generate_series(1, $2::int) i
JOIN seed_users u ON u.n = (i % $1::int) + 1
JOIN seed_servers sv ON sv.n = i % 8;

INSERT INTO payments (id, user_id, amount, currency, status, method, purpose, provider_payment_id,
                      paid_at, created_at, updated_at)
SELECT gen_random_uuid(), u.id, (ARRAY[49, 129, 249, 599, 100, 300])[1 + i % 6]::numeric, 'RUB',
       (CASE WHEN i % 10 < 8 THEN 'paid' WHEN i % 10 = 8 THEN 'expired' ELSE 'pending' END)::payment_status,
       (ARRAY['severpay', 'cryptopay', 'xrocket', 'stars'])[1 + i % 4]::payment_method,
       'topup'::payment_purpose, 'bench-' || i,
       CASE WHEN i % 10 < 8 THEN now() - ((i % 90) * interval '1 day') - ((i % 3600) * interval '1 second') END,
       now() - ((i % 90) * interval '1 day') - ((i % 3600) * interval '1 second'), now()
FROM generate_series(1, $3::int) i
JOIN seed_users u ON u.n = (i % $1::int) + 1;
"""


async def seed(dsn: str, users: int = 100_000, subscriptions: int = 200_000, payments: int = 500_000) -> None:
    """Fill the database (already migrated) and refresh planner statistics."""
    conn = await asyncpg.connect(dsn.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        async with conn.transaction():
            for statement in (s.strip() for s in SEED_SQL.split(";\n")):
                if not statement:
                    continue
                # asyncpg wants exactly as many arguments as the highest $n a statement uses.
                highest = max((i for i in (1, 2, 3) if f"${i}" in statement), default=0)
                await conn.execute(statement, *[users, subscriptions, payments][:highest])
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


if __name__ == "__main__":
    import os

    asyncio.run(seed(os.environ["DATABASE_URL"]))
