"""El aviso de privacidad y los datos de la oficina, tal como se muestran en varias pantallas
(/start, /privacidad, /ayuda, el perfil)."""

from __future__ import annotations

import hashlib
from html import escape

from telegram import Update

from interfaz.respuestas import Boton, quitar_botones
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
        "contacto": "\n".join(lineas) or _("Pregunta en /asesoria."),
    }


# Lo que una persona necesita para llegar a la oficina o escribirle. Si falta, el bot no la
# manda a la oficina: la manda a /asesoria.
DATOS_PARA_LLEGAR = ("direccion", "telefono", "horario", "correo")


def faltan_datos_oficina(contenido: Contenido) -> list[str]:
    """Los campos de oficina.yaml que están vacíos y que la gente necesita para llegar o
    escribir (en el orden de DATOS_PARA_LLEGAR). Se avisa al arrancar y en /personal."""
    oficina = contenido.oficina
    return [campo for campo in DATOS_PARA_LLEGAR if not getattr(oficina, campo)]


def aviso_oficina_incompleta(contenido: Contenido, _: Traductor) -> str | None:
    """Para el personal: qué datos de la oficina faltan (None si no falta nada)."""
    faltan = faltan_datos_oficina(contenido)
    if not faltan:
        return None
    etiquetas = {"direccion": _("dirección"), "telefono": _("teléfono"),
                 "horario": _("horario"), "correo": _("correo")}
    return _("⚠️ Faltan datos de la oficina en contenido/oficina.yaml: {faltan}. Mientras "
             "falten, el bot no manda a nadie a la oficina: ofrece /asesoria.").format(
        faltan=", ".join(etiquetas[campo] for campo in faltan))


def aviso_simplificado(contenido: Contenido, _: Traductor) -> str:
    """El aviso corto, con los datos de la oficina. Se muestra en su propio mensaje, junto a
    los botones del permiso; la bienvenida va antes, en otro."""
    plantilla = _(contenido.privacidad.simplificado)
    return plantilla.format_map(datos_oficina(contenido, _))


def botones_consentimiento(_: Traductor) -> list[list[Boton]]:
    return [
        [(_("✅ Sí, acepto"), "aviso:acepto")],
        [(_("❌ No acepto"), "aviso:rechazo")],
        [(_("📄 Leer el aviso completo"), "aviso:leer")],
    ]


async def guardar_aceptacion(update: Update, contexto: Contexto) -> None:
    """«Sí, acepto» (desde /start, /asesoria o una invitación): guarda el consentimiento con
    esta versión del aviso y el idioma en que el bot le habla, y quita los botones (el aviso
    aceptado queda a la vista en el chat)."""
    await contexto.almacen.registrar_consentimiento(
        update.effective_user.id, True, version_aviso(contexto.contenido),
        contexto.reloj.ahora(), idioma=contexto.idioma_actual)
    await quitar_botones(update)
