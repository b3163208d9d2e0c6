"""/mis_datos: todo lo que guardamos de la persona, y borrarlo todo (derechos ARCO)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape

from telegram import Update

from interfaz.asesoria import seccion_mis_datos
from interfaz.cursos import seccion_avisos_de_fechas
from interfaz.perfil import CAMPOS, valor_legible
from interfaz.respuestas import boton_menu, responder, responder_largo, teclado
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_corta, fecha_y_hora
from nucleo.tarjetas import nombre_curso
from nucleo.textos import NOMBRES_IDIOMAS, Traductor
from nucleo.vocabulario import NOMBRE_ROL, EstadoInscripcion

# Cuánto sirve el botón «Sí, borrar todo» después de pedirlo.
VIGENCIA_CONFIRMACION = timedelta(minutes=10)


async def mostrar_datos(update: Update, contexto: Contexto) -> None:
    """/mis_datos: todo lo guardado de la persona, con el botón para borrarlo."""
    _ = contexto.traductor
    usuario_id = update.effective_user.id
    persona = await contexto.almacen.persona(usuario_id)
    if persona is None:
        texto = _("No tenemos ningún dato tuyo guardado.")
        await responder(update, texto, teclado([boton_menu(_)]))
        return
    texto = "\n\n".join(await _secciones(contexto, _, usuario_id))
    avisos, quitar_avisos = await seccion_avisos_de_fechas(contexto, _, usuario_id)
    if avisos:
        texto += "\n\n" + avisos
    botones = teclado(
        [(_("✏️ Corregir mi perfil"), "menu:perfil")] if persona.acepto else [],
        *([boton] for boton in quitar_avisos),
        [(_("🗑️ Borrar todos mis datos"), "datos:borrar")],
        [boton_menu(_)],
    )
    await responder_largo(update, texto, botones, editar=False)


async def _secciones(contexto: Contexto, _: Traductor, usuario_id: int) -> list[str]:
    almacen, zona = contexto.almacen, contexto.config.zona_horaria
    persona = await almacen.persona(usuario_id)
    decision = _("aceptaste") if persona.acepto else _("no aceptaste")
    idioma = NOMBRES_IDIOMAS.get(persona.idioma or "", _("el de tu Telegram"))
    secciones = [
        _("<b>Tus datos guardados</b>"),
        _("Aviso de privacidad: {decision} el {fecha}.\nIdioma: {idioma}.\n"
          "Tu número de usuario de Telegram: {id}.").format(
            decision=decision, fecha=fecha_corta(persona.decidido_en, _, zona),
            idioma=idioma, id=usuario_id),
    ]
    perfil = await almacen.perfil(usuario_id)
    if perfil is not None:
        secciones.append(_("<b>Tu perfil</b>") + "\n" + "\n".join(
            f"{_(titulo)}: {valor_legible(contexto, _, campo, getattr(perfil, campo))}"
            for campo, titulo in CAMPOS))
    for guardada in await almacen.orientaciones(usuario_id):
        resultado = contexto.contenido.orientacion.resultados.get(guardada.resultado)
        titulo = _(resultado.titulo) if resultado else guardada.resultado
        secciones.append(_("<b>Orientación del {fecha}</b>\nResultado: {titulo}").format(
            fecha=fecha_corta(guardada.completada_en, _, zona), titulo=titulo)
            + "\n" + _respuestas(contexto, _, guardada.respuestas))
    en_curso = await almacen.orientacion_en_curso(usuario_id)
    if en_curso is not None and en_curso.respuestas:
        secciones.append(_("<b>Orientación sin terminar</b>") + "\n"
                         + _respuestas(contexto, _, en_curso.respuestas))
    cursos = await _cursos(contexto, _, usuario_id)
    if cursos:
        secciones.append(cursos)
    grupos = await _grupos(contexto, _, usuario_id)
    if grupos:
        secciones.append(grupos)
    asesoria = await seccion_mis_datos(contexto, _, usuario_id)
    if asesoria:
        secciones.append(asesoria)
    return secciones


async def _cursos(contexto: Contexto, _: Traductor, usuario_id: int) -> str:
    """Cada inscripción (también pasadas o canceladas) y lo que contestó en la encuesta."""
    almacen, zona = contexto.almacen, contexto.config.zona_horaria
    historial = await almacen.historial_de_inscripciones(usuario_id)
    if not historial:
        return ""
    estados = {EstadoInscripcion.INSCRITA: _("con lugar"),
               EstadoInscripcion.ESPERA: _("en lista de espera"),
               EstadoInscripcion.CANCELADA: _("cancelada")}
    activos = await almacen.recordatorios_activos(usuario_id)
    lineas = [_("<b>Tus cursos</b>"),
              _("Recordatorios: activados.") if activos else _("Recordatorios: apagados.")]
    for inscripcion, sesion in historial:
        linea = "• " + _("{curso}, {fecha}: {estado}").format(
            curso=escape(nombre_curso(_, contexto.contenido, sesion.curso_id)),
            fecha=fecha_y_hora(sesion.inicio, _, zona), estado=estados[inscripcion.estado])
        if inscripcion.asistio:
            linea += ", " + _("asististe")
        encuesta = await almacen.encuesta(inscripcion.id)
        if encuesta is not None and encuesta.puntuacion:
            linea += ", " + _("calificaste con {n} de 5").format(n=encuesta.puntuacion)
            if encuesta.comentario:
                linea += f" («{escape(encuesta.comentario)}»)"
        lineas.append(linea)
    return "\n".join(lineas)


async def _grupos(contexto: Contexto, _: Traductor, usuario_id: int) -> str:
    """Los grupos de cooperativa de la persona, con su papel (al borrar, sale de todos)."""
    membresias = await contexto.almacen.membresias(usuario_id)
    if not membresias:
        return ""
    lineas = [_("<b>Tus grupos de cooperativa</b>")]
    lineas += ["• " + _("{grupo}: {rol}").format(grupo=escape(c.nombre), rol=_(NOMBRE_ROL[rol]))
               for c, rol in membresias]
    return "\n".join(lineas)


def _respuestas(contexto: Contexto, _: Traductor, respuestas: dict[str, str]) -> str:
    orientacion = contexto.contenido.orientacion
    lineas = []
    for pregunta_id, respuesta in respuestas.items():
        pregunta = orientacion.preguntas.get(pregunta_id)
        if pregunta is None:
            continue
        opciones = {o.id: _(o.texto) for o in pregunta.opciones}
        elegida = opciones.get(respuesta) or escape(respuesta)
        lineas.append(f"• {_(pregunta.texto)}\n  → {elegida}")
    return "\n".join(lineas)


async def pedir_confirmacion(update: Update, contexto: Contexto) -> None:
    """«Borrar todos mis datos»: pide confirmar, porque no se puede deshacer. El botón lleva
    la hora en que se pidió (datos:borrar_si:<segundos>) y vence en `VIGENCIA_CONFIRMACION`."""
    _ = contexto.traductor
    texto = _("¿Seguro que quieres borrar todos tus datos? Esto no se puede deshacer.\n\n"
              "Borraremos tu perfil, tus respuestas a la orientación y tu decisión sobre el "
              "aviso. También dejarás tus lugares en los cursos y en las listas de espera, "
              "ya no te llegarán recordatorios, se borrarán tus conversaciones con la persona "
              "asesora y saldrás de tus grupos de cooperativa.\n\n"
              "Este botón sirve durante {minutos} minutos.").format(
        minutos=int(VIGENCIA_CONFIRMACION.total_seconds() // 60))
    pedido = int(contexto.reloj.ahora().timestamp())
    botones = teclado([(_("Sí, borrar todo"), f"datos:borrar_si:{pedido}")],
                      [(_("No, conservarlos"), "datos:conservar")])
    await responder(update, texto, botones)


def _confirmacion_vigente(update: Update, contexto: Contexto) -> bool:
    """El «Sí, borrar todo» se pidió hace menos de `VIGENCIA_CONFIRMACION` (un botón viejo,
    o uno sin hora, de antes de este cambio, ya no borra nada)."""
    _prefijo, _sep, pedido = update.callback_query.data.partition("datos:borrar_si:")
    if not pedido.isdigit():
        return False
    edad = contexto.reloj.ahora() - datetime.fromtimestamp(int(pedido), UTC)
    return timedelta(0) <= edad <= VIGENCIA_CONFIRMACION


async def borrar(update: Update, contexto: Contexto) -> None:
    """«Sí, borrar todo» (datos:borrar_si:<segundos>): si no venció, borra cada dato de la
    persona, en todas las tablas; si venció, no borra nada y ofrece pedirlo otra vez."""
    usuario_id = update.effective_user.id
    if not _confirmacion_vigente(update, contexto):
        _ = contexto.traductor
        await responder(update, _(
            "Ese botón ya venció: por seguridad, la confirmación para borrar tus datos sirve "
            "solo unos minutos. No borramos nada. Si todavía quieres borrarlos, pídelo otra "
            "vez."), teclado([(_("🗑️ Borrar todos mis datos"), "datos:borrar")],
                             [boton_menu(_)]))
        return
    olvido = await contexto.servicios.antes_de_borrar(contexto.bot, usuario_id)
    await contexto.almacen.borrar_persona(usuario_id)
    contexto.user_data.pop("idioma_elegido", None)
    _ = contexto.traductor
    texto = _("Listo. Borramos todos tus datos. Si quieres volver a usar el bot, escribe /start.")
    if olvido.no_borrados:
        texto += "\n\n" + _("Telegram no dejó borrar algunas copias de tus mensajes a la persona "
                             "asesora que quedaron en el chat del personal ({n}).").format(
            n=olvido.no_borrados)
    await responder(update, texto)


async def conservar(update: Update, contexto: Contexto) -> None:
    """«No, conservarlos»: nada cambia."""
    _ = contexto.traductor
    await responder(update, _("Bien, no borramos nada."), teclado([boton_menu(_)]))
