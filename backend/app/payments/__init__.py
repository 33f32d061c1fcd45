"""Payments: provider invoices, the webhook inbox, crediting, polling, refunds and the admin views."""
