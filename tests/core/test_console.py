"""The operator console's own pages: accounts and the job queue."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests import factories
from tests.conftest import login
from yipin import outbox
from yipin.accounts.models import Role, User
from yipin.db import commit, db
from yipin.outbox.models import OutboxEntry, OutboxStatus


@outbox.handler("test.console_fail")
def always_fails(payload: dict[str, Any]) -> None:
    raise RuntimeError("kuaidi100 answered 500")


def test_operator_creates_a_bureau_account_from_the_console(client):
    login(client, factories.operator())
    response = client.submit(
        "/console/users",
        {
            "role": "bureau",
            "display_name": "于都县商务局",
            "login": "13600000001",
            "password": "Yudu2026x",
            "supplier_role": "staff",
            "bureau_region_code": "360731",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.phone == "13600000001"))
    assert user.role == Role.BUREAU and user.bureau_region_code == "360731"


def test_bad_account_form_says_why_and_creates_nothing(client):
    login(client, factories.operator())
    response = client.submit(
        "/console/users",
        {
            "role": "bureau",
            "display_name": "x",
            "login": "123",
            "password": "weak",
            "supplier_role": "staff",
        },
    )
    assert response.status_code == 422
    assert "11 位" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_operator_deactivates_an_account_and_it_can_no_longer_log_in(app, client):
    login(client, factories.operator())
    victim = factories.consumer()
    db.session.commit()
    response = client.submit(f"/console/users/{victim.id}/active", {"active": "0"})
    assert response.status_code == 302
    other = app.test_client()
    refused = other.submit("/login", {"login": victim.login, "password": "Passw0rd-yipin"})
    assert refused.status_code == 200 and "密码错误" in refused.get_data(as_text=True)


def test_a_button_on_an_account_that_does_not_exist_answers_404_and_says_so(client):
    """A refusal naming no field is about the record in the URL: the error page, not a flash."""
    login(client, factories.operator())
    response = client.submit("/console/users/999999/active", {"active": "0"})
    assert response.status_code == 404
    assert "未找到" in response.get_data(as_text=True)


def test_failed_jobs_are_listed_and_can_be_retried(app, client, jobs):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 1
    entry = outbox.emit(db.session, "test.console_fail", {})
    commit()
    jobs.run()
    login(client, factories.operator())
    page = client.get("/console/outbox").get_data(as_text=True)
    assert "kuaidi100 answered 500" in page and "test.console_fail" in page
    assert client.submit(f"/console/outbox/{entry.id}/retry").status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxEntry, entry.id).status == OutboxStatus.PENDING


def test_console_home_counts_what_waits(client):
    factories.SupplierFactory(status="pending")
    login(client, factories.operator())
    page = client.get("/console/").get_data(as_text=True)
    assert "待审核" in page or "Suppliers waiting" in page
