"""«Avísame cuando haya fechas»: los pedidos de la ciudadanía (tabla `avisos_fechas`).

Un pedido es de un curso o, con `curso_id` NULL, de cualquier curso. Solo quien aceptó el aviso
de privacidad puede dejarlo; se borra con la persona (en cascada), cuando ella lo cancela y
cuando se le avisa (`tomar_pedidos`, dentro de la transacción que crea las fechas).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha


@dataclass(frozen=True)
class PedidoDeFechas:
    id: int
    telegram_id: int
    curso_id: str | None  # None: cualquier curso
    creado_en: datetime


@dataclass(frozen=True)
class PedidoTomado:
    """Un pedido que se cumple: a quién avisar y en qué idioma."""

    telegram_id: int
    idioma: str | None
    curso_id: str | None


def _pedido(fila: aiosqlite.Row) -> PedidoDeFechas:
    return PedidoDeFechas(fila["id"], fila["telegram_id"], fila["curso_id"],
                          fecha(fila["creado_en"]))


class AlmacenAvisosFechas(AlmacenBase):
    async def pedir_aviso_de_fechas(self, telegram_id: int, curso_id: str | None,
                                    ahora: datetime) -> bool:
        """Guarda el pedido si la persona aceptó el aviso. False si no lo aceptó; si ya lo
        había pedido, no cambia nada (True)."""
        async with self.transaccion() as bd:
            async with bd.execute("SELECT consentimiento FROM personas WHERE telegram_id = ?",
                                  (telegram_id,)) as cursor:
                fila = await cursor.fetchone()
            if fila is None or fila["consentimiento"] != "aceptado":
                return False
            await bd.execute(
                "INSERT INTO avisos_fechas (telegram_id, curso_id, creado_en)"
                " SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM avisos_fechas"
                " WHERE telegram_id = ? AND curso_id IS ?)",
                (telegram_id, curso_id, texto_fecha(ahora), telegram_id, curso_id))
            return True

    async def cancelar_aviso_de_fechas(self, telegram_id: int, curso_id: str | None) -> bool:
        """Quita el pedido de la persona de ese curso (None: el de cualquier curso). False si
        ya no estaba."""
        async with self._candado:
            cursor = await self._bd.execute(
                "DELETE FROM avisos_fechas WHERE telegram_id = ? AND curso_id IS ?",
                (telegram_id, curso_id))
            return cursor.rowcount > 0

    async def pedidos_de_fechas(self, telegram_id: int) -> list[PedidoDeFechas]:
        """Los pedidos de la persona, el de cualquier curso primero."""
        filas = await self._todos(
            "SELECT * FROM avisos_fechas WHERE telegram_id = ?"
            " ORDER BY curso_id IS NOT NULL, id", (telegram_id,))
        return [_pedido(f) for f in filas]

    async def tomar_pedidos(self, bd: aiosqlite.Connection,
                            cursos: Collection[str]) -> list[PedidoTomado]:
        """Dentro de la transacción abierta `bd`: los pedidos que cumplen fechas nuevas de
        `cursos` (los de esos cursos y los de cualquiera), de personas que siguen con el aviso
        aceptado; se borran al tomarlos (cada uno se avisa una sola vez)."""
        if not cursos:
            return []
        marcas = ", ".join("?" * len(cursos))
        condicion = f"(a.curso_id IS NULL OR a.curso_id IN ({marcas}))"
        async with bd.execute(
            "SELECT a.id, a.telegram_id, a.curso_id, p.idioma FROM avisos_fechas a"
            " JOIN personas p ON p.telegram_id = a.telegram_id"
            f" WHERE {condicion} AND p.consentimiento = 'aceptado' ORDER BY a.id",
            tuple(cursos)) as cursor:
            filas = list(await cursor.fetchall())
        if filas:
            await bd.executemany("DELETE FROM avisos_fechas WHERE id = ?",
                                 [(f["id"],) for f in filas])
        return [PedidoTomado(f["telegram_id"], f["idioma"], f["curso_id"]) for f in filas]
