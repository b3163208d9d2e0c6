"""/start, el aviso de privacidad y el «no» al aviso. El «sí» abre el perfil (conversaciones)."""

from __future__ import annotations

from html import escape

from telegram import Update

from handlers import cooperativa
from interfaz.aviso import (
    aviso_simplificado,
    botones_consentimiento,
    datos_oficina,
    version_aviso,
)
from interfaz.menu import mostrar_menu
from interfaz.respuestas import boton_menu, responder, responder_largo, teclado
from nucleo.contexto import Contexto
from nucleo.cooperativas import PREFIJO_INVITACION


async def inicio(update: Update, contexto: Contexto) -> None:
    """/start: el menú si ya aceptó el aviso; si no, la bienvenida y el aviso.
    /start coop_<token> (un enlace de invitación a un grupo): la invitación."""
    if contexto.args and contexto.args[0].startswith(PREFIJO_INVITACION):
        await cooperativa.abrir_invitacion(update, contexto, contexto.args[0])
        return
    _ = contexto.traductor
    usuario = update.effective_user
    persona = await contexto.almacen.persona(usuario.id)
    if persona is not None and persona.acepto:
        perfil = await contexto.almacen.perfil(usuario.id)
        nombre = escape(perfil.nombre) if perfil and perfil.nombre else escape(usuario.first_name)
        await mostrar_menu(update, contexto, _("¡Qué gusto verte otra vez, {nombre}!").format(
            nombre=nombre))
        return
    # Dos mensajes, para que cada uno quepa en la pantalla de un celular: la bienvenida y,
    # luego, el aviso corto con los botones. El aviso completo queda a un botón.
    bienvenida = _(
        "¡Hola, {nombre}! 👋 Soy <b>Coopera Puebla</b>, el asistente de la {siglas}.\n\n"
        "Te ayudo a:\n"
        "• saber si te conviene trabajar por tu cuenta,\n"
        "• encontrar cursos,\n"
        "• formar una cooperativa con otras personas,\n"
        "• hablar con una persona asesora.\n\n"
        "Antes, lee cómo cuidamos tus datos 👇"
    ).format(nombre=escape(usuario.first_name), siglas=escape(contexto.contenido.oficina.siglas))
    await responder(update, bienvenida, editar=False)
    await responder(update, texto_aviso(contexto), teclado(*botones_consentimiento(_)),
                    editar=False)


def texto_aviso(contexto: Contexto) -> str:
    """El mensaje del aviso corto, tal como se muestra antes de los botones del permiso."""
    _ = contexto.traductor
    pregunta = _("¿Estás de acuerdo con este aviso?")
    titulo = _("Aviso de privacidad")  # fuera del f-string: babel no extrae lo de adentro
    return f"<b>{titulo}</b>\n{aviso_simplificado(contexto.contenido, _)}\n\n{pregunta}"


async def aviso_completo(update: Update, contexto: Contexto) -> None:
    """/privacidad o el botón «Leer el aviso completo»."""
    _ = contexto.traductor
    huecos = datos_oficina(contexto.contenido, _)
    titulo = _("Aviso de privacidad integral")
    secciones = [f"<b>{titulo}</b>"]
    for seccion in contexto.contenido.privacidad.integral:
        cuerpo = _(seccion.texto).format_map(huecos)
        secciones.append(f"<b>{_(seccion.titulo)}</b>\n{cuerpo}")
    persona = await contexto.almacen.persona(update.effective_user.id)
    pendiente = persona is None or not persona.acepto
    botones = (teclado(*botones_consentimiento(_)[:2]) if pendiente
               else teclado([boton_menu(_)]))
    await responder_largo(update, "\n\n".join(secciones), botones, editar=False)


async def rechazar_aviso(update: Update, contexto: Contexto) -> None:
    """«No acepto»: solo se guarda el «no»; la información general sigue abierta."""
    _ = contexto.traductor
    usuario = update.effective_user
    # Quien antes había aceptado: se borra todo lo demás, como en /mis_datos.
    await contexto.servicios.antes_de_borrar(contexto.bot, usuario.id)
    await contexto.almacen.registrar_consentimiento(
        usuario.id, False, version_aviso(contexto.contenido), contexto.reloj.ahora()
    )
    texto = _(
        "Está bien. No guardaremos tus datos: solo que dijiste que no.\n\n"
        "Aún puedes leer la información general y ver los cursos. "
        "Si cambias de opinión, escribe /start."
    )
    await responder(update, texto, teclado([boton_menu(_)]))
