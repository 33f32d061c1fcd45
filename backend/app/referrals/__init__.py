"""Referral rewards: a share of invited customers' top-ups and first-payment bonuses."""
