"""NLU component: what a message means where it is said, and the question asked beside a report.

The classifier reads a message alone. Some readings only make sense as answers: « non », « oui »
or a bare name (`deny`, `affirm`, `inform`) answer a question, and when no question is pending
(no form is active and no yes-or-no question was left open) they can neither start nor end
anything. There, a message that the classifier hesitated to call a report, or that names care
not as billed (`cues.py`: « acte médical non réalisé », « soin jamais reçu », the insurer's own
words, however they are typed), is read as the report it is. Outside a question too, a message
read as a question (« que veut dire ce mail ? ») that names such care is a report with the
question beside it, and any other reading (a complaint about a low reimbursement, say) gives
way to a report this likely when the message tells such a story (« j'étais à l'étranger, et
trois séances de kiné en août »). The other way round, a message read as a report that asks for
something else (`errands.py`: money, what « soin non réalisé » means, whether to trust a mail
that announced an anomaly, a report already made, care not found in the account, all in
order) gives way to that errand. Inside a form, or when a
yes-or-no question is pending, the literal reading stands (« non, aucun de ceux-là » is an
answer), except that « je ne sais plus » answers the question instead of cancelling, and
« non, laissez tomber » cancels instead of being taken for a name or a denial.

The thresholds are chosen by cross-validation on the training data (`bench/nlu_cv_reading.py`).

Rasa's graph gives this component the conversation's tracker (a `tracker` parameter of
`process`); `/model/parse` and `rasa test nlu` give an empty one, which is the context of a
message that opens a conversation.

A report that also asks a question (« est-ce une arnaque ? je n'ai jamais eu ce soin ») keeps
the report and names the question in `also_asked`, so the form answers it before going on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from contract.intents import QUESTIONS_ANSWERED_BESIDE
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.cues import names_care_not_as_billed, question_also_asked
from bot.components.errands import NEXT_READING, quoted_errand, told_errand
from bot.text import words

REPORT = "report_suspicious_reimbursement"
ALSO_ASKED = "also_asked"
# Readings that only answer a question.
ANSWER_INTENTS = frozenset({"deny", "affirm", "inform"})
# Questions the assistant answers in a sentence, then goes on with the report asked beside.
QUESTION_INTENTS = frozenset(QUESTIONS_ANSWERED_BESIDE)
# Readings about a report already made: the care it names is that report's, not a new one.
_ABOUT_A_REPORT = frozenset({"ask_report_status"})
# Slots that hold a yes-or-no question open outside the form (domain.yml).
PENDING_QUESTION_SLOTS = ("complement_for", "report_pending")


def question_pending(tracker: DialogueStateTracker | None) -> bool:
    """Whether the message may answer a question: a form is active, or yes-or-no is open."""
    if tracker is None:
        return False
    if tracker.active_loop_name:
        return True
    return any(tracker.get_slot(slot) for slot in PENDING_QUESTION_SLOTS)


def _confidence(ranking: list[dict[str, Any]], name: str) -> float:
    return next((float(i["confidence"]) for i in ranking if i.get("name") == name), 0.0)


# « je ne sais plus », « aucune idée »: an answer that the person does not know, never a wish to
# stop (the question is asked another way instead).
_DO_NOT_KNOW = re.compile(
    r"\b(je )?(ne )?(sais|sai|sait|souviens|rappelle) (plus|pas|rien)\b|\baucune idee\b"
    r"|\bj en sais rien\b|\bje sais plus\b|\bsais pas\b"
)


# « en fait non, laissez tomber »: stopping, whatever else the message holds.
_STOP = re.compile(
    r"\b(laisse[rz]? tomber|j abandonne|annule[rz]?|j arrete|on arrete|oubliez? (ca|tout))\b"
)


def _led_by(
    name: str, ranking: list[dict[str, Any]], confidence: float | None = None
) -> list[dict[str, Any]]:
    """`name` first, as sure as the first reading was (or `confidence`), and the first reading
    as sure as `name` was: the two swap places, so the fallback sees no tie between them."""
    first = ranking[0]
    before = _confidence(ranking, name)
    swapped = {"name": first.get("name"), "confidence": before}
    rest = [i for i in ranking[1:] if i.get("name") != name]
    ordered = sorted([swapped, *rest], key=lambda i: -float(i["confidence"]))
    lead = float(first["confidence"]) if confidence is None else confidence
    return [{"name": name, "confidence": lead}, *ordered]


def _answer_read_as_answer(text: str, ranking: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """While a question is pending, « je ne sais plus » answers it (it does not cancel), and
    « non, laissez tomber » stops (it is not a name or a denial)."""
    folded, first = words(text), ranking[0].get("name")
    stops = bool(_STOP.search(folded))
    if first == "cancel" and not stops and _DO_NOT_KNOW.search(folded):
        return _led_by("inform", ranking)
    if first in ("deny", "inform") and stops:
        return _led_by("cancel", ranking)
    return ranking


@dataclass(frozen=True)
class ReadingSettings:
    # Outside a question, an answer-like reading gives way to a report this likely.
    report_runner_up: float = 0.3
    # A question first and a report this likely, naming care not as billed: both.
    beside: float = 0.0
    # Any other reading first and a report this likely, naming care not as billed: a report.
    named_runner_up: float = 0.3
    # A report first that asks for something else (`errands.py`: money, the meaning of a word,
    # a report already made…) and that errand this likely: the errand.
    errand_runner_up: float = 0.0
    # What the words decide (« soin non réalisé », « c'est qui ce dentiste ») is as sure as the
    # first reading plus this share of the other one, the decided reading's or, when the words
    # confirm the first, the runner-up's: the classifier hesitated between the two, the words
    # settle it, and the fallback should not ask back a question they answered.
    pooled: float = 0.0


def _errand_instead(
    text: str, ranking: list[dict[str, Any]], settings: ReadingSettings
) -> list[dict[str, Any]]:
    """A report that quotes a report's words, or tells of another errand, gives way to it."""
    errand = quoted_errand(text)
    named = errand is None and names_care_not_as_billed(text)
    if errand is None and not named:
        errand = told_errand(text)
    if errand == NEXT_READING:
        errand = str(ranking[1].get("name")) if len(ranking) > 1 else None
    if errand is None:
        return _settled(ranking, settings) if named else ranking
    if _confidence(ranking, errand) < settings.errand_runner_up:
        return ranking
    return _led_by(errand, ranking, _pooled(errand, ranking, settings))


