"""Customer imports (客户导入): upload, mapping, dry run, the run in the background, cancel,
resume, the error file and the undo.

The file is read as a stream on every pass (``reader.Sheet``): the dry run of a file of up to
``SYNC_ROWS`` rows is done while the user waits, a larger file's in the background
(``check_import``; the job is ``checking`` with its progress meanwhile, a corrected mapping
starts a new check and the older one stops).

The run writes customers in batches, not one by one through ``customer_create`` (a hundred
thousand rows would take the afternoon), but by the same rules: every row validated and
normalised through the declared input (``rows.judge``), the phone, ID and bank account sealed by
``crm.customers.sensitive``, the organisation name key, the follow-up due date, the lifecycle
entry of a customer entered as intention or retained (``lifecycle.record_entry``), the search
document (``search.write``, pinyin memoised, within bounds). Each batch commits with its
``ImportRow`` rows and the job's checkpoint, so a run that stops (a crash, a restart of the
worker) resumes after the last committed batch and the unique (job, row) refuses a row twice.
A duplicate updated goes through ``customer_update`` (its own rules, history and audit).

One ``import.completed`` audit event sums an import up; its customers are found through its
rows. The undo moves to the recycle bin, through ``customer_delete``, the customers the import
created that nobody touched since (version 1, no follow-up).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from crm.accounts.models import User
from crm.accounts.roles import ADD_CUSTOMER, IMPORT_CUSTOMERS
from crm.activities.models import FollowUp
from crm.core import context
from crm.core.bulk import insert_objects, insert_rows, instance_maker
from crm.core.errors import DomainError, Invalid, NotFound, StateConflict
from crm.core.permissions import owned_by, require, restrict
from crm.customers import lifecycle, search
from crm.customers import services as customer_services
from crm.customers.choices import Category
from crm.customers.models import Customer, Tag
from crm.governance import audit
from crm.reports import contact_status
from crm.reports.exports import safe_cell

from . import reader, related
from . import rows as rows_module
from .fields import OWNER, TAGS, columns, field_names, guess
from .models import (
    DuplicatePolicy,
    ImportJob,
    ImportRow,
    JobState,
    Outcome,
    SavedMapping,
    Target,
)

logger = logging.getLogger(__name__)

MAX_BYTES = 50 * 1024 * 1024
SYNC_ROWS = 20_000  # a file of more rows is checked (the dry run) in the background
STALE_AFTER = dt.timedelta(minutes=5)  # a running import not heard of since: interrupted
_LIFECYCLE = ("category", "grade", "deal_on", "deposit_amount", "deposit_on")


# --- reading --------------------------------------------------------------------------------


def _job(actor: User, job_id: int, *, lock: bool = False) -> ImportJob:
    require(actor, IMPORT_CUSTOMERS)
    qs = restrict(ImportJob.objects.all(), actor, IMPORT_CUSTOMERS)
    if lock:
        qs = qs.select_for_update()
    job = qs.filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job


def _sheet(job: ImportJob) -> reader.Sheet:
    storage, name = job.file.storage, job.file.name
    return reader.Sheet(lambda: storage.open(name, "rb"), job.file_name)


def _verdicts(
    actor: User, job: ImportJob, rows: Iterable[tuple[int, list[Any]]]
) -> Iterator[list[rows_module.Verdict]]:
    """The job's rows judged by the rules of what they become, batch by batch."""
    if job.target == Target.CUSTOMERS:
        return rows_module.judge(actor=actor, mapping=job.mapping, rows=rows)
    return related.judge(
        actor=actor, target=job.target, mapping=job.mapping, rows=rows, job_id=job.pk
    )


def _missing(job: ImportJob) -> str:
    """The first required column the mapping leaves out, as the message to show."""
    mapped = set(job.mapping.values())
    for column in columns(job.target):
        if column.required and column.field not in mapped:
            return _("请指定“%(title)s”对应的列") % {"title": column.title}
    return ""


class _Superseded(Exception):
    """A newer dry run of the job was asked for."""


class _TooLong(Exception):
    """The file has more rows than are checked while the user waits."""


