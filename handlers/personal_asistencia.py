"""El personal pasa lista: marca quién vino (✅), guarda la asistencia (las que asistieron
reciben la encuesta al terminar la sesión) y ve el código de asistencia que dicta en clase."""

from __future__ import annotations

from html import escape

from telegram import Update

from interfaz.personal import ficha, mostrar_sesion, sesion_pedida
from interfaz.respuestas import avisar, responder, teclado
from nucleo.almacen.cursos import VENTANA_ASISTENCIA, Sesion
from nucleo.auditoria import auditar
from nucleo.contexto import Contexto
from nucleo.listas import nombre_en_lista
from nucleo.vocabulario import EstadoInscripcion, EstadoSesion

POR_PAGINA = 10


async def asistencia(update: Update, contexto: Contexto) -> None:
    """pers:s:<id>:asis:<página>: la lista para marcar quién vino."""
    sesion = await sesion_pedida(update, contexto)
    if sesion is not None:
        await _mostrar_asistencia(update, contexto, sesion, int(contexto.match.group(2)))


async def alternar_asistencia(update: Update, contexto: Contexto) -> None:
    """pers:s:<id>:at:<inscripción>:<página>: marca o desmarca a una persona."""
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    if not await _ya_se_puede_pasar_lista(update, contexto, sesion):
        return
    inscripcion_id, pagina = int(contexto.match.group(2)), int(contexto.match.group(3))
    if sesion.estado == EstadoSesion.PROGRAMADA:
        await contexto.almacen.alternar_asistencia(sesion.id, inscripcion_id,
                                                   contexto.reloj.ahora())
    await _mostrar_asistencia(update, contexto, sesion, pagina)


async def _ya_se_puede_pasar_lista(update: Update, contexto: Contexto, sesion: Sesion) -> bool:
    """La asistencia se registra desde un rato antes del inicio (como el código)."""
    if contexto.reloj.ahora() >= sesion.inicio - VENTANA_ASISTENCIA:
        return True
    _ = contexto.traductor
    await avisar(update, _("Aún es pronto: la asistencia se registra el día de la sesión."))
    return False


async def _mostrar_asistencia(update: Update, contexto: Contexto, sesion: Sesion,
                              pagina: int) -> None:
    _ = contexto.traductor
    if sesion.estado != EstadoSesion.PROGRAMADA:
        await mostrar_sesion(update, contexto, sesion, _("La sesión está cancelada."))
        return
    inscritas = [f for f in await contexto.almacen.lista_para_personal(sesion.id)
                 if f.estado == EstadoInscripcion.INSCRITA]
    paginas = max(1, -(-len(inscritas) // POR_PAGINA))
    pagina = min(max(pagina, 0), paginas - 1)
    prefijo = f"pers:s:{sesion.id}"
    botones = [[(("✅ " if f.asistio else "⬜ ") + f"{f.posicion}. {nombre_en_lista(_, f)}"[:50],
                 f"{prefijo}:at:{f.inscripcion_id}:{pagina}")]
               for f in inscritas[pagina * POR_PAGINA:(pagina + 1) * POR_PAGINA]]
    navegar = [(f"◀️ {pagina}", f"{prefijo}:asis:{pagina - 1}")] if pagina > 0 else []
    if pagina < paginas - 1:
        navegar.append((f"{pagina + 2} ▶️", f"{prefijo}:asis:{pagina + 1}"))
    texto = ficha(contexto, sesion) + "\n\n" + _(
        "<b>Asistencia</b>: toca el nombre de cada persona que vino (✅). Al terminar, pulsa "
        "«Guardar»: las que asistieron reciben la encuesta de satisfacción.")
    if not inscritas:
        texto += "\n\n" + _("No hay personas inscritas.")
    await responder(update, texto, teclado(
        *botones, navegar, [(_("💾 Guardar asistencia"), f"{prefijo}:asisok")],
        [(_("⬅️ Volver"), prefijo)]))


async def guardar_asistencia(update: Update, contexto: Contexto) -> None:
    """pers:s:<id>:asisok: guarda la lista; las encuestas salen al terminar."""
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    _ = contexto.traductor
    if sesion.estado != EstadoSesion.PROGRAMADA:
        await mostrar_sesion(update, contexto, sesion, _("La sesión está cancelada."))
        return
    if not await _ya_se_puede_pasar_lista(update, contexto, sesion):
        return
    asistentes, encuestas = await contexto.capacitacion.cerrar_asistencia(sesion.id)
    await auditar(contexto, update, "asistencia", f"sesion {sesion.id}", str(len(asistentes)))
    antes = _.plural("✅ Asistencia guardada: {n} persona asistió.",
                     "✅ Asistencia guardada: {n} personas asistieron.",
                     len(asistentes)).format(n=len(asistentes))
    if encuestas is not None:
        antes += " " + _("Encuestas enviadas: {e}.").format(e=encuestas)
    else:  # la revisión periódica de encuestas la manda al terminar
        antes += " " + _("La encuesta les llegará al terminar la sesión.")
    await mostrar_sesion(update, contexto, sesion, antes)


async def codigo(update: Update, contexto: Contexto) -> None:
    """pers:s:<id>:cod: el código que se dicta en clase."""
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    _ = contexto.traductor
    texto = ficha(contexto, sesion) + "\n\n" + _(
        "🔑 Código de asistencia: <code>{codigo}</code>\n\nDíctalo o escríbelo en el pizarrón "
        "durante la sesión: las personas inscritas lo escriben en el bot para registrar que "
        "vinieron.").format(codigo=escape(sesion.codigo_asistencia))
    await responder(update, texto, teclado([(_("⬅️ Volver"), f"pers:s:{sesion.id}")]))
