"""/bandeja: el personal contesta la asesoría desde su chat privado con el bot.

Sirve siempre: sin grupo del personal es la forma de contestar; con grupo, el respaldo si el
grupo falla. Solo el personal entra (`solo_personal`).

    /bandeja → lista (la que más espera, primero) → una conversación: su historial (los textos
    en el mensaje; fotos, documentos y notas de voz se vuelven a mostrar copiándolos) y su
    ficha → «Contestar» → ESCRIBIENDO: cada mensaje (texto, foto, documento, nota de voz) se le
    copia a la persona desde el bot → «Listo», «Cerrar la conversación», otra conversación o
    cualquier comando terminan.

Qué conversación se está contestando se guarda en la base (`respuestas_en_curso`) y el paso,
con los demás flujos: un reinicio a media respuesta no la manda a otra persona ni la pierde.
"""

from __future__ import annotations

import re
from html import escape

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversaciones.comun import cancelar, interrumpir
from interfaz.asesoria import etiqueta_boton, ficha, quien, resumen
from interfaz.paginas import navegacion, paginar, pie_pagina
from interfaz.personal import boton_menu_personal, solo_personal
from interfaz.respuestas import Boton, responder, teclado
from nucleo.almacen.asesoria import ConversacionAsesoria
from nucleo.asesoria import Entrega, mensaje_nuevo
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_y_hora
from nucleo.textos import Traductor
from nucleo.vocabulario import TipoMensaje

ESCRIBIENDO = 0
HISTORIAL = 15  # mensajes que se muestran al abrir una conversación
PASABLES = (filters.TEXT | filters.PHOTO | filters.Document.ALL | filters.VOICE | filters.AUDIO
            | filters.VIDEO | filters.VIDEO_NOTE)


def _numero(update: Update) -> int:
    return int(re.search(r"(\d+)$", update.callback_query.data).group(1))


def _botones_conversacion(_: Traductor, conversacion: ConversacionAsesoria) -> list[list[Boton]]:
    filas = [[(_("✍️ Contestar"), f"bnd:resp:{conversacion.id}")]]
    if conversacion.abierta:
        filas.append([(_("🔒 Cerrar la conversación"), f"bnd:cerrar:{conversacion.id}")])
    filas.append([(_("📥 Bandeja"), "bnd:lista")])
    return filas


async def _no_existe(update: Update, contexto: Contexto) -> int:
    _ = contexto.traductor
    await responder(update, _("Esa conversación ya no existe: la persona borró sus datos."),
                    teclado([(_("📥 Bandeja"), "bnd:lista")]))
    return ConversationHandler.END


# --- la lista y una conversación ----------------------------------------------------------

async def bandeja(update: Update, contexto: Contexto) -> int:
    """/bandeja o bnd:lista[:página]: las conversaciones abiertas, la que más espera primero."""
    _ = contexto.traductor
    await contexto.asesoria.terminar_respuesta(update.effective_user.id)
    abiertas = await contexto.asesoria.abiertas()
    datos = update.callback_query.data if update.callback_query else ""
    pagina = int(datos.rsplit(":", 1)[1]) if datos.count(":") == 2 else 0
    visibles, pagina, total = paginar(abiertas, pagina)
    esperan = sum(1 for c in abiertas if c.esperando)
    if abiertas:
        texto = _("📥 <b>Bandeja de asesoría</b>\nAbiertas: {n}. Esperan respuesta: {m}.\n"
                  "🔴 espera respuesta · 🟢 ya contestada. Elige una:").format(
            n=len(abiertas), m=esperan)
    else:
        texto = _("📥 <b>Bandeja de asesoría</b>\nNo hay conversaciones abiertas.")
    filas = [[(etiqueta_boton(contexto, _, c)[:60], f"bnd:ver:{c.id}")] for c in visibles]
    filas.append(navegacion(_, "bnd:lista:{p}", pagina, total))
    filas.append([boton_menu_personal(_)])
    await responder(update, texto + pie_pagina(_, pagina, total), teclado(*filas))
    return ConversationHandler.END


async def ver(update: Update, contexto: Contexto) -> int:
    """bnd:ver:<id>: el historial (textos aquí; lo demás, copiado) y la ficha con botones."""
    _ = contexto.traductor
    conversacion = await contexto.asesoria.conversacion(_numero(update))
    if conversacion is None:
        return await _no_existe(update, contexto)
    await contexto.asesoria.terminar_respuesta(update.effective_user.id)
    await _mostrar_historial(update, contexto, conversacion)
    enviado = await responder(update, ficha(contexto, _, conversacion),
                              teclado(*_botones_conversacion(_, conversacion)), editar=False)
    await contexto.asesoria.anotar_copia(conversacion.id, enviado)
    return ConversationHandler.END


