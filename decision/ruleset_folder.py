"""A ruleset kept as a folder (v4 on), read into the data of one ruleset, and its problems said in the folder's terms.

A folder has one file per concern (questions, points, musts, conflicts, routes, caveats, sources), in the shape a
domain expert reads; its conditions may say "unless" and "any_of", and its options carry their neutral notes.
from_folder spells all that out as the plain data a single-file ruleset gives, and readable names each problem
the validator finds by the file and entry it stands in. ruleset.parse_folder reads the files and puts the two
together.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from decision.entries import UNSURE
from decision.figures import FIGURES

# A ruleset kept as a folder (v4 on): one file per concern, in the shape a domain expert reads (its README.md
# is the guide). Loading turns it into the same Ruleset as a single file would give.
FOLDER_FILES = ("ruleset", "questions", "points", "musts", "conflicts", "routes", "caveats", "sources")


# Where each list of entries is written in a folder, and what its entries are called there.
FOLDER_TABLES = {
    "sections": ("questions.toml", "section"),
    "questions": ("questions.toml", "question"),
    "neutral": ("questions.toml", "neutral note on"),
    "rules": ("points.toml", "rule"),
    "constraints": ("musts.toml", "must"),
    "conflicts": ("conflicts.toml", "conflict"),
    "routes": ("routes.toml", "route"),
    "route_choices": ("routes.toml", "route choice"),
    "placements": ("routes.toml", "placement"),
    "placement_defaults": ("routes.toml", "placement default"),
    "caveats": ("caveats.toml", "caveat"),
    "sources": ("sources.toml", "source"),
}
# The validator's whole-ruleset messages begin with the kind of entry they are about.
FOLDER_MESSAGES = (
    ("rule ", "points.toml"),
    ("constraint ", "musts.toml"),
    ("conflict ", "conflicts.toml"),
    ("route choice", "routes.toml"),
    ("a route choice", "routes.toml"),
    ("placement ", "routes.toml"),
    ("route", "routes.toml"),
    ("caveat ", "caveats.toml"),
    ("source ", "sources.toml"),
    ("two sources", "sources.toml"),
    ("question ", "questions.toml"),
    ("section ", "questions.toml"),
    ("option ", "questions.toml"),
    ("neutral entry", "questions.toml"),
)


def readable(error: ValidationError, data: dict[str, Any]) -> list[str]:
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        location = list(item["loc"])
        if not location:  # the checks across the whole ruleset: one message per problem, each naming its entry
            for problem in message.split("; "):
                file = next((f for prefix, f in FOLDER_MESSAGES if problem.startswith(prefix)), "ruleset.toml")
                problems.append(f"{file}: {problem.replace('constraint ', 'must ', 1)}")
            continue
        table, *rest = location
        file, kind = FOLDER_TABLES.get(str(table), ("ruleset.toml", str(table)))
        label = ""
        if rest and isinstance(rest[0], int) and isinstance(data.get(str(table)), list):
            entry = data[str(table)][rest.pop(0)]
            label = repr(entry.get("id") or entry.get("route") or entry.get("text", "")[:40])
        field = ".".join(str(part) for part in rest)
        if item["type"] == "string_pattern_mismatch":
            message = "must be a link starting with https://" if field == "url" else "is not in the expected form"
        problems.append(f"{file}: {kind} {label}{': ' if label else ''}{field}{': ' if field else ''}{message}")
    return problems


def from_folder(parts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A folder's files as one ruleset: neutral notes written on their options, "unless" and "any_of" spelled
    out in conditions, and route choices in the order their "order" numbers give."""
    data: dict[str, Any] = dict(parts["ruleset"])
    questions_file = parts["questions"]
    data["sections"] = questions_file.get("sections", [])
    questions = questions_file.get("questions", [])
    values_of = {q.get("id"): [o.get("value") for o in q.get("options", [])] for q in questions}
    if "figures" in data:
        values_of.update({name: list(values) for name, (_, values) in FIGURES.items()})
    neutral = []
    data["questions"] = []
    for question in questions:
        options = []
        for option in question.get("options", []):
            option = dict(option)
            note, cited = option.pop("neutral", None), option.pop("neutral_sources", [])
            if note is not None:
                entry = {"question": question.get("id"), "value": option.get("value"), "note": note, "sources": cited}
                neutral.append(entry)
            options.append(option)
        data["questions"].append({**question, "options": options})
    data["neutral"] = neutral

    def entries(part: str, table: str, where: str, *, any_of_allowed: bool = True) -> list[dict[str, Any]]:
        found = []
        for index, entry in enumerate(parts[part].get(table, []), start=1):
            entry = dict(entry)
            label = f"{part}.toml: {where} {entry.get('id') or entry.get('route') or index!r}"
            for condition in compile_condition(entry, label, values_of, any_of_allowed=any_of_allowed):
                found.append({**entry, "when": condition})
        return found

    data["rules"] = entries("points", "rules", "rule", any_of_allowed=False)
    seen: dict[tuple[Any, ...], str] = {}
    for rule in data["rules"]:
        same = (rule.get("favours"), tuple(sorted((q, tuple(sorted(v))) for q, v in rule["when"].items())))
        if same in seen:
            raise ValueError(
                f"points.toml: rule {rule.get('id')!r} matches the same answers as rule {seen[same]!r} and favours "
                "the same approach: their points would add up; change that rule instead"
            )
        seen[same] = rule.get("id", "")
    data["constraints"] = entries("musts", "musts", "must")
    data["conflicts"] = entries("conflicts", "conflicts", "conflict")
    data["caveats"] = entries("caveats", "caveats", "caveat")
    routes_file = parts["routes"]
    data["routes"] = routes_file.get("routes", [])
    data["placement_defaults"] = routes_file.get("placement_defaults", {})
    data["placements"] = entries("routes", "placements", "placement")
    choices = entries("routes", "choices", "route choice")
    orders = [choice.get("order") for choice in parts["routes"].get("choices", [])]
    if any(not isinstance(order, int) for order in orders) or len(set(orders)) != len(orders):
        raise ValueError("routes.toml: every route choice needs its own whole-number order (first match wins)")
    data["route_choices"] = [
        {key: value for key, value in choice.items() if key != "order"}
        for choice in sorted(choices, key=lambda choice: choice["order"])
    ]
    data["sources"] = parts["sources"].get("sources", [])
    return data


