"""Form-letter campaigns: exact and near-duplicate comments grouped, with what each sender changed.

Texts are compared as sets of character shingles (5 characters of the normalised text, without
spaces or punctuation), so Chinese needs no segmentation and re-spacing or re-punctuating a letter
changes nothing. Exact copies are folded first. The rest get MinHash signatures (numpy, over all
texts at once), LSH bands propose candidate pairs, and each candidate is verified by the Jaccard
similarity its full signature estimates. Verified pairs are joined into campaigns (connected
components). The template of a campaign is its most common text (the earliest on a tie), and
for every member we keep only what that sender changed or added, so a personal story inside a
form letter is not lost."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

SHINGLE = 5
BANDS, ROWS = 16, 4  # a pair at Jaccard 0.5 shares a band with probability 0.65, at 0.6 0.89, at 0.7 0.98
HASHES = BANDS * ROWS
THRESHOLD = 0.4  # estimated Jaccard similarity that makes two texts copies of one letter
MIN_SIZE = 2
SEED = 20261126
_DROP = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Letter:
    id: Hashable
    text: str
    submitted_at: datetime | None = None


@dataclass
class Campaign:
    template: str
    members: list[Hashable]  # in input order
    first_at: datetime | None
    last_at: datetime | None
    exact_copies: int  # members whose text is the template, character for character once normalised

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class CampaignResult:
    campaigns: list[Campaign]  # largest first
    individual: list[Hashable]
    parameters: dict[str, object]

    def campaign_of(self) -> dict[Hashable, int]:
        return {member: index for index, campaign in enumerate(self.campaigns) for member in campaign.members}


def _normal(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text).lower())


def find_campaigns(letters: Sequence[Letter], threshold: float = THRESHOLD, min_size: int = MIN_SIZE) -> CampaignResult:
    normal = [_normal(letter.text) for letter in letters]
    # Exact copies first: one representative per distinct normalised text.
    first_of: dict[str, int] = {}
    distinct: list[int] = []  # letter index of each distinct text
    group = np.empty(len(letters), dtype=np.int64)
    for index, text in enumerate(normal):
        if text not in first_of:
            first_of[text] = len(distinct)
            distinct.append(index)
        group[index] = first_of[text]
    parent = np.arange(len(distinct))
    signatures = minhash([normal[i] for i in distinct])
    pairs = candidate_pairs(signatures)
    if len(pairs):
        agreement = (signatures[pairs[:, 0]] == signatures[pairs[:, 1]]).mean(axis=1)
        pairs = pairs[agreement >= threshold]
        parent = _components(len(distinct), pairs)
    # Campaigns are found among distinct texts, then take their exact copies along. Connected
    # components chain (A~B and B~C although A is unlike C), so each component keeps only the
    # texts that are themselves close to its template.
    copies = np.bincount(group, minlength=len(distinct))
    components: dict[int, list[int]] = {}
    for d, label in enumerate(parent.tolist()):
        if normal[distinct[d]]:  # an empty text (punctuation only) is like nothing
            components.setdefault(label, []).append(d)
    campaign_of_distinct: dict[int, int] = {}
    templates: list[int] = []
    for texts in components.values():
        if copies[texts].sum() < min_size:
            continue
        template = _template(signatures, texts, copies)
        close = (signatures[texts] == signatures[template]).mean(axis=1) >= threshold
        kept = [d for d, keep in zip(texts, close.tolist(), strict=True) if keep]
        if copies[kept].sum() >= min_size:
            for d in kept:
                campaign_of_distinct[d] = len(templates)
            templates.append(template)
    members: list[list[int]] = [[] for _ in templates]
    individual = []
    for index, d in enumerate(group.tolist()):
        if d in campaign_of_distinct:
            members[campaign_of_distinct[d]].append(index)
        else:
            individual.append(letters[index].id)
    campaigns = [
        _campaign(letters, distinct[template], indexes, int(copies[template]))
        for template, indexes in zip(templates, members, strict=True)
    ]
    campaigns.sort(key=lambda c: (-c.size, str(c.members[0])))
    parameters: dict[str, object] = {
        "algorithm": "MinHash/LSH over character shingles, verified by signature agreement",
        "shingle": SHINGLE,
        "hashes": HASHES,
        "bands": BANDS,
        "threshold": threshold,
        "min_size": min_size,
    }
    return CampaignResult(campaigns, individual, parameters)


def _template(signatures: np.ndarray, texts: list[int], copies: np.ndarray, sample: int = 200) -> int:
    """The distinct text most like the others, weighted by how often each was sent (among the
    `sample` most sent, which is where a campaign's template is)."""
    if len(texts) == 1:
        return texts[0]
    chosen = sorted(texts, key=lambda d: (-copies[d], d))[:sample]
    agreement = (signatures[chosen][:, None, :] == signatures[chosen][None, :, :]).mean(axis=2)
    score = copies[chosen] @ agreement
    return chosen[int(np.argmax(score))]


def _campaign(letters: Sequence[Letter], template: int, indexes: list[int], exact_copies: int) -> Campaign:
    times = [at for i in indexes if (at := letters[i].submitted_at) is not None]
    return Campaign(
        template=letters[template].text,
        members=[letters[i].id for i in indexes],
        first_at=min(times) if times else None,
        last_at=max(times) if times else None,
        exact_copies=exact_copies,
    )


def minhash(texts: list[str], chunk: int = 50_000) -> np.ndarray:
    """A (len(texts), HASHES) signature matrix. Texts are hashed a chunk at a time, all of a
    chunk at once: the codepoints in one array, each shingle a polynomial hash of its characters,
    then per hash function a universal hash of the shingles and a minimum per text."""
    rng = np.random.default_rng(SEED)
    a = rng.integers(1, (1 << 61) - 1, size=HASHES, dtype=np.uint64)
    b = rng.integers(0, (1 << 61) - 1, size=HASHES, dtype=np.uint64)
    signatures = np.full((len(texts), HASHES), np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(texts), chunk):
        signatures[start : start + chunk] = _minhash_chunk(texts[start : start + chunk], a, b)
    return signatures


def _minhash_chunk(texts: list[str], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    count = len(texts)
    signatures = np.full((count, HASHES), np.iinfo(np.uint64).max, dtype=np.uint64)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=count)
    # A text shorter than a shingle is one shingle of itself; an empty text has none.
    shingles_per_text = np.maximum(lengths - SHINGLE + 1, np.minimum(lengths, 1))
    total = int(shingles_per_text.sum())
    if not total:
        return signatures
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    first_shingle = np.cumsum(shingles_per_text) - shingles_per_text
    owner = np.repeat(np.arange(count), shingles_per_text)
    offset = np.arange(total) - first_shingle[owner]
    position = starts[owner] + offset
    end = starts[owner] + lengths[owner]
    del owner, offset
    hashed = np.zeros(total, dtype=np.uint64)
    for j in range(SHINGLE):
        inside = position + j < end
        hashed = hashed * np.uint64(1_000_003) + np.where(inside, codes[np.where(inside, position + j, 0)] + 1, 0)
    del position, end
    has = np.flatnonzero(shingles_per_text)
    boundaries = first_shingle[has]
    # Multiply-add modulo 2^64, keeping the high 32 bits: a universal family cheap enough for numpy.
    for h in range(HASHES):
        values = (hashed * a[h] + b[h]) >> np.uint64(32)
        signatures[has, h] = np.minimum.reduceat(values, boundaries)
    return signatures


def candidate_pairs(signatures: np.ndarray) -> np.ndarray:
    """Pairs (i, j), i < j, that share a whole band of their signatures. Each band's bucket is
    joined as a star on its first member, so a campaign of n copies gives n - 1 pairs, not n²."""
    count = signatures.shape[0]
    if count < 2:
        return np.empty((0, 2), dtype=np.int64)
    found = []
    for band in range(BANDS):
        chunk = signatures[:, band * ROWS : (band + 1) * ROWS]
        key = chunk[:, 0].copy()
        for r in range(1, ROWS):
            key = key * np.uint64(0x9E3779B97F4A7C15) + chunk[:, r]
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        starts_bucket = np.concatenate(([True], ordered[1:] != ordered[:-1]))
        bucket_first = order[np.maximum.accumulate(np.where(starts_bucket, np.arange(count), 0))]
        keep = ~starts_bucket
        found.append(np.stack([bucket_first[keep], order[keep]], axis=1))
    pairs = np.concatenate(found)
    pairs.sort(axis=1)
    return np.unique(pairs, axis=0) if len(pairs) else pairs


def _components(count: int, pairs: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(count, count))
    _n, labels = connected_components(graph, directed=False)
    return labels


def changes(template: str, text: str) -> list[str]:
    """What a sender changed or added to the template: the inserted or replacing passages of
    their text, in order. Chinese is compared character by character, other text word by word."""
    if template == text:
        return []
    split = (lambda s: list(s)) if re.search(r"[\u3400-\u9fff]", template + text) else _words
    old, new = split(template), split(text)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    found = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("insert", "replace"):
            passage = "".join(new[j1:j2]).strip()
            if _DROP.sub("", passage):
                found.append(passage)
    return found


def _words(text: str) -> list[str]:
    return re.findall(r"\s+|\w+|[^\w\s]", text)
