"""Operator tasks run from the command line: migrations under a lock, re-encryption after a key change."""