def compile_condition(
    entry: dict[str, Any], where: str, values_of: dict[str, list[str]], *, any_of_allowed: bool
) -> list[dict[str, list[str]]]:
    """An entry's "when", "unless" and "any_of" as the plain conditions the engine reads (one per "any_of" case):
    "unless" a question has these answers is every other answer, "I'm not sure" included."""
    when: dict[str, list[str]] = dict(entry.pop("when", {}))
    unless: dict[str, list[str]] = entry.pop("unless", {})
    cases: list[dict[str, list[str]]] = entry.pop("any_of", [])
    if cases and not any_of_allowed:
        raise ValueError(f"{where} uses any_of: a rule's points would count once for each case that matches")
    if any(UNSURE in values for values in when.values()):
        raise ValueError(f"{where} lists {UNSURE!r} in when; to say 'any answer but these', use unless")
    for question, values in unless.items():
        if question not in values_of:
            raise ValueError(f"{where} names unknown question {question!r} in unless")
        if question in when:
            raise ValueError(f"{where} names {question!r} in both when and unless")
        when[question] = [value for value in [*values_of[question], UNSURE] if value not in values]
    if not cases:
        return [when]
    for case in cases:
        if set(case) & set(when):
            raise ValueError(f"{where} names a question both in any_of and outside it")
    return [{**when, **case} for case in cases]
