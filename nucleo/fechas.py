"""Fechas y horas para personas, con babel, en el idioma de cada quien y la hora de Puebla.

México no cambia de horario desde 2022: lo sabe tzdata (dependencia del proyecto).

Cómo se lee una fecha (`fecha_y_hora`, la única para fechas con hora que ve una persona):
«jueves 3 de diciembre, 10:00 a. m.» (en inglés «Thursday, December 3, 10:00 AM»): el día de
la semana y el mes completos, sin abreviaturas. El año solo va si la fecha no es de este año o
está a más de medio año (antes o después): «jueves 7 de enero de 2027, 9:00 a. m.».

La hora es la de babel (`format_time`, «short»), con dos retoques de espacios, que no cambian
las letras:
- babel (CLDR 42 en adelante) pone un espacio fino irrompible (U+202F) antes de «a.m.»/«p.m.»;
  no todas las fuentes de los teléfonos lo tienen (se ve un cuadrito). Se cambia por el espacio
  irrompible común (U+00A0): se ve como un espacio y la hora no se parte en dos renglones.
- babel escribe «a.m.» y «p.m.» pegados; la ortografía de la RAE (y lo que lee la gente en
  México) es «a. m.» y «p. m.»: se separa con otro espacio irrompible. En inglés («AM») no hay
  nada que separar.

«Hoy» no es el del sistema: lo dice el reloj del bot (`usar_reloj`, que fija `Coopera` al
arrancar), para que las pruebas con un reloj fijo vean lo mismo que verá la gente. Quien ya
tiene la hora a mano la pasa en `ahora`.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time

from nucleo.reloj import Reloj
from nucleo.textos import N_, Traductor

ESPACIO = "\u00a0"  # irrompible: «10:00 a. m.» nunca se parte en dos renglones
# Más lejos que esto (o en otro año), la fecha lleva su año.
SIN_ANIO_HASTA = timedelta(days=183)

# Patrones de fecha de babel (CLDR), traducibles: cada idioma ordena el día y el mes a su modo.
# TRADUCTORES: patrón de fecha de babel/CLDR (EEEE día de la semana, d día, MMMM mes, y año);
# lo que va entre comillas simples se escribe tal cual. En inglés: «EEEE, MMMM d».
PATRON_DIA = N_("EEEE d 'de' MMMM")
# TRADUCTORES: igual que el anterior, con el año (y). En inglés: «EEEE, MMMM d, y».
PATRON_DIA_CON_ANIO = N_("EEEE d 'de' MMMM 'de' y")

_RELOJ: ContextVar[Reloj | None] = ContextVar("reloj_de_las_fechas", default=None)
_PERIODO_CON_PUNTOS = re.compile(r"\b([^\W\d_])\.([^\W\d_])\.")  # «a.m.» → «a. m.»


def usar_reloj(reloj: Reloj) -> None:
    """El reloj que dice qué día es hoy (para «hoy», «mañana» y el año). Lo llama `Coopera` al
    arrancar: lo heredan las tareas que se crean después (updates, trabajos, cola de envíos).
    Sin él, el reloj del sistema."""
    _RELOJ.set(reloj)


def momento_actual() -> datetime:
    """La hora según el reloj del bot (o la del sistema si nadie lo fijó)."""
    reloj = _RELOJ.get()
    return reloj.ahora() if reloj is not None else datetime.now(UTC)


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
    """Por ejemplo «5:30 p. m.» o «5:30 PM» (los espacios son irrompibles: ver arriba)."""
    texto = format_time(momento.astimezone(zona), "short", locale=traductor.locale)
    texto = texto.replace("\u202f", ESPACIO).replace(" ", ESPACIO)
    return _PERIODO_CON_PUNTOS.sub(rf"\1.{ESPACIO}\2.", texto)


def dia(momento: datetime, traductor: Traductor, zona: ZoneInfo, *,
        ahora: datetime | None = None) -> str:
    """«jueves 3 de diciembre»; con el año si no es de este año o está a más de medio año."""
    local = momento.astimezone(zona)
    referencia = (ahora or momento_actual()).astimezone(zona)
    lejos = local.year != referencia.year or abs(local - referencia) > SIN_ANIO_HASTA
    patron = traductor(PATRON_DIA_CON_ANIO if lejos else PATRON_DIA)
    return format_datetime(local, patron, locale=traductor.locale)


def fecha_y_hora(momento: datetime, traductor: Traductor, zona: ZoneInfo, *,
                 ahora: datetime | None = None) -> str:
    """«jueves 3 de diciembre, 10:00 a. m.»: la fecha con hora que lee una persona."""
    _ = traductor
    return _("{fecha}, {hora}").format(fecha=dia(momento, _, zona, ahora=ahora),
                                       hora=hora(momento, _, zona))


def cuando_es(momento: datetime, traductor: Traductor, zona: ZoneInfo, *,
              ahora: datetime | None = None) -> str:
    """«hoy a las 5:00 p. m.», «mañana a la 1:00 p. m.» o «el jueves 3 de diciembre a las
    10:00 a. m.»: para decir en una frase cuándo es algo que se acerca."""
    _ = traductor
    local = momento.astimezone(zona)
    referencia = (ahora or momento_actual()).astimezone(zona)
    a_la = hora(local, _, zona)
    n = local.hour % 12 or 12  # «a la 1:00», «a las 2:00»: concuerda con la hora del reloj
    dias = (local.date() - referencia.date()).days
    # TRADUCTORES: n es la hora en un reloj de 12 horas (1 a 12): «a la 1:00», «a las 2:00».
    if dias == 0:
        return _.plural("hoy a la {hora}", "hoy a las {hora}", n).format(hora=a_la)
    if dias == 1:
        return _.plural("mañana a la {hora}", "mañana a las {hora}", n).format(hora=a_la)
    return _.plural("el {fecha} a la {hora}", "el {fecha} a las {hora}", n).format(
        fecha=dia(local, _, zona, ahora=referencia), hora=a_la)
