"""Every table of every package, imported in one place so SQLModel's metadata (and so Alembic
and the tests) sees them all."""

from core import accounts, jobs, notify
from participation import models as participation

modules = [accounts, jobs, notify, participation]
