"""A configuration mistake, said in one line that names where it is (file and entry, or variable)."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError


class ConfigError(ValueError):
    """A mistake in the programs file or the environment; its message is the whole report, one line."""


def from_validation(error: ValidationError) -> ConfigError:
    """The one line for Settings' validation errors: each names its environment variable, never its value
    (the input is not read: it may be PHONE_HASH_KEY, TWILIO_AUTH_TOKEN or ADMIN_TOKENS)."""
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        text = detail["msg"].removeprefix("Value error, ")
        names = [str(part).upper() for part in detail["loc"] if isinstance(part, str)]
        variable = names[0] if names else ""
        problems.append(text if not variable or text.startswith(variable) else f"{variable}: {text}")
    return ConfigError("; ".join(problems))


# How TOML's values are called in messages (bool before int: True is an int to Python).
_TOML_TYPES: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "an array",
    dict: "a table",
}


def toml_type(value: object) -> str:
    """What a TOML value is, as its reader would call it."""
    return next((name for kind, name in _TOML_TYPES.items() if isinstance(value, kind)), "a date or time")


def toml_problem(error: tomllib.TOMLDecodeError) -> str:
    """'line 3, column 5: …' for a file that does not parse (Python 3.11's error keeps the place in its text)."""
    found = re.fullmatch(r"(?s)(.*) \(at line (\d+), column (\d+)\)", str(error))
    if found is None:
        return f"not valid TOML: {error}"
    return f"line {found[2]}, column {found[3]}: not valid TOML: {found[1]}"


def table_problems(table: Mapping[str, Any], *, keys: Mapping[str, type], required: Iterable[str]) -> list[str]:
    """A TOML table's unknown keys, missing ones and values of the wrong type. A list key holds strings,
    and so does a table key's table; no value is quoted (a programs file may hold phone numbers)."""
    problems = [f"missing required key {key!r}" for key in required if key not in table]
    for key, value in table.items():
        kind = keys.get(key)
        if kind is None:
            close = difflib.get_close_matches(key, keys, n=1)
            problems.append(f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        elif toml_type(value) != _TOML_TYPES[kind]:
            problems.append(f"{key} must be {_TOML_TYPES[kind]}, not {toml_type(value)}")
        elif isinstance(value, list | dict):
            items = enumerate(value) if isinstance(value, list) else value.items()
            path = "{key}[{part}]" if isinstance(value, list) else "{key}.{part}"
            problems += [
                f"{path.format(key=key, part=part)} must be a string, not {toml_type(item)}"
                for part, item in items
                if not isinstance(item, str)
            ]
    return problems
