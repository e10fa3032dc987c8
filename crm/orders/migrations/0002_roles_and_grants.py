"""The contract reviewers' roles (计划部, 品质部, 研发部, 生产部, 采购部: 与顾客有关的过程控制程序
4.2) and the order and catalogue actions of the shipped roles (crm.accounts.roles.ORDER_GRANTS)."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

REVIEWERS = {
    "pmc": ("计划部（PMC）", "合同评审：综合生产能力", "orders.review_capacity"),
    "quality": ("品质部", "合同评审：产品验收标准", "orders.review_quality"),
    "rnd": ("研发部", "合同评审：技术标准与环保要求", "orders.review_technical"),
    "production": ("生产部", "合同评审：生产能力与设备能力", "orders.review_equipment"),
    "purchasing": ("采购部", "合同评审：原材料采购周期", "orders.review_material"),
}

GRANTS = {
    "products.view_product": {
        "rep": "all",
        "manager": "all",
        "director": "all",
        "receptionist": "all",
        "service": "all",
        "data_admin": "all",
        "gm": "all",
    },
    "products.manage_product": {"manager": "all", "director": "all", "gm": "all"},
    "orders.view_order": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "service": "all",
        "data_admin": "all",
        "gm": "all",
    },
    "orders.change_order": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "gm": "all",
    },
    "orders.sign_order": {"gm": "all"},
}


def add_reviewers(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, (name, description, action) in REVIEWERS.items():
        grants = {"products.view_product": "all", "orders.view_order": "all", action: "all"}
        Role.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "grants": grants,
                "builtin": True,
            },
        )


def remove_reviewers(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    User = apps.get_model("accounts", "User")
    unused = [c for c in REVIEWERS if not User.objects.filter(role_id=c).exists()]
    # a plain DELETE, not the ORM's collector: on the way back through other apps' migrations the
    # models that refer to roles can be of another historical state than this one's Role
    # (Django's "Must be 'Role' instance"); a role nobody holds has nothing referring to it
    if unused:
        table = schema_editor.quote_name(Role._meta.db_table)
        marks = ", ".join(["%s"] * len(unused))
        sql = f"DELETE FROM {table} WHERE code IN ({marks}) AND builtin = %s"
        schema_editor.execute(sql, [*unused, True])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("accounts", "0012_rate_counters"),
    ]

    operations = [
        migrations.RunPython(add_reviewers, remove_reviewers),
        *(
            migrations.RunPython(*grant_to_builtin(action, scopes))
            for action, scopes in GRANTS.items()
        ),
    ]
