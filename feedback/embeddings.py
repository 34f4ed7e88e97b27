"""Comments' sentence embeddings, stored: computed in the background a minute or so after a comment
arrives (the periodic job `embed_comments`), and by an analysis for any it still lacks, so that a
rerun of the analysis only clusters. A vector is reused while the comment's text and the model are
the ones it was computed from; an edited comment or a new model is embedded again."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.db import pk
from core.jobs import JobContext, handler, periodic
from feedback.models import Comment, CommentEmbedding

if TYPE_CHECKING:  # numpy is imported where vectors are made: the web process starts without it
    import numpy as np

BATCH = 2_000  # comments per background run: a few seconds of encoding
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


class Pending:
    """Comments' vectors being computed: the stored current ones read now, the rest encoded in
    another thread (the encoder's matrix products release the GIL), so the caller can tokenise
    or look for campaigns meanwhile. `result()` waits, stores the fresh vectors (the caller
    commits) and returns the (len(comments), 512) float16 array, row i for comments[i]. Float16,
    as stored: a million comments' vectors take 1 GB rather than 2, and a fresh vector is rounded
    the same way as a stored one, so the themes do not depend on which comments were embedded
    earlier."""

    def __init__(self, session: Session, comments: Sequence[Comment]) -> None:
        import numpy as np

        from analysis.embeddings import DIMENSIONS, cores, embed

        self._session, self._comments, self._model = session, comments, _model()
        self._stored = _stored(session, [pk(c) for c in comments])
        self._vectors = np.empty((len(comments), DIMENSIONS), dtype=np.float16)
        self._missing: list[tuple[int, str]] = []  # (index, text hash) of the comments to embed now
        for index, comment in enumerate(comments):
            hashed, hit = text_hash(comment.text), self._stored.get(pk(comment))
            if hit is not None and hit[:2] == (self._model, hashed):
                self._vectors[index] = np.frombuffer(hit[2], dtype=np.float16)
            else:
                self._missing.append((index, hashed))
        self._fresh: Future[np.ndarray] | None = None
        if self._missing:
            texts = [comments[i].text for i, _hashed in self._missing]
            pool = ThreadPoolExecutor(1, thread_name_prefix="embed")
            # On all cores but one: this thread tokenises meanwhile, or another job runs beside this
            # one in the worker (BLAS threads that wait for a busy core spin, and slow all down).
            # Every caller here uses the same count, so the worker loads one encoder.
            self._fresh = pool.submit(embed, texts, threads=max(1, cores() - 1))
            pool.shutdown(wait=False)  # the thread ends with its one task

    def result(self) -> np.ndarray:
        import numpy as np

        if self._fresh is None:
            return self._vectors
        fresh, self._fresh = self._fresh.result().astype(np.float16), None
        self._vectors[[i for i, _hashed in self._missing]] = fresh  # as a stored one reads back: the same
        for (index, hashed), vector in zip(self._missing, fresh, strict=True):
            comment_id = pk(self._comments[index])
            values = {"model": self._model, "text_hash": hashed, "vector": vector.tobytes()}
            if comment_id in self._stored:  # an edited comment, or another model's vector: replaced
                self._session.execute(
                    update(CommentEmbedding).where(col(CommentEmbedding.comment_id) == comment_id).values(**values)
                )
            else:
                self._session.add(CommentEmbedding(comment_id=comment_id, **values))
        return self._vectors


def embeddings_for(session: Session, comments: Sequence[Comment]) -> np.ndarray:
    """A (len(comments), 512) float16 array, row i for comments[i]: the stored vectors where they
    are current, the rest embedded now and stored (the caller commits)."""
    return Pending(session, comments).result()


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
