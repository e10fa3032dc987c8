"""The customer import's rules, with real files: reading, mapping, the dry run, duplicates, the
run with its checkpoint, cancel, the error file, the undo."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from crm.activities import services as activities
from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.customers import search
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.imports import fields, reader, services
from crm.imports.models import ImportJob, ImportRow, JobState, Outcome

from .files import HEADER, crash_on_batch, csv_bytes, people, xlsx


def upload(actor, data: bytes, name: str = "客户.xlsx") -> ImportJob:
    return services.import_upload(actor=actor, stream=io.BytesIO(data), name=name, size=len(data))


def run(actor, job: ImportJob) -> ImportJob:
    services.import_start(actor=actor, job_id=job.pk)
    services.import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


# --- reading ----------------------------------------------------------------------------------


def test_a_gbk_csv_is_read_as_chinese_excel_writes_it():
    data = csv_bytes([["姓名", "电话"], ["张三", "13800138000"]], "gbk")
    table = reader.read(io.BytesIO(data), "客户.csv")
    assert table.headers == ["姓名", "电话"]
    assert table.rows == [(2, ["张三", "13800138000"])]


def test_a_utf8_csv_with_bom_loses_the_bom():
    data = csv_bytes([["姓名", "电话"], ["张三", "13800138000"]], "utf-8-sig")
    assert reader.read(io.BytesIO(data), "a.csv").headers == ["姓名", "电话"]


def test_empty_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    data = xlsx([["客户名单"], HEADER, [None] * 3, ["张三", "13800138000"], [], ["李四"]])
    table = reader.read(io.BytesIO(data), "a.xlsx")
    assert table.header_row == 2
    assert [r for r, _cells in table.rows] == [4, 6]


def test_a_formula_cell_is_read_as_its_cached_value():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "员工人数"])
    sheet.append(["甲公司", "=2*6"])
    out = io.BytesIO()
    book.save(out)
    # openpyxl saves no cached value: write one as Excel would
    raw = out.getvalue()
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(raw))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<f>2*6</f><v></v>", b"<f>2*6</f><v>12</v>")
                content = content.replace(b"<f>2*6</f><v />", b"<f>2*6</f><v>12</v>")
                content = (
                    content.replace(b"<f>2*6</f>", b"<f>2*6</f><v>12</v>", 1)
                    if (b"<v>12</v>" not in content)
                    else content
                )
            dst.writestr(item, content)
    table = reader.read(io.BytesIO(target.getvalue()), "a.xlsx")
    assert table.rows[0][1][1] in (12, 12.0)


def test_a_merged_header_over_two_columns_takes_the_names_below():
    data = xlsx(
        [
            ["姓名", "联系方式", None, "城市"],
            [None, "手机", "微信", None],
            ["张三", "13800138000", "zhangsan01", "杭州"],
        ],
        merge=["B1:C1", "A1:A2", "D1:D2"],
    )
    table = reader.read(io.BytesIO(data), "a.xlsx")
    assert table.headers == ["姓名", "手机", "微信", "城市"]
    assert [r for r, _c in table.rows] == [3]


def test_a_multi_line_header_cell_is_one_title():
    data = xlsx([["客户\n名称", "手机\n号码"], ["张三", "13800138000"]])
    table = reader.read(io.BytesIO(data), "a.xlsx")
    assert fields.guess(table.headers) == {"0": "name", "1": "phone"}


def test_another_file_type_is_refused_in_chinese():
    with pytest.raises(Invalid) as exc:
        reader.read(io.BytesIO(b"x"), "a.pdf")
    assert "xlsx" in exc.value.fields["file"]


# --- mapping and template -----------------------------------------------------------------


def test_the_mapping_is_guessed_from_chinese_and_english_synonyms():
    headers = ["客户姓名", "联系方式", "公司", "Email", "备注（选填）", "负责人", "不知道"]
    assert fields.guess(headers) == {
        "0": "name",
        "1": "phone",
        "2": "company",
        "3": "email",
        "4": "notes",
        "5": "owner",
    }


def test_the_template_has_a_column_for_every_field_of_the_customer_input():
    from crm.customers.inputs import CustomerInput

    book = load_workbook(io.BytesIO(fields.template()))
    titles = [c.value for c in book.active[1]]
    expected = [n for n in CustomerInput.model_fields if n not in fields.LEFT_OUT]
    assert len(titles) == len(expected)
    assert "客户名称*" in titles
    assert fields.guess([t.rstrip("*") for t in titles]) == {
        str(i): n for i, n in enumerate(expected)
    }


# --- permissions ----------------------------------------------------------------------------


def test_reps_do_not_import(org):
    with pytest.raises(PermissionDenied):
        upload(org.rep_a, xlsx([HEADER, *people(1)]))


def test_another_departments_manager_does_not_see_the_import(org):
    job = upload(org.manager, xlsx([HEADER, *people(1)]))
    with pytest.raises(NotFound):
        services.import_get(actor=org.manager2, job_id=job.pk)
    assert services.import_get(actor=org.director, job_id=job.pk) == job


# --- dry run --------------------------------------------------------------------------------


def test_the_dry_run_counts_every_row_before_anything_is_written(org):
    make_customer(org.rep_a, name="老客户", phone="13900000001")
    rows = [
        HEADER,
        *people(3),  # 13900000000..2: the second is in the database
        ["客户9", "13900000000", "", "", "", "", "", "", ""],  # the first row again
        ["", "13700000000", "", "", "", "", "", "", ""],  # no name
        ["客户8", "12345", "", "", "意向客户", "", "", "", ""],  # bad phone, no grade
        ["客户7", "", "", "", "意向客户", "Z级", "", "", ""],
    ]
    job = upload(org.manager, xlsx(rows))
    summary = job.dry_run
    assert summary["rows"] == 7
    assert summary["valid"] == 4
    assert summary["invalid"] == 3
    assert summary["duplicates_existing"] == 1
    assert summary["duplicates_in_file"] == 1
    errors = {(e["row"], e["column"]) for e in summary["errors"]}
    assert (6, "姓名") in errors
    assert (7, "手机") in errors
    assert (8, "意向级别") in errors
    assert all(e["message"] for e in summary["errors"])
    assert Customer.objects.count() == 1


def test_a_corrected_mapping_redoes_the_dry_run(org):
    job = upload(org.manager, xlsx([["名字", "号码"], ["张三", "13800138000"]]))
    assert job.mapping == {}
    assert job.dry_run["invalid"] == 1
    job = services.import_configure(
        actor=org.manager, job_id=job.pk, mapping={"0": "name", "1": "phone"}
    )
    assert job.dry_run["valid"] == 1


def test_a_mapping_naming_a_field_twice_is_refused(org):
    job = upload(org.manager, xlsx([["名字", "号码"], ["张三", "13800138000"]]))
    with pytest.raises(Invalid) as exc:
        services.import_configure(
            actor=org.manager, job_id=job.pk, mapping={"0": "name", "1": "name"}
        )
    assert "同一字段" in exc.value.fields["mapping"]


def test_the_owner_column_takes_only_users_the_importer_may_assign_to(org):
    rows = [
        HEADER,
        ["甲", "13800000001", "", "", "", "", "王小明", "", ""],
        ["乙", "13800000002", "", "", "", "", "rep_c", "", ""],
    ]
    job = upload(org.manager, xlsx(rows))  # rep_c is in 销售二部
    assert job.dry_run["valid"] == 1
    assert "rep_c" in job.dry_run["errors"][0]["message"]
    job = run(org.manager, job)
    assert Customer.objects.get(name="甲").owner == org.rep_a


# --- the run --------------------------------------------------------------------------------


def test_an_import_creates_customers_as_a_single_create_would(org):
    rows = [
        HEADER,
        ["张三丰", "138 0013 8000", "武当派", "十堰", "意向客户", "H级", "", "武术、VIP", "老客户"],
    ]
    job = run(org.manager, upload(org.manager, xlsx(rows)))
    assert (job.state, job.created_count, job.failed_count) == (JobState.DONE, 1, 0)
    customer = Customer.objects.get(name="张三丰")
    assert customer.phone == "13800138000"
    assert customer.phone_store.startswith("k1:")  # sealed, as every phone
    assert customer.number == f"KH{customer.pk:06d}"
    assert (customer.category, customer.grade) == ("intention", "H")
    assert customer.next_due_on is not None
    assert customer.owner == org.manager
    assert customer.department == org.sales1
    assert customer.tag_names == ["VIP", "武术"]
    assert customer.lifecycle.count() == 1
    # found by the one-box search, by pinyin and by a phone fragment
    assert customer.pk in search.matching_ids(search.parse("zsf"), before=None, limit=10)
    assert customer.pk in search.matching_ids(search.parse("00138000"), before=None, limit=10)
    # one audit event for the import, none per customer
    events = AuditEvent.objects.filter(verb__startswith="import.")
    assert [(e.verb, e.details["created"]) for e in events] == [("import.completed", 1)]
    assert not AuditEvent.objects.filter(verb="customer.created").exists()
    assert ImportRow.objects.get(job=job).customer == customer


def test_intention_rows_count_in_the_contact_status_figures_as_a_single_create_does(org):
    from crm.reports.models import ContactMonth

    rows = [HEADER, ["甲", "13800000001", "", "", "意向客户", "A", "", "", ""], *people(2)]
    run(org.manager, upload(org.manager, xlsx(rows)))
    graded = Customer.objects.get(name="甲")
    assert ContactMonth.objects.filter(customer=graded, grade="A").count() == 1
    assert graded.lifecycle.get().to_grade == "A"


def test_duplicates_are_skipped_by_default(org):
    old = make_customer(org.rep_a, name="老客户", phone="13900000001")
    job = run(org.manager, upload(org.manager, xlsx([HEADER, *people(3)])))
    assert (job.created_count, job.skipped_count) == (2, 1)
    skipped = ImportRow.objects.get(job=job, outcome=Outcome.SKIPPED)
    assert skipped.existing == old
    assert str(old.number) in skipped.message


def test_duplicates_may_update_the_existing_customer(org):
    old = make_customer(org.rep_a, name="老客户", phone="13900000001", city="宁波")
    job = upload(org.data_admin, xlsx([HEADER, *people(3)]))
    services.import_configure(actor=org.data_admin, job_id=job.pk, duplicates="update")
    job = run(org.data_admin, job)
    assert (job.created_count, job.updated_count) == (2, 1)
    old.refresh_from_db()
    assert (old.city, old.version) == ("杭州", 2)


def test_duplicates_may_be_imported_as_new_customers_linked_to_the_existing(org):
    old = make_customer(org.rep_a, name="老客户", phone="13900000001")
    job = upload(org.manager, xlsx([HEADER, *people(3)]))
    services.import_configure(actor=org.manager, job_id=job.pk, duplicates="new")
    job = run(org.manager, job)
    assert job.created_count == 3
    twin = Customer.objects.get(name="客户1")
    assert twin.phone == ""
    assert str(old.number) in twin.notes
    assert ImportRow.objects.get(job=job, customer=twin).existing == old


def test_a_row_repeating_an_earlier_row_is_skipped(org):
    rows = [HEADER, *people(2), ["又一个", "13900000000", "", "", "", "", "", "", ""]]
    job = run(org.manager, upload(org.manager, xlsx(rows)))
    assert (job.created_count, job.skipped_count) == (2, 1)
    assert "第 2 行" in ImportRow.objects.get(job=job, outcome=Outcome.SKIPPED).message


def test_wrong_types_fail_their_row_only_with_a_chinese_reason(org):
    rows: list[list[Any]] = [
        ["姓名", "员工人数", "成交日期", "客户类别"],
        ["甲公司", "很多", "", ""],
        ["乙公司", "12", "2024/3/5", "保有客户"],
        ["丙公司", 3.5, "", ""],
    ]
    job = run(org.manager, upload(org.manager, xlsx(rows)))
    assert (job.created_count, job.failed_count) == (1, 2)
    retained = Customer.objects.get(name="乙公司")
    assert (retained.staff_count, str(retained.deal_on)) == (12, "2024-03-05")
    failed = list(ImportRow.objects.filter(job=job, outcome=Outcome.FAILED))
    assert [(f.row, f.column) for f in failed] == [(2, "员工人数"), (4, "员工人数")]
    assert all(f.message for f in failed)


def test_a_crash_mid_way_resumes_after_the_last_committed_batch(org, monkeypatch):
    from crm.imports import rows as rows_module

    monkeypatch.setattr(rows_module, "BATCH", 10)
    job = upload(org.manager, xlsx([HEADER, *people(35)]))
    services.import_start(actor=org.manager, job_id=job.pk)
    mended = crash_on_batch(monkeypatch, services._Writer, 3, RuntimeError("power cut"))
    with pytest.raises(RuntimeError):
        services.import_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.checkpoint, job.created_count) == (JobState.FAILED, 21, 20)
    assert Customer.objects.count() == 20

    # when it is started again, it goes on after row 21
    mended()
    job = run(org.manager, job)
    assert (job.state, job.created_count, job.done_rows) == (JobState.DONE, 35, 35)
    assert Customer.objects.count() == 35
    assert ImportRow.objects.filter(job=job).count() == 35


def test_a_run_whose_worker_died_is_resumed_by_the_scheduler(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    from crm.imports import rows as rows_module

    monkeypatch.setattr(rows_module, "BATCH", 10)
    job = upload(org.manager, xlsx([HEADER, *people(25)]))
    services.import_start(actor=org.manager, job_id=job.pk)
    # the process is gone after the first batch: nobody marks the job failed
    mended = crash_on_batch(monkeypatch, services._Writer, 2, SystemExit())
    with pytest.raises(SystemExit):
        services.import_run(job_id=job.pk)
    mended()
    job.refresh_from_db()
    assert (job.state, job.created_count) == (JobState.RUNNING, 10)
    # a minute later it is not stalled yet; six minutes later the scheduler queues it again
    assert services.resume_stalled(now=job.updated_at + dt.timedelta(minutes=1)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resume_stalled(now=job.updated_at + dt.timedelta(minutes=6)) == [job.pk]
    job.refresh_from_db()
    assert (job.state, job.created_count, job.done_rows) == (JobState.DONE, 25, 25)
    assert Customer.objects.filter(name__in=[p[0] for p in people(25)]).count() == 25
    assert ImportRow.objects.filter(job=job).count() == 25


def test_a_cancelled_import_stops_after_its_batch(org, monkeypatch):
    from crm.imports import rows as rows_module

    monkeypatch.setattr(rows_module, "BATCH", 10)
    job = upload(org.manager, xlsx([HEADER, *people(30)]))
    services.import_start(actor=org.manager, job_id=job.pk)
    original = services._Writer.batch

    def cancel_after_first(self, verdicts, titles):
        original(self, verdicts, titles)
        ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)

    monkeypatch.setattr(services._Writer, "batch", cancel_after_first)
    services.import_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.created_count) == (JobState.CANCELLED, 10)


def test_an_import_cannot_be_started_twice(org):
    job = run(org.manager, upload(org.manager, xlsx([HEADER, *people(1)])))
    with pytest.raises(StateConflict):
        services.import_start(actor=org.manager, job_id=job.pk)


# --- result ---------------------------------------------------------------------------------


def test_the_error_file_lists_each_failed_row_with_its_reason(org):
    rows = [HEADER, *people(1), ['=HYPERLINK("x")', "12345", "", "", "", "", "", "", ""]]
    job = run(org.manager, upload(org.manager, csv_bytes(rows, "utf-8"), "客户.csv"))
    _name, data = services.error_file(actor=org.manager, job_id=job.pk)
    sheet = load_workbook(io.BytesIO(data)).active
    lines = [[c.value for c in r] for r in sheet.iter_rows()]
    assert lines[0][:4] == ["行号", "出错的列", "原因", "姓名"]
    assert lines[1][0] == 3
    assert lines[1][1] == "手机"
    assert lines[1][3] == '=HYPERLINK("x")'
    assert sheet.cell(row=2, column=4).data_type == "s"  # text, not a formula


def test_undo_removes_only_the_customers_nobody_touched(org):
    job = run(org.manager, upload(org.manager, xlsx([HEADER, *people(3)])))
    edited = Customer.objects.get(name="客户0")
    from crm.customers import services as customer_services

    customer_services.customer_update(
        actor=org.manager, customer_id=edited.pk, version=1, data={"city": "宁波"}
    )
    called = Customer.objects.get(name="客户1")
    activities.followup_record(
        actor=org.manager, customer_id=called.pk, data={"kind": "call", "content": "电话沟通"}
    )
    services.import_undo(actor=org.manager, job_id=job.pk)
    undone = services.import_undo_run(job_id=job.pk, actor_id=org.manager.pk)
    assert undone is not None
    assert (undone.state, undone.undo_removed, undone.undo_kept) == (JobState.UNDONE, 1, 2)
    assert Customer.objects.get(name="客户2").deleted_at is not None
    assert Customer.objects.filter(deleted_at__isnull=True).count() == 2
    assert AuditEvent.objects.filter(verb="import.undone").count() == 1
    with pytest.raises(StateConflict):
        services.import_undo(actor=org.manager, job_id=job.pk)


def test_a_saved_mapping_maps_the_next_file(org):
    job = upload(org.manager, xlsx([["名字", "号码"], ["张三", "13800138000"]]))
    services.import_configure(actor=org.manager, job_id=job.pk, mapping={"0": "name", "1": "phone"})
    saved = services.mapping_save(actor=org.manager, job_id=job.pk, name="展会名单")
    second = upload(org.manager, xlsx([["号码", "名字"], ["13800138001", "李四"]]))
    second = services.mapping_apply(actor=org.manager, job_id=second.pk, mapping_id=saved.pk)
    assert second.mapping == {"0": "phone", "1": "name"}
    assert second.dry_run["valid"] == 1


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_an_xls_saved_by_libreoffice_is_read_like_the_xlsx(org, tmp_path):
    # given an .xlsx converted to the old .xls format by LibreOffice Calc
    source = tmp_path / "客户.xlsx"
    source.write_bytes(
        xlsx([HEADER, *people(3), ["甲公司", 13800138000.0, "", "", "", "", "", "", ""]])
    )
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xls", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    data = (tmp_path / "客户.xls").read_bytes()
    # when it is uploaded, then it reads as the .xlsx does (a phone typed as a number included)
    job = upload(org.manager, data, "客户.xls")
    assert job.dry_run["valid"] == 4
    assert run(org.manager, job).created_count == 4
    assert Customer.objects.get(name="甲公司").phone == "13800138000"


def test_a_workbook_under_another_name_is_known_by_its_content(org):
    job = upload(org.manager, xlsx([HEADER, *people(2)]), "客户名单.download")
    assert job.dry_run["valid"] == 2


DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name", ["libreoffice.xlsx", "libreoffice.xls"])
def test_a_list_saved_by_libreoffice_calc_imports_with_its_computed_formulas(org, name):
    # given a list saved by LibreOffice Calc 7 (crm/imports/tests/data): a title merged over the
    # columns, phones typed as numbers and as text with spaces, a date cell and a date typed as
    # text, an empty row, two formula cells (=CONCATENATE("回访","两次"), =1+1) and a wrong phone
    job = upload(org.manager, (DATA / name).read_bytes(), name)
    assert (job.header_row, job.total_rows) == (2, 4)
    assert (job.dry_run["valid"], job.dry_run["invalid"]) == (3, 1)
    assert job.dry_run["errors"][0]["row"] == 7

    run(org.manager, job)

    zhang = Customer.objects.get(name="张三")
    assert (zhang.phone, zhang.grade, str(zhang.expected_purchase_on)) == (
        "13800138000",
        "H",
        "2026-12-20",
    )
    assert Customer.objects.get(name="李四").notes == "回访两次"  # the value Calc computed
    wang = Customer.objects.get(name="王五")
    assert (wang.grade, str(wang.expected_purchase_on), wang.notes) == ("B", "2027-01-15", "2")


# --- large files: streamed, checked in the background -----------------------------------------


def _offset_dates_and_numbers() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet["C3"], sheet["D3"], sheet["E3"], sheet["F3"] = "姓名", "手机", "成交日期", "员工人数"
    sheet["C4"], sheet["D4"], sheet["E4"], sheet["F4"] = (
        "张三",
        13800138000,
        dt.date(2026, 3, 5),
        12,
    )
    sheet["C6"], sheet["E6"] = "李四&<乙>", dt.datetime(2024, 12, 31, 23, 59, 59)  # noqa: DTZ001
    sheet["G7"] = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: (DATA / "libreoffice.xlsx").read_bytes(), id="libreoffice"),
        pytest.param(
            lambda: xlsx(
                [["姓名", "联系方式", None], [None, "手机", "微信"], ["张三", "138", "z"]],
                merge=["B1:C1", "A1:A2"],
            ),
            id="merged-header",
        ),
        pytest.param(_offset_dates_and_numbers, id="offset-dates-numbers"),
    ],
)
def test_a_sheet_too_large_for_memory_is_streamed_and_read_as_calamine_reads_it(monkeypatch, data):
    content = data()
    whole = reader.read(io.BytesIO(content), "a.xlsx")
    monkeypatch.setattr(reader, "STREAM_ABOVE", 0)
    streamed = reader.read(io.BytesIO(content), "a.xlsx")
    assert (streamed.header_row, streamed.headers) == (whole.header_row, whole.headers)
    assert streamed.rows == whole.rows


def test_a_sheet_streamed_reads_dates_numbers_and_escaped_text(monkeypatch):
    monkeypatch.setattr(reader, "STREAM_ABOVE", 0)
    table = reader.read(io.BytesIO(_offset_dates_and_numbers()), "a.xlsx")
    assert table.header_row == 3
    assert table.rows[0] == (
        4,
        [None, None, "张三", 13800138000.0, dt.date(2026, 3, 5), 12.0, None],
    )
    last_second = dt.datetime(2024, 12, 31, 23, 59, 59)  # noqa: DTZ001 (a cell's, naive)
    assert table.rows[1][1][2:5] == ["李四&<乙>", None, last_second]
    assert [n for n, _c in table.rows] == [4, 6, 7]


def test_a_file_of_many_rows_is_checked_in_the_background(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "SYNC_ROWS", 3)
    file = xlsx([HEADER, *people(5), ["", "123"]])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = upload(org.manager, file)
    # the upload answers at once: the check waits for the worker, and nothing can start yet
    assert (job.state, job.dry_run) == (JobState.CHECKING, {})
    with pytest.raises(StateConflict):
        services.import_start(actor=org.manager, job_id=job.pk)
    # the mapping may be corrected meanwhile: the older check is superseded
    with django_capture_on_commit_callbacks(execute=False) as requeued:
        services.import_configure(actor=org.manager, job_id=job.pk, mapping=job.mapping)
    for callback in queued:
        callback()  # the first check runs late, and keeps nothing
    job.refresh_from_db()
    assert (job.state, job.dry_run) == (JobState.CHECKING, {})
    for callback in requeued:
        callback()
    job.refresh_from_db()
    assert job.state == JobState.READY
    assert (job.total_rows, job.dry_run["valid"], job.dry_run["invalid"]) == (6, 5, 1)
    assert run(org.manager, job).created_count == 5


def test_a_check_whose_worker_died_is_started_again(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "SYNC_ROWS", 3)
    with django_capture_on_commit_callbacks(execute=False):
        job = upload(org.manager, xlsx([HEADER, *people(5)]))  # its task is lost
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resume_stalled(now=job.updated_at + dt.timedelta(minutes=6)) == [job.pk]
    job.refresh_from_db()
    assert (job.state, job.dry_run["valid"]) == (JobState.READY, 5)


def test_the_rows_seen_keep_the_first_row_of_each_key_however_many():
    from crm.imports.rows import Seen

    seen = Seen()
    for row in range(1, 50_001):
        seen.add(("phone", f"key{row}"), row)
        seen.add(("phone", f"key{row}"), row + 1)  # a later row repeating it: the first stays
    assert seen.get(("phone", "key1")) == 1
    assert seen.get(("phone", "key50000")) == 50_000
    assert seen.get(("phone", "key50001")) is None
    assert seen.get(("name", "key1")) is None


def test_the_shared_strings_of_a_streamed_sheet_are_each_found_across_blocks():
    from crm.imports.xlsx import Strings

    strings = Strings()
    texts = [f"客户{i}" if i % 3 else "" for i in range(10_000)]
    for text in texts:
        strings.append(text)
    strings.close()
    assert len(strings) == 10_000
    assert [strings[i] for i in (0, 1, 4095, 4096, 4097, 9_999)] == [
        texts[i] for i in (0, 1, 4095, 4096, 4097, 9_999)
    ]