def _limited(rows: Iterable[tuple[int, list[Any]]], limit: int | None) -> Iterator[Any]:
    for count, row in enumerate(rows, start=1):
        if limit is not None and count > limit:
            raise _TooLong()
        yield row


def _dry_run(
    actor: User,
    job: ImportJob,
    sheet: reader.Sheet,
    *,
    limit: int | None = None,
    progress: Callable[[int], bool] | None = None,
) -> dict[str, Any]:
    """The dry run of the whole file (``_TooLong`` past ``limit`` rows). ``progress`` hears
    the rows judged after each batch; False from it stops the check (``_Superseded``)."""
    missing = _missing(job)
    titles = rows_module.column_titles(job.headers, job.mapping, job.target)
    rows = _limited(sheet.rows(), limit)
    if missing:
        return rows_module.dry_run(
            verdicts=[], titles=titles, total=sum(1 for _ in rows), missing=missing
        )

    def watched() -> Iterator[list[rows_module.Verdict]]:
        done = 0
        for batch in _verdicts(actor, job, rows):
            done += len(batch)
            yield batch
            if progress is not None and not progress(done):
                raise _Superseded()

    return rows_module.dry_run(verdicts=watched(), titles=titles)


def _check(actor: User, job: ImportJob, sheet: reader.Sheet | None = None) -> None:
    """The dry run now if the file is small (``SYNC_ROWS``), else in the background: the job
    waits as ``checking`` with its progress until the check is done."""
    sheet = sheet or _sheet(job)
    try:
        if (sheet.height or 0) > SYNC_ROWS + sheet.header_row:
            raise _TooLong()  # the workbook says so: not a row judged twice
        job.dry_run = _dry_run(actor, job, sheet, limit=SYNC_ROWS)
    except _TooLong:
        job.state = JobState.CHECKING
        job.check_token += 1
        job.dry_run = {}
        job.done_rows = 0
        token, pk = job.check_token, job.pk
        from .tasks import check_import

        transaction.on_commit(lambda: check_import.enqueue(job_id=pk, token=token))
        return
    job.total_rows = job.dry_run["rows"]
    job.state = JobState.READY


def import_check_run(*, job_id: int, token: int) -> ImportJob | None:
    """A large file's dry run (the background task): progress after each batch; the result
    kept only if no newer check was asked for meanwhile."""
    job = ImportJob.objects.filter(pk=job_id, state=JobState.CHECKING, check_token=token).first()
    if job is None:
        return None
    current = ImportJob.objects.filter(pk=job_id, state=JobState.CHECKING, check_token=token)

    def progress(done: int) -> bool:
        return bool(current.update(done_rows=done, updated_at=timezone.now()))

    try:
        summary = _dry_run(job.created_by, job, _sheet(job), progress=progress)
    except _Superseded:
        return None
    except DomainError as exc:
        summary = rows_module.dry_run(verdicts=[], titles={}, total=0, missing=exc.first_message)
    current.update(
        dry_run=summary,
        total_rows=summary["rows"],
        done_rows=0,
        state=JobState.READY,
        updated_at=timezone.now(),
    )
    return ImportJob.objects.get(pk=job_id)


# --- upload, mapping, dry run ---------------------------------------------------------------


@transaction.atomic
def import_upload(
    *, actor: User, stream: IO[bytes], name: str, size: int, target: str = Target.CUSTOMERS
) -> ImportJob:
    """Keep an uploaded file as a new import of ``target`` (customers; the contacts or the
    follow-up records of existing customers): its header found, the columns guessed, every row
    judged (the dry run). Nothing is written until the import is started."""
    require(actor, IMPORT_CUSTOMERS)
    if target not in Target.values:
        raise Invalid(fields={"target": _("不是有效的选项")})
    require(actor, ADD_CUSTOMER if target == Target.CUSTOMERS else related.ACTIONS[target])
    name = (name or "").strip()[-150:] or "upload"
    if size > MAX_BYTES:
        raise Invalid(fields={"file": _("文件不能超过 50 MB")})
    data = stream.read()
    sheet = reader.open_sheet(data, name)
    if next(sheet.rows(), None) is None:
        raise Invalid(fields={"file": _("文件中没有数据行")})
    job = ImportJob(
        target=target,
        created_by=actor,
        department_id=actor.department_id,
        file_name=name,
        header_row=sheet.header_row,
        headers=sheet.headers,
        mapping=guess(sheet.headers, target),
    )
    job.file.save(name, ContentFile(data), save=False)
    job.save()  # its id: a background check names it
    _check(actor, job, sheet)
    job.save()
    return job


