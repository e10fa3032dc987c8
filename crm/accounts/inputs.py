"""The declared inputs of accounts (see ``crm.core.inputs``): one's own profile and a password
change. A user's phone is validated as a customer's is (``crm.core.inputs.Phone``), so no path
truncates what another refuses."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from crm.core.inputs import Input, Phone, Text

PASSWORD_MAX_LENGTH = 256


class ProfileInput(Input):
    full_name: Annotated[str, Text(50)] = ""
    phone: Phone = ""


Password = Annotated[str, Field(max_length=PASSWORD_MAX_LENGTH)]  # as typed: never trimmed


class PasswordInput(Input):
    old_password: Password
    new_password: Password
