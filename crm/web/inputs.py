"""Django form fields derived from the declared inputs (``crm.core.inputs``).

A form names its fields and their labels; the kind of field, the maximum length, the choices,
the bounds of a number and whether a value may be left blank come from the entity's declaration,
the same one the API and the services use, so that a form cannot drift from them. Forms stay
lenient where the service has the better message: a required text is marked ``required`` for
the browser but checked by the service, which says what is missing (请填写客户名称).
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Annotated, Any, get_args, get_origin

from django import forms
from django.utils.translation import gettext as _
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from crm.core.inputs import (
    MAX_YEAR,
    MIN_YEAR,
    Choice,
    Day,
    Formatted,
    Integer,
    Moment,
    Money,
    Text,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_INPUTS = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
_BLANK: list[tuple[str, str]] = [("", "—")]
_INPUT_MODES = {"phone": "tel", "web-address": "url"}


def _parts(info: FieldInfo) -> tuple[Any, list[Any]]:
    """The field's type without ``None`` and the metadata of every layer of ``Annotated``."""
    annotation, metadata = info.annotation, list(info.metadata)
    args = [a for a in get_args(annotation) if a is not type(None)]
    if type(None) in get_args(annotation) and len(args) == 1:
        annotation = args[0]
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metadata += extra
    flat: list[Any] = []
    for item in metadata:
        flat += item.metadata if isinstance(item, FieldInfo) else [item]
    return annotation, flat


def form_field(
    model: type[BaseModel],
    name: str,
    *,
    label: Any,
    attrs: dict[str, Any] | None = None,
    widget: forms.Widget | None = None,
    **kwargs: Any,
) -> forms.Field:
    """The form field of ``model``'s field ``name``; ``attrs`` add to its widget's attributes,
    ``widget`` replaces the widget, other keywords go to the field (``help_text``, ``initial``)."""
    annotation, metadata = _parts(model.model_fields[name])
    spec = next((m for m in metadata if isinstance(m, Text | Choice | Formatted)), None)
    extra = dict(attrs or {})
    field: forms.Field
    if isinstance(spec, Text):
        if spec.required:
            extra.setdefault("required", True)
        area = forms.Textarea(attrs={"rows": 3, **extra})
        text = forms.TextInput(attrs={"maxlength": spec.max_length, **extra})
        field = forms.CharField(
            max_length=spec.max_length,
            required=False,
            widget=widget or (area if spec.area else text),
        )
    elif isinstance(spec, Formatted):
        base = {"maxlength": spec.max_length, "autocomplete": "off"}
        if spec.format in _INPUT_MODES:
            base["inputmode"] = _INPUT_MODES[spec.format]
        default_widget: forms.Widget = (
            forms.EmailInput(attrs={**base, **extra})
            if spec.format == "email"
            else forms.TextInput(attrs={**base, **extra})
        )
        field = forms.CharField(
            max_length=spec.max_length, required=False, widget=widget or default_widget
        )
    elif isinstance(spec, Choice):
        choices = [*(_BLANK if spec.blank else []), *spec.choices.choices]
        field = forms.ChoiceField(choices=choices, required=not spec.blank, widget=widget)
        if extra:
            field.widget.attrs.update(extra)
    elif any(isinstance(m, Day) for m in metadata) or annotation is dt.date:
        date = forms.DateInput(attrs={"type": "date", **extra}, format="%Y-%m-%d")
        field = forms.DateField(required=False, widget=widget or date, validators=[in_year_range])
    elif any(isinstance(m, Moment) for m in metadata) or annotation is dt.datetime:
        moment = forms.DateTimeInput(
            attrs={"type": "datetime-local", **extra}, format=DATETIME_FORMAT
        )
        field = forms.DateTimeField(
            required=False,
            input_formats=DATETIME_INPUTS,
            widget=widget or moment,
            validators=[in_year_range],
        )
    elif any(isinstance(m, Money) for m in metadata) or annotation is decimal.Decimal:
        field = forms.DecimalField(required=False, min_value=0, widget=widget)
    elif annotation is int:
        bounds = next((m for m in metadata if isinstance(m, Integer)), Integer())
        field = forms.IntegerField(
            required=False, min_value=bounds.ge, max_value=bounds.le, widget=widget
        )
    else:
        raise TypeError(f"no form field for {model.__name__}.{name}")
    field.label = label
    for key, value in kwargs.items():
        setattr(field, key, value)
    return field


def in_year_range(value: dt.date) -> None:
    """A form's date within the years the declarations accept (``crm.core.inputs``)."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise forms.ValidationError(
            _("年份应在 %(min)d 到 %(max)d 之间") % {"min": MIN_YEAR, "max": MAX_YEAR},
            code="year_range",
        )


def max_length(model: type[BaseModel], name: str) -> int:
    """The declared maximum length of a text field (for inputs a form builds itself)."""
    _annotation, metadata = _parts(model.model_fields[name])
    spec = next(m for m in metadata if isinstance(m, Text | Formatted))
    return spec.max_length
