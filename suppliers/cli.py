"""``flask suppliers …``: check credit codes, list the verification queue."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from suppliers import uscc

suppliers_cli = AppGroup("suppliers", help="Suppliers and their verification.")

AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监管（工商）",
    "A": "中央军委改革和编制办公室",
    "N": "农业农村",
    "Y": "其他",
}


@suppliers_cli.command("check-uscc")
@click.argument("code")
def check_uscc(code: str) -> None:
    """Check a 统一社会信用代码 (GB 32100-2015) and print its parts, or why it is invalid."""
    from suppliers.errors import InvalidUSCC

    try:
        parsed = uscc.parse(code)
    except uscc.USCCError as exc:
        error = InvalidUSCC(exc.reason, code)
        texts = error.texts()
        click.echo(f"invalid ({exc.reason}): {uscc.normalise(code)}", err=True)
        click.echo(f"  {texts['zh_CN']}", err=True)
        click.echo(f"  {texts['en']}", err=True)
        normalised = uscc.normalise(code)
        if exc.reason == "check_character":
            expected = uscc.check_character(normalised[:17])
            click.echo(f"  check character for the first 17: {expected}", err=True)
        sys.exit(1)
    click.echo(f"valid: {parsed.code}")
    click.echo(f"  authority       {parsed.authority}  {AUTHORITIES.get(parsed.authority, '')}")
    click.echo(f"  entity type     {parsed.entity_type} {parsed.entity_name or ''}")
    click.echo(f"  division        {parsed.division_code} {_region_name(parsed.division_code)}")
    click.echo(f"  organisation    {parsed.code[8:17]}")
    click.echo(f"  check character {parsed.code[17]}")


def _region_name(code: str) -> str:
    """The division's name if the regions are loaded (a code may be a former division)."""
    try:
        from yipin.db import db
        from yipin.regions.models import Region

        for candidate in (code, code[:4], code[:2]):
            region = db.session.get(Region, candidate)
            if region is not None:
                return region.full_name + ("" if candidate == code else " …")
    except Exception:  # no database configured: the parts are still useful
        return ""
    return ""


@suppliers_cli.command("make-uscc")
@click.argument("first17")
def make_uscc(first17: str) -> None:
    """Complete 17 characters with their check character (test data)."""
    prefix = uscc.normalise(first17)
    if len(prefix) != 17 or any(ch not in uscc.CHARSET for ch in prefix):
        raise click.BadParameter("17 characters of 0-9 and A-Y without I, O, S, V, Z")
    click.echo(uscc.make(prefix))


@suppliers_cli.command("queue")
@click.option("--status", default="pending", show_default=True, help="pending, verified, …")
def queue(status: str) -> None:
    """List suppliers with a status (the verification queue by default)."""
    from suppliers import queries
    from suppliers.models import SupplierStatus
    from yipin.db import db

    try:
        wanted = SupplierStatus(status)
    except ValueError:
        raise click.BadParameter(", ".join(s.value for s in SupplierStatus)) from None
    page = queries.verification_queue(db.session, queries.QueueFilter(status=wanted), 1, 500)
    for s in page.items:
        click.echo(f"{s.id:>6}  {s.uscc}  {s.created_at:%Y-%m-%d}  {s.name}")
    click.echo(f"{page.total} {wanted.value}")
