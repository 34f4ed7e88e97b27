"""Alembic environment: runs on the engine handed over by core.db.migrate, or on DATABASE_URL
when Alembic is run by hand (`uv run alembic -c migrations/alembic.ini ...`)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import thinktank.registry  # noqa: F401  (every table, so autogenerate sees the whole schema)
from core.db import make_engine
from core.settings import Settings

engine = context.config.attributes.get("engine") or make_engine(Settings.from_env().database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that for us
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
