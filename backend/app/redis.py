"""The Redis connection: one arq client used for the queue, revocations, rate limits and caches."""

from __future__ import annotations

from arq.connections import ArqRedis, RedisSettings
from redis.asyncio import BlockingConnectionPool

from app.config import Settings


def redis_settings(settings: Settings) -> RedisSettings:
    """arq's RedisSettings from REDIS_URL, for the worker process."""
    rs = RedisSettings.from_dsn(settings.redis_url)
    rs.conn_timeout = 2
    rs.conn_retries = 30
    rs.conn_retry_delay = 1
    rs.max_connections = settings.redis_max_connections
    return rs


def create_redis(settings: Settings) -> ArqRedis:
    """A client that connects lazily (the API starts while Redis is down) and waits for a free
    connection instead of failing when the pool is busy (redis-py's default pool raises)."""
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        timeout=5,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
        encoding="utf8",
    )
    return ArqRedis(pool_or_conn=pool)
