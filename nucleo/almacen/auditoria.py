"""La bitácora del personal: quién hizo qué, sobre qué y cuándo (sin datos de la ciudadanía).

Se escribe solo con `nucleo.auditoria.auditar`; se lee por páginas, lo más nuevo primero.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha


@dataclass(frozen=True)
class Anotacion:
    id: int
    momento: datetime
    quien: int | None
    accion: str
    objeto: str
    detalle: str


# Lo que una operación del dominio hace dentro de la transacción de la operación de almacén
# (por ejemplo, anotar en la bitácora): se confirma o se deshace con ella.
Gancho = Callable[[aiosqlite.Connection], Awaitable[None]]


def _anotacion(fila: aiosqlite.Row) -> Anotacion:
    return Anotacion(fila["id"], fecha(fila["momento"]), fila["quien"], fila["accion"],
                     fila["objeto"], fila["detalle"])


class AlmacenAuditoria(AlmacenBase):
    async def anotar_auditoria(self, momento: datetime, quien: int | None, accion: str,
                               objeto: str, detalle: str,
                               bd: aiosqlite.Connection | None = None) -> None:
        """Con `bd`, dentro de la transacción de la operación (se confirma con ella)."""
        sql = ("INSERT INTO auditoria (momento, quien, accion, objeto, detalle)"
               " VALUES (?, ?, ?, ?, ?)")
        parametros = (texto_fecha(momento), quien, accion, objeto, detalle)
        if bd is not None:
            await bd.execute(sql, parametros)
        else:
            await self._ejecutar(sql, parametros)

    async def auditoria(self, limite: int, desde: int = 0) -> list[Anotacion]:
        """Una página de la bitácora, lo más nuevo primero."""
        filas = await self._todos("SELECT * FROM auditoria ORDER BY id DESC LIMIT ? OFFSET ?",
                                  (limite, desde))
        return [_anotacion(f) for f in filas]

    async def cuantas_en_auditoria(self) -> int:
        fila = await self._uno("SELECT COUNT(*) AS n FROM auditoria")
        return fila["n"] if fila else 0
