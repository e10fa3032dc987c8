from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "crm.governance"
    label = "governance"
    verbose_name = "数据治理"
