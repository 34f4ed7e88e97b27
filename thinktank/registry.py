"""Every table and every background job of every package, imported in one place: SQLModel's
metadata (so Alembic and the tests) sees every table, and the web process and `thinktank worker`
know every job handler."""

from bills import models as bills
from bills import services as bill_services
from core import accounts, jobs, moderation, notify
from deliberation import discussions
from deliberation import models as deliberation
from deliberation import services as deliberation_services
from participation import analyses, events, importing, proposals
from participation import models as participation

modules = [
    accounts,
    jobs,
    notify,
    moderation,
    participation,
    analyses,
    events,
    importing,
    proposals,
    bills,
    bill_services,
    deliberation,
    deliberation_services,
    discussions,
]
