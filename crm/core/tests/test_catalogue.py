"""Every string a user can see has English in the one catalogue, crm/locale/en/.../django.po.

How it works:

- The Python code under ``crm/`` (tests and migrations left out) goes through Babel's own
  extractor (``babel.messages.extract``) with Django's gettext functions as keywords:
  ``gettext``/``_``, ``gettext_lazy``, ``gettext_noop``, ``ngettext(_lazy)``, ``pgettext(_lazy)``
  and ``npgettext(_lazy)``, context and plural included.
- Each template under ``crm/`` first goes through Django's own ``templatize()`` (what
  ``makemessages`` uses), which turns ``{% translate %}``/``{% trans %}``,
  ``{% blocktranslate %}`` (with ``count``, ``context`` and ``trimmed``) and ``_("…")`` in
  variables into ``gettext()``/``pgettext()``/``ngettext()`` calls; Babel's Python extractor then
  reads those, so a template's msgid is exactly the one Django looks up when it renders.
- Every message found must have a non-fuzzy entry in the catalogue (same context), every form of
  it translated, in English: no Chinese character in the translation.
- Django's model metadata is checked by asking it: with English active, every model's
  ``verbose_name`` and ``verbose_name_plural`` and every field's ``verbose_name`` must read without
  a Chinese character. A Chinese literal that is not wrapped in ``gettext_lazy`` fails, and so does
  a wrapped one with no English.
- The catalogue itself: no entry untranslated or fuzzy, and each translation uses exactly the
  placeholders of its msgid.

A failure lists what is missing as ``file:line  [context] msgid``: add the English to the
catalogue (``make messages`` compiles it; the test run compiles it too).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_python
from babel.messages.pofile import read_po
from django.apps import apps
from django.utils import translation
from django.utils.translation.template import templatize

CRM = Path(__file__).resolve().parents[2]
PO = CRM / "locale" / "en" / "LC_MESSAGES" / "django.po"
CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
PLACEHOLDER = re.compile(r"%\((\w+)\)")
F_STRING_CALL = re.compile(r"[rRbB]?[fF][rR]?['\"].*\{[^}]*\b(_|\w*gettext\w*)\(", re.DOTALL)

KEYWORDS: dict[str, Any] = {
    **DEFAULT_KEYWORDS,  # _, gettext, ngettext, pgettext, npgettext, ...
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def extract_template(fileobj, keywords, comment_tags, options) -> Iterator[Any]:
    """Babel extraction method for Django templates: Django's templatize, then Python."""
    source = fileobj.read().decode("utf-8")
    python = templatize(source, origin=options.get("filename"))
    # one gettext() call per line where the template has it, in lines of filler (XXXX, BBBB)
    # indented like the template: Python's tokenizer wants no indentation, xgettext none at all
    python = "\n".join(line.lstrip() for line in python.split("\n"))
    yield from extract_python(io.BytesIO(python.encode("utf-8")), keywords, comment_tags, options)


METHODS: list[tuple[str, Any]] = [  # Babel takes a callable as a method too
    ("**/tests/**", "ignore"),
    ("**/migrations/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", extract_template),
    ("**/templates/**.txt", extract_template),
]


def used_messages() -> dict[tuple[str | None, str], list[str]]:
    """(context, msgid) → where it is used, for every translatable string in code and templates."""
    found: dict[tuple[str | None, str], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(CRM),
        method_map=METHODS,  # type: ignore[arg-type]
        keywords=KEYWORDS,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:  # a call with a variable, not a literal, has nothing to look up
            found.setdefault((context, msgid), []).append(f"crm/{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f)


def _english(message: Any) -> bool:
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(form and not CHINESE.search(form) for form in forms) and not message.fuzzy


def test_the_extraction_sees_code_and_templates():
    # the check itself: strings of each kind of source are found, with their context
    used = used_messages()
    assert (None, "用户名或密码错误") in used  # gettext in a form
    assert ("report", "电话") in used  # pgettext in Python and {% translate … context %}
    assert (None, "确定删除客户 %(number)s（%(name)s）吗？") in used  # {% blocktranslate with %}
    assert (None, "录入 %(n)s 项内容") in used  # {% blocktranslate count %}
    assert any(where.endswith(".html:7") for where in used[(None, "战败客户分析表")])
    assert len(used) > 400


def test_no_translation_hides_in_an_f_string():
    # Python 3.11 reads an f-string as one token: a gettext call inside it is not extracted
    hidden = []
    for path in CRM.rglob("*.py"):
        if {"tests", "migrations"} & set(path.parts):
            continue
        with path.open("rb") as f:
            for token in tokenize.tokenize(f.readline):
                if token.type == tokenize.STRING and F_STRING_CALL.match(token.string):
                    hidden.append(f"{path.relative_to(CRM.parent)}:{token.start[0]}")
    assert not hidden, "take the gettext call out of the f-string:\n" + "\n".join(hidden)


def test_every_translatable_string_has_english(catalogue):
    missing = []
    for (context, msgid), places in sorted(used_messages().items(), key=lambda kv: kv[1][0]):
        message = catalogue.get(msgid, context=context)
        if message is None or not _english(message):
            label = f"[{context}] {msgid}" if context else msgid
            missing.append(f"{places[0]}  {label}")
    assert not missing, "no English in crm/locale for:\n" + "\n".join(missing)


def _model_texts() -> Iterator[tuple[str, Any]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("crm."):
            continue
        yield f"{config.label} (the app)", config.verbose_name
        for model in config.get_models():
            name = f"{model._meta.label}"
            yield f"{name} verbose_name", model._meta.verbose_name
            yield f"{name} verbose_name_plural", model._meta.verbose_name_plural
            for field in model._meta.get_fields():
                if field.auto_created and not field.concrete:
                    continue  # reverse relations: named by the other side
                yield f"{name}.{field.name}", field.verbose_name  # type: ignore[union-attr]


def test_every_model_and_field_name_translates():
    with translation.override("en"):
        untranslated = [where for where, text in _model_texts() if CHINESE.search(str(text))]
    assert not untranslated, "verbose names without English:\n" + "\n".join(untranslated)


def test_the_catalogue_is_complete_and_its_placeholders_match(catalogue):
    entries = [m for m in catalogue if m.id]
    assert [m.id for m in entries if not _english(m)] == []
    for message in entries:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        names = {name for i in ids for name in PLACEHOLDER.findall(i)}
        # every placeholder of the msgid in the (last) translation; the singular of a plural may
        # leave the number out ("every day"), but no translation invents a placeholder
        assert set(PLACEHOLDER.findall(forms[-1])) == names, message.id
        assert all(set(PLACEHOLDER.findall(form)) <= names for form in forms), message.id


def test_there_is_one_catalogue():
    catalogues = sorted(str(p.relative_to(CRM)) for p in CRM.rglob("django.po"))
    assert catalogues == ["locale/en/LC_MESSAGES/django.po"]
