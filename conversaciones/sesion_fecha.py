"""El personal cambia la fecha de una sesión («🕒 Cambiar fecha», pers:s:<id>:rep).

    FECHA → HORA → CONFIRMAR [✅ Sí, cambiar y avisar → fin | ✖️ Salir sin cambiar → fin]

Al confirmar, `nucleo.capacitacion` mueve la sesión, rehace los recordatorios y encola un
aviso a cada persona inscrita o en espera, en su idioma, todo en una transacción.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler

from conversaciones import sesion_comun as comun
from conversaciones.sesion_comun import boton, paso, texto
from interfaz.respuestas import responder, teclado
from nucleo.auditoria import auditar
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_y_hora
from nucleo.tarjetas import nombre_curso

FECHA, HORA, CONFIRMAR = range(3)
ESCRITOS = (FECHA, HORA)


async def cambiar_fecha(update: Update, contexto: Contexto) -> int:
    """pers:s:<id>:rep → FECHA."""
    sesion = await comun.sesion_programada(update, contexto)
    if sesion is None:
        return ConversationHandler.END
    await comun.empezar(update, contexto, accion="cambiar_fecha", sesion_id=sesion.id)
    _ = contexto.traductor
    antes = _("Nueva fecha para «{curso}» (ahora es el {fecha}).").format(
        curso=escape(nombre_curso(_, contexto.contenido, sesion.curso_id)),
        fecha=fecha_y_hora(sesion.inicio, _, contexto.config.zona_horaria))
    await comun.preguntar_fecha(update, contexto, antes)
    return FECHA


async def recibir_fecha(update: Update, contexto: Contexto) -> int:
    """Día/mes/año → HORA."""
    dia = await comun.leer_dia(update, contexto)
    if dia is None:
        return FECHA
    await comun.anotar(update, contexto, fecha=dia.isoformat())
    await comun.preguntar_hora(update, contexto)
    return HORA


async def recibir_hora(update: Update, contexto: Contexto) -> int:
    """HH:MM → CONFIRMAR (la misma fecha y hora de antes: FECHA otra vez)."""
    borrador = await comun.borrador(update, contexto)
    if "fecha" not in borrador:
        return await comun.perdido(update, contexto)
    inicio = await comun.leer_inicio(update, contexto, date.fromisoformat(borrador["fecha"]))
    if inicio is None:
        return HORA
    return await confirmar(update, contexto,
                           await comun.anotar(update, contexto, inicio=inicio.isoformat()))


async def confirmar(update: Update, contexto: Contexto, borrador: dict[str, Any]) -> int:
    """Antes y después, cuántas personas se enterarán → CONFIRMAR."""
    _ = contexto.traductor
    sesion = await contexto.almacen.sesion(borrador.get("sesion_id", 0))
    if sesion is None or "inicio" not in borrador:
        return await comun.perdido(update, contexto)
    nuevo = datetime.fromisoformat(borrador["inicio"])
    zona = contexto.config.zona_horaria
    if nuevo == sesion.inicio:
        await comun.preguntar_fecha(update, contexto, _("Es la misma fecha y hora que ya "
                                                        "tiene. Escribe otra fecha."))
        return FECHA
    texto_ = _.plural(
        "La sesión de «{curso}» pasará del {antes} al <b>{despues}</b>.\n\n"
        "Se avisará a {n} persona inscrita o en espera, y su recordatorio se moverá a la "
        "nueva fecha.",
        "La sesión de «{curso}» pasará del {antes} al <b>{despues}</b>.\n\n"
        "Se avisará a {n} personas inscritas o en espera, y sus recordatorios se moverán a la "
        "nueva fecha.", sesion.inscritas + sesion.en_espera).format(
        curso=escape(nombre_curso(_, contexto.contenido, sesion.curso_id)),
        antes=fecha_y_hora(sesion.inicio, _, zona), despues=fecha_y_hora(nuevo, _, zona),
        n=sesion.inscritas + sesion.en_espera)
    botones = teclado([(_("✅ Sí, cambiar la fecha y avisar"), "pers:f:fecha:si")],
                      [(_("✖️ Salir sin cambiar"), "pers:f:salir")])
    await responder(update, texto_, botones)
    return CONFIRMAR


async def aplicar(update: Update, contexto: Contexto) -> int:
    """pers:f:fecha:si → fin: fecha cambiada y avisos encolados."""
    _ = contexto.traductor
    borrador = await comun.borrador(update, contexto)
    if borrador.get("accion") != "cambiar_fecha" or "inicio" not in borrador:
        return await comun.perdido(update, contexto)
    sesion_id, nuevo = borrador["sesion_id"], datetime.fromisoformat(borrador["inicio"])
    if nuevo <= contexto.reloj.ahora():  # la confirmación pudo quedarse abierta
        await comun.preguntar_fecha(update, contexto, _("Esa fecha y hora ya pasaron."))
        return FECHA
    afectadas = await contexto.capacitacion.cambiar_fecha(sesion_id, nuevo)
    await auditar(contexto, update, "sesion_fecha", f"sesion {sesion_id}", nuevo.isoformat())
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    if afectadas is None:
        return await comun.terminar_en_sesion(update, contexto, sesion_id,
                                              _("Esa sesión ya no se puede cambiar."))
    return await comun.terminar_en_sesion(update, contexto, sesion_id, _.plural(
        "✅ Fecha cambiada. Avisamos a {n} persona.", "✅ Fecha cambiada. Avisamos a {n} personas.",
        len(afectadas)).format(n=len(afectadas)))


async def volver_a_preguntar(update: Update, contexto: Contexto, estado: int) -> int:
    """Tras algo inesperado, la pregunta del paso `estado` otra vez."""
    if estado == CONFIRMAR:
        return await confirmar(update, contexto, await comun.borrador(update, contexto))
    await (comun.preguntar_fecha if estado == FECHA else comun.preguntar_hora)(update, contexto)
    return estado


def _paso(estado: int, *handlers: BaseHandler) -> list[BaseHandler]:
    return paso(estado, volver_a_preguntar, ESCRITOS, *handlers)


def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="sesion_fecha",
        persistent=True,
        allow_reentry=True,
        entry_points=[boton(cambiar_fecha, r"^pers:s:(\d+):rep$")],
        states={
            FECHA: _paso(FECHA, texto(recibir_fecha)),
            HORA: _paso(HORA, texto(recibir_hora)),
            CONFIRMAR: _paso(CONFIRMAR, boton(aplicar, r"^pers:f:fecha:si$")),
        },
        fallbacks=comun.salidas_del_personal(),
    )
