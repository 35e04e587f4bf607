"""Reading a protocol file: YAML with line numbers, JSON Schema checks, and problems in plain words."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "protocols" / "schema.json"
PathStep = str | int
TYPE_WORDS = {
    "object": "a mapping (key: value lines)",
    "array": "a list (lines starting with -)",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a protocol, pointing at the file, line and path a team lead can find."""

    file: str
    line: int | None
    path: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        label = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {self.path}: {label}{self.message}" if self.path else f"{where}: {label}{self.message}"


class ProtocolError(Exception):
    """A protocol that cannot be used; `problems` lists everything found, not only the first."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class _ProtocolYamlLoader(yaml.SafeLoader):
    """YAML with only true/false booleans and plain numbers: `17:00`, `no` and dates stay text."""


_ProtocolYamlLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$", "-+0123456789."),
):
    _ProtocolYamlLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


@cache
def protocol_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class SourceDocument:
    """The parsed file together with its YAML node tree, to turn data paths back into line numbers."""

    name: str
    data: Any
    root: yaml.Node

    def _node_at(self, path: Sequence[PathStep]) -> tuple[yaml.Node, yaml.Node | None]:
        node, key_node = self.root, None
        for step in path:
            if isinstance(node, yaml.MappingNode):
                found = next(((key, value) for key, value in node.value if key.value == str(step)), None)
                if found is None:
                    break
                key_node, node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                key_node, node = None, node.value[step]
            else:
                break
        return node, key_node

    def line_of(self, path: Sequence[PathStep]) -> int:
        node, key_node = self._node_at(path)
        return (key_node or node).start_mark.line + 1

    def describe(self, path: Sequence[PathStep]) -> str:
        """`rules → 3 (id "dreiging") → when → all → 1`: list positions count from 1."""
        words: list[str] = []
        data = self.data
        for step in path:
            if isinstance(step, int) and isinstance(data, list) and step < len(data):
                data = data[step]
                label = f"{step + 1}"
                if isinstance(data, dict) and isinstance(data.get("id"), str):
                    label += f' (id "{data["id"]}")'
                words.append(label)
            else:
                data = data.get(step) if isinstance(data, dict) else None
                words.append(str(step))
        return " → ".join(words)

    def problem(self, path: Sequence[PathStep], message: str, severity: str = "error") -> Problem:
        return Problem(self.name, self.line_of(path), self.describe(path), message, severity)


def _duplicate_key_problems(node: yaml.Node, name: str) -> list[Problem]:
    problems = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                problems.append(Problem(name, key.start_mark.line + 1, "", f'the key "{key.value}" appears twice'))
            seen.add(key.value)
            problems += _duplicate_key_problems(value, name)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            problems += _duplicate_key_problems(item, name)
    return problems


def parse_source(text: str, name: str) -> SourceDocument:
    """Parse YAML keeping line numbers; raises ProtocolError for broken YAML, duplicate keys or an empty file."""
    loader = _ProtocolYamlLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise ProtocolError([Problem(name, None, "", "the file is empty")])
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = " ".join(part for part in (error.context, error.problem) if part)
        raise ProtocolError(
            [Problem(name, mark.line + 1 if mark else None, "", f"the YAML is broken: {detail}")]
        ) from None
    except yaml.YAMLError as error:
        raise ProtocolError([Problem(name, None, "", f"the YAML is broken: {error}")]) from None
    finally:
        loader.dispose()
    duplicates = _duplicate_key_problems(root, name)
    if duplicates:
        raise ProtocolError(duplicates)
    return SourceDocument(name, data, root)


def _suggestion(word: Any, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(word), [str(choice) for choice in choices], n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _kind_of(value: Any) -> str:
    for json_type, python_types in (
        ("boolean", bool),
        ("integer", int),
        ("number", float),
        ("string", str),
        ("array", list),
        ("object", dict),
        ("null", type(None)),
    ):
        if isinstance(value, python_types):
            return TYPE_WORDS[json_type]
    return type(value).__name__


def _plain(error: ValidationError) -> list[tuple[list[PathStep], str]]:
    path = list(error.absolute_path)
    instance, schema = error.instance, error.schema
    if error.validator in ("oneOf", "anyOf") and error.context:
        # Prefer the branch that fits the kind of value written over "expected another kind".
        fitting = [e for e in error.context if e.relative_path or e.validator not in ("type", "const", "enum")]
        return _plain(best_match(fitting or error.context))
    if error.validator == "required":
        missing = [key for key in error.validator_value if key not in instance]
        return [(path, f'the required field "{key}" is missing') for key in missing]
    if error.validator == "additionalProperties":
        known = list(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        extras = [key for key in instance if key not in known and not any(re.search(p, key) for p in patterns)]
        return [(path + [key], f'unknown field "{key}"{_suggestion(key, known)}') for key in extras]
    if error.validator == "enum":
        choices = ", ".join(str(choice) for choice in error.validator_value)
        return [
            (
                path,
                f'"{instance}" is not allowed here; choose one of: {choices}{_suggestion(instance, error.validator_value)}',
            )
        ]
    if error.validator == "const":
        return [(path, f'expected "{error.validator_value}", found "{instance}"')]
    if error.validator == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(TYPE_WORDS.get(kind, kind) for kind in wanted)
        return [(path, f"expected {words}, found {_kind_of(instance)}")]
    if error.validator == "pattern":
        return [(path, f'"{instance}" is not {schema.get("description", "in the expected form")}')]
    if error.validator == "minItems":
        return [(path, f"needs at least {error.validator_value} item(s)")]
    if error.validator == "minLength":
        return [(path, "may not be empty")]
    if error.validator in ("minimum", "exclusiveMinimum", "maximum"):
        return [(path, f"{instance} is out of range ({error.validator} {error.validator_value})")]
    if error.validator in ("minProperties", "maxProperties"):
        return [(path, schema.get("description", error.message))]
    return [(path, error.message)]


def schema_problems(document: SourceDocument) -> list[Problem]:
    """Every JSON Schema violation, each with its line and a plain-words path."""
    validator = Draft202012Validator(protocol_schema())
    problems = []
    for error in sorted(validator.iter_errors(document.data), key=lambda e: [str(step) for step in e.absolute_path]):
        for path, message in _plain(error):
            problems.append(document.problem(path, message))
    return problems
