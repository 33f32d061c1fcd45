"""Clients of outside services: one class per service, base URL from settings, errors translated."""
