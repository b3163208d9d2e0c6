"""Los datos del perfil como los ve la persona: en /perfil (para cambiarlos) y en /mis_datos."""

from __future__ import annotations

from html import escape

from nucleo.contexto import Contexto
from nucleo.perfil import etiqueta
from nucleo.textos import N_, Traductor

CAMPOS = (
    ("nombre", N_("Cómo te llamamos")),
    ("municipio_clave", N_("Municipio")),
    ("sexo", N_("Sexo o género")),
    ("rango_edad", N_("Edad")),
    ("discapacidad", N_("Vives con alguna discapacidad")),
    ("lengua_indigena", N_("Hablas una lengua indígena")),
)


def valor_legible(contexto: Contexto, _: Traductor, campo: str, valor: str | None) -> str:
    if valor is None:
        return _("(sin contestar)")
    if campo == "municipio_clave":
        municipio = contexto.contenido.municipios.por_clave(valor)
        return escape(municipio.nombre) if municipio else valor
    if campo == "nombre":
        return escape(valor)
    return _(etiqueta(campo, valor))
