"""The demo site's content: each package's demo.seed(), in dependency order."""

from __future__ import annotations

import time

from sqlmodel import Session

from bills import demo as bills_demo
from core import demo as core_demo
from core import places
from core.settings import Settings
from deliberation import budget_demo, poll_demo
from deliberation import demo as deliberation_demo
from participation import demo as participation_demo
from search import outbox, site

DEMO_PASSWORD = core_demo.DEMO_PASSWORD

# What to try first, as each kind of user: printed by `thinktank demo` after the sign-ins. The
# addresses are stable: the seed fixes every slug.
WALK = [
    (
        "a citizen",
        "tsai.meiling@demo.thinktank.tw",
        [
            (
                "/c/ltc-act-amendment",
                "read the draft article by article; the form letters on 第五條 are folded into one entry",
            ),
            (
                "/c/ltc-act-amendment?article=5#comment-form",
                "comment on 第五條, then see it highlighted with its receipt",
            ),
            ("/me", "every contribution and its fate: the plastics ministry answered your comment"),
            ("/proposals", "sign a proposal; one has passed its threshold, one's answer is overdue"),
            (f"/conversations/{deliberation_demo.SLUG}", "vote on statements and see the opinion groups"),
            (f"/polls/{poll_demo.OPEN_SLUG}", "vote in a poll, keep the receipt, watch the live count"),
            (f"/polls/{poll_demo.RANKED_SLUG}", "a closed ranked-choice poll: its rounds and its ballot file"),
            (f"/budgets/{budget_demo.SLUG}/results", "a closed budget: why each project was funded or not, both rules"),
        ],
    ),
    (
        "a citizen whose e-mail address is not confirmed yet",
        core_demo.UNVERIFIED,
        [
            ("/proposals/1", "your signature is pending until you confirm your address, so it is not counted"),
            (
                "/profile",
                "ask for the link that confirms it (the demo keeps e-mail in the admin's /outbox); opening it counts the signature",
            ),
        ],
    ),
    (
        "an agency official",
        "lin.yijun@mohw.demo.thinktank.tw",
        [
            ("/c/ltc-act-amendment/analysis", "the comments as themes and form letters"),
            ("/c/home-care-integration/response/edit", "answer a closed consultation theme by theme"),
            ("/c/single-use-plastics/response", "a published response, as the public reads it"),
        ],
    ),
    (
        "legislative staff",
        "wang.yating@ly.demo.thinktank.tw",
        [
            ("/bills", "bills by stage, imported from official data"),
            ("/bills/1/dashboard", "the public's feedback on one bill, article by article"),
        ],
    ),
    (
        "a village chief",
        "chen.meihua@village.demo.thinktank.tw",
        [
            ("/c/hualien-ltc-transport/comments/offline", "type in a resident's comment from paper: marked offline"),
            ("/c/hualien-ltc-transport/comments", "the comments, those collected offline marked so"),
        ],
    ),
    (
        "a county government official",
        "wu.chihwei@hualien.demo.thinktank.tw",
        [("/c/hualien-ltc-transport", "a draft scoped to 花蓮縣, most comments from the county")],
    ),
]


def seed(session: Session, settings: Settings) -> list[tuple[str, str]]:
    places.load_places(session)  # every site has the place list; members and comments use it
    sign_ins = core_demo.seed(session)
    participation_demo.seed(session)
    participation_demo.seed_proposals(session, settings)
    bills_demo.seed(session)
    deliberation_demo.seed(session)
    poll_demo.seed(session)
    budget_demo.seed(session)
    return sign_ins


def index(session: Session, settings: Settings) -> tuple[int, float]:
    """Build the search index from the seeded database: (documents, seconds)."""
    started = time.perf_counter()
    count = outbox.reindex(session, site.backend(settings))
    return count, time.perf_counter() - started
