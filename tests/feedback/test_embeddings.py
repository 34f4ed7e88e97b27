"""Comments' stored sentence embeddings: computed once, in the background or by the analysis that
first needs them, reused while the text is the same, computed again after an edit."""

import numpy as np
from sqlmodel import Session, select

from analysis.embeddings import MODEL, embed
from core import jobs
from feedback import embeddings
from feedback.models import Comment, CommentEmbedding
from participation import services
from tests.helpers import make_member
from tests.participation.factories import consultation

TEXTS = ["喘息服務的天數太少", "照顧服務員薪資太低", "Respite care days are too few", "長照人力不足"]


def _comments(db: Session) -> list[Comment]:
    ltc = consultation(db)
    people = [make_member(db, f"e{i}@example.tw", name=f"民眾{i}") for i in range(len(TEXTS))]
    for person, text in zip(people, TEXTS, strict=True):
        services.comment_on_consultation(db, ltc, person, "support", text)
    return list(db.exec(select(Comment).order_by(Comment.id)))  # type: ignore[arg-type]


def test_the_background_job_embeds_new_comments_newest_first_in_batches(db: Session) -> None:
    comments = _comments(db)
    assert "embed_comments" in jobs._periodic  # the worker runs it every minute
    assert embeddings.embed_new(db, limit=3) == 3
    stored = {row.comment_id: row for row in db.exec(select(CommentEmbedding))}
    assert set(stored) == {c.id for c in comments[1:]}  # the newest three
    assert embeddings.embed_new(db) == 1 and embeddings.embed_new(db) == 0
    row = db.get(CommentEmbedding, comments[0].id)
    assert row is not None and row.model == MODEL and row.text_hash == embeddings.text_hash(TEXTS[0])
    vector = np.frombuffer(row.vector, dtype=np.float16).astype(np.float32)
    fresh = embed([TEXTS[0]])[0]
    assert vector.shape == (512,) and float(vector @ fresh) > 0.999  # the text's own embedding, in float16


def test_a_stored_vector_is_reused_and_an_edited_comment_is_embedded_again(db: Session) -> None:
    comments = _comments(db)
    embeddings.embeddings_for(db, comments)
    db.commit()
    # Store another text's vector under the first comment, with the first comment's text hash: if
    # the stored row is read rather than recomputed, the first row comes back as the other's vector.
    other = embeddings.embeddings_for(db, [comments[1]])[0]
    row = db.get(CommentEmbedding, comments[0].id)
    assert row is not None
    row.vector = other.astype(np.float16).tobytes()
    db.add(row)
    db.commit()
    again = embeddings.embeddings_for(db, comments)
    assert np.array_equal(again[0], other) and not np.array_equal(again[0], again[2])
    comments[0].text = "喘息服務的天數太少，請增加到六十天"
    db.add(comments[0])
    db.commit()
    edited = embeddings.embeddings_for(db, comments)
    db.commit()
    assert not np.array_equal(edited[0], other)  # the edit's text is embedded, not the stale vector
    row = db.get(CommentEmbedding, comments[0].id)
    assert row is not None and row.text_hash == embeddings.text_hash(comments[0].text)
    assert len(db.exec(select(CommentEmbedding)).all()) == len(TEXTS)  # replaced, not added
