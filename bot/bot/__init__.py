"""VPN shop Telegram bot: aiogram 3, talking to the backend API over HTTP."""
