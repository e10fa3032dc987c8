"""The customer import's pages (客户导入): upload → column mapping and dry run → running (a
progress bar polled by htmx) → result (error file, undo). Thin: the rules are crm.imports'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.accounts.roles import IMPORT_CUSTOMERS
from crm.core.errors import DomainError
from crm.imports import fields, selectors, services
from crm.imports.models import DuplicatePolicy, ImportJob, JobState, Target
from crm.web.base import CrmView


def _xlsx(name: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=services.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ImportListView(CrmView):
    """客户导入: the upload form and the imports the actor may see."""

    action = IMPORT_CUSTOMERS
    template_name = "web/imports/list.html"

    def page(self, error: str = "", target: str = Target.CUSTOMERS) -> dict[str, Any]:
        return {
            "jobs": selectors.import_list(actor=self.actor),
            "error": error,
            "targets": Target.choices,
            "target": target,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        upload = request.FILES.get("file")
        target = request.POST.get("target", Target.CUSTOMERS)[:20]
        if upload is None:
            return self.render(self.page(_("请选择要导入的文件"), target), status=422)
        try:
            job = services.import_upload(
                actor=self.actor,
                stream=upload,
                name=upload.name or "",
                size=upload.size or 0,
                target=target,
            )
        except DomainError as exc:
            if exc.status == 403:
                raise
            return self.render(self.page(exc.first_message, target), status=exc.status)
        return redirect("web:import_detail", job.pk)


class ImportTemplateView(CrmView):
    action = IMPORT_CUSTOMERS

    def get(self, request: HttpRequest) -> HttpResponse:
        target = request.GET.get("target", Target.CUSTOMERS)
        if target not in Target.values:
            target = Target.CUSTOMERS
        return _xlsx(fields.SHAPES[target].file_name, fields.template(target))


class ImportDetailView(CrmView):
    """One import: while ready, its mapping (correctable) and dry run; then its progress; then
    its result."""

    action = IMPORT_CUSTOMERS
    template_name = "web/imports/detail.html"

    def page(self, job: ImportJob, error: str = "") -> dict[str, Any]:
        mapped = {int(i): f for i, f in job.mapping.items()}
        return {
            "job": job,
            "columns": fields.columns(job.target),
            "headers": [(i, h, mapped.get(i, "")) for i, h in enumerate(job.headers)],
            "policies": DuplicatePolicy.choices if job.target == Target.CUSTOMERS else [],
            "failed": selectors.failed_rows(job=job),
            "orders": selectors.orders_made(job=job),
            "ready": job.state in (JobState.READY, JobState.CHECKING),
            "saved": services.mapping_list(actor=self.actor),
            "error": error,
        }

    def get(self, request: HttpRequest, job_id: int) -> HttpResponse:
        return self.render(self.page(services.import_get(actor=self.actor, job_id=job_id)))

    def post(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = services.import_get(actor=self.actor, job_id=job_id)
        if "apply" in request.POST or "save_as" in request.POST:
            return self.saved_mapping(request, job)
        mapping = {str(i): request.POST.get(f"col{i}", "")[:40] for i in range(len(job.headers))}
        try:
            job = services.import_configure(
                actor=self.actor,
                job_id=job_id,
                mapping=mapping,
                duplicates=request.POST.get("duplicates", job.duplicates),
            )
        except DomainError as exc:
            return self.render(self.page(job, exc.first_message), status=exc.status)
        return self.render(self.page(job))

    def saved_mapping(self, request: HttpRequest, job: ImportJob) -> HttpResponse:
        """Apply a saved mapping (列对应方案) to the file, or keep the file's under a name."""
        try:
            if "apply" in request.POST:
                chosen = request.POST.get("apply", "")
                if not chosen.isdigit():
                    return self.render(self.page(job, _("请选择列对应方案")), status=422)
                job = services.mapping_apply(
                    actor=self.actor, job_id=job.pk, mapping_id=int(chosen)
                )
            else:
                services.mapping_save(
                    actor=self.actor, job_id=job.pk, name=request.POST.get("save_as", "")
                )
                messages.success(request, _("已保存列对应方案"))
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            return self.render(self.page(job, exc.first_message), status=exc.status)
        return self.render(self.page(job))


class ImportProgressView(CrmView):
    """The progress bar alone (htmx polls it while the import runs)."""

    action = IMPORT_CUSTOMERS
    template_name = "web/imports/_progress.html"

    def get(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = services.import_get(actor=self.actor, job_id=job_id)
        response = self.render(
            {"job": job, "polled": True, "orders": selectors.orders_made(job=job)}
        )
        if job.state == JobState.READY:  # a background dry run is done: show its result
            response["HX-Refresh"] = "true"
        return response


class _Action(CrmView):
    action = IMPORT_CUSTOMERS
    done = ""

    def act(self, job_id: int) -> ImportJob:
        raise NotImplementedError

    def post(self, request: HttpRequest, job_id: int) -> HttpResponse:
        try:
            self.act(job_id)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            messages.error(request, exc.first_message)
        else:
            messages.success(request, _(self.done))
        return redirect("web:import_detail", job_id)


class ImportStartView(_Action):
    done = gettext_noop("导入已开始")

    def act(self, job_id: int) -> ImportJob:
        return services.import_start(actor=self.actor, job_id=job_id)


class ImportCancelView(_Action):
    done = gettext_noop("已取消导入")

    def act(self, job_id: int) -> ImportJob:
        return services.import_cancel(actor=self.actor, job_id=job_id)


class ImportUndoView(_Action):
    done = gettext_noop("已撤销导入")

    def act(self, job_id: int) -> ImportJob:
        return services.import_undo(actor=self.actor, job_id=job_id)


class ImportErrorsView(CrmView):
    action = IMPORT_CUSTOMERS

    def get(self, request: HttpRequest, job_id: int) -> HttpResponse:
        return _xlsx(*services.error_file(actor=self.actor, job_id=job_id))
