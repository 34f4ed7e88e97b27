"""Themes and campaigns at scale, on synthetic short Traditional Chinese comments with planted
form-letter campaigns. Each stage runs in its own process, so its peak memory is its own.

    uv run python benchmarks/analysis_scale.py                 # 1,000,000 comments
    uv run python benchmarks/analysis_scale.py --comments 100000
    uv run python benchmarks/analysis_scale.py --stage themes --comments 100000   # one stage

Prints, per stage: seconds (split into its steps), peak resident memory, and for campaigns the
recall and precision of the planted near-duplicates (a planted letter is recalled when it lands
in the found campaign that holds most of its campaign).

Themes take precomputed embeddings, as the app will store them (encoding is its own cost:
benchmarks/embedding_speed.py; a million comments take the encoder about a quarter of an hour on
two cores). Encoding a million synthetic comments here would measure the encoder again, so each
comment's vector is built from the encoder's vectors of its parts (place, subject, verb, object
of each sentence, the personal line), summed and made unit length: the vectors the themes stage
sees have the size, type and a topic structure like real ones, and cost seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from typing import Any

SUBJECTS = (
    "長照",
    "喘息服務",
    "照顧服務員",
    "居家服務",
    "日間照顧",
    "家庭照顧者",
    "失智症",
    "身心障礙",
    "托育",
    "公托",
    "育兒津貼",
    "社會住宅",
    "租屋補貼",
    "都市更新",
    "空污",
    "減塑",
    "塑膠吸管",
    "再生能源",
    "綠能",
    "碳費",
    "食品安全",
    "個資",
    "數位身分證",
    "資安",
    "大眾運輸",
    "行人安全",
    "交通安全",
    "偏鄉醫療",
    "健保",
    "勞保",
    "年金改革",
    "基本工資",
    "加班費",
    "外送員",
    "原住民族",
    "新住民",
    "高齡者",
    "青年",
    "學生",
    "教師",
)
VERBS = (
    "應該",
    "需要",
    "必須",
    "希望",
    "建議",
    "支持",
    "反對",
    "要求",
    "請",
    "盼",
)
OBJECTS = (
    "增加預算",
    "提高補助",
    "簡化申請",
    "延長時數",
    "公開資料",
    "分區訂定",
    "設立專責機關",
    "定期檢討",
    "擴大適用",
    "加強查核",
    "保障權益",
    "提高薪資",
    "降低門檻",
    "延後實施",
    "加速推動",
    "全面檢討",
    "納入評估",
    "鼓勵民間參與",
    "強化監督",
    "改善設計",
)
PLACES = (
    "臺北",
    "新北",
    "桃園",
    "臺中",
    "臺南",
    "高雄",
    "基隆",
    "新竹",
    "苗栗",
    "彰化",
    "南投",
    "雲林",
    "嘉義",
    "屏東",
    "宜蘭",
    "花蓮",
    "臺東",
    "澎湖",
    "金門",
    "馬祖",
)
PERSONAL = [
    "我是家庭照顧者。",
    "我的父親需要吸管才能喝水。",
    "我住在花蓮，等了三個月。",
    "身為教師，我每天都看到這個問題。",
    "我在餐廳工作十年了。",
    "我的孩子今年上幼兒園。",
]


def sentence(rng: random.Random) -> str:
    """One of 160,000 short sentences: few enough that themes exist, many enough that two
    individual comments rarely share two sentences in a row (which would make them near copies)."""
    return rng.choice(PLACES) + "的" + rng.choice(SUBJECTS) + rng.choice(VERBS) + rng.choice(OBJECTS)


def generate(count: int, seed: int = 7) -> tuple[list[str], list[int]]:
    """Texts, and each text's planted campaign (-1 for an individual comment). One comment in ten
    is a copy of one of count/500 letters, with a personal line or a changed character or two."""
    rng = random.Random(seed)
    campaigns = max(1, count // 500)
    letters = ["，".join(sentence(rng) for _ in range(rng.randint(5, 7))) + "。" for _ in range(campaigns)]
    texts, planted = [], []
    for _ in range(count):
        if rng.random() < 0.1:
            which = rng.randrange(campaigns)
            text = letters[which]
            if rng.random() < 0.5:
                text = rng.choice(PERSONAL) + text if rng.random() < 0.5 else text + rng.choice(PERSONAL)
            if rng.random() < 0.3:
                position = rng.randrange(len(text))
                text = text[:position] + rng.choice("的了很也都") + text[position + 1 :]
            texts.append(text)
            planted.append(which)
        else:
            texts.append("，".join(sentence(rng) for _ in range(rng.randint(3, 4))) + "。")
            planted.append(-1)
    return texts, planted


def part_vectors(texts: list[str], dtype: str = "float32") -> Any:
    """A unit (len(texts), 512) float32 array: per text, the sum of the encoder's vectors of the
    parts it is made of (see the module's docstring)."""
    import numpy as np

    from analysis.embeddings import DIMENSIONS, embed

    parts = [*PLACES, *SUBJECTS, *VERBS, *OBJECTS, *PERSONAL]
    index = {part: i for i, part in enumerate(parts)}
    vectors = embed(parts)
    by_length = sorted(SUBJECTS, key=len, reverse=True)
    verbs = sorted(VERBS, key=len, reverse=True)
    known: dict[str, tuple[int, ...]] = {}

    def pieces(clause: str) -> tuple[int, ...]:
        """PLACE的SUBJECT VERB OBJECT, or a personal line; whatever an edit broke is skipped."""
        if clause in index:
            return (index[clause],)
        place, _, rest = clause.partition("的")
        found = [index[place]] if place in index else []
        subject = next((w for w in by_length if rest.startswith(w)), "")
        rest = rest[len(subject) :]
        verb = next((w for w in verbs if rest.startswith(w)), "")
        found += [index[w] for w in (subject, verb, rest[len(verb) :]) if w in index]
        return tuple(found)

    result = np.empty((len(texts), DIMENSIONS), dtype=dtype)
    chunk = 50_000
    for start in range(0, len(texts), chunk):
        block = texts[start : start + chunk]
        counts = np.zeros((len(block), len(parts)), dtype=np.float32)
        for row, text in enumerate(block):
            for personal in PERSONAL:
                if personal in text:
                    counts[row, index[personal]] += 1
                    text = text.replace(personal, "")
            for clause in text.rstrip("。").split("，"):
                found = known.get(clause)
                if found is None:
                    found = known[clause] = pieces(clause)
                for i in found:
                    counts[row, i] += 1
        vectors_block = counts @ vectors
        vectors_block /= np.maximum(np.linalg.norm(vectors_block, axis=1, keepdims=True), 1e-12)
        result[start : start + len(block)] = vectors_block
    return result


def stage_themes(count: int) -> dict[str, object]:
    """find_themes with precomputed embeddings and no tokens: it tokenises only the comments it
    needs (short ones, to find those without content words, and those that name the themes).
    The embeddings are float16, as feedback.embeddings stores and hands them over."""

    from analysis.themes import Item, find_themes

    texts, _planted = generate(count)
    started = time.perf_counter()
    vectors = part_vectors(texts, "float16")
    items = [Item(i, t) for i, t in enumerate(texts)]
    inputs_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    built, cpu = time.perf_counter(), time.process_time()
    result = find_themes(items, embeddings=vectors)
    done, cpu = time.perf_counter(), time.process_time() - cpu
    return {
        "embeddings": str(vectors.dtype),
        "peak_rss_with_inputs_built_gb": round(inputs_gb, 2),
        "vectors_built_s": round(built - started, 1),
        "themes_s": round(done - built, 1),
        "themes_cpu_s": round(cpu, 1),  # every thread's; under other work it says more than the wall time
        "k": result.k,
        "graph": result.parameters.get("graph"),
        "assigned": result.parameters.get("assigned"),
        "largest_themes": [(t.label, t.size) for t in result.themes[:5]],
    }


def stage_campaigns(count: int) -> dict[str, object]:
    from analysis.campaigns import Letter, find_campaigns

    texts, planted = generate(count)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = find_campaigns([Letter(i, t) for i, t in enumerate(texts)])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    found = result.campaign_of()
    recalled = total = 0
    # By planted campaign: the found campaign holding most of it, and how many of it are there.
    by_planted: dict[int, Counter[int]] = {}
    for index, campaign in enumerate(planted):
        if campaign >= 0:
            by_planted.setdefault(campaign, Counter())[found.get(index, -1)] += 1
    for counts in by_planted.values():
        held = max((n for c, n in counts.items() if c != -1), default=0)
        recalled += held
        total += sum(counts.values())
    in_found = sum(1 for i in found if planted[i] >= 0)
    return {
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(cpu, 1),  # beside the wall clock: on a shared machine it tells the load apart
        "campaigns_found": len(result.campaigns),
        "campaigns_planted": len(by_planted),
        "recall": round(recalled / total, 4) if total else None,
        "precision": round(in_found / len(found), 4) if found else None,
    }


def run_stage(name: str, count: int) -> None:
    """Run one stage in a child process; print its figures with its own peak memory."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", "--stage", name, "--comments", str(count)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"{name} failed ({status})")
    figures = json.loads(output)
    figures["peak_rss_gb"] = round(usage.ru_maxrss / 1024 / 1024, 2)  # ru_maxrss is in KiB on Linux
    print(f"{name} on {count:,} comments: {json.dumps(figures, ensure_ascii=False)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--stage", choices=["themes", "campaigns"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        figures = stage_themes(args.comments) if args.stage == "themes" else stage_campaigns(args.comments)
        print(json.dumps(figures, ensure_ascii=False))
        return
    print(f"{os.cpu_count()} cores; peak memory is per stage, input included", flush=True)
    for name in [args.stage] if args.stage else ["campaigns", "themes"]:
        run_stage(name, args.comments)


if __name__ == "__main__":
    main()
