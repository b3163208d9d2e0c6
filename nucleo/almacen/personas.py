"""Personas: consentimiento, perfil, orientación y borrado (derechos ARCO)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha
from nucleo.almacen.cooperativas import soltar_cooperativas

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
    inalcanzable: bool = False  # Telegram dijo 403 (bloqueó al bot) en el último envío

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


class AlmacenPersonas(AlmacenBase):
    # --- personas y consentimiento ----------------------------------------------

    async def persona(self, telegram_id: int) -> Persona | None:
        fila = await self._uno("SELECT * FROM personas WHERE telegram_id = ?", (telegram_id,))
        if fila is None:
            return None
        return Persona(fila["telegram_id"], fila["consentimiento"], fila["version_aviso"],
                       fecha(fila["decidido_en"]), fila["idioma"],
                      fila["inalcanzable_desde"] is not None)

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
                (telegram_id, decision, version_aviso, texto_fecha(ahora),
                 idioma if acepta else None),
            )

    async def guardar_idioma(self, telegram_id: int, idioma: str) -> bool:
        """Guarda el idioma elegido solo si la persona aceptó el aviso. Dice si lo guardó."""
        async with self._candado:
            cursor = await self._bd.execute(
                "UPDATE personas SET idioma = ?"
                " WHERE telegram_id = ? AND consentimiento = 'aceptado'",
                (idioma, telegram_id),
            )
            return cursor.rowcount > 0

    async def marcar_inalcanzable(self, telegram_id: int, ahora: datetime) -> None:
        """Telegram dijo 403 al escribirle (bloqueó al bot): no se le escribe más hasta que
        vuelva a escribir (`marcar_alcanzable`). La cola de envíos lo marca por su cuenta."""
        await self._ejecutar(
            "UPDATE personas SET inalcanzable_desde = COALESCE(inalcanzable_desde, ?)"
            " WHERE telegram_id = ?", (texto_fecha(ahora), telegram_id))

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
            (telegram_id, valor, texto_fecha(ahora)),
        )

    async def marcar_perfil_completo(self, telegram_id: int, ahora: datetime) -> None:
        await self._ejecutar(
            "UPDATE perfiles SET completo = 1, actualizado_en = ? WHERE telegram_id = ?",
            (texto_fecha(ahora), telegram_id),
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
             texto_fecha(ahora)),
        )

    async def terminar_orientacion(self, telegram_id: int, resultado: str,
                                   respuestas: dict[str, str], ahora: datetime) -> None:
        async with self.transaccion() as bd:
            await bd.execute(
                "INSERT INTO orientaciones (telegram_id, resultado, respuestas, completada_en)"
                " VALUES (?, ?, ?, ?)",
                (telegram_id, resultado, json.dumps(respuestas), texto_fecha(ahora)),
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
                                    fecha(f["completada_en"])) for f in filas]

    # --- derechos ARCO ----------------------------------------------------------

    async def borrar_persona(self, telegram_id: int) -> None:
        """Borra todo lo que hay de la persona: su fila arrastra lo demás en cascada. Antes,
        sus grupos de cooperativa quedan con otra persona responsable."""
        async with self.transaccion() as bd:
            await soltar_cooperativas(bd, telegram_id)
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

