"""Extensions, outside numbers and prompt names, from the way people type them to the way the PBX wants them."""

from __future__ import annotations

import re
from typing import Final

from ..common import EXTENSION_NUMBER, strip_separators
from .errors import InvalidExtensionError, InvalidOutsideNumberError, InvalidPromptError

# What the PBX's outbound routes match: digits, with a leading + and the keypad's * and #.
_OUTSIDE_NUMBER: Final = re.compile(r"\+?[0-9*#]{1,32}")
# The PBX joins several prompts with "+", so a name cannot hold one.
MAX_PROMPT_NAME: Final = 64
MAX_PROMPTS: Final = 8


def normalize_extension(extension: str) -> str:
    """Return a PBX extension as ASCII digits, separators removed ("10 1" gives "101").

    Full-width digits count as the digits they are; other scripts' digits are refused.
    """
    digits = strip_separators(extension)
    if not digits:
        raise InvalidExtensionError(extension, "the extension is empty")
    if not EXTENSION_NUMBER.fullmatch(digits):
        raise InvalidExtensionError(extension, "an extension is 1 to 16 digits")
    return digits


def normalize_outside_number(number: str) -> str:
    """Return a number to dial out to as the PBX's routes see it ("0755-2800 0003" gives "075528000003").

    Prefixes stay as typed (a 9 or a 0 for an outside line): the PBX's outbound routes decide.
    """
    digits = strip_separators(number)
    if not digits:
        raise InvalidOutsideNumberError(number, "the number is empty")
    if not _OUTSIDE_NUMBER.fullmatch(digits):
        raise InvalidOutsideNumberError(
            number, "an outside number is 1 to 32 digits, * or #, after an optional +"
        )
    return digits


def normalize_prompts(names: str | list[str]) -> tuple[str, ...]:
    """Return System Recording names to play in order: one, several, or several joined with "+"."""
    given = names.split("+") if isinstance(names, str) else names
    prompts = tuple(name.strip() for name in given)
    if not 0 < len(prompts) <= MAX_PROMPTS:
        raise InvalidPromptError(f"1 to {MAX_PROMPTS} prompts can be played")
    for prompt in prompts:
        if not 0 < len(prompt) <= MAX_PROMPT_NAME or not prompt.isprintable() or "+" in prompt:
            raise InvalidPromptError(
                f"a prompt name has 1 to {MAX_PROMPT_NAME} printable characters and no +"
            )
    return prompts
