"""An optional LLM teacher through any OpenAI-compatible chat endpoint (``/chat/completions``).

The model is asked to delete words, never to rewrite. Its answer is not trusted as is:
it is aligned into the text (:func:`tersify_train.labels.align.align_labels`), rejected when
it paraphrases or reorders too much (variation rate / alignment gap thresholds), and the
reference is rebuilt from the text with every must-keep word forced on, so it is
extractive and keeps every must-keep span whatever the model answered.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import numpy as np

from tersify.errors import TersifyError
from tersify.text.rebuild import rebuild
from tersify_train.labels.align import MAX_ALIGNMENT_GAP, MAX_VARIATION_RATE, align_labels
from tersify_train.labels.correct import correct_labels

INSTRUCTION = (
    "You compress tool outputs for an AI agent by deleting words. Return the input with whole words "
    "deleted: never add, change, reorder or merge words, keep line breaks. Keep every number, path, flag, "
    "identifier, error name, negation and outcome word, and the first mention of every content word. Delete "
    "articles, auxiliaries, filler, decoration and boilerplate repeated from earlier lines. Reply with the "
    "compressed text only."
)


@dataclass(frozen=True)
class LLMTeacher:
    """``base_url`` like ``http://127.0.0.1:8000/v1``; ``api_key`` optional (sent as Bearer)."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 60.0
    max_variation: float = MAX_VARIATION_RATE
    max_gap: float = MAX_ALIGNMENT_GAP

    def ask(self, text: str, client: httpx.Client | None = None) -> str:
        """The model's raw answer for ``text``."""
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [{"role": "system", "content": INSTRUCTION}, {"role": "user", "content": text}],
        }
        url = self.base_url.rstrip("/") + "/chat/completions"
        try:
            if client is None:
                with httpx.Client(timeout=self.timeout) as own:
                    response = own.post(url, json=body, headers=headers)
            else:
                response = client.post(url, json=body, headers=headers)
            response.raise_for_status()
            return response.json()["choices"][0]["message"]["content"]
        except httpx.HTTPError as exc:
            raise TersifyError(f"LLM teacher at {url}: {exc}") from exc
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise TersifyError(f"LLM teacher at {url}: unexpected answer ({exc})") from exc

    def teach(self, text: str, client: httpx.Client | None = None) -> str:
        """An extractive reference for ``text`` from the model's answer (see module docstring)."""
        answer = self.ask(text, client)
        aligned = align_labels(text, answer)
        if aligned.variation_rate > self.max_variation or aligned.alignment_gap > self.max_gap:
            raise TersifyError(
                f"LLM answer is not extractive enough (variation {aligned.variation_rate:.2f}, "
                f"gap {aligned.alignment_gap:.2f})"
            )
        labels, _ = correct_labels(aligned.words, aligned.labels)
        return rebuild(aligned.words, labels.astype(bool) if labels.size else np.zeros(0, dtype=bool))


__all__ = ["INSTRUCTION", "LLMTeacher"]
