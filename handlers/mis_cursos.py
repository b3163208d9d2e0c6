"""/mis_cursos: tus próximas fechas (con lugar o en lista de espera) y lo que puedes hacer con
cada una: ver detalles, guardarla en el calendario (.ics) o dejar tu lugar, que pasa en ese
momento a la primera persona en espera (se le avisa en su idioma). También apagar o prender
los recordatorios y, el día del curso, registrar tu asistencia.

Cada botón lleva el id de la inscripción: se revisa que sea de quien lo pulsa y siga activa.
Si la persona ya dejó ese lugar (por ejemplo, no le llegó la respuesta y vuelve a pulsar, o el
bot se cayó y la atiende otra vez), se le dice eso, no que el botón ya no funciona.
"""

from __future__ import annotations

from html import escape

from telegram import Update

from interfaz.cursos import nombre_y_fecha, pedir_permiso, tarjeta
from interfaz.paginas import POR_PAGINA, navegacion, paginar
from interfaz.respuestas import Boton, avisar, boton_menu, mostrar, responder, teclado
from nucleo.almacen.cursos import Inscripcion, Sesion
from nucleo.calendario import calendario
from nucleo.contexto import Contexto
from nucleo.tarjetas import evento, nombre_curso
from nucleo.textos import Traductor
from nucleo.vocabulario import EstadoInscripcion

# --- la lista ------------------------------------------------------------------------------

async def mostrar_lista(update: Update, contexto: Contexto) -> None:
    """/mis_cursos y los botones mc:lista y mc:lista:<página>."""
    _ = contexto.traductor
    usuario_id = update.effective_user.id
    persona = await contexto.almacen.persona(usuario_id)
    if persona is None or not persona.acepto:
        await pedir_permiso(update, contexto)
        return
    ahora = contexto.reloj.ahora()
    pares = await contexto.almacen.inscripciones_de(usuario_id, ahora)
    datos = update.callback_query.data if update.callback_query else ""
    pagina_pedida = int(datos.rsplit(":", 1)[1]) if datos.startswith("mc:lista:") else 0
    visibles, pagina, total = paginar(pares, pagina_pedida)
    activos = await contexto.almacen.recordatorios_activos(usuario_id)
    texto = _texto_lista(_, contexto, pares, visibles, pagina, activos)
    filas: list[list[Boton]] = [
        [(f"{n}. {_nombre_boton(_, contexto, sesion)}", f"mc:ver:{inscripcion.id}")]
        for n, (inscripcion, sesion) in enumerate(visibles, pagina * POR_PAGINA + 1)]
    filas.append(navegacion(_, "mc:lista:{p}", pagina, total))
    if any(i.estado == EstadoInscripcion.INSCRITA and s.en_ventana_de_asistencia(ahora)
           for i, s in pares):
        filas.append([(_("✅ Registrar mi asistencia"), "mc:asis")])
    filas.append([(_("🔕 Apagar recordatorios"), "mc:rec:no") if activos
                  else (_("🔔 Prender recordatorios"), "mc:rec:si")])
    filas.append([(_("📚 Buscar cursos"), "cur:inicio"), boton_menu(_)])
    await mostrar(update, texto, filas)


def _texto_lista(_: Traductor, contexto: Contexto, pares: list[tuple[Inscripcion, Sesion]],
                 visibles: list, pagina: int, activos: bool) -> str:
    if not pares:
        texto = _("No tienes cursos próximos. ¿Buscamos uno?")
    else:
        bloques = [_("<b>Tus cursos</b>\nElige uno para ver sus datos o dejar tu lugar.")]
        for n, (inscripcion, sesion) in enumerate(visibles, pagina * POR_PAGINA + 1):
            nombre, fecha = nombre_y_fecha(contexto, _, sesion)
            bloques.append(f"<b>{n}. {escape(nombre)}</b>\n🗓️ {fecha}\n{_estado(_, inscripcion)}")
        texto = "\n\n".join(bloques)
    aviso = (_("Recordatorios: prendidos 🔔") if activos
             else _("Recordatorios: apagados 🔕. No te avisaré antes de tus cursos."))
    return f"{texto}\n\n{aviso}"


def _nombre_boton(_: Traductor, contexto: Contexto, sesion: Sesion) -> str:
    nombre = nombre_curso(_, contexto.contenido, sesion.curso_id)
    return nombre if len(nombre) <= 30 else nombre[:29] + "…"


