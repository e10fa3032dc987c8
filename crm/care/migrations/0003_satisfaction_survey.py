"""The shipped 客户满意度调查表 (crm.care.survey_template.SPEC), published: a form of the company
that the months are drawn with unless another is chosen. Left as it is if one was installed."""

import secrets

from django.db import migrations
from django.utils import timezone

from crm.care.survey_template import SPEC, TEMPLATE


def install(apps, schema_editor):
    Questionnaire = apps.get_model("questionnaires", "Questionnaire")
    FormVersion = apps.get_model("questionnaires", "FormVersion")
    Section = apps.get_model("questionnaires", "Section")
    Question = apps.get_model("questionnaires", "Question")
    if Questionnaire.objects.filter(template=TEMPLATE).exists():
        return
    form = Questionnaire.objects.create(
        name=SPEC["name"], description=SPEC["description"], template=TEMPLATE
    )
    version = FormVersion.objects.create(
        form=form, number=1, state="published", published_at=timezone.now()
    )
    for s, spec in enumerate(SPEC["sections"], 1):
        section = Section.objects.create(
            version=version, title=spec["title"], position=s, key=secrets.token_hex(6)
        )
        for n, q in enumerate(spec["questions"], 1):
            Question.objects.create(
                version=version,
                section=section,
                position=n,
                key=secrets.token_hex(6),
                kind=q["kind"],
                label=q["label"],
                required=q.get("required", False),
                choices=list(q.get("choices", [])),
            )


def uninstall(apps, schema_editor):
    Questionnaire = apps.get_model("questionnaires", "Questionnaire")
    Response = apps.get_model("questionnaires", "Response")
    forms = Questionnaire.objects.filter(template=TEMPLATE)
    if not Response.objects.filter(form__in=forms).exists():
        forms.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0002_grant_care_actions"),
        ("questionnaires", "0003_answer_covering_indexes"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
