"""Dónde atiende el bot: en chats privados y, de los grupos, solo en el de asesoría configurado.

`filtrar` es el primer paso de cada actualización (grupo -2 de `aplicacion.registrar_handlers`,
antes de `fijar_idioma`). Lo que no debe atenderse se detiene aquí con ApplicationHandlerStop:
no se lee ni se escribe nada de la base y no se entra a ningún flujo.

- **Canales** (channel_post, edited_channel_post): se ignoran del todo; el bot nunca publica en
  un canal. Lo mismo lo de Telegram Business (business_message…): el bot no contesta en nombre
  de una cuenta de empresa.
- **El grupo de asesoría** (`COOPERA_GRUPO_ASESORIA`): sus actualizaciones pasan tal cual, para
  las funciones de asesoría que las atienden.
- **Sin remitente** (`from` vacío, fuera de un canal): no hay a quién contestar; se ignora.
- **Mensajes editados**: una edición nunca se vuelve a ejecutar como comando ni se toma como la
  respuesta a una pregunta (la respuesta ya se usó; volver a correr un /start viejo editado
  sorprendería). En un chat privado, la primera edición de cada persona (mientras el bot corre)
  recibe una nota: «para cambiar una respuesta, escríbela otra vez», para que nadie crea que su
  corrección quedó guardada; las siguientes se ignoran en silencio. En un grupo, silencio.
- **Grupos y supergrupos** (otros): los datos de las personas no se muestran a todo un grupo.
  Lo que no va dirigido al bot se ignora en silencio. A un comando (sin @ o con el @ del bot),
  una mención del bot, una respuesta a un mensaje del bot o un botón, se le contesta en el idioma
  de la persona «Escríbeme en privado…» con un botón que abre el chat privado (enlace profundo
  `https://t.me/<bot>?start=grupo`), y nada más. Ese mensaje sale a lo más una vez por minuto en
  cada grupo (no llena el grupo ni gasta su límite de 20 mensajes por minuto); a quien pulsa un
  botón, además, Telegram le abre el chat privado (answerCallbackQuery con el enlace).
- **Chats privados**: pasan.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import timedelta

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import ApplicationHandlerStop

from nucleo.contexto import Contexto
from nucleo.textos import N_, Traductor, idioma_de_telegram

registro = logging.getLogger("coopera.privado")

CARGA_ENLACE = "grupo"  # lo que /start recibe al abrir el chat desde un grupo
UNA_VEZ_POR_GRUPO = timedelta(minutes=1)
CLAVE_ULTIMO_AVISO = "privado:ultimo_aviso"
CLAVE_NOTA_EDICION = "privado:nota_edicion"

TEXTO_EN_GRUPO = N_("Escríbeme en privado: ahí te atiendo y lo tuyo queda entre tú y yo. 🔒")
TEXTO_BOTON = N_("💬 Abrir chat privado")
TEXTO_EDICION = N_("Vi que editaste un mensaje. No leo los cambios: si quieres cambiar una "
                   "respuesta, escríbela otra vez.")


async def filtrar(update: object, contexto: Contexto) -> None:
    """Primer paso de cada actualización: deja pasar solo lo que se atiende (ver el módulo)."""
    if not isinstance(update, Update):
        return
    if _de_canal_o_de_negocio(update):
        raise ApplicationHandlerStop
    chat = update.effective_chat
    if chat is not None and chat.id == contexto.config.grupo_asesoria:
        return
    if chat is None:
        return  # sin chat (p. ej. una consulta en línea): ningún handler la toma
    if update.effective_user is None:
        raise ApplicationHandlerStop
    editado = update.edited_message
    if chat.type != ChatType.PRIVATE:
        if editado is None and _dirigido_al_bot(update, contexto):
            await _mandar_a_privado(update, contexto)
        raise ApplicationHandlerStop
    if editado is not None:
        await _nota_de_edicion(update, contexto)
        raise ApplicationHandlerStop


def _de_canal_o_de_negocio(update: Update) -> bool:
    """Publicaciones de canal y mensajes de una cuenta de empresa conectada al bot (Telegram
    Business): el bot no atiende en nombre de nadie."""
    return any(valor is not None for valor in (
        update.channel_post, update.edited_channel_post, update.business_connection,
        update.business_message, update.edited_business_message,
        update.deleted_business_messages))


def _traductor(update: Update, contexto: Contexto) -> Traductor:
    """El idioma de la persona sin consultar la base: el que ya se le fijó (en memoria) o el
    de su Telegram."""
    idioma = contexto.user_data.get("idioma") if contexto.user_data is not None else None
    if idioma is None:
        usuario = update.effective_user
        idioma = idioma_de_telegram(usuario.language_code if usuario else None,
                                    contexto.config.idioma_predeterminado)
    return contexto.servicios.textos.para(idioma)


def _dirigido_al_bot(update: Update, contexto: Contexto) -> bool:
    """Si en un grupo la persona le habla al bot: un botón, un comando sin @ o con el @ del bot,
    una mención del bot o una respuesta a un mensaje del bot."""
    if update.callback_query is not None:
        return True
    mensaje = update.message
    if mensaje is None:
        return False
    nombre = (contexto.bot.username or "").casefold()
    for entidad, texto in mensaje.parse_entities(
            [MessageEntity.BOT_COMMAND, MessageEntity.MENTION]).items():
        if entidad.type == MessageEntity.BOT_COMMAND and entidad.offset == 0:
            _, _, destino = texto.partition("@")
            return not destino or destino.casefold() == nombre
        if entidad.type == MessageEntity.MENTION and texto[1:].casefold() == nombre:
            return True
    respondido = mensaje.reply_to_message
    return (respondido is not None and respondido.from_user is not None
            and respondido.from_user.id == contexto.bot.id)


async def _mandar_a_privado(update: Update, contexto: Contexto) -> None:
    """«Escríbeme en privado» con el enlace al chat privado; a lo más uno por minuto por grupo."""
    _ = _traductor(update, contexto)
    enlace = f"https://t.me/{contexto.bot.username}?start={CARGA_ENLACE}"
    texto = _(TEXTO_EN_GRUPO)
    consulta = update.callback_query
    if consulta is not None:
        # A quien pulsó, Telegram le abre el chat privado. Una consulta vieja no importa.
        with suppress(BadRequest):
            await consulta.answer(texto[:200], url=enlace)
    ahora = contexto.reloj.ahora()
    datos_grupo = contexto.chat_data if contexto.chat_data is not None else {}
    ultimo = datos_grupo.get(CLAVE_ULTIMO_AVISO)
    if ultimo is not None and ahora - ultimo < UNA_VEZ_POR_GRUPO:
        return
    datos_grupo[CLAVE_ULTIMO_AVISO] = ahora
    botones = InlineKeyboardMarkup([[InlineKeyboardButton(_(TEXTO_BOTON), url=enlace)]])
    mensaje = update.message
    respuesta = (ReplyParameters(mensaje.message_id, allow_sending_without_reply=True)
                 if mensaje is not None else None)
    try:
        await update.effective_chat.send_message(texto, reply_markup=botones,
                                                 reply_parameters=respuesta)
    except Forbidden:  # el bot ya no está en el grupo o no puede escribir ahí
        registro.info("No se pudo contestar en un grupo (sin permiso para escribir).")


async def _nota_de_edicion(update: Update, contexto: Contexto) -> None:
    """La primera edición de cada persona recibe la nota; las siguientes, nada."""
    if contexto.user_data is None or contexto.user_data.get(CLAVE_NOTA_EDICION):
        return
    contexto.user_data[CLAVE_NOTA_EDICION] = True
    _ = _traductor(update, contexto)
    await update.effective_chat.send_message(_(TEXTO_EDICION))
