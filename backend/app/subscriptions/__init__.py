"""Subscriptions: the lifecycle of a customer's VPN access (provision, extend, expire, renew) and its links."""
