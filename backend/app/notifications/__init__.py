"""Messages to customers and staff through the Bot API, sent by the worker after commit."""
