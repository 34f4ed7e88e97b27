"""Participatory budgets: a budget is a poll (`deliberation.polls`) whose method is a budget
method and whose options are projects with a cost, a description, a place and, when it came from
one, a proposal. Ballots, receipts, the hash chain, paper codes, the live count and the ballot file
are the poll's; this module adds creating a budget with its projects, adding projects before it
opens (from scratch or from proposals), and its outcome under both rules (the one the budget
states, and the other for comparison).

The total and the rule live in the poll's parameters (`{"total", "rule"}`, plus `max_projects`
for plain approval): they are part of the header every ballot's chain starts from, so changing
them after the first ballot breaks the chain."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from analysis import voting
from core import ballots
from core.accounts import Member
from core.db import pk
from core.errors import N_, Invalid
from deliberation import polls
from deliberation.poll_models import Poll, PollOption
from participation import proposals
from participation.models import Proposal

METHOD_LABELS = {
    "budget_knapsack": N_("Approval within the budget"),
    "budget_approval": N_("Approval of up to a number of projects"),
}
RULE_LABELS = {"greedy": N_("Greedy by votes"), "equal_shares": N_("Method of Equal Shares")}
COST_MAX = 10**12
DESCRIPTION_MAX = 2000
PLACE_MAX = 20
_PLACE = re.compile(r"^[0-9A-Za-z-]*$")


def _clean(text: str) -> str:
    return " ".join(text.split())


def is_budget(poll: Poll) -> bool:
    return poll.method in METHOD_LABELS


@dataclass(frozen=True)
class ProjectDraft:
    title: str
    cost: int | None
    description: str = ""
    place_code: str = ""
    proposal_id: int | None = None


def _checked_projects(drafts: list[ProjectDraft], field: str = "projects") -> list[ProjectDraft]:
    cleaned: list[ProjectDraft] = []
    for draft in drafts:
        title = _clean(draft.title)
        if not title:
            continue
        if draft.cost is None or not 0 < draft.cost <= COST_MAX:
            raise Invalid({field: N_("Every project needs a cost, a whole number above zero.")})
        place = draft.place_code.strip()
        if len(place) > PLACE_MAX or not _PLACE.match(place):
            raise Invalid({field: N_("A place code is letters, digits and dashes, 20 at most.")})
        description = draft.description.strip()
        if len(description) > DESCRIPTION_MAX:
            raise Invalid({field: N_("A project's description is 2,000 characters at most.")})
        cleaned.append(ProjectDraft(title, draft.cost, description, place, draft.proposal_id))
    return cleaned


def parse_projects(text: str) -> list[ProjectDraft]:
    """Projects typed one a line as `title | cost | place code | description` (the last two may be
    left out). A line whose cost is not a whole number keeps cost None, which is refused."""
    drafts = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split("|")]
        if not parts[0]:
            continue
        raw = parts[1].replace(",", "").replace("_", "") if len(parts) > 1 else ""
        cost = int(raw) if raw.isdigit() and len(raw) <= 13 else None
        place = parts[2] if len(parts) > 2 else ""
        drafts.append(ProjectDraft(parts[0], cost, " | ".join(parts[3:]), place))
    return drafts


def create_budget(
    session: Session,
    member: Member,
    *,
    title: str,
    description: str,
    total: int | None,
    rule: str,
    method: str,
    max_projects: int | None,
    projects: list[ProjectDraft],
    opens_at: datetime | None,
    closes_at: datetime | None,
    eligibility: str = "members",
    places: str = "",
    hide_results: bool = False,
    allow_change: bool = True,
    on: tuple[str, int] | None = None,
    slug: str | None = None,
) -> Poll:
    if method not in METHOD_LABELS:
        raise Invalid({"method": N_("There is no such voting method.")})
    checked = _checked_projects(projects)
    params: dict[str, Any] = {"total": total, "rule": rule}
    if method == "budget_approval":
        params["max_projects"] = max_projects
    return polls.create_poll(
        session,
        member,
        question=title,
        description=description,
        options=[(p.title, "") for p in checked],
        extras=[_columns(p) for p in checked],
        method=method,
        params=params,
        opens_at=opens_at,
        closes_at=closes_at,
        eligibility=eligibility,
        places=places,
        hide_results=hide_results,
        allow_change=allow_change,
        on=on,
        slug=slug,
    )


def _columns(draft: ProjectDraft) -> dict[str, Any]:
    return {
        "cost": draft.cost,
        "description": draft.description,
        "place_code": draft.place_code,
        "proposal_id": draft.proposal_id,
    }


def project_fields(option: PollOption) -> dict[str, Any]:
    """A project's own columns, for the API; nothing for a plain poll's option."""
    if option.cost is None:
        return {}
    return {
        "cost": option.cost,
        "description": option.description,
        "place_code": option.place_code,
        "proposal_id": option.proposal_id,
    }


def _editable(poll: Poll) -> None:
    if not is_budget(poll):
        raise Invalid({"": N_("This poll is not a budget.")})
    if polls.status(poll) != "upcoming" or poll.chain_length:
        raise Invalid({"": N_("Projects can be added only before the budget opens.")})


def add_projects(session: Session, poll: Poll, drafts: list[ProjectDraft]) -> list[PollOption]:
    """Adds projects to a budget that has not opened; the chain's start moves with the header."""
    _editable(poll)
    checked = _checked_projects(drafts, field="title")
    if not checked:
        raise Invalid({"title": N_("Enter the project's title.")})
    existing = polls.options_of(session, poll)
    taken = {o.label for o in existing}
    if any(d.title in taken for d in checked) or len({d.title for d in checked}) != len(checked):
        raise Invalid({"title": N_("Two options have the same text.")})
    if len(existing) + len(checked) > polls.OPTIONS_MAX:
        raise Invalid({"title": N_("Up to 50 options, each 300 characters at most.")})
    position = max((o.position for o in existing), default=0)
    key = max((int(o.key) for o in existing), default=0)
    added = []
    for n, draft in enumerate(checked, start=1):
        option = PollOption(
            poll_id=pk(poll), key=str(key + n), position=position + n, label=draft.title, **_columns(draft)
        )
        session.add(option)
        added.append(option)
    session.commit()
    poll.chain_head = chain_start(session, poll)
    session.add(poll)
    session.commit()
    return added


