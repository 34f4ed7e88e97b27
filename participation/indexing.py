"""What participation puts into search: consultations and each article of their newest draft,
proposals once a moderator accepts them, and agencies. A consultation still in draft is seen by
its agency's officials only; so are its articles."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.accounts import Agency
from core.markup import markdown_text
from participation import services
from participation.models import PHASE_LABELS, PROPOSAL_STATE_LABELS, Consultation, DraftVersion, Proposal
from search import outbox, site, viewers
from search.model import PUBLIC, Document


def _visibility(consultation: Consultation) -> str:
    return PUBLIC if consultation.published_at is not None else viewers.agency(consultation.agency_id)


def _agency_slugs(session: Session, ids: set[int]) -> dict[int, str]:
    return {a.id: a.slug for a in session.exec(select(Agency).where(col(Agency.id).in_(ids))) if a.id is not None}


def _consultations(session: Session, ids: list[int]) -> outbox.Built:
    found = outbox.rows(session, Consultation, ids)
    slugs = _agency_slugs(session, {c.agency_id for c in found.values()})
    built = outbox.Built()
    for consultation_id in ids:
        consultation = found.get(consultation_id)
        if consultation is None:
            continue
        facets = {"agency": slugs.get(consultation.agency_id, ""), "status": consultation.phase().value}
        if consultation.tag_list:
            facets["tag"] = consultation.tag_list  # type: ignore[assignment]
        base = f"/c/{consultation.slug}"
        visibility = _visibility(consultation)
        built.documents.append(
            Document(
                id=f"consultation:{consultation_id}",
                kind="consultation",
                title=consultation.title,
                body=f"{consultation.summary}\n{markdown_text(consultation.background)}",
                lang="",
                url=base,
                facets=facets,
                visibility=visibility,
                date=consultation.opens_at,
            )
        )
        # Each article of the newest version; numbers that only older versions had are forgotten.
        versions = services.versions_of(session, consultation)
        current = services.articles_of(session, versions[-1]) if versions else []
        older = {a.number for v in versions[:-1] for a in services.articles_of(session, v)}
        for article in current:
            built.documents.append(
                Document(
                    id=f"article:{consultation_id}:{article.number}",
                    kind="article",
                    title=f"{consultation.title} {article.heading}".strip(),
                    body=markdown_text(article.body),
                    lang="",
                    url=f"{base}#art-{article.number}",
                    facets={**facets, "article": str(article.number)},
                    visibility=visibility,
                    date=consultation.opens_at,
                )
            )
        built.gone += [f"article:{consultation_id}:{n}" for n in older - {a.number for a in current}]
    return built


def _proposals(session: Session, ids: list[int]) -> outbox.Built:
    found = outbox.rows(session, Proposal, ids)
    slugs = _agency_slugs(session, {p.agency_id for p in found.values()})
    built = outbox.Built()
    for proposal_id in ids:
        proposal = found.get(proposal_id)
        if proposal is None or proposal.review != "accepted":  # pending and rejected ones are not public
            continue
        built.documents.append(
            Document(
                id=f"proposal:{proposal_id}",
                kind="proposal",
                title=proposal.title,
                body=markdown_text(f"{proposal.body}\n\n{proposal.response}"),
                lang="",
                url=f"/proposals/{proposal_id}",
                facets={"agency": slugs.get(proposal.agency_id, ""), "status": proposal.state().value},
                visibility=PUBLIC,
                date=proposal.reviewed_at or proposal.created_at,
            )
        )
    return built


def _agencies(session: Session, ids: list[int]) -> outbox.Built:
    found = outbox.rows(session, Agency, ids)
    built = outbox.Built()
    for agency_id in ids:
        agency = found.get(agency_id)
        if agency is None:
            continue
        built.documents.append(
            Document(
                id=f"agency:{agency_id}",
                kind="agency",
                title=agency.name,
                body=f"{agency.name_en}\n{agency.slug}",
                lang="",
                url=f"/agencies/{agency.slug}",
                facets={"agency": agency.slug},
                visibility=PUBLIC,
                date=agency.created_at,
            )
        )
    return built


site.facet_labels.setdefault("status", {}).update(
    {str(k): v for k, v in (PHASE_LABELS | PROPOSAL_STATE_LABELS).items()}
)
outbox.register(outbox.Source("consultation", _consultations, outbox.every_id(Consultation)))
outbox.register(outbox.Source("proposal", _proposals, outbox.every_id(Proposal)))
outbox.register(outbox.Source("agency", _agencies, outbox.every_id(Agency)))
outbox.watch(Consultation, lambda c: [f"consultation:{c.id}"])
outbox.watch(DraftVersion, lambda v: [f"consultation:{v.consultation_id}"])  # its articles come with it
outbox.watch(Proposal, lambda p: [f"proposal:{p.id}"])
outbox.watch(Agency, lambda a: [f"agency:{a.id}"])
