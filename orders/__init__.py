"""Carts, checkout, orders split per supplier, payments, refunds and after-sales."""
