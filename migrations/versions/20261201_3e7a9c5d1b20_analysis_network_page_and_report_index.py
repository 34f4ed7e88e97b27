"""analysis: the network's page part stored apart; an index for the report's theme counts

Analysis.network_page holds what the report's network section shows (the table's first nodes,
the laid-out nodes and their links, the communities, the most central and the bridges), so that
the page need not parse the whole network. Analyses stored before it have it empty, and the
report derives it from the whole network then.

Revision ID: 3e7a9c5d1b20
Revises: 8c062400f867
Create Date: 2026-12-01 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3e7a9c5d1b20"
down_revision: str | None = "8c062400f867"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("analysis") as batch:
        batch.add_column(
            sa.Column("network_page", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )
    with op.batch_alter_table("analysisthemecomment") as batch:
        batch.create_index(
            "ix_analysisthemecomment_report", ["analysis_id", "theme_id", "comment_id", "campaign"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("analysisthemecomment") as batch:
        batch.drop_index("ix_analysisthemecomment_report")
    with op.batch_alter_table("analysis") as batch:
        batch.drop_column("network_page")
