"""Money movement: the balance ledger is the only way a balance changes."""
