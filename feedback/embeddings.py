"""Comments' sentence embeddings, stored: computed in the background a minute or so after a comment
arrives (the periodic job `embed_comments`), and by an analysis for any it still lacks, so that a
rerun of the analysis only clusters. A vector is reused while the comment's text and the model are
the ones it was computed from; an edited comment or a new model is embedded again."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import update
from sqlmodel import Session, col, select

from core.db import pk
from core.jobs import JobContext, handler, periodic
from feedback.models import Comment, CommentEmbedding

BATCH = 2_000  # comments per background run: about two seconds of encoding on two cores
READ_CHUNK = 5_000  # ids per IN (...) list when reading stored vectors


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _model() -> str:
    from analysis.embeddings import MODEL

    return MODEL


def _stored(session: Session, ids: list[int]) -> dict[int, tuple[str, str, bytes]]:
    """{comment id: (model, text hash, vector)} for the comments that have a row, of any model."""
    found: dict[int, tuple[str, str, bytes]] = {}
    for start in range(0, len(ids), READ_CHUNK):
        chunk = ids[start : start + READ_CHUNK]
        query = select(
            CommentEmbedding.comment_id, CommentEmbedding.model, CommentEmbedding.text_hash, CommentEmbedding.vector
        ).where(col(CommentEmbedding.comment_id).in_(chunk))
        found.update((int(i), (m, h, bytes(v))) for i, m, h, v in session.exec(query))
    return found


def embeddings_for(session: Session, comments: Sequence[Comment]) -> np.ndarray:
    """A (len(comments), 512) float16 array, row i for comments[i]: the stored vectors where they
    are current, the rest embedded now and stored (the caller commits). Float16, as stored: a
    million comments' vectors take 1 GB rather than 2, and a fresh vector is rounded the same way
    as a stored one, so the themes do not depend on which comments were embedded earlier."""
    from analysis.embeddings import DIMENSIONS, embed

    model = _model()
    stored = _stored(session, [pk(c) for c in comments])
    result = np.empty((len(comments), DIMENSIONS), dtype=np.float16)
    missing: list[tuple[int, str]] = []  # (index, text hash) of the comments to embed now
    for index, comment in enumerate(comments):
        hashed, hit = text_hash(comment.text), stored.get(pk(comment))
        if hit is not None and hit[:2] == (model, hashed):
            result[index] = np.frombuffer(hit[2], dtype=np.float16)
        else:
            missing.append((index, hashed))
    if missing:
        fresh = embed([comments[i].text for i, _hashed in missing]).astype(np.float16)
        result[[i for i, _hashed in missing]] = fresh  # as a stored one reads back: the same vector either way
        for (index, hashed), vector in zip(missing, fresh, strict=True):
            comment_id = pk(comments[index])
            values = {"model": model, "text_hash": hashed, "vector": vector.tobytes()}
            if comment_id in stored:  # an edited comment, or another model's vector: replaced
                session.execute(
                    update(CommentEmbedding).where(col(CommentEmbedding.comment_id) == comment_id).values(**values)
                )
            else:
                session.add(CommentEmbedding(comment_id=comment_id, **values))
    return result


def embed_new(session: Session, limit: int = BATCH) -> int:
    """Embed up to `limit` comments that have no stored vector yet (newest first: those most likely
    to be analysed next), and commit. Returns how many."""
    query: Any = (
        select(Comment)
        .outerjoin(CommentEmbedding, col(CommentEmbedding.comment_id) == col(Comment.id))
        .where(col(CommentEmbedding.comment_id).is_(None))
        .order_by(col(Comment.id).desc())
        .limit(limit)
    )
    comments = list(session.exec(query))
    if comments:
        embeddings_for(session, comments)
        session.commit()
    return len(comments)


@handler("embed_comments")
def embed_job(job: JobContext) -> dict[str, object]:
    return {"embedded": embed_new(job.session)}


periodic("embed_comments", minute="*")
