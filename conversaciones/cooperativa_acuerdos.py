"""Después de una asamblea: quiénes fueron y qué acordaron.

    coop:reg:ASAMBLEA → ASISTENTES (marcar quién fue) → ACUERDOS (texto) → se avisa → fin

Cualquier persona del grupo lo anota (se revisa al entrar y al guardar); se puede corregir
después. La lista de asistentes se marca con botones (coopr:t:PERSONA) y solo admite personas
del grupo.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from conversaciones.comun import salidas
from interfaz.cooperativa import grupo_pedido, nombre_miembro
from interfaz.respuestas import responder, teclado
from nucleo.contexto import Contexto
from nucleo.cooperativas import Resultado
from nucleo.reglas_sesion import DatoInvalido, leer_texto

ASISTENTES, ACUERDOS = range(2)
CLAVE = "acuerdos_de"
LARGO_ACUERDOS = 2000


async def empezar(update: Update, contexto: Contexto) -> int:
    """coop:reg:ASAMBLEA → ASISTENTES (si es del grupo)."""
    asamblea_id = int(update.callback_query.data.rsplit(":", 1)[1])
    asamblea = await contexto.almacen.asamblea(asamblea_id)
    if asamblea is None or await grupo_pedido(update, contexto, asamblea.cooperativa_id) is None:
        return ConversationHandler.END
    asistencias = await contexto.almacen.asistencias(asamblea_id)
    fueron = [a.telegram_id for a in asistencias if a.asistio or
              (a.asistio is None and a.confirmo)]
    contexto.user_data[CLAVE] = {"asamblea": asamblea_id, "fueron": fueron}
    return await mostrar_asistentes(update, contexto)


async def mostrar_asistentes(update: Update, contexto: Contexto) -> int:
    """Cada persona del grupo con ✅ si fue; «Listo» → ACUERDOS."""
    _ = contexto.traductor
    datos = contexto.user_data.get(CLAVE)
    if datos is None:
        return await _perdido(update, contexto)
    asistencias = await contexto.almacen.asistencias(datos["asamblea"])
    filas = [[(("✅ " if a.telegram_id in datos["fueron"] else "⬜ ")
               + nombre_miembro(_, a)[:40], f"coopr:t:{a.telegram_id}")] for a in asistencias]
    filas += [[(_("Listo: anotar los acuerdos"), "coopr:listo")],
              [(_("✖️ Salir"), "coopr:salir")]]
    texto = _("<b>¿Quiénes fueron a la asamblea?</b> Toca cada nombre para marcarlo.")
    await responder(update, texto, teclado(*filas))
    return ASISTENTES


async def alternar(update: Update, contexto: Contexto) -> int:
    """coopr:t:PERSONA: la marca o desmarca (solo personas del grupo)."""
    datos = contexto.user_data.get(CLAVE)
    if datos is None:
        return await _perdido(update, contexto)
    persona = int(update.callback_query.data.rsplit(":", 1)[1])
    del_grupo = {a.telegram_id for a in await contexto.almacen.asistencias(datos["asamblea"])}
    if persona in del_grupo:
        if persona in datos["fueron"]:
            datos["fueron"].remove(persona)
        else:
            datos["fueron"].append(persona)
    return await mostrar_asistentes(update, contexto)


async def pedir_acuerdos(update: Update, contexto: Contexto, antes: str = "") -> int:
    """«Listo» → ACUERDOS."""
    _ = contexto.traductor
    texto = _("Escribe los acuerdos de la asamblea, en pocas palabras.")
    await responder(update, f"{antes}\n\n{texto}".strip(),
                    teclado([(_("✖️ Salir"), "coopr:salir")]), editar=antes == "")
    return ACUERDOS


async def recibir_acuerdos(update: Update, contexto: Contexto) -> int:
    """Los acuerdos escritos → guardados y avisados al grupo → la asamblea → fin."""
    _ = contexto.traductor
    datos = contexto.user_data.get(CLAVE)
    if datos is None:
        return await _perdido(update, contexto)
    try:
        acuerdos = leer_texto(update.message.text, LARGO_ACUERDOS)
    except DatoInvalido as error:
        return await pedir_acuerdos(update, contexto, error.traducido(_))
    contexto.user_data.pop(CLAVE, None)
    resultado = await contexto.cooperativas.registrar_asamblea(
        datos["asamblea"], update.effective_user.id, acuerdos, datos["fueron"])
    if resultado != Resultado.HECHO:
        await responder(update, _("No pude anotarlo: la asamblea ya no está o no eres del grupo."),
                        teclado([(_("🤝 Mis grupos"), "coop:inicio")]))
        return ConversationHandler.END
    await responder(update, _("📝 Listo: anoté los acuerdos y le avisé al grupo."),
                    teclado([(_("Ver la asamblea"), f"coop:a:{datos['asamblea']}")]))
    return ConversationHandler.END


async def otra_cosa(update: Update, contexto: Contexto) -> int:
    _ = contexto.traductor
    await responder(update, _("Usa los botones, por favor."), editar=False)
    return await mostrar_asistentes(update, contexto)


async def salir(update: Update, contexto: Contexto) -> int:
    """coopr:salir → fin, sin guardar."""
    _ = contexto.traductor
    contexto.user_data.pop(CLAVE, None)
    await responder(update, _("Listo, no anoté nada."),
                    teclado([(_("🤝 Mis grupos"), "coop:inicio")]))
    return ConversationHandler.END


async def _perdido(update: Update, contexto: Contexto) -> int:
    _ = contexto.traductor
    await responder(update, _("Empieza otra vez desde la asamblea."),
                    teclado([(_("🤝 Mis grupos"), "coop:inicio")]), editar=False)
    return ConversationHandler.END


def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="cooperativa_acuerdos",
        persistent=False,
        allow_reentry=True,
        entry_points=[CallbackQueryHandler(empezar, pattern=r"^coop:reg:\d{1,12}$")],
        states={
            ASISTENTES: [CallbackQueryHandler(alternar, pattern=r"^coopr:t:\d{1,15}$"),
                         CallbackQueryHandler(pedir_acuerdos, pattern="^coopr:listo$"),
                         CallbackQueryHandler(salir, pattern="^coopr:salir$"),
                         MessageHandler(filters.ALL & ~filters.COMMAND, otra_cosa)],
            ACUERDOS: [MessageHandler(filters.TEXT & ~filters.COMMAND, recibir_acuerdos),
                       CallbackQueryHandler(salir, pattern="^coopr:salir$")],
        },
        fallbacks=salidas(),
    )
