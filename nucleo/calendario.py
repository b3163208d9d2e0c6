"""Archivos de calendario (.ics, RFC 5545) para guardar una sesión en el calendario del teléfono.

Se escribe a mano (sin dependencias): un VCALENDAR con un VEVENT y el VTIMEZONE de
America/Mexico_City. México no tiene horario de verano desde el 30 de octubre de 2022,
así que la zona es una sola regla STANDARD a -06:00 desde entonces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

ZONA = "America/Mexico_City"
PRODID = "-//SEDETRA Puebla//Coopera Puebla//ES"
LARGO_LINEA = 75  # octetos, sin contar el CRLF

_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{ZONA}",
    "BEGIN:STANDARD",
    "DTSTART:20221030T020000",
    "TZOFFSETFROM:-0500",
    "TZOFFSETTO:-0600",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
)


@dataclass(frozen=True)
class Evento:
    uid: str  # estable: la misma sesión siempre da el mismo UID (el calendario la actualiza)
    inicio: datetime
    fin: datetime
    titulo: str
    lugar: str | None = None
    descripcion: str | None = None
    url: str | None = None


def escapar(texto: str) -> str:
    """Escapa un valor TEXT: \\ ; , y saltos de línea."""
    return (texto.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def plegar(linea: str) -> str:
    """Parte una línea en trozos de hasta 75 octetos (sin cortar un carácter UTF-8).
    Cada trozo que sigue empieza con un espacio, que también cuenta."""
    trozos: list[str] = []
    actual, octetos, limite = "", 0, LARGO_LINEA
    for caracter in linea:
        largo = len(caracter.encode("utf-8"))
        if octetos + largo > limite:
            trozos.append(actual)
            actual, octetos, limite = " ", 1, LARGO_LINEA
        actual += caracter
        octetos += largo
    trozos.append(actual)
    return "\r\n".join(trozos)


def _local(momento: datetime) -> str:
    return momento.astimezone(ZoneInfo(ZONA)).strftime("%Y%m%dT%H%M%S")


def _utc(momento: datetime) -> str:
    return momento.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendario(evento: Evento, ahora: datetime) -> bytes:
    """El .ics completo, en UTF-8 con fines de línea CRLF."""
    lineas = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *_VTIMEZONE,
        "BEGIN:VEVENT",
        f"UID:{escapar(evento.uid)}",
        f"DTSTAMP:{_utc(ahora)}",
        f"DTSTART;TZID={ZONA}:{_local(evento.inicio)}",
        f"DTEND;TZID={ZONA}:{_local(evento.fin)}",
        f"SUMMARY:{escapar(evento.titulo)}",
    ]
    if evento.lugar:
        lineas.append(f"LOCATION:{escapar(evento.lugar)}")
    if evento.descripcion:
        lineas.append(f"DESCRIPTION:{escapar(evento.descripcion)}")
    if evento.url and not any(c.isspace() or not c.isprintable() for c in evento.url):
        lineas.append(f"URL:{evento.url}")  # URI: va tal cual, sin escapar
    lineas += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(plegar(linea) for linea in lineas) + "\r\n").encode("utf-8")
