"""The competitor list starts with the brands and models the existing defeat analyses name (each
first spelling kept, as crm.customers.competitors keeps them)."""

import unicodedata

from django.db import migrations


def _clean(text):
    return " ".join(unicodedata.normalize("NFKC", text or "").split())[:50]


def _key(text):
    return "".join(_clean(text).casefold().split())


def forwards(apps, schema_editor):
    Competitor = apps.get_model("customers", "Competitor")
    DefeatAnalysis = apps.get_model("customers", "DefeatAnalysis")
    seen = set()
    pairs = DefeatAnalysis.objects.exclude(competitor_brand="").order_by("id")
    for brand, model in pairs.values_list("competitor_brand", "competitor_model"):
        keys = (_key(brand), _key(model))
        if keys in seen:
            continue
        seen.add(keys)
        Competitor.objects.get_or_create(
            brand_key=keys[0],
            model_key=keys[1],
            defaults={"brand": _clean(brand), "model": _clean(model)},
        )


class Migration(migrations.Migration):
    dependencies = [("customers", "0011_competitor")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
