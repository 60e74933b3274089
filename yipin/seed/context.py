"""What demo seeding steps share: the session, a seeded random generator, what earlier steps
made that later ones build on."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

from yipin.seed import Echo

T = TypeVar("T")
DEMO_PASSWORD = "Gannan2026"


@dataclass
class Login:
    role: str
    login: str
    name: str
    note: str = ""


@dataclass
class SeedContext:
    session: Session
    rng: random.Random
    echo: Echo
    # supplier id -> brand slugs it grows or makes (the catalog seed lists products by these)
    focus: dict[int, list[str]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def progress(self, items: Iterable[T], label: str) -> Iterator[T]:
        """Iterate with a progress bar on the terminal."""
        items = list(items)
        with click.progressbar(items, label=f"{label:<10}", show_pos=True) as bar:
            yield from bar
