"""budget projects: a poll option's cost, description, place code and the proposal it came from

A budget is a poll (method budget_knapsack or budget_approval) whose total and counting rule are
in the poll's params, hashed into its ballot chain's header; its options are projects.

Revision ID: 8c062400f867
Revises: ad1d2b167e37
Create Date: 2026-12-01 14:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8c062400f867"
down_revision: str | None = "ad1d2b167e37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("polloption") as batch:
        batch.add_column(sa.Column("cost", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("place_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch.create_index("ix_polloption_proposal_id", ["proposal_id"], unique=False)
        batch.create_foreign_key("fk_polloption_proposal_id_proposal", "proposal", ["proposal_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("polloption") as batch:
        batch.drop_constraint("fk_polloption_proposal_id_proposal", type_="foreignkey")
        batch.drop_index("ix_polloption_proposal_id")
        batch.drop_column("proposal_id")
        batch.drop_column("place_code")
        batch.drop_column("description")
        batch.drop_column("cost")
