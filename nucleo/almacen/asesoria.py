"""Asesoría: la conversación de cada persona con el personal, sus mensajes, las copias que el
bot dejó en el Telegram del personal y quién está contestando desde /bandeja.

Cada operación que cambia algo va en una transacción. Nada se guarda sin el aviso aceptado:
abrir o anotar un mensaje de una persona sin consentimiento no escribe nada.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from nucleo.almacen.auditoria import Gancho
from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha
from nucleo.vocabulario import EstadoAsesoria, TipoMensaje

_CONVERSACION = (
    "SELECT a.*, f.nombre AS nombre_perfil, f.municipio_clave,"
    " (SELECT COUNT(*) FROM mensajes_asesoria m WHERE m.asesoria_id = a.id) AS mensajes"
    " FROM asesorias a LEFT JOIN perfiles f ON f.telegram_id = a.telegram_id"
)
_CON_CONSENTIMIENTO = (
    "EXISTS (SELECT 1 FROM personas WHERE telegram_id = ? AND consentimiento = 'aceptado')"
)


@dataclass(frozen=True)
class ConversacionAsesoria:
    id: int
    telegram_id: int
    estado: EstadoAsesoria
    idioma: str | None
    nombre: str | None  # el del perfil o, si no hay, el de Telegram
    municipio_clave: str | None
    abierta_en: datetime
    reabierta_en: datetime | None
    esperando_desde: datetime | None
    atendida_por: int | None
    atendida_en: datetime | None
    cerrada_por: int | None
    cerrada_en: datetime | None
    grupo_id: int | None
    tema_id: int | None
    tema_nombre: str | None
    tema_cerrado: bool
    actualizada_en: datetime
    mensajes: int

    @property
    def abierta(self) -> bool:
        return self.estado != EstadoAsesoria.CERRADA

    @property
    def esperando(self) -> bool:
        """La persona escribió y nadie del personal le ha contestado todavía."""
        return self.esperando_desde is not None

    def espera(self, ahora: datetime) -> timedelta | None:
        return ahora - self.esperando_desde if self.esperando_desde else None


@dataclass(frozen=True)
class MensajeNuevo:
    """Un mensaje para anotar: qué es y dónde está el original en Telegram."""

    tipo: TipoMensaje
    texto: str | None
    archivo: str | None
    chat_origen: int
    mensaje_origen: int


@dataclass(frozen=True)
class MensajeAsesoria:
    id: int
    asesoria_id: int
    personal_id: int | None  # None: lo escribió la persona
    tipo: TipoMensaje
    texto: str | None
    archivo: str | None
    chat_origen: int
    mensaje_origen: int
    creado_en: datetime

    @property
    def del_personal(self) -> bool:
        return self.personal_id is not None


@dataclass(frozen=True)
class Cambio:
    """Una conversación antes y después de anotar un mensaje (antes es None si no existía)."""

    antes: ConversacionAsesoria | None
    despues: ConversacionAsesoria
    mensaje_id: int
    repetido: bool = False  # el mensaje ya estaba anotado (se atiende otra vez tras una caída)
    pasado: bool = False  # ...y ya había llegado al personal


def _fecha_o_none(texto: str | None) -> datetime | None:
    return fecha(texto) if texto else None


def _conversacion(fila: aiosqlite.Row) -> ConversacionAsesoria:
    return ConversacionAsesoria(
        id=fila["id"], telegram_id=fila["telegram_id"], estado=EstadoAsesoria(fila["estado"]),
        idioma=fila["idioma"], nombre=fila["nombre_perfil"] or fila["nombre_telegram"],
        municipio_clave=fila["municipio_clave"], abierta_en=fecha(fila["abierta_en"]),
        reabierta_en=_fecha_o_none(fila["reabierta_en"]),
        esperando_desde=_fecha_o_none(fila["esperando_desde"]),
        atendida_por=fila["atendida_por"], atendida_en=_fecha_o_none(fila["atendida_en"]),
        cerrada_por=fila["cerrada_por"], cerrada_en=_fecha_o_none(fila["cerrada_en"]),
        grupo_id=fila["grupo_id"], tema_id=fila["tema_id"], tema_nombre=fila["tema_nombre"],
        tema_cerrado=bool(fila["tema_cerrado"]), actualizada_en=fecha(fila["actualizada_en"]),
        mensajes=int(fila["mensajes"]),
    )


class AlmacenAsesoria(AlmacenBase):
    # --- consultas -------------------------------------------------------------------

    async def asesoria_de(self, telegram_id: int) -> ConversacionAsesoria | None:
        fila = await self._uno(f"{_CONVERSACION} WHERE a.telegram_id = ?", (telegram_id,))
        return _conversacion(fila) if fila else None

    async def asesoria(self, asesoria_id: int) -> ConversacionAsesoria | None:
        fila = await self._uno(f"{_CONVERSACION} WHERE a.id = ?", (asesoria_id,))
        return _conversacion(fila) if fila else None

    async def asesoria_por_tema(self, grupo_id: int, tema_id: int) -> ConversacionAsesoria | None:
        fila = await self._uno(f"{_CONVERSACION} WHERE a.grupo_id = ? AND a.tema_id = ?",
                               (grupo_id, tema_id))
        return _conversacion(fila) if fila else None

    async def asesorias_abiertas(self) -> list[ConversacionAsesoria]:
        """Las abiertas con algún mensaje: primero las que esperan respuesta (la que más lleva
        esperando, primero) y luego las demás, de la más vieja a la más reciente."""
        filas = await self._todos(
            f"SELECT * FROM ({_CONVERSACION} WHERE a.estado != 'cerrada') WHERE mensajes > 0"
            " ORDER BY esperando_desde IS NULL, esperando_desde, actualizada_en, id")
        return [_conversacion(f) for f in filas]

    async def mensajes_de_asesoria(self, asesoria_id: int,
                                   ultimos: int | None = None) -> list[MensajeAsesoria]:
        """Los mensajes en orden; con `ultimos`, solo los últimos N."""
        filas = await self._todos(
            "SELECT * FROM (SELECT * FROM mensajes_asesoria WHERE asesoria_id = ?"
            " ORDER BY id DESC LIMIT ?) ORDER BY id", (asesoria_id, -1 if ultimos is None
                                                       else ultimos))
        return [MensajeAsesoria(f["id"], f["asesoria_id"], f["personal_id"],
                                TipoMensaje(f["tipo"]), f["texto"], f["archivo"],
                                f["chat_origen"], f["mensaje_origen"], fecha(f["creado_en"]))
                for f in filas]

    async def copias_de_asesoria(self, asesoria_id: int) -> list[tuple[int, int]]:
        """(chat_id, message_id) de lo que el bot dejó en el Telegram del personal."""
        filas = await self._todos(
            "SELECT chat_id, message_id FROM copias_asesoria WHERE asesoria_id = ?"
            " ORDER BY chat_id, message_id", (asesoria_id,))
        return [(f["chat_id"], f["message_id"]) for f in filas]

    # --- la persona ---------------------------------------------------------------------

    async def abrir_asesoria(self, telegram_id: int, idioma: str | None,
                             nombre_telegram: str | None,
                             ahora: datetime) -> ConversacionAsesoria | None:
        """La conversación de la persona (la crea si no tiene). None sin el aviso aceptado."""
        async with self.transaccion() as bd:
            await self._crear_si_falta(bd, telegram_id, idioma, nombre_telegram, ahora)
        return await self.asesoria_de(telegram_id)

    async def anotar_de_persona(self, telegram_id: int, idioma: str | None,
                                nombre_telegram: str | None, mensaje: MensajeNuevo,
                                ahora: datetime) -> Cambio | None:
        """Un mensaje de la persona: abre la conversación si no había, la reabre si estaba
        cerrada y la deja esperando respuesta. None (y nada guardado) sin el aviso aceptado."""
        cuando = texto_fecha(ahora)
        async with self.transaccion() as bd:
            antes = await self.asesoria_de(telegram_id)
            ya = await self._ya_anotado(mensaje)
            if ya is not None and antes is not None:
                return Cambio(antes, antes, ya["id"], repetido=True,
                              pasado=ya["pasado_en"] is not None)
            if not await self._crear_si_falta(bd, telegram_id, idioma, nombre_telegram, ahora):
                return None
            await bd.execute(
                "UPDATE asesorias SET idioma = COALESCE(?, idioma),"
                " nombre_telegram = COALESCE(?, nombre_telegram),"
                " reabierta_en = CASE estado WHEN 'cerrada' THEN ? ELSE reabierta_en END,"
                " atendida_por = CASE estado WHEN 'cerrada' THEN NULL ELSE atendida_por END,"
                " atendida_en = CASE estado WHEN 'cerrada' THEN NULL ELSE atendida_en END,"
                " estado = CASE estado WHEN 'cerrada' THEN 'nueva' ELSE estado END,"
                " esperando_desde = COALESCE(esperando_desde, ?), actualizada_en = ?"
                " WHERE telegram_id = ?",
                (idioma, nombre_telegram, cuando, cuando, cuando, telegram_id))
            mensaje_id = await self._insertar_mensaje(bd, telegram_id, None, mensaje, cuando)
            despues = await self.asesoria_de(telegram_id)
        return Cambio(antes, despues, mensaje_id)

    async def _crear_si_falta(self, bd: aiosqlite.Connection, telegram_id: int,
                              idioma: str | None, nombre_telegram: str | None,
                              ahora: datetime) -> bool:
        """Crea la conversación si falta (solo con el aviso aceptado). Dice si existe."""
        cuando = texto_fecha(ahora)
        await bd.execute(
            "INSERT OR IGNORE INTO asesorias (telegram_id, idioma, nombre_telegram, abierta_en,"
            f" actualizada_en) SELECT ?, ?, ?, ?, ? WHERE {_CON_CONSENTIMIENTO}",
            (telegram_id, idioma, nombre_telegram, cuando, cuando, telegram_id))
        async with bd.execute("SELECT 1 FROM asesorias WHERE telegram_id = ?",
                              (telegram_id,)) as cursor:
            return await cursor.fetchone() is not None

    # --- el personal --------------------------------------------------------------------

    async def anotar_de_personal(self, asesoria_id: int, personal_id: int,
                                 mensaje: MensajeNuevo, ahora: datetime,
                                 gancho: Gancho | None = None) -> Cambio | None:
        """Una respuesta del personal (ya entregada): la conversación queda atendida (también
        si estaba cerrada) y deja de esperar. None si la conversación ya no existe. `gancho`
        corre dentro de la misma transacción (la bitácora)."""
        cuando = texto_fecha(ahora)
        async with self.transaccion() as bd:
            antes = await self.asesoria(asesoria_id)
            if antes is None:
                return None
            await bd.execute(
                "UPDATE asesorias SET"
                " atendida_por = CASE estado WHEN 'atendida' THEN atendida_por ELSE ? END,"
                " atendida_en = CASE estado WHEN 'atendida' THEN atendida_en ELSE ? END,"
                " estado = 'atendida', esperando_desde = NULL, actualizada_en = ? WHERE id = ?",
                (personal_id, cuando, cuando, asesoria_id))
            mensaje_id = await self._insertar_mensaje(bd, antes.telegram_id, personal_id,
                                                      mensaje, cuando, asesoria_id)
            if gancho is not None:
                await gancho(bd)
            despues = await self.asesoria(asesoria_id)
        return Cambio(antes, despues, mensaje_id)

    async def cerrar_asesoria(self, asesoria_id: int, personal_id: int, ahora: datetime,
                              gancho: Gancho | None = None) -> ConversacionAsesoria | None:
        """Cierra la conversación. None si no existe o ya estaba cerrada. `gancho` corre
        dentro de la misma transacción (la bitácora)."""
        cuando = texto_fecha(ahora)
        async with self.transaccion() as bd:
            cursor = await bd.execute(
                "UPDATE asesorias SET estado = 'cerrada', cerrada_por = ?, cerrada_en = ?,"
                " esperando_desde = NULL, actualizada_en = ? WHERE id = ? AND estado != 'cerrada'",
                (personal_id, cuando, cuando, asesoria_id))
            if cursor.rowcount == 0:
                return None
            await bd.execute("DELETE FROM respuestas_en_curso WHERE asesoria_id = ?",
                             (asesoria_id,))
            if gancho is not None:
                await gancho(bd)
        return await self.asesoria(asesoria_id)

    async def fijar_tema(self, asesoria_id: int, grupo_id: int | None, tema_id: int | None,
                         nombre: str | None, cerrado: bool) -> None:
        """El tema de la conversación en el grupo del personal (None: ya no tiene)."""
        await self._ejecutar(
            "UPDATE asesorias SET grupo_id = ?, tema_id = ?, tema_nombre = ?, tema_cerrado = ?"
            " WHERE id = ?", (grupo_id, tema_id, nombre, int(cerrado), asesoria_id))

    async def anotar_copia(self, asesoria_id: int, chat_id: int, message_id: int) -> None:
        """Un mensaje del bot en el Telegram del personal con algo de la conversación."""
        await self._ejecutar(
            "INSERT OR IGNORE INTO copias_asesoria (asesoria_id, chat_id, message_id)"
            " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM asesorias WHERE id = ?)",
            (asesoria_id, chat_id, message_id, asesoria_id))

    # --- contestar desde /bandeja ---------------------------------------------------------

    async def empezar_respuesta(self, personal_id: int, asesoria_id: int,
                                ahora: datetime) -> None:
        await self._ejecutar(
            "INSERT INTO respuestas_en_curso (personal_id, asesoria_id, desde) VALUES (?, ?, ?)"
            " ON CONFLICT (personal_id) DO UPDATE SET asesoria_id = excluded.asesoria_id,"
            " desde = excluded.desde", (personal_id, asesoria_id, texto_fecha(ahora)))

    async def respuesta_en_curso(self, personal_id: int) -> int | None:
        """La conversación que esa persona del personal está contestando, si hay."""
        fila = await self._uno("SELECT asesoria_id FROM respuestas_en_curso"
                               " WHERE personal_id = ?", (personal_id,))
        return int(fila[0]) if fila else None

    async def terminar_respuesta(self, personal_id: int) -> None:
        await self._ejecutar("DELETE FROM respuestas_en_curso WHERE personal_id = ?",
                             (personal_id,))

    # --- lo común ----------------------------------------------------------------------

    async def _ya_anotado(self, mensaje: MensajeNuevo) -> aiosqlite.Row | None:
        return await self._uno(
            "SELECT id, pasado_en FROM mensajes_asesoria WHERE chat_origen = ?"
            " AND mensaje_origen = ?", (mensaje.chat_origen, mensaje.mensaje_origen))

    async def ya_anotado(self, mensaje: MensajeNuevo) -> bool:
        """El mensaje de Telegram ya está anotado: se atendió antes de una caída."""
        return await self._ya_anotado(mensaje) is not None

    async def marcar_pasado(self, mensaje_id: int, ahora: datetime) -> None:
        """El mensaje de la persona ya llegó al personal: no se copia otra vez."""
        await self._ejecutar("UPDATE mensajes_asesoria SET pasado_en = ? WHERE id = ?",
                             (texto_fecha(ahora), mensaje_id))

    async def _insertar_mensaje(self, bd: aiosqlite.Connection, telegram_id: int,
                                personal_id: int | None, mensaje: MensajeNuevo, cuando: str,
                                asesoria_id: int | None = None) -> int:
        cursor = await bd.execute(
            "INSERT INTO mensajes_asesoria (asesoria_id, telegram_id, personal_id, tipo, texto,"
            " archivo, chat_origen, mensaje_origen, creado_en, pasado_en)"
            " SELECT id, telegram_id, ?, ?, ?, ?, ?, ?, ?, ? FROM asesorias"
            " WHERE telegram_id = ? AND (? IS NULL OR id = ?)",
            (personal_id, str(mensaje.tipo), mensaje.texto, mensaje.archivo, mensaje.chat_origen,
             mensaje.mensaje_origen, cuando, cuando if personal_id is not None else None,
             telegram_id, asesoria_id, asesoria_id))
        return int(cursor.lastrowid)
