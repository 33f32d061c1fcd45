"""Middlewares, in the order they run: throttling, the customer and their locale, callback answers,
and the error boundary."""
