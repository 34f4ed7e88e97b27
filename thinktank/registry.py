"""Every table, every background job and every subject kind of every package, imported in one
place: SQLModel's metadata (so Alembic and the tests) sees every table, the web process and
`thinktank worker` know every job handler, and feedback knows every kind of subject."""

from bills import links as bill_links
from bills import models as bills
from bills import services as bill_services
from bills import subject as bill_subject
from core import accounts, jobs, moderation, notify
from deliberation import discussions
from deliberation import models as deliberation
from deliberation import services as deliberation_services
from feedback import analyses, comments, importing
from feedback import models as feedback
from participation import events, proposals
from participation import models as participation
from participation import subject as consultation_subject

modules = [
    accounts,
    jobs,
    notify,
    moderation,
    feedback,
    comments,
    analyses,
    importing,
    participation,
    consultation_subject,
    events,
    proposals,
    bills,
    bill_services,
    bill_subject,
    bill_links,
    deliberation,
    deliberation_services,
    discussions,
]
