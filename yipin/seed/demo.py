"""``flask seed demo``: a believable Ganzhou platform on top of the reference data.

The core seeds the platform's accounts, then each domain's demo step runs (``Domain.seed_demo``,
in the composition root's order) with one ``SeedContext``. Seeding is deterministic for a given
``--seed`` and refuses to run twice.
"""

from __future__ import annotations

import random

import sqlalchemy as sa

from yipin import platform
from yipin.accounts.models import User
from yipin.db import commit, db
from yipin.seed import Echo, accounts
from yipin.seed.context import DEMO_PASSWORD, SeedContext


def run(random_seed: int, echo: Echo) -> None:
    from yipin.seed.reference import run as reference

    reference(echo)
    marker = sa.select(User).where(User.phone == accounts.OPERATOR_LOGIN)
    if db.session.scalar(marker) is not None:
        echo("demo data is already there; logins:")
        print_logins(echo)
        return
    ctx = SeedContext(session=db.session, rng=random.Random(random_seed), echo=echo)
    accounts.seed(ctx)
    for seed in platform.current().demo_seeds():
        seed(ctx)
        db.session.flush()
    commit()
    print_logins(echo)


def print_logins(echo: Echo) -> None:
    """Print the demo logins (all share one password)."""
    logins = accounts.demo_logins() + platform.current().demo_logins()
    echo("")
    echo(f"Demo logins (password for all: {DEMO_PASSWORD})")
    width = max(len(item.login) for item in logins)
    for item in logins:
        echo(f"  {item.role:<9} {item.login:<{width}}  {item.name}  {item.note}".rstrip())
