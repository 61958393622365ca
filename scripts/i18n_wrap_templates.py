"""Mark the Vietnamese text of Django templates for translation (a helper for developers).

    .venv/bin/python scripts/i18n_wrap_templates.py congso/portal/templates/portal/x.html …

Text between tags becomes ``{% translate "…" %}``; text mixed with variables becomes
``{% blocktranslate trimmed with a=expr %}… {{ a }} …{% endblocktranslate %}``; the
``aria-label``, ``placeholder``, ``title`` and ``alt`` attributes without variables are wrapped
too, and ``{% load i18n %}`` is added. Strings inside template tags (``{% include … with
x="…" %}``, ``default:"…"``) are left for a person to wrap with ``_("…")``. Review the diff,
then run ``makemessages`` (see docs/security.md)."""

from __future__ import annotations

import re
import sys

LETTERS = re.compile(r"[A-Za-zÀ-ỹĐđ]{2,}")
ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
OPENERS = {"{%": "%}", "{{": "}}", "{#": "#}"}
KINDS = {"{%": "tag", "{{": "var", "{#": "comment"}


def tokenize(source: str) -> list[tuple[str, str]]:
    """(kind, text) with kind: tag, var, comment, html (an element tag) or text."""
    tokens: list[tuple[str, str]] = []
    text, i = "", 0
    while i < len(source):
        pair = source[i : i + 2]
        if pair in OPENERS:
            end = source.index(OPENERS[pair], i) + 2
            if text:
                tokens.append(("text", text))
                text = ""
            tokens.append((KINDS[pair], source[i:end]))
            i = end
        elif (
            source[i] == "<"
            and i + 1 < len(source)
            and (source[i + 1].isalpha() or source[i + 1] in "/!")
        ):
            if text:
                tokens.append(("text", text))
                text = ""
            j, element = i, ""
            while j < len(source) and source[j] != ">":
                if source[j : j + 2] in OPENERS:
                    end = source.index(OPENERS[source[j : j + 2]], j) + 2
                    element += source[j:end]
                    j = end
                else:
                    element += source[j]
                    j += 1
            tokens.append(("html", element + ">"))
            i = j + 1
        else:
            text += source[i]
            i += 1
    if text:
        tokens.append(("text", text))
    return tokens


def _name(expression: str, used: dict[str, str]) -> str:
    core = expression.split("|")[0].strip().split(".")[-1].lower()
    name = re.sub(r"[^a-z0-9_]", "_", core) or "value"
    if name[0].isdigit():
        name = "v" + name
    base, number = name, 2
    while name in used and used[name] != expression:
        name, number = f"{base}{number}", number + 1
    used[name] = expression
    return name


def _quoted(text: str) -> str:
    return f'"{text}"' if '"' not in text else f"'{text}'"


def wrap(run: list[tuple[str, str]]) -> str:
    joined = "".join(value for _, value in run)
    if not LETTERS.search("".join(value for kind, value in run if kind == "text")):
        return joined
    lead = joined[: len(joined) - len(joined.lstrip())]
    trail = joined[len(joined.rstrip()) :]
    if all(kind == "text" for kind, _ in run):
        return f"{lead}{{% translate {_quoted(' '.join(joined.split()))} %}}{trail}"
    used: dict[str, str] = {}
    body = "".join(
        "{{ " + _name(value[2:-2].strip(), used) + " }}" if kind == "var" else value
        for kind, value in run
    )
    names = " ".join(f"{name}={expression}" for name, expression in used.items())
    return (
        f"{lead}{{% blocktranslate trimmed with {names} %}}{' '.join(body.split())}"
        f"{{% endblocktranslate %}}{trail}"
    )


def _attributes(element: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        if "{" in value or "'" in value or not LETTERS.search(value):
            return match.group(0)
        return f"{name}=\"{{% translate '{value}' %}}\""

    pattern = r"\b(" + "|".join(ATTRIBUTES) + r')="([^"]*)"'
    return re.sub(pattern, replace, element)


def process(source: str) -> str:
    out: list[str] = []
    run: list[tuple[str, str]] = []
    for kind, value in tokenize(source):
        if kind in ("text", "var"):
            run.append((kind, value))
            continue
        if run:
            out.append(wrap(run))
            run = []
        out.append(_attributes(value) if kind == "html" else value)
    if run:
        out.append(wrap(run))
    result = "".join(out)
    if "{% load i18n" not in result:
        if result.startswith("{% extends"):
            first, rest = result.split("%}", 1)
            result = first + "%}{% load i18n %}" + rest
        else:
            result = "{% load i18n %}" + result
    return result


if __name__ == "__main__":
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(process(source))
