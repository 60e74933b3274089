"""The registries the core offers, and what a domain plugs into them.

The core (``yipin/``) knows no domain. Each domain package describes what it brings in one
``Domain`` (its ``domain.py``); the composition root (``wsgi.py``) lists the domains in
dependency order and ``yipin.build_app`` registers them on the app, in that order:

- model modules (their tables join the metadata that Alembic and ``create_all`` see),
- HTML blueprints and API blueprints (with their URL prefix),
- task modules (importing one registers its outbox handlers),
- CLI command groups,
- seed steps: reference data (``flask setup``) and the demo (``flask seed demo``), each domain
  seeding its own tables,
- health checks (the components ``/healthz`` reports besides the database and the job queue),
- the pages the core links to: the site's home, each role's home (where login lands, what the
  header links to), links in named slots of core pages (``signup``),
- the supplier directory the core's access rules ask (does a supplier exist, which suppliers
  lie in a bureau's region),
- the package's translation catalog and the template globals it offers,
- the outbox topics whose commit changes what public pages show (``yipin.freshness``).

The app keeps them in one ``Platform`` (``current()``), which core code and core templates ask
instead of naming another package's endpoints or models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

import click
from flask import Blueprint, Flask, current_app
from sqlalchemy.orm import Session

from yipin.accounts.models import Role

if TYPE_CHECKING:
    from flask_smorest import Blueprint as ApiBlueprint

    from yipin.seed.context import Login, SeedContext

HealthCheck = Callable[[Flask], dict[str, Any]]  # {"ok": bool, "mode": "embedded" | "real", …}


@dataclass(frozen=True)
class Link:
    """A page of a domain that a core page links to (without a label, the link is not shown)."""

    endpoint: str
    label: Any = None  # a lazy (translatable) string
    lead: Any = None  # text in front of the link


class SupplierDirectory(Protocol):
    """What the core's access rules ask about suppliers (the suppliers domain answers)."""

    def exists(self, session: Session, supplier_id: int) -> bool:
        """Is there a supplier with this id (staff accounts belong to one)?"""
        ...

    def ids_in_region(self, region_code: str) -> Any:
        """A SELECT of the ids of the suppliers located in a region (a bureau's scope)."""
        ...


@dataclass(frozen=True)
class Domain:
    """What one domain package plugs into the core. All but ``name`` and ``root`` optional."""

    name: str  # the package's name: suppliers, catalog, …
    root: Path  # the package's folder; its ``translations/`` catalog is merged into the app's
    models: Sequence[ModuleType] = ()
    blueprints: Sequence[Blueprint] = ()  # HTML; each carries its own url_prefix
    api: Sequence[tuple[ApiBlueprint, str]] = ()  # flask-smorest blueprint, URL prefix
    tasks: Sequence[ModuleType] = ()  # modules whose import registers outbox handlers
    commands: Sequence[click.Command] = ()  # ``flask <group> …``
    seed_reference: Callable[[Session], Mapping[str, int]] | None = None  # idempotent; counts
    seed_demo: Callable[[SeedContext], None] | None = None  # its part of the demo platform
    demo_logins: Callable[[], Sequence[Login]] | None = None  # demo accounts to print
    health: Mapping[str, HealthCheck] = field(default_factory=dict)  # component → its check
    site_home: str | None = None  # endpoint of the public home page (one domain gives it)
    homes: Mapping[Role, Link] = field(default_factory=dict)  # each role's home page
    links: Mapping[str, Sequence[Link]] = field(default_factory=dict)  # slot → links
    supplier_directory: SupplierDirectory | None = None  # one domain gives it
    template_globals: Mapping[str, Any] = field(default_factory=dict)
    # outbox topics whose commit changes what public pages show → the version scope they bump
    # (``yipin.freshness``: catalog, stock or search)
    page_topics: Mapping[str, str] = field(default_factory=dict)


class Platform:
    """The app's registry of its domains (``app.extensions["yipin.platform"]``)."""

    def __init__(self, domains: Sequence[Domain]) -> None:
        names = [d.name for d in domains]
        if len(set(names)) != len(names):
            raise ValueError(f"a domain is listed twice: {names}")
        self.domains = tuple(domains)
        self.site_home: str = self._exactly_one("site_home")
        self.supplier_directory: SupplierDirectory = self._exactly_one("supplier_directory")
        self._homes: dict[Role, Link] = {}
        for domain in domains:
            for role, link in domain.homes.items():
                if role in self._homes:
                    raise ValueError(f"two domains give the {role} role a home page")
                self._homes[role] = link
        self.page_topics: dict[str, str] = {}
        for domain in domains:
            self.page_topics.update(domain.page_topics)
        homeless = [str(role) for role in Role if role not in self._homes]
        if homeless:
            raise ValueError(f"no domain gives these roles a home page: {homeless}")

    def _exactly_one(self, kind: str) -> Any:
        given = [getattr(d, kind) for d in self.domains if getattr(d, kind) is not None]
        if len(given) != 1:
            raise ValueError(f"exactly one domain must give the {kind}; {len(given)} do")
        return given[0]

    def home(self, role: Role | str) -> Link:
        """A role's home page: where login lands; the header links to it when it has a label."""
        return self._homes[Role(role)]

    def links(self, slot: str) -> list[Link]:
        """The links the domains put in a named slot of a core page, in domain order."""
        return [link for domain in self.domains for link in domain.links.get(slot, ())]

    def health_checks(self) -> Iterator[tuple[str, HealthCheck]]:
        for domain in self.domains:
            yield from domain.health.items()

    def reference_seeds(self) -> list[Callable[[Session], Mapping[str, int]]]:
        return [d.seed_reference for d in self.domains if d.seed_reference]

    def demo_seeds(self) -> list[Callable[[SeedContext], None]]:
        return [d.seed_demo for d in self.domains if d.seed_demo]

    def demo_logins(self) -> list[Login]:
        return [login for d in self.domains if d.demo_logins for login in d.demo_logins()]


def current() -> Platform:
    """The current app's platform."""
    return current_app.extensions["yipin.platform"]  # type: ignore[no-any-return]


def install(app: Flask, domains: Sequence[Domain]) -> Platform:
    """Register every domain's contributions on the app (called once by ``build_app``)."""
    from yipin import i18n
    from yipin.extensions import api

    platform = Platform(domains)
    app.extensions["yipin.platform"] = platform
    for domain in domains:
        i18n.add_translations(app, domain.root)
        for blueprint in domain.blueprints:
            app.register_blueprint(blueprint)
        for api_blueprint, prefix in domain.api:
            api.register_blueprint(api_blueprint, url_prefix=prefix)
        for command in domain.commands:
            app.cli.add_command(command)
        app.jinja_env.globals.update(domain.template_globals)
    app.jinja_env.globals["platform"] = platform
    return platform
