"""One set of fixtures for every test: settings -> app -> client, on a real database.

SQLite by default (a file in a temporary folder); PostgreSQL when DATABASE_URL says so. The
schema comes from the real migrations, once per run; every test starts from empty tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel
from starlette.applications import Starlette
from starlette.testclient import TestClient

import thinktank.registry  # noqa: F401
from core.db import make_engine, migrate
from core.settings import Settings
from thinktank.app import create_app


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--browser", action="store_true", help="run the Playwright tests in tests/browser/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--browser"):
        return
    skip = pytest.mark.skip(reason="browser test: run with --browser (CI always does)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp("var")
    env = {"THINKTANK_VAR": str(var), "THINKTANK_JOBS": "immediate", "SECRET_KEY": "test-secret-key"}
    for name in ("DATABASE_URL", "REDIS_URL"):  # the same suite runs on PostgreSQL and with Redis
        if os.environ.get(name):
            env[name] = os.environ[name]
    return Settings.from_env(env)


@pytest.fixture(scope="session")
def engine(base_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(base_settings.database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    yield engine
    engine.dispose()


def empty_tables(engine: Engine) -> None:
    tables = [t for t in SQLModel.metadata.sorted_tables if inspect(engine).has_table(t.name)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@pytest.fixture
def settings(base_settings: Settings, engine: Engine) -> Settings:
    empty_tables(engine)
    return base_settings


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Starlette:
    app = create_app(settings, engine=engine)
    app.state.limiter.reset()  # Redis keeps counters between tests; memory starts empty anyway
    app.state.search.rebuild([])  # the search index is a file of its own: empty it with the tables
    return app


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def db(engine: Engine, settings: Settings) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
