"""The dashboard: the shop's numbers, computed by SQL aggregates."""
