"""La conexión, las migraciones y las transacciones del almacén.

Una conexión aiosqlite de larga vida (WAL, claves foráneas, espera si está ocupada).
Las consultas sueltas pueden compartir la conexión; una transacción de varias sentencias
toma `_candado` para que otra tarea no intercale sus sentencias en ella.
El esquema cambia solo con migraciones numeradas en nucleo/migraciones (PRAGMA user_version).
La carpeta y los archivos de la base son solo para la persona dueña (0700 y 0600): guardan
datos personales.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import re
import stat
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import aiosqlite

CARPETA_MIGRACIONES = Path(__file__).with_name("migraciones")
# La base y los archivos que SQLite pone junto a ella.
SUFIJOS_DE_LA_BASE = ("", "-wal", "-shm", "-journal")

registro = logging.getLogger("coopera.almacen")


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


def carpeta_privada(carpeta: Path) -> None:
    """Crea la carpeta solo para la persona dueña (0700), sea cual sea la umask. Una carpeta
    que ya existe no se toca: puede ser de alguien más (la carpeta del proyecto, /tmp)."""
    try:
        carpeta.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        return
    os.chmod(carpeta, 0o700)  # mkdir respeta la umask


def archivo_privado(ruta: Path) -> None:
    """Crea el archivo vacío solo para la persona dueña (0600), sea cual sea la umask; si ya
    existe con más permisos, se los quita (y lo dice en el registro)."""
    try:
        descriptor = os.open(ruta, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        apretar_permisos(ruta)
        return
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)


def apretar_permisos(ruta: Path) -> None:
    """Si el archivo existe y otras personas pueden leerlo o escribirlo, deja de poder."""
    try:
        modo = stat.S_IMODE(os.stat(ruta).st_mode)
    except FileNotFoundError:
        return
    if modo & 0o077:
        os.chmod(ruta, modo & 0o700)
        registro.info("%s era visible para otras personas (%o); ahora es solo de su dueña (%o).",
                      ruta, modo, modo & 0o700)


def _archivos_de_la_base(ruta: Path) -> list[Path]:
    return [ruta.with_name(ruta.name + sufijo) for sufijo in SUFIJOS_DE_LA_BASE]


# True dentro de `transaccion()` (y en las tareas que se crean dentro): ahí las lecturas van por
# la conexión que escribe, para ver lo que la propia transacción aún no confirma.
_en_transaccion: contextvars.ContextVar[bool] = contextvars.ContextVar("en_transaccion",
                                                                       default=False)

PRAGMAS = ("journal_mode = WAL", "foreign_keys = ON", "busy_timeout = 5000",
           "synchronous = NORMAL")


class AlmacenBase:
    """Dos conexiones a la misma base (WAL): `_bd` escribe (una transacción a la vez, con
    `_candado`) y `_lector` lee. Sin el lector, una lectura de otra tarea hecha mientras una
    transacción está abierta vería sus filas sin confirmar (la conexión es la misma) y podría
    contarle a alguien algo que luego se deshace. El lector solo ve lo confirmado. Con una base
    en memoria (no se puede abrir dos veces) lee por la misma conexión."""

    def __init__(self, conexion: aiosqlite.Connection,
                 lector: aiosqlite.Connection | None = None) -> None:
        self._bd = conexion
        self._lector = lector or conexion
        self._candado = asyncio.Lock()

    # --- apertura y migraciones -------------------------------------------------

    @classmethod
    async def abrir(cls, ruta: Path | str) -> Self:
        en_disco = str(ruta) != ":memory:"
        if en_disco:
            # La base se crea vacía con 0600 antes de que SQLite la abra: así nunca existe
            # con otros permisos, y SQLite crea -wal y -shm con los mismos que ella.
            carpeta_privada(Path(ruta).parent)
            archivo_privado(Path(ruta))
            for archivo in _archivos_de_la_base(Path(ruta))[1:]:
                apretar_permisos(archivo)
        conexion = await _conectar(ruta)
        if en_disco:
            for archivo in _archivos_de_la_base(Path(ruta))[1:]:
                apretar_permisos(archivo)
        almacen = cls(conexion)
        await almacen._migrar()
        if en_disco:  # después de migrar: el lector ve el esquema al día
            almacen._lector = await _conectar(ruta, solo_lectura=True)
        return almacen

    async def cerrar(self) -> None:
        if self._lector is not self._bd:
            await self._lector.close()
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
            marca = _en_transaccion.set(True)
            try:
                yield self._bd
            except BaseException:
                await self._bd.execute("ROLLBACK")
                raise
            finally:
                _en_transaccion.reset(marca)
            await self._bd.execute("COMMIT")

    def _para_leer(self) -> aiosqlite.Connection:
        return self._bd if _en_transaccion.get() else self._lector

    async def _uno(self, sql: str, parametros: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self._para_leer().execute(sql, tuple(parametros)) as cursor:
            return await cursor.fetchone()

    async def _todos(self, sql: str, parametros: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._para_leer().execute(sql, tuple(parametros)) as cursor:
            return list(await cursor.fetchall())

    async def _ejecutar(self, sql: str, parametros: Iterable[Any] = ()) -> None:
        # Una sola sentencia en modo autocommit: atómica sin candado. Pero si hay una
        # transacción abierta por otra tarea, esperamos a que termine para no entrar en ella.
        async with self._candado:
            await self._bd.execute(sql, tuple(parametros))


async def _conectar(ruta: Path | str, *, solo_lectura: bool = False) -> aiosqlite.Connection:
    conexion = await aiosqlite.connect(str(ruta), isolation_level=None)
    conexion.row_factory = aiosqlite.Row
    for pragma in PRAGMAS:
        await conexion.execute(f"PRAGMA {pragma}")
    if solo_lectura:
        await conexion.execute("PRAGMA query_only = ON")
    return conexion
