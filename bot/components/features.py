"""Features of the intent classifier beyond n-grams: negation scope and misspelt words.

- **Negation scope.** « soin non réalisé », « jamais eu cette séance »: the words a negation
  governs become tokens of their own (`neg_realise`, `neg_seance`), so the classifier learns
  that care which did not happen is a report while a bare « non » is a denial, from the words
  of the examples rather than from whole sentences.
- **Misspelt words.** A word the training data never used (« rembourssement », « suspet ») is
  read as the known word it is one or two edits from (a letter missing, doubled, swapped or
  wrong), found through an index of single deletions (the SymSpell idea), so a typo costs a
  few dictionary look-ups, not a scan of the vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from bot.text import strip_accents, words

NEGATIONS = frozenset({"non", "pas", "jamais", "aucun", "aucune", "ni", "sans", "rien", "nul"})
# How many words after a negation it governs (punctuation is gone after folding).
SCOPE = 3
# Words shorter than this are never corrected: « pas » and « par » are both right.
MIN_CORRECTED = 5


# Greetings and courtesies around a message (« Bonjour madame, … Merci d'avance »): the
# classifier reads what is between them, unless they are the whole message.
_OPENING = re.compile(
    r"^(?:(?:bonjour|bonsoir|salut|slt|coucou|hello|allo|bjr|madame|monsieur|mesdames"
    r"|messieurs)\b[\s,.!;:-]*)+",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"[\s,.!;:-]*(?:\b(?:merci(?: d avance| beaucoup| bien)?|cordialement|svp|stp"
    r"|s il (?:vous|te) plait|bonne journee)\b[\s,.!;:-]*)+$",
    re.IGNORECASE,
)
# Fewer words than this left once courtesies are set aside: the courtesy is the message.
_CORE_WORDS = 3


def core_message(text: str) -> str:
    """« Bonjour, je souhaite faire un signalement svp » → « je souhaite faire un signalement »."""
    plain = strip_accents(text).replace("'", " ").replace("’", " ")
    core = _CLOSING.sub("", _OPENING.sub("", plain)).strip()
    return core if len(core.split()) >= _CORE_WORDS else text


def negation_tokens(folded: str) -> list[str]:
    """`neg_` tokens for the words within reach of a negation in already folded text."""
    tokens = folded.split()
    marked: list[str] = []
    reach = 0
    for token in tokens:
        if token in NEGATIONS:
            reach = SCOPE
            continue
        if reach:
            marked.append(f"neg_{token}")
            reach -= 1
    return marked


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]


class SpellingNormaliser:
    """Maps an unknown word to the nearest known one (within 1 edit, 2 from 8 letters)."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = frozenset(w for w in known if w.isalpha())
        self.index: dict[str, set[str]] = {}
        for word in self.known:
            if len(word) < MIN_CORRECTED:
                continue
            for key in (word, *_deletions(word)):
                self.index.setdefault(key, set()).add(word)
        self._cache: dict[str, str] = {}

    def correct(self, word: str) -> str:
        if word in self.known or len(word) < MIN_CORRECTED or not word.isalpha():
            return word
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        candidates: set[str] = set(self.index.get(word, ()))
        for key in _deletions(word):
            candidates |= self.index.get(key, set())
        allowed = 1 if len(word) < 8 else 2
        scored = sorted((edit_distance(word, c), c) for c in candidates)
        best = scored[0][1] if scored and scored[0][0] <= allowed else word
        if len(self._cache) < 50_000:
            self._cache[word] = best
        return best

    def __call__(self, folded: str) -> str:
        return " ".join(self.correct(word) for word in folded.split())


def _word_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        preprocessor=words,
        token_pattern=r"\S+",  # noqa: S106 - a regular expression, not a password
        ngram_range=(1, 2),
        sublinear_tf=True,
    )


def _char_vectorizer(max_ngram: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        preprocessor=words,
        analyzer="char_wb",
        ngram_range=(2, max_ngram),
        sublinear_tf=True,
        min_df=2,
    )


def _negation_vectorizer() -> TfidfVectorizer:
    """Only the `neg_` tokens of already folded text."""
    return TfidfVectorizer(analyzer=negation_tokens, sublinear_tf=True)


