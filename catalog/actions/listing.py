"""The listing review state machine: submit, withdraw, approve, reject, delist, and a content
change sending a listed product back to review.

Every transition is in ``TRANSITIONS`` and leaves a ``ListingReview`` row carrying a snapshot of
the reviewable content (the review page diffs against the last approved one); ``approve`` checks
the rules again on the day and refuses a revision the operator did not see. Operators'
decisions are sent to the supplier's staff as notifications.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from catalog import queries, rules
from catalog.actions.access import ensure_may_edit, ensure_operator, load_product
from catalog.actions.events import product_changed
from catalog.errors import InvalidProduct, ReasonRequired, StaleRevision, TransitionNotAllowed
from catalog.models import ListingReview, Product, ProductStatus, ReviewEvent
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.i18n import _l, bilingual
from yipin.notifications import notify_supplier

MAX_REASON = 1000
PORTAL_PRODUCT_PATH = "/supplier/catalog/products/{id}"  # link in notifications


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    DELIST = "delist"
    RETURN_TO_REVIEW = "return_to_review"
    WITHDRAW = "withdraw"


TRANSITIONS: dict[tuple[ProductStatus, Action], tuple[ProductStatus, ReviewEvent]] = {
    (ProductStatus.DRAFT, Action.SUBMIT): (ProductStatus.PENDING_REVIEW, ReviewEvent.SUBMITTED),
    (ProductStatus.REJECTED, Action.SUBMIT): (ProductStatus.PENDING_REVIEW, ReviewEvent.SUBMITTED),
    (ProductStatus.DELISTED, Action.SUBMIT): (ProductStatus.PENDING_REVIEW, ReviewEvent.SUBMITTED),
    (ProductStatus.PENDING_REVIEW, Action.APPROVE): (ProductStatus.LISTED, ReviewEvent.APPROVED),
    (ProductStatus.PENDING_REVIEW, Action.REJECT): (ProductStatus.REJECTED, ReviewEvent.REJECTED),
    (ProductStatus.PENDING_REVIEW, Action.WITHDRAW): (ProductStatus.DRAFT, ReviewEvent.WITHDRAWN),
    (ProductStatus.LISTED, Action.RETURN_TO_REVIEW): (
        ProductStatus.PENDING_REVIEW,
        ReviewEvent.RETURNED_TO_REVIEW,
    ),
    (ProductStatus.LISTED, Action.DELIST): (ProductStatus.DELISTED, ReviewEvent.DELISTED),
    (ProductStatus.PENDING_REVIEW, Action.DELIST): (ProductStatus.DELISTED, ReviewEvent.DELISTED),
}
# Words for the "not allowed" message: "The product is <status>: <action> is not possible."
STATUS_WORDS = {
    ProductStatus.DRAFT: _l("a draft"),
    ProductStatus.PENDING_REVIEW: _l("waiting for review"),
    ProductStatus.LISTED: _l("listed for sale"),
    ProductStatus.REJECTED: _l("rejected in review"),
    ProductStatus.DELISTED: _l("off sale"),
}
ACTION_WORDS = {
    Action.SUBMIT: _l("submitting for review"),
    Action.APPROVE: _l("approval"),
    Action.REJECT: _l("rejection"),
    Action.DELIST: _l("delisting"),
    Action.RETURN_TO_REVIEW: _l("sending back to review"),
    Action.WITHDRAW: _l("withdrawing the submission"),
}


def allowed_actions(status: ProductStatus) -> set[Action]:
    """Actions the state machine allows from ``status`` (pages show only these buttons)."""
    return {action for (from_status, action) in TRANSITIONS if from_status == status}


def transition(
    session: Session,
    actor: User | None,
    product: Product,
    action: Action,
    reason: str | None = None,
) -> Product:
    """Apply one allowed transition of the listing state machine and record it."""
    key = (product.status, action)
    if key not in TRANSITIONS:
        raise TransitionNotAllowed(
            current=STATUS_WORDS[product.status], action=ACTION_WORDS[action]
        )
    reason = (reason or "").strip()
    if action in (Action.REJECT, Action.DELIST) and not reason:
        raise ReasonRequired(field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidProduct(_l("The reason is at most 1000 characters."), field="reason")
    new_status, event = TRANSITIONS[key]
    now = clock.now()
    product.status = new_status
    product.status_reason = reason or None
    if new_status == ProductStatus.PENDING_REVIEW:
        product.submitted_at = now
    if new_status == ProductStatus.LISTED:
        product.listed_at = now
    session.flush()
    session.add(
        ListingReview(
            product_id=product.id,
            event=event,
            revision=product.revision,
            reason=product.status_reason,
            actor_id=actor.id if actor else None,
            at=now,
            snapshot=queries.content_snapshot(product),
        )
    )
    session.flush()
    session.expire(product, ["reviews"])
    product_changed(session, product.id)
    if actor is not None and actor.role == Role.OPERATOR:
        _tell_supplier(session, product, event, reason)
    return product


def submit_for_review(session: Session, actor: User | None, product_id: int) -> Product:
    """The supplier submits a product (it needs a verified supplier and an active variant)."""
    product = load_product(session, product_id)
    ensure_may_edit(actor, product.supplier_id)
    if (product.status, Action.SUBMIT) not in TRANSITIONS:
        raise TransitionNotAllowed(
            current=STATUS_WORDS[product.status], action=ACTION_WORDS[Action.SUBMIT]
        )
    rules.ensure_can_sell(product.supplier)
    if not any(v.is_active for v in product.variants):
        raise InvalidProduct(_l("Add at least one variant before submitting."), field="variants")
    return transition(session, actor, product, Action.SUBMIT)


def withdraw(session: Session, actor: User | None, product_id: int) -> Product:
    """The supplier takes a pending submission back; the product is a draft again."""
    product = load_product(session, product_id)
    ensure_may_edit(actor, product.supplier_id)
    return transition(session, actor, product, Action.WITHDRAW)


def approve(
    session: Session, actor: User | None, product_id: int, revision: int | None = None
) -> Product:
    """An operator approves: the rules are checked again on the day of approval.

    ``revision`` is the revision the operator looked at; if the supplier changed the product
    since, the approval is refused (409) so nothing unseen gets listed.
    """
    ensure_operator(actor)
    product = load_product(session, product_id)
    if revision is not None and product.revision != revision:
        raise StaleRevision(seen=revision, current=product.revision)
    if (product.status, Action.APPROVE) not in TRANSITIONS:
        raise TransitionNotAllowed(
            current=STATUS_WORDS[product.status], action=ACTION_WORDS[Action.APPROVE]
        )
    rules.ensure_can_sell(product.supplier)
    today = clock.today_local()
    rules.ensure_food_licence(session, product.supplier, product.category, today)
    if product.brand is not None:
        rules.ensure_brand_allowed(session, product.supplier, product.brand, product.origin, today)
    for variant in product.variants:
        if variant.is_active:
            rules.ensure_grade_fits(product.grade_standard, variant.grade)
    return transition(session, actor, product, Action.APPROVE)


def reject(session: Session, actor: User | None, product_id: int, reason: str) -> Product:
    ensure_operator(actor)
    product = load_product(session, product_id)
    return transition(session, actor, product, Action.REJECT, reason)


def delist(session: Session, actor: User | None, product_id: int, reason: str) -> Product:
    """Take a product off sale (its supplier or an operator), with a reason."""
    product = load_product(session, product_id)
    ensure_may_edit(actor, product.supplier_id)
    return transition(session, actor, product, Action.DELIST, reason)


NOTICES = {
    ReviewEvent.APPROVED: _l("Your product %(name)s was approved and is now listed."),
    ReviewEvent.REJECTED: _l("Your product %(name)s was rejected: %(reason)s"),
    ReviewEvent.DELISTED: _l("Your product %(name)s was delisted: %(reason)s"),
}


def _tell_supplier(session: Session, product: Product, event: ReviewEvent, reason: str) -> None:
    """An operator's decision is shown to the supplier's staff in their portal."""
    message = NOTICES.get(event)
    if message is None:
        return
    text = bilingual(message, name=product.name, reason=reason)["zh_CN"]
    notify_supplier(
        session,
        product.supplier_id,
        f"catalog.product_{event}",
        text[:200],
        body=reason,
        link=PORTAL_PRODUCT_PATH.format(id=product.id),
    )
