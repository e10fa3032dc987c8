"""The rotation of 顾客门户管理规定 (轮流接待), as plain functions over a desk's seats.

Written by hand: it is the company's own rule and no library has it. The rules:

- reps are seated in order (排序表); the next new customer goes to the next rep after the one
  who took the last turn who is on duty and free (在岗);
- a rep passed over because they were away on business (外出) earns a make-up turn for each
  turn that passed them (空几轮，补接几名新客户): back on duty, they are served first, one new
  customer per turn owed, and the rotation's place does not move for a make-up turn;
- a rep busy with a customer (接待中) or off (休息) is passed over and earns nothing;
- the screen shows who is serving, who is next (at the desk, ready) and who follows.

The functions only decide; ``crm.reception.services`` applies the decision under the desk's
lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from .choices import SeatStatus


class SeatLike(Protocol):
    pk: int
    position: int
    status: str
    owed: int


@dataclass(frozen=True)
class Turn:
    """Who takes the next new customer: ``seat``; ``make_up`` when it is a turn owed;
    ``passed_away``: the seats away on business that this turn passes (each earns one)."""

    seat: SeatLike
    make_up: bool = False
    passed_away: tuple[SeatLike, ...] = field(default_factory=tuple)


def _order(seats: Sequence[SeatLike]) -> list[SeatLike]:
    return sorted(seats, key=lambda s: (s.position, s.pk))


def _after(seats: Sequence[SeatLike], last_position: int) -> list[SeatLike]:
    """Every seat once, in order, starting with the first after ``last_position``."""
    ordered = _order(seats)
    later = [s for s in ordered if s.position > last_position]
    return later + [s for s in ordered if s.position <= last_position]


def next_turn(seats: Sequence[SeatLike], last_position: int) -> Turn | None:
    """The next new customer's rep, or None when nobody is on duty and free."""
    order = _after(seats, last_position)
    for seat in order:
        if seat.status == SeatStatus.ON_DUTY and seat.owed > 0:
            return Turn(seat=seat, make_up=True)
    passed: list[SeatLike] = []
    for seat in order:
        if seat.status == SeatStatus.ON_DUTY:
            return Turn(seat=seat, passed_away=tuple(passed))
        if seat.status == SeatStatus.AWAY:
            passed.append(seat)
    return None


@dataclass
class _Sim:
    pk: int
    position: int
    status: str
    owed: int


def line(seats: Sequence[SeatLike], last_position: int, length: int = 2) -> list[SeatLike]:
    """Who takes the next ``length`` new customers if nothing else changes: the rep at the desk
    (next) and the one who follows. Each takes their customer and is then busy."""
    sims = {s.pk: _Sim(s.pk, s.position, s.status, s.owed) for s in seats}
    by_pk = {s.pk: s for s in seats}
    found: list[SeatLike] = []
    position = last_position
    for _ in range(length):
        turn = next_turn(list(sims.values()), position)
        if turn is None:
            break
        taken = sims[turn.seat.pk]
        found.append(by_pk[taken.pk])
        if turn.make_up:
            taken.owed -= 1
        else:
            position = taken.position
            for away in turn.passed_away:
                sims[away.pk] = replace(sims[away.pk], owed=sims[away.pk].owed + 1)
        taken.status = SeatStatus.BUSY
    return found
