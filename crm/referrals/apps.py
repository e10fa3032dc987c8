from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "crm.referrals"
    label = "referrals"
    verbose_name = _("老带新")

    def ready(self) -> None:
        from crm.customers import hooks

        from . import services

        # a referred customer signs only with the link's paperwork done (or declined by the
        # manager); the referrer's reward is recorded when the deal closes
        hooks.on_entering_category(services.link_must_be_settled)
        hooks.on_category_entered(services.reward_on_deal)
