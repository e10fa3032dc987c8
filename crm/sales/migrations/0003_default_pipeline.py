"""The default pipeline (crm.sales.templates ``general``) and the lost reasons a new installation
starts with; a manager changes them on 设置 → 销售流程."""

from typing import Any

from django.db import migrations

STAGES = [
    ("初步接洽", 10, 14),
    ("需求确认", 25, 14),
    ("方案报价", 50, 10),
    ("商务谈判", 75, 7),
    ("合同签订", 90, 7),
]
LOST_REASONS = ["价格过高", "选择了竞争对手", "需求取消或推迟", "预算不足", "联系不上客户", "其他"]


def forwards(apps: Any, schema_editor: Any) -> None:
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    LostReason = apps.get_model("sales", "LostReason")
    if not Pipeline.objects.exists():
        pipeline = Pipeline.objects.create(name="通用销售流程", template="general", is_default=True)
        for n, (name, probability, stale) in enumerate(STAGES, start=1):
            Stage.objects.create(
                pipeline=pipeline,
                name=name,
                position=n * 10,
                probability=probability,
                stale_days=stale,
            )
    if not LostReason.objects.exists():
        for n, name in enumerate(LOST_REASONS, start=1):
            LostReason.objects.create(name=name, position=n)


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("sales", "Stage").objects.filter(pipeline__template="general").delete()
    apps.get_model("sales", "Pipeline").objects.filter(template="general").delete()
    apps.get_model("sales", "LostReason").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_grant_sales_actions")]

    operations = [migrations.RunPython(forwards, backwards)]
