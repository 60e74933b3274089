"""Registration: drafts, the checks every application passes, ``apply`` and profile edits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Category, CertificationKind
from catalog.trace import certifications
from catalog.trace.queries import food_licence_holder
from suppliers import uscc
from suppliers.actions.access import managed_supplier
from suppliers.errors import (
    CategoriesRequired,
    FoodLicenceExpired,
    FoodLicenceRequired,
    FoodLicenceTaken,
    InvalidApplication,
    InvalidFoodLicenceNumber,
    InvalidPeriod,
    InvalidUSCC,
    LicenceImageRequired,
    RegionNotPrecise,
    RegionOutsidePlatform,
    RegisteredInFuture,
    SupplierNameTaken,
    USCCTaken,
)
from suppliers.models import (
    SUPPLIER_KIND_LABELS,
    Supplier,
    SupplierKind,
    SupplierStatus,
    SupplierStatusChange,
)
from yipin import clock, contact, freshness
from yipin.accounts import actions as accounts
from yipin.accounts import passwords
from yipin.accounts.errors import LoginTaken
from yipin.accounts.models import Role, SupplierRole, User
from yipin.i18n import _l
from yipin.media.images import InvalidImage, store_upload
from yipin.media.models import ImagePurpose
from yipin.regions.models import Region, RegionLevel

FOOD_LICENCE_RE = re.compile(r"^SC\d{14}$")
INVITATION_DAYS = 7
PORTAL_HOME = "/supplier/"
PORTAL_PROFILE = "/supplier/profile"
PORTAL_AUTHORISATIONS = "/supplier/authorisations"

# Which entity types of the 统一社会信用代码 may register as which kind of supplier.
KIND_ENTITY_TYPES: dict[SupplierKind, frozenset[str]] = {
    # 农民专业合作社 (93) and 农村集体经济组织 such as 村股份经济合作社 (N1–N3)
    SupplierKind.COOPERATIVE: frozenset({"93", "N1", "N2", "N3"}),
    # 家庭农场 register as 个体工商户 (92) or as a 个人独资 / 合伙 enterprise (91)
    SupplierKind.FAMILY_FARM: frozenset({"91", "92"}),
    SupplierKind.ENTERPRISE: frozenset({"91"}),
}
ENTITY_LABELS: dict[str, Any] = {
    "11": _l("a government body"),
    "12": _l("a public institution"),
    "13": _l("a mass organisation"),
    "51": _l("a social organisation"),
    "52": _l("a private non-enterprise unit"),
    "53": _l("a foundation"),
    "91": _l("an enterprise"),
    "92": _l("an individual business"),
    "93": _l("a farmers' cooperative"),
    "N1": _l("a rural collective economic organisation"),
}


# ----------------------------------------------------------------------------- drafts


@dataclass
class AccountDraft:
    """The owner's login: a phone number or an e-mail address, and a password."""

    login: str
    password: str
    display_name: str


@dataclass
class SupplierDraft:
    """What an owner enters about the supplier (on application and on resubmission)."""

    name: str
    kind: SupplierKind
    uscc: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    region_code: str
    registered_on: date
    main_category_ids: list[int] = field(default_factory=list)
    is_leading_enterprise: bool = False
    contact_email: str | None = None
    address_detail: str = ""
    introduction: str = ""


@dataclass
class FoodLicenceDraft:
    """食品生产许可证: SC + 14 digits, issuer, validity and a photo."""

    number: str = ""
    issuer: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    image: IO[bytes] | None = None

    def is_blank(self) -> bool:
        return not (self.number or self.issuer or self.valid_from or self.valid_to or self.image)


PROFILE_FIELDS = (
    "contact_name",
    "contact_phone",
    "contact_email",
    "address_detail",
    "introduction",
)


# ----------------------------------------------------------------------------- checks


def check_uscc(raw: str, kind: SupplierKind | None = None) -> uscc.USCC:
    """Parse a 统一社会信用代码 (GB 32100-2015), and check it fits the kind of supplier."""
    try:
        parsed = uscc.parse(raw or "")
    except uscc.USCCError as exc:
        raise InvalidUSCC(exc.reason, raw) from None
    if kind is not None and parsed.entity_type not in KIND_ENTITY_TYPES[SupplierKind(kind)]:
        raise InvalidUSCC(
            "kind_mismatch",
            raw,
            entity=ENTITY_LABELS.get(parsed.entity_type, _l("another kind of organisation")),
            kind=SUPPLIER_KIND_LABELS[kind],
        )
    return parsed


