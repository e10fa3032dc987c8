"""The test base is the plugin ``crm.testing`` (personas, signing in, the clock, the compiled
catalogue); the report tests' history maker is shared by the API and web tests of the reports."""

pytest_plugins = ["crm.testing", "crm.reports.tests.history"]
