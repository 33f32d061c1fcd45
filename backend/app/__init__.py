"""VPN shop backend: API, worker, migrations."""
