"""Asesoría: una persona escribe a una persona asesora de la Secretaría, y le contestan.

Dos formas de contestar, según la configuración:

- Con `COOPERA_GRUPO_ASESORIA` (un supergrupo del personal con temas): cada persona tiene UN
  tema, con su nombre, su municipio y un número corto. Lo que la persona manda se copia a su
  tema (copyMessage) y lo que el personal escribe en el tema se le copia a ella desde el bot.
- Sin grupo, el personal usa /bandeja en su chat privado con el bot (conversaciones/bandeja.py).
  /bandeja sirve también con grupo: si el grupo falla, nada se pierde.

Siempre se copia (copyMessage), nunca se reenvía: la persona ve los mensajes del bot, no la
cuenta de quien le contesta; y el personal ve la copia, no la cuenta de la persona.

Cada operación guarda su cambio en una transacción (`nucleo/almacen/asesoria.py`) y luego
habla con Telegram. Nada se guarda sin el aviso aceptado. Si Telegram dice 403 al escribirle
a la persona (bloqueó al bot), queda marcada como inalcanzable y el personal lo sabe.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from html import escape

import aiosqlite
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, TelegramError

from nucleo.almacen import Almacen
from nucleo.almacen.asesoria import ConversacionAsesoria, MensajeAsesoria, MensajeNuevo
from nucleo.auditoria import anotar
from nucleo.configuracion import Configuracion
from nucleo.contenido import Contenido
from nucleo.reloj import Reloj
from nucleo.textos import NOMBRES_IDIOMAS, Textos, Traductor
from nucleo.vocabulario import EstadoAsesoria, TipoMensaje

registro = logging.getLogger("coopera.asesoria")

LARGO_NOMBRE_EN_TEMA = 40
LARGO_MAX_TEMA = 128  # lo que Telegram admite en el nombre de un tema


class Llegada(StrEnum):
    """Qué pasó con la conversación al llegar un mensaje de la persona."""

    ABIERTA = "abierta"  # su primer mensaje
    REABIERTA = "reabierta"  # estaba cerrada y volvió a escribir
    EN_ESPERA = "en_espera"  # ya le habían contestado; ahora espera otra respuesta
    SIGUE = "sigue"  # ya esperaba respuesta: un mensaje más
    SIN_PERMISO = "sin_permiso"  # no aceptó el aviso: no se guardó ni se pasó nada


class Entrega(StrEnum):
    """Qué pasó con una respuesta del personal."""

    ENTREGADA = "entregada"
    INALCANZABLE = "inalcanzable"  # la persona bloqueó al bot (403)
    NO_EXISTE = "no_existe"  # la conversación ya no existe (la persona borró sus datos)
    FALLO = "fallo"  # Telegram no la aceptó (por ejemplo, un tipo de mensaje que no se copia)


@dataclass(frozen=True)
class Recibido:
    llegada: Llegada
    conversacion: ConversacionAsesoria | None
    al_grupo: bool  # se copió al tema del grupo del personal


@dataclass(frozen=True)
class Respuesta:
    entrega: Entrega
    conversacion: ConversacionAsesoria | None


@dataclass(frozen=True)
class Olvido:
    """Lo que se pudo borrar del Telegram del personal al borrar los datos de una persona."""

    borrados: int
    no_borrados: int


def mensaje_nuevo(mensaje: Message) -> MensajeNuevo | None:
    """Lo que se anota de un mensaje de Telegram, o None si no es algo que se pase (sticker,
    ubicación, encuesta...)."""
    pie = mensaje.caption
    if mensaje.text:
        tipo, texto, archivo = TipoMensaje.TEXTO, mensaje.text, None
    elif mensaje.photo:
        tipo, texto, archivo = TipoMensaje.FOTO, pie, None
    elif mensaje.document:
        tipo, texto, archivo = TipoMensaje.DOCUMENTO, pie, mensaje.document.file_name
    elif mensaje.voice:
        tipo, texto, archivo = TipoMensaje.VOZ, pie, None
    elif mensaje.audio:
        tipo, texto, archivo = TipoMensaje.AUDIO, pie, mensaje.audio.file_name
    elif mensaje.video or mensaje.video_note:
        tipo, texto, archivo = TipoMensaje.VIDEO, pie, None
    else:
        return None
    return MensajeNuevo(tipo, texto, archivo, mensaje.chat_id, mensaje.message_id)


class Asesoria:
    """Abrir, anotar, contestar, cerrar y reabrir conversaciones con el personal."""

    def __init__(self, config: Configuracion, almacen: Almacen, contenido: Contenido,
                 textos: Textos, reloj: Reloj) -> None:
        self._config, self._almacen, self._contenido = config, almacen, contenido
        self._textos, self._reloj = textos, reloj
        self._avisados: set[int] = set()  # quien no es personal y ya supo que no contesta

    @property
    def grupo(self) -> int | None:
        return self._config.grupo_asesoria

    def _del_personal(self) -> Traductor:
        """El idioma de lo que el bot escribe al personal (el del bot)."""
        return self._textos.para(self._config.idioma_predeterminado)

    # --- consultas ------------------------------------------------------------------

    async def de(self, telegram_id: int) -> ConversacionAsesoria | None:
        return await self._almacen.asesoria_de(telegram_id)

    async def conversacion(self, asesoria_id: int) -> ConversacionAsesoria | None:
        return await self._almacen.asesoria(asesoria_id)

    async def del_tema(self, grupo_id: int, tema_id: int) -> ConversacionAsesoria | None:
        if grupo_id != self.grupo:
            return None
        return await self._almacen.asesoria_por_tema(grupo_id, tema_id)

    async def abiertas(self) -> list[ConversacionAsesoria]:
        return await self._almacen.asesorias_abiertas()

    async def historial(self, asesoria_id: int, ultimos: int) -> list[MensajeAsesoria]:
        return await self._almacen.mensajes_de_asesoria(asesoria_id, ultimos)

    async def anotar_copia(self, asesoria_id: int, mensaje: Message | None) -> None:
        """Un mensaje del bot al personal con algo de la conversación: se intentará borrar si
        la persona borra sus datos."""
        if mensaje is not None:
            await self.anotar_copia_en(asesoria_id, mensaje.chat_id, mensaje.message_id)

    async def anotar_copia_en(self, asesoria_id: int, chat_id: int, message_id: int) -> None:
        """Como `anotar_copia`, con el chat y el número del mensaje (p. ej. de copyMessage)."""
        await self._almacen.anotar_copia(asesoria_id, chat_id, message_id)

    # --- quién contesta qué desde /bandeja ------------------------------------------------

    async def empezar_respuesta(self, personal_id: int, asesoria_id: int) -> None:
        await self._almacen.empezar_respuesta(personal_id, asesoria_id, self._reloj.ahora())

    async def respuesta_en_curso(self, personal_id: int) -> int | None:
        return await self._almacen.respuesta_en_curso(personal_id)

    async def terminar_respuesta(self, personal_id: int) -> None:
        await self._almacen.terminar_respuesta(personal_id)

    def nombre_municipio(self, conversacion: ConversacionAsesoria) -> str | None:
        municipio = (self._contenido.municipios.por_clave(conversacion.municipio_clave)
                     if conversacion.municipio_clave else None)
        return municipio.nombre if municipio else None

    def primera_vez_no_personal(self, usuario_id: int) -> bool:
        """Si es la primera vez (desde que arrancó el bot) que alguien que no es personal
        escribe en un tema: se le explica una sola vez que solo el personal contesta."""
        if usuario_id in self._avisados:
            return False
        self._avisados.add(usuario_id)
        return True

    # --- la persona -------------------------------------------------------------------

    async def abrir(self, telegram_id: int, idioma: str | None,
                    nombre_telegram: str | None) -> ConversacionAsesoria | None:
        """/asesoria: la conversación de la persona (nueva si no tenía). None sin el aviso."""
        return await self._almacen.abrir_asesoria(telegram_id, idioma, nombre_telegram,
                                                  self._reloj.ahora())

    async def recibir(self, bot: Bot, telegram_id: int, idioma: str | None,
                      nombre_telegram: str | None, mensaje: MensajeNuevo) -> Recibido:
        """Un mensaje de la persona: se anota (abre o reabre la conversación) y se pasa al
        personal: al tema del grupo o, sin grupo, con un aviso para que lo vean en /bandeja."""
        cambio = await self._almacen.anotar_de_persona(telegram_id, idioma, nombre_telegram,
                                                       mensaje, self._reloj.ahora())
        if cambio is None:
            return Recibido(Llegada.SIN_PERMISO, None, False)
        antes, conversacion = cambio.antes, cambio.despues
        if cambio.repetido:
            # Ya se atendió antes de una caída: no se anota ni se copia otra vez; si no alcanzó
            # a llegar al personal, ahora sí.
            if not cambio.pasado:
                await self._pasar_al_personal(bot, conversacion, mensaje, Llegada.EN_ESPERA,
                                              cambio.mensaje_id)
            return Recibido(Llegada.SIGUE, conversacion, self.grupo is not None)
        if antes is None or antes.mensajes == 0:
            llegada = Llegada.ABIERTA
        elif antes.estado == EstadoAsesoria.CERRADA:
            llegada = Llegada.REABIERTA
        elif antes.esperando:
            llegada = Llegada.SIGUE
        else:
            llegada = Llegada.EN_ESPERA
        al_grupo = await self._pasar_al_personal(bot, conversacion, mensaje, llegada,
                                                 cambio.mensaje_id)
        return Recibido(llegada, conversacion, al_grupo)

    async def _pasar_al_personal(self, bot: Bot, conversacion: ConversacionAsesoria,
                                 mensaje: MensajeNuevo, llegada: Llegada, mensaje_id: int) -> bool:
        """Al tema del grupo o, sin grupo, un aviso para /bandeja; luego lo marca como pasado.
        Dice si llegó al tema."""
        al_grupo = False
        if self.grupo is not None:
            al_grupo = await self._copiar_al_tema(bot, conversacion, mensaje, llegada)
        if not al_grupo and llegada != Llegada.SIGUE:
            await self._avisar_al_personal(bot, conversacion, llegada)
        await self._almacen.marcar_pasado(mensaje_id, self._reloj.ahora())
        return al_grupo

    # --- el personal --------------------------------------------------------------------

    async def responder(self, bot: Bot, asesoria_id: int, personal_id: int,
                        mensaje: MensajeNuevo, *, desde_tema: bool) -> Respuesta:
        """Copia la respuesta del personal a la persona (a nombre del bot) y la anota."""
        conversacion = await self._almacen.asesoria(asesoria_id)
        if conversacion is None:
            return Respuesta(Entrega.NO_EXISTE, None)
        if await self._almacen.ya_anotado(mensaje):
            # Ya se entregó y anotó antes de una caída: no se le manda dos veces.
            return Respuesta(Entrega.ENTREGADA, conversacion)
        _ = self._textos.para(conversacion.idioma)
        destino = conversacion.telegram_id
        try:
            if conversacion.estado != EstadoAsesoria.ATENDIDA or conversacion.esperando:
                # Un turno nuevo del personal: se dice quién contesta (sin nombre ni cuenta).
                await bot.send_message(destino, _("💬 <b>Te contesta una persona asesora de la "
                                                  "{siglas}:</b>").format(
                    siglas=escape(self._contenido.oficina.siglas)))
            await bot.copy_message(destino, mensaje.chat_origen, mensaje.mensaje_origen)
        except Forbidden:
            await self._almacen.marcar_inalcanzable(destino, self._reloj.ahora())
            return Respuesta(Entrega.INALCANZABLE, conversacion)
        except TelegramError as error:
            registro.warning("No se pudo pasar la respuesta de la asesoría %d: %s",
                             asesoria_id, error)
            return Respuesta(Entrega.FALLO, conversacion)
        ahora = self._reloj.ahora()
        # Tomar la conversación (la primera respuesta de un turno) se anota como asignación.
        asignada = conversacion.estado != EstadoAsesoria.ATENDIDA

        async def a_la_bitacora(bd: aiosqlite.Connection) -> None:
            await anotar(self._almacen, ahora, personal_id, "asesoria_contestada",
                         f"asesoria {asesoria_id}", "asignada" if asignada else "", bd=bd)

        cambio = await self._almacen.anotar_de_personal(asesoria_id, personal_id, mensaje,
                                                        ahora, a_la_bitacora)
        if cambio is None:
            return Respuesta(Entrega.NO_EXISTE, None)
        despues = cambio.despues
        if despues.tema_id is not None and despues.tema_cerrado:
            despues = await self._reabrir_tema(bot, despues)
        if not desde_tema and despues.tema_id is not None and despues.grupo_id == self.grupo:
            # Contestó desde /bandeja: el tema del grupo también lo muestra, para que el resto
            # del personal vea la conversación completa.
            nota = self._del_personal()("✍️ Respuesta enviada desde /bandeja:")
            await self._al_tema_sin_fallar(bot, despues, mensaje, nota)
        return Respuesta(Entrega.ENTREGADA, despues)

    async def cerrar(self, bot: Bot, asesoria_id: int, personal_id: int, *,
                     tema_ya_cerrado: bool = False) -> ConversacionAsesoria | None:
        """Cierra la conversación, se lo dice a la persona y cierra su tema. None si no existe
        o ya estaba cerrada. `tema_ya_cerrado`: el personal cerró el tema desde Telegram."""
        ahora = self._reloj.ahora()

        async def a_la_bitacora(bd: aiosqlite.Connection) -> None:
            await anotar(self._almacen, ahora, personal_id, "asesoria_cerrada",
                         f"asesoria {asesoria_id}", "desde el tema" if tema_ya_cerrado else "",
                         bd=bd)

        cerrada = await self._almacen.cerrar_asesoria(asesoria_id, personal_id, ahora,
                                                      a_la_bitacora)
        if cerrada is None:
            return None
        _ = self._textos.para(cerrada.idioma)
        texto = _("La persona asesora cerró esta conversación. Si necesitas algo más, "
                  "escríbeme aquí y se lo vuelvo a pasar.")
        botones = InlineKeyboardMarkup([[InlineKeyboardButton(_("🏠 Menú principal"),
                                                              callback_data="menu:inicio")]])
        try:
            await bot.send_message(cerrada.telegram_id, texto, reply_markup=botones)
        except Forbidden:
            await self._almacen.marcar_inalcanzable(cerrada.telegram_id, self._reloj.ahora())
        except TelegramError as error:
            registro.warning("No se pudo avisar del cierre de la asesoría %d: %s",
                             asesoria_id, error)
        if cerrada.tema_id is not None and not cerrada.tema_cerrado:
            if not tema_ya_cerrado:
                try:
                    await bot.close_forum_topic(cerrada.grupo_id, cerrada.tema_id)
                except TelegramError as error:
                    if "not_modified" not in str(error).lower():
                        registro.warning("No se pudo cerrar el tema de la asesoría %d: %s",
                                         asesoria_id, error)
                        return cerrada
            await self._almacen.fijar_tema(cerrada.id, cerrada.grupo_id, cerrada.tema_id,
                                           cerrada.tema_nombre, True)
        return await self._almacen.asesoria(asesoria_id)

    async def tema_reabierto_en_telegram(self, conversacion: ConversacionAsesoria) -> None:
        """El personal reabrió el tema desde Telegram: la conversación sigue como estaba."""
        await self._almacen.fijar_tema(conversacion.id, conversacion.grupo_id,
                                       conversacion.tema_id, conversacion.tema_nombre, False)

    # --- borrar -------------------------------------------------------------------------

    async def olvidar(self, bot: Bot, telegram_id: int) -> Olvido:
        """Antes de borrar los datos de la persona: pide a Telegram borrar su tema y lo que el
        bot dejó en el chat del personal. Telegram no deja borrar todo (por ejemplo, mensajes
        de más de 48 horas fuera de un tema): se cuenta lo que quedó. Las filas se borran con
        la persona (`Almacen.borrar_persona`)."""
        conversacion = await self._almacen.asesoria_de(telegram_id)
        if conversacion is None:
            return Olvido(0, 0)
        borrados = no_borrados = 0
        tema_borrado = False
        if conversacion.tema_id is not None:
            try:
                await bot.delete_forum_topic(conversacion.grupo_id, conversacion.tema_id)
                tema_borrado = True
                borrados += 1
            except TelegramError as error:
                registro.warning("No se pudo borrar el tema de la asesoría %d: %s",
                                 conversacion.id, error)
        for chat_id, message_id in await self._almacen.copias_de_asesoria(conversacion.id):
            if tema_borrado and chat_id == conversacion.grupo_id:
                continue  # se fue con el tema
            try:
                await bot.delete_message(chat_id, message_id)
                borrados += 1
            except TelegramError:
                no_borrados += 1
        return Olvido(borrados, no_borrados)

    # --- el grupo del personal ----------------------------------------------------------

    async def revisar_grupo(self, bot: Bot) -> list[str]:
        """Al arrancar: qué le falta al grupo del personal para funcionar (en el registro).
        Sin grupo configurado no hay nada que revisar."""
        if self.grupo is None:
            return []
        problemas = []
        try:
            chat = await bot.get_chat(self.grupo)
            miembro = await bot.get_chat_member(self.grupo, bot.id)
        except TelegramError as error:
            problemas.append(f"el bot no puede ver el grupo ({error}): agrégalo al grupo")
        else:
            if not chat.is_forum:
                problemas.append("el grupo no tiene temas: actívalos en su configuración")
            if not getattr(miembro, "can_manage_topics", False):
                problemas.append("el bot no es administrador con el permiso «Gestionar temas»")
        for problema in problemas:
            registro.warning("Grupo de asesoría (COOPERA_GRUPO_ASESORIA): %s. Mientras tanto, "
                             "el personal puede contestar con /bandeja.", problema)
        return problemas

    def nombre_tema(self, conversacion: ConversacionAsesoria) -> str:
        """«Ana · Atlixco · #12»: su nombre, su municipio y un número corto."""
        nombre = " ".join((conversacion.nombre or "").split())[:LARGO_NOMBRE_EN_TEMA]
        partes = [nombre or "?"]
        municipio = self.nombre_municipio(conversacion)
        if municipio:
            partes.append(municipio)
        partes.append(f"#{conversacion.id}")
        return " · ".join(partes)[:LARGO_MAX_TEMA]

    async def _copiar_al_tema(self, bot: Bot, conversacion: ConversacionAsesoria,
                              mensaje: MensajeNuevo, llegada: Llegada) -> bool:
        nota = None
        if llegada == Llegada.REABIERTA:
            nota = self._del_personal()("🔄 La persona volvió a escribir: la conversación se "
                                        "reabrió.")
        return await self._al_tema_sin_fallar(bot, conversacion, mensaje, nota)

    async def _al_tema_sin_fallar(self, bot: Bot, conversacion: ConversacionAsesoria,
                                  mensaje: MensajeNuevo, nota: str | None) -> bool:
        """Copia el mensaje al tema (lo crea o lo reabre si hace falta; si alguien lo borró,
        hace otro). Dice si llegó; si no, deja la razón en el registro."""
        for intento in range(2):
            try:
                conversacion = await self._tema_listo(bot, conversacion)
                hilo = conversacion.tema_id
                if nota:
                    enviado = await bot.send_message(self.grupo, nota, message_thread_id=hilo)
                    await self.anotar_copia(conversacion.id, enviado)
                    nota = None
                copia = await bot.copy_message(self.grupo, mensaje.chat_origen,
                                               mensaje.mensaje_origen, message_thread_id=hilo)
            except BadRequest as error:
                if intento == 0 and "thread not found" in str(error).lower():
                    # El personal borró el tema desde Telegram: se hace otro.
                    await self._almacen.fijar_tema(conversacion.id, None, None, None, False)
                    conversacion = await self._almacen.asesoria(conversacion.id)
                    continue
                registro.warning("No se pudo copiar al grupo de asesoría (conversación %d): %s",
                                 conversacion.id, error)
                return False
            except TelegramError as error:
                registro.warning("No se pudo copiar al grupo de asesoría (conversación %d): %s",
                                 conversacion.id, error)
                return False
            await self.anotar_copia_en(conversacion.id, self.grupo, copia.message_id)
            return True
        return False

    async def _tema_listo(self, bot: Bot,
                          conversacion: ConversacionAsesoria) -> ConversacionAsesoria:
        """El tema de la conversación, abierto y con el nombre al día (lo crea si falta)."""
        nombre = self.nombre_tema(conversacion)
        if conversacion.tema_id is None or conversacion.grupo_id != self.grupo:
            tema = await bot.create_forum_topic(self.grupo, nombre)
            await self._almacen.fijar_tema(conversacion.id, self.grupo, tema.message_thread_id,
                                           nombre, False)
            conversacion = await self._almacen.asesoria(conversacion.id)
            ficha = await bot.send_message(
                self.grupo, self.ficha_tema(conversacion),
                message_thread_id=tema.message_thread_id,
                reply_markup=self.botones_tema(conversacion))
            await self.anotar_copia(conversacion.id, ficha)
            return conversacion
        if conversacion.tema_cerrado:
            conversacion = await self._reabrir_tema(bot, conversacion)
        if nombre != conversacion.tema_nombre:
            try:
                await bot.edit_forum_topic(self.grupo, conversacion.tema_id, name=nombre)
            except TelegramError as error:  # el nombre es una comodidad: la copia sigue
                registro.warning("No se pudo cambiar el nombre del tema %d: %s",
                                 conversacion.tema_id, error)
            else:
                await self._almacen.fijar_tema(conversacion.id, self.grupo,
                                               conversacion.tema_id, nombre,
                                               conversacion.tema_cerrado)
                conversacion = await self._almacen.asesoria(conversacion.id)
        return conversacion

    async def _reabrir_tema(self, bot: Bot,
                            conversacion: ConversacionAsesoria) -> ConversacionAsesoria:
        try:
            await bot.reopen_forum_topic(conversacion.grupo_id, conversacion.tema_id)
        except BadRequest as error:
            if "not_modified" not in str(error).lower():
                raise
        await self._almacen.fijar_tema(conversacion.id, conversacion.grupo_id,
                                       conversacion.tema_id, conversacion.tema_nombre, False)
        return await self._almacen.asesoria(conversacion.id)

    def ficha_tema(self, conversacion: ConversacionAsesoria) -> str:
        """El primer mensaje del tema: quién es y cómo se contesta."""
        _ = self._del_personal()
        idioma = NOMBRES_IDIOMAS.get(conversacion.idioma or "", conversacion.idioma or "?")
        lineas = [
            _("🆕 <b>Asesoría #{id}</b>").format(id=conversacion.id),
            _("Nombre: {nombre}").format(nombre=escape(conversacion.nombre or "?")),
            _("Municipio: {municipio}").format(
                municipio=escape(self.nombre_municipio(conversacion) or _("no lo ha dicho"))),
            _("Idioma: {idioma}").format(idioma=escape(idioma)),
            "",
            _("Lo que escribas en este tema le llega a la persona desde el bot, sin tu nombre ni "
              "tu cuenta: texto, fotos, documentos o notas de voz. Solo el personal de la "
              "Secretaría puede contestar. Para terminar, usa el botón o escribe /cerrar aquí."),
        ]
        return "\n".join(lineas)

    def botones_tema(self, conversacion: ConversacionAsesoria) -> InlineKeyboardMarkup:
        _ = self._del_personal()
        return InlineKeyboardMarkup([[InlineKeyboardButton(
            _("🔒 Cerrar la conversación"), callback_data=f"tema:cerrar:{conversacion.id}")]])

    async def _avisar_al_personal(self, bot: Bot, conversacion: ConversacionAsesoria,
                                  llegada: Llegada) -> None:
        """Sin grupo (o si el grupo falló): un aviso a cada persona del personal para que
        abra /bandeja. Quien nunca abrió el chat con el bot no lo recibe (Telegram no deja)."""
        _ = self._del_personal()
        quien = escape(conversacion.nombre or "?")
        municipio = self.nombre_municipio(conversacion)
        if municipio:
            quien += f" ({escape(municipio)})"
        if llegada == Llegada.ABIERTA:
            texto = _("💬 <b>Asesoría</b>: {quien} escribió por primera vez.")
        elif llegada == Llegada.REABIERTA:
            texto = _("💬 <b>Asesoría</b>: {quien} volvió a escribir; su conversación se "
                      "reabrió.")
        else:
            texto = _("💬 <b>Asesoría</b>: {quien} escribió otra vez.")
        botones = InlineKeyboardMarkup([[InlineKeyboardButton(
            _("📥 Abrir la conversación"), callback_data=f"bnd:ver:{conversacion.id}")]])
        for personal_id in sorted(self._config.ids_personal()):
            try:
                aviso = await bot.send_message(personal_id, texto.format(quien=quien),
                                               reply_markup=botones)
            except TelegramError as error:
                registro.warning("No se pudo avisar de una asesoría a alguien del personal: %s",
                                 error)
                continue
            await self.anotar_copia(conversacion.id, aviso)
