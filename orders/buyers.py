"""Buyer type (买方类型) from the invoice details, recorded on the order for reward reports.

- individual (个人): no organisation; a personal invoice may carry the person's name;
- 行政事业单位: a 统一社会信用代码 of type ``11`` (机关) or ``12`` (事业单位), recognised from
  the code;
- 预算单位 under government procurement (832-style): a code of the 机构编制 authority (``1x``)
  buying with a procurement plan / contract number;
- 国有企业: an enterprise code on the operators' list (``StateOwnedEnterprise``); a buyer may
  also declare it, recorded as a declaration until an operator adds the code to the list;
- otherwise an organisation is a private enterprise (民营企业; also cooperatives, 个体工商户 and
  social organisations).

The code is checked with the suppliers' GB 32100-2015 validation (``suppliers.uscc``).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orders.errors import InvalidBuyer
from orders.models import BuyerType, BuyerTypeBasis, StateOwnedEnterprise
from suppliers import uscc
from suppliers.errors import InvalidUSCC
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.errors import Conflict, Forbidden, NotFound
from yipin.i18n import _l

INSTITUTION_TYPES = ("11", "12")  # 机关, 事业单位
BUDGET_AUTHORITY = "1"  # 机构编制: 机关, 事业单位, 群众团体
ENTERPRISE_TYPE = "91"


@dataclass
class BuyerDetails:
    """What the buyer enters at checkout (invoice title, 统一社会信用代码, declarations)."""

    organisation: bool = False
    invoice_requested: bool = False
    invoice_title: str | None = None
    uscc: str | None = None
    declares_state_owned: bool = False
    procurement_reference: str | None = None


@dataclass(frozen=True)
class Buyer:
    """The recognised buyer, as stored on the order."""

    buyer_type: BuyerType
    basis: BuyerTypeBasis
    invoice_requested: bool
    invoice_title: str | None
    uscc: str | None
    state_owned_declared: bool
    procurement_reference: str | None


INDIVIDUAL = Buyer(BuyerType.INDIVIDUAL, BuyerTypeBasis.NONE, False, None, None, False, None)


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def state_owned_codes(session: Session, codes: list[str]) -> set[str]:
    if not codes:
        return set()
    return set(
        session.scalars(
            sa.select(StateOwnedEnterprise.uscc).where(StateOwnedEnterprise.uscc.in_(codes))
        )
    )


def recognise(session: Session, details: BuyerDetails) -> Buyer:
    """The buyer type of an order from its invoice details (raises ``InvalidBuyer`` /
    ``InvalidUSCC`` with the field at fault)."""
    title = _clean(details.invoice_title, 120)
    if not details.organisation:
        if details.invoice_requested and not title:
            raise InvalidBuyer(_l("Give the name for the invoice."), field="invoice_title")
        return Buyer(
            BuyerType.INDIVIDUAL,
            BuyerTypeBasis.NONE,
            details.invoice_requested,
            title or None,
            None,
            False,
            None,
        )
    if len(title) < 2:
        raise InvalidBuyer(_l("Give the organisation's full name."), field="invoice_title")
    raw = (details.uscc or "").strip()
    if not raw:
        raise InvalidBuyer(_l("Give the organisation's unified social credit code."), field="uscc")
    try:
        code = uscc.parse(raw)
    except uscc.USCCError as exc:
        raise InvalidUSCC(exc.reason, raw) from None
    reference = _clean(details.procurement_reference, 60) or None
    declared = bool(details.declares_state_owned)
    common = {
        "invoice_requested": True,
        "invoice_title": title,
        "uscc": code.code,
        "state_owned_declared": declared,
        "procurement_reference": reference,
    }
    if reference:
        if code.authority != BUDGET_AUTHORITY:
            raise InvalidBuyer(
                _l(
                    "Government procurement is for government bodies and public institutions"
                    " (codes starting with 11 or 12)."
                ),
                field="procurement_reference",
            )
        return Buyer(BuyerType.BUDGET_UNIT, BuyerTypeBasis.PROCUREMENT, **common)
    if code.entity_type in INSTITUTION_TYPES:
        return Buyer(BuyerType.GOVERNMENT_OR_INSTITUTION, BuyerTypeBasis.USCC, **common)
    if code.code in state_owned_codes(session, [code.code]):
        return Buyer(BuyerType.STATE_OWNED, BuyerTypeBasis.STATE_OWNED_LIST, **common)
    if declared:
        if code.entity_type != ENTERPRISE_TYPE:
            raise InvalidBuyer(
                _l("Only an enterprise (code starting with 91) can be a state-owned enterprise."),
                field="declares_state_owned",
            )
        return Buyer(BuyerType.STATE_OWNED, BuyerTypeBasis.DECLARATION, **common)
    return Buyer(BuyerType.PRIVATE_ENTERPRISE, BuyerTypeBasis.USCC, **common)


# ----------------------------------------------------------------------------- the SOE list


class AlreadyListed(Conflict):
    code = "already_listed"
    message = _l("This code is already on the list.")


def add_state_owned(
    session: Session, actor: User, raw_code: str, name: str, note: str = ""
) -> StateOwnedEnterprise:
    """An operator adds an enterprise to the 国有企业 list (by its 统一社会信用代码)."""
    if actor.role != Role.OPERATOR:
        raise Forbidden()
    try:
        code = uscc.parse(raw_code or "")
    except uscc.USCCError as exc:
        raise InvalidUSCC(exc.reason, raw_code or "") from None
    if code.entity_type != ENTERPRISE_TYPE:
        raise InvalidBuyer(
            _l("Only an enterprise (code starting with 91) can be a state-owned enterprise."),
            field="uscc",
        )
    name = _clean(name, 120)
    if len(name) < 2:
        raise InvalidBuyer(_l("Give the organisation's full name."), field="name")
    if session.scalar(
        sa.select(StateOwnedEnterprise.id).where(StateOwnedEnterprise.uscc == code.code)
    ):
        raise AlreadyListed(field="uscc")
    row = StateOwnedEnterprise(
        uscc=code.code,
        name=name,
        note=_clean(note, 200),
        added_by_id=actor.id,
        added_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def remove_state_owned(session: Session, actor: User, entry_id: int) -> None:
    if actor.role != Role.OPERATOR:
        raise Forbidden()
    row = session.get(StateOwnedEnterprise, entry_id)
    if row is None:
        raise NotFound(field="entry_id")
    session.delete(row)
    session.flush()
