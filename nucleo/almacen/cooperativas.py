"""Cooperativas en formación: el grupo, sus miembros, sus enlaces de invitación, su avance en
el camino, las evidencias, las asambleas (con sus recordatorios) y las asesorías anotadas.

Lo que cambia algo recibe `bd`, la transacción abierta por `nucleo/cooperativas.py`: así el
cambio y los avisos a los miembros se confirman juntos. Las lecturas usan la misma conexión
(dentro de una transacción ven lo que ya cambió).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from nucleo.almacen.auditoria import Gancho
from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha
from nucleo.vocabulario import ClaseCooperativa, EstadoAsamblea, RolMiembro

Planes = list[tuple[int, datetime]]  # (antelación en minutos, cuándo mandarlo)

_COOPERATIVA = (
    "SELECT c.*, (SELECT COUNT(*) FROM miembros_cooperativa m"
    " WHERE m.cooperativa_id = c.id) AS miembros FROM cooperativas c"
)
_MIEMBRO = (
    "SELECT m.cooperativa_id, m.telegram_id, m.rol, m.unida_en,"
    " COALESCE(pf.nombre, m.nombre_telegram) AS nombre, p.idioma,"
    " p.consentimiento = 'aceptado' AS acepto, p.inalcanzable_desde IS NOT NULL AS inalcanzable"
    " FROM miembros_cooperativa m JOIN personas p ON p.telegram_id = m.telegram_id"
    " LEFT JOIN perfiles pf ON pf.telegram_id = m.telegram_id"
)
# Quién sigue si la responsable se va: una delegada, y si no hay, quien llegó primero.
_ORDEN_SUCESION = (
    "CASE m.rol WHEN 'delegada' THEN 0 ELSE 1 END, m.unida_en, m.telegram_id"
)


@dataclass(frozen=True)
class Cooperativa:
    id: int
    nombre: str
    actividad: str
    clase: ClaseCooperativa
    municipio_clave: str
    vigencia_dias: int | None
    creada_en: datetime
    miembros: int


@dataclass(frozen=True)
class Miembro:
    cooperativa_id: int
    telegram_id: int
    rol: RolMiembro
    nombre: str | None
    idioma: str | None
    unida_en: datetime
    acepto: bool
    inalcanzable: bool

    @property
    def puede_administrar(self) -> bool:
        """Quitar miembros, anular o renovar los enlaces."""
        return self.rol in (RolMiembro.RESPONSABLE, RolMiembro.DELEGADA)


@dataclass(frozen=True)
class Salida:
    """Lo que pasó al sacar a alguien de un grupo."""

    hecha: bool  # estaba en el grupo y ya no está
    nueva_responsable: int | None = None  # era la responsable: ahora lo es esta persona
    grupo_borrado: bool = False  # era la única: el grupo ya no existe


@dataclass(frozen=True)
class InvitacionGuardada:
    id: int
    cooperativa_id: int
    vence_en: datetime | None
    anulada_en: datetime | None


@dataclass(frozen=True)
class AvancePaso:
    paso_id: str
    marcado_por: int | None
    nombre_marco: str | None
    marcado_en: datetime
    confirmado_por: int | None
    nombre_confirmo: str | None
    confirmado_en: datetime | None

    @property
    def confirmado(self) -> bool:
        return self.confirmado_en is not None


@dataclass(frozen=True)
class Evidencia:
    id: int
    cooperativa_id: int
    paso_id: str
    subida_por: int | None
    nombre: str | None
    tipo: str
    file_id: str
    file_unique_id: str
    nombre_archivo: str | None
    mime: str | None
    tamano: int | None
    subida_en: datetime


@dataclass(frozen=True)
class EvidenciaNueva:
    tipo: str  # foto o documento
    file_id: str
    file_unique_id: str
    nombre_archivo: str | None = None
    mime: str | None = None
    tamano: int | None = None


@dataclass(frozen=True)
class Asamblea:
    id: int
    cooperativa_id: int
    inicio: datetime
    lugar: str
    orden_del_dia: str
    estado: EstadoAsamblea
    acuerdos: str | None
    convocada_por: int | None
    registrada_en: datetime | None


@dataclass(frozen=True)
class AsistenciaAsamblea:
    telegram_id: int
    nombre: str | None
    confirmo: bool | None
    asistio: bool | None


@dataclass(frozen=True)
class RecordatorioAsambleaDebido:
    id: int
    debido_en: str
    antelacion_min: int
    asamblea_id: int
    inicio: datetime
    estado_asamblea: str

    @property
    def clave(self) -> str:
        return f"asamblea:{self.asamblea_id}:{self.antelacion_min}:{self.debido_en}"


@dataclass(frozen=True)
class AsesoriaAnotada:
    personal_id: int
    acuerdos: str
    anotada_en: datetime


def _cooperativa(fila: aiosqlite.Row) -> Cooperativa:
    return Cooperativa(fila["id"], fila["nombre"], fila["actividad"],
                       ClaseCooperativa(fila["clase"]), fila["municipio_clave"],
                       fila["vigencia_dias"], fecha(fila["creada_en"]), fila["miembros"])


def _miembro(fila: aiosqlite.Row) -> Miembro:
    return Miembro(fila["cooperativa_id"], fila["telegram_id"], RolMiembro(fila["rol"]),
                   fila["nombre"], fila["idioma"], fecha(fila["unida_en"]),
                   bool(fila["acepto"]), bool(fila["inalcanzable"]))


def _asamblea(fila: aiosqlite.Row) -> Asamblea:
    return Asamblea(fila["id"], fila["cooperativa_id"], fecha(fila["inicio"]), fila["lugar"],
                    fila["orden_del_dia"], EstadoAsamblea(fila["estado"]), fila["acuerdos"],
                    fila["convocada_por"],
                    fecha(fila["registrada_en"]) if fila["registrada_en"] else None)


def _talvez(valor: Any) -> bool | None:
    return None if valor is None else bool(valor)


async def _filas(bd: aiosqlite.Connection, sql: str,
                 parametros: Iterable[Any] = ()) -> list[aiosqlite.Row]:
    async with bd.execute(sql, tuple(parametros)) as cursor:
        return list(await cursor.fetchall())


async def soltar_cooperativas(bd: aiosqlite.Connection, telegram_id: int) -> list[int]:
    """Antes de borrar a una persona (dentro de esa transacción): en cada grupo donde es la
    responsable, la responsabilidad pasa a otra persona (una delegada o quien llegó primero);
    un grupo donde ya no queda nadie más se borra. Devuelve los ids de los grupos borrados.
    Su lugar en cada grupo se va después, en cascada, con su fila de `personas`."""
    borrados = []
    for fila in await _filas(bd, "SELECT cooperativa_id FROM miembros_cooperativa"
                                 " WHERE telegram_id = ? AND rol = 'responsable'", (telegram_id,)):
        grupo = fila["cooperativa_id"]
        if await _pasar_responsabilidad(bd, grupo, telegram_id) is None:
            await bd.execute("DELETE FROM cooperativas WHERE id = ?", (grupo,))
            borrados.append(grupo)
    return borrados


async def _pasar_responsabilidad(bd: aiosqlite.Connection, cooperativa_id: int,
                                 quien_sale: int) -> int | None:
    """La responsable sale: la siguiente persona (ver _ORDEN_SUCESION) queda responsable.
    None si no queda nadie más."""
    filas = await _filas(bd, "SELECT m.telegram_id FROM miembros_cooperativa m"
                             " WHERE m.cooperativa_id = ? AND m.telegram_id != ?"
                             f" ORDER BY {_ORDEN_SUCESION} LIMIT 1", (cooperativa_id, quien_sale))
    if not filas:
        return None
    siguiente = filas[0]["telegram_id"]
    await bd.execute("UPDATE miembros_cooperativa SET rol = 'socia'"
                     " WHERE cooperativa_id = ? AND telegram_id = ?", (cooperativa_id, quien_sale))
    await bd.execute("UPDATE miembros_cooperativa SET rol = 'responsable'"
                     " WHERE cooperativa_id = ? AND telegram_id = ?", (cooperativa_id, siguiente))
    return siguiente


class AlmacenCooperativas(AlmacenBase):
    # --- el grupo -------------------------------------------------------------------------

    async def crear_cooperativa(self, bd: aiosqlite.Connection, nombre: str, actividad: str,
                                clase: str, municipio_clave: str, responsable: int,
                                nombre_telegram: str | None, vigencia_dias: int | None,
                                ahora: datetime) -> int:
        momento = texto_fecha(ahora)
        cursor = await bd.execute(
            "INSERT INTO cooperativas (nombre, actividad, clase, municipio_clave, vigencia_dias,"
            " creada_en, actualizada_en) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (nombre, actividad, clase, municipio_clave, vigencia_dias, momento, momento))
        cooperativa_id = int(cursor.lastrowid)
        await bd.execute(
            "INSERT INTO miembros_cooperativa (cooperativa_id, telegram_id, rol, nombre_telegram,"
            " unida_en) VALUES (?, ?, 'responsable', ?, ?)",
            (cooperativa_id, responsable, nombre_telegram, momento))
        return cooperativa_id

    async def cooperativa(self, cooperativa_id: int) -> Cooperativa | None:
        fila = await self._uno(f"{_COOPERATIVA} WHERE c.id = ?", (cooperativa_id,))
        return _cooperativa(fila) if fila else None

    async def membresias(self, telegram_id: int) -> list[tuple[Cooperativa, RolMiembro]]:
        """Los grupos de la persona, del más viejo al más nuevo, con su papel en cada uno."""
        filas = await self._todos(
            f"{_COOPERATIVA} JOIN miembros_cooperativa yo ON yo.cooperativa_id = c.id"
            " WHERE yo.telegram_id = ? ORDER BY yo.unida_en, c.id", (telegram_id,))
        roles = {f["cooperativa_id"]: f["rol"] for f in await self._todos(
            "SELECT cooperativa_id, rol FROM miembros_cooperativa WHERE telegram_id = ?",
            (telegram_id,))}
        return [(_cooperativa(f), RolMiembro(roles[f["id"]])) for f in filas]

    async def miembros(self, cooperativa_id: int) -> list[Miembro]:
        """Responsable primero, luego en orden de llegada."""
        filas = await self._todos(
            f"{_MIEMBRO} WHERE m.cooperativa_id = ?"
            " ORDER BY m.rol != 'responsable', m.unida_en, m.telegram_id", (cooperativa_id,))
        return [_miembro(f) for f in filas]

    async def miembro(self, cooperativa_id: int, telegram_id: int) -> Miembro | None:
        fila = await self._uno(f"{_MIEMBRO} WHERE m.cooperativa_id = ? AND m.telegram_id = ?",
                               (cooperativa_id, telegram_id))
        return _miembro(fila) if fila else None

    async def agregar_miembro(self, bd: aiosqlite.Connection, cooperativa_id: int,
                              telegram_id: int, nombre_telegram: str | None,
                              ahora: datetime) -> bool:
        cursor = await bd.execute(
            "INSERT OR IGNORE INTO miembros_cooperativa (cooperativa_id, telegram_id, rol,"
            " nombre_telegram, unida_en) VALUES (?, ?, 'socia', ?, ?)",
            (cooperativa_id, telegram_id, nombre_telegram, texto_fecha(ahora)))
        return cursor.rowcount > 0

    async def quitar_miembro(self, bd: aiosqlite.Connection, cooperativa_id: int,
                             telegram_id: int) -> Salida:
        """Saca a la persona del grupo (y de las asambleas que aún no pasan). Si era la
        responsable, la responsabilidad pasa a otra persona; si no queda nadie, el grupo se
        borra."""
        rol = await _filas(bd, "SELECT rol FROM miembros_cooperativa"
                               " WHERE cooperativa_id = ? AND telegram_id = ?",
                           (cooperativa_id, telegram_id))
        if not rol:
            return Salida(False)
        nueva = None
        if rol[0]["rol"] == RolMiembro.RESPONSABLE:
            nueva = await _pasar_responsabilidad(bd, cooperativa_id, telegram_id)
            if nueva is None:
                await bd.execute("DELETE FROM cooperativas WHERE id = ?", (cooperativa_id,))
                return Salida(True, grupo_borrado=True)
        await bd.execute("DELETE FROM miembros_cooperativa"
                         " WHERE cooperativa_id = ? AND telegram_id = ?",
                         (cooperativa_id, telegram_id))
        await bd.execute(
            "DELETE FROM asistencias_asamblea WHERE telegram_id = ? AND asamblea_id IN"
            " (SELECT id FROM asambleas WHERE cooperativa_id = ? AND estado = 'programada')",
            (telegram_id, cooperativa_id))
        return Salida(True, nueva_responsable=nueva)

    async def fijar_rol(self, bd: aiosqlite.Connection, cooperativa_id: int, telegram_id: int,
                        rol: RolMiembro) -> bool:
        """Delegada o socia (la responsable cambia solo con `pasar_responsabilidad`)."""
        if rol == RolMiembro.RESPONSABLE:
            raise ValueError("La responsabilidad se pasa, no se fija")
        cursor = await bd.execute(
            "UPDATE miembros_cooperativa SET rol = ? WHERE cooperativa_id = ?"
            " AND telegram_id = ? AND rol != 'responsable'", (rol, cooperativa_id, telegram_id))
        return cursor.rowcount > 0

    async def pasar_responsabilidad_a(self, bd: aiosqlite.Connection, cooperativa_id: int,
                                      de: int, a: int) -> bool:
        """La responsable le pasa la responsabilidad a otra persona del grupo."""
        existe = await _filas(bd, "SELECT 1 FROM miembros_cooperativa WHERE cooperativa_id = ?"
                                  " AND telegram_id = ? AND rol != 'responsable'",
                              (cooperativa_id, a))
        if not existe:
            return False
        await bd.execute("UPDATE miembros_cooperativa SET rol = 'delegada'"
                         " WHERE cooperativa_id = ? AND telegram_id = ? AND rol = 'responsable'",
                         (cooperativa_id, de))
        await bd.execute("UPDATE miembros_cooperativa SET rol = 'responsable'"
                         " WHERE cooperativa_id = ? AND telegram_id = ?", (cooperativa_id, a))
        return True

    # --- invitaciones -----------------------------------------------------------------------

    async def crear_invitacion(self, bd: aiosqlite.Connection, cooperativa_id: int,
                               hash_token: str, creada_por: int, ahora: datetime,
                               vence_en: datetime | None) -> int:
        cursor = await bd.execute(
            "INSERT INTO invitaciones_cooperativa (cooperativa_id, hash, creada_por, creada_en,"
            " vence_en) VALUES (?, ?, ?, ?, ?)",
            (cooperativa_id, hash_token, creada_por, texto_fecha(ahora),
             texto_fecha(vence_en) if vence_en else None))
        return int(cursor.lastrowid)

    async def invitacion_por_hash(self, hash_token: str) -> InvitacionGuardada | None:
        fila = await self._uno("SELECT * FROM invitaciones_cooperativa WHERE hash = ?",
                               (hash_token,))
        if fila is None:
            return None
        return InvitacionGuardada(
            fila["id"], fila["cooperativa_id"],
            fecha(fila["vence_en"]) if fila["vence_en"] else None,
            fecha(fila["anulada_en"]) if fila["anulada_en"] else None)

    async def anular_invitaciones(self, bd: aiosqlite.Connection, cooperativa_id: int,
                                  ahora: datetime) -> int:
        cursor = await bd.execute(
            "UPDATE invitaciones_cooperativa SET anulada_en = ?"
            " WHERE cooperativa_id = ? AND anulada_en IS NULL",
            (texto_fecha(ahora), cooperativa_id))
        return cursor.rowcount

    async def fijar_vigencia(self, bd: aiosqlite.Connection, cooperativa_id: int,
                             dias: int | None, ahora: datetime) -> None:
        await bd.execute("UPDATE cooperativas SET vigencia_dias = ?, actualizada_en = ?"
                         " WHERE id = ?", (dias, texto_fecha(ahora), cooperativa_id))

    # --- el camino ------------------------------------------------------------------------

    async def avances(self, cooperativa_id: int) -> dict[str, AvancePaso]:
        filas = await self._todos(
            "SELECT a.*, COALESCE(f1.nombre, m1.nombre_telegram) AS nombre_marco,"
            " COALESCE(f2.nombre, m2.nombre_telegram) AS nombre_confirmo"
            " FROM pasos_cooperativa a"
            " LEFT JOIN perfiles f1 ON f1.telegram_id = a.marcado_por"
            " LEFT JOIN miembros_cooperativa m1 ON m1.cooperativa_id = a.cooperativa_id"
            "  AND m1.telegram_id = a.marcado_por"
            " LEFT JOIN perfiles f2 ON f2.telegram_id = a.confirmado_por"
            " LEFT JOIN miembros_cooperativa m2 ON m2.cooperativa_id = a.cooperativa_id"
            "  AND m2.telegram_id = a.confirmado_por"
            " WHERE a.cooperativa_id = ?", (cooperativa_id,))
        return {f["paso_id"]: AvancePaso(
            f["paso_id"], f["marcado_por"], f["nombre_marco"], fecha(f["marcado_en"]),
            f["confirmado_por"], f["nombre_confirmo"],
            fecha(f["confirmado_en"]) if f["confirmado_en"] else None) for f in filas}

    async def marcar_paso(self, bd: aiosqlite.Connection, cooperativa_id: int, paso_id: str,
                          telegram_id: int, ahora: datetime) -> bool:
        cursor = await bd.execute(
            "INSERT OR IGNORE INTO pasos_cooperativa (cooperativa_id, paso_id, marcado_por,"
            " marcado_en) VALUES (?, ?, ?, ?)",
            (cooperativa_id, paso_id, telegram_id, texto_fecha(ahora)))
        return cursor.rowcount > 0

    async def confirmar_paso(self, bd: aiosqlite.Connection, cooperativa_id: int, paso_id: str,
                             telegram_id: int, ahora: datetime) -> bool:
        """Solo otra persona (no quien lo marcó) y solo una vez."""
        cursor = await bd.execute(
            "UPDATE pasos_cooperativa SET confirmado_por = ?, confirmado_en = ?"
            " WHERE cooperativa_id = ? AND paso_id = ? AND confirmado_en IS NULL"
            " AND (marcado_por IS NULL OR marcado_por != ?)",
            (telegram_id, texto_fecha(ahora), cooperativa_id, paso_id, telegram_id))
        return cursor.rowcount > 0

    async def desmarcar_paso(self, bd: aiosqlite.Connection, cooperativa_id: int,
                             paso_id: str) -> bool:
        cursor = await bd.execute(
            "DELETE FROM pasos_cooperativa WHERE cooperativa_id = ? AND paso_id = ?"
            " AND confirmado_en IS NULL", (cooperativa_id, paso_id))
        return cursor.rowcount > 0

    async def guardar_evidencia(self, bd: aiosqlite.Connection, cooperativa_id: int,
                                paso_id: str, telegram_id: int, evidencia: EvidenciaNueva,
                                ahora: datetime) -> int:
        cursor = await bd.execute(
            "INSERT INTO evidencias_cooperativa (cooperativa_id, paso_id, subida_por, tipo,"
            " file_id, file_unique_id, nombre_archivo, mime, tamano, subida_en)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (cooperativa_id, paso_id, telegram_id, evidencia.tipo, evidencia.file_id,
             evidencia.file_unique_id, evidencia.nombre_archivo, evidencia.mime,
             evidencia.tamano, texto_fecha(ahora)))
        return int(cursor.lastrowid)

    async def evidencias(self, cooperativa_id: int,
                         paso_id: str | None = None) -> list[Evidencia]:
        condicion, parametros = "e.cooperativa_id = ?", [cooperativa_id]
        if paso_id is not None:
            condicion += " AND e.paso_id = ?"
            parametros.append(paso_id)
        filas = await self._todos(
            "SELECT e.*, COALESCE(f.nombre, m.nombre_telegram) AS nombre"
            " FROM evidencias_cooperativa e LEFT JOIN perfiles f ON f.telegram_id = e.subida_por"
            " LEFT JOIN miembros_cooperativa m ON m.cooperativa_id = e.cooperativa_id"
            "  AND m.telegram_id = e.subida_por"
            f" WHERE {condicion} ORDER BY e.id", parametros)
        return [Evidencia(f["id"], f["cooperativa_id"], f["paso_id"], f["subida_por"],
                          f["nombre"], f["tipo"], f["file_id"], f["file_unique_id"],
                          f["nombre_archivo"], f["mime"], f["tamano"], fecha(f["subida_en"]))
                for f in filas]

    # --- asambleas ----------------------------------------------------------------------------

    async def crear_asamblea(self, bd: aiosqlite.Connection, cooperativa_id: int,
                             inicio: datetime, lugar: str, orden_del_dia: str,
                             convocada_por: int, planes: Planes, ahora: datetime) -> int:
        cursor = await bd.execute(
            "INSERT INTO asambleas (cooperativa_id, inicio, lugar, orden_del_dia, convocada_por,"
            " creada_en) VALUES (?, ?, ?, ?, ?, ?)",
            (cooperativa_id, texto_fecha(inicio), lugar, orden_del_dia, convocada_por,
             texto_fecha(ahora)))
        asamblea_id = int(cursor.lastrowid)
        await bd.executemany(
            "INSERT INTO recordatorios_asamblea (asamblea_id, antelacion_min, debido_en)"
            " VALUES (?, ?, ?)",
            [(asamblea_id, antelacion, texto_fecha(debido)) for antelacion, debido in planes])
        return asamblea_id

    async def asamblea(self, asamblea_id: int) -> Asamblea | None:
        fila = await self._uno("SELECT * FROM asambleas WHERE id = ?", (asamblea_id,))
        return _asamblea(fila) if fila else None

    async def asambleas(self, cooperativa_id: int) -> list[Asamblea]:
        filas = await self._todos("SELECT * FROM asambleas WHERE cooperativa_id = ?"
                                  " ORDER BY inicio DESC, id DESC", (cooperativa_id,))
        return [_asamblea(f) for f in filas]

    async def responder_asamblea(self, asamblea_id: int, telegram_id: int, ira: bool) -> None:
        await self._ejecutar(
            "INSERT INTO asistencias_asamblea (asamblea_id, telegram_id, confirmo)"
            " VALUES (?, ?, ?) ON CONFLICT (asamblea_id, telegram_id)"
            " DO UPDATE SET confirmo = excluded.confirmo", (asamblea_id, telegram_id, int(ira)))

    async def responder_asamblea_en(self, bd: aiosqlite.Connection, asamblea_id: int,
                                    telegram_id: int, ira: bool) -> None:
        """Como `responder_asamblea`, dentro de una transacción abierta."""
        await bd.execute(
            "INSERT INTO asistencias_asamblea (asamblea_id, telegram_id, confirmo)"
            " VALUES (?, ?, ?) ON CONFLICT (asamblea_id, telegram_id)"
            " DO UPDATE SET confirmo = excluded.confirmo", (asamblea_id, telegram_id, int(ira)))

    async def asistencias(self, asamblea_id: int) -> list[AsistenciaAsamblea]:
        """Cada miembro ACTUAL del grupo, con lo que contestó y si asistió."""
        filas = await self._todos(
            "SELECT m.telegram_id, COALESCE(f.nombre, m.nombre_telegram) AS nombre,"
            " s.confirmo, s.asistio FROM asambleas a"
            " JOIN miembros_cooperativa m ON m.cooperativa_id = a.cooperativa_id"
            " LEFT JOIN perfiles f ON f.telegram_id = m.telegram_id"
            " LEFT JOIN asistencias_asamblea s ON s.asamblea_id = a.id"
            "  AND s.telegram_id = m.telegram_id"
            " WHERE a.id = ? ORDER BY m.unida_en, m.telegram_id", (asamblea_id,))
        return [AsistenciaAsamblea(f["telegram_id"], f["nombre"], _talvez(f["confirmo"]),
                                   _talvez(f["asistio"])) for f in filas]

    async def registrar_asamblea(self, bd: aiosqlite.Connection, asamblea_id: int,
                                 acuerdos: str, asistentes: Sequence[int],
                                 ahora: datetime) -> bool:
        """Acuerdos y asistencia de una asamblea que no está cancelada (se puede corregir)."""
        cursor = await bd.execute(
            "UPDATE asambleas SET estado = 'realizada', acuerdos = ?, registrada_en = ?"
            " WHERE id = ? AND estado != 'cancelada'",
            (acuerdos, texto_fecha(ahora), asamblea_id))
        if cursor.rowcount == 0:
            return False
        await bd.execute("UPDATE asistencias_asamblea SET asistio = 0 WHERE asamblea_id = ?",
                         (asamblea_id,))
        await bd.executemany(
            "INSERT INTO asistencias_asamblea (asamblea_id, telegram_id, asistio)"
            " VALUES (?, ?, 1) ON CONFLICT (asamblea_id, telegram_id) DO UPDATE SET asistio = 1",
            [(asamblea_id, t) for t in asistentes])
        await self._descartar_recordatorios_asamblea(bd, asamblea_id)
        return True

    async def cancelar_asamblea(self, bd: aiosqlite.Connection, asamblea_id: int) -> bool:
        cursor = await bd.execute("UPDATE asambleas SET estado = 'cancelada'"
                                  " WHERE id = ? AND estado = 'programada'", (asamblea_id,))
        if cursor.rowcount:
            await self._descartar_recordatorios_asamblea(bd, asamblea_id)
        return cursor.rowcount > 0

    async def _descartar_recordatorios_asamblea(self, bd: aiosqlite.Connection,
                                                asamblea_id: int) -> None:
        await bd.execute("UPDATE recordatorios_asamblea SET estado = 'descartado'"
                         " WHERE asamblea_id = ? AND estado = 'pendiente'", (asamblea_id,))

    # --- recordatorios de asambleas (los atiende nucleo/cooperativas.py) --------------------

    async def recordatorios_asamblea_debidos(self, bd: aiosqlite.Connection, ahora: datetime,
                                             limite: int) -> list[RecordatorioAsambleaDebido]:
        filas = await _filas(
            bd, "SELECT r.id, r.debido_en, r.antelacion_min, a.id AS asamblea_id, a.inicio,"
                " a.estado FROM recordatorios_asamblea r JOIN asambleas a ON a.id = r.asamblea_id"
                " WHERE r.estado = 'pendiente' AND r.debido_en <= ?"
                " ORDER BY r.debido_en, r.id LIMIT ?", (texto_fecha(ahora), limite))
        return [RecordatorioAsambleaDebido(f["id"], f["debido_en"], f["antelacion_min"],
                                           f["asamblea_id"], fecha(f["inicio"]), f["estado"])
                for f in filas]

    async def marcar_recordatorios_asamblea(self, bd: aiosqlite.Connection,
                                            ids: Sequence[int], estado: str) -> None:
        if estado not in ("encolado", "descartado"):
            raise ValueError(f"Estado de recordatorio inválido: {estado}")
        await bd.executemany("UPDATE recordatorios_asamblea SET estado = ?"
                             " WHERE id = ? AND estado = 'pendiente'",
                             [(estado, i) for i in ids])

    async def proximo_recordatorio_asamblea(self) -> datetime | None:
        fila = await self._uno(
            "SELECT MIN(debido_en) FROM recordatorios_asamblea WHERE estado = 'pendiente'")
        return fecha(fila[0]) if fila and fila[0] else None

    # --- el personal ---------------------------------------------------------------------------

    async def cooperativas_en_formacion(self, municipio_clave: str | None = None,
                                        clase: str | None = None) -> list[Cooperativa]:
        condiciones, parametros = [], []
        if municipio_clave:
            condiciones.append("c.municipio_clave = ?")
            parametros.append(municipio_clave)
        if clase:
            condiciones.append("c.clase = ?")
            parametros.append(clase)
        donde = f" WHERE {' AND '.join(condiciones)}" if condiciones else ""
        filas = await self._todos(f"{_COOPERATIVA}{donde} ORDER BY c.municipio_clave, c.id",
                                  parametros)
        return [_cooperativa(f) for f in filas]

    async def pasos_hechos(self) -> dict[int, set[str]]:
        """Por grupo, los pasos ya confirmados (para «a qué paso llegó» y las cifras)."""
        hechos: dict[int, set[str]] = {}
        for f in await self._todos("SELECT cooperativa_id, paso_id FROM pasos_cooperativa"
                                   " WHERE confirmado_en IS NOT NULL"):
            hechos.setdefault(f["cooperativa_id"], set()).add(f["paso_id"])
        return hechos

    async def cuentas_por_paso(self) -> dict[str, int]:
        """Cuántos grupos tienen confirmado cada paso (para las cifras del programa)."""
        filas = await self._todos("SELECT paso_id, COUNT(*) AS n FROM pasos_cooperativa"
                                  " WHERE confirmado_en IS NOT NULL GROUP BY paso_id")
        return {f["paso_id"]: f["n"] for f in filas}

    async def anotar_asesoria_cooperativa(self, cooperativa_id: int, personal_id: int,
                                          acuerdos: str, ahora: datetime,
                                          gancho: Gancho | None = None) -> bool:
        """Lo que el personal anotó al asesorar al grupo; `gancho`, en la misma transacción."""
        async with self.transaccion() as bd:
            if not await _filas(bd, "SELECT 1 FROM cooperativas WHERE id = ?",
                                (cooperativa_id,)):
                return False
            await bd.execute(
                "INSERT INTO asesorias_cooperativa (cooperativa_id, personal_id, acuerdos,"
                " anotada_en) VALUES (?, ?, ?, ?)",
                (cooperativa_id, personal_id, acuerdos, texto_fecha(ahora)))
            if gancho is not None:
                await gancho(bd)
            return True

    async def asesorias_cooperativa(self, cooperativa_id: int) -> list[AsesoriaAnotada]:
        filas = await self._todos("SELECT personal_id, acuerdos, anotada_en"
                                  " FROM asesorias_cooperativa WHERE cooperativa_id = ?"
                                  " ORDER BY id", (cooperativa_id,))
        return [AsesoriaAnotada(f["personal_id"], f["acuerdos"], fecha(f["anotada_en"]))
                for f in filas]
