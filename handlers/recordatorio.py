"""Los botones de los recordatorios: «Sí voy a ir» (rec:si:<id>) y «Ya no puedo ir» (rec:no:<id>).

Solo la persona dueña de la inscripción puede usarlos; un id ajeno, inventado o de una fecha
que ya pasó recibe «ese botón ya no funciona» y no cambia nada. Pulsar otra vez lo que ya se
hizo (la respuesta se perdió) dice lo que pasó: «ya me habías dicho que vas a ir», «ya dejaste
tu lugar». El recordatorio queda a la vista: la respuesta va en un mensaje nuevo.
"""

from __future__ import annotations

from html import escape

from telegram import Update

from handlers.mis_cursos import boton_que_ya_no_sirve, pedir_baja, propia
from interfaz.cursos import nombre_y_fecha
from interfaz.respuestas import boton_menu, quitar_botones, responder, teclado
from nucleo.contexto import Contexto
from nucleo.vocabulario import EstadoInscripcion


async def asistire(update: Update, contexto: Contexto) -> None:
    """rec:si:<id>: «Asistiré» en un recordatorio; queda anotado."""
    _ = contexto.traductor
    inscripcion_id = int(update.callback_query.data.rsplit(":", 1)[1])
    par = await propia(update, contexto, inscripcion_id)
    if par is None:
        return
    inscripcion, sesion = par
    if inscripcion.estado != EstadoInscripcion.INSCRITA or sesion.inicio <= contexto.reloj.ahora():
        await boton_que_ya_no_sirve(update, contexto)
        return
    await contexto.almacen.confirmar_asistencia(inscripcion.id, inscripcion.telegram_id)
    await quitar_botones(update)
    nombre, fecha = nombre_y_fecha(contexto, _, sesion)
    if inscripcion.confirmo:  # ya lo había dicho (la respuesta se perdió o pulsó dos veces)
        texto = _("Ya me habías dicho que vas a ir. ¡Te esperamos! 🙌\n\n"
                  "<b>{curso}</b>\n🗓️ {fecha}")
    else:
        texto = _("¡Gracias por confirmar! Te esperamos. 🙌\n\n<b>{curso}</b>\n🗓️ {fecha}")
    texto = texto.format(curso=escape(nombre), fecha=fecha)
    await responder(update, texto, teclado([(_("🗓️ Mis cursos"), "mc:lista")],
                                           [boton_menu(_)]), editar=False)


async def ya_no_puedo(update: Update, contexto: Contexto) -> None:
    """Pide confirmar antes de dejar el lugar (el mismo paso que en /mis_cursos)."""
    await pedir_baja(update, contexto, editar=False)
