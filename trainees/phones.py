"""Mainland China mobile numbers: normalise, validate, mask."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["PhoneError", "mask_mobile", "normalize_mobile", "parse_mobile"]

_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
# Separators people type inside a number; NFKC has already turned full-width ones into ASCII.
_SEPARATORS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212()")
_COUNTRY_PREFIXES = ("+86", "0086", "86")


class PhoneError(ValueError):
    """A phone number that cannot be accepted; ``str(error)`` is the Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def normalize_mobile(raw: str) -> str:
    """NFKC, drop spaces and hyphens, drop a +86 / 0086 / 86 prefix that leaves 11 digits."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    text = "".join(
        ch
        for ch in text
        if not ch.isspace()
        and ch not in _SEPARATORS
        and unicodedata.category(ch) != "Cf"
    )
    for prefix in _COUNTRY_PREFIXES:
        rest = text[len(prefix):]
        # Only strip when what remains is a full number: "86" may also start a
        # mistyped local value, which must then fail validation as typed.
        if text.startswith(prefix) and len(rest) == 11 and rest.isdigit():
            return rest
    return text


def parse_mobile(raw: str) -> str:
    """Return the 11-digit mobile number or raise PhoneError with a Chinese message."""
    number = normalize_mobile(raw)
    if not number:
        raise PhoneError("手机号码不能为空，请填写11位大陆手机号")
    if not number.isascii() or not _MOBILE_RE.fullmatch(number):
        raise PhoneError(
            "手机号码应为11位、以1开头的大陆手机号（第二位为3至9），请核对后重新填写"
        )
    return number


def mask_mobile(number: str) -> str:
    """``13812341234`` → ``138****1234``; other lengths keep at most the last 4 characters."""
    number = number or ""
    if len(number) == 11:
        return number[:3] + "****" + number[-4:]
    if len(number) > 8:
        return "*" * (len(number) - 4) + number[-4:]
    return "*" * len(number)
