"""Report pages (营业日报表, 意向客户接触状况表, 战败客户分析表) and their Excel downloads.

Each page reads its filters from the query string, calls the report's selector and renders a
table, a chart (ECharts, fed through ``json_script``) and a link to the same report as Excel.
Scope, numbers and the export's audit record live in ``crm.reports``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse

from crm.accounts.roles import VIEW_REPORTS
from crm.reports import overview, selectors, services
from crm.reports.scope import report_departments
from crm.web.base import CrmView

from . import presenters
from .forms import DayFilterForm, MonthFilterForm, ReportFilterForm


class _ReportPage(CrmView):
    action = VIEW_REPORTS
    partial_name = "report"
    form_class: ClassVar[type[ReportFilterForm]] = ReportFilterForm
    report_name: ClassVar[str] = ""

    def form(self) -> ReportFilterForm:
        return self.form_class(self.request.GET, departments=report_departments(self.actor))

    def refused(self, form: ReportFilterForm) -> HttpResponse:
        return self.render({"form": form, "report": None}, status=422)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self.form()
        if not form.is_valid():
            return self.refused(form)
        return self.render({"form": form, "export_query": form.query(), **self.report(form)})

    def report(self, form: ReportFilterForm) -> dict[str, Any]:
        raise NotImplementedError


class OverviewView(CrmView):
    """总览: today's and the month's figures of everything the actor's reports reach (the general
    manager's first page)."""

    action = VIEW_REPORTS
    template_name = "web/reports/overview.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        figures = overview.company_overview(actor=self.actor)
        return self.render(
            {"overview": figures, "chart": presenters.month_chart(figures), "current": "overview"}
        )


class _Export(_ReportPage):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = self.form()
        if not form.is_valid():
            return self.refused(form)
        data = form.cleaned_data
        export = services.report_export(
            actor=self.actor,
            report=self.report_name,
            day=data.get("date"),
            month=data.get("month"),
            department_id=form.department_id,
        )
        return export.response()


class DailyReportView(_ReportPage):
    template_name = "web/reports/daily.html"
    form_class = DayFilterForm
    report_name = "daily"

    def report(self, form: ReportFilterForm) -> dict[str, Any]:
        report = selectors.daily_report(
            actor=self.actor, day=form.cleaned_data.get("date"), department_id=form.department_id
        )
        return {"report": report, "chart": presenters.daily_chart(report)}


class ContactStatusView(_ReportPage):
    template_name = "web/reports/contact_status.html"
    form_class = MonthFilterForm
    report_name = "contact_status"

    def report(self, form: ReportFilterForm) -> dict[str, Any]:
        report = selectors.contact_status_report(
            actor=self.actor,
            month=form.cleaned_data.get("month"),
            department_id=form.department_id,
        )
        return {
            "report": report,
            "chart": presenters.contact_chart(report),
            "grades": selectors.GRADES,
        }


class DefeatReportView(_ReportPage):
    template_name = "web/reports/defeats.html"
    form_class = MonthFilterForm
    report_name = "defeats"

    def report(self, form: ReportFilterForm) -> dict[str, Any]:
        report = selectors.defeat_report(
            actor=self.actor,
            month=form.cleaned_data.get("month"),
            department_id=form.department_id,
        )
        return {
            "report": report,
            "reasons_chart": presenters.reason_chart(report),
            "competitors_chart": presenters.competitor_chart(report),
        }


class DailyExportView(_Export, DailyReportView):
    pass


class ContactStatusExportView(_Export, ContactStatusView):
    pass


class DefeatExportView(_Export, DefeatReportView):
    pass
