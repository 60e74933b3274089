"""Marshmallow schemas of the cart, checkout, orders, payments and after-sales API, one module per
resource (``cart``, ``checkout``, ``orders``, ``after_sales``, ``addresses``, ``operators``;
``common`` holds the fields they share).

Inputs are strict: ids, quantities and amounts of fen are integers (``"3"`` or ``3.0`` is
refused with 422), amounts are never negative, text has a length limit. Money is integer fen.
"""
