from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "crm.customers"
    label = "customers"
    verbose_name = _("客户")

    def ready(self) -> None:
        # the encryption keyring, read at startup: a missing key fails here, clearly, and not
        # on the first customer a user opens (ADR 0009)
        from . import crypto

        crypto.keyring()
