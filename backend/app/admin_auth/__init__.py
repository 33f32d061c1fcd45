"""Staff authentication: login, refresh rotation, logout, roles, API keys, admin accounts."""
