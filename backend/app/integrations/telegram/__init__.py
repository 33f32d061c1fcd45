"""The Telegram Bot API, as the worker uses it (notifications, broadcasts, Stars invoices)."""
