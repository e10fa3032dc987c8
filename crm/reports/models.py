from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.permissions import Policy


class ContactMonth(models.Model):
    """One intention spell of a customer in one month, as the contact-status report counts it
    (``crm.reports.contact_status``): kept up to date by the writes that change it, in their
    transactions, for the months in ``ContactMonthKept``.

    Days are numbered within the month (1 = the 1st); ``anchor_day`` may lie before it (0 = the
    last day of the month before). What depends on the day of reading or on the grade table
    (days so far, follow-ups required, overdue) is not stored but computed when read.
    """

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField(_("月份"))  # its first day
    # the customer's owner and department (the report counts under the current owner)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    grade = models.CharField(_("意向级别"), max_length=1)
    start_day = models.SmallIntegerField()  # the spell's first day in the month
    end_day = models.SmallIntegerField(null=True)  # the day it ended in the month (NULL: later)
    followups = models.PositiveIntegerField(default=0)  # counted follow-ups on its days
    # the later of its grading and the last counted follow-up before the month's end
    anchor_day = models.IntegerField()
    last = models.BooleanField(default=False)  # the customer's last spell in the month

    # the customer's owner and department, copied (crm.reports.contact_status keeps them in step)
    policy = Policy(owner="owner", department="department")

    class Meta:
        ordering = ["month", "customer", "start_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "month", "start_day"], name="contactmonth_one_spell_start"
            )
        ]
        indexes = [
            # covering: the report reads a month's rows of some owners from the index alone
            models.Index(
                fields=[
                    "month",
                    "owner",
                    "department",
                    "grade",
                    "last",
                    "start_day",
                    "end_day",
                    "followups",
                    "anchor_day",
                ],
                name="contactmonth_report",
            )
        ]
        verbose_name = pgettext_lazy("model", "月度接触数据")
        verbose_name_plural = pgettext_lazy("model plural", "月度接触数据")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m} {self.grade}"


class ContactMonthKept(models.Model):
    """A month whose ``ContactMonth`` rows are complete and kept up to date (from the first
    write in it on)."""

    month = models.DateField(primary_key=True)
    kept_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["month"]
        verbose_name = pgettext_lazy("model", "已保存的接触月份")
        verbose_name_plural = pgettext_lazy("model plural", "已保存的接触月份")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
