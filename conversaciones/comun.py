"""Salidas comunes a todos los flujos.

- /cancelar termina el flujo: lo ya guardado se queda guardado.
- Un comando o botón que lleva a otra parte (otro flujo, el menú, borrar los datos) termina
  este flujo y vuelve a poner la misma actualización en la cola: así la atiende quien debe,
  como si el flujo no hubiera estado abierto. Las actualizaciones se atienden de una en una,
  así que el orden se mantiene.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable, Collection

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler
from telegram.warnings import PTBUserWarning

from interfaz.respuestas import boton_menu, quitar_botones, responder, teclado
from nucleo.contexto import Contexto

# Con per_message=False, PTB avisa de que los CallbackQueryHandler no se siguen por mensaje.
# Es lo que queremos: cada persona tiene un solo paso activo, venga de donde venga el botón.
warnings.filterwarnings("ignore", message=r".*per_message=False.*", category=PTBUserWarning)

# /menu, /ayuda, /idioma, /mis_datos y /privacidad no interrumpen: se contestan y el paso
# sigue abierto. Estos otros llevan a otra parte. /asesoria también: después, lo que la persona
# escriba es para la persona asesora, no para el paso que había quedado abierto.
COMANDOS_QUE_INTERRUMPEN = ("start", "perfil", "orientacion", "cursos", "mis_cursos",
                            "asistencia", "asesoria", "cooperativa")
BOTONES_QUE_INTERRUMPEN = (
    r"^(menu:(start|perfil|orientacion|cursos|asesoria)|aviso:(acepto|rechazo)|ase:acepto"
    r"|datos:borrar_si(:\d{1,12})?)$"
)


async def cancelar(update: Update, contexto: Contexto) -> int:
    """/cancelar: sale del flujo; lo ya contestado queda guardado."""
    _ = contexto.traductor
    texto = _("Listo, saliste. Lo que ya contestaste quedó guardado.")
    await responder(update, texto, teclado([boton_menu(_)]))
    return ConversationHandler.END


async def interrumpir(update: Update, contexto: Contexto) -> int:
    """Un comando o botón de otra parte: termina el flujo y la misma actualización
    vuelve a la cola para que la atienda quien debe."""
    await contexto.application.update_queue.put(update)
    return ConversationHandler.END


Paso = Callable[[Update, Contexto], Awaitable[int]]
Volver = Callable[[Update, Contexto, int], Awaitable[int]]


def repetir_paso(estado: int, escritos: Collection[int], volver: Volver) -> Paso:
    """Lo que no es lo que pide el paso (texto donde van botones, una foto, un botón viejo):
    lo decimos con una frase y `volver` hace otra vez la pregunta de `estado`."""

    async def callback(update: Update, contexto: Contexto) -> int:
        _ = contexto.traductor
        if update.callback_query is not None:
            # El mensaje del botón viejo se queda como estaba (sin botones); la frase y la
            # pregunta salen abajo, una tras otra, para que «aquí» señale la pregunta.
            await quitar_botones(update)
            await responder(update, _("Ese botón ya no funciona. Sigamos aquí:"), editar=False)
            return await volver(_sin_boton(update), contexto, estado)
        if estado in escritos:
            aviso = _("Escríbelo con texto, por favor.")
        else:
            aviso = _("Contesta con los botones, por favor.")
        await responder(update, aviso, editar=False)
        return await volver(update, contexto, estado)

    return callback


def _sin_boton(update: Update) -> Update:
    """La misma persona y el mismo chat, pero sin el botón pulsado: lo que se conteste va en
    un mensaje nuevo en vez de cambiar el mensaje viejo."""
    consulta = update.callback_query
    if consulta is None or consulta.message is None:
        return update
    mensaje = Message(message_id=consulta.message.message_id, date=consulta.message.date,
                      chat=consulta.message.chat, from_user=consulta.from_user)
    mensaje.set_bot(update.get_bot())
    nuevo = Update(update.update_id, message=mensaje)
    nuevo.set_bot(update.get_bot())
    return nuevo


def salidas() -> list[BaseHandler]:
    """Los `fallbacks` de cada ConversationHandler, en este orden."""
    return [
        CommandHandler("cancelar", cancelar),
        CommandHandler(COMANDOS_QUE_INTERRUMPEN, interrumpir),
        CallbackQueryHandler(interrumpir, pattern=BOTONES_QUE_INTERRUMPEN),
    ]
