"""Broadcasts: a message to a segment of customers, sent by a resumable, rate-limited job."""
