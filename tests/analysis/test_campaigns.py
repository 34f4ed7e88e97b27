"""Form-letter campaigns on letters built here, and B-cubed against the regulations.gov clusters."""

import csv
from datetime import UTC, datetime, timedelta

import pytest

from analysis.campaigns import Letter, changes, find_campaigns
from analysis.evaluation import bcubed
from tests.helpers import SHARED_DATA

LETTER_ZH = (
    "我反對一次性塑膠吸管全面禁用，這會造成身心障礙者與長者的不便，請環境部保留紙吸管以外的選擇，並延後實施日期。"
)
LETTER_EN = "I oppose any attempt to weaken clean water protections against toxic coal ash. Water is necessary for life and the EPA must keep the 2015 rule in place."
OTHERS = [
    "喘息服務的天數太少，家庭照顧者需要更多喘息服務。",
    "照顧服務員薪資太低，應訂定薪資基準。",
    "數位身分證的個資保護需要獨立監督機關。",
    "Bus lanes on Roosevelt Road would help commuters.",
]


def _letters() -> list[Letter]:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    letters = [Letter(f"zh-{i}", LETTER_ZH, start + timedelta(hours=i)) for i in range(5)]
    letters.append(
        Letter(
            "zh-story", LETTER_ZH.replace("請環境部", "我的女兒需要吸管才能喝水。請環境部"), start + timedelta(days=2)
        )
    )
    letters.append(Letter("zh-spaced", LETTER_ZH.replace("，", " , ")))
    letters += [Letter(f"en-{i}", LETTER_EN) for i in range(3)]
    letters.append(Letter("en-edit", LETTER_EN.replace("toxic coal ash", "toxic coal ash near my home in Ohio")))
    letters += [Letter(f"other-{i}", text) for i, text in enumerate(OTHERS)]
    return letters


def test_exact_and_near_copies_form_campaigns_and_the_rest_stay_individual() -> None:
    result = find_campaigns(_letters())
    assert [c.size for c in result.campaigns] == [7, 4]
    chinese, english = result.campaigns
    assert set(chinese.members) == {*(f"zh-{i}" for i in range(5)), "zh-story", "zh-spaced"}
    assert chinese.template == LETTER_ZH and chinese.exact_copies == 6  # re-spacing is not a change
    assert chinese.first_at == datetime(2026, 3, 1, tzinfo=UTC) and chinese.last_at == datetime(2026, 3, 3, tzinfo=UTC)
    assert set(english.members) == {"en-0", "en-1", "en-2", "en-edit"}
    assert result.individual == [f"other-{i}" for i in range(4)]


def test_what_each_sender_changed_is_kept() -> None:
    story = LETTER_ZH.replace("請環境部", "我的女兒需要吸管才能喝水。請環境部")
    assert changes(LETTER_ZH, story) == ["我的女兒需要吸管才能喝水。"]
    assert changes(LETTER_EN, LETTER_EN.replace("coal ash", "coal ash near my home")) == ["near my home"]
    assert changes(LETTER_ZH, LETTER_ZH) == []


def test_the_result_is_deterministic_and_empty_input_is_fine() -> None:
    first, again = find_campaigns(_letters()), find_campaigns(_letters())
    assert [c.members for c in first.campaigns] == [c.members for c in again.campaigns]
    assert find_campaigns([]).campaigns == []
    assert find_campaigns([Letter(1, ""), Letter(2, "")]).individual == [1, 2]


def test_bcubed_of_a_perfect_and_a_lumped_clustering() -> None:
    gold = {1: "a", 2: "a", 3: "b", 4: "b"}
    assert bcubed(gold, gold) == (1.0, 1.0, 1.0)
    precision, recall, _f1 = bcubed(dict.fromkeys(gold, "x"), gold)
    assert (precision, recall) == (0.5, 1.0)


FORM_LETTERS = SHARED_DATA / "comments" / "formletter-clusters-regulationsgov"


def regulations_gov_scores() -> dict[str, tuple[float, float, float]]:
    """B-cubed of our campaigns against each docket's connected components ('comp' column)."""
    csv.field_size_limit(10**8)
    scores = {}
    for path in sorted(FORM_LETTERS.glob("*.csv")):
        with path.open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        result = find_campaigns([Letter(r["name"], r["text"]) for r in rows])
        campaign_of = result.campaign_of()
        predicted = {r["name"]: campaign_of.get(r["name"], ("alone", r["name"])) for r in rows}
        scores[path.stem] = bcubed(predicted, {r["name"]: r["comp"] for r in rows})
    return scores


@pytest.mark.skipif(
    not FORM_LETTERS.exists(), reason="../shared/data/comments/formletter-clusters-regulationsgov is absent"
)
def test_campaigns_agree_with_the_regulations_gov_pilot() -> None:
    scores = regulations_gov_scores()
    assert len(scores) == 4
    # The pilot's labels are machine-made, so this asserts agreement, not truth: high precision
    # everywhere (we do not merge what it kept apart), and most of its groups found.
    assert all(precision >= 0.85 for precision, _recall, _f1 in scores.values())
    assert sum(f1 for _p, _r, f1 in scores.values()) / len(scores) >= 0.8


def test_a_letter_inside_a_long_personal_story_still_belongs_to_its_campaign() -> None:
    """Resemblance falls when a sender adds more words of their own than the letter has, but the
    letter is still all there (containment)."""
    story = (
        " I grew up two miles from the Gavin plant, and my father worked there for thirty years. Every spring the"
        " creek behind our house turned grey, and the fish we used to catch there are gone. My children drink well"
        " water, and I have paid to have it tested twice this year because nobody else will tell us what is in it."
    )
    letters = [Letter(f"en-{i}", LETTER_EN) for i in range(3)] + [Letter("en-story", LETTER_EN + story)]
    letters += [Letter(f"other-{i}", text) for i, text in enumerate(OTHERS)]
    result = find_campaigns(letters)
    assert [set(c.members) for c in result.campaigns] == [{"en-0", "en-1", "en-2", "en-story"}]
    assert changes(LETTER_EN, LETTER_EN + story) == [story.strip()]


