"""Warehouses and stock; carriers, routing, waybills and tracking (RQ jobs)."""
