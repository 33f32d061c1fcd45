"""Money tests: the books must balance after every test."""

from tests.money import books_balance, committed_sessionmaker

__all__ = ["books_balance", "committed_sessionmaker"]
