"""Saved views (0013_saved_view) and sources with 微信号 (0013_source_wechat) were built side by
side; this joins the two, neither depends on the other."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0013_saved_view"),
        ("customers", "0013_source_wechat"),
    ]

    operations: list[migrations.operations.base.Operation] = []