def _estado(_: Traductor, inscripcion: Inscripcion) -> str:
    if inscripcion.estado == EstadoInscripcion.INSCRITA:
        return _("✅ Tienes tu lugar.")
    return _("📝 Lista de espera: eres la persona número {n}.").format(
        n=inscripcion.posicion_espera)


# --- una inscripción ------------------------------------------------------------------------

async def propia(update: Update, contexto: Contexto,
                 inscripcion_id: int) -> tuple[Inscripcion, Sesion] | None:
    """La inscripción si es de quien pulsa, sigue activa y su sesión no ha terminado.
    Si no, contesta con amabilidad y devuelve None: «ya dejaste tu lugar» si eso pasó, si no
    «ese botón ya no funciona»."""
    inscripcion = await contexto.almacen.inscripcion(inscripcion_id)
    if inscripcion is not None and inscripcion.telegram_id == update.effective_user.id:
        if inscripcion.activa:
            ahora = contexto.reloj.ahora()
            for par in await contexto.almacen.inscripciones_de(inscripcion.telegram_id, ahora):
                if par[0].id == inscripcion_id:
                    return par
        elif await _la_dejo(contexto, inscripcion):
            await ya_dejaste_tu_lugar(update, contexto)
            return None
    await boton_que_ya_no_sirve(update, contexto)
    return None


async def _la_dejo(contexto: Contexto, inscripcion: Inscripcion) -> bool:
    """La dejó la persona y no ha vuelto a apartar lugar en esa fecha (si lo hizo, el botón
    viejo sí es uno que ya no funciona)."""
    return (inscripcion.estado == EstadoInscripcion.CANCELADA
            and await contexto.almacen.inscripcion_activa(
                inscripcion.sesion_id, inscripcion.telegram_id) is None)


async def ya_dejaste_tu_lugar(update: Update, contexto: Contexto) -> None:
    """Un botón de una fecha que la persona ya dejó (la respuesta se perdió, o pulsó dos
    veces): se le dice lo que ya pasó. Dentro de /mis_cursos se cambia el mensaje pulsado;
    en un recordatorio, va en un mensaje nuevo y el recordatorio queda a la vista."""
    _ = contexto.traductor
    await avisar(update, _("Ya dejaste tu lugar en esa fecha."))
    texto = _("Ya dejaste tu lugar en esa fecha; no tienes que hacer nada más.")
    en_mis_cursos = (update.callback_query.data or "").startswith("mc:")
    await responder(update, texto, teclado([(_("🗓️ Mis cursos"), "mc:lista")],
                                           [(_("📚 Buscar otros cursos"), "cur:inicio")]),
                    editar=en_mis_cursos)


async def boton_que_ya_no_sirve(update: Update, contexto: Contexto) -> None:
    """Un botón de una inscripción ajena, dejada o pasada: nada cambia."""
    _ = contexto.traductor
    await avisar(update, _("Ese botón ya no funciona."))
    texto = _("Ese botón ya no funciona. Aquí están tus cursos de hoy en adelante:")
    await responder(update, texto, teclado([(_("🗓️ Mis cursos"), "mc:lista")],
                                           [boton_menu(_)]), editar=False)


def _id_de(update: Update) -> int:
    return int(update.callback_query.data.rsplit(":", 1)[1])


async def ver(update: Update, contexto: Contexto) -> None:
    """mc:ver:<id>: los datos de una fecha y lo que se puede hacer con ella."""
    _ = contexto.traductor
    par = await propia(update, contexto, _id_de(update))
    if par is None:
        return
    inscripcion, sesion = par
    texto = (tarjeta(contexto, sesion,
                     con_enlace=inscripcion.estado == EstadoInscripcion.INSCRITA)
             + f"\n\n{_estado(_, inscripcion)}")
    if inscripcion.confirmo:
        texto += "\n" + _("Ya me dijiste que vas a ir. 👍")
    await mostrar(update, texto, _botones_detalle(_, contexto, inscripcion, sesion))


def _botones_detalle(_: Traductor, contexto: Contexto, inscripcion: Inscripcion,
                     sesion: Sesion) -> list[list[Boton]]:
    filas = []
    ahora = contexto.reloj.ahora()
    if inscripcion.estado == EstadoInscripcion.INSCRITA:
        if sesion.en_ventana_de_asistencia(ahora):
            filas.append([(_("✅ Registrar mi asistencia"), "mc:asis")])
        filas.append([(_("📅 Guardar en mi calendario"), f"mc:ics:{inscripcion.id}")])
    if sesion.inicio > ahora:
        dejar = (_("❌ Ya no puedo ir") if inscripcion.estado == EstadoInscripcion.INSCRITA
                 else _("❌ Salir de la lista de espera"))
        filas.append([(dejar, f"mc:baja:{inscripcion.id}")])
    filas.append([(_("⬅️ Mis cursos"), "mc:lista")])
    return filas


