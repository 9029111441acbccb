"""The ruleset file is validated whole: a broken entry stops the app with a message naming it."""

import pytest
from django.core import checks

from decision import ruleset
from decision.checks import rulesets_validate
from decision.ruleset import RulesetError, parse_ruleset

V1 = (ruleset.RULESETS_DIR / "v1.toml").read_text()


def broken(old: str, new: str) -> str:
    assert old in V1, old
    return V1.replace(old, new, 1)


@pytest.fixture
def rulesets_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(ruleset, "RULESETS_DIR", tmp_path)
    ruleset.load_all.cache_clear()
    yield tmp_path
    ruleset.load_all.cache_clear()


V2 = (ruleset.RULESETS_DIR / "v2.toml").read_text()


def test_the_question_bank_contract_holds():
    """v1's ids and values keep their meaning in v2, and v2 adds three questions."""
    expected = {
        "budget": ("minimal", "moderate", "substantial"),
        "volume": ("light", "steady", "heavy"),
        "compute": ("none", "cloud", "own"),
        "customization": ("none", "grounding", "fine_tuning", "deep"),
        "task_scope": ("broad", "focused", "specialised"),
        "expertise": ("none", "some", "strong"),
        "data_sensitivity": ("public", "internal", "confidential", "restricted"),
        "transparency": ("no", "helpful", "required"),
        "exposure": ("internal", "public", "high_stakes"),
        "support": ("community", "vendor", "sla"),
        "timeline": ("weeks", "months", "flexible"),
        "independence": ("low", "medium", "critical"),
    }
    assert {q.id: q.values[:-1] for q in ruleset.get("1").questions} == expected
    expected |= {
        "deployment": ("cloud", "premises", "device"),
        "workloads": ("one", "several"),
        "cloud_platform": ("none", "committed"),
    }
    assert {q.id: tuple(sorted(q.values[:-1])) for q in ruleset.get("2").questions} == {
        key: tuple(sorted(values)) for key, values in expected.items()
    }
    current = ruleset.current()
    assert current.version == "6"
    assert {q.id: tuple(sorted(q.values[:-1])) for q in current.questions} == {
        key: tuple(sorted(values)) for key, values in expected.items()
    }
    assert all(q.why for q in current.questions)
    assert all(q.error.startswith("Choose ") for q in current.questions)
    assert all(option.event and option.event[0].islower() for q in current.questions for option in q.options)
    assert all(rule.brief.endswith(".") and len(rule.brief) <= 115 for rule in current.rules)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'when = { data_sensitivity = ["restricted"] }\nrules_out = "closed"',
            'when = { data_sensitivity = ["secret"] }\nrules_out = "closed"',
            "constraint 'restricted-data-rules-out-closed' names unknown value 'secret'",
        ),
        (
            'rules_out = "closed"\ntext = "Closed was ruled out: your data',
            'rules_out = "closed"\nroute = "public_api"\ntext = "Closed was ruled out: your data',
            "must rule out exactly one approach or one route",
        ),
        (
            'route = "managed_open"\ntext = "Open weights served per token were ruled out for the same',
            'route = "hosted"\ntext = "x',
            "route",
        ),
        (
            'sources = ["token-prices", "together-serverless"]',
            'sources = ["token-prices", "nowhere"]',
            "cites unknown source 'nowhere'",
        ),
        (
            'scale = ["light", "steady", "heavy"]',
            'scale = ["light", "steady", "loud"]',  # leaving an option off is allowed; naming another is not
            "has a scale that is not an order of its own options",
        ),
        (
            'when = { data_sensitivity = ["restricted"], compute = ["none"] }',
            'when = { data_sensitivity = ["restricted"], computer = ["none"] }',
            "conflict 'restricted-data-no-compute' names unknown question 'computer'",
        ),
        ('url = "https://developers.openai.com/api/docs/guides/your-data"', 'url = "http://example.com"', "url"),
    ],
)
def test_a_broken_v2_entry_is_rejected_with_a_message_naming_it(old, new, message):
    assert old in V2, old
    with pytest.raises(RulesetError) as raised:
        parse_ruleset(V2.replace(old, new, 1), "broken.toml")
    assert message in str(raised.value)


def test_a_source_that_nothing_cites_is_rejected():
    spare = '[[sources]]\nid = "spare"\ntitle = "t"\npublisher = "p"\nurl = "https://x.example"\nchecked = "2026-11-23"'
    uncited = f"{V2}\n{spare}\n"
    with pytest.raises(RulesetError, match="source 'spare' is cited by nothing"):
        parse_ruleset(uncited, "broken.toml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'when = { budget = ["minimal"] }',
            'when = { budgett = ["minimal"] }',
            "rule 'budget-minimal' names unknown question 'budgett'",
        ),
        (
            'when = { budget = ["minimal"] }',
            'when = { budget = ["tiny"] }',
            "rule 'budget-minimal' names unknown value 'tiny'",
        ),
        ('when = { budget = ["minimal"] }', 'when = { budget = ["unsure"] }', "depends on 'budget' being unanswered"),
        (
            'favours = "open"\nweight = 2\nreason = "On a tight',
            'favours = "open"\nweight = 9\nreason = "On a tight',
            "rule 'budget-minimal' has weight 9, outside 1 to 5",
        ),
        (
            'favours = "open"\nweight = 2\nreason = "On a tight',
            'favours = "open"\nweight = 0\nreason = "On a tight',
            "has weight 0",
        ),
        (
            'favours = "open"\nweight = 2\nreason = "On a tight',
            'favours = "opn"\nweight = 2\nreason = "On a tight',
            "favours",
        ),
        (
            'id = "budget-minimal"\nwhen = { budget = ["minimal"] }',
            'id = "budget-minimal"\nwhen = { volume = ["light"] }',
            "option budget=minimal has no rule of its own and is not declared neutral",
        ),
        (
            'question = "customization"\nvalue = "grounding"',
            'question = "customization"\nvalue = "deep"',
            "customization=deep is declared neutral but a rule speaks to it",
        ),
        (
            'section = "budget"\ntext = "What can you',
            'section = "money"\ntext = "What can you',
            "question 'budget' names unknown section 'money'",
        ),
        ('{ value = "light", label = "Lightly"', '{ value = "unsure", label = "Lightly"', "lists 'unsure'"),
        ('version = "1"', 'version = "1"\nsurprise = true', "surprise"),
    ],
)
def test_a_broken_entry_is_rejected_with_a_message_naming_it(old, new, message):
    with pytest.raises(RulesetError) as raised:
        parse_ruleset(broken(old, new), "broken.toml")
    assert "broken.toml" in str(raised.value)
    assert message in str(raised.value)


