"""/idioma: elegir el idioma. Quien no aceptó el aviso lo elige solo en memoria."""

from __future__ import annotations

import re

from telegram import Update

from interfaz.respuestas import boton_menu, responder, teclado
from nucleo.contexto import Contexto
from nucleo.textos import NOMBRES_IDIOMAS

PATRON = re.compile(r"^idioma:(\w+)$")


async def elegir_idioma(update: Update, contexto: Contexto) -> None:
    """/idioma: los idiomas disponibles, uno por botón."""
    _ = contexto.traductor
    botones = [[(nombre, f"idioma:{codigo}")] for codigo, nombre in NOMBRES_IDIOMAS.items()]
    await responder(update, _("¿En qué idioma quieres leer?"), teclado(*botones))


async def cambiar_idioma(update: Update, contexto: Contexto) -> None:
    """idioma:<código>: lo guarda (o, sin consentimiento, solo en memoria)."""
    idioma = PATRON.match(update.callback_query.data).group(1)
    if idioma not in NOMBRES_IDIOMAS:
        await elegir_idioma(update, contexto)
        return
    guardado = await contexto.almacen.guardar_idioma(update.effective_user.id, idioma)
    if not guardado:
        contexto.elegir_idioma_en_memoria(idioma)
    contexto.user_data["idioma"] = idioma
    _ = contexto.traductor
    await responder(update, _("Listo. Ahora te hablo en español."), teclado([boton_menu(_)]))
