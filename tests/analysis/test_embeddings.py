"""The multilingual sentence encoder: shape, unit length, determinism, and meaning across languages.
The encoder loads once per process (analysis.embeddings keeps it), so these stay few and small."""

import numpy as np

from analysis.embeddings import DIMENSIONS, cores, embed


def test_embeddings_are_unit_length_float32_rows_and_deterministic() -> None:
    texts = ["長照喘息服務應該增加", "Care workers deserve a fair wage.", "", "ＡＩ法案"]
    vectors = embed(texts)
    assert vectors.shape == (4, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors, embed(texts))
    assert np.allclose(embed(texts, batch=1), vectors, atol=1e-5)  # batching changes only rounding
    assert embed([]).shape == (0, DIMENSIONS)
    assert cores() >= 1


def test_copies_of_a_text_get_its_vector() -> None:
    # A form letter sent many times is encoded once: every copy (the same after NFKC and white space
    # folding) gets the same row, the one the text alone gets.
    vectors = embed(["照顧者需要喘息", "Care workers deserve a fair wage.", "照顧者需要喘息", " 照顧者需要喘息\n"])
    assert np.array_equal(vectors[0], vectors[2]) and np.array_equal(vectors[0], vectors[3])
    assert not np.array_equal(vectors[0], vectors[1])
    assert np.allclose(vectors[:2], embed(["照顧者需要喘息", "Care workers deserve a fair wage."]), atol=1e-5)


def test_a_sentence_and_its_translation_are_closer_than_unrelated_sentences() -> None:
    chinese = embed(["酒駕應該加重刑罰", "捷運票價應該降低"])
    english = embed(["Drunk drivers should get harsher punishment", "Metro fares should be lowered"])
    similarity = chinese @ english.T
    assert similarity[0, 0] > similarity[0, 1] and similarity[1, 1] > similarity[1, 0]
