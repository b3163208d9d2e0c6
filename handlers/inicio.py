"""/start, el aviso de privacidad y el «no» al aviso. El «sí» abre el perfil (conversaciones)."""

from __future__ import annotations

import hashlib
from html import escape

from telegram import Update

from handlers.comun import boton_menu, responder, responder_largo, teclado
from nucleo.contenido import Contenido
from nucleo.contexto import Contexto
from nucleo.textos import Traductor


def version_aviso(contenido: Contenido) -> str:
    """Cambia cuando cambia el texto del aviso: así sabemos qué versión aceptó cada quien."""
    texto = contenido.privacidad.simplificado.encode("utf-8")
    return hashlib.sha256(texto).hexdigest()[:12]


def datos_oficina(contenido: Contenido, _: Traductor) -> dict[str, str]:
    """Los huecos {oficina}, {siglas} y {contacto} de los textos de privacidad y ayuda."""
    oficina = contenido.oficina
    etiquetas = {
        "direccion": _("Dirección"), "telefono": _("Teléfono"), "horario": _("Horario"),
        "correo": _("Correo"), "sitio": _("Sitio web"), "area": _("Área"),
    }
    lineas = [f"{etiquetas.get(clave, clave)}: {escape(valor)}"
              for clave, valor in oficina.lineas_contacto()]
    return {
        "oficina": escape(_(oficina.nombre)),
        "siglas": escape(oficina.siglas),
        "contacto": "\n".join(lineas) or _("Pregunta en las oficinas de la Secretaría."),
    }


def aviso_simplificado(contexto: Contexto) -> str:
    _ = contexto.textos
    plantilla = _(contexto.contenido.privacidad.simplificado)
    return plantilla.format_map(datos_oficina(contexto.contenido, _))


def botones_consentimiento(_: Traductor) -> list[list[tuple[str, str]]]:
    return [
        [(_("✅ Sí, acepto"), "aviso:acepto")],
        [(_("❌ No acepto"), "aviso:rechazo")],
        [(_("📄 Leer el aviso completo"), "aviso:leer")],
    ]


async def inicio(update: Update, contexto: Contexto) -> None:
    _ = contexto.textos
    usuario = update.effective_user
    persona = await contexto.almacen.persona(usuario.id)
    if persona is not None and persona.acepto:
        perfil = await contexto.almacen.perfil(usuario.id)
        nombre = escape(perfil.nombre) if perfil and perfil.nombre else escape(usuario.first_name)
        from handlers.menu import mostrar_menu  # evita un ciclo de importación

        await mostrar_menu(update, contexto, _("¡Qué gusto verte otra vez, {nombre}!").format(
            nombre=nombre))
        return
    bienvenida = _(
        "¡Hola, {nombre}! 👋 Soy <b>Coopera Puebla</b>, el asistente de la {siglas}.\n\n"
        "Te ayudo a:\n"
        "• saber si te conviene trabajar por tu cuenta,\n"
        "• encontrar cursos gratuitos,\n"
        "• formar una cooperativa con otras personas."
    ).format(nombre=escape(usuario.first_name), siglas=escape(contexto.contenido.oficina.siglas))
    pregunta = _("¿Estás de acuerdo con este aviso?")
    titulo = _("Aviso de privacidad")  # fuera del f-string: babel no extrae lo de adentro
    texto = f"{bienvenida}\n\n<b>{titulo}</b>\n{aviso_simplificado(contexto)}"
    await responder(update, f"{texto}\n\n{pregunta}",
                    teclado(*botones_consentimiento(_)), editar=False)


async def aviso_completo(update: Update, contexto: Contexto) -> None:
    """/privacidad o el botón «Leer el aviso completo»."""
    _ = contexto.textos
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
    _ = contexto.textos
    usuario = update.effective_user
    await contexto.almacen.registrar_consentimiento(
        usuario.id, False, version_aviso(contexto.contenido), contexto.reloj.ahora()
    )
    texto = _(
        "Está bien. No guardaremos tus datos: solo que dijiste que no.\n\n"
        "Aún puedes leer la información general y ver los cursos. "
        "Si cambias de opinión, escribe /start."
    )
    await responder(update, texto, teclado([boton_menu(_)]))
