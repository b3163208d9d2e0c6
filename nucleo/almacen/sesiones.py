"""Lo que hace el personal de la Secretaría con las sesiones: listas, cambios y asistencia.

Un cambio que afecta a personas inscritas (otra fecha, cancelar, más cupo) va en una sola
transacción junto con sus recordatorios: o cambia todo o no cambia nada. Los avisos a las
personas afectadas se encolan dentro de la misma transacción (`avisar`), así que un corte a la
mitad no deja un cambio sin su aviso; quien llama rearma los recordatorios en memoria.

Los métodos de sesiones y recordatorios que se usan aquí (`sesion`, `_ascender`,
`rehacer_recordatorios_de_sesion`, `descartar_recordatorios_de_sesion`) viven en cursos.py y
recordatorios.py: `Almacen` los reúne a todos. Así subir de la lista de espera funciona igual
si alguien deja su lugar que si el personal amplía el cupo.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from nucleo.almacen.base import AlmacenBase, texto_fecha
from nucleo.almacen.cursos import AvisarAscensos, Promocion, Sesion
from nucleo.vocabulario import EstadoSesion

# Lo que el personal puede corregir de una sesión sin avisar a nadie (la fecha y el cupo
# tienen su propio método: mueven recordatorios o lugares).
CAMPOS_EDITABLES = ("municipio_clave", "lugar", "direccion", "mapa_url", "enlace")
Planes = Callable[[datetime], list[tuple[int, datetime]]]  # inicio → [(antelación, debido)]


@dataclass(frozen=True)
class Afectada:
    """Una persona inscrita o en espera a la que hay que avisar de un cambio."""

    inscripcion_id: int
    telegram_id: int
    estado: str
    idioma: str | None


@dataclass(frozen=True)
class FilaLista:
    """Una línea de la lista de una sesión, con los datos del perfil que la persona dio."""

    inscripcion_id: int
    telegram_id: int
    estado: str
    posicion: int  # entre las inscritas, o su lugar en la lista de espera
    nombre: str | None
    municipio_clave: str | None
    sexo: str | None
    rango_edad: str | None
    asistio: bool | None


@dataclass(frozen=True)
class CambioDeCupo:
    guardado: bool
    inscritas: int
    promovidas: tuple[Promocion, ...] = ()


# Encola los avisos dentro de la transacción del cambio (con `despachador.encolar(..., bd=bd)`):
# si el cambio se guarda, los avisos también; si algo falla, ni lo uno ni lo otro.
Avisar = Callable[[aiosqlite.Connection, list["Afectada"]], Awaitable[None]]

_AFECTADAS = (
    "SELECT i.id, i.telegram_id, i.estado, pe.idioma FROM inscripciones i"
    " JOIN personas pe ON pe.telegram_id = i.telegram_id"
    " WHERE i.sesion_id = ? AND i.estado IN ('inscrita', 'espera')"
    " ORDER BY i.estado = 'espera', i.id"
)


async def _filas(bd: aiosqlite.Connection, sql: str,
                 parametros: Iterable[Any] = ()) -> list[aiosqlite.Row]:
    async with bd.execute(sql, tuple(parametros)) as cursor:
        return list(await cursor.fetchall())


def _afectada(fila: aiosqlite.Row) -> Afectada:
    return Afectada(fila["id"], fila["telegram_id"], fila["estado"], fila["idioma"])


class AlmacenSesiones(AlmacenBase):
    # --- consultar -----------------------------------------------------------------

    async def sesiones_para_personal(self, desde: datetime, limite: int = 40, *,
                                     con_canceladas: bool = False) -> list[Sesion]:
        """Sesiones programadas (y, con `con_canceladas`, también las canceladas: su lista
        sigue siendo el registro de quién iba a ir) que empiezan desde `desde` (el personal
        incluye las de días recientes, para registrar su asistencia), en orden de inicio."""
        estados = "('programada', 'cancelada')" if con_canceladas else "('programada')"
        filas = await self._todos(
            f"SELECT id FROM sesiones WHERE estado IN {estados} AND inicio >= ?"
            " ORDER BY inicio, id LIMIT ?", (texto_fecha(desde), limite))
        sesiones = [await self.sesion(f["id"]) for f in filas]
        return [s for s in sesiones if s is not None]

    async def lista_para_personal(self, sesion_id: int) -> list[FilaLista]:
        """Inscritas y luego en espera. Solo lleva perfil de quien aceptó el aviso.

        Sin discapacidad ni lengua indígena: son datos sensibles y el aviso promete usarlos
        solo en cifras sin nombres, nunca junto al nombre de la persona.
        """
        filas = await self._todos(
            "SELECT i.id, i.telegram_id, i.estado, i.asistio, pf.nombre, pf.municipio_clave,"
            " pf.sexo, pf.rango_edad FROM inscripciones i"
            " JOIN personas pe ON pe.telegram_id = i.telegram_id"
            " LEFT JOIN perfiles pf ON pf.telegram_id = i.telegram_id"
            "  AND pe.consentimiento = 'aceptado'"
            " WHERE i.sesion_id = ? AND i.estado IN ('inscrita', 'espera')"
            " ORDER BY i.estado = 'espera', i.id", (sesion_id,))
        contadores = {"inscrita": 0, "espera": 0}
        lista = []
        for f in filas:
            contadores[f["estado"]] += 1
            asistio = None if f["asistio"] is None else bool(f["asistio"])
            lista.append(FilaLista(
                f["id"], f["telegram_id"], f["estado"], contadores[f["estado"]], f["nombre"],
                f["municipio_clave"], f["sexo"], f["rango_edad"], asistio))
        return lista

    async def sesion_repetida(self, curso_id: str, inicio: datetime, municipio_clave: str | None,
                              lugar: str | None, enlace: str | None) -> int | None:
        """Una sesión programada igual (mismo curso, hora y lugar o enlace): importar dos
        veces el mismo archivo no duplica los grupos."""
        fila = await self._uno(
            "SELECT id FROM sesiones WHERE estado = 'programada' AND curso_id = ?"
            " AND inicio = ? AND COALESCE(municipio_clave, '') = ?"
            " AND LOWER(COALESCE(lugar, '')) = LOWER(?) AND COALESCE(enlace, '') = ?",
            (curso_id, texto_fecha(inicio), municipio_clave or "", lugar or "", enlace or ""))
        return None if fila is None else int(fila["id"])

    # --- cambiar una sesión ----------------------------------------------------------

    async def cambiar_fecha_sesion(self, sesion_id: int, inicio: datetime, planes: Planes,
                                 ahora: datetime, avisar: Avisar) -> list[Afectada] | None:
        """Nueva fecha y hora; los recordatorios se rehacen para ella. None si no existe o
        está cancelada. El «asistiré» se borra: era para la fecha anterior."""
        async with self.transaccion() as bd:
            cursor = await bd.execute(
                "UPDATE sesiones SET inicio = ?, actualizada_en = ?"
                " WHERE id = ? AND estado = 'programada'",
                (texto_fecha(inicio), texto_fecha(ahora), sesion_id))
            if cursor.rowcount == 0:
                return None
            await bd.execute(
                "UPDATE inscripciones SET confirmo = NULL, actualizada_en = ?"
                " WHERE sesion_id = ? AND estado IN ('inscrita', 'espera')",
                (texto_fecha(ahora), sesion_id))
            await self.rehacer_recordatorios_de_sesion(bd, sesion_id, planes)
            return await self._avisar_afectadas(bd, sesion_id, avisar)

    async def cancelar_sesion(self, sesion_id: int, ahora: datetime,
                              avisar: Avisar) -> list[Afectada] | None:
        """Cancela y descarta sus recordatorios. None si no existe o ya estaba cancelada.
        Las inscripciones se quedan como estaban: son el registro de quién iba a ir."""
        async with self.transaccion() as bd:
            cursor = await bd.execute(
                "UPDATE sesiones SET estado = 'cancelada', actualizada_en = ?"
                " WHERE id = ? AND estado = 'programada'", (texto_fecha(ahora), sesion_id))
            if cursor.rowcount == 0:
                return None
            await self.descartar_recordatorios_de_sesion(bd, sesion_id)
            return await self._avisar_afectadas(bd, sesion_id, avisar)

    async def _avisar_afectadas(self, bd: aiosqlite.Connection, sesion_id: int,
                                avisar: Avisar) -> list[Afectada]:
        afectadas = [_afectada(f) for f in await _filas(bd, _AFECTADAS, (sesion_id,))]
        await avisar(bd, afectadas)
        return afectadas

    async def cambiar_datos_sesion(self, sesion_id: int, campos: Mapping[str, str | None],
                                   ahora: datetime) -> bool:
        """Corrige lugar, dirección, mapa, enlace o municipio de una sesión programada."""
        desconocidos = set(campos) - set(CAMPOS_EDITABLES)
        if desconocidos or not campos:
            raise ValueError(f"Campos de sesión no editables: {sorted(desconocidos)}")
        asignaciones = ", ".join(f"{campo} = ?" for campo in campos)
        async with self._candado:
            cursor = await self._bd.execute(
                f"UPDATE sesiones SET {asignaciones}, actualizada_en = ?"
                " WHERE id = ? AND estado = 'programada'",
                (*campos.values(), texto_fecha(ahora), sesion_id))
            return cursor.rowcount > 0

    async def cambiar_cupo(self, sesion_id: int, cupo: int, planes: Planes,
                           ahora: datetime, avisar: AvisarAscensos) -> CambioDeCupo | None:
        """Nuevo cupo, nunca menor que las inscritas. Si crece, pasan de la espera a
        inscritas en orden de llegada (con sus recordatorios). None si no está programada."""
        async with self.transaccion() as bd:
            fila = await _filas(bd, "SELECT estado FROM sesiones WHERE id = ?", (sesion_id,))
            if not fila or fila[0]["estado"] != EstadoSesion.PROGRAMADA:
                return None
            inscritas = (await _filas(
                bd, "SELECT COUNT(*) FROM inscripciones WHERE sesion_id = ?"
                " AND estado = 'inscrita'", (sesion_id,)))[0][0]
            if cupo < inscritas:
                return CambioDeCupo(False, inscritas)
            await bd.execute("UPDATE sesiones SET cupo = ?, actualizada_en = ? WHERE id = ?",
                             (cupo, texto_fecha(ahora), sesion_id))
            promovidas = []
            # La misma regla que cuando alguien deja su lugar, una persona a la vez.
            while (promocion := await self._ascender(bd, sesion_id, ahora, planes)) is not None:
                promovidas.append(promocion)
            if promovidas:
                await avisar(bd, promovidas)
            return CambioDeCupo(True, inscritas, tuple(promovidas))

    # --- asistencia --------------------------------------------------------------------

    async def alternar_asistencia(self, sesion_id: int, inscripcion_id: int,
                                  ahora: datetime) -> bool | None:
        """Marca o desmarca que una persona inscrita asistió. None si no es de la sesión."""
        async with self._candado:
            cursor = await self._bd.execute(
                "UPDATE inscripciones SET asistio = CASE WHEN asistio = 1 THEN 0 ELSE 1 END,"
                " actualizada_en = ? WHERE id = ? AND sesion_id = ? AND estado = 'inscrita'"
                " RETURNING asistio", (texto_fecha(ahora), inscripcion_id, sesion_id))
            fila = await cursor.fetchone()
            await cursor.close()
        return None if fila is None else bool(fila[0])

    async def cerrar_asistencia(self, sesion_id: int, ahora: datetime) -> list[int]:
        """Quien no quedó marcada no asistió. Devuelve las inscripciones que asistieron."""
        async with self.transaccion() as bd:
            await bd.execute(
                "UPDATE inscripciones SET asistio = 0, actualizada_en = ?"
                " WHERE sesion_id = ? AND estado = 'inscrita' AND asistio IS NULL",
                (texto_fecha(ahora), sesion_id))
            filas = await _filas(
                bd, "SELECT id FROM inscripciones WHERE sesion_id = ? AND estado = 'inscrita'"
                " AND asistio = 1 ORDER BY id", (sesion_id,))
        return [int(f["id"]) for f in filas]

    # --- borrador de lo que el personal está capturando -----------------------------------

    async def borrador(self, personal_id: int) -> dict[str, Any] | None:
        fila = await self._uno(
            "SELECT datos FROM borradores_personal WHERE personal_id = ?", (personal_id,))
        return None if fila is None else json.loads(fila["datos"])

    async def guardar_borrador(self, personal_id: int, datos: Mapping[str, Any],
                               ahora: datetime) -> None:
        await self._ejecutar(
            "INSERT INTO borradores_personal (personal_id, datos, actualizado_en)"
            " VALUES (?, ?, ?) ON CONFLICT (personal_id) DO UPDATE SET"
            " datos = excluded.datos, actualizado_en = excluded.actualizado_en",
            (personal_id, json.dumps(dict(datos)), texto_fecha(ahora)))

    async def descartar_borrador(self, personal_id: int) -> None:
        await self._ejecutar(
            "DELETE FROM borradores_personal WHERE personal_id = ?", (personal_id,))
