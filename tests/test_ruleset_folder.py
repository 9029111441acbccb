"""A ruleset kept as a folder (v4 on): one file per concern, in the shape a domain expert reads and changes.

v4 is v3 in that shape, nothing else changed yet: loading it gives the same rules, and so the same results."""

import random
import re
import shutil

import pytest
from profiles import MIXED_ESTATE, START_UP

from decision import rules, ruleset
from decision.ruleset import RulesetError, parse_folder

V4 = ruleset.RULESETS_DIR / "v4"


def comparable(loaded: ruleset.Ruleset) -> dict:
    """The ruleset as the engine reads it: conditions as sets, neutral notes in any order."""

    def walk(value):
        if isinstance(value, dict):
            if "when" in value:
                value = {**value, "when": {q: sorted(values) for q, values in value["when"].items()}}
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [walk(item) for item in value]
        return value

    data = walk(loaded.model_dump(exclude={"version", "date", "status"}))
    data["neutral"] = sorted(data["neutral"], key=lambda entry: (entry["question"], entry["value"]))
    return data


def test_the_v4_folder_holds_the_rules_of_v3_in_their_new_shape():
    v3, v4 = ruleset.get("3"), ruleset.get("4")
    assert comparable(v4) == comparable(v3)
    rng = random.Random(4)
    answer_sets = [START_UP, MIXED_ESTATE, {}] + [
        {q.id: rng.choice(q.values) for q in v3.questions} for _ in range(300)
    ]
    for answers in answer_sets:
        assert rules.recommend(v4, answers) == rules.recommend(v3, answers)


def test_a_draft_computes_no_results_until_it_is_released():
    assert ruleset.get("4").status == "draft"
    assert ruleset.current().version == "3"


def test_no_condition_hides_anything_but_in_a_list_of_values():
    # v3 wrote "anywhere but on devices" as a list with "unsure" in it; v4 says unless.
    for path in V4.glob("*.toml"):
        for line in path.read_text().splitlines():
            if line.startswith(("when", "any_of")):
                assert '"unsure"' not in line, f"{path.name}: {line}"


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "v4"
    shutil.copytree(V4, copy)
    return copy


def edit(folder, name, old, new):
    path = folder / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        (
            "points.toml",
            'id = "volume-heavy"\nwhen = { volume = ["heavy"] }',
            'id = "volume-heavy"\nwhen = { volume = ["heavy", "unsure"] }',
            "rule 'volume-heavy' lists 'unsure' in when; to say 'any answer but these', use unless",
        ),
        (
            "points.toml",
            'id = "volume-heavy"\nwhen = { volume = ["heavy"] }',
            'id = "volume-heavy"\nwhen = { volume = ["heavy"] }\nany_of = [{ budget = ["minimal"] }]',
            "rule 'volume-heavy' uses any_of",
        ),
        (
            "musts.toml",
            "[[musts]]\n",
            '[[musts]]\nunless = { colour = ["blue"] }\n',
            "names unknown question 'colour' in unless",
        ),
        ("routes.toml", "order = 20\n", "order = 10\n", "every route choice needs its own whole-number order"),
        ("points.toml", "weight = 3\n", "weight = 9\n", "has weight 9, outside 1 to 5"),
        (
            "sources.toml",
            "[[sources]]\n",
            '[[sources]]\nid = "nobody-cites-me"\ntitle = "A page"\npublisher = "Someone"\n'
            'url = "https://example.org/"\nchecked = "2026-12-06"\n\n[[sources]]\n',
            "source 'nobody-cites-me' is cited by nothing",
        ),
    ],
)
def test_a_broken_entry_in_a_folder_is_refused_naming_it(folder, name, old, new, message):
    edit(folder, name, old, new)
    with pytest.raises(RulesetError, match=re.escape(message)):
        parse_folder(folder)


def test_any_of_makes_one_must_out_of_what_took_a_copy_per_case(folder):
    edit(
        folder,
        "musts.toml",
        "[[musts]]\n",
        '[[musts]]\nid = "test-either"\nwhen = { compute = ["none"] }\n'
        'any_of = [{ volume = ["heavy"] }, { budget = ["substantial"] }]\n'
        'rules_out = "hybrid"\ntext = "Either answer rules out a hybrid."\n\n[[musts]]\n',
    )
    loaded = parse_folder(folder)
    for answers in ({"volume": "heavy"}, {"budget": "substantial"}):
        assert "hybrid" in rules.decide(loaded, rules.complete(loaded, {"compute": "none", **answers})).ruled_out
    for answers in ({"volume": "light"}, {"compute": "own", "volume": "heavy"}):
        assert "hybrid" not in rules.decide(loaded, rules.complete(loaded, answers)).ruled_out


def test_route_choices_are_taken_in_the_order_their_numbers_give_not_the_order_written(folder):
    loaded = parse_folder(folder)
    text = (folder / "routes.toml").read_text()
    first, rest = text.split("[[choices]]", 1)
    blocks = ["[[choices]]" + block for block in rest.split("[[choices]]")]
    tail = blocks[-1].split("[placement_defaults]")
    blocks[-1] = tail[0]
    (folder / "routes.toml").write_text(first + "".join(reversed(blocks)) + "[placement_defaults]" + tail[1])
    assert parse_folder(folder).route_choices == loaded.route_choices
