"""«Avísame cuando haya fechas» (/cursos): pedir y quitar el aviso.

    cur:avisar:-         de cualquier curso (cuando no hay ninguna fecha)
    cur:avisar:<curso>   de un curso que no tiene fechas
    cur:noavisar:-|<curso>  quitarlo (desde la confirmación o desde /mis_datos)

Guardarlo necesita el aviso de privacidad aceptado. El aviso sale una sola vez, cuando el
personal crea fechas de ese curso (nucleo/avisos_fechas.py), y el pedido se borra al salir.
"""

from __future__ import annotations

from html import escape

from telegram import Update

from interfaz.cursos import AVISO_FECHAS_PENDIENTE, acepto
from interfaz.respuestas import avisar, boton_menu, responder, teclado
from nucleo.contexto import Contexto


def _curso_del_boton(update: Update, contexto: Contexto) -> tuple[bool, str | None]:
    """(vale, curso_id): «-» es cualquier curso; un curso que ya no está no vale."""
    codigo = update.callback_query.data.rsplit(":", 1)[1]
    if codigo == "-":
        return True, None
    return contexto.contenido.curso(codigo) is not None, codigo


def _nombre(contexto: Contexto, curso_id: str | None) -> str:
    _ = contexto.traductor
    curso = contexto.contenido.curso(curso_id) if curso_id else None
    return f"«{escape(_(curso.nombre))}»" if curso else ""


async def pedir(update: Update, contexto: Contexto) -> None:
    """cur:avisar:…: guarda el pedido (si aceptó el aviso de privacidad) y lo confirma."""
    _ = contexto.traductor
    vale, curso_id = _curso_del_boton(update, contexto)
    if not vale:
        await avisar(update, _("Ese botón ya no funciona."))
        await responder(update, _("Ese botón ya no funciona. Busquemos otra vez:"),
                        teclado([(_("📚 Ver los cursos"), "cur:inicio")], [boton_menu(_)]),
                        editar=False)
        return
    usuario_id = update.effective_user.id
    if not await acepto(contexto, usuario_id):
        contexto.user_data[AVISO_FECHAS_PENDIENTE] = curso_id or "-"
        texto = _("Para avisarte necesito guardar tu número de Telegram y el curso que te "
                  "interesa. Para eso pido tu permiso en el aviso de privacidad. Si lo "
                  "aceptas, guardo tu pedido.")
        await responder(update, texto, teclado([(_("📄 Leer el aviso"), "aviso:leer")],
                                               [(_("📚 Seguir viendo cursos"), "cur:inicio")]),
                        editar=False)
        return
    await contexto.almacen.pedir_aviso_de_fechas(usuario_id, curso_id, contexto.reloj.ahora())
    if curso_id is None:
        texto = _("Listo. 🔔 Te escribo aquí cuando haya fechas de cualquier curso.")
    else:
        texto = _("Listo. 🔔 Te escribo aquí cuando haya fechas de {curso}.").format(
            curso=_nombre(contexto, curso_id))
    texto += "\n" + _("Te aviso una sola vez. Puedes quitar el aviso aquí o en /mis_datos.")
    await avisar(update, _("Listo, te aviso."))
    await responder(update, texto, teclado(
        [(_("🔕 Ya no me avises"), f"cur:noavisar:{curso_id or '-'}")],
        [(_("📚 Ver los cursos"), "cur:inicio")], [boton_menu(_)]), editar=False)


async def quitar(update: Update, contexto: Contexto) -> None:
    """cur:noavisar:…: quita el pedido (si ya no estaba, lo dice igual de tranquilo)."""
    _ = contexto.traductor
    codigo = update.callback_query.data.rsplit(":", 1)[1]
    curso_id = None if codigo == "-" else codigo
    quitado = await contexto.almacen.cancelar_aviso_de_fechas(update.effective_user.id,
                                                              curso_id)
    texto = (_("Listo, ya no te aviso. 🔕") if quitado
             else _("Ese aviso ya no estaba: no te voy a escribir por él."))
    await responder(update, texto, teclado([(_("📚 Ver los cursos"), "cur:inicio")],
                                           [boton_menu(_)]))
