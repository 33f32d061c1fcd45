"""Promo codes: balance credits, purchase discounts and free days, each used once per customer."""
