"""Credentials shared by every caller type: password hashing, JWTs and their revocation."""
