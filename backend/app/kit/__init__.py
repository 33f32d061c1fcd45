"""Small shared helpers: crypto, pagination, money, time, repository base."""
