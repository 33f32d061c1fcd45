"""The audit log of admin writes."""
