"""Lectura de los parámetros de una petición a la Bot API (consulta, formulario o JSON).

PTB manda formularios (con los valores JSON como texto y los archivos como partes) y a
veces JSON; ``Parametros`` ofrece una lectura tipada con los errores 400 de Telegram, y
``visibles`` da la versión legible que se guarda en cada ``Peticion``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from emulador.errores import incorrecta
from emulador.validacion import RE_ENTERO, a_entero

_CAMPOS_JSON = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "commands", "scope", "allowed_updates",
        "menu_button", "link_preview_options", "reply_parameters", "reaction",
    }
)
_CAMPOS_ENTEROS = frozenset({"chat_id", "message_id", "user_id", "offset", "limit", "timeout",
                             "from_chat_id", "message_thread_id"})


@dataclass
class ArchivoSubido:
    """Una parte de archivo de un formulario multipart."""

    nombre: str
    mime: str | None
    contenido: bytes


class Parametros:
    """Parámetros de una petición: formulario (valores JSON como texto), JSON o consulta."""

    def __init__(self, valores: dict[str, Any], archivos: dict[str, ArchivoSubido]) -> None:
        self.valores = valores
        self.archivos = archivos

    def presente(self, nombre: str) -> bool:
        return self.valores.get(nombre) is not None

    def texto(self, nombre: str, obligatorio: bool = False) -> str | None:
        valor = self.valores.get(nombre)
        if valor is None:
            if obligatorio:
                raise incorrecta(f"{nombre} is empty")
            return None
        return valor if isinstance(valor, str) else json.dumps(valor)

    def entero(self, nombre: str, obligatorio: bool = False) -> int | None:
        valor = self.valores.get(nombre)
        if valor is None or valor == "":
            if obligatorio:
                raise incorrecta(f"{nombre} is empty")
            return None
        if isinstance(valor, bool):
            raise incorrecta(f"invalid {nombre} specified")
        if isinstance(valor, int):
            return valor
        if isinstance(valor, str) and RE_ENTERO.fullmatch(valor.strip()):
            return int(valor)
        raise incorrecta(f"invalid {nombre} specified")

    def decimal(self, nombre: str, obligatorio: bool = False) -> float | None:
        valor = self.valores.get(nombre)
        if valor is None or valor == "":
            if obligatorio:
                raise incorrecta(f"{nombre} is empty")
            return None
        try:
            return float(valor)
        except (TypeError, ValueError):
            raise incorrecta(f"invalid {nombre} specified") from None

    def booleano(self, nombre: str) -> bool:
        valor = self.valores.get(nombre)
        if isinstance(valor, str):
            return valor.strip().lower() in ("true", "1")
        return bool(valor)

    def json(self, nombre: str) -> Any:
        valor = self.valores.get(nombre)
        if not isinstance(valor, str):
            return valor
        try:
            return json.loads(valor)
        except ValueError:
            raise incorrecta(f"can't parse {nombre} JSON object") from None

    def chat_id_suave(self) -> int | None:
        """El chat_id si es un entero válido; None si falta o no lo es (sin error)."""
        return a_entero(self.valores.get("chat_id"))

    def visibles(self) -> dict:
        resultado: dict[str, Any] = {}
        for clave, valor in self.valores.items():
            resultado[clave] = _valor_visible(clave, valor)
        for clave, archivo in self.archivos.items():
            resultado[clave] = {
                "file_name": archivo.nombre,
                "mime_type": archivo.mime,
                "tamano": len(archivo.contenido),
            }
        return resultado


def _valor_visible(clave: str, valor: Any) -> Any:
    if not isinstance(valor, str):
        return valor
    if clave in _CAMPOS_JSON:
        try:
            return json.loads(valor)
        except ValueError:
            return valor
    if clave in _CAMPOS_ENTEROS and RE_ENTERO.fullmatch(valor.strip()):
        return int(valor)
    return valor


async def leer_parametros(peticion: web.Request) -> Parametros:
    """Junta consulta, cuerpo JSON o formulario (con sus archivos) en unos `Parametros`."""
    valores: dict[str, Any] = dict(peticion.query)
    archivos: dict[str, ArchivoSubido] = {}
    if peticion.content_type == "application/json":
        try:
            cuerpo = await peticion.json()
        except ValueError:
            raise incorrecta("can't parse JSON object") from None
        if isinstance(cuerpo, dict):
            valores.update(cuerpo)
    elif peticion.can_read_body:
        formulario = await peticion.post()
        for clave, valor in formulario.items():
            if isinstance(valor, web.FileField):
                archivos[clave] = ArchivoSubido(
                    valor.filename, valor.content_type, valor.file.read()
                )
            else:
                valores[clave] = valor
    return Parametros(valores, archivos)
