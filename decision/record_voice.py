"""The decision record's voice: a result's texts as the team writes them about its own decision.

What the record does to every text it takes from a result: says it in our voice ("your data" becomes "our
data", "gives you" "gives us"), points it at the record's own parts (What we must watch, or the full result)
rather than at the result's caveats, fits a sentence into another ("Good, because …") without lowering an
acronym's capitals, and cuts it to its first sentence. Pure text in, text out; exports.py and record_options.py
write with it.
"""

from __future__ import annotations

import re

# A record is written by the team about its own decision, so it speaks as "we" throughout. The texts a result
# keeps speak to the reader ("your data", "GPUs you rent"), and a stored result's texts never change, so the
# record turns them round as it writes them out.
# A "you" inside a hyphenated set phrase ("pay-as-you-go") is nobody in particular, and stays as it is.
SECOND_PERSON = re.compile(r"(?<!-)\b(?:you|your|yours|yourself|yourselves)\b(?!-)", re.IGNORECASE)
FIRST_PERSON = {"your": "our", "yours": "ours", "yourself": "ourselves", "yourselves": "ourselves"}
# "you" after one of these words is its object ("gives you", "for you"): "us"; anywhere else it is the subject.
TAKES_AN_OBJECT = frozenset(
    {
        *("about", "against", "at", "between", "by", "for", "from", "of", "on", "to", "with", "without"),
        *("allow", "allows", "ask", "asks", "cost", "costs", "give", "gives", "has", "help", "helps", "keep"),
        *("keeps", "let", "lets", "make", "makes", "offer", "offers", "serve", "serves", "tell", "tells"),
    }
)
WORD_BEFORE = re.compile(r"(\w+) $")
# A first word that is a plain capitalised word ("Confidential", "Per-token"), not an acronym ("GPU", "EU").
PLAIN_WORD = re.compile(r"(?!I\b)[A-Z][a-z]*(?:[-'\u2019][a-z]+)*\b(?![-'\u2019]?[A-Z0-9])")
# What a result's texts point to, in the record's own words: the record has no "caveats", but a list of what we must
# watch (an undecided record has none, so it points to the full result).
WATCHED = (
    (" is in the caveats", " is under What we must watch"),
    ("(see the caveats)", "(under What we must watch)"),
    (": see the caveats", ", under What we must watch"),
)
ON_THE_RESULT = (
    (" is in the caveats", " is on the full result"),
    ("(see the caveats)", "(see the full result)"),
    (": see the caveats", ": see the full result"),
)
RECORD_WORDS = (("Put the cost of ", "Take the cost of "),)  # a conflict's fix: the cost is taken to someone
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def ours(text: str) -> str:
    """A text written to the reader, as the team writes it about itself: "your data" becomes "our data", "GPUs you
    rent" "GPUs we rent", "costs you nothing" "costs us nothing"."""

    def turned(match: re.Match[str]) -> str:
        word = match.group()
        lower = word.lower()
        if lower == "you":
            before = WORD_BEFORE.search(text, 0, match.start())
            lower = "us" if before and before.group(1).lower() in TAKES_AN_OBJECT else "we"
        else:
            lower = FIRST_PERSON[lower]
        return lower.capitalize() if word[0].isupper() else lower

    return SECOND_PERSON.sub(turned, text)


def said(text: str, watch: bool = True) -> str:
    """A result's text as the record says it: in our voice, pointing to the record's own parts (What we must watch,
    or the full result when the record has no such list), with a fix's cost taken, not put, to whoever set the
    must."""
    text = ours(text)
    for old, new in (*(WATCHED if watch else ON_THE_RESULT), *RECORD_WORDS):
        text = text.replace(old, new)
    return text


def mid_sentence(text: str) -> str:
    """A sentence as it reads inside another ("Good, because …"): its first letter lowercased only when its first
    word is a plain capitalised word, so that "GPU servers…" and "EU law…" keep their capitals."""
    if PLAIN_WORD.match(text):
        return text[0].lower() + text[1:]
    return text


def first_sentence(text: str) -> str:
    return SENTENCE_END.split(text, maxsplit=1)[0]
