"""El personal escribe a los miembros de un grupo, o anota que una persona asesora lo atendió
y qué se acordó.

    pco:escribir:ID → TEXTO → a la cola, un mensaje a cada miembro → fin
    pco:anotar:ID   → TEXTO → anotado en el grupo → fin

Cada handler pasa por `solo_personal`. «Salir» o /cancelar sale sin mandar ni anotar.
"""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from conversaciones.comun import salidas
from interfaz.personal import solo_personal
from interfaz.respuestas import responder, teclado
from nucleo.contexto import Contexto
from nucleo.reglas_sesion import DatoInvalido, leer_texto

TEXTO = 0
CLAVE = "personal_cooperativa"
LARGO = 2000


async def empezar(update: Update, contexto: Contexto) -> int:
    """pco:escribir:ID o pco:anotar:ID → TEXTO."""
    _ = contexto.traductor
    _prefijo, accion, grupo = update.callback_query.data.split(":")
    cooperativa = await contexto.almacen.cooperativa(int(grupo))
    if cooperativa is None:
        await responder(update, _("Ese grupo ya no existe."), teclado([("⬅️", "pco:lista")]))
        return ConversationHandler.END
    contexto.user_data[CLAVE] = (accion, cooperativa.id)
    if accion == "escribir":
        texto = _("Escribe el mensaje para las {n} personas de «{grupo}». Les llega a nombre "
                  "de la Secretaría.").format(n=cooperativa.miembros,
                                              grupo=escape(cooperativa.nombre))
    else:
        texto = _("Escribe qué se acordó en la asesoría con «{grupo}».").format(
            grupo=escape(cooperativa.nombre))
    await responder(update, texto, teclado([(_("✖️ Salir"), "pcoc:salir")]))
    return TEXTO


async def recibir(update: Update, contexto: Contexto) -> int:
    """El texto → mandado o anotado → fin."""
    _ = contexto.traductor
    destino = contexto.user_data.get(CLAVE)
    if destino is None:
        return await salir(update, contexto)
    try:
        texto = leer_texto(update.message.text, LARGO)
    except DatoInvalido as error:
        await responder(update, error.traducido(_))
        return TEXTO
    contexto.user_data.pop(CLAVE, None)
    accion, cooperativa_id = destino
    if accion == "escribir":
        n = await contexto.cooperativas.escribir_a_miembros(cooperativa_id, texto,
                                                           update.effective_user.id)
        nota = _("✉️ Mensaje en camino a {n} personas.").format(n=n)
    else:
        await contexto.cooperativas.anotar_asesoria(cooperativa_id, update.effective_user.id,
                                                    texto)
        nota = _("📝 Asesoría anotada.")
    await responder(update, nota, teclado([(_("Ver el grupo"), f"pco:g:{cooperativa_id}")]))
    return ConversationHandler.END


async def salir(update: Update, contexto: Contexto) -> int:
    """pcoc:salir → fin."""
    _ = contexto.traductor
    contexto.user_data.pop(CLAVE, None)
    await responder(update, _("Listo, no mandé ni anoté nada."), teclado([("⬅️", "pco:lista")]))
    return ConversationHandler.END


def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="cooperativa_personal",
        persistent=False,
        allow_reentry=True,
        entry_points=[CallbackQueryHandler(solo_personal(empezar),
                                           pattern=r"^pco:(escribir|anotar):\d{1,12}$")],
        states={
            TEXTO: [MessageHandler(filters.TEXT & ~filters.COMMAND, solo_personal(recibir)),
                    CallbackQueryHandler(solo_personal(salir), pattern="^pcoc:salir$")],
        },
        fallbacks=salidas(),
    )