def clean_mapping(
    headers: list[str], mapping: Mapping[str, Any], target: str = Target.CUSTOMERS
) -> dict[str, str]:
    """Column index → field of ``target``, each field once; blank: the column is not
    imported."""
    known = set(field_names(target))
    cleaned: dict[str, str] = {}
    for index, name in mapping.items():
        key = str(index)
        if not key.isdigit() or int(key) >= len(headers):
            raise Invalid(fields={"mapping": _("第 %(n)s 列不存在") % {"n": key}})
        if not name:
            continue
        if name not in known:
            raise Invalid(fields={"mapping": _("不能导入到“%(field)s”") % {"field": name}})
        if name in cleaned.values():
            raise Invalid(fields={"mapping": _("多列对应了同一字段，请只保留一列")})
        cleaned[key] = str(name)
    return cleaned


@transaction.atomic
def import_configure(
    *,
    actor: User,
    job_id: int,
    mapping: Mapping[str, Any] | None = None,
    duplicates: str | None = None,
) -> ImportJob:
    """Correct the column mapping and choose what a duplicate does; the dry run is redone."""
    job = _job(actor, job_id, lock=True)
    if job.state not in (JobState.READY, JobState.CHECKING):
        raise StateConflict(_("导入已开始，不能再修改"))
    if duplicates is not None:
        if duplicates not in DuplicatePolicy.values:
            raise Invalid(fields={"duplicates": _("不是有效的选项")})
        job.duplicates = duplicates
    if mapping is not None:
        job.mapping = clean_mapping(job.headers, mapping, job.target)
        _check(actor, job)
    job.save()
    return job


# --- saved mappings -------------------------------------------------------------------------


@transaction.atomic
def mapping_save(*, actor: User, job_id: int, name: str) -> SavedMapping:
    """Keep the job's mapping under ``name`` (by header text, for the next file)."""
    job = _job(actor, job_id)
    name = name.strip()[:50]
    if not name:
        raise Invalid(fields={"name": _("请填写方案名称")})
    by_title = {job.headers[int(i)]: f for i, f in job.mapping.items() if job.headers[int(i)]}
    saved, _created = SavedMapping.objects.update_or_create(
        user=actor, name=name, defaults={"columns": by_title}
    )
    return saved


def mapping_list(*, actor: User) -> list[SavedMapping]:
    require(actor, IMPORT_CUSTOMERS)
    return list(owned_by(SavedMapping.objects.all(), [actor.pk]))


@transaction.atomic
def mapping_apply(*, actor: User, job_id: int, mapping_id: int) -> ImportJob:
    """Map the job's columns by a saved mapping (columns it does not name keep the guess)."""
    saved = owned_by(SavedMapping.objects.all(), [actor.pk]).filter(pk=mapping_id).first()
    if saved is None:
        raise NotFound()
    job = _job(actor, job_id)
    mapping = dict(job.mapping)
    for i, title in enumerate(job.headers):
        if title in saved.columns:
            for k in [k for k, v in mapping.items() if v == saved.columns[title]]:
                del mapping[k]
            mapping[str(i)] = saved.columns[title]
    return import_configure(actor=actor, job_id=job_id, mapping=mapping)


# --- start, cancel, progress ----------------------------------------------------------------


def _stale(job: ImportJob) -> bool:
    return job.state == JobState.RUNNING and timezone.now() - job.updated_at > STALE_AFTER


