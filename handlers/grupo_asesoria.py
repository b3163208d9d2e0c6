"""El grupo de asesoría: el personal contesta desde su supergrupo con temas
(COOPERA_GRUPO_ASESORIA).

Cada persona tiene un tema (lo crea `nucleo/asesoria.py`). Aquí se atiende lo que pasa en el
grupo:

- Alguien del personal escribe en el tema de una persona: se le copia a ella desde el bot
  (sin el nombre ni la cuenta de quien contesta). Un 👍 en el mensaje dice que le llegó.
- /cerrar en el tema, el botón «Cerrar la conversación» de la ficha, o cerrar el tema desde
  Telegram: la conversación se cierra y se le avisa a la persona.
- Quien no es personal y escribe en un tema: su mensaje no se pasa, y se le dice una vez.
- Todo lo demás del grupo (el tema General, temas que no son de una persona, avisos de
  servicio) se ignora: el grupo no es un chat con el bot.

Sin grupo, el personal contesta con /bandeja (conversaciones/bandeja.py).
"""

from __future__ import annotations

from contextlib import suppress

from telegram import Update
from telegram.error import TelegramError

from interfaz.respuestas import avisar
from nucleo.almacen.asesoria import ConversacionAsesoria
from nucleo.asesoria import Entrega, mensaje_nuevo
from nucleo.contexto import Contexto

ENTREGADO = "👍"


async def _conversacion_del_tema(update: Update,
                                 contexto: Contexto) -> ConversacionAsesoria | None:
    mensaje = update.effective_message
    if mensaje is None or not mensaje.is_topic_message or mensaje.message_thread_id is None:
        return None  # el tema General o un mensaje suelto del grupo
    return await contexto.asesoria.del_tema(mensaje.chat_id, mensaje.message_thread_id)


async def _decir_en_tema(update: Update, contexto: Contexto, texto: str) -> None:
    mensaje = update.effective_message
    with suppress(TelegramError):
        await contexto.bot.send_message(mensaje.chat_id, texto,
                                        message_thread_id=mensaje.message_thread_id)


async def mensaje_en_tema(update: Update, contexto: Contexto) -> None:
    """Un mensaje en el grupo del personal: si es del personal en el tema de una persona, se
    le pasa a ella; lo demás se ignora."""
    conversacion = await _conversacion_del_tema(update, contexto)
    if conversacion is None:
        return
    mensaje = update.message
    usuario = update.effective_user
    if mensaje.forum_topic_closed or mensaje.forum_topic_reopened:
        await _tema_cambiado_en_telegram(update, contexto, conversacion)
        return
    if usuario is None or not contexto.config.es_personal(usuario.id):
        if usuario is not None and contexto.asesoria.primera_vez_no_personal(usuario.id):
            _ = contexto.traductor
            await _decir_en_tema(update, contexto, _(
                "Solo el personal de la Secretaría contesta aquí. Tu mensaje no se le pasó a "
                "nadie."))
        return
    contenido = mensaje_nuevo(mensaje)
    if contenido is None:
        return  # avisos de servicio, stickers, encuestas...: no se pasan
    respuesta = await contexto.asesoria.responder(contexto.bot, conversacion.id, usuario.id,
                                                  contenido, desde_tema=True)
    _ = contexto.traductor
    if respuesta.entrega == Entrega.ENTREGADA:
        with suppress(TelegramError):
            await mensaje.set_reaction(ENTREGADO)
    elif respuesta.entrega == Entrega.INALCANZABLE:
        await _decir_en_tema(update, contexto, _(
            "⚠️ No le llegó: la persona bloqueó el bot. Si vuelve a escribir, se le podrá "
            "contestar otra vez."))
    elif respuesta.entrega == Entrega.NO_EXISTE:
        await _decir_en_tema(update, contexto, _(
            "Esta conversación ya no existe: la persona borró sus datos."))
    else:
        await _decir_en_tema(update, contexto, _(
            "⚠️ Telegram no dejó pasar ese mensaje. Prueba con texto, una foto, un documento o "
            "una nota de voz."))


async def _tema_cambiado_en_telegram(update: Update, contexto: Contexto,
                                     conversacion: ConversacionAsesoria) -> None:
    """Alguien cerró o reabrió el tema desde Telegram (un aviso de servicio)."""
    usuario = update.effective_user
    if update.message.forum_topic_reopened:
        await contexto.asesoria.tema_reabierto_en_telegram(conversacion)
    elif usuario is not None and contexto.config.es_personal(usuario.id):
        await contexto.asesoria.cerrar(contexto.bot, conversacion.id, usuario.id,
                                       tema_ya_cerrado=True)


async def cerrar_con_comando(update: Update, contexto: Contexto) -> None:
    """/cerrar en el tema de una persona (solo el personal)."""
    conversacion = await _conversacion_del_tema(update, contexto)
    usuario = update.effective_user
    if conversacion is None or not contexto.config.es_personal(usuario.id):
        return
    _ = contexto.traductor
    cerrada = await contexto.asesoria.cerrar(contexto.bot, conversacion.id, usuario.id)
    if cerrada is None:
        await _decir_en_tema(update, contexto, _("Esta conversación ya estaba cerrada."))


async def cerrar_con_boton(update: Update, contexto: Contexto) -> None:
    """«Cerrar la conversación» en la ficha del tema (tema:cerrar:<id>), solo el personal."""
    _ = contexto.traductor
    usuario = update.effective_user
    if not contexto.config.es_personal(usuario.id):
        await avisar(update, _("Solo el personal de la Secretaría puede cerrar la "
                               "conversación."))
        return
    asesoria_id = int(update.callback_query.data.rsplit(":", 1)[1])
    conversacion = await contexto.asesoria.conversacion(asesoria_id)
    if conversacion is None or conversacion.grupo_id != update.effective_chat.id:
        await avisar(update, _("Esta conversación ya no existe."))
        return
    cerrada = await contexto.asesoria.cerrar(contexto.bot, asesoria_id, usuario.id)
    await avisar(update, _("Listo: conversación cerrada. Le avisé a la persona.") if cerrada
                 else _("Esta conversación ya estaba cerrada."))


async def ignorar(update: Update, contexto: Contexto) -> None:
    """Lo demás que llega del grupo del personal: el grupo no es un chat con el bot."""