def test_two_alike_are_a_pair_not_a_campaign() -> None:
    letters = [Letter("a", LETTER_EN), Letter("b", LETTER_EN.replace("2015", "2016"))]
    letters += [Letter(f"other-{i}", text) for i, text in enumerate(OTHERS)]
    result = find_campaigns(letters)
    assert result.campaigns == [] and [(p.tier, set(p.members)) for p in result.pairs] == [("pair", {"a", "b"})]
    assert {"a", "b"} <= set(result.individual)
    assert [c.size for c in find_campaigns(letters, min_size=2).campaigns] == [2]  # as before, when asked


REWORDED = [  # the same request in other words: cosine 0.86-0.92, resemblance 0.16-0.27
    "Please give the public sixty more days to comment on the coal ash rule.",
    "Allow sixty additional days of public comment on the coal ash rule.",
    "Give us sixty extra days to send comments about the coal ash rule.",
]
RELATED = "I request that the coal ash rule comment deadline be extended by sixty days."  # cosine 0.71-0.75


def test_reworded_letters_form_a_paraphrase_group_apart_from_the_template_tier() -> None:
    letters = _letters() + [Letter(f"reworded-{i}", text) for i, text in enumerate(REWORDED)]
    letters.append(Letter("related", RELATED))
    plain = find_campaigns(letters)
    assert plain.paraphrases == [] and "paraphrase" not in plain.parameters  # only when asked for
    result = find_campaigns(letters, paraphrases=True)
    assert [c.members for c in result.campaigns] == [c.members for c in plain.campaigns]  # template tier untouched
    assert [(g.tier, set(g.members)) for g in result.paraphrases] == [
        ("paraphrase", {"reworded-0", "reworded-1", "reworded-2"})
    ]
    assert {"reworded-0", "reworded-1", "reworded-2"} <= set(result.individual)
    assert result.paraphrase_of() == {f"reworded-{i}": 0 for i in range(3)}
    assert all(c.tier == "template" for c in result.campaigns)


def test_a_reworded_letter_joins_the_campaign_it_rewords_in_the_paraphrase_tier_only() -> None:
    """A campaign is a unit of the paraphrase tier too (seen as the mean of its letters), so
    letters that reword its template are grouped with it there, and the template tier is as before."""
    letters = [Letter(f"sent-{i}", REWORDED[0]) for i in range(3)]
    letters += [Letter("reworded-1", REWORDED[1]), Letter("reworded-2", REWORDED[2]), Letter("related", RELATED)]
    letters += [Letter(f"other-{i}", text) for i, text in enumerate(OTHERS)]
    plain = find_campaigns(letters)
    result = find_campaigns(letters, paraphrases=True)
    assert [set(c.members) for c in result.campaigns] == [{"sent-0", "sent-1", "sent-2"}]
    assert [c.members for c in result.campaigns] == [c.members for c in plain.campaigns]
    assert [(g.tier, set(g.members), g.campaigns) for g in result.paraphrases] == [
        ("paraphrase", {"sent-0", "sent-1", "sent-2", "reworded-1", "reworded-2"}, [0])
    ]
    assert result.paraphrases[0].template == REWORDED[0]  # the campaign is the group's medoid
    assert {"reworded-1", "reworded-2", "related"} <= set(result.individual)


def test_two_campaigns_that_reword_one_message_are_one_paraphrase_group_and_stay_two_campaigns() -> None:
    letters = [Letter(f"first-{i}", REWORDED[0]) for i in range(4)]
    letters += [Letter(f"second-{i}", REWORDED[1]) for i in range(3)]
    letters += [Letter(f"other-{i}", text) for i, text in enumerate(OTHERS)]
    result = find_campaigns(letters, paraphrases=True)
    assert [c.size for c in result.campaigns] == [4, 3]
    assert [(g.size, g.campaigns, g.template) for g in result.paraphrases] == [(7, [0, 1], REWORDED[0])]
    assert result.individual == [f"other-{i}" for i in range(4)]


LETTER_DAM = (
    "Please reject the permit for the new dam on the Tamsui River. The reservoir would flood two villages and the"
    " last wetland where the black-faced spoonbill rests each winter, and the agency has not studied either."
)


def test_a_second_letter_that_chained_in_through_a_hybrid_text_keeps_its_own_campaign() -> None:
    """A text that pastes two letters is like both, so the two letters are one connected
    component; the component's template keeps its own letter, and the rest, still alike among
    themselves, forms a campaign of its own instead of being left as individual comments."""
    letters = [Letter(f"ash-{i}", LETTER_EN) for i in range(5)]
    letters += [Letter(f"dam-{i}", LETTER_DAM) for i in range(3)]
    letters.append(Letter("both", LETTER_EN + " " + LETTER_DAM))
    letters += [Letter(f"other-{i}", text) for i, text in enumerate(OTHERS)]
    result = find_campaigns(letters)
    assert [set(c.members) for c in result.campaigns] == [
        {"ash-0", "ash-1", "ash-2", "ash-3", "ash-4", "both"},
        {"dam-0", "dam-1", "dam-2"},
    ]
    assert result.campaigns[1].template == LETTER_DAM
    assert result.individual == [f"other-{i}" for i in range(4)]
