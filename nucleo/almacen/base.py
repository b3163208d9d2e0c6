"""La conexión, las migraciones y las transacciones del almacén.

Una conexión aiosqlite de larga vida (WAL, claves foráneas, espera si está ocupada).
Las consultas sueltas pueden compartir la conexión; una transacción de varias sentencias
toma `_candado` para que otra tarea no intercale sus sentencias en ella.
El esquema cambia solo con migraciones numeradas en nucleo/migraciones (PRAGMA user_version).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import aiosqlite

CARPETA_MIGRACIONES = Path(__file__).with_name("migraciones")


def texto_fecha(momento: datetime) -> str:
    return momento.astimezone(UTC).isoformat(timespec="seconds")


def fecha(texto: str) -> datetime:
    return datetime.fromisoformat(texto)


def migraciones() -> list[tuple[int, Path]]:
    """Las migraciones numeradas, en orden: 0001_algo.sql, 0002_otra.sql..."""
    encontradas = []
    for ruta in CARPETA_MIGRACIONES.glob("*.sql"):
        numero = re.match(r"^(\d{4})_", ruta.name)
        if numero:
            encontradas.append((int(numero.group(1)), ruta))
    return sorted(encontradas)


class AlmacenBase:
    def __init__(self, conexion: aiosqlite.Connection) -> None:
        self._bd = conexion
        self._candado = asyncio.Lock()

    # --- apertura y migraciones -------------------------------------------------

    @classmethod
    async def abrir(cls, ruta: Path | str) -> Self:
        if str(ruta) != ":memory:":
            Path(ruta).parent.mkdir(parents=True, exist_ok=True)
        conexion = await aiosqlite.connect(str(ruta), isolation_level=None)
        conexion.row_factory = aiosqlite.Row
        for pragma in ("journal_mode = WAL", "foreign_keys = ON", "busy_timeout = 5000",
                       "synchronous = NORMAL"):
            await conexion.execute(f"PRAGMA {pragma}")
        almacen = cls(conexion)
        await almacen._migrar()
        return almacen

    async def cerrar(self) -> None:
        await self._bd.close()

    async def version_esquema(self) -> int:
        async with self._bd.execute("PRAGMA user_version") as cursor:
            fila = await cursor.fetchone()
        return int(fila[0])

    async def _migrar(self) -> None:
        actual = await self.version_esquema()
        for numero, ruta in migraciones():
            if numero <= actual:
                continue
            # executescript confirma lo pendiente; la migración y su número van juntos.
            await self._bd.executescript(
                f"BEGIN IMMEDIATE;\n{ruta.read_text(encoding='utf-8')}\n"
                f"PRAGMA user_version = {numero};\nCOMMIT;"
            )

    @asynccontextmanager
    async def transaccion(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._candado:
            await self._bd.execute("BEGIN IMMEDIATE")
            try:
                yield self._bd
            except BaseException:
                await self._bd.execute("ROLLBACK")
                raise
            await self._bd.execute("COMMIT")

    async def _uno(self, sql: str, parametros: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self._bd.execute(sql, tuple(parametros)) as cursor:
            return await cursor.fetchone()

    async def _todos(self, sql: str, parametros: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._bd.execute(sql, tuple(parametros)) as cursor:
            return list(await cursor.fetchall())

    async def _ejecutar(self, sql: str, parametros: Iterable[Any] = ()) -> None:
        # Una sola sentencia en modo autocommit: atómica sin candado. Pero si hay una
        # transacción abierta por otra tarea, esperamos a que termine para no entrar en ella.
        async with self._candado:
            await self._bd.execute(sql, tuple(parametros))

