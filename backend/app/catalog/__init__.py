"""Locations and tariffs: public read of what is for sale, admin CRUD."""
