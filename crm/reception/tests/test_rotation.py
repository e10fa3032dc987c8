"""The rotation of 顾客门户管理规定, as the seed states it, on plain seats."""

from __future__ import annotations

from dataclasses import dataclass

from crm.reception import rotation
from crm.reception.choices import SeatStatus

ON, AWAY, BUSY, OFF = SeatStatus.ON_DUTY, SeatStatus.AWAY, SeatStatus.BUSY, SeatStatus.OFF


@dataclass
class S:
    pk: int
    position: int
    status: str = ON
    owed: int = 0


def _seats(*statuses: str) -> list[S]:
    return [S(pk=i + 1, position=i, status=st) for i, st in enumerate(statuses)]


def test_the_next_new_customer_goes_to_the_next_rep_in_order_who_is_on_duty_and_free() -> None:
    seats = _seats(ON, ON, ON)
    assert rotation.next_turn(seats, -1).seat.pk == 1  # type: ignore[union-attr]
    assert rotation.next_turn(seats, 0).seat.pk == 2  # type: ignore[union-attr]
    assert rotation.next_turn(seats, 2).seat.pk == 1  # type: ignore[union-attr]  # wraps


def test_a_rep_busy_with_a_customer_or_off_is_passed_over_and_earns_nothing() -> None:
    seats = _seats(ON, BUSY, OFF, ON)
    turn = rotation.next_turn(seats, 0)
    assert turn is not None
    assert turn.seat.pk == 4
    assert turn.passed_away == ()


def test_a_rep_away_on_business_is_passed_over_and_each_passed_turn_is_owed() -> None:
    seats = _seats(ON, AWAY, ON)
    turn = rotation.next_turn(seats, 0)
    assert turn is not None
    assert turn.seat.pk == 3
    assert [s.pk for s in turn.passed_away] == [2]


def test_back_from_business_the_make_up_turns_are_served_first() -> None:
    seats = _seats(ON, ON, ON)
    seats[1].owed = 2
    turn = rotation.next_turn(seats, 2)
    assert turn is not None
    assert turn.seat.pk == 2
    assert turn.make_up


def test_nobody_on_duty_and_free_means_no_turn() -> None:
    assert rotation.next_turn(_seats(BUSY, AWAY, OFF), 0) is None


def test_the_screen_shows_who_is_next_and_who_follows() -> None:
    seats = _seats(ON, BUSY, ON, ON)
    assert [s.pk for s in rotation.line(seats, 0, 2)] == [3, 4]
    # the rep next in line takes a customer and is busy: the one after follows, round again
    assert [s.pk for s in rotation.line(seats, 3, 2)] == [1, 3]
