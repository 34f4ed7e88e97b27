"""Every table, every background job, every subject kind and every search source of every package,
imported in one place: SQLModel's metadata (so Alembic and the tests) sees every table, the web
process and `thinktank worker` know every job handler, feedback knows every kind of subject, and
the search outbox watches every indexed table."""

from bills import indexing as bill_indexing
from bills import links as bill_links
from bills import models as bills
from bills import services as bill_services
from bills import subject as bill_subject
from core import account_mail, accounts, jobs, moderation, notify, throttle
from deliberation import discussions, polls
from deliberation import indexing as deliberation_indexing
from deliberation import models as deliberation
from deliberation import poll_models as deliberation_polls
from deliberation import receipts as deliberation_receipts
from deliberation import services as deliberation_services
from feedback import analyses, comments, importing
from feedback import indexing as feedback_indexing
from feedback import models as feedback
from feedback import receipts as feedback_receipts
from participation import events, proposals
from participation import indexing as participation_indexing
from participation import models as participation
from participation import receipts as participation_receipts
from participation import subject as consultation_subject
from search import outbox as search_outbox

modules = [
    accounts,
    account_mail,
    throttle,
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
    deliberation_polls,
    polls,
    search_outbox,
    feedback_indexing,
    participation_indexing,
    bill_indexing,
    deliberation_indexing,
    feedback_receipts,
    participation_receipts,
    deliberation_receipts,
]