def check_food_licence_number(raw: str) -> str:
    number = re.sub(r"\s", "", raw or "").upper()
    if not FOOD_LICENCE_RE.match(number):
        raise InvalidFoodLicenceNumber(field="food_licence_number")
    return number


def categories_needing_licence(session: Session, category_ids: Iterable[int]) -> list[Category]:
    ids = sorted({int(i) for i in category_ids})
    if not ids:
        return []
    return list(
        session.scalars(
            sa.select(Category)
            .where(Category.id.in_(ids), Category.requires_food_licence.is_(True))
            .order_by(Category.sort_order, Category.id)
        )
    )


def clean_text(value: str | None, field_name: str, max_len: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if (required and not text) or len(text) > max_len:
        raise InvalidApplication(field=field_name)
    return text


def _check_region(session: Session, code: str, platform_region: str) -> Region:
    region = session.get(Region, (code or "").strip())
    if region is None:
        raise RegionNotPrecise(field="region_code")
    if not region.code.startswith(platform_region):
        home = session.get(Region, platform_region)
        raise RegionOutsidePlatform(
            region=home.full_name if home else platform_region, field="region_code"
        )
    if region.level != RegionLevel.VILLAGE:
        raise RegionNotPrecise(field="region_code")
    return region


def _categories(session: Session, ids: Iterable[int]) -> list[Category]:
    wanted = {int(i) for i in ids}
    if not wanted:
        raise CategoriesRequired(field="main_category_ids")
    found = list(session.scalars(sa.select(Category).where(Category.id.in_(wanted))))
    if len(found) != len(wanted):
        raise CategoriesRequired(field="main_category_ids")
    return sorted(found, key=lambda c: (c.sort_order, c.id))


def validate_supplier(
    session: Session, draft: SupplierDraft, platform_region: str, exclude_id: int | None
) -> tuple[dict[str, Any], list[Category]]:
    """Check a draft; returns the cleaned column values and the chosen categories."""
    kind = SupplierKind(draft.kind)
    code = check_uscc(draft.uscc, kind).code
    values: dict[str, Any] = {
        "name": clean_text(draft.name, "name", 120),
        "kind": kind,
        "uscc": code,
        "is_leading_enterprise": bool(draft.is_leading_enterprise),
        "legal_representative": clean_text(draft.legal_representative, "legal_representative", 60),
        "contact_name": clean_text(draft.contact_name, "contact_name", 60),
        "contact_phone": contact.clean_phone(draft.contact_phone),
        "contact_email": optional_email(draft.contact_email),
        "address_detail": clean_text(draft.address_detail, "address_detail", 200, required=False),
        "introduction": clean_text(draft.introduction, "introduction", 5000, required=False),
        "region_code": _check_region(session, draft.region_code, platform_region).code,
        "registered_on": draft.registered_on,
    }
    if draft.registered_on is None:
        raise InvalidApplication(field="registered_on")
    if draft.registered_on > clock.today_local():
        raise RegisteredInFuture(field="registered_on")
    others = sa.select(Supplier.id).where(Supplier.id != (exclude_id or 0))
    if session.scalar(others.where(Supplier.uscc == code)) is not None:
        raise USCCTaken(field="uscc")
    if session.scalar(others.where(Supplier.name == values["name"])) is not None:
        raise SupplierNameTaken(field="name")
    return values, _categories(session, draft.main_category_ids)


def optional_email(raw: str | None) -> str | None:
    """A contact e-mail address in its stored form, or None when left empty."""
    return contact.clean_email(raw) if (raw or "").strip() else None


def validate_food_licence(
    session: Session,
    licence: FoodLicenceDraft | None,
    needing: list[Category],
    supplier_id: int | None,
) -> str:
    """Check a food production licence; returns its normalised number."""
    names = "、".join(c.name for c in needing)
    if licence is None or licence.is_blank():
        raise FoodLicenceRequired(categories=names, field="food_licence_number")
    number = check_food_licence_number(licence.number)
    clean_text(licence.issuer, "food_licence_issuer", 120)
    if licence.valid_from is None:
        raise InvalidApplication(field="food_licence_valid_from")
    if licence.valid_to is None:
        raise InvalidApplication(field="food_licence_valid_to")
    if licence.valid_to < licence.valid_from:
        raise InvalidPeriod(field="food_licence_valid_to")
    if licence.valid_to < clock.today_local():
        raise FoodLicenceExpired(field="food_licence_valid_to")
    holder = food_licence_holder(session, number)
    if holder is not None and holder != supplier_id:
        raise FoodLicenceTaken(field="food_licence_number")
    return number


def store_licence_image(
    session: Session, stream: IO[bytes], field_name: str, supplier_id: int, user_id: int | None
) -> Any:
    try:
        return store_upload(
            session,
            stream,
            purpose=ImagePurpose.LICENCE,
            supplier_id=supplier_id,
            uploaded_by_id=user_id,
        )
    except InvalidImage as exc:
        exc.field = field_name
        raise


def save_food_licence(
    session: Session,
    actor: User,
    supplier: Supplier,
    licence: FoodLicenceDraft,
    number: str,
    needing: list[Category],
) -> Any:
    """Hand the licence to the catalog, which owns certificates (``save_food_licence`` there
    registers or renews it and re-indexes what shows it); the scan is stored here first."""
    if food_licence_holder(session, number) is None and licence.image is None:
        raise LicenceImageRequired(
            _l("Upload a photo or scan of the food production licence."),
            field="food_licence_image",
        )
    image_id = None
    if licence.image is not None:
        image_id = store_licence_image(
            session, licence.image, "food_licence_image", supplier.id, actor.id
        ).id
    draft = certifications.CertificationDraft(
        kind=CertificationKind.FOOD_PRODUCTION_LICENCE,
        number=number,
        issuer=licence.issuer.strip(),
        valid_from=licence.valid_from,  # type: ignore[arg-type]
        valid_to=licence.valid_to,  # type: ignore[arg-type]
        scope="、".join(c.name for c in needing),
    )
    return certifications.save_food_licence(session, actor, supplier.id, draft, image_id)


# ----------------------------------------------------------------------------- registration


def apply(
    session: Session,
    *,
    account: AccountDraft,
    draft: SupplierDraft,
    licence_image: IO[bytes] | None,
    food_licence: FoodLicenceDraft | None = None,
    platform_region: str,
) -> Supplier:
    """A supplier's owner registers: owner account + pending supplier + first audit row."""
    login = accounts.parse_login(account.login)
    accounts.check_password_strength(account.password)
    if accounts.find_by_login(session, login) is not None:
        raise LoginTaken(field="login")
    display_name = clean_text(account.display_name, "display_name", 80)
    values, categories = validate_supplier(session, draft, platform_region, None)
    needing = [c for c in categories if c.requires_food_licence]
    number = validate_food_licence(session, food_licence, needing, None) if needing else None
    if licence_image is None:
        raise LicenceImageRequired(field="licence_image")
    if number and (food_licence is None or food_licence.image is None):
        raise LicenceImageRequired(
            _l("Upload a photo or scan of the food production licence."),
            field="food_licence_image",
        )

    supplier = Supplier(status=SupplierStatus.PENDING, **values)
    supplier.main_categories = categories
    session.add(supplier)
    session.flush()
    owner = User(
        phone=login.phone,
        email=login.email,
        password_hash=passwords.hash_password(account.password),
        display_name=display_name,
        role=Role.SUPPLIER,
        supplier_id=supplier.id,
        supplier_role=SupplierRole.OWNER,
    )
    session.add(owner)
    session.flush()
    image = store_licence_image(session, licence_image, "licence_image", supplier.id, owner.id)
    supplier.licence_image_id = image.id
    if number and food_licence is not None:
        save_food_licence(session, owner, supplier, food_licence, number, needing)
    session.add(
        SupplierStatusChange(
            supplier_id=supplier.id,
            from_status=None,
            to_status=SupplierStatus.PENDING,
            actor_id=owner.id,
            at=clock.now(),
        )
    )
    session.flush()
    return supplier


def owner_of(session: Session, supplier_id: int) -> User | None:
    return session.scalar(
        sa.select(User)
        .where(User.supplier_id == supplier_id, User.supplier_role == SupplierRole.OWNER)
        .order_by(User.id)
        .limit(1)
    )


def update_profile(
    session: Session, actor: User, supplier_id: int, changes: dict[str, Any]
) -> Supplier:
    """Contact details, address detail and introduction: no new verification needed."""
    supplier = managed_supplier(session, actor, supplier_id, owner_only=True)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise InvalidApplication(field=sorted(unknown)[0])
    checks = {
        "contact_name": lambda v: clean_text(v, "contact_name", 60),
        "contact_phone": contact.clean_phone,
        "contact_email": optional_email,
        "address_detail": lambda v: clean_text(v, "address_detail", 200, required=False),
        "introduction": lambda v: clean_text(v, "introduction", 5000, required=False),
    }
    cleaned = {key: checks[key](value) for key, value in changes.items()}
    for key, value in cleaned.items():
        setattr(supplier, key, value)
    session.flush()
    freshness.changed(session)  # the introduction is on its products' pages
    return supplier
