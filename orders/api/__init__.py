"""JSON API of the order side (``yipin.api.Blueprint``, under ``/api/v1``): one blueprint per
resource.

Every operation declares who may call it (the cart, pickup points and the Stripe webhook are
public; the webhook verifies its signature), its success body, the refusals no schema can say
and its words in both languages. Ids, quantities and fen are strict integers.
"""
