"""Rate limits and login lockout, kept in Redis so every API replica shares them."""