async def _mostrar_historial(update: Update, contexto: Contexto,
                             conversacion: ConversacionAsesoria) -> None:
    """Los últimos mensajes en orden: los textos juntos en un mensaje; cada foto, documento o
    nota de voz, copiada del original en su lugar. Cada mensaje que queda en el chat del
    personal se anota (se borra si la persona borra sus datos)."""
    _ = contexto.traductor
    zona = contexto.config.zona_horaria
    mensajes = await contexto.asesoria.historial(conversacion.id, HISTORIAL)
    lineas: list[str] = []
    if conversacion.mensajes > len(mensajes):
        lineas.append(_("(Los últimos {n} mensajes.)").format(n=len(mensajes)))
    nombre = escape(conversacion.nombre or "?")
    for mensaje in mensajes:
        autor = (_("Asesoría ({quien})").format(quien=mensaje.personal_id)
                 if mensaje.del_personal else nombre)
        lineas.append(f"<b>{autor}</b>, {fecha_y_hora(mensaje.creado_en, _, zona)}:\n"
                      + (escape(mensaje.texto or "") if mensaje.tipo == TipoMensaje.TEXTO
                         else resumen(_, mensaje) + " ⬇️"))
        if mensaje.tipo != TipoMensaje.TEXTO:
            await _mandar(update, contexto, conversacion, "\n\n".join(lineas))
            lineas = []
            chat_id = update.effective_chat.id
            try:
                copia = await contexto.bot.copy_message(chat_id, mensaje.chat_origen,
                                                        mensaje.mensaje_origen)
            except TelegramError:  # la persona borró el original: se dice y se sigue
                await _mandar(update, contexto, conversacion,
                              _("(Ese archivo ya no está disponible.)"))
            else:
                await contexto.asesoria.anotar_copia_en(conversacion.id, chat_id,
                                                        copia.message_id)
    if lineas:
        await _mandar(update, contexto, conversacion, "\n\n".join(lineas))


async def _mandar(update: Update, contexto: Contexto, conversacion: ConversacionAsesoria,
                  texto: str) -> None:
    enviado = await responder(update, texto, editar=False)
    await contexto.asesoria.anotar_copia(conversacion.id, enviado)


async def cerrar(update: Update, contexto: Contexto) -> int:
    """bnd:cerrar:<id>: cierra la conversación y se le avisa a la persona."""
    _ = contexto.traductor
    asesoria_id = _numero(update)
    conversacion = await contexto.asesoria.conversacion(asesoria_id)
    if conversacion is None:
        return await _no_existe(update, contexto)
    cerrada = await contexto.asesoria.cerrar(contexto.bot, asesoria_id,
                                             update.effective_user.id)
    await contexto.asesoria.terminar_respuesta(update.effective_user.id)
    if cerrada is None:
        texto = _("Esa conversación ya estaba cerrada.")
    else:
        texto = _("🔒 Cerraste la conversación con {quien}. Le avisé. Si vuelve a escribir, se "
                  "reabre.").format(quien=escape(quien(contexto, _, conversacion)))
    await responder(update, texto, teclado([(_("📥 Bandeja"), "bnd:lista")]))
    return ConversationHandler.END


# --- contestar ----------------------------------------------------------------------------

async def contestar(update: Update, contexto: Contexto) -> int:
    """bnd:resp:<id>: lo siguiente que mande se le copia a la persona → ESCRIBIENDO."""
    _ = contexto.traductor
    conversacion = await contexto.asesoria.conversacion(_numero(update))
    if conversacion is None:
        return await _no_existe(update, contexto)
    await contexto.asesoria.empezar_respuesta(update.effective_user.id, conversacion.id)
    texto = _("✍️ Escribe tu respuesta para <b>{quien}</b>, o manda una foto, un documento o una "
              "nota de voz. Le llega desde el bot, sin tu nombre ni tu cuenta.").format(
        quien=escape(quien(contexto, _, conversacion)))
    await responder(update, texto, teclado([(_("✔️ Listo"), "bnd:listo")]), editar=False)
    return ESCRIBIENDO


