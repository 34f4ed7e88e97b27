"""The front page: what is open now and what closes soon, the latest answers and bill moves,
headline numbers, and how the site works for each kind of user. It gathers from every package,
so it lives on the top floor; each query is a bounded, indexed one, so the page stays quick with
many comments."""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import Response
from starlette.routing import Route

from bills import services as bills
from bills import stages
from core import accounts
from core.db import utcnow
from core.web import Ctx, page
from deliberation import services as deliberation
from feedback import comments, responses, subjects
from participation import indicators, proposals
from participation import services as consultations
from participation.models import Phase

SOON = timedelta(days=7)
SHOWN = 6


@page
def home(ctx: Ctx) -> Response:
    now = utcnow()
    published = consultations.list_consultations(ctx.db)
    open_now = sorted((c for c in published if c.phase(now) == Phase.open), key=lambda c: c.closes_at)
    answers = []
    for response in responses.latest_published(ctx.db, SHOWN):
        subject = subjects.get(ctx.db, response.subject_kind, response.subject_id)
        if subject is not None and subject.public:  # never a response on something the public cannot see
            answers.append((subject, response))
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    figures = indicators.on_time(ctx.db)
    return ctx.render(
        "thinktank/home.html",
        open_consultations=open_now[:SHOWN],
        closing_soon=[c for c in open_now if c.closes_at - now <= SOON][:SHOWN],
        collecting=proposals.collecting(ctx.db, now)[:SHOWN],
        conversations=[(c, s, v) for c, s, v in deliberation.list_conversations(ctx.db) if c.closed_at is None][:SHOWN],
        answers=answers,
        moves=bills.recent_stage_changes(ctx.db, SHOWN),
        stage_by_key=stages.BY_KEY,
        agencies={a.id: a for a in accounts.list_agencies(ctx.db)},
        comments_this_month=comments.count_since(ctx.db, month_start),
        figures=figures,
    )


routes = [Route("/", home, name="thinktank:home")]
