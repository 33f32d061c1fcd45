"""The typed HTTP client of the backend API."""
