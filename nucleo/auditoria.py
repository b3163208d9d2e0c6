"""La bitácora del personal: cada acción del personal deja aquí quién, qué, sobre qué objeto,
cuándo y un detalle corto. Sin datos personales de la ciudadanía: el objeto es un id interno
(«sesion 12», «asesoria 3») y el detalle, una cifra o una clave, nunca un nombre ni un texto que
alguien escribió.

Un solo lugar para escribirla: `anotar` (desde una operación del dominio o la línea de
comandos) o `auditar` (desde un handler del personal, con su contexto y su update). La lee
administración en /auditoria (handlers/roles.py), por páginas y en CSV.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from telegram import Update

from nucleo.textos import N_

if TYPE_CHECKING:
    import aiosqlite

    from nucleo.almacen import Almacen
    from nucleo.almacen.auditoria import Anotacion
    from nucleo.reloj import Reloj

# Cada acción que se anota y cómo se lee en la bitácora.
ACCIONES = {
    "sesion_creada": N_("Creó una sesión"),
    "sesion_corregida": N_("Corrigió una sesión"),
    "sesion_fecha": N_("Cambió la fecha de una sesión"),
    "sesion_cancelada": N_("Canceló una sesión"),
    "asistencia": N_("Registró la asistencia"),
    "exportacion": N_("Exportó una lista"),
    "importacion": N_("Importó sesiones"),
    "curso_creado": N_("Creó un curso"),
    "curso_cambiado": N_("Cambió un curso"),
    "curso_desactivado": N_("Desactivó un curso"),
    "curso_reactivado": N_("Reactivó un curso"),
    "cursos_importados": N_("Importó cursos"),
    "rol_dado": N_("Dio un rol"),
    "rol_quitado": N_("Quitó un rol"),
    "asesoria_contestada": N_("Contestó una asesoría"),
    "asesoria_cerrada": N_("Cerró una asesoría"),
    "cooperativa_mensaje": N_("Escribió a una cooperativa"),
    "cooperativa_asesoria": N_("Anotó una asesoría a una cooperativa"),
    "anuncio": N_("Mandó un anuncio"),
    "anuncio_programado": N_("Programó un anuncio"),
    "anuncio_editado": N_("Cambió un anuncio programado"),
    "anuncio_pausado": N_("Pausó un anuncio"),
    "anuncio_reanudado": N_("Reanudó un anuncio"),
    "anuncio_cancelado": N_("Canceló un anuncio"),
    "estadisticas": N_("Exportó las cifras"),
    "auditoria": N_("Exportó la bitácora"),
}


class _ConAlmacen(Protocol):
    @property
    def almacen(self) -> Almacen: ...

    @property
    def reloj(self) -> Reloj: ...


async def anotar(almacen: Almacen, momento: datetime, quien: int | None, accion: str,
                 objeto: str = "", detalle: str = "",
                 bd: aiosqlite.Connection | None = None) -> None:
    """Anota una acción. `quien` None: desde el servidor (línea de comandos). Con `bd`, dentro
    de la transacción de la operación."""
    if accion not in ACCIONES:
        raise ValueError(f"acción sin nombre en ACCIONES: {accion}")
    await almacen.anotar_auditoria(momento, quien, accion, objeto[:80], detalle[:200], bd=bd)


async def auditar(contexto: _ConAlmacen, update: Update | None, accion: str, objeto: str = "",
                  detalle: str = "") -> None:
    """Desde un handler del personal: quien es la persona del update."""
    usuario = update.effective_user if update is not None else None
    await anotar(contexto.almacen, contexto.reloj.ahora(), usuario.id if usuario else None,
                 accion, objeto, detalle)


def csv_auditoria(anotaciones: list[Anotacion]) -> bytes:
    """La bitácora en CSV (UTF-8 con BOM), lo más nuevo primero."""
    salida = io.StringIO()
    escritor = csv.writer(salida)
    escritor.writerow(["momento_utc", "quien", "accion", "objeto", "detalle"])
    for a in anotaciones:
        escritor.writerow([a.momento.isoformat(), "" if a.quien is None else a.quien,
                           a.accion, a.objeto, a.detalle])
    return ("\ufeff" + salida.getvalue()).encode("utf-8")
