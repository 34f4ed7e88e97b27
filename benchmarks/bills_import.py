"""How long importing the shared bill data takes: all 2,139 LY API records of the 10th term's
first two sessions, the g0v bill documents and the BILLSTATUS files, then a re-import.

    uv run python benchmarks/bills_import.py

SQLite in a temporary folder, or the (scratch) database DATABASE_URL names.
"""

from __future__ import annotations

import os
import tempfile
import time

from sqlalchemy import text
from sqlmodel import Session

import thinktank.registry  # noqa: F401
from bills import services
from core.db import make_engine, migrate
from core.settings import ROOT, Settings

DATA = ROOT.parent / "shared" / "data" / "bills"
PATHS = [
    DATA / "tw-ly",
    DATA / "tw-ly" / "bill-docs",
    DATA / "us-billstatus",
    DATA / "us-billstatus" / "formatChange" / "current",
]


def main() -> None:
    if not DATA.exists():
        raise SystemExit(f"{DATA} is absent")
    env = {"THINKTANK_VAR": tempfile.mkdtemp(), "SECRET_KEY": "bench"}
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    engine = make_engine(Settings.from_env(env).database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    with Session(engine) as session:
        for label in ("first import", "re-import"):
            started = time.perf_counter()
            report = services.import_paths(session, PATHS)
            elapsed = time.perf_counter() - started
            counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()))
            print(f"{engine.dialect.name}: {label:<13} {elapsed:6.2f} s  ({counts})")


if __name__ == "__main__":
    main()
