"""Public feedback on any subject (a consultation, a bill): comments per article with stance and
amendment, structured responses with their themes, and analyses of the comments.

Each row names its subject by (subject_kind, subject_id), so one table serves every kind of subject;
`feedback.subjects` says how to find the subject behind the pair."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import utcnow
from core.errors import N_
from core.jobs import FAILURE_REASONS


class Stance(StrEnum):
    support = "support"
    oppose = "oppose"
    neutral = "neutral"
    amend = "amend"


STANCE_LABELS = {
    Stance.support: N_("Support"),
    Stance.oppose: N_("Oppose"),
    Stance.neutral: N_("Neutral"),
    Stance.amend: N_("Suggest an amendment"),
}


class Comment(SQLModel, table=True):
    """A comment on a consultation or a bill (subject_kind), on the whole text or one article.

    One table serves both, so feedback, themes and responses work the same way for each.
    """

    __table_args__ = (
        Index("ix_comment_subject_id", "subject_kind", "subject_id", "id"),
        Index("ix_comment_subject_article", "subject_kind", "subject_id", "article", "stance"),
        # The places pages count a subject's comments by place in one pass over this index alone.
        Index("ix_comment_subject_place", "subject_kind", "subject_id", "place_code", "stance", "article", "author_id"),
        UniqueConstraint("subject_kind", "subject_id", "dedupe_key"),
    )
    id: int | None = Field(default=None, primary_key=True)
    subject_kind: str = Field(max_length=20)  # "consultation" or "bill"
    subject_id: int
    article: int | None = None  # article number, None for the whole text
    version: int | None = None  # the draft version the article number refers to
    stance: str = Field(max_length=10)
    text: str
    amendment: str = Field(default="")  # suggested replacement text for the article
    author_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    author_name: str = Field(default="", max_length=120)  # for imported comments with no account
    source: str = Field(default="web", max_length=20)  # web, import
    dedupe_key: str = Field(max_length=64)  # imports: the file's id, or a hash of the row
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None
    hidden_reason: str = Field(default="", max_length=500)  # set when a moderator hides it: shown instead of the text
    place_code: str | None = Field(default=None, max_length=11, index=True)  # the author's place when written
    offline: bool = False  # collected on paper or at a meeting by a village chief or liaison
    collected_by_id: int | None = Field(default=None, foreign_key="member.id")  # who typed it in
    collected_village: str = Field(default="", max_length=20)  # the village (村里) it was collected in, as written


class CommentSupport(SQLModel, table=True):
    """A member's support of someone else's comment: one per member and comment, which the
    constraint, not application code, keeps so however many clicks arrive at once."""

    __tablename__ = "comment_support"
    __table_args__ = (UniqueConstraint("comment_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id")  # the constraint's index serves the counts
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Decision(StrEnum):
    adopted = "adopted"
    partly_adopted = "partly_adopted"
    not_adopted = "not_adopted"
    under_consideration = "under_consideration"
    out_of_scope = "out_of_scope"


DECISION_LABELS = {
    Decision.adopted: N_("Adopted"),
    Decision.partly_adopted: N_("Partly adopted"),
    Decision.not_adopted: N_("Not adopted"),
    Decision.under_consideration: N_("Under consideration"),
    Decision.out_of_scope: N_("Out of scope"),
}


class Response(SQLModel, table=True):
    """An agency's (or legislative staff's) structured answer to the comments on one subject."""

    __table_args__ = (UniqueConstraint("subject_kind", "subject_id"),)
    id: int | None = Field(default=None, primary_key=True)
    subject_kind: str = Field(max_length=20)
    subject_id: int
    summary: str = Field(default="")  # Markdown
    published_at: datetime | None = None
    published_by_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow)


class ResponseTheme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True)
    position: int = 0
    title: str = Field(max_length=200)
    decision: str = Field(default=Decision.under_consideration, max_length=30)
    reasoning: str = Field(default="")  # Markdown: why the agency decided so
    article_changes: str = Field(default="")  # Markdown: what changed in the text because of it
    created_at: datetime = Field(default_factory=utcnow)


class ThemeComment(SQLModel, table=True):
    """A comment placed in a theme. One theme per comment within a response."""

    __table_args__ = (UniqueConstraint("response_id", "comment_id"),)
    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True)
    theme_id: int = Field(foreign_key="responsetheme.id", index=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    representative: bool = False  # quoted on the response page


class Analysis(SQLModel, table=True):
    """The latest analysis of one subject's comments (a consultation or a bill). Themes are rows,
    because analysts edit them; campaigns, the network and the volume are stored as computed."""

    __table_args__ = (UniqueConstraint("subject_kind", "subject_id"),)
    id: int | None = Field(default=None, primary_key=True)
    subject_kind: str = Field(max_length=20)
    subject_id: int
    status: str = Field(default="queued", max_length=10)  # queued, running, done, failed
    job_id: int | None = Field(default=None, foreign_key="job.id")
    k: int | None = None  # the analyst's number of themes; None lets the silhouette choose
    input_hash: str = Field(default="", max_length=64)
    comments: int = 0
    method: str = Field(default="{}")  # JSON: algorithms, parameters, package versions, date
    campaigns: str = Field(default="[]")  # JSON {"campaigns": [...], "paraphrases": [...]}; older runs: the list
    network: str = Field(default="{}")  # JSON: every node and link, for the exports
    # JSON: the part of the network the report's page shows (feedback.analyses.network_page), so
    # that the page does not parse tens of megabytes; empty in analyses stored before it.
    network_page: str = Field(default="")
    volume: str = Field(default="[]")  # JSON: [day, comments]
    error: str = Field(default="")
    requested_by_id: int | None = Field(default=None, foreign_key="member.id")
    requested_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    published_at: datetime | None = None

    @property
    def failure_reason(self) -> str:
        """Why it failed, as analysts are told: the job's reason when the job never ran to its end."""
        if self.error in ("lost", "unavailable"):
            return FAILURE_REASONS[self.error]
        return N_("The analysis failed. The error has been recorded; please try again later.")


