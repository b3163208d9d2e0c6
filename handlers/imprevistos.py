"""Lo que llega fuera de cualquier paso: comandos desconocidos, texto suelto, fotos, stickers,
y botones viejos o inventados. Siempre una respuesta amable y el camino de vuelta al menú."""

from __future__ import annotations

from telegram import Update

from interfaz.menu import botones_menu
from interfaz.respuestas import avisar, boton_menu, responder, teclado
from nucleo.contexto import Contexto


async def comando_desconocido(update: Update, contexto: Contexto) -> None:
    """Un comando que el bot no tiene."""
    _ = contexto.traductor
    texto = _("No conozco ese comando. Escribe /ayuda para ver los que sí uso.")
    await responder(update, texto, teclado([boton_menu(_)]))


async def nada_que_cancelar(update: Update, contexto: Contexto) -> None:
    """/cancelar fuera de cualquier flujo."""
    _ = contexto.traductor
    await responder(update, _("No estabas haciendo nada que cancelar."), teclado([boton_menu(_)]))


async def texto_suelto(update: Update, contexto: Contexto) -> None:
    """Texto fuera de cualquier flujo: el menú (o /start si es nueva)."""
    _ = contexto.traductor
    persona = await contexto.almacen.persona(update.effective_user.id)
    if persona is None:
        texto = _("¡Hola! Para empezar, escribe /start.")
        await responder(update, texto, teclado([(_("▶️ Empezar"), "menu:start")]))
        return
    texto = _("No entendí tu mensaje. Elige una opción del menú:")
    await responder(update, texto, teclado(*botones_menu(_, persona.acepto)))


async def no_es_texto(update: Update, contexto: Contexto) -> None:
    """Fotos, stickers, audios… fuera de cualquier flujo."""
    _ = contexto.traductor
    texto = _("Por ahora solo entiendo texto y botones. Elige una opción del menú:")
    await responder(update, texto, teclado([boton_menu(_)]))


async def boton_viejo(update: Update, contexto: Contexto) -> None:
    """Un botón que ya no está activo (de un mensaje viejo) o con datos que no conocemos."""
    _ = contexto.traductor
    await avisar(update, _("Ese botón ya no funciona."))
    texto = _("Ese botón ya no funciona. Elige otra vez desde el menú:")
    await responder(update, texto, teclado([boton_menu(_)]), editar=False)
