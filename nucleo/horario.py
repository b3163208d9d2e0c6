"""Cuándo mandar cada recordatorio: antelaciones configurables y horas de silencio.

Un recordatorio que caería en horas de silencio (por defecto de 21:00 a 08:00, hora local)
se manda al final de la ventana despierta anterior: un minuto antes de que empiece el silencio.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

UN_MINUTO = timedelta(minutes=1)


@dataclass(frozen=True)
class HorasDeSilencio:
    desde: time = time(21, 0)
    hasta: time = time(8, 0)

    def contiene(self, hora: time) -> bool:
        if self.desde == self.hasta:
            return False
        if self.desde < self.hasta:
            return self.desde <= hora < self.hasta
        return hora >= self.desde or hora < self.hasta  # cruza la medianoche


def mover_fuera_del_silencio(momento: datetime, silencio: HorasDeSilencio,
                             zona: ZoneInfo) -> datetime:
    """Si `momento` cae en silencio, lo adelanta al último minuto antes de ese silencio."""
    local = momento.astimezone(zona)
    if not silencio.contiene(local.time().replace(second=0, microsecond=0)):
        return momento
    inicio_silencio = local.replace(hour=silencio.desde.hour, minute=silencio.desde.minute,
                                    second=0, microsecond=0)
    if inicio_silencio > local:  # el silencio empezó ayer (estamos de madrugada)
        inicio_silencio -= timedelta(days=1)
    return (inicio_silencio - UN_MINUTO).astimezone(momento.tzinfo)


def momentos_de_recordatorio(
    inicio_sesion: datetime, antelaciones_min: tuple[int, ...], silencio: HorasDeSilencio,
    zona: ZoneInfo, ahora: datetime,
) -> list[tuple[int, datetime]]:
    """(antelación, cuándo mandarlo) de cada recordatorio que aún tiene sentido mandar.

    Se omiten los que ya pasaron al inscribirse: la persona acaba de ver la fecha.
    """
    planes = []
    for antelacion in sorted(set(antelaciones_min), reverse=True):
        debido = mover_fuera_del_silencio(
            inicio_sesion - timedelta(minutes=antelacion), silencio, zona)
        if ahora < debido < inicio_sesion:
            planes.append((antelacion, debido))
    return planes
