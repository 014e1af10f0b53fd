"""Prompt checks shared by every entry point (CLI, batch files, the operator)."""

from __future__ import annotations

import unicodedata

from ..errors import InputError
from ..plan.models import MAX_PROMPT_CHARS

ALLOWED_CONTROLS = {"\t", "\n", "\r"}  # read as spaces


def check_prompt(prompt: str, what: str = "prompt", limit: int = MAX_PROMPT_CHARS) -> str:
    """The prompt (or another text: ``what``) with whitespace folded, or InputError saying what is wrong with it."""
    for position, char in enumerate(prompt):
        if unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS:
            raise InputError(f"{what} contains control character U+{ord(char):04X} at position {position}")
    folded = " ".join(prompt.split())
    if not folded:
        raise InputError(f"{what} is empty: describe the scene, e.g. 'a red car drives past a cabin at sunset'")
    if len(folded) > limit:
        raise InputError(f"{what} is {len(folded)} characters long; the limit is {limit}")
    return folded