# --- dejar el lugar -------------------------------------------------------------------------

async def pedir_baja(update: Update, contexto: Contexto, *, editar: bool = True) -> None:
    """mc:baja:<id> (y «Ya no puedo ir» de un recordatorio, en un mensaje nuevo)."""
    _ = contexto.traductor
    par = await propia(update, contexto, _id_de(update))
    if par is None:
        return
    inscripcion, sesion = par
    if sesion.inicio <= contexto.reloj.ahora():
        await _ya_empezo(update, contexto)
        return
    nombre, fecha = nombre_y_fecha(contexto, _, sesion)
    curso = escape(nombre)
    if inscripcion.estado == EstadoInscripcion.INSCRITA:
        texto = _("¿Seguro que ya no puedes ir a <b>{curso}</b>?\n🗓️ {fecha}\n\n"
                  "Tu lugar pasará a otra persona.").format(curso=curso, fecha=fecha)
    else:
        texto = _("¿Quieres salir de la lista de espera de <b>{curso}</b>?\n🗓️ {fecha}").format(
            curso=curso, fecha=fecha)
    await responder(update, texto, teclado(
        [(_("Sí, dejar mi lugar"), f"mc:baja_si:{inscripcion.id}")],
        [(_("No, sí voy a ir"), f"mc:ver:{inscripcion.id}")]), editar=editar)


async def dar_de_baja(update: Update, contexto: Contexto) -> None:
    """mc:baja_si:<id>: deja el lugar y, si alguien esperaba, se lo da y le avisa al momento."""
    _ = contexto.traductor
    par = await propia(update, contexto, _id_de(update))
    if par is None:
        return
    inscripcion, sesion = par
    ahora = contexto.reloj.ahora()
    if sesion.inicio <= ahora:
        await _ya_empezo(update, contexto)
        return
    baja = await contexto.capacitacion.dejar_lugar(inscripcion.id, inscripcion.telegram_id)
    if not baja.hecha:  # la dejó justo antes (otra pulsación del mismo botón)
        await ya_dejaste_tu_lugar(update, contexto)
        return
    if inscripcion.estado == EstadoInscripcion.INSCRITA:
        texto = _("Listo, dejaste tu lugar. Gracias por avisar: así otra persona puede ir. 🙌")
    else:
        texto = _("Listo, saliste de la lista de espera.")
    await responder(update, texto, teclado([(_("🗓️ Mis cursos"), "mc:lista")],
                                           [(_("📚 Buscar otros cursos"), "cur:inicio")]))


async def _ya_empezo(update: Update, contexto: Contexto) -> None:
    _ = contexto.traductor
    texto = _("Esta fecha ya empezó: ya no se puede dejar el lugar.")
    await responder(update, texto, teclado([(_("🗓️ Mis cursos"), "mc:lista")]))


# --- calendario y recordatorios ---------------------------------------------------------------

async def mandar_calendario(update: Update, contexto: Contexto) -> None:
    """mc:ics:<id>: un archivo .ics para guardar la fecha en el calendario del teléfono."""
    _ = contexto.traductor
    par = await propia(update, contexto, _id_de(update))
    if par is None:
        return
    inscripcion, sesion = par
    if inscripcion.estado != EstadoInscripcion.INSCRITA:
        await boton_que_ya_no_sirve(update, contexto)
        return
    await avisar(update, _("Te mando el archivo."))
    datos = calendario(evento(_, contexto.contenido, sesion, sesion.id), contexto.reloj.ahora())
    nombre = f"curso-{sesion.inicio.astimezone(contexto.config.zona_horaria):%Y-%m-%d}.ics"
    await update.effective_chat.send_document(
        document=datos, filename=nombre,
        caption=_("Ábrelo para guardar la fecha en tu calendario. 📅"))


async def cambiar_recordatorios(update: Update, contexto: Contexto) -> None:
    """mc:rec:si / mc:rec:no: prender o apagar todos los recordatorios de la persona."""
    _ = contexto.traductor
    activos = update.callback_query.data.endswith(":si")
    await contexto.capacitacion.cambiar_recordatorios(update.effective_user.id, activos)
    await avisar(update, _("Recordatorios prendidos. 🔔") if activos
                 else _("Recordatorios apagados. 🔕"))
    await mostrar_lista(update, contexto)