def _restore(vectorizer: TfidfVectorizer, vocabulary: dict[str, int], idf: Any) -> TfidfVectorizer:
    vectorizer.vocabulary_ = vocabulary
    vectorizer.idf_ = idf
    return vectorizer


def _weighted(vectorizer: TfidfVectorizer, idf: Any, texts: list[str]) -> csr_matrix:
    """What `vectorizer.transform` gives, without its checks at each call (they rebuild the
    IDF vector from a diagonal matrix of the whole vocabulary: half a millisecond a message):
    the counts, sublinear, times the IDF, L2-normalised."""
    counts = CountVectorizer.transform(vectorizer, texts).astype(np.float64)
    np.log(counts.data, out=counts.data)
    counts.data += 1.0
    counts.data *= idf[counts.indices]
    return normalize(counts, norm="l2", copy=False)


class TextFeatures:
    """The sparse features of a text: word and character n-grams, negation scope, typos read
    as known words. Fitted on the training texts; stored as vocabularies and IDF arrays."""

    def __init__(
        self, max_char_ngram: int, *, negation_scope: bool, spelling: bool, courtesy: bool = True
    ) -> None:
        self.courtesy = courtesy
        self.word = _word_vectorizer()
        self.char = _char_vectorizer(max_char_ngram)
        self.negation = _negation_vectorizer() if negation_scope else None
        self.use_spelling = spelling
        self.spelling: SpellingNormaliser | None = None
        # Each vectorizer's IDF vector, read once after fitting or loading.
        self._idf: dict[str, Any] = {}

    def _cores(self, texts: list[str]) -> list[str]:
        return [core_message(text) for text in texts] if self.courtesy else texts

    def fit(self, texts: list[str]) -> TextFeatures:
        texts = self._cores(texts)
        self.word.fit(texts)
        self.char.fit(texts)
        self._after_word_fit()
        if self.negation is not None:
            self.negation.fit(self.folded(texts))
        self._after_fit()
        return self

    def _after_fit(self) -> None:
        self._idf = {"word": self.word.idf_, "char": self.char.idf_}
        if self.negation is not None:
            self._idf["negation"] = self.negation.idf_

    def _after_word_fit(self) -> None:
        if self.use_spelling:
            self.spelling = SpellingNormaliser(t for t in self.word.vocabulary_ if " " not in t)

    def folded(self, texts: list[str]) -> list[str]:
        """What the word and negation features read: folded words, typos corrected."""
        folded = [words(text) for text in texts]
        return [self.spelling(text) for text in folded] if self.spelling else folded

    def transform(self, texts: list[str]) -> csr_matrix:
        texts = self._cores(texts)
        folded = self.folded(texts)
        parts = [
            _weighted(self.word, self._idf["word"], folded),
            _weighted(self.char, self._idf["char"], texts),
        ]
        if self.negation is not None:
            parts.append(_weighted(self.negation, self._idf["negation"], folded))
        return hstack(parts).tocsr()

    # --- storage -----------------------------------------------------------------------------

    def vocabularies(self) -> dict[str, dict[str, int] | None]:
        def plain(vectorizer: TfidfVectorizer | None) -> dict[str, int] | None:
            if vectorizer is None:
                return None
            return {term: int(i) for term, i in vectorizer.vocabulary_.items()}

        return {
            "word": plain(self.word),
            "char": plain(self.char),
            "negation": plain(self.negation),
        }

    def arrays(self) -> dict[str, Any]:
        arrays = {"word_idf": self.word.idf_, "char_idf": self.char.idf_}
        if self.negation is not None:
            arrays["negation_idf"] = self.negation.idf_
        return arrays

    def restore(self, vocabularies: dict[str, Any], arrays: dict[str, Any]) -> TextFeatures:
        _restore(self.word, vocabularies["word"], arrays["word_idf"])
        _restore(self.char, vocabularies["char"], arrays["char_idf"])
        stored = vocabularies.get("negation")
        self.negation = (
            None  # trained without negation features
            if stored is None
            else _restore(_negation_vectorizer(), stored, arrays["negation_idf"])
        )
        self._after_word_fit()
        self._after_fit()
        return self
