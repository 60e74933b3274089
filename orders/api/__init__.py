"""JSON API of the order side (flask-smorest, under ``/api/v1``): one blueprint per resource.

Every operation declares its success body and its error bodies (``ErrorSchema``), and whether
it is public (the cart, pickup points, the Stripe webhook) or needs a bearer token or the site's
session. Ids, quantities and fen are strict integers.
"""
