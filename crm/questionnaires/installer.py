"""Installing an industry's templates (``templates_data``): each form built through the
builder's services (so it is validated and audited as a manager's), then published; a form the
company already installed from the same template is left as it is. ``crm demo --industry``
also fills them with made-up responses for the demo's customers (``fill_random``: bulk
INSERTs, the rows ``response_submit`` would leave, one audit row per form)."""

from __future__ import annotations

import datetime as dt
import decimal
import random
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import MANAGE_FORM
from crm.core.errors import Invalid
from crm.core.permissions import has_action, require
from crm.customers.models import Customer
from crm.governance import audit

from . import services
from .models import Answer, FormVersion, Question, QuestionKind, Questionnaire, Response
from .templates_data import INDUSTRIES

TEXTS = ["已沟通", "客户较满意", "需再次确认", "价格敏感", "关注交付时间", "无"]
TABLE_SAMPLES = {
    "品牌": ["解放", "东风", "重汽", "陕汽", "福田"],
    "角色": ["董事长/老板", "总经理", "车队管理", "主要人员"],
    "性别": ["男", "女"],
    "拜访人": ["张伟", "王芳", "李强"],
    "成交障碍": ["价格", "贷款审批", "竞品让利", "交车周期"],
    "应对": ["申请让利", "协调金融方案", "试乘试驾", "提前排产"],
}


def catalogue() -> list[dict[str, Any]]:
    """The industries and the names of their forms (the settings page)."""
    return [
        {"key": key, "label": spec["label"], "forms": [f["name"] for f in spec["forms"]]}
        for key, spec in INDUSTRIES.items()
    ]


def _build(actor: User, spec: dict[str, Any], key: str) -> Questionnaire:
    form = services.form_create(
        actor=actor,
        data={
            "name": spec["name"],
            "description": spec.get("description", ""),
            "applies_to": spec.get("applies_to", []),
            "event": spec.get("event", "none"),
        },
        template=key,
    )
    first = services.latest_version(form)
    assert first is not None
    default = first.sections.get()
    for n, section in enumerate(spec["sections"]):
        if n == 0:
            target = services.section_update(
                actor=actor,
                form_id=form.pk,
                section_id=default.pk,
                data={"title": section["title"]},
            )
        else:
            target = services.section_add(
                actor=actor, form_id=form.pk, data={"title": section["title"]}
            )
        for question in section["questions"]:
            services.question_add(
                actor=actor, form_id=form.pk, data={**question, "section": target.pk}
            )
    services.form_publish(actor=actor, form_id=form.pk)
    return form


@transaction.atomic
def install(
    *, actor: User, industry: str, demo_responses: bool = False, customers: int = 200
) -> list[Questionnaire]:
    """Install an industry's forms (published); with ``demo_responses``, made-up responses of up
    to ``customers`` customers of each form's categories."""
    require(actor, MANAGE_FORM)
    if industry not in INDUSTRIES:
        raise Invalid(fields={"industry": _("没有这个行业的模板")})
    made = []
    for n, spec in enumerate(INDUSTRIES[industry]["forms"]):
        key = f"{industry}.{n + 1}"
        if Questionnaire.objects.filter(template=key).exists():
            continue
        form = _build(actor, spec, key)
        made.append(form)
        if demo_responses:
            version = services.published(form)
            assert version is not None
            pool = Customer.objects.alive()
            if form.applies_to:
                pool = pool.filter(category__in=form.applies_to)
            chosen = list(pool.order_by("id")[:customers])
            fill_random(version, chosen, rng=random.Random(key), filled_by=actor)
    audit.record(
        actor=actor,
        verb="questionnaire.installed",
        object_type="questionnaires.questionnaire",
        details={"industry": industry, "forms": [f.pk for f in made]},
    )
    return made


def _value(q: Question, rng: random.Random) -> list[tuple[int, str, Any, Any]]:
    kind = q.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.YESNO):
        options = q.choices or ["是", "否"]
        return [(0, rng.choice(options), None, None)]
    if kind == QuestionKind.MULTIPLE:
        several = rng.sample(q.choices, rng.randint(1, len(q.choices)))
        return [(n, o, None, None) for n, o in enumerate(several, 1)]
    if kind == QuestionKind.RANKED:
        most = q.max_ranks or len(q.choices)
        # early options a little likelier, so that the chart has a shape
        weights = [len(q.choices) - i for i in range(len(q.choices))]
        picked: list[str] = []
        wanted = rng.randint(1, most)
        while len(picked) < wanted:
            option = rng.choices(q.choices, weights)[0]
            if option not in picked:
                picked.append(option)
        return [(n, o, None, None) for n, o in enumerate(picked, 1)]
    if kind == QuestionKind.NUMBER:
        return [(0, "", decimal.Decimal(rng.randint(18, 70)), None)]
    if kind == QuestionKind.DATE:
        day = timezone.localdate() - dt.timedelta(days=rng.randint(0, 180))
        return [(0, day.isoformat(), None, None)]
    if kind == QuestionKind.TABLE:
        rows = [
            {c: rng.choice(TABLE_SAMPLES.get(c, TEXTS)) for c in q.columns}
            for _n in range(rng.randint(1, 3))
        ]
        return [(0, "", None, rows)]
    return [(0, rng.choice(TEXTS), None, None)]


def fill_random(
    version: FormVersion,
    customers: Sequence[Customer] | Iterable[int],
    *,
    rng: random.Random,
    filled_by: User | None,
    batch: int = 2000,
) -> int:
    """Made-up responses of ``customers`` (or customer ids) to ``version``, in bulk (the demo
    and the benchmark). Returns how many."""
    questions = list(version.questions.all())
    ids = [c.pk if isinstance(c, Customer) else c for c in customers]
    done = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        Response.objects.bulk_create(
            [
                Response(
                    form_id=version.form_id, version=version, customer_id=cid, filled_by=filled_by
                )
                for cid in chunk
            ],
            batch_size=batch,
        )
        made = dict(
            Response.objects.filter(version=version, customer_id__in=chunk).values_list(
                "customer_id", "pk"
            )
        )
        answers = [
            Answer(
                response_id=made[cid],
                question=q,
                position=position,
                text=text,
                number=number,
                rows=rows,
            )
            for cid in chunk
            for q in questions
            if q.kind != QuestionKind.TEXT or rng.random() < 0.3
            for position, text, number, rows in _value(q, rng)
        ]
        Answer.objects.bulk_create(answers, batch_size=batch)
        done += len(chunk)
    return done


def install_demo(*, industry: str, customers: int = 200) -> tuple[int, int]:
    """``crm demo --industry``: the industry's forms installed by the demo company's first user
    who designs forms, with made-up responses. Returns (forms installed, responses)."""
    designer = next(
        (
            u
            for u in User.objects.filter(is_active=True).order_by("id")
            if has_action(u, MANAGE_FORM)
        ),
        None,
    )
    if designer is None:
        raise Invalid(_("没有可以设计调查表的用户"))
    before = Response.objects.count()
    made = install(actor=designer, industry=industry, demo_responses=True, customers=customers)
    return len(made), Response.objects.count() - before
