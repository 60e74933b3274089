"""storefront: an index on products in the listings' order (newest listed first), so the home
page's newest products and a listing's first page stop early instead of sorting every product

Revision ID: 0010_storefront_listed_order
Revises: 0009_storefront_version
Create Date: 2026-12-02 04:20:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0010_storefront_listed_order"
down_revision = "0009_storefront_version"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_products_listed_order",
        "products",
        [sa.text("coalesce(listed_at, created_at) DESC"), sa.text("id DESC")],
    )


def downgrade():
    op.drop_index("ix_products_listed_order", table_name="products")
