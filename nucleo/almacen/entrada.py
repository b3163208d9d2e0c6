"""El buzón de entrada (tablas `entrada` y `entrada_recibida`): las actualizaciones de Telegram
guardadas antes de confirmarlas, hasta que se terminan de atender (lo usa nucleo.entrada)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha


@dataclass(frozen=True)
class Recibida:
    """La última actualización que llegó y cuándo (para confirmarla al arrancar)."""

    update_id: int
    recibida_en: datetime


@dataclass(frozen=True)
class Pendientes:
    """Lo que quedó en el buzón al arrancar: `filas` (update_id, JSON) en orden, para
    atenderlas otra vez, y cuántas se descartaron por haber tumbado ya demasiados arranques."""

    filas: list[tuple[int, str]]
    descartadas: int


class AlmacenEntrada(AlmacenBase):
    async def guardar_entrada(self, actualizaciones: Sequence[tuple[int, str]],
                              ahora: datetime) -> None:
        """Guarda un lote (update_id, JSON tal como llegó) y anota la última recibida, todo en
        una transacción. Una actualización ya guardada no se duplica."""
        if not actualizaciones:
            return
        momento = texto_fecha(ahora)
        async with self.transaccion() as bd:
            await bd.executemany(
                "INSERT OR IGNORE INTO entrada (update_id, datos, recibida_en) VALUES (?, ?, ?)",
                [(update_id, datos, momento) for update_id, datos in actualizaciones])
            await bd.execute(
                "INSERT INTO entrada_recibida (id, update_id, recibida_en) VALUES (1, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET update_id = excluded.update_id,"
                " recibida_en = excluded.recibida_en",
                (max(update_id for update_id, _ in actualizaciones), momento))

    async def ultima_recibida(self) -> Recibida | None:
        fila = await self._uno("SELECT update_id, recibida_en FROM entrada_recibida WHERE id = 1")
        return Recibida(fila["update_id"], fecha(fila["recibida_en"])) if fila else None

    async def borrar_entrada(self, update_id: int) -> None:
        """Ya se atendió (y se guardó su paso): sale del buzón."""
        await self._ejecutar("DELETE FROM entrada WHERE update_id = ?", (update_id,))

    async def pendientes_de_entrada(self, max_intentos: int) -> Pendientes:
        """Lo que quedó sin terminar de atender, en orden, contando este nuevo intento. Las
        que ya se intentaron `max_intentos` veces se borran: si una actualización tumba al
        bot cada vez, no debe impedirle arrancar para siempre."""
        async with self.transaccion() as bd:
            await bd.execute("UPDATE entrada SET intentos = intentos + 1")
            cursor = await bd.execute("DELETE FROM entrada WHERE intentos > ?", (max_intentos,))
            descartadas = cursor.rowcount
            await cursor.close()
            async with bd.execute(
                "SELECT update_id, datos FROM entrada ORDER BY update_id"
            ) as cursor:
                filas = [(f["update_id"], f["datos"]) for f in await cursor.fetchall()]
        return Pendientes(filas, max(descartadas, 0))

    async def cuenta_entrada(self) -> int:
        fila = await self._uno("SELECT COUNT(*) FROM entrada")
        return int(fila[0])
