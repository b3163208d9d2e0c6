"""El horario en que el personal de asesoría contesta (COOPERA_HORARIO_ASESORIA).

Se escribe como en un letrero: días y horas, en hora local; varios tramos van separados por
«;». Días: L, M, Mi (o X), J, V, S, D; un rango con guion («L-V») o una lista con comas
(«L,Mi,V»). Por ejemplo ``L-V 09:00-17:00`` o ``L-V 09:00-15:00; S 10:00-13:00``.

A la persona se le dice en su idioma («lunes a viernes, de 9:00 a 17:00») y, si escribe fuera
de ese horario, desde cuándo le pueden contestar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_time, get_day_names

from nucleo.textos import Traductor

DIAS = {"L": 0, "M": 1, "MI": 2, "X": 2, "J": 3, "V": 4, "S": 5, "D": 6}
_TRAMO = re.compile(r"^\s*(?P<dias>[A-Za-z,\s-]+?)\s+(?P<desde>\d{1,2}:\d{2})\s*-\s*"
                    r"(?P<hasta>\d{1,2}:\d{2})\s*$")
EJEMPLO = "L-V 09:00-17:00"


@dataclass(frozen=True)
class Tramo:
    dias: tuple[int, ...]  # 0 = lunes ... 6 = domingo, en orden
    desde: time
    hasta: time


@dataclass(frozen=True)
class HorarioAtencion:
    tramos: tuple[Tramo, ...]

    @classmethod
    def leer(cls, texto: str) -> HorarioAtencion:
        """Lee el horario; lanza ValueError con lo que está mal (para una persona)."""
        partes = [p for p in texto.split(";") if p.strip()]
        if not partes:
            raise ValueError("está vacío")
        return cls(tuple(_tramo(parte) for parte in partes))

    def abierto(self, momento: datetime, zona: ZoneInfo) -> bool:
        return self.siguiente_apertura(momento, zona) == momento

    def siguiente_apertura(self, momento: datetime, zona: ZoneInfo) -> datetime:
        """`momento` si ahora se atiende; si no, cuándo empieza el siguiente tramo."""
        local = momento.astimezone(zona)
        for dias in range(8):
            dia = local.date() + timedelta(days=dias)
            for inicio, fin in self._tramos_del_dia(dia, zona):
                if inicio <= local < fin:
                    return momento
                if local < inicio:
                    return inicio.astimezone(momento.tzinfo)
        raise AssertionError("un horario con tramos abre al menos una vez por semana")

    def _tramos_del_dia(self, dia: date, zona: ZoneInfo) -> list[tuple[datetime, datetime]]:
        return sorted((datetime.combine(dia, t.desde, zona), datetime.combine(dia, t.hasta, zona))
                      for t in self.tramos if dia.weekday() in t.dias)

    def describir(self, _: Traductor) -> str:
        """Por ejemplo «lunes a viernes, de 9:00 a 17:00; sábado, de 10:00 a 13:00»."""
        return "; ".join(
            _("{dias}, de {desde} a {hasta}").format(
                dias=_nombrar_dias(tramo.dias, _), desde=_hora(tramo.desde, _),
                hasta=_hora(tramo.hasta, _))
            for tramo in self.tramos)


def _tramo(texto: str) -> Tramo:
    coincidencia = _TRAMO.match(texto)
    if coincidencia is None:
        raise ValueError(f"no entiendo {texto.strip()!r}: escribe los días y luego las horas, "
                         f"por ejemplo {EJEMPLO}")
    desde, hasta = (_leer_hora(coincidencia.group(c)) for c in ("desde", "hasta"))
    if desde >= hasta:
        raise ValueError(f"en {texto.strip()!r} la hora de inicio debe ser antes que la de "
                         "cierre (sin pasar de la medianoche)")
    return Tramo(_leer_dias(coincidencia.group("dias")), desde, hasta)


def _leer_dias(texto: str) -> tuple[int, ...]:
    dias: set[int] = set()
    for pieza in (p.strip().upper() for p in texto.split(",")):
        extremos = [e.strip() for e in pieza.split("-")]
        if len(extremos) > 2 or any(e not in DIAS for e in extremos):
            raise ValueError(f"no conozco el día {pieza!r}: usa L, M, Mi (o X), J, V, S o D")
        primero, ultimo = DIAS[extremos[0]], DIAS[extremos[-1]]
        if ultimo < primero:
            raise ValueError(f"el rango {pieza!r} va hacia atrás: escribe por ejemplo L-V")
        dias.update(range(primero, ultimo + 1))
    return tuple(sorted(dias))


def _leer_hora(texto: str) -> time:
    horas, minutos = (int(p) for p in texto.split(":"))
    if horas > 23 or minutos > 59:
        raise ValueError(f"{texto!r} no es una hora válida (de 00:00 a 23:59)")
    return time(horas, minutos)


def _hora(valor: time, _: Traductor) -> str:
    return format_time(valor, "short", locale=_.locale)


def _nombrar_dias(dias: tuple[int, ...], _: Traductor) -> str:
    """«lunes a viernes», «lunes, miércoles y viernes» o «sábado»."""
    nombres = get_day_names("wide", locale=_.locale)
    seguidos = len(dias) > 2 and dias == tuple(range(dias[0], dias[-1] + 1))
    if seguidos:
        return _("{primero} a {ultimo}").format(primero=nombres[dias[0]],
                                               ultimo=nombres[dias[-1]])
    if len(dias) == 1:
        return nombres[dias[0]]
    return _("{varios} y {ultimo}").format(
        varios=", ".join(nombres[d] for d in dias[:-1]), ultimo=nombres[dias[-1]])
