"""El aviso de privacidad y los datos de la oficina, tal como se muestran en varias pantallas
(/start, /privacidad, /ayuda, el perfil)."""

from __future__ import annotations

import hashlib
from html import escape

from interfaz.respuestas import Boton
from nucleo.contenido import Contenido
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


def aviso_simplificado(contenido: Contenido, _: Traductor) -> str:
    plantilla = _(contenido.privacidad.simplificado)
    return plantilla.format_map(datos_oficina(contenido, _))


def botones_consentimiento(_: Traductor) -> list[list[Boton]]:
    return [
        [(_("✅ Sí, acepto"), "aviso:acepto")],
        [(_("❌ No acepto"), "aviso:rechazo")],
        [(_("📄 Leer el aviso completo"), "aviso:leer")],
    ]