def test_a_file_that_is_not_toml_is_rejected():
    with pytest.raises(RulesetError, match=r"bad\.toml"):
        parse_ruleset("version = ", "bad.toml")


@pytest.mark.django_db
def test_the_system_check_stops_the_app_on_a_broken_ruleset(rulesets_dir):
    (rulesets_dir / "v1.toml").write_text(broken('when = { budget = ["minimal"] }', 'when = { budget = ["tiny"] }'))
    errors = rulesets_validate()
    assert {error.id for error in errors} == {"decision.E001"}
    assert any("tiny" in error.msg for error in errors)
    assert "decision.E001" in [message.id for message in checks.run_checks()]


def test_two_files_with_one_version_are_refused(rulesets_dir):
    (rulesets_dir / "a.toml").write_text(V1)
    (rulesets_dir / "b.toml").write_text(V1)
    with pytest.raises(RulesetError, match="repeats version '1'"):
        ruleset.load_all()


def test_old_versions_stay_loadable_and_the_newest_is_current(rulesets_dir):
    (rulesets_dir / "v1.toml").write_text(V1)
    (rulesets_dir / "v2.toml").write_text(
        V1.replace('version = "1"', 'version = "2"').replace('date = "2026-11-22"', 'date = "2027-01-01"')
    )
    assert set(ruleset.load_all()) == {"1", "2"}
    assert ruleset.current().version == "2"
    assert ruleset.get("1").version == "1"
    assert ruleset.get("0") is None


def test_manage_py_check_names_a_broken_ruleset_without_a_traceback(tmp_path):
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    for source in ruleset.RULESETS_DIR.glob("*.toml"):
        shutil.copy(source, tmp_path / source.name)
    (tmp_path / "v2.toml").write_text(V2.replace('favours = "closed"\nweight = 1', 'favours = "closed"\nweight = 9', 1))
    env = {**os.environ, "RULESETS_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "decision.settings"}
    root = Path(__file__).parent.parent
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "decision.E001" in done.stderr
    assert "weight 9, outside 1 to 5" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.django_db
def test_the_system_check_names_each_problem_in_an_error_of_its_own(rulesets_dir):
    text = broken('when = { budget = ["minimal"] }', 'when = { budget = ["tiny"] }')
    assert 'when = { volume = ["heavy"] }' in text
    (rulesets_dir / "v1.toml").write_text(
        text.replace('when = { volume = ["heavy"] }', 'when = { volume = ["huge"] }', 1)
    )
    errors = rulesets_validate()
    assert {error.id for error in errors} == {"decision.E001"}
    assert ["tiny" in error.msg for error in errors].count(True) == 1  # each in an error of its own
    assert ["huge" in error.msg for error in errors].count(True) == 1
    assert all(error.msg.startswith("ruleset v1.toml is invalid: ") and ";" not in error.msg for error in errors)


@pytest.mark.django_db
def test_a_worker_refuses_to_start_on_a_broken_ruleset(rulesets_dir):
    # gunicorn runs no system checks: the WSGI module runs them as each worker loads it.
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    (rulesets_dir / "v1.toml").write_text(broken('when = { budget = ["minimal"] }', 'when = { budget = ["tiny"] }'))
    sys.modules.pop("decision.wsgi", None)
    with pytest.raises(ImproperlyConfigured, match=r"decision\.E001: ruleset v1\.toml is invalid: .*tiny"):
        importlib.import_module("decision.wsgi")
    sys.modules.pop("decision.wsgi", None)


def test_a_rule_defined_twice_is_refused_by_name():
    with pytest.raises(RulesetError, match="rule 'budget-minimal' is defined twice"):
        parse_ruleset(broken('id = "budget-moderate"', 'id = "budget-minimal"'), "v1.toml")


def test_answers_carried_to_a_ruleset_that_dropped_a_question_or_a_value_keep_the_rest():
    from decision import wizard

    current = ruleset.current()
    kept, problems = wizard.carry_over(current, {"volume": "heavy", "deadline": "weeks", "budget": "tiny"})
    assert kept == {"volume": "heavy"}
    assert problems == [
        f"'deadline' is not a question of version {current.version}",
        f"'tiny' is not an answer to 'budget' in version {current.version}",
    ]
