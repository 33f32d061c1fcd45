"""Customer support: tickets opened in the bot, answered by staff in the admin panel."""
