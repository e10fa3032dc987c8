"""Seed the grade table of the dealer regulations, the defeat reasons and the follow-up settings,
and date the grading of existing intention customers from their creation."""

from django.db import migrations
from django.db.models import F

GRADES = [
    ("O", "已交定金，至少每周跟进一次", 7, None, 1),
    ("H", "7日内成交，每2日跟进一次", 2, 7, 2),
    ("A", "7日至1个月内成交，每7日跟进一次", 7, 30, 3),
    ("B", "1至3个月内成交，每2周跟进一次", 14, 90, 4),
    ("C", "3个月以上成交，每月跟进一次", 30, None, 5),
]
REASONS = ["价格", "竞品产品", "贷款/金融方案", "购买时机", "服务", "其他"]


def seed(apps, schema_editor):
    GradePolicy = apps.get_model("customers", "GradePolicy")
    DefeatReason = apps.get_model("customers", "DefeatReason")
    LifecycleSettings = apps.get_model("customers", "LifecycleSettings")
    Customer = apps.get_model("customers", "Customer")
    for grade, description, cadence, within, sort in GRADES:
        GradePolicy.objects.get_or_create(
            grade=grade,
            defaults={"description": description, "cadence_days": cadence,
                      "deal_within_days": within, "sort": sort},
        )
    for sort, name in enumerate(REASONS):
        DefeatReason.objects.get_or_create(name=name, defaults={"sort": sort})
    LifecycleSettings.objects.get_or_create(pk=1)
    Customer.objects.filter(category="intention", graded_at__isnull=True).update(
        graded_at=F("created_at")
    )


def recompute(apps, schema_editor):
    from crm.customers.lifecycle import recompute_due_sql

    recompute_due_sql(connection=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_lifecycle")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
