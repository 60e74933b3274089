"""Listing review: submit → approve → listed (outbox ``catalog.product_changed`` worked by the
job queue), reject needs a reason, content changes of a listed product go back to review, price
changes do not, withdraw, delist, and illegal transitions answer 409 in JSON."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog import actions
from catalog.errors import ReasonRequired, StaleRevision, TransitionNotAllowed
from catalog.models import ListingReview, Product, ProductStatus, ReviewEvent
from search import engine, index
from tests import factories
from tests.catalog import products_support as support
from tests.conftest import login
from yipin.db import db
from yipin.outbox.models import OutboxEntry, OutboxStatus

API = "/api/v1"


@pytest.fixture
def owner(app, reference):
    _supplier, owner = support.supplier_with_owner()
    db.session.commit()
    return owner


@pytest.fixture
def operator(app):
    user = factories.operator(display_name="运营小李")
    db.session.commit()
    return user


def status(product_id: int) -> ProductStatus:
    db.session.expire_all()
    return db.session.get(Product, product_id).status


def switch(client, user):
    """Log out whoever is logged in, then log ``user`` in."""
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})
    login(client, user)
    return client


def review(client, product_id, **body):
    return client.api("POST", f"{API}/products/{product_id}/review", json=body)


def test_submit_approve_lists_the_product_and_the_job_indexes_it(owner, operator, client, jobs):
    product = support.draft_product(owner)
    db.session.commit()
    login(client, owner)
    response = review(client, product.id, action="submit")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "pending_review"

    switch(client, operator)
    response = review(client, product.id, action="approve", revision=product.revision)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "listed" and body["listed_at"]

    topics = support.outbox_topics()
    assert topics and set(topics) == {actions.PRODUCT_CHANGED}
    jobs.run()
    db.session.expire_all()
    entries = db.session.scalars(sa.select(OutboxEntry)).all()
    assert all(e.status == OutboxStatus.DONE for e in entries), [e.last_error for e in entries]
    if engine.uses_elasticsearch():
        doc = engine.client().get(index=index.index_name(), id=str(product.id))
        assert doc["_source"]["name"] == product.name

    history = client.get(f"{API}/products/{product.id}/reviews").get_json()
    assert [h["event"] for h in history] == ["submitted", "approved"]
    assert history[1]["actor_name"] == "运营小李" and history[1]["actor_role"] == "operator"


def test_reject_needs_a_reason(owner, operator, login_as):
    product = support.draft_product(owner)
    actions.submit_for_review(db.session, owner, product.id)
    db.session.commit()
    client = login_as(operator)
    for body in ({"action": "reject"}, {"action": "reject", "reason": "   "}):
        response = review(client, product.id, **body)
        assert response.status_code == 422
        assert response.get_json()["error"] == "reason_required"
        assert "reason" in response.get_json()["errors"]
    assert status(product.id) == ProductStatus.PENDING_REVIEW
    response = review(client, product.id, action="reject", reason="图片模糊，请重新拍摄")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "rejected" and body["status_reason"] == "图片模糊，请重新拍摄"
    listed = support.listed_product(owner, operator, name="另一个商品")
    with pytest.raises(ReasonRequired):
        actions.delist(db.session, operator, listed.id, "  ")


@pytest.mark.both_databases
def test_a_content_change_of_a_listed_product_returns_it_to_review(owner, operator, login_as):
    product = support.listed_product(owner, operator)
    db.session.commit()
    client = login_as(owner)
    response = client.api("PATCH", f"{API}/products/{product.id}", json={"subtitle": "新季上市"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "pending_review"
    reviews = db.session.scalars(
        sa.select(ListingReview).where(ListingReview.product_id == product.id)
    ).all()
    assert reviews[-1].event == ReviewEvent.RETURNED_TO_REVIEW
    assert reviews[-1].revision == response.get_json()["revision"]


def test_content_changes_of_a_variant_return_it_to_review(owner, operator, login_as):
    product = support.listed_product(owner, operator)
    variant = product.variants[0]
    db.session.commit()
    client = login_as(owner)
    response = client.api("PATCH", f"{API}/variants/{variant.id}", json={"spec": "10 kg 80–85 mm"})
    assert response.status_code == 200
    assert status(product.id) == ProductStatus.PENDING_REVIEW


def test_a_price_change_does_not(owner, operator, login_as):
    product = support.listed_product(owner, operator)
    variant = product.variants[0]
    revision = product.revision
    db.session.commit()
    client = login_as(owner)
    response = client.api(
        "PUT",
        f"{API}/variants/{variant.id}/price",
        json={"price_fen": 5980, "list_price_fen": None},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["price_fen"] == 5980
    response = client.api(
        "PATCH", f"{API}/variants/{variant.id}", json={"per_order_limit": 3, "is_active": True}
    )
    assert response.status_code == 200
    assert status(product.id) == ProductStatus.LISTED
    assert db.session.get(Product, product.id).revision == revision
    assert support.outbox_topics()[-1] == actions.PRODUCT_CHANGED  # caches still hear of it


def test_withdraw_makes_a_pending_product_a_draft_again(owner, login_as):
    product = support.draft_product(owner)
    actions.submit_for_review(db.session, owner, product.id)
    db.session.commit()
    client = login_as(owner)
    response = review(client, product.id, action="withdraw")
    assert response.status_code == 200
    assert response.get_json()["status"] == "draft"
    history = client.get(f"{API}/products/{product.id}/reviews").get_json()
    assert history[-1]["event"] == "withdrawn"


def test_delist_by_the_supplier_and_by_an_operator(owner, operator, login_as):
    first = support.listed_product(owner, operator)
    second = support.listed_product(owner, operator, name="寻乌脐橙 二号园")
    db.session.commit()
    client = login_as(owner)
    assert review(client, first.id, action="delist").status_code == 422
    response = review(client, first.id, action="delist", reason="已售罄")
    assert response.status_code == 200 and response.get_json()["status"] == "delisted"
    switch(client, operator)
    response = review(client, second.id, action="delist", reason="抽检不合格")
    assert response.status_code == 200 and response.get_json()["status_reason"] == "抽检不合格"
    # a delisted product comes back only through review
    switch(client, owner)
    assert review(client, first.id, action="submit").get_json()["status"] == "pending_review"


@pytest.mark.parametrize(
    ("start", "action", "role"),
    [
        ("draft", "approve", "operator"),
        ("draft", "reject", "operator"),
        ("draft", "withdraw", "supplier"),
        ("draft", "delist", "supplier"),
        ("listed", "submit", "supplier"),
        ("listed", "approve", "operator"),
        ("listed", "withdraw", "supplier"),
        ("rejected", "approve", "operator"),
        ("rejected", "delist", "operator"),
        ("delisted", "delist", "supplier"),
        ("pending_review", "submit", "supplier"),
    ],
)
@pytest.mark.both_databases
def test_illegal_transitions_answer_409(owner, operator, login_as, start, action, role):
    product = support.draft_product(owner)
    if start != "draft":
        actions.submit_for_review(db.session, owner, product.id)
    if start in ("listed", "delisted"):
        actions.approve(db.session, operator, product.id)
    if start == "delisted":
        actions.delist(db.session, operator, product.id, "测试")
    if start == "rejected":
        actions.reject(db.session, operator, product.id, "测试")
    db.session.commit()
    before = support.snapshot(product.id)
    client = login_as(owner if role == "supplier" else operator)
    response = review(client, product.id, action=action, reason="理由")
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["error"] == "transition_not_allowed"
    assert body["messages"]["zh_CN"].startswith("商品当前")
    assert body["messages"]["en"].startswith("The product is ")
    assert support.snapshot(product.id) == before


def test_the_roles_of_each_review_action(owner, operator, login_as):
    product = support.draft_product(owner)
    db.session.commit()
    supplier_client = login_as(owner)
    assert review(supplier_client, product.id, action="approve").status_code == 403
    assert review(supplier_client, product.id, action="submit").status_code == 200
    assert review(supplier_client, product.id, action="approve").status_code == 403
    assert review(supplier_client, product.id, action="reject", reason="x").status_code == 403
    assert status(product.id) == ProductStatus.PENDING_REVIEW


def test_operators_do_not_submit_or_withdraw(owner, operator, login_as):
    product = support.draft_product(owner)
    db.session.commit()
    client = login_as(operator)
    assert review(client, product.id, action="submit").status_code == 403
    assert status(product.id) == ProductStatus.DRAFT


def test_an_approval_of_a_revision_that_changed_meanwhile_is_refused(owner, operator, login_as):
    product = support.draft_product(owner)
    actions.submit_for_review(db.session, owner, product.id)
    seen = product.revision
    actions.update_product(
        db.session, owner, product.id, actions.ProductDraft.of(product, subtitle="偷偷改了")
    )
    db.session.commit()
    with pytest.raises(StaleRevision):
        actions.approve(db.session, operator, product.id, revision=seen)
    db.session.rollback()
    client = login_as(operator)
    response = review(client, product.id, action="approve", revision=seen)
    assert response.status_code == 409 and response.get_json()["error"] == "stale_revision"
    assert status(product.id) == ProductStatus.PENDING_REVIEW


def test_the_state_machine_offers_only_its_transitions():
    with pytest.raises(TransitionNotAllowed):
        actions.transition(
            None,  # type: ignore[arg-type]  (refused before the session is used)
            None,
            Product(status=ProductStatus.DRAFT),
            actions.Action.APPROVE,
        )
    assert actions.allowed_actions(ProductStatus.PENDING_REVIEW) == {
        actions.Action.APPROVE,
        actions.Action.REJECT,
        actions.Action.WITHDRAW,
        actions.Action.DELIST,
    }
    assert actions.allowed_actions(ProductStatus.LISTED) == {
        actions.Action.DELIST,
        actions.Action.RETURN_TO_REVIEW,
    }
