"""Análisis del HTML de Telegram (``parse_mode="HTML"``) con sus mensajes de error.

``analizar_html`` devuelve el texto visible y las entidades (offset y length en unidades
UTF-16), o lanza ``ErrorHTML`` con el mismo detalle que daría Telegram.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

_ETIQUETAS_HTML = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link",
    "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_ENTIDADES_NOMBRADAS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ESPACIOS = " \t\n\r\f\v\0"
_RE_ENTIDAD_HTML = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_RE_TEXTO_LLANO = re.compile(r"[^<>&]+")
_RE_TOKEN_NOMBRE = re.compile(r"[A-Za-z0-9.\-]*")


class ErrorHTML(ValueError):
    """El texto no es HTML válido para Telegram; el mensaje es el detalle que da Telegram."""


@dataclass
class _EtiquetaAbierta:
    nombre: str
    argumento: str
    inicio: int


def largo_utf16(texto: str) -> int:
    """Longitud en unidades UTF-16, la que usa Telegram para offset/length de entidades."""
    return len(texto.encode("utf-16-le")) // 2


def analizar_html(texto: str) -> tuple[str, list[dict]]:
    """Devuelve (texto visible, entidades) o lanza ErrorHTML como lo haría Telegram.

    Más estricto que Telegram: «&» y «>» sueltos también son error (deben escaparse).
    """
    return _AnalizadorHTML(texto).analizar()


class _AnalizadorHTML:
    def __init__(self, texto: str) -> None:
        self.texto = texto
        self.i = 0
        self.visible: list[str] = []
        self.largo16 = 0
        self.abiertas: list[_EtiquetaAbierta] = []
        self.entidades: list[dict] = []

    def analizar(self) -> tuple[str, list[dict]]:
        while self.i < len(self.texto):
            caracter = self.texto[self.i]
            if caracter == "<":
                self._etiqueta()
            elif caracter == "&":
                self._agregar(self._entidad())
            elif caracter == ">":
                raise self._error('Character ">" must be escaped as "&gt;"', self.i)
            else:
                llano = _RE_TEXTO_LLANO.match(self.texto, self.i)
                assert llano is not None
                self._agregar(llano.group())
                self.i = llano.end()
        if self.abiertas:
            nombre = self.abiertas[-1].nombre
            raise ErrorHTML(f'Can\'t find end tag corresponding to start tag "{nombre}"')
        entidades = sorted(self.entidades, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.visible), entidades

    def _error(self, detalle: str, posicion: int) -> ErrorHTML:
        desplazamiento = len(self.texto[:posicion].encode())
        return ErrorHTML(f"{detalle} at byte offset {desplazamiento}")

    def _agregar(self, trozo: str) -> None:
        self.visible.append(trozo)
        self.largo16 += largo_utf16(trozo)

    def _entidad(self) -> str:
        coincidencia = _RE_ENTIDAD_HTML.match(self.texto, self.i)
        if coincidencia is None:
            raise self._error('Character "&" must be escaped as "&amp;"', self.i)
        cuerpo = coincidencia.group(1)
        caracter = _decodificar_entidad(cuerpo)
        if caracter is None:
            raise self._error(f'Unknown HTML entity "&{cuerpo};"', self.i)
        self.i = coincidencia.end()
        return caracter

    def _etiqueta(self) -> None:
        if self.texto.startswith("</", self.i):
            self._cierre(self.i)
        else:
            self._apertura(self.i)

    def _fin_de_nombre(self, j: int) -> int:
        while j < len(self.texto) and self.texto[j] not in _ESPACIOS and self.texto[j] != ">":
            j += 1
        return j

    def _apertura(self, inicio: int) -> None:
        j = self._fin_de_nombre(inicio + 1)
        if j >= len(self.texto):
            raise self._error("Unclosed start tag", inicio)
        nombre = self.texto[inicio + 1 : j].lower()
        if nombre not in _ETIQUETAS_HTML:
            raise self._error(f'Unsupported start tag "{nombre}"', inicio)
        atributos, self.i = self._atributos(j, nombre, inicio)
        argumento = self._argumento(nombre, atributos, inicio)
        self.abiertas.append(_EtiquetaAbierta(nombre, argumento, self.largo16))

    def _saltar_espacios(self, j: int) -> int:
        while j < len(self.texto) and self.texto[j] in _ESPACIOS:
            j += 1
        return j

    def _atributos(self, j: int, nombre: str, inicio: int) -> tuple[dict[str, str], int]:
        atributos: dict[str, str] = {}
        while True:
            j = self._saltar_espacios(j)
            if j >= len(self.texto):
                raise self._error("Unclosed start tag", inicio)
            if self.texto[j] == ">":
                return atributos, j + 1
            k = j
            while k < len(self.texto) and self.texto[k] not in _ESPACIOS + "=>":
                k += 1
            clave = self.texto[j:k].lower()
            k = self._saltar_espacios(k)
            if k >= len(self.texto):
                raise self._error("Unclosed start tag", inicio)
            if self.texto[k] != "=":
                atributos[clave] = ""
                j = k
                continue
            valor, j = self._valor_atributo(self._saltar_espacios(k + 1), inicio)
            atributos[clave] = valor

    def _valor_atributo(self, k: int, inicio: int) -> tuple[str, int]:
        if k >= len(self.texto):
            raise self._error("Unclosed start tag", inicio)
        comilla = self.texto[k]
        if comilla in "'\"":
            fin = self.texto.find(comilla, k + 1)
            if fin < 0:
                raise self._error("Unclosed start tag", inicio)
            return html.unescape(self.texto[k + 1 : fin]), fin + 1
        token = _RE_TOKEN_NOMBRE.match(self.texto, k)
        assert token is not None
        fin = token.end()
        if fin < len(self.texto) and self.texto[fin] not in _ESPACIOS + ">":
            raise self._error("Unexpected end of name token", k)
        return token.group().lower(), fin

    def _argumento(self, nombre: str, atributos: dict[str, str], inicio: int) -> str:
        if nombre == "a":
            return atributos.get("href", "")
        if nombre == "span":
            if atributos.get("class") != "tg-spoiler":
                raise self._error('Tag "span" must have class "tg-spoiler"', inicio)
            return ""
        if nombre == "tg-emoji":
            identificador = atributos.get("emoji-id", "")
            if not identificador.isdigit():
                raise self._error("Custom emoji identifier must be specified", inicio)
            return identificador
        if nombre == "code":
            clase = atributos.get("class", "")
            return clase.removeprefix("language-") if clase.startswith("language-") else ""
        if nombre == "blockquote" and "expandable" in atributos:
            return "expandable"
        return ""

    def _cierre(self, inicio: int) -> None:
        if not self.abiertas:
            raise self._error("Unexpected end tag", inicio)
        j = self._fin_de_nombre(inicio + 2)
        nombre = self.texto[inicio + 2 : j].lower()
        j = self._saltar_espacios(j)
        if j >= len(self.texto) or self.texto[j] != ">":
            raise self._error("Unclosed end tag", inicio)
        abierta = self.abiertas.pop()
        if nombre and nombre != abierta.nombre:
            desplazamiento = len(self.texto[:inicio].encode())
            raise ErrorHTML(
                f"Unmatched end tag at byte offset {desplazamiento}, "
                f'expected "</{abierta.nombre}>", found "</{nombre}>"'
            )
        self._crear_entidad(abierta)
        self.i = j + 1

    def _crear_entidad(self, abierta: _EtiquetaAbierta) -> None:
        largo = self.largo16 - abierta.inicio
        tipo = _ETIQUETAS_HTML[abierta.nombre]
        if largo <= 0 or (tipo == "text_link" and not abierta.argumento):
            return
        entidad: dict[str, Any] = {"type": tipo, "offset": abierta.inicio, "length": largo}
        if tipo == "text_link":
            entidad["url"] = abierta.argumento
        elif tipo == "custom_emoji":
            entidad["custom_emoji_id"] = abierta.argumento
        elif tipo == "blockquote" and abierta.argumento:
            entidad["type"] = "expandable_blockquote"
        self.entidades.append(entidad)


def _decodificar_entidad(cuerpo: str) -> str | None:
    if not cuerpo.startswith("#"):
        return _ENTIDADES_NOMBRADAS.get(cuerpo)
    codigo = int(cuerpo[2:], 16) if cuerpo[1] in "xX" else int(cuerpo[1:])
    if codigo == 0 or codigo > 0x10FFFF or 0xD800 <= codigo <= 0xDFFF:
        return None
    return chr(codigo)
