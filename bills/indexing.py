"""What bills put into search: each bill (title, number, summary, sponsors) and each of its
articles (the proposed text and its explanation), all public."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bills.models import Bill, BillArticle
from bills.stages import STAGES
from search import outbox, site
from search.model import PUBLIC, Document


def _bills(session: Session, ids: list[int]) -> outbox.Built:
    found = outbox.rows(session, Bill, ids)
    articles: dict[int, list[BillArticle]] = {}
    for article in session.exec(select(BillArticle).where(col(BillArticle.bill_id).in_(ids))):
        articles.setdefault(article.bill_id, []).append(article)
    built = outbox.Built()
    for bill_id in ids:
        bill = found.get(bill_id)
        if bill is None:
            continue
        title = bill.title or bill.number
        facets = {"stage": bill.stage, "tag": bill.names("committees")}
        when = bill.last_action_on or bill.introduced_on or bill.created_at
        people = "、".join(bill.names("sponsors") + bill.names("cosponsors"))
        built.documents.append(
            Document(
                id=f"bill:{bill_id}",
                kind="bill",
                title=title,
                body=f"{bill.number}\n{bill.summary}\n{people}\n{bill.status_raw}",
                lang="",
                url=f"/bills/{bill_id}",
                facets=facets,
                visibility=PUBLIC,
                date=when,
            )
        )
        for article in articles.get(bill_id, []):
            built.documents.append(
                Document(
                    id=f"billarticle:{bill_id}:{article.number}",
                    kind="article",
                    title=f"{title} {article.heading}".strip(),
                    body=f"{article.proposed}\n{article.explanation}",
                    lang="",
                    url=f"/bills/{bill_id}#art-{article.number}",
                    facets={**facets, "article": str(article.number)},
                    visibility=PUBLIC,
                    date=when,
                )
            )
    return built


site.facet_labels.setdefault("stage", {}).update({stage.key: stage.label for stage in STAGES})
outbox.register(outbox.Source("bill", _bills, outbox.every_id(Bill)))
outbox.watch(Bill, lambda b: [f"bill:{b.id}"])
outbox.watch(BillArticle, lambda a: [f"bill:{a.bill_id}"])
