"""Purchases and renewals: server-side prices, balance debit or a top-up for the missing amount."""
