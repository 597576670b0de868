"""Solar Hijri (Jalali, Iran/Afghanistan) and Islamic (Hijri) dates to Gregorian.

Solar Hijri: the arithmetic of Kazimierz Borkowski's algorithm as published in
jalaali-js (the 2,820-year cycle with the "breaks" of the 33-year sub-cycles),
which agrees with the astronomical (Tehran vernal equinox) calendar for
-61..3177 SH; checked day by day against ``convertdate.persian`` and
``jdatetime`` for 1300-1500 SH while writing it (tests keep known Nowruz dates).

Islamic: the Umm al-Qura calendar (Saudi Arabia's official one, what Arabic
news sites print), from the ``hijridate`` tables (1343-1500 AH, 1924-2077 CE);
outside them nothing is returned rather than a guess.
"""

from __future__ import annotations

from datetime import date, timedelta

_BREAKS = (-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178)


def _div(a: int, b: int) -> int:  # truncating, as jalaali-js's ~~(a / b)
    return int(a / b)


def _mod(a: int, b: int) -> int:
    return a - _div(a, b) * b


def _nowruz(jy: int) -> tuple[date, bool]:
    """The Gregorian date of 1 Farvardin ``jy`` and whether ``jy`` is a leap year."""
    gy = jy + 621
    leap_j = -14
    jp = _BREAKS[0]
    jump = 0
    for jm in _BREAKS[1:]:
        jump = jm - jp
        if jy < jm:
            break
        leap_j += _div(jump, 33) * 8 + _div(_mod(jump, 33), 4)
        jp = jm
    n = jy - jp
    leap_j += _div(n, 33) * 8 + _div(_mod(n, 33) + 3, 4)
    if _mod(jump, 33) == 4 and jump - n == 4:
        leap_j += 1
    leap_g = _div(gy, 4) - _div((_div(gy, 100) + 1) * 3, 4) - 150
    march = 20 + leap_j - leap_g
    if jump - n < 6:
        n = n - jump + _div(jump + 4, 33) * 33
    leap = _mod(_mod(n + 1, 33) - 1, 4)
    if leap == -1:
        leap = 4
    return date(gy, 3, march), leap == 0


def solar_hijri_to_gregorian(year: int, month: int, day: int) -> date | None:
    """``1397, 6, 6`` -> 2018-08-28; None for a day the month does not have."""
    if not (1 <= month <= 12 and day >= 1 and 1 <= year <= 3000):
        return None
    first, leap = _nowruz(year)
    length = 31 if month <= 6 else 30 if month <= 11 else 30 if leap else 29
    if day > length:
        return None
    offset = (month - 1) * 31 if month <= 7 else 6 * 31 + (month - 7) * 30
    return first + timedelta(days=offset + day - 1)


def hijri_to_gregorian(year: int, month: int, day: int) -> date | None:
    """Umm al-Qura: ``1439, 12, 17`` -> 2018-08-28; None outside 1343-1500 AH or
    for a day the month does not have."""
    if not (1343 <= year <= 1500 and 1 <= month <= 12 and 1 <= day <= 30):
        return None
    from hijridate import Hijri  # imported only when an Islamic date is met (6 ms)

    try:
        gregorian = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None
    return date(gregorian.year, gregorian.month, gregorian.day)
