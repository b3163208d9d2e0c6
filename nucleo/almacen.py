"""El único módulo que conoce el esquema SQLite y escribe SQL.

Una conexión aiosqlite de larga vida (WAL, claves foráneas, espera si está ocupada).
Las consultas sueltas pueden compartir la conexión; una transacción de varias sentencias
toma `_candado` para que otra tarea no intercale sus sentencias en ella.
El esquema cambia solo con migraciones numeradas en nucleo/migraciones (PRAGMA user_version).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

CARPETA_MIGRACIONES = Path(__file__).with_name("migraciones")
CAMPOS_PERFIL = (
    "nombre", "municipio_clave", "sexo", "rango_edad", "discapacidad", "lengua_indigena",
)


@dataclass(frozen=True)
class Persona:
    telegram_id: int
    consentimiento: str
    version_aviso: str
    decidido_en: datetime
    idioma: str | None

    @property
    def acepto(self) -> bool:
        return self.consentimiento == "aceptado"


@dataclass(frozen=True)
class Perfil:
    telegram_id: int
    nombre: str | None = None
    municipio_clave: str | None = None
    sexo: str | None = None
    rango_edad: str | None = None
    discapacidad: str | None = None
    lengua_indigena: str | None = None
    completo: bool = False


@dataclass(frozen=True)
class OrientacionGuardada:
    resultado: str
    respuestas: dict[str, str]
    completada_en: datetime


@dataclass(frozen=True)
class OrientacionEnCurso:
    historial: list[str]
    respuestas: dict[str, str]

    @property
    def pregunta_actual(self) -> str | None:
        return self.historial[-1] if self.historial else None


def _texto_fecha(momento: datetime) -> str:
    return momento.astimezone(UTC).isoformat(timespec="seconds")


def _fecha(texto: str) -> datetime:
    return datetime.fromisoformat(texto)


def migraciones() -> list[tuple[int, Path]]:
    """Las migraciones numeradas, en orden: 0001_algo.sql, 0002_otra.sql..."""
    encontradas = []
    for ruta in CARPETA_MIGRACIONES.glob("*.sql"):
        numero = re.match(r"^(\d{4})_", ruta.name)
        if numero:
            encontradas.append((int(numero.group(1)), ruta))
    return sorted(encontradas)


class Almacen:
    def __init__(self, conexion: aiosqlite.Connection) -> None:
        self._bd = conexion
        self._candado = asyncio.Lock()

    # --- apertura y migraciones -------------------------------------------------

    @classmethod
    async def abrir(cls, ruta: Path | str) -> Almacen:
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

    # --- personas y consentimiento ----------------------------------------------

    async def persona(self, telegram_id: int) -> Persona | None:
        fila = await self._uno("SELECT * FROM personas WHERE telegram_id = ?", (telegram_id,))
        if fila is None:
            return None
        return Persona(fila["telegram_id"], fila["consentimiento"], fila["version_aviso"],
                       _fecha(fila["decidido_en"]), fila["idioma"])

    async def registrar_consentimiento(
        self, telegram_id: int, acepta: bool, version_aviso: str, ahora: datetime,
        idioma: str | None = None,
    ) -> None:
        """Guarda la decisión. Si rechaza, se borra todo lo demás: solo queda el id y el 'no'."""
        decision = "aceptado" if acepta else "rechazado"
        async with self.transaccion() as bd:
            if not acepta:
                await bd.execute("DELETE FROM personas WHERE telegram_id = ?", (telegram_id,))
                await bd.execute("DELETE FROM conversaciones WHERE usuario_id = ?", (telegram_id,))
            await bd.execute(
                "INSERT INTO personas (telegram_id, consentimiento, version_aviso, decidido_en,"
                " idioma) VALUES (?, ?, ?, ?, ?) ON CONFLICT (telegram_id) DO UPDATE SET"
                " consentimiento = excluded.consentimiento, version_aviso = excluded.version_aviso,"
                " decidido_en = excluded.decidido_en, idioma = COALESCE(excluded.idioma, idioma)",
                (telegram_id, decision, version_aviso, _texto_fecha(ahora),
                 idioma if acepta else None),
            )

    async def guardar_idioma(self, telegram_id: int, idioma: str) -> bool:
        """Guarda el idioma elegido solo si la persona aceptó el aviso. Dice si lo guardó."""
        async with self._candado:
            cursor = await self._bd.execute(
                "UPDATE personas SET idioma = ? WHERE telegram_id = ? AND consentimiento = 'aceptado'",
                (idioma, telegram_id),
            )
            return cursor.rowcount > 0

    # --- perfil -----------------------------------------------------------------

    async def perfil(self, telegram_id: int) -> Perfil | None:
        fila = await self._uno("SELECT * FROM perfiles WHERE telegram_id = ?", (telegram_id,))
        if fila is None:
            return None
        return Perfil(telegram_id, *(fila[c] for c in CAMPOS_PERFIL), bool(fila["completo"]))

    async def guardar_en_perfil(self, telegram_id: int, campo: str, valor: str | None,
                                ahora: datetime) -> None:
        if campo not in CAMPOS_PERFIL:
            raise ValueError(f"Campo de perfil desconocido: {campo}")
        await self._ejecutar(
            f"INSERT INTO perfiles (telegram_id, {campo}, actualizado_en) VALUES (?, ?, ?)"
            f" ON CONFLICT (telegram_id) DO UPDATE SET {campo} = excluded.{campo},"
            " actualizado_en = excluded.actualizado_en",
            (telegram_id, valor, _texto_fecha(ahora)),
        )

    async def marcar_perfil_completo(self, telegram_id: int, ahora: datetime) -> None:
        await self._ejecutar(
            "UPDATE perfiles SET completo = 1, actualizado_en = ? WHERE telegram_id = ?",
            (_texto_fecha(ahora), telegram_id),
        )

    # --- orientación ------------------------------------------------------------

    async def orientacion_en_curso(self, telegram_id: int) -> OrientacionEnCurso | None:
        fila = await self._uno(
            "SELECT historial, respuestas FROM orientaciones_en_curso WHERE telegram_id = ?",
            (telegram_id,),
        )
        if fila is None:
            return None
        return OrientacionEnCurso(json.loads(fila["historial"]), json.loads(fila["respuestas"]))

    async def guardar_orientacion_en_curso(self, telegram_id: int, progreso: OrientacionEnCurso,
                                           ahora: datetime) -> None:
        await self._ejecutar(
            "INSERT INTO orientaciones_en_curso (telegram_id, historial, respuestas,"
            " actualizado_en) VALUES (?, ?, ?, ?) ON CONFLICT (telegram_id) DO UPDATE SET"
            " historial = excluded.historial, respuestas = excluded.respuestas,"
            " actualizado_en = excluded.actualizado_en",
            (telegram_id, json.dumps(progreso.historial), json.dumps(progreso.respuestas),
             _texto_fecha(ahora)),
        )

    async def terminar_orientacion(self, telegram_id: int, resultado: str,
                                   respuestas: dict[str, str], ahora: datetime) -> None:
        async with self.transaccion() as bd:
            await bd.execute(
                "INSERT INTO orientaciones (telegram_id, resultado, respuestas, completada_en)"
                " VALUES (?, ?, ?, ?)",
                (telegram_id, resultado, json.dumps(respuestas), _texto_fecha(ahora)),
            )
            await bd.execute(
                "DELETE FROM orientaciones_en_curso WHERE telegram_id = ?", (telegram_id,)
            )

    async def descartar_orientacion_en_curso(self, telegram_id: int) -> None:
        await self._ejecutar(
            "DELETE FROM orientaciones_en_curso WHERE telegram_id = ?", (telegram_id,)
        )

    async def orientaciones(self, telegram_id: int) -> list[OrientacionGuardada]:
        filas = await self._todos(
            "SELECT resultado, respuestas, completada_en FROM orientaciones"
            " WHERE telegram_id = ? ORDER BY id",
            (telegram_id,),
        )
        return [OrientacionGuardada(f["resultado"], json.loads(f["respuestas"]),
                                    _fecha(f["completada_en"])) for f in filas]

    # --- derechos ARCO ----------------------------------------------------------

    async def borrar_persona(self, telegram_id: int) -> None:
        """Borra todo lo que hay de la persona: su fila arrastra lo demás en cascada."""
        async with self.transaccion() as bd:
            await bd.execute("DELETE FROM personas WHERE telegram_id = ?", (telegram_id,))
            await bd.execute("DELETE FROM conversaciones WHERE usuario_id = ?", (telegram_id,))

    async def filas_con_id(self, telegram_id: int) -> dict[str, int]:
        """Cuántas filas de cada tabla mencionan a la persona (para comprobar el borrado)."""
        cuentas = {}
        for tabla in await self._tablas():
            columnas = [c["name"] for c in await self._todos(f"PRAGMA table_info({tabla})")]
            de_persona = [c for c in columnas if c in ("telegram_id", "usuario_id")]
            for columna in de_persona:
                fila = await self._uno(
                    f"SELECT COUNT(*) FROM {tabla} WHERE {columna} = ?", (telegram_id,)
                )
                cuentas[f"{tabla}.{columna}"] = int(fila[0])
        return cuentas

    async def _tablas(self) -> list[str]:
        filas = await self._todos(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return [f["name"] for f in filas]

    # --- estado de conversaciones (persistencia de PTB) ---------------------------

    async def conversaciones(self, nombre: str) -> dict[tuple[int | str, ...], object]:
        filas = await self._todos(
            "SELECT clave, estado FROM conversaciones WHERE nombre = ?", (nombre,)
        )
        return {tuple(json.loads(f["clave"])): json.loads(f["estado"]) for f in filas}

    async def guardar_conversacion(self, nombre: str, clave: tuple[int | str, ...],
                                   estado: object | None) -> None:
        clave_json = json.dumps(list(clave))
        if estado is None:
            await self._ejecutar(
                "DELETE FROM conversaciones WHERE nombre = ? AND clave = ?", (nombre, clave_json)
            )
            return
        usuario = clave[-1] if clave and isinstance(clave[-1], int) else None
        await self._ejecutar(
            "INSERT INTO conversaciones (nombre, clave, usuario_id, estado) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (nombre, clave) DO UPDATE SET estado = excluded.estado",
            (nombre, clave_json, usuario, json.dumps(estado)),
        )
