"""The public pool's pages: the pool list (filter, claim the selected within the quota, assign
for administrators and managers), the pools' settings (pools, members, administrators, rules,
parameters), and the lock against return on the customer page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.accounts import selectors as accounts_selectors
from crm.accounts.roles import (
    ASSIGN_CUSTOMER,
    ASSIGN_FROM_POOL,
    CLAIM_POOL,
    LOCK_CUSTOMER,
    MANAGE_POOL,
    VIEW_POOL,
)
from crm.core.errors import Invalid, NotFound, StateConflict
from crm.customers import selectors as customer_selectors
from crm.pool import selectors, services
from crm.web.base import CrmView, apply_domain_error, bad_request, form_error_status

from .forms import LockForm, PoolFilterForm, PoolForm, RuleForm, pool_initial


def _ids(values: list[str]) -> list[int]:
    """The checked customers' ids; a value that is not an id is a bad request."""
    ids = []
    for value in values:
        if not value.isdigit() or len(value) > 18:
            raise Invalid(fields={"customers": _("请选择客户")})
        ids.append(int(value))
    return ids


class PoolListView(CrmView):
    """公海: the customers waiting in the actor's pools, masked until claimed."""

    action = VIEW_POOL
    template_name = "web/pool/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        pools = list(selectors.pool_list(actor=self.actor))
        form = PoolFilterForm(request.GET or None, pools=pools)
        filters = selectors.PoolFilters()
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            filters = selectors.PoolFilters(
                pool=data["pool"],
                q=data["q"].strip(),
                grade=data["grade"],
                category=data["category"],
            )
        try:
            page = selectors.pool_customers(
                actor=self.actor, filters=filters, cursor=request.GET.get("cursor")
            )
        except Invalid as exc:
            return bad_request(request, str(exc.fields.get("cursor", exc.message)))
        claimable = [p for p in pools if selectors.may_claim(self.actor, p)]
        assignable = [p for p in pools if selectors.may_assign(self.actor, p)]
        assignees: dict[int, Any] = {}
        for p in assignable:
            for u in [*selectors.pool_members(p), *selectors.pool_admins(p)]:
                assignees[u.pk] = u
        return self.render(
            {
                "form": form,
                "page": page,
                "pools": pools,
                "quotas": [
                    (p, selectors.claims_left_today(actor=self.actor, pool=p)) for p in claimable
                ],
                "may_claim": bool(claimable),
                "may_assign": bool(assignable),
                "assignees": sorted(assignees.values(), key=lambda u: u.username),
                "may_manage": self.actor.has_action(MANAGE_POOL),
                "query": request.GET.urlencode(),
            }
        )


class _PoolWrite(CrmView):
    """A write from the pool list: refusals of the rules (quota, cap, former owner) come back
    to the list as a message; a customer outside the actor's pools is a 404."""

    def back(self) -> HttpResponse:
        return redirect(reverse("web:pool_list"))

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            ids = _ids(request.POST.getlist("customers"))
            done = self.write(request, ids)
        except (StateConflict, Invalid) as exc:
            detail = "；".join(str(m) for m in exc.fields.values())
            messages.error(request, detail or str(exc.message))
            return self.back()
        messages.success(request, done)
        return self.back()

    def write(self, request: HttpRequest, ids: list[int]) -> str:
        raise NotImplementedError


class PoolClaimView(_PoolWrite):
    """领取: the checked customers become the actor's."""

    action = CLAIM_POOL

    def write(self, request: HttpRequest, ids: list[int]) -> str:
        claimed = services.pool_claim(actor=self.actor, data={"customers": ids})
        return ngettext(
            "已领取 %(n)d 位客户，可在“客户”中查看",
            "已领取 %(n)d 位客户，可在“客户”中查看",
            len(claimed),
        ) % {"n": len(claimed)}


class PoolAssignView(_PoolWrite):
    """分配: the checked customers go to the chosen member."""

    action = ASSIGN_FROM_POOL

    def write(self, request: HttpRequest, ids: list[int]) -> str:
        owner = request.POST.get("owner", "")
        if not owner.isdigit() or len(owner) > 18:
            raise Invalid(fields={"owner": _("请选择分配给谁")})
        done = services.pool_assign(actor=self.actor, data={"customers": ids, "owner": int(owner)})
        return ngettext("已分配 %(n)d 位客户", "已分配 %(n)d 位客户", len(done)) % {"n": len(done)}


# --- settings -------------------------------------------------------------------------------


