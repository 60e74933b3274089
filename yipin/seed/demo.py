"""``flask seed demo``: a believable Ganzhou platform on top of the reference data.

Each step is a module with ``seed(ctx: SeedContext)``; later capabilities add theirs to
``STEPS``. Seeding is deterministic for a given ``--seed`` and refuses to run twice.
"""

from __future__ import annotations

import importlib
import random

import sqlalchemy as sa

from yipin.accounts.models import User
from yipin.db import commit, db
from yipin.seed import Echo
from yipin.seed.context import DEMO_PASSWORD, SeedContext

STEPS = [
    "suppliers.seed",  # accounts, 36 suppliers over the 18 counties, staff
    "catalog.seed",  # products, variants, batches, certificates, warehouses, stock
    "orders.seed",  # a year of orders through the checkout's actions, pickup points
]
MARKER_LOGIN = "13900000001"  # the demo operator


def run(random_seed: int, echo: Echo) -> None:
    from yipin.seed.reference import run as reference

    reference(echo)
    if db.session.scalar(sa.select(User).where(User.phone == MARKER_LOGIN)) is not None:
        echo("demo data is already there; logins:")
        print_logins(echo, None)
        return
    ctx = SeedContext(session=db.session, rng=random.Random(random_seed), echo=echo)
    for step in STEPS:
        module = importlib.import_module(step)
        module.seed(ctx)
        db.session.flush()
    commit()
    print_logins(echo, ctx)


def print_logins(echo: Echo, ctx: SeedContext | None) -> None:
    """Print the demo logins (all share one password)."""
    from suppliers.seed import DEMO_LOGINS

    logins = ctx.logins if ctx else DEMO_LOGINS()
    echo("")
    echo(f"Demo logins (password for all: {DEMO_PASSWORD})")
    width = max(len(item.login) for item in logins)
    for item in logins:
        echo(f"  {item.role:<9} {item.login:<{width}}  {item.name}  {item.note}".rstrip())
