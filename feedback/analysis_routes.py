"""The analysis report and the analyst's review, mounted by every kind of subject under its own
path (`routes_for`). Those who answer the subject see the report as soon as it is computed and
edit it; everyone else sees it once it is published."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from core import charts
from core.errors import N_, Invalid
from core.i18n import article_label
from core.i18n import gettext as translate
from core.input import whole_number
from core.web import Ctx, csv_download, json_download, page
from feedback import analyses, report, review
from feedback.access import visible_subject
from feedback.models import STANCE_LABELS, Analysis
from feedback.subjects import Subject, SubjectKind


@dataclass
class Viewing:
    """The subject whose analysis is asked for, as this member sees it."""

    subject: Subject
    editable: bool  # the member may run, review and publish its analysis
    articles: dict[int, str]  # article number -> heading

    @property
    def kind(self) -> str:
        return self.subject.kind

    @property
    def id(self) -> int:
        return self.subject.id

    @property
    def title(self) -> str:
        return self.subject.title

    @property
    def path(self) -> str:
        return self.subject.path


def _viewing(ctx: Ctx, kind: SubjectKind) -> Viewing:
    subject = visible_subject(ctx, kind)
    articles = {a.number: a.heading for a in kind.articles(ctx.db, subject) if a.heading}
    return Viewing(subject, kind.can_manage(ctx.member, ctx.roles, subject), articles)


KIND_LABELS = {
    "participant": N_("Participant"),
    "organisation": N_("Organisation"),
    "article": N_("Article"),
    "theme": N_("Theme"),
    "campaign": N_("Form letter"),
    "proposal": N_("Proposal"),
}
EDIT_LABELS = {
    "rerun": N_("Computed"),
    "rename": N_("Renamed a theme"),
    "merge": N_("Merged two themes"),
    "split": N_("Split a theme"),
    "move": N_("Moved comments"),
    "publish": N_("Published"),
}
MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 960, 600, 24
MAP_NAMED = 12  # the best-linked nodes carry their name on the map; the table names every one
COMMUNITY_COLOURS = 8  # as many as site.css's .community-N


def _node_label(node: dict[str, Any], subject: Viewing) -> str:
    kind, label = node["kind"], node["label"]
    if kind == "participant":
        return translate(N_("Participant %(n)s")) % {"n": label}
    if kind == "article":
        return subject.articles.get(int(label)) or article_label(int(label))
    if kind == "campaign":
        return translate(N_("Form letter %(n)s")) % {"n": label}
    if kind == "proposal":
        return translate(N_("Proposal %(n)s")) % {"n": label}
    return str(label)


def _drawing(network: dict[str, Any], subject: Viewing) -> dict[str, Any]:
    """The stored layout scaled to the map, with readable labels; the table lists the first
    `table_rows` of the network's `node_count` nodes (`network` is analyses.network_page's)."""
    nodes = []
    for node in network.get("nodes", []):
        shown = {**node, "name": _node_label(node, subject), "kind_label": KIND_LABELS.get(node["kind"], node["kind"])}
        if node["x"] is not None:
            shown["px"] = round(MAP_MARGIN + node["x"] * (MAP_WIDTH - 2 * MAP_MARGIN), 1)
            shown["py"] = round(MAP_MARGIN + node["y"] * (MAP_HEIGHT - 2 * MAP_MARGIN), 1)
            shown["r"] = round(4 + min(10, node["degree"] ** 0.5 * 1.5), 1)
        nodes.append(shown)
    # Organisations first (they are the actors a reader looks for by name), then the best linked.
    ranked = sorted((n for n in nodes if "px" in n), key=lambda n: (n["kind"] != "organisation", -n["degree"], n["id"]))
    for node in ranked[:MAP_NAMED]:
        node["named"] = True
    at = {n["id"]: n for n in nodes if "px" in n}
    lines = [
        (at[source]["px"], at[source]["py"], at[target]["px"], at[target]["py"], relation)
        for source, target, relation in network.get("links", [])
        if source in at and target in at
    ]
    by_id = {n["id"]: n for n in nodes}
    # The key names each coloured community by its first-ranked member (colours repeat after eight).
    legend = []
    for community in network.get("communities", [])[:COMMUNITY_COLOURS]:
        inside = [n for n in ranked if n["community"] == community["index"]]
        legend.append({**community, "lead": inside[0]["name"] if inside else ""})
    return {
        "count": network["node_count"],
        "table": nodes[: network["table_rows"]],
        "drawn": [n for n in nodes if "px" in n],
        "lines": lines,
        "central": [by_id[i] for i in network.get("central", []) if i in by_id],
        "bridges": [by_id[i] for i in network.get("bridges", []) if i in by_id],
        "communities": network.get("communities", []),
        "legend": legend,
        "named": sum(1 for n in nodes if n.get("named")),
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
    }


def _paths(subject: Viewing) -> dict[str, str]:
    base = f"{subject.path}/analysis"
    return {"subject": subject.path, "base": base}


def _visible(ctx: Ctx, subject: Viewing) -> Analysis | None:
    """The analysis if this member may read it: analysts always, others once published."""
    analysis = analyses.analysis_for(ctx.db, subject.kind, subject.id)
    if subject.editable or (analysis is not None and analysis.published_at is not None):
        return analysis
    return None


# The report's sections, each its own page (so none waits for the others' queries), and "all" for
# printing the whole report.
SECTIONS = {
    "themes": N_("Themes"),
    "articles": N_("Stance by article"),
    "campaigns": N_("Form letters"),
    "network": N_("Stakeholder network"),
    "volume": N_("Comments over time"),
    "method": N_("How this analysis was made"),
}
CAMPAIGNS_PER_PAGE = 20


def _report(ctx: Ctx, subject: Viewing, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    analysis = _visible(ctx, subject)
    section = ctx.query("section") or "themes"
    if section not in SECTIONS and section != "all":
        raise HTTPException(404, detail=N_("This report has no such section."))
    context: dict[str, Any] = {
        "subject": subject,
        "paths": _paths(subject),
        "analysis": analysis,
        "section": section,
        "sections": SECTIONS,
    }
    if analysis is not None and analysis.status == "done":
        wanted = set(SECTIONS) if section == "all" else {section}
        context["counts"] = report.counts_line(analysis)
        if "themes" in wanted:
            shown = 30 if subject.editable else 0
            context.update(themes=report.theme_views(ctx.db, analysis, members_shown=shown))
            context.update(unthemed=report.unthemed_count(ctx.db, analysis))
        elif "articles" in wanted:  # the table alone: the themes' stance and article counts
            context.update(themes=report.theme_counts(ctx.db, analysis))
        if "campaigns" in wanted:
            total = context["counts"]["campaigns"]
            pages = max(1, -(-total // CAMPAIGNS_PER_PAGE))
            page = min(ctx.int_query("page") or 1, pages)
            every = section == "all"
            start = 0 if every else (page - 1) * CAMPAIGNS_PER_PAGE
            count = None if every else CAMPAIGNS_PER_PAGE
            context.update(campaigns=report.campaign_views(ctx.db, analysis, start=start, count=count))
            context.update(campaign_page=page, campaign_pages=pages)
            # The paraphrase groups, paged on their own: never part of the form letters' counts.
            groups = context["counts"]["paraphrases"]
            paraphrase_pages = max(1, -(-groups // CAMPAIGNS_PER_PAGE))
            paraphrase_page = min(ctx.int_query("paraphrase_page") or 1, paraphrase_pages)
            first = 0 if every else (paraphrase_page - 1) * CAMPAIGNS_PER_PAGE
            context.update(paraphrases=report.paraphrase_views(analysis, start=first, count=count))
            context.update(paraphrase_page=paraphrase_page, paraphrase_pages=paraphrase_pages)
            context.update(campaigns_per_page=CAMPAIGNS_PER_PAGE)
        if "network" in wanted:
            context.update(network=_drawing(report.network_page(analysis), subject))
        if "volume" in wanted:
            context.update(volume=charts.time_chart([(day, n) for day, n in json.loads(analysis.volume)]))
        if "method" in wanted:
            context.update(method=json.loads(analysis.method), edits=report.edits_of(ctx.db, analysis))
    response = ctx.render(
        "feedback/analysis.html",
        status,
        partial="feedback/_analysis_status.html",
        stance_labels=STANCE_LABELS,
        kind_labels=KIND_LABELS,
        edit_labels=EDIT_LABELS,
        errors=errors or {},
        **context,
    )
    if ctx.htmx and analysis is not None and analysis.status in ("done", "failed"):
        response.headers["HX-Refresh"] = "true"  # the poller's last answer: show the whole report
    return response


def _editing(ctx: Ctx, kind: SubjectKind) -> Viewing:
    ctx.require_member()
    subject = _viewing(ctx, kind)
    if not subject.editable:
        raise HTTPException(403, detail=N_("Only the people answering these comments can analyse them."))
    return subject


def _k(raw: str) -> int | None:
    if not raw.strip():
        return None
    k = whole_number(raw)
    if k is None:
        raise Invalid({"k": N_("The number of themes is between 1 and 50, or empty to choose it automatically.")})
    return k


def _ids(values: list[str]) -> list[int]:
    ids = [whole_number(v) for v in values]
    if None in ids:
        raise Invalid({"comment": N_("The form was not filled in as expected. Reload the page and try again.")})
    return [i for i in ids if i is not None]


def routes_for(kind: SubjectKind) -> list[Route]:
    """The analysis pages under the kind's path, named `<its route names>:analysis...`."""
    prefix, names = kind.route_prefix, kind.route_names

    @page
    def report_page(ctx: Ctx) -> Response:
        return _report(ctx, _viewing(ctx, kind))

    @page
    def run(ctx: Ctx) -> Response:
        subject = _editing(ctx, kind)
        member = ctx.contributor()
        try:
            _analysis, reused = analyses.request(ctx.db, ctx.queue, subject.kind, subject.id, member, _k(ctx.text("k")))
        except Invalid as invalid:
            return _report(ctx, subject, invalid.errors, 400)
        ctx.flash(
            N_("Nothing changed since the last run, so its results (and your edits) are kept.")
            if reused
            else N_("The analysis has started. This page shows its progress.")
        )
        return ctx.redirect(_paths(subject)["base"])

    @page
    def edit(ctx: Ctx) -> Response:
        subject = _editing(ctx, kind)
        member = ctx.require_member()
        analysis = analyses.analysis_for(ctx.db, subject.kind, subject.id)
        if analysis is None or analysis.status != "done":
            raise HTTPException(409, detail=N_("Wait for the analysis to finish before editing it."))
        action = ctx.text("action")
        try:
            theme_id = _ids([ctx.text("theme")])[0] if ctx.text("theme") else None
            theme = review.get_theme(ctx.db, analysis, theme_id) if theme_id else None
            into_id = _ids([ctx.text("into")])[0] if ctx.text("into") else None
            into = review.get_theme(ctx.db, analysis, into_id) if into_id else None
            if action == "rename" and theme is not None:
                review.rename_theme(ctx.db, analysis, member, theme, ctx.text("label"))
            elif action == "merge" and theme is not None and into is not None:
                review.merge_themes(ctx.db, analysis, member, theme, into)
            elif action in ("move", "split"):
                chosen = _ids([str(v) for v in ctx.form.getlist("comment")])
                if action == "move" and into is None:
                    raise Invalid({"into": N_("Choose the theme to move the comments to.")})
                label = ctx.text("label") if action == "split" else ""
                if action == "split" and not label.strip():
                    raise Invalid({"label": N_("Enter a name for the theme.")})
                review.move_comments(ctx.db, analysis, member, chosen, into if action == "move" else None, label)
            else:
                raise Invalid({"": N_("The form was not filled in as expected. Reload the page and try again.")})
        except Invalid as invalid:
            return _report(ctx, subject, invalid.errors, 400)
        ctx.flash(N_("The themes are updated."))
        return ctx.redirect(_paths(subject)["base"] + "#themes-title")

    @page
    def publish(ctx: Ctx) -> Response:
        subject = _editing(ctx, kind)
        member = ctx.require_member()
        analysis = analyses.analysis_for(ctx.db, subject.kind, subject.id)
        if analysis is None:
            raise HTTPException(404)
        try:
            review.publish(ctx.db, analysis, member)
        except Invalid as invalid:
            return _report(ctx, subject, invalid.errors, 400)
        ctx.flash(N_("The analysis is published, and its themes are in the draft response."))
        return ctx.redirect(_paths(subject)["base"])

    def _finished(ctx: Ctx) -> tuple[Viewing, Analysis]:
        subject = _viewing(ctx, kind)
        analysis = _visible(ctx, subject)
        if analysis is None or analysis.status != "done":
            raise HTTPException(404)
        return subject, analysis

    @page
    def as_csv(ctx: Ctx) -> Response:
        subject, analysis = _finished(ctx)
        header = ["theme", "key_terms", "comments", "people", *STANCE_LABELS, "articles", "campaigns", "individual"]
        rows = [
            [
                view.theme.label,
                " ".join(view.key_terms),
                view.size,
                view.people,
                *(view.stances.get(stance, 0) for stance in STANCE_LABELS),
                " ".join(article_label(a) for a in view.articles),
                " ".join(f"{number + 1}:{n}" for number, n in view.campaigns.items()),
                view.individual,
            ]
            for view in report.theme_views(ctx.db, analysis, members_shown=0)
        ]
        return csv_download(f"{subject.kind}-{subject.id}-analysis.csv", header, rows)

    @page
    def as_json(ctx: Ctx) -> Response:
        subject, analysis = _finished(ctx)
        data = {
            "subject": {"kind": subject.kind, "title": subject.title, "url": subject.path},
            "counts": report.counts_line(analysis),
            "themes": [
                {
                    "label": v.theme.label,
                    "labels": json.loads(v.theme.labels or "{}"),
                    "key_terms": v.key_terms,
                    "size": v.size,
                    "people": v.people,
                    "stances": v.stances,
                    "articles": v.articles,
                    "campaigns": {str(number + 1): n for number, n in v.campaigns.items()},
                    "members": v.member_ids,
                    "representative": [c.id for c in v.representative],
                }
                for v in report.theme_views(ctx.db, analysis, members_shown=0, with_member_ids=True)
            ],
            **report.stored_campaigns(analysis),  # "campaigns", and "paraphrases" apart
            "network": {k: v for k, v in json.loads(analysis.network).items() if k != "links"},
            "volume": json.loads(analysis.volume),
            "method": json.loads(analysis.method) | {"input_hash": analysis.input_hash},
            "edits": [
                {"action": e.action, "detail": e.detail, "at": e.created_at.isoformat()}
                for e, _who in report.edits_of(ctx.db, analysis)
            ],
        }
        return json_download(f"{subject.kind}-{subject.id}-analysis.json", data)

    @page
    def graphml(ctx: Ctx) -> Response:
        subject, analysis = _finished(ctx)
        return _download(report.network_export(analysis).graphml(), f"{subject.kind}-{subject.id}.graphml")

    @page
    def gexf(ctx: Ctx) -> Response:
        subject, analysis = _finished(ctx)
        return _download(report.network_export(analysis).gexf(), f"{subject.kind}-{subject.id}.gexf")

    return [
        Route(f"{prefix}/analysis", report_page, name=f"{names}:analysis"),
        Route(f"{prefix}/analysis/run", run, methods=["POST"], name=f"{names}:analysis_run"),
        Route(f"{prefix}/analysis/themes", edit, methods=["POST"], name=f"{names}:analysis_edit"),
        Route(f"{prefix}/analysis/publish", publish, methods=["POST"], name=f"{names}:analysis_publish"),
        Route(f"{prefix}/analysis.csv", as_csv, name=f"{names}:analysis_csv"),
        Route(f"{prefix}/analysis.json", as_json, name=f"{names}:analysis_json"),
        Route(f"{prefix}/network.graphml", graphml, name=f"{names}:analysis_graphml"),
        Route(f"{prefix}/network.gexf", gexf, name=f"{names}:analysis_gexf"),
    ]


def _download(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="application/xml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
