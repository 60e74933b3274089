"""Accounts: users and roles, login, API tokens, and the one place access is decided."""
