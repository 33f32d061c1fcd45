"""API keys for third parties, managed by the owner (authentication itself lives in admin_auth)."""