async def enviar(update: Update, contexto: Contexto) -> int:
    """Un mensaje en ESCRIBIENDO: se copia a la persona → ESCRIBIENDO (puede mandar más)."""
    _ = contexto.traductor
    personal_id = update.effective_user.id
    asesoria_id = await contexto.asesoria.respuesta_en_curso(personal_id)
    conversacion = (await contexto.asesoria.conversacion(asesoria_id)
                    if asesoria_id is not None else None)
    if conversacion is None:
        await contexto.asesoria.terminar_respuesta(personal_id)
        return await _no_existe(update, contexto)
    contenido = mensaje_nuevo(update.message)
    respuesta = await contexto.asesoria.responder(contexto.bot, conversacion.id, personal_id,
                                                  contenido, desde_tema=False)
    nombre = escape(quien(contexto, _, conversacion))
    if respuesta.entrega == Entrega.ENTREGADA:
        texto = _("✅ Le llegó a {quien}. Puedes mandar otro mensaje.").format(quien=nombre)
        await responder(update, texto, teclado(
            [(_("✔️ Listo"), "bnd:listo")],
            [(_("🔒 Cerrar la conversación"), f"bnd:cerrar:{conversacion.id}")],
            [(_("📥 Bandeja"), "bnd:lista")]))
        return ESCRIBIENDO
    if respuesta.entrega == Entrega.FALLO:
        await responder(update, _("⚠️ Telegram no dejó pasar ese mensaje. Prueba con texto, una "
                                  "foto, un documento o una nota de voz."))
        return ESCRIBIENDO
    await contexto.asesoria.terminar_respuesta(personal_id)
    if respuesta.entrega == Entrega.NO_EXISTE:
        return await _no_existe(update, contexto)
    texto = _("⚠️ No le llegó: {quien} bloqueó el bot. Si vuelve a escribir, se le podrá "
              "contestar otra vez.").format(quien=nombre)
    await responder(update, texto, teclado([(_("📥 Bandeja"), "bnd:lista")]))
    return ConversationHandler.END


async def no_se_pasa(update: Update, contexto: Contexto) -> int:
    """Un sticker, una ubicación... en ESCRIBIENDO: no se copia → ESCRIBIENDO."""
    _ = contexto.traductor
    await responder(update, _("Eso no se le puede pasar. Manda texto, una foto, un documento o "
                              "una nota de voz, o pulsa «Listo»."),
                    teclado([(_("✔️ Listo"), "bnd:listo")]))
    return ESCRIBIENDO


async def listo(update: Update, contexto: Contexto) -> int:
    """«Listo»: deja de contestar → fin."""
    _ = contexto.traductor
    await contexto.asesoria.terminar_respuesta(update.effective_user.id)
    await responder(update, _("Listo. Lo que mandes ahora ya no se le pasa a nadie."),
                    teclado([(_("📥 Bandeja"), "bnd:lista")]))
    return ConversationHandler.END


async def salir(update: Update, contexto: Contexto) -> int:
    """/cancelar: deja de contestar → fin."""
    await contexto.asesoria.terminar_respuesta(update.effective_user.id)
    return await cancelar(update, contexto)


async def otra_cosa(update: Update, contexto: Contexto) -> int:
    """Otro comando u otro botón mientras contesta: deja de contestar y lo atiende quien
    debe (un mensaje para el bot nunca se le pasa a la persona por error) → fin."""
    await contexto.asesoria.terminar_respuesta(update.effective_user.id)
    return await interrumpir(update, contexto)


PRIVADO = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="bandeja",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("bandeja", solo_personal(bandeja), filters=filters.ChatType.PRIVATE),
            CallbackQueryHandler(solo_personal(bandeja), pattern=r"^bnd:lista(:\d{1,3})?$"),
            CallbackQueryHandler(solo_personal(ver), pattern=r"^bnd:ver:\d{1,12}$"),
            CallbackQueryHandler(solo_personal(contestar), pattern=r"^bnd:resp:\d{1,12}$"),
            CallbackQueryHandler(solo_personal(cerrar), pattern=r"^bnd:cerrar:\d{1,12}$"),
            CallbackQueryHandler(solo_personal(listo), pattern="^bnd:listo$"),
        ],
        states={
            ESCRIBIENDO: [
                MessageHandler(PRIVADO & PASABLES & ~filters.COMMAND, solo_personal(enviar)),
                CallbackQueryHandler(listo, pattern="^bnd:listo$"),
                MessageHandler(PRIVADO & ~filters.COMMAND, no_se_pasa),
            ],
        },
        fallbacks=[
            CommandHandler("cancelar", salir),
            MessageHandler(filters.COMMAND, otra_cosa),
            CallbackQueryHandler(otra_cosa),
        ],
    )
