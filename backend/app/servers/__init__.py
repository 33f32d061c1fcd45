"""VPN servers (panels): admin CRUD, credentials encrypted at rest and never returned."""