@transaction.atomic
def import_start(*, actor: User, job_id: int) -> ImportJob:
    """Queue the run (or its resumption, after an interruption) in the background."""
    job = _job(actor, job_id, lock=True)
    require(actor, ADD_CUSTOMER if job.target == Target.CUSTOMERS else related.ACTIONS[job.target])
    if job.state == JobState.CHECKING:
        raise StateConflict(_("文件还在预检中，请稍候"))
    if not (job.state in (JobState.READY, JobState.FAILED) or _stale(job)):
        raise StateConflict(_("该导入已在进行或已结束"))
    missing = _missing(job)
    if missing:
        raise Invalid(fields={"mapping": missing})
    job.state = JobState.QUEUED
    job.cancel_requested = False
    job.message = ""
    job.save(update_fields=["state", "cancel_requested", "message", "updated_at"])
    if not job.started_at:
        ImportJob.objects.filter(pk=job.pk).update(done_rows=0)
    from .tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job_id=job.pk))
    return job


def resume_stalled(now: dt.datetime | None = None) -> list[int]:
    """Queue again the runs whose worker died mid-way (a crash, a restart, a power cut: the
    job still says running and has not been heard of for ``STALE_AFTER``): each goes on after
    its last committed batch. The scheduler calls this every few minutes in every worker; the
    conditional update lets one of them queue a job once."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    queued: list[int] = []
    stalled = ImportJob.objects.filter(state=JobState.RUNNING, updated_at__lt=cutoff)
    for pk in stalled.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = ImportJob.objects.filter(
                pk=pk, state=JobState.RUNNING, updated_at__lt=cutoff
            ).update(state=JobState.QUEUED, updated_at=timezone.now())
            if claimed:
                from .tasks import run_import

                transaction.on_commit(partial(run_import.enqueue, job_id=pk))
                queued.append(pk)
    checks = ImportJob.objects.filter(state=JobState.CHECKING, updated_at__lt=cutoff)
    for pk, token in checks.values_list("pk", "check_token"):
        with transaction.atomic():
            claimed = ImportJob.objects.filter(
                pk=pk, state=JobState.CHECKING, check_token=token, updated_at__lt=cutoff
            ).update(check_token=token + 1, done_rows=0, updated_at=timezone.now())
            if claimed:
                from .tasks import check_import

                transaction.on_commit(partial(check_import.enqueue, job_id=pk, token=token + 1))
                queued.append(pk)
    if queued:
        logger.warning("imports %s were interrupted and are resumed", queued)
    return queued


@transaction.atomic
def import_cancel(*, actor: User, job_id: int) -> ImportJob:
    """Stop a run after its current batch (what was committed stays, and can be undone)."""
    job = _job(actor, job_id, lock=True)
    if job.state in (JobState.CHECKING, JobState.READY, JobState.QUEUED, JobState.FAILED):
        job.state = JobState.CANCELLED
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "finished_at", "updated_at"])
    elif job.state == JobState.RUNNING:
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested", "updated_at"])
    else:
        raise StateConflict(_("该导入已结束"))
    return job


def import_get(*, actor: User, job_id: int) -> ImportJob:
    return _job(actor, job_id)


# --- the run --------------------------------------------------------------------------------


def _number_expression() -> Any:
    text = Cast("id", CharField())
    return Case(
        When(id__lt=10**6, then=Concat(Value("KH"), LPad(text, 6, Value("0")))),
        default=Concat(Value("KH"), text),
        output_field=CharField(),
    )


class _Writer:
    """Writes one batch's verdicts (inside the batch's transaction)."""

    def __init__(self, actor: User, job: ImportJob) -> None:
        self.actor = actor
        self.job = job
        self.cadence = lifecycle.cadence_table()
        self.makers: dict[int, Callable[[], Customer]] = {}  # by owner
        self.tags: dict[str, Tag] = {}
        self.counts = {o: 0 for o in Outcome.values}

    def batch(self, verdicts: list[rows_module.Verdict], titles: Mapping[str, str]) -> None:
        records: list[_Record] = []
        new: list[tuple[rows_module.Verdict, Customer]] = []
        for v in verdicts:
            record = _Record(v.row)
            if v.cleaned is None:
                name, message = next(iter(v.errors.items()))
                self._failed(record, v, titles.get(name.split(".")[0], name), message)
            elif v.twin is not None or v.existing is not None:
                self._duplicate(record, v, new)
            else:
                new.append((v, self._customer(v, v.cleaned)))
                record.outcome = Outcome.CREATED
            records.append(record)
        created = self._insert(new)
        by_row = {v.row: c for v, c in new}
        for record in records:
            if record.outcome == Outcome.CREATED:
                customer = by_row[record.row]
                if customer.pk is None:
                    record.outcome = Outcome.FAILED
                    record.message = _("与已有客户重复（导入时刚被他人录入）")
                    record.values = _plain(next(v.values for v, _c in new if v.row == record.row))
                else:
                    record.customer = customer
            self.counts[record.outcome] += 1
        insert_rows(ImportRow, [r.values_for(self.job) for r in records])
        self._after_insert(created)

    def _failed(self, record: _Record, v: rows_module.Verdict, column: str, message: str) -> None:
        _fail(record, v, column, message)

    def _duplicate(
        self,
        record: _Record,
        v: rows_module.Verdict,
        new: list[tuple[rows_module.Verdict, Customer]],
    ) -> None:
        assert v.cleaned is not None
        record.existing = v.existing
        message = v.duplicate_message()
        policy = self.job.duplicates
        if policy == DuplicatePolicy.NEW:
            if v.duplicate_field == "name":
                self._failed(record, v, "", _("单位名称与已有客户重复，不能作为新客户导入"))
                return
            cleaned = {k: val for k, val in v.cleaned.items() if k != v.duplicate_field}
            note = _("导入时%(message)s，该项未填入") % {"message": message}
            cleaned["notes"] = "\n".join(p for p in (cleaned.get("notes", ""), note) if p)[:5000]
            new.append((v, self._customer(v, cleaned)))
            record.outcome = Outcome.CREATED
            record.message = message[:500]
        elif policy == DuplicatePolicy.UPDATE and v.twin is None and v.existing is not None:
            try:
                with transaction.atomic():
                    customer_services.customer_update(
                        actor=self.actor,
                        customer_id=v.existing.pk,
                        version=Customer.objects.get(pk=v.existing.pk).version,
                        data=_changes(v.cleaned, v.existing),
                    )
            except DomainError as exc:
                self._failed(record, v, "", exc.first_message)
                return
            record.outcome = Outcome.UPDATED
            record.customer = v.existing
        else:
            record.outcome = Outcome.SKIPPED
            record.message = message[:500]

    def _customer(self, v: rows_module.Verdict, cleaned: Mapping[str, Any]) -> Customer:
        owner = v.owner or self.actor
        make = self.makers.get(owner.pk)
        if make is None:
            make = self.makers[owner.pk] = instance_maker(
                Customer, owner=owner, department_id=owner.department_id, created_by=self.actor
            )
        customer = make()
        customer_services._apply(customer, cleaned)  # the single create's field writer
        if customer.category == Category.INTENTION:
            customer.graded_at = timezone.now()
        customer.next_due_on = lifecycle.compute_due(customer, self.cadence)
        customer.__dict__["_import_tags"] = cleaned.get(TAGS) or []
        return customer

    def _insert(self, new: list[tuple[rows_module.Verdict, Customer]]) -> list[Customer]:
        customers = [c for _v, c in new]
        if not customers:
            return []
        try:
            with transaction.atomic():
                insert_objects(Customer, customers)
        except IntegrityError:
            # someone entered one of these meanwhile: one by one, the duplicate refused
            for c in customers:
                c.pk = None
                c._state.adding = True
                try:
                    with transaction.atomic():
                        c.save()
                except IntegrityError:
                    c.pk = None
        done = [c for c in customers if c.pk is not None]
        if done:
            # by range, not a list of a thousand ids: a customer someone else created in the
            # range meanwhile gets the number its own save gives it (the same expression)
            ids = [c.pk for c in done]
            Customer.objects.filter(pk__gte=min(ids), pk__lte=max(ids), number__isnull=True).update(
                number=_number_expression()
            )
        return done

    def _after_insert(self, created: list[Customer]) -> None:
        if not created:
            return
        self._tag(created)
        search.write(
            [
                (c.pk, c.name, c.company, [c.phone] if c.phone else [], c.owner_id, c.department_id)
                for c in created
            ],
            replace=False,
            pinyin_cache=None,  # the lru_cache of pinyin_keys: bounded, a million names are not
        )
        entering = [c for c in created if c.category not in (Category.POTENTIAL, Category.BASE)]
        # the contact-status figures of the batch's entries: one statement, not one per row
        for c in entering:
            c.number = f"KH{c.pk:06d}"  # as _number_expression wrote it
        with contact_status.deferred():
            lifecycle.record_entries(actor=self.actor, customers=entering)

    def _tag(self, created: list[Customer]) -> None:
        wanted = {n for c in created for n in c.__dict__.get("_import_tags", [])}
        missing = wanted - set(self.tags)
        if missing:
            self.tags.update({t.name: t for t in Tag.objects.filter(name__in=missing)})
            for name in missing - set(self.tags):
                self.tags[name] = Tag.objects.create(name=name)
        through = Customer.tags.through
        links = [
            through(customer_id=c.pk, tag_id=self.tags[n].pk)
            for c in created
            for n in c.__dict__.get("_import_tags", [])
        ]
        if links:
            through.objects.bulk_create(links, ignore_conflicts=True)


class _RelatedWriter:
    """Writes one batch of a contact, follow-up or purchase import: each valid row through the
    entity's own service (crm.imports.related), a failure of the service failing that row
    alone."""

    def __init__(self, actor: User, job: ImportJob) -> None:
        self.actor = actor
        self.job = job
        self.counts = {o: 0 for o in Outcome.values}
        self.orders: dict[int, int] = {}  # a purchase import: row → the order written from it

    def batch(self, verdicts: list[rows_module.Verdict], titles: Mapping[str, str]) -> None:
        records: list[_Record] = []
        for v in verdicts:
            record = _Record(v.row, customer=v.customer)
            if v.cleaned is None:
                name, message = next(iter(v.errors.items()))
                _fail(record, v, titles.get(name.split(".")[0], name), message)
            elif v.duplicate_field:
                record.outcome = Outcome.SKIPPED
                record.message = related.duplicate_message(self.job.target, v)[:500]
            else:
                try:
                    record.object_id, record.message = self._write(v)
                except DomainError as exc:
                    _fail(record, v, "", exc.first_message)
                else:
                    record.outcome = Outcome.CREATED
            self.counts[record.outcome] += 1
            records.append(record)
        insert_rows(ImportRow, [r.values_for(self.job) for r in records])
        if len(self.orders) > 10 * rows_module.BATCH:
            self.orders.clear()  # bounded: an earlier batch's orders are found by their rows

    def _write(self, v: rows_module.Verdict) -> tuple[int, str]:
        """The row written (its record's id), and what to say of it: a purchase row that joins
        an earlier row's shop order (``lead``) becomes one more line of that order."""
        if v.lead is None:
            pk = related.write(self.actor, self.job.target, v)
            if self.job.target == Target.PURCHASES:
                self.orders[v.row] = pk
            return pk, ""
        order_id = self._order_of(v.lead)
        if order_id is None:  # the first row's order was not written: this row's is the order
            pk = self.orders[v.lead] = related.write(self.actor, self.job.target, v)
            return pk, ""
        related.write_line(self.actor, v, order_id)
        return order_id, _("并入第 %(row)s 行的订单") % {"row": v.lead}

    def _order_of(self, lead: int) -> int | None:
        """The order written from row ``lead``: in this batch, or an earlier one's (a
        resumed run's too)."""
        if lead in self.orders:
            return self.orders[lead]
        written = ImportRow.objects.filter(job=self.job, row=lead, outcome=Outcome.CREATED)
        pk = written.values_list("object_id", flat=True).first()
        if pk is not None:
            self.orders[lead] = pk
        return pk


class _Record:
    """An ``ImportRow`` to be: plain attributes, written with the batch's others in one
    INSERT (a model instance per row was a sixth of an import's time)."""

    __slots__ = (
        "column",
        "customer",
        "existing",
        "message",
        "object_id",
        "outcome",
        "row",
        "values",
    )

    def __init__(self, row: int, customer: Customer | None = None) -> None:
        self.row = row
        self.outcome = ""
        self.customer = customer
        self.existing: Customer | None = None
        self.object_id: int | None = None
        self.column = ""
        self.message = ""
        self.values: list[Any] = []

    def values_for(self, job: ImportJob) -> dict[str, Any]:
        return {
            "job_id": job.pk,
            "row": self.row,
            "outcome": self.outcome,
            "customer_id": self.customer.pk if self.customer is not None else None,
            "existing_id": self.existing.pk if self.existing is not None else None,
            "object_id": self.object_id,
            "column": self.column,
            "message": self.message,
            "values": self.values,
        }


def _fail(record: _Record, v: rows_module.Verdict, column: str, message: str) -> None:
    record.outcome = Outcome.FAILED
    record.column = str(column)[:100]
    record.message = str(message)[:500]
    record.values = _plain(v.values)


def _plain(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v is None or isinstance(v, str | int | float | bool):
            out.append(v)
        else:
            out.append(str(v))
    return out


def _changes(cleaned: Mapping[str, Any], existing: Customer) -> dict[str, Any]:
    """A duplicate's row as an update of the existing customer: the fields the row fills, not
    its category and grade (those change through a transition), not its owner (a transfer);
    tags added to the customer's."""
    data = {k: v for k, v in cleaned.items() if k not in _LIFECYCLE and k not in (OWNER, TAGS)}
    if cleaned.get(TAGS):
        current = Customer.objects.get(pk=existing.pk).tag_names
        data[TAGS] = sorted(set(current) | set(cleaned[TAGS]))
    return data


def _claim(job_id: int) -> ImportJob | None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not (job.state in (JobState.QUEUED, JobState.FAILED) or _stale(job)):
            return None
        job.state = JobState.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["state", "started_at", "updated_at"])
        return job


def import_run(*, job_id: int) -> ImportJob | None:
    """Run (or resume) an import: the rows after the checkpoint, batch by batch; each batch
    commits with its rows and the checkpoint. Called by the background task."""
    job = _claim(job_id)
    if job is None:
        return None
    actor = job.created_by
    with context.bind(job_id=f"import-{job.pk}"):
        try:
            return _run(actor, job)
        except Exception as exc:
            logger.exception("import %s stopped", job.pk)
            ImportJob.objects.filter(pk=job.pk).update(
                state=JobState.FAILED, message=str(exc)[:500], updated_at=timezone.now()
            )
            raise


def _run(actor: User, job: ImportJob) -> ImportJob:
    require(actor, IMPORT_CUSTOMERS)
    sheet = _sheet(job)
    titles = rows_module.column_titles(job.headers, job.mapping, job.target)
    writer: _Writer | _RelatedWriter
    if job.target == Target.CUSTOMERS:
        require(actor, ADD_CUSTOMER)
        writer = _Writer(actor, job)
    else:
        require(actor, related.ACTIONS[job.target])
        writer = _RelatedWriter(actor, job)
    for verdicts in _verdicts(actor, job, sheet.rows()):
        todo = [v for v in verdicts if v.row > job.checkpoint]
        if not todo:
            continue
        fresh = ImportJob.objects.only("cancel_requested").get(pk=job.pk)
        if fresh.cancel_requested:
            return _finish(actor, job, JobState.CANCELLED)
        with transaction.atomic():
            writer.counts = {o: 0 for o in Outcome.values}
            writer.batch(todo, titles)
            job.checkpoint = todo[-1].row
            ImportJob.objects.filter(pk=job.pk).update(
                checkpoint=job.checkpoint,
                done_rows=F("done_rows") + len(todo),
                created_count=F("created_count") + writer.counts[Outcome.CREATED],
                updated_count=F("updated_count") + writer.counts[Outcome.UPDATED],
                skipped_count=F("skipped_count") + writer.counts[Outcome.SKIPPED],
                failed_count=F("failed_count") + writer.counts[Outcome.FAILED],
                updated_at=timezone.now(),
            )
    return _finish(actor, job, JobState.DONE)


@transaction.atomic
def _finish(actor: User, job: ImportJob, state: str) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    job.state = state
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "finished_at", "updated_at"])
    audit.record(
        actor=actor,
        verb="import.completed" if state == JobState.DONE else "import.cancelled",
        obj=job,
        details={
            "target": job.target,
            "file": job.file_name,
            "rows": job.total_rows,
            "created": job.created_count,
            "updated": job.updated_count,
            "skipped": job.skipped_count,
            "failed": job.failed_count,
            "duplicates": job.duplicates,
        },
    )
    return job


