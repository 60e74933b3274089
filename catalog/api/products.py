"""Products and variants JSON API (supplier-owned; listing review).

Who may do what:
- read (lists, one product, reviews): operators (all), supplier staff (own supplier's only;
  another supplier's product is 404), bureau staff (suppliers in their region, read-only);
  consumers get 403 (the public storefront has its own pages).
- change content, variants, prices and pictures; submit or withdraw: the owning supplier's staff.
- approve / reject: operators. Delist: the owning supplier's staff or an operator.
Illegal transitions answer 409 with a JSON body; bad input 422; nothing changes on failure.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters

from catalog import queries
from catalog.actions import products as actions
from catalog.models import Category, ListingReview, Product, ProductImage, Variant
from catalog.schemas import (
    ImageFormSchema,
    ImagePatchSchema,
    ImageSchema,
    ImageUploadSchema,
    ListingReviewSchema,
    PriceSchema,
    ProductListArgs,
    ProductPatchSchema,
    ProductSchema,
    ProductWriteSchema,
    ReviewActionSchema,
    VariantPatchSchema,
    VariantSchema,
    VariantWriteSchema,
)
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required, supplier_scope
from yipin.db import commit, db
from yipin.errors import Forbidden, NotFound
from yipin.media import images as image_store

blp = Blueprint(
    "products_api", __name__, description="Products (SPU), variants (SKU), images, listing review"
)

READERS = (Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)


def _own(product_id: int) -> Product:
    """A product the current supplier staff member may change (another supplier's: 404)."""
    return load(Product, product_id, change=True)


def _detail(product_id: int) -> Product:
    product = queries.product_detail(db.session, product_id)
    if product is None:
        raise NotFound()
    return product


@blp.route("/products")
class Products(MethodView):
    @blp.arguments(ProductListArgs, location="query")
    @blp.response(200, ProductSchema(many=True))
    @blp.paginate()
    @role_required(*READERS)
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> list[Any]:
        """Products the caller may see, the latest changed first (``X-Pagination`` header)."""
        stmt = queries.product_list_stmt(
            supplier_id=args["supplier_id"],
            status=args["status"],
            search=args["q"],
            brand_id=args["brand_id"],
            category_id=args["category_id"],
            county=args["county"],
        )
        stmt = supplier_scope(stmt, Product.supplier_id)
        page = queries.paginate(
            db.session,
            stmt,
            pagination_parameters.page,
            pagination_parameters.page_size,
            queries.list_options(),
        )
        pagination_parameters.item_count = page.total
        return page.items

    @blp.arguments(ProductWriteSchema)
    @blp.response(201, ProductSchema)
    @role_required(Role.SUPPLIER)
    def post(self, data: dict[str, Any]) -> Product:
        """Create a draft product of the caller's supplier."""
        user = actor()
        if "storage_class" not in data:
            category = db.session.get(Category, data["category_id"])
            if category is not None:
                data["storage_class"] = category.default_storage_class
        product = actions.create_product(
            db.session, user, user.supplier_id or 0, actions.ProductDraft(**data)
        )
        commit()
        return _detail(product.id)


@blp.route("/products/<int:product_id>")
class ProductById(MethodView):
    @blp.response(200, ProductSchema)
    @role_required(*READERS)
    def get(self, product_id: int) -> Product:
        """One product with its variants and pictures."""
        load(Product, product_id)
        return _detail(product_id)

    @blp.arguments(ProductPatchSchema(partial=True))
    @blp.response(200, ProductSchema)
    @role_required(Role.SUPPLIER)
    def patch(self, data: dict[str, Any], product_id: int) -> Product:
        """Change content fields; a listed product goes back to review when anything changed."""
        product = _own(product_id)
        draft = actions.ProductDraft.of(product, **data)
        actions.update_product(db.session, actor(), product.id, draft)
        commit()
        return _detail(product_id)


@blp.route("/products/<int:product_id>/variants")
class ProductVariants(MethodView):
    @blp.arguments(VariantWriteSchema)
    @blp.response(201, VariantSchema)
    @role_required(Role.SUPPLIER)
    def post(self, data: dict[str, Any], product_id: int) -> Variant:
        """Add a variant (grade, spec, weights in grams, price in fen)."""
        product = _own(product_id)
        variant = actions.add_variant(db.session, actor(), product.id, actions.VariantDraft(**data))
        commit()
        return variant


@blp.route("/variants/<int:variant_id>")
class VariantById(MethodView):
    @blp.arguments(VariantPatchSchema(partial=True))
    @blp.response(200, VariantSchema)
    @role_required(Role.SUPPLIER)
    def patch(self, data: dict[str, Any], variant_id: int) -> Variant:
        """Change a variant. SKU, grade, spec and weights are content (back to review)."""
        variant = load(Variant, variant_id, change=True)
        draft = actions.VariantDraft.of(variant, **data)
        variant = actions.update_variant(db.session, actor(), variant.id, draft)
        commit()
        return variant


@blp.route("/variants/<int:variant_id>/price")
class VariantPrice(MethodView):
    @blp.arguments(PriceSchema)
    @blp.response(200, VariantSchema)
    @role_required(Role.SUPPLIER)
    def put(self, data: dict[str, Any], variant_id: int) -> Variant:
        """Set the price (and list price) in fen: takes effect at once, no review."""
        variant = load(Variant, variant_id, change=True)
        variant = actions.set_price(
            db.session, actor(), variant.id, data["price_fen"], data["list_price_fen"]
        )
        commit()
        return variant


@blp.route("/products/<int:product_id>/images")
class ProductImages(MethodView):
    @blp.arguments(ImageUploadSchema, location="files", as_kwargs=True)
    @blp.arguments(ImageFormSchema, location="form", as_kwargs=True)
    @blp.response(201, ImageSchema)
    @role_required(Role.SUPPLIER)
    def post(self, product_id: int, image: Any, alt: str) -> ProductImage:
        """Upload a picture (multipart ``image``, optional ``alt``): JPEG, PNG or WebP only."""
        product = _own(product_id)
        link = actions.add_image(db.session, actor(), product.id, image.stream, alt)
        commit()
        return link


@blp.route("/products/<int:product_id>/images/<int:image_id>")
class ProductImageById(MethodView):
    @blp.arguments(ImagePatchSchema)
    @blp.response(200, ImageSchema(many=True))
    @role_required(Role.SUPPLIER)
    def patch(self, data: dict[str, Any], product_id: int, image_id: int) -> list[ProductImage]:
        """Change a picture's description and/or move it (``position`` 0 is the cover)."""
        product = _own(product_id)
        user = actor()
        if "alt" in data:
            actions.set_image_alt(db.session, user, product.id, image_id, data["alt"])
        if "position" in data:
            order = [pi.id for pi in _detail(product.id).images]
            if image_id not in order:
                raise NotFound(field="image_id")
            order.remove(image_id)
            order.insert(min(data["position"], len(order)), image_id)
            actions.reorder_images(db.session, user, product.id, order)
        commit()
        return list(_detail(product_id).images)

    @blp.response(204)
    @role_required(Role.SUPPLIER)
    def delete(self, product_id: int, image_id: int) -> None:
        """Remove a picture from the product (a content change)."""
        product = _own(product_id)
        orphans = actions.remove_image(db.session, actor(), product.id, image_id)
        commit()
        for key in orphans:
            image_store.remove_files(key)


REVIEW_ROLES = {
    "submit": {Role.SUPPLIER},
    "withdraw": {Role.SUPPLIER},
    "approve": {Role.OPERATOR},
    "reject": {Role.OPERATOR},
    "delist": {Role.SUPPLIER, Role.OPERATOR},
}


@blp.route("/products/<int:product_id>/review")
class ProductReview(MethodView):
    @blp.arguments(ReviewActionSchema)
    @blp.response(200, ProductSchema)
    @role_required(Role.SUPPLIER, Role.OPERATOR)
    def post(self, data: dict[str, Any], product_id: int) -> Product:
        """Move the product through listing review: ``submit``, ``withdraw`` (supplier staff),
        ``approve``, ``reject`` (operators, reject needs a ``reason``), ``delist`` (both, with a
        ``reason``). An action the current status does not allow answers 409."""
        user = actor()
        product = load(Product, product_id, change=True)
        action = data["action"]
        if user.role not in REVIEW_ROLES[action]:
            raise Forbidden()
        session = db.session
        if action == "submit":
            actions.submit_for_review(session, user, product.id)
        elif action == "withdraw":
            actions.withdraw(session, user, product.id)
        elif action == "approve":
            actions.approve(session, user, product.id, revision=data["revision"])
        elif action == "reject":
            actions.reject(session, user, product.id, data["reason"] or "")
        else:
            actions.delist(session, user, product.id, data["reason"] or "")
        commit()
        return _detail(product_id)


@blp.route("/products/<int:product_id>/reviews")
class ProductReviews(MethodView):
    @blp.response(200, ListingReviewSchema(many=True))
    @role_required(*READERS)
    def get(self, product_id: int) -> list[ListingReview]:
        """The product's review history, oldest first: who did what, when and why."""
        load(Product, product_id)
        return list(
            db.session.scalars(
                sa.select(ListingReview)
                .where(ListingReview.product_id == product_id)
                .options(sa.orm.joinedload(ListingReview.actor))
                .order_by(ListingReview.at, ListingReview.id)
            )
        )
