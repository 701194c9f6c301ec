"""Password rules beyond Django's built-ins (等保 2.0: letters and digits, ≥ 10 characters)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class LettersAndDigitsValidator:
    """A password must contain at least one letter and at least one digit."""

    def validate(self, password: str, user=None) -> None:
        if not (any(ch.isalpha() for ch in password) and any(ch.isdigit() for ch in password)):
            raise ValidationError("密码必须同时包含字母和数字。", code="password_letters_digits")

    def get_help_text(self) -> str:
        return "密码必须同时包含字母和数字。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with the message in Chinese (its zh-hans catalogue misses the current wording)."""

    def get_error_message(self) -> str:
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
