"""Middlewares: error boundary (and later user, locale, throttling)."""
