"""page versions: the versions of what public pages show (the catalog version), bumped at each
commit that changes them; the embedded default's store (Redis holds them when configured)

Revision ID: 0009_storefront_version
Revises: 0008_reports
Create Date: 2026-12-02 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0009_storefront_version'
down_revision = '0008_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_versions',
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_page_versions'))
    )


def downgrade():
    op.drop_table('page_versions')
