"""El manejador de errores de toda la aplicación: registra y pide disculpas; el bot sigue.

El registro lleva el tipo de actualización y el handler, nunca el texto de la persona,
su nombre ni el token (el filtro de `nucleo.registro` los tapa por si acaso).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, InvalidToken, NetworkError, RetryAfter

from interfaz.respuestas import boton_menu, teclado
from nucleo.contexto import Contexto

registro = logging.getLogger("coopera.errores")


async def al_fallar(update: object, contexto: Contexto) -> None:
    """Registra el error (sin datos de la persona) y le pide disculpas; el bot sigue."""
    error = contexto.error
    if isinstance(error, Forbidden):
        registro.info("La persona bloqueó al bot; no se le puede contestar.")
        return
    if isinstance(error, InvalidToken):  # el proceso sale solo (código 3): nada que contestar
        registro.warning("Telegram rechazó el token mientras se atendía una actualización.")
        return
    tipo = _tipo_de_actualizacion(update)
    if isinstance(error, (RetryAfter, NetworkError)):
        registro.warning("Falla de red al atender %s: %s", tipo, type(error).__name__)
    else:
        registro.error("Error inesperado al atender %s", tipo, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        await _disculparse(update, contexto)


async def _disculparse(update: Update, contexto: Contexto) -> None:
    try:
        _ = contexto.traductor
        texto = _("Perdón, algo falló de nuestro lado. Tus datos guardados están a salvo. "
                  "Intenta otra vez o vuelve al menú.")
        await update.effective_chat.send_message(texto, reply_markup=teclado([boton_menu(_)]))
    except Exception:
        registro.warning("No se pudo enviar la disculpa", exc_info=True)


def _tipo_de_actualizacion(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    if update.callback_query is not None:
        datos = (update.callback_query.data or "").split(":")[0]
        return f"botón {datos}:…"
    if update.message is not None and update.message.text:
        palabra = update.message.text.split()[0] if update.message.text.split() else ""
        return f"comando {palabra}" if palabra.startswith("/") else "mensaje de texto"
    return "actualización"
