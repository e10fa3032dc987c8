"""The competitor list of the defeat analyses (竞品), growing as people type.

A brand or model is compared by a key (Unicode NFKC, so full-width letters are plain ones; case
folded; spaces dropped): what was typed the first time is the spelling every later analysis takes,
so the defeat report counts 丰田 凯美瑞 once whether it was typed "ＴＯＹＯＴＡ", "toyota" or
"Toyota". Hand-written: the normalisation is a few lines of the standard library, and no package
keeps such a list.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from .models import Competitor


def clean(text: str) -> str:
    """What is stored: NFKC (full-width to plain), trimmed, inner runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def key(text: str) -> str:
    return "".join(clean(text).casefold().split())


def spelling(brand: str, model: str) -> tuple[str, str]:
    """The stored spelling of ``brand``/``model``, adding them to the list when new."""
    brand, model = clean(brand)[:50], clean(model)[:50]
    if not brand:
        return "", model
    bkey, mkey = key(brand), key(model)
    known = Competitor.objects.filter(brand_key=bkey).order_by("id").first()
    if known is not None:
        brand = known.brand
    row = Competitor.objects.filter(brand_key=bkey, model_key=mkey).first()
    if row is not None:
        return row.brand, row.model
    try:
        with transaction.atomic():
            Competitor.objects.create(brand=brand, model=model, brand_key=bkey, model_key=mkey)
    except IntegrityError:  # typed at the same moment by someone else: theirs is the spelling
        row = Competitor.objects.get(brand_key=bkey, model_key=mkey)
        return row.brand, row.model
    return brand, model


def canonical(defeat: Mapping[str, Any]) -> dict[str, Any]:
    """A defeat analysis with its competitor in the list's spelling."""
    brand, model = spelling(
        str(defeat.get("competitor_brand") or ""), str(defeat.get("competitor_model") or "")
    )
    return {**defeat, "competitor_brand": brand, "competitor_model": model}


def competitor_list() -> dict[str, list[str]]:
    """Brands with their models, for the form's suggestions and the API."""
    brands: dict[str, list[str]] = {}
    for row in Competitor.objects.order_by("brand", "model"):
        models = brands.setdefault(row.brand, [])
        if row.model:
            models.append(row.model)
    return brands
