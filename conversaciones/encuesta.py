"""La pregunta de satisfacción después de un curso: una calificación del 1 al 5 y, si quiere,
un comentario. Una sola respuesta por inscripción, solo de quien asistió.

La pregunta la encola `nucleo.capacitacion` (clave «encuesta:<inscripción>»: sale una vez)
al registrar la asistencia si el curso ya terminó, o con el trabajo periódico de encuestas
cuando termina. Aquí se recibe la respuesta.

    botones enc:<inscripción>:<1-5> → COMENTARIO (texto o «No, gracias») → fin
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from conversaciones.comun import salidas
from interfaz.respuestas import avisar, boton_menu, quitar_botones, responder, teclado
from nucleo.contexto import Contexto

COMENTARIO = 0
LARGO_COMENTARIO = 500
PATRON_PUNTOS = re.compile(r"^enc:(\d{1,12}):([1-5])$")


# --- recibir la respuesta ------------------------------------------------------------------------

async def recibir_puntos(update: Update, contexto: Contexto) -> int:
    """enc:<inscripción>:<1-5>: guarda la calificación → COMENTARIO."""
    _ = contexto.traductor
    inscripcion_id, puntos = (int(g) for g in PATRON_PUNTOS.match(
        update.callback_query.data).groups())
    usuario_id = update.effective_user.id
    guardada = await contexto.almacen.guardar_encuesta(inscripcion_id, usuario_id, puntos,
                                                       contexto.reloj.ahora())
    if not guardada:
        return await _no_se_guardo(update, contexto, inscripcion_id)
    texto = (_("¡Gracias! Tu calificación: {n} de 5.").format(n=puntos) + "\n\n"
             + _("¿Quieres contarnos algo más del curso? Escríbelo en un mensaje. "
                 "Si no, pulsa «No, gracias»."))
    await responder(update, texto, teclado([(_("No, gracias"), f"enc:no:{inscripcion_id}")]))
    return COMENTARIO


async def _no_se_guardo(update: Update, contexto: Contexto, inscripcion_id: int) -> int:
    _ = contexto.traductor
    inscripcion = await contexto.almacen.inscripcion(inscripcion_id)
    propia = inscripcion is not None and inscripcion.telegram_id == update.effective_user.id
    if propia and await contexto.almacen.encuesta(inscripcion_id) is not None:
        await avisar(update, _("Ya contestaste esta pregunta. ¡Gracias!"))
        await quitar_botones(update)
        return ConversationHandler.END
    await avisar(update, _("Ese botón ya no funciona."))
    await responder(update, _("Ese botón ya no funciona. Elige otra vez desde el menú:"),
                    teclado([boton_menu(_)]), editar=False)
    return ConversationHandler.END


async def recibir_comentario(update: Update, contexto: Contexto) -> int:
    """El comentario escrito (hasta 500 letras) → fin."""
    _ = contexto.traductor
    usuario_id = update.effective_user.id
    comentario = " ".join(update.effective_message.text.split())
    if len(comentario) > LARGO_COMENTARIO:
        texto = _("Es un poco largo. Escríbelo en menos palabras (hasta {n} letras).").format(
            n=LARGO_COMENTARIO)
        await responder(update, texto)
        return COMENTARIO
    inscripcion_id = await contexto.almacen.encuesta_sin_comentario(usuario_id)
    if inscripcion_id is not None:
        await contexto.almacen.comentar_encuesta(inscripcion_id, usuario_id, comentario)
    texto = _("¡Gracias por contarnos! Tu opinión nos ayuda a mejorar los cursos. 🙌")
    await responder(update, texto, teclado([boton_menu(_)]))
    return ConversationHandler.END


async def sin_comentario(update: Update, contexto: Contexto) -> int:
    """«No, gracias» → fin."""
    _ = contexto.traductor
    await responder(update, _("Está bien. ¡Gracias por contestar! 🙌"), teclado([boton_menu(_)]))
    return ConversationHandler.END


async def otra_cosa(update: Update, contexto: Contexto) -> int:
    """Algo que no es texto ni el botón → COMENTARIO, con la indicación otra vez."""
    _ = contexto.traductor
    if update.callback_query is not None:
        await avisar(update, _("Ese botón ya no funciona."))
    texto = _("Escribe tu comentario en un mensaje de texto, o pulsa «No, gracias».")
    inscripcion_id = await contexto.almacen.encuesta_sin_comentario(update.effective_user.id)
    botones = teclado([(_("No, gracias"), f"enc:no:{inscripcion_id}")]) if inscripcion_id \
        else None
    await responder(update, texto, botones, editar=False)
    return COMENTARIO


PUNTOS = CallbackQueryHandler(recibir_puntos, pattern=PATRON_PUNTOS)
SIN_COMENTARIO = CallbackQueryHandler(sin_comentario, pattern=r"^enc:no:\d{1,12}$")

def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="encuesta",
        persistent=True,
        allow_reentry=True,
        entry_points=[PUNTOS, SIN_COMENTARIO],
        states={
            COMENTARIO: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, recibir_comentario),
                PUNTOS, SIN_COMENTARIO,
                MessageHandler(filters.ALL & ~filters.COMMAND, otra_cosa),
                CallbackQueryHandler(otra_cosa, pattern="^enc:"),
            ],
        },
        fallbacks=salidas(),
    )
