"""Textos para personas: catálogos gettext (babel), con el español de México como origen.

Hay dos dominios: "mensajes" (textos del código) y "contenido" (textos de contenido/*.yaml).
Los .po se compilan en memoria al arrancar: no hay .mo en el repositorio. Si falta una
traducción, se muestra el texto en español.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMINIOS = ("mensajes", "contenido")
IDIOMA_ORIGEN = "es_MX"
NOMBRES_IDIOMAS = {"es_MX": "Español (México)", "en": "English"}


def N_(texto: str) -> str:
    """Marca un texto para extraerlo al catálogo sin traducirlo todavía."""
    return texto


@dataclass(frozen=True)
class Traductor:
    """Traduce al idioma de una persona. Se usa como `_ = contexto.traductor` y `_("Hola")`."""

    idioma: str
    _catalogo: gettext.NullTranslations

    def __call__(self, texto: str) -> str:
        return self._catalogo.gettext(texto) if texto else texto

    def plural(self, singular: str, plural: str, n: int) -> str:
        return self._catalogo.ngettext(singular, plural, n)

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.idioma)


def idioma_de_telegram(language_code: str | None, predeterminado: str = IDIOMA_ORIGEN) -> str:
    """Traduce el language_code de Telegram a uno de nuestros idiomas.

    No usamos negotiate_locale: para "es" elegiría en_US. Todo español es es_MX aquí.
    """
    codigo = (language_code or "").lower().replace("_", "-")
    base = codigo.split("-")[0]
    if base == "es":
        return "es_MX"
    if base == "en":
        return "en"
    return predeterminado


def compilar_po(ruta_po: Path) -> gettext.GNUTranslations:
    with ruta_po.open("rb") as archivo:
        catalogo = read_po(archivo, locale=ruta_po.parent.parent.name)
    binario = io.BytesIO()
    write_mo(binario, catalogo, use_fuzzy=False)
    binario.seek(0)
    return gettext.GNUTranslations(binario)


class Textos:
    """Los catálogos de todos los idiomas, cargados una vez al arrancar."""

    def __init__(self, carpeta_locales: Path, predeterminado: str = IDIOMA_ORIGEN) -> None:
        self.predeterminado = predeterminado
        self._traductores = {IDIOMA_ORIGEN: Traductor(IDIOMA_ORIGEN, gettext.NullTranslations())}
        for idioma in NOMBRES_IDIOMAS:
            if idioma != IDIOMA_ORIGEN:
                self._traductores[idioma] = Traductor(idioma, _cargar(carpeta_locales, idioma))

    @property
    def idiomas(self) -> tuple[str, ...]:
        return tuple(self._traductores)

    def para(self, idioma: str | None) -> Traductor:
        return self._traductores.get(idioma or "", self._traductores[self.predeterminado])


def _cargar(carpeta_locales: Path, idioma: str) -> gettext.NullTranslations:
    """Une los dominios de un idioma; lo que falte cae al español (el msgid)."""
    catalogo: gettext.NullTranslations = gettext.NullTranslations()
    for dominio in reversed(DOMINIOS):
        ruta = carpeta_locales / idioma / "LC_MESSAGES" / f"{dominio}.po"
        if ruta.exists():
            siguiente = compilar_po(ruta)
            siguiente.add_fallback(catalogo)
            catalogo = siguiente
    return catalogo
