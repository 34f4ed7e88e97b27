"""Form-letter campaigns: exact and near-duplicate comments grouped, with what each sender changed.

Texts are compared as sets of character shingles (5 characters of the normalised text, without
spaces or punctuation), so Chinese needs no segmentation and re-spacing or re-punctuating a letter
changes nothing. Exact copies are folded first. The rest get MinHash signatures (numpy, over all
texts at once), LSH bands propose candidate pairs, and each candidate is verified from its
signatures: two texts share a template when their resemblance (Jaccard) is at least THRESHOLD, or
when most of the shorter one (CONTAINMENT of its shingles) is inside the longer one (Broder's
containment, estimated from the resemblance and the two sizes): a sender who pasted the letter
and added a long story of their own, or kept two paragraphs of it, still sent that letter.
Verified pairs are joined into campaigns (connected components); since components chain, each
keeps only the texts that are themselves close to its template, the most sent text (the most
like the others on a tie), and what it leaves out is offered again as a component of its own (a
second letter that chained in through a hybrid text keeps its campaign). For every member we
keep only what that sender changed or added, so a personal story inside a form letter is not lost.

Tiers, never mixed:
- `campaigns` (tier "template"): three or more comments sharing a template.
- `pairs` (tier "pair"): two comments alike and no third: a coincidence as often as a campaign,
  so not in the campaign list; their comments stay individual.
- `paraphrases` (tier "paraphrase", only when asked for): groups that say the same thing in other
  words, found by multilingual sentence embeddings. Their units are the template campaigns (each
  seen as the mean embedding of its letters) and the distinct texts outside them, so a group may
  be two campaigns that reword one message, letters that reword a campaign, or reworded letters
  alone (random-hyperplane LSH proposes pairs of units, cosine >= PARAPHRASE_COSINE verifies
  them, and a group keeps only the units that close to its medoid). A group names the template
  campaigns it joins; the template tier is not changed by it, and the comments it adds stay
  individual: a paraphrase group is a lead for the analyst, not a campaign."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

SHINGLE = 5
BANDS, ROWS = 16, 4  # a pair at Jaccard 0.5 shares a band with probability 0.65, at 0.6 0.89, at 0.7 0.98
HASHES = BANDS * ROWS
THRESHOLD = 0.4  # estimated Jaccard similarity that makes two texts copies of one letter
# ... or the share of the shorter text's shingles found in the longer one, at the level the
# resemblance threshold means for two texts of equal size (J = 0.4 is containment 2J / (1 + J)
# = 0.57), so the two rules agree there and containment only adds texts of unequal size.
CONTAINMENT = 2 * THRESHOLD / (1 + THRESHOLD)
CONTAINMENT_ROWS = 2  # rows per band of the second banding, which proposes containment pairs
CONTAINED_AT_LEAST = 40  # shingles (about a sentence) a text needs before containment can join it
MIN_SIZE = 3  # a campaign; two alike are a pair
SEED = 20261126
# Sentence-embedding cosine of a rewording of the same message: the threshold the US federal
# pilot whose near-duplicate groups we compare with published for its own pairs (cosine > 0.85 of
# sentence embeddings), kept as it is rather than fitted to its groups. On the shared
# regulations.gov dockets a copy with edits is above 0.84 from its template in 95 cases of 100.
# Rewordings written for the test score 0.87-0.89 in English; Chinese rewordings score lower with
# this encoder (0.57-0.72) and are mostly not found.
PARAPHRASE_COSINE = 0.85
SIMHASH_BANDS, SIMHASH_BITS = 16, 8  # random-hyperplane bits: a pair at cosine 0.85 shares a band with p 0.97
_DROP = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Letter:
    id: Hashable
    text: str
    submitted_at: datetime | None = None


@dataclass
class Campaign:
    template: str  # for a paraphrase group, its medoid
    members: list[Hashable]  # in input order
    first_at: datetime | None
    last_at: datetime | None
    exact_copies: int  # members whose text is the template, character for character once normalised
    tier: str = "template"  # "template", "pair" or "paraphrase"
    campaigns: list[int] = field(default_factory=list)  # of a paraphrase group: the template campaigns it joins

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class CampaignResult:
    campaigns: list[Campaign]  # template tier, largest first
    individual: list[Hashable]  # in no template campaign (pair and paraphrase members included)
    parameters: dict[str, object]
    pairs: list[Campaign] = field(default_factory=list)  # two alike, no third
    paraphrases: list[Campaign] = field(default_factory=list)  # the same message reworded, when asked for

    def campaign_of(self) -> dict[Hashable, int]:
        """Template-tier campaign index of each member."""
        return {member: index for index, campaign in enumerate(self.campaigns) for member in campaign.members}

    def paraphrase_of(self) -> dict[Hashable, int]:
        return {member: index for index, group in enumerate(self.paraphrases) for member in group.members}


def _normal(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text).lower())


def find_campaigns(
    letters: Sequence[Letter],
    threshold: float = THRESHOLD,
    min_size: int = MIN_SIZE,
    containment: float = CONTAINMENT,
    paraphrases: bool = False,
    embeddings: np.ndarray | None = None,
    paraphrase_cosine: float = PARAPHRASE_COSINE,
) -> CampaignResult:
    """Campaigns of `letters`. With `paraphrases` (or `embeddings`, one unit row per letter from
    analysis.embeddings.embed), also the paraphrase tier; without embeddings the texts it needs
    are embedded here. `min_size` 2 makes pairs campaigns, as before."""
    if embeddings is not None and len(embeddings) != len(letters):
        raise ValueError(f"{len(embeddings)} embeddings for {len(letters)} letters")
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
    del first_of
    parent = np.arange(len(distinct))
    signatures = minhash([normal[i] for i in distinct])
    sizes = np.fromiter((max(len(normal[i]) - SHINGLE + 1, 1) for i in distinct), dtype=np.float64, count=len(distinct))
    # Bands of four values find resemblance (a pair at J 0.5 shares one with p 0.65, at 0.7 0.98);
    # bands of two find the low resemblance of a short text inside a long one (J 0.3: p 0.95).
    pairs = candidate_pairs(signatures)
    wide = candidate_pairs(signatures, rows=CONTAINMENT_ROWS)
    if len(wide):
        count = len(distinct)
        codes = _distinct(np.concatenate([pairs[:, 0] * count + pairs[:, 1], wide[:, 0] * count + wide[:, 1]]))
        pairs = np.stack([codes // count, codes % count], axis=1)
    del wide
    if len(pairs):
        pairs = pairs[_alike(signatures, sizes, pairs[:, 0], pairs[:, 1], threshold, containment)]
        parent = _components(len(distinct), pairs)
    del pairs
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
    small = min(min_size, 2)
    for texts in components.values():
        # What the template leaves out is offered again: those texts passed verification with
        # some member, so they may be a second letter that chained in through a shared header or
        # a hybrid text, and they form their own campaign around their own template.
        while copies[texts].sum() >= small:
            template = _template(signatures, texts, copies)
            others = np.array(texts, dtype=np.int64)
            close = _alike(signatures, sizes, others, np.full(len(others), template), threshold, containment)
            close |= others == template
            kept = [d for d, keep in zip(texts, close.tolist(), strict=True) if keep]
            if copies[kept].sum() < small:
                break
            for d in kept:
                campaign_of_distinct[d] = len(templates)
            templates.append(template)
            texts = [d for d, keep in zip(texts, close.tolist(), strict=True) if not keep]
    members: list[list[int]] = [[] for _ in templates]
    for index, d in enumerate(group.tolist()):
        if d in campaign_of_distinct:
            members[campaign_of_distinct[d]].append(index)
    found = [
        (_campaign(letters, distinct[template], indexes, int(copies[template])), template, indexes)
        for template, indexes in zip(templates, members, strict=True)
    ]
    found.sort(key=lambda one: (-one[0].size, str(one[0].members[0])))
    tier = [one for one in found if one[0].size >= min_size]
    campaigns = [c for c, _template, _indexes in tier]
    pairs_found = [c for c, _template, _indexes in found if c.size < min_size]
    for pair in pairs_found:
        pair.tier = "pair"
    in_campaign = {member for campaign in campaigns for member in campaign.members}
    individual = [letter.id for letter in letters if letter.id not in in_campaign]
    pairs_found.sort(key=lambda c: str(c.members[0]))
    parameters: dict[str, object] = {
        "algorithm": "MinHash/LSH over character shingles, verified by resemblance or containment",
        "shingle": SHINGLE,
        "hashes": HASHES,
        "bands": BANDS,
        "threshold": threshold,
        "containment": containment,
        "min_size": min_size,
    }
    found_paraphrases: list[Campaign] = []
    if paraphrases or embeddings is not None:
        units = [(template, indexes) for _c, template, indexes in tier]
        found_paraphrases = _paraphrases(
            letters, distinct, group, units, normal, embeddings, min_size, paraphrase_cosine
        )
        parameters["paraphrase"] = {
            "embeddings": "universal-sentence-encoder-multilingual v3",
            "cosine": paraphrase_cosine,
            "lsh": f"{SIMHASH_BANDS} bands of {SIMHASH_BITS} random-hyperplane bits",
            "units": "template campaigns (as the mean of their letters) and the distinct texts outside them",
        }
    return CampaignResult(campaigns, individual, parameters, pairs_found, found_paraphrases)


def _alike(
    signatures: np.ndarray,
    sizes: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    threshold: float,
    containment: float,
    chunk: int = 1_000_000,
) -> np.ndarray:
    """Whether each pair (first[i], second[i]) shares a template: estimated resemblance J at
    least `threshold`, or the shorter text's estimated containment in the longer,
    J (a + b) / ((1 + J) min(a, b)), at least `containment` (the shorter having enough shingles)."""
    result = np.empty(len(first), dtype=bool)
    for start in range(0, len(first), chunk):
        a, b = first[start : start + chunk], second[start : start + chunk]
        resemblance = (signatures[a] == signatures[b]).mean(axis=1)
        size_a, size_b = sizes[a], sizes[b]
        shorter = np.minimum(size_a, size_b)
        contained = resemblance * (size_a + size_b) / ((1 + resemblance) * shorter)
        result[start : start + chunk] = (resemblance >= threshold) | (
            (contained >= containment) & (shorter >= CONTAINED_AT_LEAST)
        )
    return result


def _paraphrases(
    letters: Sequence[Letter],
    distinct: list[int],
    group: np.ndarray,
    campaigns: list[tuple[int, list[int]]],
    normal: list[str],
    embeddings: np.ndarray | None,
    min_size: int,
    cosine_at_least: float,
) -> list[Campaign]:
    """Groups of units that say the same thing in other words. A unit is a template campaign
    (`campaigns`: its template's distinct text and its letters, in the template tier's order),
    or a distinct text outside every campaign. A group keeps the units whose embeddings are
    within `cosine_at_least` of its medoid: two or more units, sent min_size times or more. So
    two campaigns that reword one message, or letters that reword a campaign's template, are
    grouped here, and the template tier stays as it was."""
    in_campaign = np.zeros(len(distinct), dtype=bool)
    letters_of: dict[int, list[int]] = {}
    for index, d in enumerate(group.tolist()):
        letters_of.setdefault(d, []).append(index)
    for _template, indexes in campaigns:
        in_campaign[group[indexes]] = True
    free = [d for d in range(len(distinct)) if not in_campaign[d] and normal[distinct[d]]]
    heads = [template for template, _indexes in campaigns] + free  # the distinct text that names each unit
    unit_letters = [indexes for _template, indexes in campaigns] + [letters_of[d] for d in free]
    if len(heads) < 2:
        return []
    # A campaign is seen as the mean of its letters' embeddings (unit length), the way a reader
    # sees all that its senders sent, personal lines included, rather than as its template alone.
    members = [np.unique(group[indexes], return_counts=True) for _template, indexes in campaigns]
    if embeddings is None:
        from analysis.embeddings import embed

        needed = sorted({int(d) for ds, _counts in members for d in ds} | set(free))
        source = embed([letters[distinct[d]].text for d in needed])
        position = dict(zip(needed, range(len(needed)), strict=True))
        row: Callable[[int], int] = position.__getitem__
    else:  # rows of the caller's array, read in place: at a million letters a copy is 2 GB
        source, row = embeddings, distinct.__getitem__
    vectors = np.empty((len(heads), source.shape[1]), dtype=np.float32)
    if free:
        vectors[len(campaigns) :] = source[[row(d) for d in free]]
    for unit, (ds, sent) in enumerate(members):
        mean = sent.astype(np.float32) @ np.asarray(source[[row(int(d)) for d in ds]], dtype=np.float32)
        vectors[unit] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    del source, members
    pairs = _simhash_pairs(vectors)
    if len(pairs):
        cosine = np.einsum("ij,ij->i", vectors[pairs[:, 0]], vectors[pairs[:, 1]])
        pairs = pairs[cosine >= cosine_at_least]
    labels = _components(len(heads), pairs) if len(pairs) else np.arange(len(heads))
    by_label: dict[int, list[int]] = {}
    for unit, label in enumerate(labels.tolist()):
        by_label.setdefault(label, []).append(unit)
    counts = np.array([len(indexes) for indexes in unit_letters], dtype=np.float32)
    groups = []
    for units in by_label.values():
        if len(units) < 2 or counts[units].sum() < min_size:
            continue
        inside = vectors[units]
        # The unit most like the others, weighted by letters: inside @ (inside.T @ w), never n x n.
        medoid = units[int(np.argmax(inside @ (inside.T @ counts[units])))]
        kept = [u for u in units if u == medoid or float(vectors[u] @ vectors[medoid]) >= cosine_at_least]
        if len(kept) < 2 or counts[kept].sum() < min_size:
            continue
        indexes = sorted(i for u in kept for i in unit_letters[u])
        head = heads[medoid]
        paraphrase = _campaign(letters, distinct[head], indexes, len(letters_of[head]))
        paraphrase.tier = "paraphrase"
        paraphrase.campaigns = sorted(u for u in kept if u < len(campaigns))
        groups.append(paraphrase)
    groups.sort(key=lambda c: (-c.size, str(c.members[0])))
    return groups


def _simhash_pairs(vectors: np.ndarray) -> np.ndarray:
    """Candidate pairs by random-hyperplane LSH (Charikar): the signs of SIMHASH_BITS random
    projections per band; pairs that share a band, each bucket joined as a star."""
    rng = np.random.default_rng(SEED)
    planes = rng.standard_normal((vectors.shape[1], SIMHASH_BANDS * SIMHASH_BITS)).astype(np.float32)
    bits = (vectors @ planes) > 0
    weights = (1 << np.arange(SIMHASH_BITS, dtype=np.uint64)).astype(np.uint64)
    keys = np.stack(
        [bits[:, b * SIMHASH_BITS : (b + 1) * SIMHASH_BITS].astype(np.uint64) @ weights for b in range(SIMHASH_BANDS)],
        axis=1,
    )
    return _star_pairs(keys)


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


def candidate_pairs(signatures: np.ndarray, rows: int = ROWS) -> np.ndarray:
    """Pairs (i, j), i < j, that share a whole band of `rows` signature values. Each band's bucket
    is joined as a star on its first member, so a campaign of n copies gives n - 1 pairs, not n²."""
    bands = HASHES // rows
    keys = np.empty((signatures.shape[0], bands), dtype=np.uint64)
    for band in range(bands):
        chunk = signatures[:, band * rows : (band + 1) * rows]
        key = chunk[:, 0].copy()
        for r in range(1, rows):
            key = key * np.uint64(0x9E3779B97F4A7C15) + chunk[:, r]
        keys[:, band] = key
    return _star_pairs(keys)


def _star_pairs(keys: np.ndarray) -> np.ndarray:
    """For each column of bucket keys, every row paired with the first row of its bucket: the
    distinct pairs (i, j), i < j, in order."""
    count = keys.shape[0]
    if count < 2:
        return np.empty((0, 2), dtype=np.int64)
    found = []
    for band in range(keys.shape[1]):
        key = keys[:, band]
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        starts_bucket = np.concatenate(([True], ordered[1:] != ordered[:-1]))
        bucket_first = order[np.maximum.accumulate(np.where(starts_bucket, np.arange(count), 0))]
        keep = ~starts_bucket
        first, other = bucket_first[keep], order[keep]
        # One int64 per pair (low * count + high): a 1-D unique sorts far faster than rows.
        found.append(np.minimum(first, other) * count + np.maximum(first, other))
    codes = _distinct(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    return np.stack([codes // count, codes % count], axis=1)


def _distinct(codes: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-D integer array (a sort and a mask: numpy's hash-based
    unique was measured four times slower on tens of millions of pair codes)."""
    codes = np.sort(codes)
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if len(codes) else codes


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
