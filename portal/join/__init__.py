"""Joining with a registration code: the /join form, its code check, terms, and what follows."""
