"""Catalog actions: typed functions that change state (flush, never commit)."""
