"""The service actions for the shipped roles (crm.accounts.roles.SERVICE_GRANTS): the service
department registers and works every complaint; reps see and help with their customers'
complaints and record service to their customers; managers see their department's, receive
escalations and keep the SLA table; the general manager reads the monthly statistics."""

from django.db import migrations

from crm.accounts.migration_grants import grant_to_builtin

GRANTS = {
    "service.view_complaint": {
        "rep": "assigned",
        "manager": "department",
        "director": "department",
        "service": "all",
        "data_admin": "all",
        "gm": "all",
    },
    "service.register_complaint": {"service": "all", "gm": "all"},
    "service.handle_complaint": {"service": "all", "gm": "all"},
    "service.assist_complaint": {
        "rep": "assigned",
        "manager": "department",
        "director": "department",
        "service": "all",
        "gm": "all",
    },
    "service.supervise_complaint": {"manager": "department", "gm": "all"},
    "service.view_complaint_report": {"director": "department", "service": "all", "gm": "all"},
    "service.manage_sla": {"manager": "all", "director": "all", "gm": "all"},
    "service.record_service": {
        "rep": "own",
        "manager": "department",
        "director": "department",
        "service": "all",
        "gm": "all",
    },
}


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0002_seed_sla_and_calendar"),
        ("accounts", "0012_rate_counters"),
    ]

    operations = [
        migrations.RunPython(*grant_to_builtin(action, scopes))
        for action, scopes in GRANTS.items()
    ]
