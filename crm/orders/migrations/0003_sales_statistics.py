"""The sales statistics' facts on each order, as at its signature (who sold it, their
department, the customer's source, the day); orders signed before this migration get their
customer's as they are now, and the day of their confirmation."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate

SOLD = ("confirmed", "delivered", "closed")


def fill(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Customer = apps.get_model("customers", "Customer")
    customer = Customer.objects.filter(pk=OuterRef("customer_id"))
    Order.objects.filter(state__in=SOLD, confirmed_on__isnull=True).update(
        confirmed_on=Coalesce(TruncDate("confirmed_at"), "order_date"),
        sold_by_id=Subquery(customer.values("owner_id")[:1]),
        sold_department_id=Subquery(customer.values("department_id")[:1]),
        source=Coalesce(Subquery(customer.values("source")[:1]), models.Value("")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_rate_counters"),
        ("customers", "0020_alter_customer_company_type"),
        ("orders", "0002_roles_and_grants"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Sale",
            fields=[],
            options={
                "verbose_name": "销售业绩",
                "verbose_name_plural": "销售业绩",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("orders.order",),
        ),
        migrations.AddField(
            model_name="order",
            name="confirmed_on",
            field=models.DateField(blank=True, null=True, verbose_name="确认日期"),
        ),
        migrations.AddField(
            model_name="order",
            name="sold_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="成交销售",
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="sold_department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="accounts.department",
                verbose_name="成交部门",
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="source",
            field=models.CharField(blank=True, default="", max_length=20, verbose_name="认知途径"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("confirmed_on__isnull", False)),
                fields=["confirmed_on", "currency"],
                name="order_sold",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
