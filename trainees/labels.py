"""What people type for a choice field (文化程度, 就业状态, 户口性质) → the model's stored value.

Pure, no database. The Chinese label is accepted as shown in the model (“高中/中专/技校”),
and so are its parts (“高中”, “中专”, “技校”) and the label without “及以上/及以下”
(“本科”, “小学”); the stored code (“senior”) is accepted too, for API clients.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from django.db import models

__all__ = ["ChoiceError", "allowed_labels", "choice_value"]

_TRIMMED_SUFFIXES = ("及以上", "及以下")


class ChoiceError(ValueError):
    """Text that is none of the allowed values; ``str(error)`` is the Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf").lower()


@lru_cache(maxsize=None)
def _aliases(choices: type[models.Choices]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for value, label in choices.choices:
        label = str(label)
        names = {value, label, *label.split("/")}
        for suffix in _TRIMMED_SUFFIXES:
            if label.endswith(suffix):
                names.add(label[: -len(suffix)])
        for name in names:
            aliases.setdefault(_key(name), value)
    return aliases


def allowed_labels(choices: type[models.Choices]) -> list[str]:
    return [str(label) for label in choices.labels]


def choice_value(choices: type[models.Choices], text: str | None, *, field_label: str) -> str:
    """Return the stored value for ``text`` ("" stays ""), or raise ChoiceError naming the allowed values."""
    if text is None or not str(text).strip():
        return ""
    value = _aliases(choices).get(_key(text))
    if value is None:
        allowed = "、".join(f"“{label}”" for label in allowed_labels(choices))
        raise ChoiceError(f"{field_label}“{str(text).strip()}”无法识别，请填写以下之一：{allowed}")
    return value
