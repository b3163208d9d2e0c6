"""/silenciar: dejar de recibir los anuncios del personal, o volver a recibirlos.

El comando alterna: si la persona recibe anuncios, los apaga; si los tenía apagados, los prende.
La respuesta dice qué pasó y trae un botón para deshacerlo (sil:si apaga, sil:no prende; el
botón fija el estado, así pulsarlo dos veces no lo vuelve a cambiar). Los recordatorios y los
avisos de sus cursos o su grupo no son anuncios: siguen llegando.

Solo con el aviso de privacidad aceptado: sin él no le mandamos nada, y no se guarda nada.
"""

from __future__ import annotations

from telegram import Update

from interfaz.respuestas import boton_menu, responder, teclado
from nucleo.contexto import Contexto
from nucleo.textos import Traductor


async def alternar(update: Update, contexto: Contexto) -> None:
    """/silenciar: apaga los anuncios si llegaban; los prende si estaban apagados."""
    if not await _con_permiso(update, contexto):
        return
    telegram_id = update.effective_user.id
    silenciar = not await contexto.anuncios.silenciada(telegram_id)
    await contexto.anuncios.silenciar(telegram_id, silenciar)
    await _contar(update, contexto.traductor, silenciar, editar=False)


async def con_boton(update: Update, contexto: Contexto) -> None:
    """sil:si / sil:no: apaga o prende los anuncios (el botón dice cuál)."""
    if not await _con_permiso(update, contexto):
        return
    silenciar = update.callback_query.data == "sil:si"
    await contexto.anuncios.silenciar(update.effective_user.id, silenciar)
    await _contar(update, contexto.traductor, silenciar, editar=True)


async def _con_permiso(update: Update, contexto: Contexto) -> bool:
    persona = await contexto.almacen.persona(update.effective_user.id)
    if persona is not None and persona.acepto:
        return True
    _ = contexto.traductor
    await responder(update, _(
        "No te mandamos anuncios: no has aceptado el aviso de privacidad. "
        "Si quieres usar el bot, escribe /start."), teclado([boton_menu(_)]))
    return False


async def _contar(update: Update, _: Traductor, silenciada: bool, *, editar: bool) -> None:
    if silenciada:
        texto = _("🔕 Listo. Ya no te mandaremos anuncios.\n"
                  "Tus recordatorios y los avisos de tus cursos siguen llegando.\n"
                  "¿Cambiaste de idea? Toca el botón o escribe /silenciar otra vez.")
        boton = (_("🔔 Volver a recibir anuncios"), "sil:no")
    else:
        texto = _("🔔 Listo. Otra vez te mandaremos anuncios.\n"
                  "Si ya no los quieres, toca el botón o escribe /silenciar.")
        boton = (_("🔕 Ya no recibir anuncios"), "sil:si")
    await responder(update, texto, teclado([boton], [boton_menu(_)]), editar=editar)
