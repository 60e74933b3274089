"""One label table per enum, beside the enum: every enum of the catalog's and the suppliers'
models has one, it speaks the reader's language, and the API's enum descriptions carry it."""

from __future__ import annotations

from enum import StrEnum

import pytest
from flask_babel import force_locale

import catalog.models as catalog_models
import suppliers.models as supplier_models
from catalog.models import PRODUCT_STATUS_LABELS, STORAGE_CLASS_LABELS, ProductStatus
from yipin.labels import Labels


def _enums_and_tables(module):
    names = vars(module).values()
    enums = {
        v for v in names if isinstance(v, type) and issubclass(v, StrEnum) and v is not StrEnum
    }
    tables = {v.enum for v in names if isinstance(v, Labels)}
    return enums, tables


@pytest.mark.parametrize("module", [catalog_models, supplier_models])
def test_every_enum_of_the_models_has_its_label_table(module):
    enums, tables = _enums_and_tables(module)
    assert enums and enums <= tables, sorted(e.__name__ for e in enums - tables)


def test_a_table_that_forgets_a_member_fails_at_import():
    with pytest.raises(ValueError, match="listed"):
        Labels(ProductStatus, {ProductStatus.DRAFT: "Draft"})


def test_labels_speak_the_readers_language(app):
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert PRODUCT_STATUS_LABELS(ProductStatus.PENDING_REVIEW) == "审核中"
            assert STORAGE_CLASS_LABELS("chilled") == "冷藏"
        with force_locale("en"):
            assert PRODUCT_STATUS_LABELS("pending_review") == "In review"
        assert PRODUCT_STATUS_LABELS("no-such-status") == "no-such-status"
    assert PRODUCT_STATUS_LABELS.choices()[0] == ("draft", PRODUCT_STATUS_LABELS["draft"])


def test_the_api_describes_enums_with_their_labels(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    status = schemas["Product"]["properties"]["status"]
    assert status["enum"] == [s.value for s in ProductStatus]
    assert "`pending_review`: In review" in status["description"]
    kind = schemas["Certification"]["properties"]["kind"]
    assert "`green_food`: Green Food" in kind["description"]
    assert (
        "`upcoming`: Not yet valid"
        in schemas["Authorisation"]["properties"]["state"]["description"]
    )
    # the public trace is described field by field: nested schemas, no free-form objects
    trace = schemas["Trace"]["properties"]
    for name in ("product", "supplier", "origin", "certificate", "links"):
        assert "$ref" in str(trace[name]), name
    for name in ("samplings", "certifications", "inspections"):
        assert "$ref" in str(trace[name]["items"]), name
