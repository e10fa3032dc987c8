"""Forms made through the real services, as a manager would build them."""

from __future__ import annotations

from typing import Any

from crm.accounts.models import User
from crm.questionnaires import services
from crm.questionnaires.models import Question, Questionnaire

MOTIVES = ["改善居住环境", "成家", "子女教育", "父母养老", "上班方便", "投资"]


def purchase_survey(
    manager: User, *, publish: bool = True, **form: Any
) -> tuple[Questionnaire, dict[str, Question]]:
    """成交客户信息登记表, cut down: age, family structure, the purchase motives (first to third
    reason), whether the customer would recommend the project."""
    data = {"name": "购房问卷", "applies_to": ["retained", "intention"], "event": "deal", **form}
    survey = services.form_create(actor=manager, data=data)
    qs = {
        "age": services.question_add(
            actor=manager, form_id=survey.pk, data={"kind": "number", "label": "年龄"}
        ),
        "family": services.question_add(
            actor=manager,
            form_id=survey.pk,
            data={
                "kind": "single",
                "label": "家庭结构",
                "choices": ["单身", "二人世界", "三辈之家", "四世同堂"],
            },
        ),
        "motive": services.question_add(
            actor=manager,
            form_id=survey.pk,
            data={"kind": "ranked", "label": "购房动机", "choices": MOTIVES, "max_ranks": 3},
        ),
        "recommend": services.question_add(
            actor=manager,
            form_id=survey.pk,
            data={"kind": "yesno", "label": "是否会介绍本项目给朋友"},
        ),
    }
    if publish:
        services.form_publish(actor=manager, form_id=survey.pk)
    return survey, qs


def answers(qs: dict[str, Question], **values: Any) -> dict[str, Any]:
    return {str(qs[k].pk): v for k, v in values.items()}
