"""El personal cancela una sesión («❌ Cancelar la sesión», pers:s:<id>:can).

    CONFIRMAR [❌ Sí, cancelar → fin | No, volver → fin]

Al confirmar, `nucleo.capacitacion` cancela, quita los recordatorios y encola un aviso a cada
persona inscrita o en espera, en su idioma, todo en una transacción.
"""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import ConversationHandler

from conversaciones import sesion_comun as comun
from conversaciones.sesion_comun import boton, paso
from interfaz.respuestas import responder, teclado
from nucleo.almacen.cursos import Sesion
from nucleo.auditoria import auditar
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_y_hora
from nucleo.tarjetas import nombre_curso

CONFIRMAR = 0


async def pedir_cancelacion(update: Update, contexto: Contexto) -> int:
    """pers:s:<id>:can → CONFIRMAR."""
    sesion = await comun.sesion_programada(update, contexto)
    if sesion is None:
        return ConversationHandler.END
    await comun.empezar(update, contexto, accion="cancelar", sesion_id=sesion.id)
    return await _preguntar(update, contexto, sesion)


async def _preguntar(update: Update, contexto: Contexto, sesion: Sesion) -> int:
    _ = contexto.traductor
    n = sesion.inscritas + sesion.en_espera
    texto = _.plural(
        "¿Seguro que quieres cancelar la sesión de «{curso}» del {fecha}?\n\n"
        "Se avisará a {n} persona inscrita o en espera y se borrará su recordatorio. No se "
        "puede deshacer.",
        "¿Seguro que quieres cancelar la sesión de «{curso}» del {fecha}?\n\n"
        "Se avisará a {n} personas inscritas o en espera y se borrarán sus recordatorios. No "
        "se puede deshacer.", n).format(
        curso=escape(nombre_curso(_, contexto.contenido, sesion.curso_id)),
        fecha=fecha_y_hora(sesion.inicio, _, contexto.config.zona_horaria),
        n=sesion.inscritas + sesion.en_espera)
    botones = teclado([(_("❌ Sí, cancelar la sesión"), "pers:f:cancelar:si")],
                      [(_("No, volver"), "pers:f:cancelar:no")])
    await responder(update, texto, botones)
    return CONFIRMAR


async def cancelar_sesion(update: Update, contexto: Contexto) -> int:
    """pers:f:cancelar:si → fin: sesión cancelada y avisos encolados."""
    _ = contexto.traductor
    borrador = await comun.borrador(update, contexto)
    if borrador.get("accion") != "cancelar":
        return await comun.perdido(update, contexto)
    sesion_id = borrador["sesion_id"]
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    afectadas = await contexto.capacitacion.cancelar_sesion(sesion_id)
    await auditar(contexto, update, "sesion_cancelada", f"sesion {sesion_id}")
    if afectadas is None:
        return await comun.terminar_en_sesion(update, contexto, sesion_id,
                                              _("Esa sesión ya estaba cancelada."))
    return await comun.terminar_en_sesion(update, contexto, sesion_id, _.plural(
        "Sesión cancelada. Avisamos a {n} persona.", "Sesión cancelada. Avisamos a {n} personas.",
        len(afectadas)).format(n=len(afectadas)))


async def no_cancelar(update: Update, contexto: Contexto) -> int:
    """pers:f:cancelar:no → fin, sin cambios."""
    _ = contexto.traductor
    borrador = await comun.borrador(update, contexto)
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    if "sesion_id" not in borrador:
        return await comun.perdido(update, contexto)
    return await comun.terminar_en_sesion(update, contexto, borrador["sesion_id"],
                                          _("No se canceló nada."))


async def volver_a_preguntar(update: Update, contexto: Contexto, estado: int) -> int:
    """Tras algo inesperado, la pregunta otra vez."""
    borrador = await comun.borrador(update, contexto)
    sesion = await contexto.almacen.sesion(borrador.get("sesion_id", 0))
    if sesion is None:
        return await comun.perdido(update, contexto)
    return await _preguntar(update, contexto, sesion)


def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="sesion_cancelacion",
        persistent=True,
        allow_reentry=True,
        entry_points=[boton(pedir_cancelacion, r"^pers:s:(\d+):can$")],
        states={
            CONFIRMAR: paso(CONFIRMAR, volver_a_preguntar, (),
                            boton(cancelar_sesion, r"^pers:f:cancelar:si$"),
                            boton(no_cancelar, r"^pers:f:cancelar:no$")),
        },
        fallbacks=comun.salidas_del_personal(),
    )
