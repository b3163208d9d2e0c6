"""/asistencia: registrar que llegaste a tu curso con el código que da quien lo imparte.

    /asistencia o el botón «Registrar mi asistencia» (mc:asis)
      → CODIGO: escribe el código
          ✔ coincide → fin (si la sesión ya terminó, sale la encuesta)
          ✘ no coincide → CODIGO otra vez (hasta MAX_INTENTOS; luego, pedir ayuda y fin)
          «Salir» → fin
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversaciones.comun import salidas
from interfaz.cursos import acepto, pedir_permiso
from interfaz.respuestas import avisar, boton_menu, responder, teclado
from nucleo.contexto import Contexto
from nucleo.vocabulario import Asistencia, EstadoInscripcion

CODIGO = 0
MAX_INTENTOS = 5


async def pedir_codigo(update: Update, contexto: Contexto) -> int:
    """/asistencia o el botón de /mis_cursos el día del curso."""
    _ = contexto.traductor
    usuario_id = update.effective_user.id
    if not await acepto(contexto, usuario_id):
        await pedir_permiso(update, contexto)
        return ConversationHandler.END
    ahora = contexto.reloj.ahora()
    hoy = [s for i, s in await contexto.almacen.inscripciones_de(usuario_id, ahora)
           if i.estado == EstadoInscripcion.INSCRITA and s.en_ventana_de_asistencia(ahora)]
    if not hoy:
        texto = _("Hoy no tienes un curso donde registrar tu asistencia. "
                  "Tus fechas están en /mis_cursos.")
        await responder(update, texto, teclado([(_("🗓️ Mis cursos"), "mc:lista")],
                                               [boton_menu(_)]))
        return ConversationHandler.END
    contexto.user_data["intentos_codigo"] = 0
    texto = _("Escribe el código de asistencia. Te lo da la persona que imparte el curso. "
              "Son 6 letras y números.")
    await responder(update, texto, teclado([(_("✖️ Salir"), "asis:salir")]))
    return CODIGO


async def recibir_codigo(update: Update, contexto: Contexto) -> int:
    """El código escrito: si coincide → fin; si no → CODIGO otra vez."""
    _ = contexto.traductor
    resultado = await contexto.capacitacion.registrar_asistencia_con_codigo(
        update.effective_user.id, update.effective_message.text)
    if resultado.codigo == Asistencia.NO_COINCIDE:
        return await _codigo_equivocado(update, contexto)
    if resultado.codigo == Asistencia.REGISTRADA:
        await _asistencia_registrada(update, contexto, resultado.sesion_id)
    elif resultado.codigo == Asistencia.YA_REGISTRADA:
        await responder(update, _("Tu asistencia ya estaba registrada. ✅"),
                        teclado([boton_menu(_)]))
    else:
        await responder(update, _("Hoy no tienes un curso donde registrar tu asistencia."),
                        teclado([boton_menu(_)]))
    return ConversationHandler.END


async def _codigo_equivocado(update: Update, contexto: Contexto) -> int:
    _ = contexto.traductor
    intentos = contexto.user_data.get("intentos_codigo", 0) + 1
    contexto.user_data["intentos_codigo"] = intentos
    if intentos >= MAX_INTENTOS:
        texto = _("Ese código tampoco coincide. Pide ayuda a la persona que imparte el curso: "
                  "ella puede registrar tu asistencia.")
        await responder(update, texto, teclado([boton_menu(_)]))
        return ConversationHandler.END
    texto = _("Ese código no coincide. Revísalo con calma y escríbelo otra vez.")
    await responder(update, texto, teclado([(_("✖️ Salir"), "asis:salir")]))
    return CODIGO


async def _asistencia_registrada(update: Update, contexto: Contexto, sesion_id: int) -> None:
    """Si la sesión ya terminó, la encuesta ya va en camino; si no, llega al terminar
    (la manda el trabajo periódico de encuestas)."""
    _ = contexto.traductor
    sesion = await contexto.almacen.sesion(sesion_id)
    texto = _("¡Listo! Registré tu asistencia. ✅ ¡Que aprendas mucho!")
    if sesion.fin > contexto.reloj.ahora():
        texto += "\n\n" + _("Cuando termine el curso te haré una pregunta corta.")
    await responder(update, texto, teclado([boton_menu(_)]))


async def codigo_no_es_texto(update: Update, contexto: Contexto) -> int:
    """Una foto, un sticker o un botón viejo donde va el código → CODIGO."""
    _ = contexto.traductor
    if update.callback_query is not None:
        await avisar(update, _("Ese botón ya no funciona."))
    texto = _("Escribe el código con letras y números, por favor.")
    await responder(update, texto, teclado([(_("✖️ Salir"), "asis:salir")]), editar=False)
    return CODIGO


async def salir_asistencia(update: Update, contexto: Contexto) -> int:
    """«Salir» → fin; el código se puede escribir después con /asistencia."""
    _ = contexto.traductor
    texto = _("Está bien. Cuando tengas el código, escribe /asistencia.")
    await responder(update, texto, teclado([boton_menu(_)]))
    return ConversationHandler.END


TEXTO_CODIGO = filters.TEXT & ~filters.COMMAND & filters.Regex(re.compile(r"\w"))

def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="asistencia",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("asistencia", pedir_codigo),
            CallbackQueryHandler(pedir_codigo, pattern="^mc:asis$"),
        ],
        states={
            CODIGO: [
                MessageHandler(TEXTO_CODIGO, recibir_codigo),
                CallbackQueryHandler(salir_asistencia, pattern="^asis:salir$"),
                MessageHandler(filters.ALL & ~filters.COMMAND, codigo_no_es_texto),
                CallbackQueryHandler(codigo_no_es_texto, pattern="^asis:"),
            ],
        },
        fallbacks=salidas(),
    )
