"""Capacitación: sesiones de los cursos, inscripciones con lista de espera, asistencia y
encuestas. El catálogo de cursos vive en contenido/cursos.yaml; aquí solo sus grupos (sesiones).

Inscribirse y dejar un lugar son transacciones: contar lugares, inscribir o poner en espera,
crear los recordatorios y ascender a quien espera pasan juntos o no pasan. El orden de llegada
es el id de la inscripción.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha
from nucleo.vocabulario import (
    MODALIDADES_DE_SESION,
    Asistencia,
    EstadoInscripcion,
    EstadoSesion,
    Inscribir,
)

# Sin 0/O, 1/I/L, 2/Z, 5/S, 8/B ni G/6: se leen igual en un pizarrón o un celular barato.
ALFABETO_CODIGO = "ACDEFHJKMNPRTUVWXY34679"
LARGO_CODIGO = 6
# La asistencia con código vale desde un rato antes del inicio hasta un rato después del fin.
VENTANA_ASISTENCIA = timedelta(hours=3)

Planes = Callable[[datetime], list[tuple[int, datetime]]]  # inicio → [(antelación, debido)]

_SESION = (
    "SELECT s.*,"
    " (SELECT COUNT(*) FROM inscripciones i WHERE i.sesion_id = s.id"
    "  AND i.estado = 'inscrita') AS inscritas,"
    " (SELECT COUNT(*) FROM inscripciones i WHERE i.sesion_id = s.id"
    "  AND i.estado = 'espera') AS en_espera"
    " FROM sesiones s"
)
_INSCRIPCION = (
    "SELECT i.*, CASE WHEN i.estado = 'espera' THEN"
    " (SELECT COUNT(*) FROM inscripciones e WHERE e.sesion_id = i.sesion_id"
    "  AND e.estado = 'espera' AND e.id <= i.id) END AS posicion_espera"
    " FROM inscripciones i"
)


@dataclass(frozen=True)
class SesionNueva:
    curso_id: str
    inicio: datetime
    duracion_min: int
    modalidad: str  # 'presencial' | 'en_linea'
    cupo: int
    municipio_clave: str | None = None
    lugar: str | None = None
    direccion: str | None = None
    mapa_url: str | None = None
    enlace: str | None = None


@dataclass(frozen=True)
class Sesion:
    id: int
    curso_id: str
    inicio: datetime
    duracion_min: int
    modalidad: str
    municipio_clave: str | None
    lugar: str | None
    direccion: str | None
    mapa_url: str | None
    enlace: str | None
    cupo: int
    estado: str
    codigo_asistencia: str
    inscritas: int
    en_espera: int

    @property
    def lugares_libres(self) -> int:
        return max(self.cupo - self.inscritas, 0)

    @property
    def fin(self) -> datetime:
        return self.inicio + timedelta(minutes=self.duracion_min)

    def abierta(self, ahora: datetime) -> bool:
        """Se puede inscribir: programada y sin empezar."""
        return self.estado == EstadoSesion.PROGRAMADA and self.inicio > ahora

    def en_ventana_de_asistencia(self, ahora: datetime) -> bool:
        return (self.estado == EstadoSesion.PROGRAMADA
                and self.inicio - VENTANA_ASISTENCIA <= ahora <= self.fin + VENTANA_ASISTENCIA)


@dataclass(frozen=True)
class Inscripcion:
    id: int
    sesion_id: int
    telegram_id: int
    estado: str  # 'inscrita' | 'espera' | 'cancelada'
    confirmo: bool | None
    asistio: bool | None
    creada_en: datetime
    posicion_espera: int | None

    @property
    def activa(self) -> bool:
        return self.estado in (EstadoInscripcion.INSCRITA, EstadoInscripcion.ESPERA)


@dataclass(frozen=True)
class ResultadoInscripcion:
    codigo: Inscribir
    inscripcion_id: int | None = None
    posicion_espera: int | None = None

    @property
    def exito(self) -> bool:
        return self.codigo in (Inscribir.INSCRITA, Inscribir.ESPERA)


@dataclass(frozen=True)
class Promocion:
    """Quien pasó de la lista de espera a tener lugar (hay que avisarle en su idioma)."""

    inscripcion_id: int
    sesion_id: int
    telegram_id: int
    idioma: str | None


@dataclass(frozen=True)
class Baja:
    """Lo que pasó al dejar un lugar. `hecha` es False si la inscripción no era de quien la
    dejó o ya no estaba activa (`estado_previo` dice cómo estaba, si era suya)."""

    hecha: bool
    estado_previo: str | None = None
    promocion: Promocion | None = None


# Encola los avisos a quienes subieron de la lista de espera, dentro de la transacción.
AvisarAscensos = Callable[[aiosqlite.Connection, list[Promocion]], Awaitable[None]]


@dataclass(frozen=True)
class ResultadoAsistencia:
    codigo: Asistencia
    inscripcion_id: int | None = None
    sesion_id: int | None = None


@dataclass(frozen=True)
class Encuesta:
    inscripcion_id: int
    puntuacion: int | None
    comentario: str | None
    respondida_en: datetime


def nuevo_codigo() -> str:
    return "".join(secrets.choice(ALFABETO_CODIGO) for _ in range(LARGO_CODIGO))


def normalizar_codigo(texto: str) -> str:
    """Lo que escribe la persona: sin espacios ni guiones y en mayúsculas."""
    return "".join(c for c in texto.upper() if c.isascii() and c.isalnum())


def _bool(valor: Any) -> bool | None:
    return None if valor is None else bool(valor)


def _sesion(fila: aiosqlite.Row) -> Sesion:
    return Sesion(
        fila["id"], fila["curso_id"], fecha(fila["inicio"]), fila["duracion_min"],
        fila["modalidad"], fila["municipio_clave"], fila["lugar"], fila["direccion"],
        fila["mapa_url"], fila["enlace"], fila["cupo"], fila["estado"],
        fila["codigo_asistencia"], fila["inscritas"], fila["en_espera"],
    )


def _inscripcion(fila: aiosqlite.Row) -> Inscripcion:
    return Inscripcion(
        fila["id"], fila["sesion_id"], fila["telegram_id"], fila["estado"],
        _bool(fila["confirmo"]), _bool(fila["asistio"]), fecha(fila["creada_en"]),
        fila["posicion_espera"],
    )


async def _uno_en(bd: aiosqlite.Connection, sql: str,
                  parametros: Iterable[Any] = ()) -> aiosqlite.Row | None:
    async with bd.execute(sql, tuple(parametros)) as cursor:
        return await cursor.fetchone()


class AlmacenCursos(AlmacenBase):
    """Usa `crear_recordatorios` y `descartar_recordatorios_de_inscripcion` de
    AlmacenRecordatorios (recordatorios.py): `Almacen` los reúne. `_ascender` lo usa también
    AlmacenSesiones al ampliar el cupo."""

    # --- sesiones -------------------------------------------------------------------------

    async def crear_sesion(self, nueva: SesionNueva, ahora: datetime, *,
                           bd: aiosqlite.Connection | None = None) -> int:
        """Crea la sesión con su código de asistencia. Con `bd`, dentro de esa transacción."""
        if nueva.modalidad not in MODALIDADES_DE_SESION:
            raise ValueError(f"Modalidad desconocida: {nueva.modalidad}")
        if nueva.cupo <= 0 or nueva.duracion_min <= 0:
            raise ValueError("El cupo y la duración deben ser mayores que cero")
        if nueva.inicio.tzinfo is None:
            raise ValueError("El inicio de la sesión necesita zona horaria")
        if bd is not None:
            return await self._insertar_sesion(bd, nueva, ahora)
        async with self.transaccion() as abierta:
            return await self._insertar_sesion(abierta, nueva, ahora)

    async def _insertar_sesion(self, bd: aiosqlite.Connection, nueva: SesionNueva,
                               ahora: datetime) -> int:
        cursor = await bd.execute(
            "INSERT INTO sesiones (curso_id, inicio, duracion_min, modalidad, municipio_clave,"
            " lugar, direccion, mapa_url, enlace, cupo, codigo_asistencia, creada_en,"
            " actualizada_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (nueva.curso_id, texto_fecha(nueva.inicio), nueva.duracion_min, nueva.modalidad,
             nueva.municipio_clave, nueva.lugar, nueva.direccion, nueva.mapa_url, nueva.enlace,
             nueva.cupo, nuevo_codigo(), texto_fecha(ahora), texto_fecha(ahora)),
        )
        return int(cursor.lastrowid)

    async def sesion(self, sesion_id: int) -> Sesion | None:
        fila = await self._uno(f"{_SESION} WHERE s.id = ?", (sesion_id,))
        return _sesion(fila) if fila else None

    async def sesiones_proximas(
        self, ahora: datetime, *, curso_id: str | None = None, modalidad: str | None = None,
        municipios: Collection[str] | None = None,
    ) -> list[Sesion]:
        """Las sesiones programadas que aún no empiezan, de la más cercana a la más lejana."""
        condiciones, parametros = ["s.estado = 'programada'", "s.inicio > ?"], [texto_fecha(ahora)]
        if curso_id is not None:
            condiciones.append("s.curso_id = ?")
            parametros.append(curso_id)
        if modalidad is not None:
            condiciones.append("s.modalidad = ?")
            parametros.append(modalidad)
        if municipios is not None:
            claves = list(municipios)
            if not claves:
                return []
            condiciones.append(f"s.municipio_clave IN ({', '.join('?' * len(claves))})")
            parametros.extend(claves)
        filas = await self._todos(
            f"{_SESION} WHERE {' AND '.join(condiciones)} ORDER BY s.inicio, s.id", parametros)
        return [_sesion(f) for f in filas]

    # --- inscripciones --------------------------------------------------------------------

    async def inscribir(self, sesion_id: int, telegram_id: int, ahora: datetime,
                        planes: Planes, *, permitir_espera: bool = True) -> ResultadoInscripcion:
        """Lugar si queda, si no lista de espera; todo en una transacción (cupo exacto).

        Con `permitir_espera=False`, un grupo lleno devuelve Inscribir.LLENA y no cambia nada:
        así quien pidió un lugar decide si quiere esperar.
        """
        async with self.transaccion() as bd:
            fila = await _uno_en(bd, f"{_SESION} WHERE s.id = ?", (sesion_id,))
            rechazo = await self._motivo_para_no_inscribir(bd, fila, telegram_id, ahora)
            if rechazo is not None:
                return rechazo
            sesion = _sesion(fila)
            estado = (EstadoInscripcion.INSCRITA if sesion.lugares_libres > 0
                      else EstadoInscripcion.ESPERA)
            if estado == EstadoInscripcion.ESPERA and not permitir_espera:
                return ResultadoInscripcion(Inscribir.LLENA, posicion_espera=sesion.en_espera + 1)
            cursor = await bd.execute(
                "INSERT INTO inscripciones (sesion_id, telegram_id, estado, creada_en,"
                " actualizada_en) VALUES (?, ?, ?, ?, ?)",
                (sesion_id, telegram_id, estado, texto_fecha(ahora), texto_fecha(ahora)),
            )
            inscripcion_id = int(cursor.lastrowid)
            if estado == EstadoInscripcion.INSCRITA:
                await self.crear_recordatorios(bd, inscripcion_id, planes(sesion.inicio))
                return ResultadoInscripcion(Inscribir.INSCRITA, inscripcion_id)
            return ResultadoInscripcion(Inscribir.ESPERA, inscripcion_id, sesion.en_espera + 1)

    async def _motivo_para_no_inscribir(
        self, bd: aiosqlite.Connection, fila: aiosqlite.Row | None, telegram_id: int,
        ahora: datetime,
    ) -> ResultadoInscripcion | None:
        if fila is None:
            return ResultadoInscripcion(Inscribir.NO_EXISTE)
        sesion = _sesion(fila)
        if sesion.estado != EstadoSesion.PROGRAMADA:
            return ResultadoInscripcion(Inscribir.SESION_CANCELADA)
        if sesion.inicio <= ahora:
            return ResultadoInscripcion(Inscribir.PASADA)
        persona = await _uno_en(
            bd, "SELECT 1 FROM personas WHERE telegram_id = ? AND consentimiento = 'aceptado'",
            (telegram_id,))
        if persona is None:
            return ResultadoInscripcion(Inscribir.SIN_PERMISO)
        previa = await _uno_en(
            bd, f"{_INSCRIPCION} WHERE i.sesion_id = ? AND i.telegram_id = ?"
            " AND i.estado != 'cancelada'", (sesion.id, telegram_id))
        if previa is None:
            return None
        previa_ = _inscripcion(previa)
        codigo = (Inscribir.YA_INSCRITA if previa_.estado == EstadoInscripcion.INSCRITA
                  else Inscribir.YA_EN_ESPERA)
        return ResultadoInscripcion(codigo, previa_.id, previa_.posicion_espera)

    async def cancelar_inscripcion(self, inscripcion_id: int, telegram_id: int, ahora: datetime,
                                   planes: Planes, avisar: AvisarAscensos) -> Baja:
        """Deja el lugar (solo la dueña o el dueño) y, en la misma transacción, se lo da a la
        primera persona que espera; `avisar` encola su aviso antes de confirmar."""
        async with self.transaccion() as bd:
            fila = await _uno_en(bd, "SELECT * FROM inscripciones WHERE id = ? AND telegram_id = ?",
                                 (inscripcion_id, telegram_id))
            if fila is None:
                return Baja(hecha=False)
            if fila["estado"] not in (EstadoInscripcion.INSCRITA, EstadoInscripcion.ESPERA):
                return Baja(hecha=False, estado_previo=fila["estado"])
            await bd.execute(
                "UPDATE inscripciones SET estado = 'cancelada', actualizada_en = ? WHERE id = ?",
                (texto_fecha(ahora), inscripcion_id))
            await self.descartar_recordatorios_de_inscripcion(bd, inscripcion_id)
            promocion = None
            if fila["estado"] == EstadoInscripcion.INSCRITA:
                promocion = await self._ascender(bd, fila["sesion_id"], ahora, planes)
            if promocion is not None:
                await avisar(bd, [promocion])
            return Baja(hecha=True, estado_previo=fila["estado"], promocion=promocion)

    async def _ascender(self, bd: aiosqlite.Connection, sesion_id: int, ahora: datetime,
                        planes: Planes) -> Promocion | None:
        sesion_fila = await _uno_en(bd, f"{_SESION} WHERE s.id = ?", (sesion_id,))
        sesion = _sesion(sesion_fila)
        if not sesion.abierta(ahora) or sesion.lugares_libres <= 0:
            return None
        siguiente = await _uno_en(
            bd, "SELECT i.id, i.telegram_id, p.idioma FROM inscripciones i"
            " JOIN personas p ON p.telegram_id = i.telegram_id"
            " WHERE i.sesion_id = ? AND i.estado = 'espera' ORDER BY i.id LIMIT 1", (sesion_id,))
        if siguiente is None:
            return None
        await bd.execute(
            "UPDATE inscripciones SET estado = 'inscrita', actualizada_en = ? WHERE id = ?",
            (texto_fecha(ahora), siguiente["id"]))
        await self.crear_recordatorios(bd, siguiente["id"], planes(sesion.inicio))
        return Promocion(siguiente["id"], sesion_id, siguiente["telegram_id"],
                         siguiente["idioma"])

    async def inscripcion(self, inscripcion_id: int) -> Inscripcion | None:
        fila = await self._uno(f"{_INSCRIPCION} WHERE i.id = ?", (inscripcion_id,))
        return _inscripcion(fila) if fila else None

    async def inscripcion_activa(self, sesion_id: int, telegram_id: int) -> Inscripcion | None:
        fila = await self._uno(
            f"{_INSCRIPCION} WHERE i.sesion_id = ? AND i.telegram_id = ?"
            " AND i.estado != 'cancelada'", (sesion_id, telegram_id))
        return _inscripcion(fila) if fila else None

    async def inscripciones_de(self, telegram_id: int,
                               ahora: datetime) -> list[tuple[Inscripcion, Sesion]]:
        """Lo que la persona tiene por delante (con lugar o en espera), lo más cercano primero.

        Una sesión cuenta hasta que termina su ventana de asistencia: así el mismo día se puede
        registrar la asistencia desde /mis_cursos.
        """
        filas = await self._todos(
            f"{_INSCRIPCION} WHERE i.telegram_id = ? AND i.estado IN ('inscrita', 'espera')",
            (telegram_id,))
        pares = []
        for fila in filas:
            sesion = await self.sesion(fila["sesion_id"])
            if sesion.estado == EstadoSesion.PROGRAMADA and sesion.fin + VENTANA_ASISTENCIA > ahora:
                pares.append((_inscripcion(fila), sesion))
        return sorted(pares, key=lambda par: (par[1].inicio, par[0].id))

    async def historial_de_inscripciones(self, telegram_id: int,
                                         ) -> list[tuple[Inscripcion, Sesion]]:
        """Todas las inscripciones de la persona, también pasadas y canceladas (/mis_datos)."""
        filas = await self._todos(f"{_INSCRIPCION} WHERE i.telegram_id = ? ORDER BY i.id",
                                  (telegram_id,))
        pares = [(_inscripcion(f), await self.sesion(f["sesion_id"])) for f in filas]
        return sorted(pares, key=lambda par: (par[1].inicio, par[0].id))

    async def lista_de_sesion(self, sesion_id: int) -> list[Inscripcion]:
        """Primero quienes tienen lugar, luego quienes esperan; cada grupo por orden de llegada."""
        filas = await self._todos(
            f"{_INSCRIPCION} WHERE i.sesion_id = ? AND i.estado IN ('inscrita', 'espera')"
            " ORDER BY i.estado = 'espera', i.id", (sesion_id,))
        return [_inscripcion(f) for f in filas]

    async def confirmar_asistencia(self, inscripcion_id: int, telegram_id: int) -> bool:
        """«Sí voy a ir» desde un recordatorio. Dice si se guardó (solo la propia, con lugar)."""
        return await self._cambiar(
            "UPDATE inscripciones SET confirmo = 1 WHERE id = ? AND telegram_id = ?"
            " AND estado = 'inscrita'", (inscripcion_id, telegram_id)) > 0

    # --- recordatorios --------------------------------------------------------------------

    async def fijar_recordatorios_activos(self, telegram_id: int, activos: bool) -> bool:
        return await self._cambiar(
            "UPDATE personas SET recordatorios_activos = ? WHERE telegram_id = ?"
            " AND consentimiento = 'aceptado'", (int(activos), telegram_id)) > 0

    async def recordatorios_activos(self, telegram_id: int) -> bool:
        fila = await self._uno(
            "SELECT recordatorios_activos FROM personas WHERE telegram_id = ?", (telegram_id,))
        return bool(fila["recordatorios_activos"]) if fila else False

    # --- asistencia y encuesta ------------------------------------------------------------

    async def registrar_asistencia_con_codigo(self, telegram_id: int, codigo: str,
                                              ahora: datetime) -> ResultadoAsistencia:
        """Marca la asistencia si el código es el de una sesión suya de hoy (con lugar)."""
        candidatas = [(i, s) for i, s in await self.inscripciones_de(telegram_id, ahora)
                      if i.estado == EstadoInscripcion.INSCRITA
                      and s.en_ventana_de_asistencia(ahora)]
        if not candidatas:
            return ResultadoAsistencia(Asistencia.SIN_SESION_HOY)
        escrito = normalizar_codigo(codigo)
        for inscripcion, sesion in candidatas:
            if secrets.compare_digest(escrito, sesion.codigo_asistencia):
                if inscripcion.asistio:
                    return ResultadoAsistencia(Asistencia.YA_REGISTRADA, inscripcion.id, sesion.id)
                await self._cambiar(
                    "UPDATE inscripciones SET asistio = 1, actualizada_en = ? WHERE id = ?",
                    (texto_fecha(ahora), inscripcion.id))
                return ResultadoAsistencia(Asistencia.REGISTRADA, inscripcion.id, sesion.id)
        return ResultadoAsistencia(Asistencia.NO_COINCIDE)

    async def guardar_encuesta(self, inscripcion_id: int, telegram_id: int, puntuacion: int,
                               ahora: datetime) -> bool:
        """Una sola respuesta por inscripción, solo de quien asistió. Dice si se guardó."""
        if not 1 <= puntuacion <= 5:
            return False
        return await self._cambiar(
            "INSERT INTO encuestas (inscripcion_id, puntuacion, respondida_en)"
            " SELECT id, ?, ? FROM inscripciones WHERE id = ? AND telegram_id = ? AND asistio = 1"
            " ON CONFLICT (inscripcion_id) DO NOTHING",
            (puntuacion, texto_fecha(ahora), inscripcion_id, telegram_id)) > 0

    async def comentar_encuesta(self, inscripcion_id: int, telegram_id: int,
                                comentario: str) -> bool:
        return await self._cambiar(
            "UPDATE encuestas SET comentario = ? WHERE inscripcion_id = ? AND comentario IS NULL"
            " AND inscripcion_id IN (SELECT id FROM inscripciones WHERE telegram_id = ?)",
            (comentario, inscripcion_id, telegram_id)) > 0

    async def encuesta(self, inscripcion_id: int) -> Encuesta | None:
        fila = await self._uno("SELECT * FROM encuestas WHERE inscripcion_id = ?",
                               (inscripcion_id,))
        if fila is None:
            return None
        return Encuesta(fila["inscripcion_id"], fila["puntuacion"], fila["comentario"],
                        fecha(fila["respondida_en"]))

    async def encuesta_sin_comentario(self, telegram_id: int) -> int | None:
        """La última encuesta que la persona calificó y aún no comentó (su inscripción)."""
        fila = await self._uno(
            "SELECT e.inscripcion_id FROM encuestas e"
            " JOIN inscripciones i ON i.id = e.inscripcion_id"
            " WHERE i.telegram_id = ? AND e.comentario IS NULL"
            " ORDER BY e.respondida_en DESC, e.inscripcion_id DESC LIMIT 1", (telegram_id,))
        return fila["inscripcion_id"] if fila else None

    async def asistencias_sin_encuesta(self, desde: datetime, hasta: datetime) -> list[int]:
        """Inscripciones con asistencia, de sesiones que terminaron entre `desde` y `hasta`,
        a las que aún no se les mandó la encuesta."""
        filas = await self._todos(
            "SELECT i.id, s.inicio, s.duracion_min FROM inscripciones i"
            " JOIN sesiones s ON s.id = i.sesion_id"
            " WHERE i.asistio = 1 AND s.inicio >= ? AND s.inicio <= ?"
            " AND NOT EXISTS (SELECT 1 FROM encuestas e WHERE e.inscripcion_id = i.id)"
            " AND NOT EXISTS (SELECT 1 FROM envios v WHERE v.clave = 'encuesta:' || i.id)"
            " ORDER BY i.id",
            (texto_fecha(desde - timedelta(days=1)), texto_fecha(hasta)))
        return [f["id"] for f in filas
                if desde <= fecha(f["inicio"]) + timedelta(minutes=f["duracion_min"]) <= hasta]

    async def _cambiar(self, sql: str, parametros: Iterable[Any] = ()) -> int:
        """Una sentencia que cambia filas; devuelve cuántas cambió."""
        async with self._candado:
            cursor = await self._bd.execute(sql, tuple(parametros))
            return cursor.rowcount
