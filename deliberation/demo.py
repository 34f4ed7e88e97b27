"""The demo's conversation: our own statements on paying for long-term care, voted on by sixty
simulated participants in three camps (stored as voters demo:N, without accounts), so the map
shows groups, common ground and division; and one participant's statement awaiting moderation."""

from __future__ import annotations

import random

from sqlalchemy import insert
from sqlmodel import Session

from core import accounts
from core.db import pk, utcnow
from deliberation import discussions, services
from deliberation.models import Vote
from feedback import subjects

TOPIC = "長照的錢從哪裡來？ How should long-term care be paid for?"
DESCRIPTION = (
    "長照需求逐年增加。請對下列陳述表示同意、不同意或略過，也可以寫下你自己的看法。\n\n"
    "Care needs grow every year. Agree, disagree or pass on each statement, or add your own."
)
# (text, the leaning of camps A (tax), B (insurance), C (families)): +1 agree, -1 disagree, 0 split
STATEMENTS = [
    ("長照應該繼續由稅收支應，不必另開保險。", (1, -1, 0)),
    ("長照保險比稅收制更能穩定財源。", (-1, 1, 0)),
    ("遺產稅與贈與稅應該提高，專款用於長照。", (1, -1, -1)),
    ("菸稅調漲的收入應該全數投入長照。", (1, 1, 0)),
    ("家庭照顧者應該領到照顧津貼。", (0, -1, 1)),
    ("照顧服務員的薪資應該訂定全國最低基準。", (1, 1, 1)),
    ("喘息服務的天數應該增加。", (1, 1, 1)),
    ("使用長照服務的人應該負擔更高比例的部分費用。", (-1, 1, -1)),
    ("外籍看護應該納入長照服務體系管理。", (1, 0, -1)),
    ("企業應該和勞工一樣繳納長照保費。", (-1, 1, 0)),
    ("Care workers should be paid at least a national minimum wage standard.", (1, 1, 1)),
    ("Families should be free to choose cash allowances instead of services.", (-1, 0, 1)),
]


SLUG = "ltc-funding"


def seed(session: Session) -> None:
    members = {m.email: m for m in accounts.list_members(session, limit=1000)}
    host = members["lin.yijun@mohw.demo.thinktank.tw"]
    agency = session.get(accounts.Agency, host.agency_id) if host.agency_id else None
    conversation = services.create_conversation(
        session, host, TOPIC, DESCRIPTION, [text for text, _leaning in STATEMENTS], agency
    )
    conversation.slug = SLUG  # a stable address across rebuilds, for links and the printed walk
    session.add(conversation)
    session.commit()
    statements = services.statements_of(session, conversation)
    rng = random.Random(2026)
    rows = []
    for person in range(60):
        camp = person % 3
        for statement, (_text, leaning) in zip(statements, STATEMENTS, strict=True):
            if rng.random() < 0.15:  # nobody votes on everything
                continue
            lean = leaning[camp]
            draw = rng.random()
            vote = (lean if draw < 0.8 else 0) if lean else rng.choice([-1, 0, 1])
            rows.append(
                {
                    "conversation_id": pk(conversation),
                    "statement_id": pk(statement),
                    "voter": f"demo:{person}",
                    "vote": vote,
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
            )
    session.execute(insert(Vote), rows)
    session.commit()
    services.add_statement(
        session,
        conversation,
        members["tsai.meiling@demo.thinktank.tw"],
        set(),
        "長照財源應該先公開試算，再決定稅收或保險。",
    )
    services.compute_map(session, conversation)
    _discussions(session, members)


def _discussions(session: Session, members: dict[str, accounts.Member]) -> None:
    """A discussion on the long-term care draft's respite article, with a reply, a quote, an
    edit (so the history shows) and reactions; and one in the forum."""
    ltc = subjects.kind_of("consultation").from_path(session, {"slug": "ltc-act-amendment"})
    opener, answerer = members["tsai.meiling@demo.thinktank.tw"], members["kuo.wenhsiung@demo.thinktank.tw"]
    thread = discussions.start(
        session,
        opener,
        "喘息服務三十日夠不夠？",
        "草案把喘息服務提高到**每年三十日**。照顧重度失能家人的朋友，你們覺得夠嗎？",
        "consultation",
        ltc.id,
        5,
    )
    first = discussions.thread(session, thread)[0].post
    discussions.edit(session, opener, first, first.body + "\n\n（補充：我照顧中風的父親五年，每年大約需要四十日。）")
    reply = discussions.reply(
        session,
        answerer,
        thread,
        "> 每年三十日\n\n比現在好，但重度失能應該另外加碼，並且可以按小時使用。",
        pk(first),
    )
    discussions.react(session, opener, reply, "agree")
    discussions.start(
        session,
        members["emily.chen@demo.thinktank.tw"],
        "Information in English and Southeast Asian languages",
        "Could agencies publish their drafts' summaries in English, Vietnamese and Indonesian too?",
    )