# --- result: the error file, the undo -------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def error_file(*, actor: User, job_id: int) -> tuple[str, bytes]:
    """The failed rows as they were read, with the row number and the reason in Chinese: to
    correct and import again. Formula-looking text stays text."""
    job = _job(actor, job_id)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("导入失败的行"))
    header = [_("行号"), _("出错的列"), _("原因"), *job.headers]

    def line(values: list[Any]) -> list[Any]:
        cells = []
        for value in values:
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(sheet)
            safe_cell(cell, value)
            cells.append(cell)
        return cells

    sheet.append(line(header))
    failed = ImportRow.objects.filter(job=job, outcome=Outcome.FAILED).order_by("row")
    for r in failed.iterator(chunk_size=2000):
        sheet.append(line([r.row, r.column, r.message, *r.values]))
    out = io.BytesIO()
    book.save(out)
    return f"{job.number}-errors.xlsx", out.getvalue()


@transaction.atomic
def import_undo(*, actor: User, job_id: int) -> ImportJob:
    """Take back an import (in the background: a hundred thousand rows are as many deletes):
    the customers it created that are as imported (version 1, no follow-up) go to the recycle
    bin through ``customer_delete``; the others stay, counted (``undo_kept``)."""
    job = _job(actor, job_id, lock=True)
    if job.state not in (JobState.DONE, JobState.CANCELLED, JobState.FAILED):
        raise StateConflict(_("只能撤销已结束的导入"))
    if job.target == Target.FOLLOWUPS:
        raise StateConflict(_("跟进记录是客户的历史记录，导入后不能撤销"))
    job.state = JobState.UNDONE  # claimed: a second undo is refused
    job.save(update_fields=["state", "updated_at"])
    from .tasks import undo_import

    transaction.on_commit(lambda: undo_import.enqueue(job_id=job.pk, actor_id=actor.pk))
    return job


