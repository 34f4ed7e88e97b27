"""English comments in a Chinese consultation are moved into the Chinese frame before themes are
found, so they join their topics instead of forming a theme of English alone; a consultation of
one language is left exactly as it was."""

from __future__ import annotations

import numpy as np

from analysis import language_frames
from analysis.embeddings import embed
from analysis.themes import Item, find_themes

# Three topics, five Chinese and three English comments each, the English written as people write,
# not as translations. Left in its own frame, the encoder puts four of the English comments into a
# theme of their own (checked when this test was written).
TOPICS = {
    "wages": [
        "居服員薪水太低，年輕人都不願意做，支持訂定薪資基準。",
        "薪資基準應該考慮各縣市生活成本差異。",
        "照顧服務員是辛苦的工作，薪水應該提高。",
        "薪資基準應該把夜班和假日加給一起訂出來。",
        "請說明薪資基準如何計算，是否包含交通時間。",
        "Home care workers are paid too little to stay in the job.",
        "Will the wage standard count the time care workers spend travelling?",
        "Care staff deserve a fair minimum wage.",
    ],
    "platform": [
        "資料平臺很實用，希望也能查到各機構的空床數。",
        "平臺應開放資料下載，讓民間團體也能分析。",
        "平臺最好有手機版，子女多半用手機查。",
        "評鑑結果應該用看得懂的方式呈現，不要只有分數。",
        "平臺應該標示收費明細，避免額外收費。",
        "The data platform should also list each care home's vacant beds.",
        "Let civic groups download the platform's data.",
        "The website should show inspection results in plain words.",
    ],
    "assessment": [
        "贊成每兩年評估需求，但評估結果要附上改善時程。",
        "評估需求應該每年一次，兩年太久。",
        "偏鄉的照顧資源資料要細到鄉鎮。",
        "等候時間公開後，民眾才知道哪裡的服務不足。",
        "建議評估報告邀請照顧者團體參與。",
        "Publishing waiting times for each area would let families plan ahead.",
        "Needs should be assessed every year, not every two years.",
        "Carers' groups should take part in the needs assessment.",
    ],
}


def test_english_comments_written_their_own_way_join_chinese_comments_on_their_topic() -> None:
    items = [Item(f"{topic}-{i}", text) for topic, texts in TOPICS.items() for i, text in enumerate(texts)]
    result = find_themes(items)
    assert all(set(theme.languages) == {"zh", "en"} for theme in result.themes)  # none of one language
    members = {member: set(theme.members) for theme in result.themes for member in theme.members}
    for topic, texts in TOPICS.items():
        for i in range(5, len(texts)):  # each English comment beside a Chinese one on its own topic
            assert members[f"{topic}-{i}"] & {f"{topic}-{j}" for j in range(5)}, f"{topic}-{i}"


def test_only_the_minority_language_moves_and_one_language_is_left_alone() -> None:
    texts = [TOPICS["wages"][0], TOPICS["wages"][1], TOPICS["wages"][5]]
    space = embed(texts)
    rows = np.array([2, 0, 1])  # units need not be in the rows' order
    aligned = language_frames.align(space, rows, ["en", "zh", "zh"])
    assert np.array_equal(aligned[np.array([0, 1])], space[:2])  # the main language untouched
    (moved,) = aligned[np.array([2])]
    assert not np.allclose(moved, space[2]) and abs(float(np.linalg.norm(moved)) - 1) < 1e-5
    assert float(moved @ space[0]) > float(space[2] @ space[0])  # towards the Chinese on its topic
    assert np.array_equal(space, embed(texts))  # the input not written to
    # Stored float16 vectors read the same, as float32 rows.
    stored = language_frames.align(space.astype(np.float16), rows, ["en", "zh", "zh"])
    assert np.allclose(stored[np.array([2])], moved, atol=2e-3)

    assert language_frames.align(space, rows, ["zh", "zh", "other"]) is space  # nothing to move
    assert language_frames.align(space, rows, ["en", "en", "en"]) is space


def test_the_main_language_is_the_one_most_texts_are_in() -> None:
    assert language_frames.main_language(["en", "zh", "en", "other"]) == "en"
    assert language_frames.main_language(["en", "zh"]) == "zh"  # a tie: the site's own language
    assert language_frames.main_language(["other"]) is None
