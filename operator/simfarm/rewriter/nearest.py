"""Map wording the lexicon lacks to the nearest vocabulary entry by meaning.

"the camera sweeps around the car" has no exact synonym, but its embedding
is close to the orbit wordings. Matches below a threshold are ignored, so an
unrelated phrase never forces a choice the prompt did not make.
"""

from __future__ import annotations

from functools import cached_property

from ..plan import vocabulary as vocab
from . import lexicon as lex

# Cosine similarity a phrase must reach. Measured with MiniLM: paraphrases score 0.73-0.96,
# unrelated camera talk ("the camera is red") up to 0.64; size words 0.65+, other adjectives <= 0.58.
CAMERA_THRESHOLD = 0.70
SCALE_THRESHOLD = 0.62


class NearestVocabulary:
    """Embeddings of every vocabulary wording, computed once on first use."""

    @cached_property
    def _camera_entries(self) -> list[tuple[str, str, str]]:
        """(wording, family, value) for camera moves, shot sizes and angles."""
        entries = []
        for animation in vocab.CAMERA_ANIMATIONS:
            for wording in (animation.phrase.lower(), *animation.synonyms):
                entries.append((f"the camera {wording}" if "camera" not in wording else wording,
                                "animation", animation.name))
        for framing in vocab.FRAMINGS:
            for wording in (framing.phrase, *framing.synonyms):
                entries.append((wording, "framing", framing.name))
        for wording, angle in lex.CAMERA_ANGLES.items():
            entries.append((wording, "angle", angle))
        return entries

    @cached_property
    def _scale_entries(self) -> list[tuple[str, str]]:
        return [(word, scale.name) for scale in vocab.SCALES for word in scale.words if scale.name != "medium"]

    @cached_property
    def _camera_matrix(self):
        from ..retrieval.embedding import embed

        return embed([wording for wording, _, _ in self._camera_entries])

    @cached_property
    def _scale_matrix(self):
        from ..retrieval.embedding import embed

        return embed([word for word, _ in self._scale_entries])

    def camera_phrase(self, phrase: str) -> tuple[str, str] | None:
        """(family, value) of the nearest camera wording, or None below the threshold."""
        from ..retrieval.embedding import embed

        scores = self._camera_matrix @ embed([phrase])[0]
        best = int(scores.argmax())
        if scores[best] < CAMERA_THRESHOLD:
            return None
        _, family, value = self._camera_entries[best]
        return family, value

    def scale_words(self, words: list[str]) -> list[str | None]:
        """Nearest scale name for each adjective, or None where nothing is close."""
        if not words:
            return []
        from ..retrieval.embedding import embed

        scores = embed(words) @ self._scale_matrix.T
        results: list[str | None] = []
        for row in scores:
            best = int(row.argmax())
            results.append(self._scale_entries[best][1] if row[best] >= SCALE_THRESHOLD else None)
        return results
