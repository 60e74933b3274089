"""Catalog's traceability (溯源): batches and their 承诺达标合格证, tests, certificates, market-
supervision samples and the public trace page a 合格证's QR code leads to.

| module | holds |
| --- | --- |
| ``batches`` | actions: create a batch (its 合格证), record a test, close, delist (recall) |
| ``certifications`` | actions: add / edit / revoke a certificate, an application's SC licence |
| ``expiry`` | the daily run that tells holders about expiring and expired certificates |
| ``sampling`` | action: record a market-supervision sample (a failure recalls the batch) |
| ``queries`` | reads: a batch by code, its 合格证 fields, the trace page, certificates shown |
| ``errors`` | domain errors with bilingual messages |
| ``pdf`` | the printable 合格证 with its QR code |
| ``views`` | public pages ``/t/<code>`` (consumers) |
| ``portal``, ``forms`` | supplier portal pages ``/supplier/trace/…`` and their forms |
| ``api``, ``schemas`` | JSON ``/batches``, ``/certifications``, ``/sampling-records``, ``/trace`` |

See catalog/TRACE.md for the rules.
"""
