"""Unirse a un grupo con un enlace de invitación: primero el permiso y el nombre, luego de
vuelta a la invitación.

    /start coop_<token> (handlers/inicio.py → la invitación, en interfaz/cooperativa.py)
    coop:aviso:<token>  → guarda el consentimiento → (sin nombre) NOMBRE → la invitación
    coop:unir:<token>   → (sin nombre) NOMBRE → la invitación;  (con nombre) se une → fin

El grupo ve el nombre de cada persona, y los borradores de documentos lo llevan: por eso se
pide antes de unirse (se guarda en el perfil; lo demás del perfil se llena con /perfil). El
token viaja en el botón y, mientras se pide el nombre, en `user_data` (memoria).
"""

from __future__ import annotations

import re
from html import escape

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversaciones.comun import salidas
from interfaz.aviso import guardar_aceptacion
from interfaz.cooperativa import mostrar_invitacion, unirse
from interfaz.respuestas import quitar_botones, responder, teclado
from nucleo.contexto import Contexto

NOMBRE = 0
LARGO_NOMBRE = 60
CLAVE = "invitacion_pendiente"
PATRON_TOKEN = r"[A-Za-z0-9_-]{16,60}"


def _token(update: Update) -> str:
    return update.callback_query.data.split(":", 2)[2]


async def aceptar_aviso(update: Update, contexto: Contexto) -> int:
    """coop:aviso:<token>: guarda el consentimiento (como en /start) → NOMBRE o la
    invitación otra vez."""
    await guardar_aceptacion(update, contexto)
    _ = contexto.traductor
    return await _nombre_o_invitacion(update, contexto, _token(update),
                                      _("¡Gracias por tu confianza! 🙌"))


async def aceptar(update: Update, contexto: Contexto) -> int:
    """coop:unir:<token>: «Sí, unirme» → NOMBRE si falta; si no, se une → fin."""
    token = _token(update)
    persona = await contexto.almacen.persona(update.effective_user.id)
    if persona is None or not persona.acepto:
        await mostrar_invitacion(update, contexto, token)  # vuelve a pedir el aviso
        return ConversationHandler.END
    perfil = await contexto.almacen.perfil(update.effective_user.id)
    if perfil is None or not perfil.nombre:
        return await _pedir_nombre(update, contexto, token)
    await quitar_botones(update)
    await unirse(update, contexto, token)
    return ConversationHandler.END


async def _nombre_o_invitacion(update: Update, contexto: Contexto, token: str,
                               antes: str = "") -> int:
    perfil = await contexto.almacen.perfil(update.effective_user.id)
    if perfil is None or not perfil.nombre:
        return await _pedir_nombre(update, contexto, token, antes)
    await mostrar_invitacion(update, contexto, token, antes)
    return ConversationHandler.END


async def _pedir_nombre(update: Update, contexto: Contexto, token: str, antes: str = "") -> int:
    _ = contexto.traductor
    contexto.user_data[CLAVE] = token
    texto = _("¿Cómo te llamas? Así te verá el grupo y así irás en los borradores de sus "
              "documentos. Escribe tu nombre completo.")
    nombre = update.effective_user.first_name[:LARGO_NOMBRE]
    botones = teclado([(_("Usar «{nombre}»").format(nombre=nombre)[:60], "coopu:telegram")])
    await responder(update, f"{antes}\n\n{texto}".strip(), botones, editar=False)
    return NOMBRE


async def recibir_nombre(update: Update, contexto: Contexto) -> int:
    """El nombre escrito → se guarda en el perfil → la invitación → fin."""
    _ = contexto.traductor
    nombre = " ".join(update.message.text.split())
    if not re.search(r"[^\W\d_]", nombre) or len(nombre) > LARGO_NOMBRE:
        aviso = _("Escribe un nombre con letras, de hasta {n}.").format(n=LARGO_NOMBRE)
        return await _pedir_nombre(update, contexto, contexto.user_data.get(CLAVE, ""), aviso)
    return await _guardar_nombre(update, contexto, nombre)


async def nombre_de_telegram(update: Update, contexto: Contexto) -> int:
    """«Usar X»: el nombre de Telegram → la invitación → fin."""
    nombre = " ".join(update.effective_user.first_name.split())[:LARGO_NOMBRE]
    return await _guardar_nombre(update, contexto, nombre)


async def _guardar_nombre(update: Update, contexto: Contexto, nombre: str) -> int:
    await contexto.almacen.guardar_en_perfil(update.effective_user.id, "nombre", nombre,
                                             contexto.reloj.ahora())
    token = contexto.user_data.pop(CLAVE, None)
    _ = contexto.traductor
    if token is None:  # el bot se reinició mientras escribía
        await responder(update, _("Guardé tu nombre. Abre otra vez el enlace de invitación."))
        return ConversationHandler.END
    await mostrar_invitacion(update, contexto, token, _("Gracias, {nombre}. ✅").format(
        nombre=escape(nombre)))
    return ConversationHandler.END


async def otra_cosa(update: Update, contexto: Contexto) -> int:
    """Lo que no es un nombre escrito: se vuelve a pedir."""
    _ = contexto.traductor
    return await _pedir_nombre(update, contexto, contexto.user_data.get(CLAVE, ""),
                               _("Escríbelo con texto, por favor."))


def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="cooperativa_union",
        persistent=False,
        allow_reentry=True,
        entry_points=[
            CallbackQueryHandler(aceptar_aviso, pattern=f"^coop:aviso:{PATRON_TOKEN}$"),
            CallbackQueryHandler(aceptar, pattern=f"^coop:unir:{PATRON_TOKEN}$"),
        ],
        states={
            NOMBRE: [MessageHandler(filters.TEXT & ~filters.COMMAND, recibir_nombre),
                     CallbackQueryHandler(nombre_de_telegram, pattern="^coopu:telegram$"),
                     MessageHandler(filters.ALL & ~filters.COMMAND, otra_cosa)],
        },
        fallbacks=salidas(),
    )
