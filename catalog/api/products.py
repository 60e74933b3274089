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
from flask_smorest.pagination import PaginationParameters

from catalog import actions, queries
from catalog.models import Category, ListingReview, Product, ProductImage, Variant
from catalog.schemas import (
    ImagePatchSchema,
    ImageSchema,
    ImageUploadFormSchema,
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
from yipin.accounts.permissions import actor, load, supplier_scope
from yipin.api import Blueprint
from yipin.db import commit, db
from yipin.errors import Forbidden, NotFound
from yipin.media import images as image_store

blp = Blueprint(
    "products_api",
    __name__,
    description="Products (SPU), variants (SKU), pictures and listing review"
    " · 商品（SPU）、规格（SKU）、图片与上架审核",
)

READERS = (Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
PRODUCT_RULES = (
    "A category that needs a food production licence (SC) needs the supplier's valid one"
    " · 需要食品生产许可证的类目，供应商须持有效许可证",
    "A regional brand needs the supplier's valid authorisation and an origin inside the"
    " brand's region · 使用区域公用品牌须有有效授权，且产地在品牌地区内",
    "The origin is a county or below; a month is not both on sale and pre-sale"
    " · 产地至少到县级；同一月份不能既在售又预售",
)
VARIANT_RULES = (
    "Gross weight is at least the net weight; the list price is not below the price"
    " · 毛重不小于净重；划线价不低于售价",
    "The grade is one of the product's grade standard, and sellable"
    " · 等级须属于商品的分级标准且可售",
)
SELLER = (
    409,
    "The supplier is not verified, or the SKU is taken · 供应商未通过审核，或 SKU 已存在",
)


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
    @blp.login_required(*READERS)
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> list[Any]:
        """Products · 商品列表

        The products the caller may see (supplier staff their own, bureau staff their
        region's), the latest changed first; filter by status, text, supplier, brand,
        category and origin county. Consumers use the storefront instead (403).

        调用者可见的商品（供应商员工看本供应商的，商务局看辖区内的），按最近修改排序，可按
        状态、关键字、供应商、品牌、类目和产地县筛选。消费者请使用商城页面（403）。"""
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

    @blp.arguments(
        ProductWriteSchema,
        example={
            "category_id": 1,
            "name": "赣南脐橙 安远果园直发",
            "origin_region_code": "360726",
            "shelf_life_days": 30,
            "brand_id": 1,
            "grade_standard_id": 1,
            "subtitle": "果园直发 现摘现发",
            "sale_months": [11, 12, 1, 2],
        },
    )
    @blp.response(201, ProductSchema)
    @blp.errors(SELLER)
    @blp.rules(*PRODUCT_RULES)
    @blp.login_required(Role.SUPPLIER)
    def post(self, data: dict[str, Any]) -> Product:
        """Create a product · 新建商品

        A draft product of the caller's supplier; add variants and pictures, then submit it
        for review. Storage defaults to the category's.

        为调用者所属供应商新建商品草稿；添加规格和图片后提交审核。储存方式默认取类目的设置。"""
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
    @blp.login_required(*READERS)
    def get(self, product_id: int) -> Product:
        """One product · 商品详情

        A product with its variants and pictures.

        商品及其规格和图片。"""
        load(Product, product_id)
        return _detail(product_id)

    @blp.arguments(ProductPatchSchema(partial=True), example={"subtitle": "新果上市 顺丰包邮"})
    @blp.response(200, ProductSchema)
    @blp.errors(SELLER)
    @blp.rules(*PRODUCT_RULES)
    @blp.login_required(Role.SUPPLIER)
    def patch(self, data: dict[str, Any], product_id: int) -> Product:
        """Change a product · 修改商品

        Any subset of the content fields; a listed product goes back to review when anything
        changed.

        可修改任意内容字段；已上架商品有改动时重新进入审核。"""
        product = _own(product_id)
        draft = actions.ProductDraft.of(product, **data)
        actions.update_product(db.session, actor(), product.id, draft)
        commit()
        return _detail(product_id)


@blp.route("/products/<int:product_id>/variants")
class ProductVariants(MethodView):
    @blp.arguments(
        VariantWriteSchema,
        example={
            "sku": "AY-5KG-80",
            "spec": "5 kg 75–80 mm",
            "grade_id": 1,
            "net_weight_g": 5000,
            "gross_weight_g": 5600,
            "price_fen": 6980,
            "list_price_fen": 8800,
        },
    )
    @blp.response(201, VariantSchema)
    @blp.errors(SELLER)
    @blp.rules(*VARIANT_RULES)
    @blp.login_required(Role.SUPPLIER)
    def post(self, data: dict[str, Any], product_id: int) -> Variant:
        """Add a variant · 添加规格

        A variant (SKU) of the product: grade, specification, weights in grams, price in fen.

        为商品添加规格（SKU）：等级、规格说明、重量（克）、价格（分）。"""
        product = _own(product_id)
        variant = actions.add_variant(db.session, actor(), product.id, actions.VariantDraft(**data))
        commit()
        return variant


@blp.route("/variants/<int:variant_id>")
class VariantById(MethodView):
    @blp.arguments(VariantPatchSchema(partial=True), example={"per_order_limit": 10})
    @blp.response(200, VariantSchema)
    @blp.errors(SELLER)
    @blp.rules(*VARIANT_RULES)
    @blp.login_required(Role.SUPPLIER)
    def patch(self, data: dict[str, Any], variant_id: int) -> Variant:
        """Change a variant · 修改规格

        Any subset of its fields. SKU, grade, specification and weights are content: a
        listed product goes back to review.

        可修改任意字段；SKU、等级、规格说明和重量属于内容，已上架商品会重新进入审核。"""
        variant = load(Variant, variant_id, change=True)
        draft = actions.VariantDraft.of(variant, **data)
        variant = actions.update_variant(db.session, actor(), variant.id, draft)
        commit()
        return variant


@blp.route("/variants/<int:variant_id>/price")
class VariantPrice(MethodView):
    @blp.arguments(PriceSchema, example={"price_fen": 5980, "list_price_fen": 8800})
    @blp.response(200, VariantSchema)
    @blp.errors(SELLER)
    @blp.rules("The list price is not below the price · 划线价不低于售价")
    @blp.login_required(Role.SUPPLIER)
    def put(self, data: dict[str, Any], variant_id: int) -> Variant:
        """Set a variant's price · 设置价格

        The price (and list price) in fen; it takes effect at once, without review.

        设置售价（及划线价），单位为分，立即生效，无需审核。"""
        variant = load(Variant, variant_id, change=True)
        variant = actions.set_price(
            db.session, actor(), variant.id, data["price_fen"], data["list_price_fen"]
        )
        commit()
        return variant


@blp.route("/products/<int:product_id>/images")
class ProductImages(MethodView):
    @blp.arguments(ImageUploadFormSchema, location="multipart", as_kwargs=True)
    @blp.response(201, ImageSchema)
    @blp.errors(
        (
            409,
            "The product has this picture already, or as many as it may have · 图片重复或已达上限",
        ),
        413,
    )
    @blp.rules("The file is a JPEG, PNG or WebP image · 文件须为 JPEG、PNG 或 WebP 图片")
    @blp.login_required(Role.SUPPLIER)
    def post(self, product_id: int, image: Any, alt: str) -> ProductImage:
        """Upload a picture · 上传图片

        A picture of the product (multipart ``image``, optional ``alt``): JPEG, PNG or WebP,
        checked by its content; its metadata is stripped and renditions are made.

        上传商品图片（multipart 的 ``image`` 字段，可选 ``alt`` 描述）：JPEG、PNG 或 WebP，
        按内容识别，去除元数据并生成各尺寸图片。"""
        product = _own(product_id)
        link = actions.add_image(db.session, actor(), product.id, image.stream, alt)
        commit()
        return link


@blp.route("/products/<int:product_id>/images/<int:image_id>")
class ProductImageById(MethodView):
    @blp.arguments(ImagePatchSchema, example={"position": 0})
    @blp.response(200, ImageSchema(many=True))
    @blp.login_required(Role.SUPPLIER)
    def patch(self, data: dict[str, Any], product_id: int, image_id: int) -> list[ProductImage]:
        """Describe or move a picture · 修改图片

        Change a picture's description and/or its place (``position`` 0 is the cover); give
        at least one. Answers the product's pictures in their new order.

        修改图片描述和/或位置（``position`` 为 0 即封面），至少给出一项。返回调整后的全部图片。"""
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
    @blp.login_required(Role.SUPPLIER)
    def delete(self, product_id: int, image_id: int) -> None:
        """Remove a picture · 删除图片

        Remove a picture from the product (a content change: a listed product goes back to
        review).

        从商品中删除图片（属于内容修改，已上架商品会重新审核）。"""
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
    @blp.arguments(ReviewActionSchema, example={"action": "submit"})
    @blp.response(200, ProductSchema)
    @blp.errors(
        (
            409,
            "The status does not allow this, or the product changed since the revision"
            " reviewed · 当前状态不允许此操作，或商品已在审核后修改",
        )
    )
    @blp.rules(
        "reject and delist need a reason; a product is submitted with at least one variant"
        " · 驳回和下架须填写原因；提交审核前至少有一个规格"
    )
    @blp.login_required(Role.SUPPLIER, Role.OPERATOR)
    def post(self, data: dict[str, Any], product_id: int) -> Product:
        """Listing review · 上架审核

        Move the product through listing review: ``submit`` and ``withdraw`` (supplier
        staff), ``approve`` and ``reject`` (operators; ``approve`` may name the ``revision``
        reviewed), ``delist`` (both, with a ``reason``). An action of the other side answers
        403; one the current status does not allow, 409.

        推进上架审核：``submit``、``withdraw``（供应商员工），``approve``、``reject``
        （平台运营；``approve`` 可带所审核的 ``revision``），``delist``（双方均可，须填原因）。
        对方的操作返回 403，当前状态不允许的操作返回 409。"""
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
    @blp.login_required(*READERS)
    def get(self, product_id: int) -> list[ListingReview]:
        """Review history · 审核记录

        The product's review history, oldest first: who did what, when and why.

        商品的审核记录（按时间先后）：谁在何时做了什么、原因是什么。"""
        load(Product, product_id)
        return list(
            db.session.scalars(
                sa.select(ListingReview)
                .where(ListingReview.product_id == product_id)
                .options(sa.orm.joinedload(ListingReview.actor))
                .order_by(ListingReview.at, ListingReview.id)
            )
        )
