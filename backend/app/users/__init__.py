"""Customers: the bot's service login, the customer token, and the customer's own profile."""