class AnalysisTheme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = Field(foreign_key="analysis.id", index=True)
    position: int = 0
    label: str = Field(max_length=200)
    # JSON {"zh": ..., "en": ...}: the name in each language the theme's comments are written in; an
    # analyst's rename replaces them all with the one name given.
    labels: str = Field(default="{}")
    key_terms: str = Field(default="[]")  # JSON
    representative: str = Field(default="[]")  # JSON: comment ids


class AnalysisThemeComment(SQLModel, table=True):
    """A comment's place in the analysis: its theme, and its campaign if it is a form letter."""

    __table_args__ = (
        UniqueConstraint("analysis_id", "comment_id"),
        # The report counts an analysis's themes by campaign from this index alone, and reads a
        # theme's first comments in order from it without sorting the theme's every comment.
        Index("ix_analysisthemecomment_report", "analysis_id", "theme_id", "comment_id", "campaign"),
    )
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = Field(foreign_key="analysis.id", index=True)
    theme_id: int | None = Field(default=None, foreign_key="analysistheme.id", index=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    campaign: int | None = None  # index into Analysis.campaigns


class AnalysisEdit(SQLModel, table=True):
    """What an analyst changed, shown in the report's account of how it was made."""

    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = Field(foreign_key="analysis.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    action: str = Field(max_length=20)  # rename, merge, split, move, rerun, publish
    detail: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow)


class CommentEmbedding(SQLModel, table=True):
    """A comment's sentence embedding (analysis.embeddings), computed once in the background soon
    after the comment arrives, so that rerunning an analysis costs only the clustering. Stored as
    512 float16 numbers (1 KB; float16 keeps cosines to about 1e-3, far finer than themes need)."""

    comment_id: int = Field(foreign_key="comment.id", primary_key=True)
    model: str = Field(max_length=100)  # analysis.embeddings.MODEL: another model's vectors are not used
    text_hash: str = Field(max_length=16)  # of the text embedded: an edited comment is embedded again
    vector: bytes