def _pool_form(actor: Any, data: Any = None, initial: Any = None) -> PoolForm:
    return PoolForm(
        data,
        initial=initial,
        users=customer_selectors.assignable_owners(actor=actor)
        if actor.has_action(ASSIGN_CUSTOMER)
        else [],
        departments=accounts_selectors.department_list(),
    )


def _pool_data(form: PoolForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["hidden_fields"] = data.pop("hidden", [])
    return {k: v for k, v in data.items() if v is not None or k == "department"}


class PoolSettingsView(CrmView):
    """公海设置: the pools the actor manages, and a new one."""

    action = MANAGE_POOL
    template_name = "web/pool/settings.html"

    def page(self, form: PoolForm | None = None) -> dict[str, Any]:
        return {
            "pools": list(selectors.pool_list(actor=self.actor, action=MANAGE_POOL)),
            "form": form
            or _pool_form(
                self.actor,
                initial={
                    "warn_days": 3,
                    "reclaim_days": 30,
                    "claims_per_day": 10,
                    "claims_per_time": 5,
                    "cap_per_rep": 0,
                },
            ),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = _pool_form(self.actor, request.POST)
        if form.is_valid():
            try:
                pool = services.pool_create(actor=self.actor, data=_pool_data(form))
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已创建公海“%(name)s”") % {"name": pool.name})
                return redirect("web:pool_edit", pool.pk)
        return self.render(self.page(form), status=form_error_status(form))


class PoolEditView(CrmView):
    """One pool: its settings, members and administrators, and its return rules."""

    action = MANAGE_POOL
    template_name = "web/pool/edit.html"

    def _pool(self, pool_id: int) -> Any:
        pool = selectors.pool_get(actor=self.actor, pool_id=pool_id, action=MANAGE_POOL)
        if pool is None:
            raise NotFound()
        return pool

    def page(
        self, pool: Any, form: PoolForm | None = None, rule_form: RuleForm | None = None
    ) -> dict[str, Any]:
        return {
            "pool": pool,
            "form": form or _pool_form(self.actor, initial=pool_initial(pool)),
            "rules": list(pool.rules.all()),
            "rule_form": rule_form or RuleForm(initial={"days": 30}),
        }

    def get(self, request: HttpRequest, pool_id: int) -> HttpResponse:
        return self.render(self.page(self._pool(pool_id)))

    def post(self, request: HttpRequest, pool_id: int) -> HttpResponse:
        pool = self._pool(pool_id)
        form = _pool_form(self.actor, request.POST)
        if form.is_valid():
            try:
                services.pool_update(actor=self.actor, pool_id=pool.pk, data=_pool_data(form))
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存公海设置"))
                return redirect("web:pool_edit", pool.pk)
        return self.render(self.page(pool, form=form), status=form_error_status(form))


class RuleAddView(PoolEditView):
    def get(self, request: HttpRequest, pool_id: int) -> HttpResponse:
        return redirect("web:pool_edit", pool_id)

    def post(self, request: HttpRequest, pool_id: int) -> HttpResponse:
        pool = self._pool(pool_id)
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                services.rule_add(actor=self.actor, pool_id=pool.pk, data=form.cleaned_data)
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已添加收回规则"))
                return redirect("web:pool_edit", pool.pk)
        return self.render(self.page(pool, rule_form=form), status=form_error_status(form))


class RuleRemoveView(CrmView):
    action = MANAGE_POOL

    def post(self, request: HttpRequest, pool_id: int, rule_id: int) -> HttpResponse:
        services.rule_remove(actor=self.actor, pool_id=pool_id, rule_id=rule_id)
        messages.success(request, _("已删除收回规则"))
        return redirect("web:pool_edit", pool_id)


# --- the customer page: lock against return -------------------------------------------------


class CustomerPoolLockView(CrmView):
    action = LOCK_CUSTOMER

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        form = LockForm(request.POST)
        try:
            if not form.is_valid():
                raise Invalid(fields={"reason": _("请填写锁定原因")})
            services.customer_pool_lock(
                actor=self.actor, customer_id=customer_id, data=form.cleaned_data
            )
        except (Invalid, StateConflict) as exc:
            detail = "；".join(str(m) for m in exc.fields.values())
            messages.error(request, detail or str(exc.message))
        else:
            messages.success(request, _("已锁定：该客户不会被收回公海"))
        return redirect("web:customer_detail", customer_id)


class CustomerPoolUnlockView(CrmView):
    action = LOCK_CUSTOMER

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        services.customer_pool_unlock(actor=self.actor, customer_id=customer_id)
        messages.success(request, _("已解除锁定"))
        return redirect("web:customer_detail", customer_id)
