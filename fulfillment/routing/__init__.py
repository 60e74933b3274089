"""Routing, carriers, waybills and tracking (issue 9): the fulfillment engine room.

- ``models``: carriers and their services, coverage, zones, rates; routing rules and the
  decisions they made; fulfillment orders per warehouse, their lines, shipments (waybills),
  tracking events and SLA flags.
- ``network``: loading the carrier data (``fulfillment/data``) and operators' edits of it.
- ``facts``: what a decision reads, loaded in a fixed number of queries.
- ``engine``: the routing engine, plain functions over those facts.
- ``actions``: routing a sub-order, operator actions on fulfillment orders, waybills.
- ``adapters``: the carrier adapter interface, the manual adapter, the 快递100-style one.
- ``tracking``: normalised tracking events moving parcels, sub-orders and orders.
- ``sla``: the SLA monitor; ``jobs``: the RQ jobs and the worker.
"""
