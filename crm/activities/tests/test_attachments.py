"""Follow-ups carry photos and files: stored in the data folder, checked for size and type by
their content, served only to those who may read the customer, every opening logged."""

from __future__ import annotations

import os
import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.activities import services
from crm.activities.models import Attachment, FollowUp
from crm.core.errors import Invalid, NotFound, StateConflict
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.testing import tiny_png


@pytest.fixture
def customer(org):
    return make_customer(org.rep_a, name="王先生", category="intention", grade="A")


def record(org, customer, files):
    return services.followup_record(
        actor=org.rep_a,
        customer_id=customer.pk,
        data={"kind": "store_visit", "content": "客户到店看车，拍了名片"},
        files=files,
    )


def test_a_photo_goes_with_the_record_and_only_its_readers_open_it(org, customer, as_user):
    followup = record(org, customer, [tiny_png()])
    photo = followup.attachments.get()
    assert (photo.name, photo.content_type, photo.size) == (
        "名片.png",
        "image/png",
        photo.file.size,
    )
    assert stat.S_IMODE(os.stat(photo.file.path).st_mode) == 0o600  # the CRM's account only
    url = reverse("web:attachment", args=[photo.pk])
    response = as_user(org.rep_a).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(verb="customer.attachment_viewed").count() == 1
    assert as_user(org.rep_b).get(url).status_code == 404
    assert as_user(org.sysadmin).get(url).status_code == 403
    page = as_user(org.rep_a).get(reverse("web:customer_detail", args=[customer.pk]))
    assert f'src="{url}"' in page.content.decode()


def test_a_file_is_judged_by_its_content_not_its_name(org, customer):
    fake = SimpleUploadedFile(
        "报价单.pdf", b"#!/bin/sh\nrm -rf /\n", content_type="application/pdf"
    )
    with pytest.raises(Invalid) as err:
        record(org, customer, [tiny_png(), fake])
    assert err.value.fields["files"] == "报价单.pdf 不是可接受的文件类型（图片、PDF、Word、Excel）"
    assert not FollowUp.objects.exists()  # nothing kept: the record and its files go together
    assert not Attachment.objects.exists()


def test_size_and_number_are_bounded(org, customer, settings):
    followup = record(org, customer, [])
    big = tiny_png("大图.png")
    big.size = services.ATTACHMENT_MAX_BYTES + 1
    with pytest.raises(Invalid) as err:
        services.attachments_add(actor=org.rep_a, followup_id=followup.pk, files=[big])
    assert err.value.fields["files"] == "大图.png 超过 10 MB"
    services.attachments_add(
        actor=org.rep_a, followup_id=followup.pk, files=[tiny_png() for _ in range(9)]
    )
    with pytest.raises(StateConflict):  # the tenth: the record is full, the request was fine
        services.attachments_add(actor=org.rep_a, followup_id=followup.pk, files=[tiny_png()])
    with pytest.raises(Invalid):  # ten at once: wrong whatever the record holds
        services.attachments_add(
            actor=org.rep_a, followup_id=followup.pk, files=[tiny_png() for _ in range(10)]
        )
    with pytest.raises(NotFound):  # not a record rep_b may add to
        services.attachments_add(actor=org.rep_b, followup_id=followup.pk, files=[tiny_png()])


def test_a_path_in_the_name_stays_a_name(org, customer):
    followup = record(org, customer, [tiny_png("../../etc/passwd.png")])
    photo = followup.attachments.get()
    assert photo.name == "passwd.png"
    assert ".." not in photo.file.name


def test_the_web_form_takes_the_photos(org, customer, as_user):
    response = as_user(org.rep_a).post(
        reverse("web:followup_create", args=[customer.pk]),
        {
            "kind": "store_visit",
            "content": "到店",
            "on": "customer",
            "slot": "followup",
            "files": [tiny_png(), tiny_png("车.png")],
        },
    )
    assert response.status_code == 302
    assert sorted(a.name for a in Attachment.objects.all()) == ["名片.png", "车.png"]


def test_the_api_lists_the_files_of_a_record(org, call, customer):
    followup = record(org, customer, [tiny_png()])
    items = call(org.rep_a, "GET", f"customers/{customer.pk}/followups").json()["items"]
    (photo,) = items[0]["attachments"]
    assert photo["name"] == "名片.png"
    assert photo["url"] == f"/api/v1/attachments/{followup.attachments.get().pk}"
    assert call(org.rep_a, "GET", photo["url"].removeprefix("/api/v1/")).status_code == 200
    assert call(org.rep_c, "GET", photo["url"].removeprefix("/api/v1/")).status_code == 404


def test_a_script_adds_a_photo_to_a_record_through_the_api_and_reads_it_back(org, customer, call):
    followup = record(org, customer, [])
    response = call(
        org.rep_a, "POST", f"followups/{followup.pk}/attachments", files=[tiny_png("展厅.png")]
    )
    assert response.status_code == 201, response.content
    (added,) = response.json()
    assert added["name"] == "展厅.png"
    assert call(org.rep_a, "GET", added["url"].removeprefix("/api/v1/")).status_code == 200
    listed = call(org.rep_a, "GET", f"customers/{customer.pk}/followups").json()
    assert [a["name"] for a in listed["items"][0]["attachments"]] == ["展厅.png"]


def test_the_api_refuses_a_file_that_is_not_a_picture_or_document_in_the_error_contract(
    org, customer, call
):
    followup = record(org, customer, [])
    script = SimpleUploadedFile("报价.png", b"#!/bin/sh\nrm -rf /\n", content_type="image/png")
    response = call(
        org.rep_a, "POST", f"followups/{followup.pk}/attachments", files=[script], lang="zh-hans"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert "报价.png" in error["fields"]["files"]
    assert not followup.attachments.exists()


def test_an_upload_without_files_names_the_files_field(org, customer, call):
    followup = record(org, customer, [])
    response = call(org.rep_a, "POST", f"followups/{followup.pk}/attachments", {}, lang="zh-hans")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["files"]
