"""La pregunta de satisfacción después de un curso: una calificación del 1 al 5 y, si quiere,
un comentario. Una sola respuesta por inscripción, solo de quien asistió.

La pregunta sale por la cola de envíos (clave «encuesta:<inscripción>»: se manda una vez):
- al registrar la asistencia, si el curso ya terminó (el personal llama a `encolar_encuestas`);
- si la asistencia se registró con código durante el curso, la revisión periódica
  (`revisar_pendientes`) la manda cuando el curso termina.

    botones enc:<inscripción>:<1-5> → COMENTARIO (texto o «No, gracias») → fin
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import timedelta
from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from conversaciones.comun import salidas
from handlers.comun import avisar, boton_menu, quitar_botones, responder, teclado
from nucleo.contexto import Contexto, Servicios
from nucleo.envios import EnvioNuevo
from nucleo.fechas import fecha_corta

registro = logging.getLogger("coopera.encuesta")

COMENTARIO = 0
LARGO_COMENTARIO = 500
PRIORIDAD = 6  # después de avisos y recordatorios, antes de los anuncios
CARAS = ("😞", "🙁", "😐", "🙂", "😄")
PATRON_PUNTOS = re.compile(r"^enc:(\d{1,12}):([1-5])$")
DIAS_PARA_PREGUNTAR = 3  # una encuesta de hace más días ya no se manda


# --- mandar la pregunta ------------------------------------------------------------------------

async def encolar_encuestas(servicios: Servicios, inscripcion_ids: Sequence[int]) -> int:
    """Encola la pregunta para cada inscripción con asistencia y sin respuesta todavía.
    Devuelve cuántas entraron a la cola (no cuenta las que ya estaban)."""
    envios = []
    for inscripcion_id in dict.fromkeys(inscripcion_ids):
        envio = await _envio_de_encuesta(servicios, inscripcion_id)
        if envio is not None:
            envios.append(envio)
    if not envios:
        return 0
    if servicios.despachador is None:
        registro.warning("No hay despachador: no se encolaron %d encuestas", len(envios))
        return 0
    return await servicios.despachador.encolar(envios)


async def _envio_de_encuesta(servicios: Servicios, inscripcion_id: int) -> EnvioNuevo | None:
    almacen = servicios.almacen
    inscripcion = await almacen.inscripcion(inscripcion_id)
    if inscripcion is None or not inscripcion.asistio:
        return None
    persona = await almacen.persona(inscripcion.telegram_id)
    if persona is None or not persona.acepto or await almacen.encuesta(inscripcion_id):
        return None
    sesion = await almacen.sesion(inscripcion.sesion_id)
    _ = servicios.textos.para(persona.idioma)
    curso = next((c for c in servicios.contenido.cursos if c.id == sesion.curso_id), None)
    texto = _("¿Qué te pareció el curso <b>{curso}</b> del {fecha}?\n\n"
              "Elige un número: 1 es «nada bien» y 5 es «muy bien».").format(
        curso=escape(_(curso.nombre) if curso else sesion.curso_id),
        fecha=fecha_corta(sesion.inicio, _, servicios.config.zona_horaria))
    botones = [[(f"{n} {cara}", f"enc:{inscripcion_id}:{n}") for n, cara in enumerate(CARAS, 1)]]
    return EnvioNuevo(inscripcion.telegram_id, texto, f"encuesta:{inscripcion_id}",
                      botones=botones, prioridad=PRIORIDAD)


async def encuestas_de_sesiones_terminadas(servicios: Servicios) -> int:
    """Encola las encuestas de quienes asistieron a sesiones que ya terminaron."""
    ahora = servicios.reloj.ahora()
    ids = await servicios.almacen.asistencias_sin_encuesta(
        ahora - timedelta(days=DIAS_PARA_PREGUNTAR), ahora)
    return await encolar_encuestas(servicios, ids)


async def revisar_pendientes(contexto: Contexto) -> None:
    """Job periódico (lo registra `registrar_handlers`): sobrevive a reinicios."""
    await encuestas_de_sesiones_terminadas(contexto.servicios)


# --- recibir la respuesta ------------------------------------------------------------------------

async def recibir_puntos(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
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
    _ = contexto.textos
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
    _ = contexto.textos
    usuario_id = update.effective_user.id
    comentario = " ".join(update.message.text.split())
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
    _ = contexto.textos
    await responder(update, _("Está bien. ¡Gracias por contestar! 🙌"), teclado([boton_menu(_)]))
    return ConversationHandler.END


async def otra_cosa(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
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

conversacion = ConversationHandler(
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
