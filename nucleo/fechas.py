"""Fechas y horas para personas, con babel, en el idioma de cada quien y la hora de Puebla.

México no cambia de horario desde 2022: lo sabe tzdata (dependencia del proyecto).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, format_time

from nucleo.textos import Traductor


def fecha_larga(dia: date | datetime, traductor: Traductor, zona: ZoneInfo) -> str:
    """Por ejemplo «miércoles, 25 de noviembre de 2026»."""
    if isinstance(dia, datetime):
        dia = dia.astimezone(zona).date()
    return format_date(dia, "full", locale=traductor.locale)


def fecha_corta(dia: date | datetime, traductor: Traductor, zona: ZoneInfo) -> str:
    """Por ejemplo «25 de noviembre de 2026»."""
    if isinstance(dia, datetime):
        dia = dia.astimezone(zona).date()
    return format_date(dia, "long", locale=traductor.locale)


def hora(momento: datetime, traductor: Traductor, zona: ZoneInfo) -> str:
    """Por ejemplo «5:30 p.m.» (babel pone un espacio fino irrompible antes de «p.m.»)."""
    return format_time(momento.astimezone(zona), "short", locale=traductor.locale)


def fecha_y_hora(momento: datetime, traductor: Traductor, zona: ZoneInfo) -> str:
    """Por ejemplo «mié, 25 nov 2026, 5:30 p.m.»: cabe en una línea de teléfono."""
    local = momento.astimezone(zona)
    dia = format_skeleton("yMMMEd", local, locale=traductor.locale)
    return f"{dia}, {hora(local, traductor, zona)}"
