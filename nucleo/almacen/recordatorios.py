"""Recordatorios de sesiones: crearlos al inscribirse, rehacerlos si cambia la sesión y
encontrar los que ya tocan.

La tabla `recordatorios` es la fuente de verdad: el programador solo guarda en memoria
cuándo despertar. `debido_en` ya viene movido fuera de las horas de silencio.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha

Planes = list[tuple[int, datetime]]  # (antelación en minutos, cuándo mandarlo)


def clave_recordatorio(recordatorio_id: int, debido_en: str) -> str:
    """La clave del envío de un recordatorio.

    Lleva `debido_en` porque un recordatorio rehecho (sesión movida) conserva su id y debe
    volver a salir. No choca con lo ya encolado: eso tenía `debido_en` en el pasado, y lo que
    se crea o rehace (nucleo.horario.momentos_de_recordatorio), en el futuro.
    """
    return f"recordatorio:{recordatorio_id}:{debido_en}"


@dataclass(frozen=True)
class RecordatorioDebido:
    """Un recordatorio pendiente cuyo momento llegó, con lo necesario para decidir y escribir."""

    id: int
    debido_en: str
    antelacion_min: int
    inscripcion_id: int
    estado_inscripcion: str
    telegram_id: int
    idioma: str | None
    quiere_recordatorios: bool
    inalcanzable: bool
    acepto: bool
    sesion_id: int
    curso_id: str
    inicio: datetime
    duracion_min: int
    modalidad: str
    municipio_clave: str | None
    lugar: str | None
    direccion: str | None
    mapa_url: str | None
    enlace: str | None
    estado_sesion: str

    @property
    def clave(self) -> str:
        return clave_recordatorio(self.id, self.debido_en)


@dataclass(frozen=True)
class RecordatorioGuardado:
    id: int
    inscripcion_id: int
    antelacion_min: int
    debido_en: datetime
    estado: str


@dataclass(frozen=True)
class SesionSemilla:
    """Una sesión para la carga en bloque (pruebas y mediciones)."""

    curso_id: str
    inicio: datetime
    duracion_min: int = 120
    modalidad: str = "presencial"
    lugar: str | None = None
    direccion: str | None = None
    mapa_url: str | None = None
    enlace: str | None = None
    cupo: int = 30
    estado: str = "programada"
    municipio_clave: str | None = None


_SELECT_DEBIDOS = (
    "SELECT r.id, r.debido_en, r.antelacion_min, i.id AS inscripcion_id,"
    " i.estado AS estado_inscripcion, i.telegram_id, p.idioma,"
    " p.recordatorios_activos, p.inalcanzable_desde IS NOT NULL AS inalcanzable,"
    " p.consentimiento = 'aceptado' AS acepto, s.id AS sesion_id, s.curso_id, s.inicio,"
    " s.duracion_min, s.modalidad, s.municipio_clave, s.lugar, s.direccion, s.mapa_url,"
    " s.enlace, s.estado AS estado_sesion"
    " FROM recordatorios r JOIN inscripciones i ON i.id = r.inscripcion_id"
    " JOIN sesiones s ON s.id = i.sesion_id JOIN personas p ON p.telegram_id = i.telegram_id"
    " WHERE r.estado = 'pendiente' AND r.debido_en <= ? ORDER BY r.debido_en, r.id LIMIT ?"
)


def _debido(fila: aiosqlite.Row) -> RecordatorioDebido:
    return RecordatorioDebido(
        fila["id"], fila["debido_en"], fila["antelacion_min"], fila["inscripcion_id"],
        fila["estado_inscripcion"], fila["telegram_id"], fila["idioma"],
        bool(fila["recordatorios_activos"]), bool(fila["inalcanzable"]), bool(fila["acepto"]),
        fila["sesion_id"], fila["curso_id"], fecha(fila["inicio"]), fila["duracion_min"],
        fila["modalidad"], fila["municipio_clave"], fila["lugar"], fila["direccion"],
        fila["mapa_url"], fila["enlace"], fila["estado_sesion"],
    )


class AlmacenRecordatorios(AlmacenBase):
    # --- crear, rehacer y descartar (dentro de la transacción de quien llama) -----

    async def crear_recordatorios(self, bd: aiosqlite.Connection, inscripcion_id: int,
                                  planes: Planes) -> None:
        """Programa los recordatorios de una inscripción. Uno ya encolado no se vuelve a armar."""
        await bd.executemany(
            "INSERT INTO recordatorios (inscripcion_id, antelacion_min, debido_en)"
            " VALUES (?, ?, ?) ON CONFLICT (inscripcion_id, antelacion_min) DO UPDATE SET"
            " debido_en = excluded.debido_en, estado = 'pendiente'"
            " WHERE recordatorios.estado != 'encolado'",
            [(inscripcion_id, antelacion, texto_fecha(debido)) for antelacion, debido in planes],
        )

    async def rehacer_recordatorios_de_sesion(
        self, bd: aiosqlite.Connection, sesion_id: int,
        plan: Callable[[datetime], Planes],
    ) -> None:
        """La sesión cambió de fecha (ya guardada en `bd`): los recordatorios de sus inscritas
        se rehacen con `plan(inicio)`, aunque ya hubieran salido (la fecha es otra). Los
        pendientes que el plan nuevo no trae se descartan, y los mensajes con la fecha vieja
        que aún esperaban en la cola se quitan. Se actualiza en su lugar: los ids no cambian."""
        fila = await (await bd.execute("SELECT inicio FROM sesiones WHERE id = ?",
                                       (sesion_id,))).fetchone()
        if fila is None:
            return
        inscritas = "i.sesion_id = ? AND i.estado = 'inscrita'"
        await self._borrar_envios_sin_mandar(bd, inscritas, (sesion_id,))
        await bd.execute(
            "UPDATE recordatorios SET estado = 'descartado' WHERE estado = 'pendiente'"
            f" AND inscripcion_id IN (SELECT i.id FROM inscripciones i WHERE {inscritas})",
            (sesion_id,))
        await bd.executemany(
            "INSERT INTO recordatorios (inscripcion_id, antelacion_min, debido_en)"
            " SELECT id, ?, ? FROM inscripciones WHERE sesion_id = ? AND estado = 'inscrita'"
            " ON CONFLICT (inscripcion_id, antelacion_min) DO UPDATE SET"
            " debido_en = excluded.debido_en, estado = 'pendiente'",
            [(antelacion, texto_fecha(debido), sesion_id)
             for antelacion, debido in plan(fecha(fila["inicio"]))],
        )

    async def descartar_recordatorios_de_sesion(self, bd: aiosqlite.Connection,
                                                sesion_id: int) -> None:
        """La sesión se canceló: nada de recordatorios, ni los que esperan en la cola."""
        await self._descartar(bd, "i.sesion_id = ?", (sesion_id,))

    async def descartar_recordatorios_de_inscripcion(self, bd: aiosqlite.Connection,
                                                     inscripcion_id: int) -> None:
        """La persona canceló su lugar."""
        await self._descartar(bd, "i.id = ?", (inscripcion_id,))

    async def _descartar(self, bd: aiosqlite.Connection, condicion: str,
                         parametros: tuple) -> None:
        await self._borrar_envios_sin_mandar(bd, condicion, parametros)
        await bd.execute(
            "UPDATE recordatorios SET estado = 'descartado' WHERE estado = 'pendiente'"
            " AND inscripcion_id IN (SELECT i.id FROM inscripciones i"
            f" WHERE {condicion})", parametros)

    async def _borrar_envios_sin_mandar(self, bd: aiosqlite.Connection, condicion: str,
                                        parametros: tuple) -> None:
        # Solo lo que sigue `pendiente` en la cola: lo que ya salió (o pudo salir) se queda.
        await bd.execute(
            "DELETE FROM envios WHERE estado = 'pendiente' AND clave IN ("
            " SELECT 'recordatorio:' || r.id || ':' || r.debido_en FROM recordatorios r"
            " JOIN inscripciones i ON i.id = r.inscripcion_id"
            f" WHERE r.estado = 'encolado' AND {condicion})", parametros)

    # --- lo que usa el programador ------------------------------------------------

    async def recordatorios_debidos(self, bd: aiosqlite.Connection, ahora: datetime,
                                    limite: int) -> list[RecordatorioDebido]:
        async with bd.execute(_SELECT_DEBIDOS, (texto_fecha(ahora), limite)) as cursor:
            return [_debido(fila) for fila in await cursor.fetchall()]

    async def marcar_recordatorios(self, bd: aiosqlite.Connection, ids: Sequence[int],
                                   estado: str) -> None:
        if estado not in ("encolado", "descartado"):
            raise ValueError(f"Estado de recordatorio inválido: {estado}")
        await bd.executemany(
            "UPDATE recordatorios SET estado = ? WHERE id = ? AND estado = 'pendiente'",
            [(estado, i) for i in ids])

    async def proximo_recordatorio(self) -> datetime | None:
        """El `debido_en` más próximo de lo pendiente (usa el índice parcial)."""
        fila = await self._uno(
            "SELECT MIN(debido_en) FROM recordatorios WHERE estado = 'pendiente'")
        return fecha(fila[0]) if fila and fila[0] else None

    # --- preferencias y consultas -------------------------------------------------

    async def recordatorios_de_inscripcion(self, inscripcion_id: int
                                           ) -> list[RecordatorioGuardado]:
        filas = await self._todos(
            "SELECT id, inscripcion_id, antelacion_min, debido_en, estado FROM recordatorios"
            " WHERE inscripcion_id = ? ORDER BY debido_en", (inscripcion_id,))
        return [RecordatorioGuardado(f["id"], f["inscripcion_id"], f["antelacion_min"],
                                     fecha(f["debido_en"]), f["estado"]) for f in filas]

    async def cuenta_recordatorios(self) -> dict[str, int]:
        filas = await self._todos("SELECT estado, COUNT(*) AS n FROM recordatorios GROUP BY estado")
        return {"pendiente": 0, "encolado": 0, "descartado": 0,
                **{f["estado"]: f["n"] for f in filas}}

    # --- carga en bloque para pruebas y mediciones ----------------------------------
    # Sin reglas de cupo ni de lista de espera: eso es de la inscripción de verdad.

    async def sembrar_personas(self, telegram_ids: Sequence[int], ahora: datetime,
                               idioma: str | None = None, *,
                               recordatorios_activos: bool = True) -> None:
        """Personas que ya aceptaron el aviso."""
        async with self.transaccion() as bd:
            await bd.executemany(
                "INSERT OR IGNORE INTO personas (telegram_id, consentimiento, version_aviso,"
                " decidido_en, idioma, recordatorios_activos)"
                " VALUES (?, 'aceptado', 'semilla', ?, ?, ?)",
                [(t, texto_fecha(ahora), idioma, int(recordatorios_activos))
                 for t in telegram_ids])

    async def sembrar_sesiones(self, sesiones: Sequence[SesionSemilla],
                               ahora: datetime) -> list[int]:
        async with self.transaccion() as bd:
            primero = await self._siguiente_id(bd, "sesiones")
            creada = texto_fecha(ahora)
            await bd.executemany(
                "INSERT INTO sesiones (id, curso_id, inicio, duracion_min, modalidad,"
                " municipio_clave, lugar, direccion, mapa_url, enlace, cupo, estado,"
                " codigo_asistencia, creada_en, actualizada_en)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'semilla', ?, ?)",
                [(primero + n, s.curso_id, texto_fecha(s.inicio), s.duracion_min, s.modalidad,
                  s.municipio_clave, s.lugar, s.direccion, s.mapa_url, s.enlace, s.cupo,
                  s.estado, creada, creada) for n, s in enumerate(sesiones)])
        return list(range(primero, primero + len(sesiones)))

    async def sembrar_inscripciones(
        self, pares: Sequence[tuple[int, int]], ahora: datetime,
        plan: Callable[[datetime], Planes],
    ) -> list[int]:
        """Inscribe (sesion_id, telegram_id) y crea sus recordatorios con `plan(inicio)`."""
        async with self.transaccion() as bd:
            primero = await self._siguiente_id(bd, "inscripciones")
            ids = list(range(primero, primero + len(pares)))
            creada = texto_fecha(ahora)
            await bd.executemany(
                "INSERT INTO inscripciones (id, sesion_id, telegram_id, estado, creada_en,"
                " actualizada_en) VALUES (?, ?, ?, 'inscrita', ?, ?)",
                [(i, s, t, creada, creada) for i, (s, t) in zip(ids, pares, strict=True)])
            planes = await self._planes_por_sesion(bd, {s for s, _ in pares}, plan)
            await bd.executemany(
                "INSERT INTO recordatorios (inscripcion_id, antelacion_min, debido_en)"
                " VALUES (?, ?, ?)",
                [(i, antelacion, debido) for i, (s, _) in zip(ids, pares, strict=True)
                 for antelacion, debido in planes[s]])
        return ids

    async def sembrar_envios(self, telegram_ids: Sequence[int], ahora: datetime,
                             estado: str = "enviado") -> None:
        """Un envío por persona en la cola de salida (por omisión, ya enviado: historial)."""
        async with self.transaccion() as bd:
            primero = await self._siguiente_id(bd, "envios")
            momento = texto_fecha(ahora)
            enviado = momento if estado == "enviado" else None
            await bd.executemany(
                "INSERT INTO envios (id, telegram_id, clave, texto, prioridad, estado,"
                " creado_en, enviado_en) VALUES (?, ?, ?, 'Semilla', 5, ?, ?, ?)",
                [(primero + n, t, f"semilla:{primero + n}", estado, momento, enviado)
                 for n, t in enumerate(telegram_ids)])

    async def _planes_por_sesion(self, bd: aiosqlite.Connection, sesiones: set[int],
                                 plan: Callable[[datetime], Planes]
                                 ) -> dict[int, list[tuple[int, str]]]:
        async with bd.execute("SELECT id, inicio FROM sesiones WHERE id IN"
                              " (SELECT value FROM json_each(?))",
                              (f"[{','.join(map(str, sesiones))}]",)) as cursor:
            filas = await cursor.fetchall()
        return {f["id"]: [(a, texto_fecha(d)) for a, d in plan(fecha(f["inicio"]))]
                for f in filas}

    @staticmethod
    async def _siguiente_id(bd: aiosqlite.Connection, tabla: str) -> int:
        # Ids explícitos para saber cuáles se crearon; la transacción IMMEDIATE los reserva.
        async with bd.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {tabla}") as cursor:
            return int((await cursor.fetchone())[0])