def chain_start(session: Session, poll: Poll) -> str:
    """Where the budget's chain starts: the hash of its header as it now stands."""
    return ballots.chain_start(polls.header(session, poll))


def importable_proposals(session: Session, poll: Poll) -> list[Proposal]:
    """The budget's agency's accepted proposals that are not yet one of its projects."""
    if poll.agency_id is None:
        return []
    used = {o.proposal_id for o in polls.options_of(session, poll) if o.proposal_id is not None}
    return [
        p
        for p in proposals.public_proposals(session)
        if p.agency_id == poll.agency_id and p.review == "accepted" and p.id not in used
    ]


def import_proposals(session: Session, poll: Poll, costs: dict[int, int | None]) -> list[PollOption]:
    """Each chosen proposal (id -> its cost) becomes a project titled as the proposal, linked to it."""
    _editable(poll)
    allowed = {pk(p): p for p in importable_proposals(session, poll)}
    if not costs or any(proposal_id not in allowed for proposal_id in costs):
        raise Invalid({"proposals": N_("Choose proposals of this agency that are not projects yet.")})
    drafts = [
        ProjectDraft(allowed[i].title[: polls.OPTION_MAX], cost, _summary(allowed[i].body), "", i)
        for i, cost in costs.items()
    ]
    try:
        return add_projects(session, poll, drafts)
    except Invalid as error:
        raise Invalid({"proposals": next(iter(error.errors.values()))}) from None


def _summary(body: str) -> str:
    text = _clean(body)
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1] + "…"


# --- the outcome -------------------------------------------------------------------------------


def outcome(session: Session, poll: Poll, compare: bool = True) -> dict[str, Any]:
    """The budget's result under its own rule (the poll's tally, as the ballot file states it) and,
    with `compare`, under the other rule, each with its spending and the per-voter share. Callers
    decide whether it may be seen (`polls.results_visible`)."""
    params = polls.params_of(poll)
    found: dict[str, Any] = {
        "total": params["total"],
        "rule": params["rule"],
        "chosen": _summarised(polls.current_tally(session, poll), params["rule"], params["total"]),
        "other": None,
    }
    if compare:
        other_rule = "greedy" if params["rule"] == "equal_shares" else "equal_shares"
        choices = [e["choice"] for e in ballots.counted(polls.entries_of(session, poll))]
        other = voting.tally(poll.method, polls.option_dicts(session, poll), choices, {**params, "rule": other_rule})
        found["other"] = _summarised(other, other_rule, params["total"])
    return found


def _summarised(result: dict[str, Any], rule: str, total: int) -> dict[str, Any]:
    by_id = {row["id"]: row for row in result["results"]}
    steps = [by_id[r["id"]] for r in result["rounds"]]
    spent = sum(row["cost"] for row in result["results"] if row["funded"])
    share = result["rounds"][0]["share"] if result["rounds"] else None
    return {
        "rule": rule,
        "ballots": result["ballots"],
        "steps": steps,
        "funded": [row for row in steps if row["funded"]],
        "spent": spent,
        "left": total - spent,
        "share": share,
    }


def outcome_rows(session: Session, poll: Poll) -> list[list[Any]]:
    """The CSV of the outcome: one row per project, in the order of the steps."""
    found = outcome(session, poll)
    options = {o.key: o for o in polls.options_of(session, poll)}
    other = {row["id"]: row for row in found["other"]["steps"]}
    rows = []
    for n, row in enumerate(found["chosen"]["steps"], start=1):
        option = options[row["id"]]
        rows.append(
            [
                n,
                option.label,
                row["cost"],
                option.place_code,
                option.proposal_id or "",
                row["votes"],
                "yes" if row["funded"] else "no",
                row["reason"],
                row["round"] or "",
                "" if row["payment"] is None else row["payment"],
                row["payers"] if row["reason"] == "equal_shares" else "",
                "" if row["money_left"] is None else row["money_left"],
                "" if row["remaining"] is None else row["remaining"],
                "yes" if other[row["id"]]["funded"] else "no",
            ]
        )
    return rows


OUTCOME_HEADER = ["step", "project", "cost", "place_code", "proposal_id", "votes", "funded", "reason", "round"]
OUTCOME_HEADER += [
    "payment_per_supporter",
    "supporters_paying_in_full",
    "supporters_money_left",
    "budget_left_when_tried",
]
OUTCOME_HEADER += ["funded_under_other_rule"]