def import_undo_run(*, job_id: int, actor_id: int) -> ImportJob | None:
    """The undo's work (the background task), once."""
    job = ImportJob.objects.filter(pk=job_id, state=JobState.UNDONE, undone_at=None).first()
    actor = User.objects.filter(pk=actor_id, is_active=True).first()
    if job is None or actor is None:
        return None
    if job.target != Target.CUSTOMERS:
        return _undo_related(job, actor)
    removed = kept = 0
    created = ImportRow.objects.filter(
        job=job, outcome=Outcome.CREATED, customer__deleted_at__isnull=True
    ).values_list("customer_id", flat=True)
    touched = set(
        FollowUp.objects.filter(customer_id__in=created).values_list("customer_id", flat=True)
    )
    with context.bind(job_id=f"import-{job.pk}"):
        for pk in list(created):
            if pk in touched:
                kept += 1
                continue
            try:
                with transaction.atomic():
                    customer_services.customer_delete(actor=actor, customer_id=pk, version=1)
            except DomainError:
                kept += 1
            else:
                removed += 1
        _undone(job, actor, removed, kept)
    return job


def _undo_related(job: ImportJob, actor: User) -> ImportJob:
    removed = kept = 0
    created = ImportRow.objects.filter(job=job, outcome=Outcome.CREATED).values_list(
        "customer_id", "object_id"
    )
    outcome: dict[int, bool] = {}  # by record: the rows of one shop order share it
    with context.bind(job_id=f"import-{job.pk}"):
        for customer_id, object_id in list(created):
            if not (customer_id and object_id):
                kept += 1
                continue
            if object_id not in outcome:
                outcome[object_id] = related.undo(actor, job.target, customer_id, object_id)
            if outcome[object_id]:
                removed += 1
            else:
                kept += 1
        _undone(job, actor, removed, kept)
    return job


def _undone(job: ImportJob, actor: User, removed: int, kept: int) -> None:
    with transaction.atomic():
        job.undone_at = timezone.now()
        job.undo_removed, job.undo_kept = removed, kept
        job.save(update_fields=["undone_at", "undo_removed", "undo_kept", "updated_at"])
        audit.record(
            actor=actor,
            verb="import.undone",
            obj=job,
            details={"removed": removed, "kept": kept},
        )