def _settled(ranking: list[dict[str, Any]], settings: ReadingSettings) -> list[dict[str, Any]]:
    """A report the words confirm (« … n'a jamais eu lieu »), as sure as the two readings the
    classifier hesitated between, pooled (see `pooled`)."""
    if len(ranking) < 2 or not settings.pooled:
        return ranking
    first, runner_up = (float(i["confidence"]) for i in ranking[:2])
    lead = {**ranking[0], "confidence": min(1.0, first + settings.pooled * runner_up)}
    return [lead, *ranking[1:]]


def _pooled(name: str, ranking: list[dict[str, Any]], settings: ReadingSettings) -> float:
    """How sure a reading the words decided is: the first reading's confidence, plus
    `pooled` times its own (at most 1)."""
    first = float(ranking[0]["confidence"])
    return min(1.0, first + settings.pooled * _confidence(ranking, name))


def reread(
    text: str, ranking: list[dict[str, Any]], *, pending: bool, settings: ReadingSettings
) -> list[dict[str, Any]]:
    """The ranking read in context: the same, or led by a report (see the module's doc)."""
    if not ranking:
        return ranking
    if pending:
        return _answer_read_as_answer(text, ranking)
    first = ranking[0]
    report = _confidence(ranking, REPORT)
    answer_like = first.get("name") in ANSWER_INTENTS
    if first.get("name") == REPORT:
        return _errand_instead(text, ranking, settings)
    if quoted_errand(text):
        return ranking  # a report's words quoted, nothing reported
    named = names_care_not_as_billed(text)
    decided = _led_by(REPORT, ranking, _pooled(REPORT, ranking, settings) if named else None)
    if answer_like and (report >= settings.report_runner_up or named):
        # Understood as surely as the answer it was mistaken for: the context decides.
        return decided
    if first.get("name") in QUESTION_INTENTS:
        # « Est-ce une arnaque ? Je n'ai jamais eu ce soin »: the question is answered beside.
        return decided if named and report >= settings.beside else ranking
    if named and report >= settings.named_runner_up and first.get("name") not in _ABOUT_A_REPORT:
        # « J'étais à l'étranger, et trois séances de kiné en août »: a story of absence.
        return decided
    return ranking


_SETTINGS = ("report_runner_up", "beside", "named_runner_up", "errand_runner_up", "pooled")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ContextualReading(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        defaults = ReadingSettings()
        return {name: getattr(defaults, name) for name in _SETTINGS}

    def __init__(self, config: dict[str, Any]) -> None:
        merged = {**self.get_default_config(), **config}
        self.settings = ReadingSettings(**{name: float(merged[name]) for name in _SETTINGS})

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ContextualReading:
        return cls(config)

    def process(
        self, messages: list[Message], tracker: DialogueStateTracker | None = None
    ) -> list[Message]:
        pending = question_pending(tracker)
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/"):
                continue  # a button's payload says exactly what it means
            before = list(message.get(INTENT_RANKING_KEY) or [])
            ranking = reread(text, before, pending=pending, settings=self.settings)
            if ranking is not before:
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            if ranking and ranking[0].get("name") == REPORT:
                first = before[0].get("name") if before else None
                asked = first if first in QUESTION_INTENTS else question_also_asked(text)
                if asked:
                    message.set(ALSO_ASKED, asked, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
