"""Emulación local y estricta de la Bot API de Telegram sobre HTTP real (aiohttp).

El bot real (python-telegram-bot) se apunta a :attr:`EmuladorBotAPI.url_base` y habla HTTP con
este servidor como si fuera Telegram. Las pruebas actúan como personas usuarias con métodos
normales (``escribir``, ``pulsar_boton``...) llamados desde el mismo bucle de asyncio.

Las respuestas imitan las de Telegram: ``{"ok": true, "result": ...}`` o
``{"ok": false, "error_code": N, "description": "..."}``; las fechas van en segundos Unix.
"""

from __future__ import annotations

import asyncio
import copy
import html
import inspect
import itertools
import json
import logging
import math
import mimetypes
import re
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

registro = logging.getLogger(__name__)

LONGITUD_MAX_TEXTO = 4096
LONGITUD_MAX_PIE = 1024
LONGITUD_MAX_RESPUESTA_CALLBACK = 200
MAX_BYTES_CALLBACK_DATA = 64
MAX_COMANDOS = 100
MAX_ENVIOS_POR_SEGUNDO = 30
TAMANO_MAX_PETICION = 60 * 1024 * 1024

NOMBRE_BOT = "Coopera Puebla"
NO_MODIFICADO = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
BLOQUEADO = "Forbidden: bot was blocked by the user"
CONFLICTO = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
TIPOS_DE_FALLO = ("429", "403", "500", "502", "timeout")
ACCIONES_DE_CHAT = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)
TIPOS_DE_ALCANCE = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators",
        "chat", "chat_administrators", "chat_member",
    }
)
ACCIONES_DE_BOTON = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)
_CAMPOS_JSON = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "commands", "scope", "allowed_updates",
        "menu_button", "link_preview_options", "reply_parameters",
    }
)
_CAMPOS_ENTEROS = frozenset({"chat_id", "message_id", "user_id", "offset", "limit", "timeout"})
_RUTA_METODO = re.compile(r"bot([^/]*)/([A-Za-z0-9_]+)/?")
_RUTA_ARCHIVO = re.compile(r"file/bot([^/]*)/(.+)")
_RE_COMANDO_USUARIO = re.compile(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")
_RE_COMANDO_BOT = re.compile(r"[a-z0-9_]{1,32}")
_RE_IDIOMA = re.compile(r"[a-z]{2}")
_RE_ENTERO = re.compile(r"-?\d+")


# --------------------------------------------------------------------------------------------
# Modelo público
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsuarioFicticio:
    """Persona usuaria simulada; su chat privado con el bot tiene el mismo id."""

    id: int
    first_name: str = "Ana"
    language_code: str | None = "es"
    username: str | None = None
    last_name: str | None = None


@dataclass
class MensajeChat:
    """Un mensaje de un chat privado tal como lo guarda Telegram."""

    message_id: int
    chat_id: int
    de_bot: bool
    texto: str | None
    texto_plano: str | None
    teclado: list[list[dict]] | None
    teclado_respuesta: dict | None
    documento: dict | None
    tipo: str
    fecha: int
    editado: bool = False
    borrado: bool = False

    def botones(self) -> list[dict]:
        """Botones en línea del mensaje, aplanados por filas."""
        return [boton for fila in self.teclado or [] for boton in fila]


@dataclass(frozen=True)
class Peticion:
    """Una petición HTTP recibida, haya salido bien o no."""

    metodo: str
    parametros: dict
    instante: float
    estado_http: int
    respuesta: dict

    @property
    def ok(self) -> bool:
        return bool(self.respuesta.get("ok"))


class BotonNoEncontrado(AssertionError):
    """No hay un botón con ese texto; el mensaje enumera los disponibles."""


# --------------------------------------------------------------------------------------------
# Errores y parámetros de la API
# --------------------------------------------------------------------------------------------


class _ErrorAPI(Exception):
    def __init__(self, codigo: int, descripcion: str, parametros: dict | None = None) -> None:
        super().__init__(descripcion)
        self.codigo = codigo
        self.descripcion = descripcion
        self.parametros = parametros

    def cuerpo(self) -> dict:
        cuerpo: dict[str, Any] = {
            "ok": False, "error_code": self.codigo, "description": self.descripcion
        }
        if self.parametros:
            cuerpo["parameters"] = self.parametros
        return cuerpo


def _incorrecta(detalle: str) -> _ErrorAPI:
    return _ErrorAPI(400, f"Bad Request: {detalle}")


def _demasiadas(segundos: int) -> _ErrorAPI:
    return _ErrorAPI(
        429, f"Too Many Requests: retry after {segundos}", {"retry_after": segundos}
    )


@dataclass
class _ArchivoSubido:
    nombre: str
    mime: str | None
    contenido: bytes


@dataclass
class _ArchivoGuardado:
    file_id: str
    file_unique_id: str
    nombre: str
    mime: str
    contenido: bytes
    ruta: str

    def como_documento(self) -> dict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.nombre,
            "mime_type": self.mime,
            "file_size": len(self.contenido),
        }


class _Parametros:
    """Parámetros de una petición: formulario (valores JSON como texto), JSON o consulta."""

    def __init__(self, valores: dict[str, Any], archivos: dict[str, _ArchivoSubido]) -> None:
        self.valores = valores
        self.archivos = archivos

    def presente(self, nombre: str) -> bool:
        return self.valores.get(nombre) is not None

    def texto(self, nombre: str, obligatorio: bool = False) -> str | None:
        valor = self.valores.get(nombre)
        if valor is None:
            if obligatorio:
                raise _incorrecta(f"{nombre} is empty")
            return None
        return valor if isinstance(valor, str) else json.dumps(valor)

    def entero(self, nombre: str, obligatorio: bool = False) -> int | None:
        valor = self.valores.get(nombre)
        if valor is None or valor == "":
            if obligatorio:
                raise _incorrecta(f"{nombre} is empty")
            return None
        if isinstance(valor, bool):
            raise _incorrecta(f"invalid {nombre} specified")
        if isinstance(valor, int):
            return valor
        if isinstance(valor, str) and _RE_ENTERO.fullmatch(valor.strip()):
            return int(valor)
        raise _incorrecta(f"invalid {nombre} specified")

    def decimal(self, nombre: str, obligatorio: bool = False) -> float | None:
        valor = self.valores.get(nombre)
        if valor is None or valor == "":
            if obligatorio:
                raise _incorrecta(f"{nombre} is empty")
            return None
        try:
            return float(valor)
        except (TypeError, ValueError):
            raise _incorrecta(f"invalid {nombre} specified") from None

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
            raise _incorrecta(f"can't parse {nombre} JSON object") from None

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
    if clave in _CAMPOS_ENTEROS and _RE_ENTERO.fullmatch(valor.strip()):
        return int(valor)
    return valor


async def _leer_parametros(peticion: web.Request) -> _Parametros:
    valores: dict[str, Any] = dict(peticion.query)
    archivos: dict[str, _ArchivoSubido] = {}
    if peticion.content_type == "application/json":
        try:
            cuerpo = await peticion.json()
        except ValueError:
            raise _incorrecta("can't parse JSON object") from None
        if isinstance(cuerpo, dict):
            valores.update(cuerpo)
    elif peticion.can_read_body:
        formulario = await peticion.post()
        for clave, valor in formulario.items():
            if isinstance(valor, web.FileField):
                archivos[clave] = _ArchivoSubido(
                    valor.filename, valor.content_type, valor.file.read()
                )
            else:
                valores[clave] = valor
    return _Parametros(valores, archivos)


# --------------------------------------------------------------------------------------------
# HTML de Telegram (parse_mode="HTML"), con los mensajes de error de Telegram
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Validación de teclados, comandos y URL
# --------------------------------------------------------------------------------------------


def _validar_marcado(valor: Any) -> dict | None:
    """Valida reply_markup; devuelve una copia normalizada o None (un teclado vacío es None)."""
    if valor is None:
        return None
    if not isinstance(valor, dict):
        raise _incorrecta("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in valor:
        filas = _validar_filas(valor["inline_keyboard"], _validar_boton_en_linea)
        return {"inline_keyboard": filas} if any(filas) else None
    if "keyboard" in valor:
        filas = _validar_filas(valor["keyboard"], _validar_boton_respuesta)
        return {**copy.deepcopy(valor), "keyboard": filas}
    if valor.get("remove_keyboard") is True or valor.get("force_reply") is True:
        return copy.deepcopy(valor)
    raise _incorrecta("can't parse reply keyboard markup JSON object")


def _validar_filas(filas: Any, validar_boton: Callable[[Any], dict]) -> list[list[dict]]:
    if not isinstance(filas, list) or not all(isinstance(fila, list) for fila in filas):
        raise _incorrecta("can't parse reply keyboard markup JSON object")
    return [[validar_boton(boton) for boton in fila] for fila in filas]


def _validar_boton_en_linea(boton: Any) -> dict:
    if not isinstance(boton, dict):
        raise _incorrecta("can't parse inline keyboard button: button must be an Object")
    texto = boton.get("text")
    if not isinstance(texto, str) or not texto.strip():
        raise _incorrecta("BUTTON_TEXT_INVALID")
    acciones = [clave for clave in ACCIONES_DE_BOTON if clave in boton]
    if not acciones:
        raise _incorrecta(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(acciones) > 1:
        raise _incorrecta(
            "can't parse inline keyboard button: exactly one of the optional fields must be used, "
            f"found {', '.join(acciones)}"
        )
    if "callback_data" in boton:
        _validar_callback_data(boton["callback_data"])
    if "url" in boton:
        _validar_url_boton(boton["url"])
    return copy.deepcopy(boton)


def _validar_callback_data(datos: Any) -> None:
    if not isinstance(datos, str) or not 1 <= len(datos.encode()) <= MAX_BYTES_CALLBACK_DATA:
        raise _incorrecta("BUTTON_DATA_INVALID")


def _validar_url_boton(url: Any) -> None:
    problema = _problema_url(url) if isinstance(url, str) else "Wrong HTTP URL"
    if problema:
        raise _incorrecta(f"inline keyboard button URL '{url}' is invalid: {problema}")


def _problema_url(url: str) -> str | None:
    try:
        partes = urllib.parse.urlsplit(url.strip())
        anfitrion = partes.hostname or ""
    except ValueError:
        return "Wrong HTTP URL"
    if partes.scheme.lower() == "tg":
        return None if partes.netloc or partes.path else "Wrong URL"
    if partes.scheme.lower() not in ("http", "https"):
        return "Unsupported URL protocol" if partes.scheme else "Wrong HTTP URL"
    if "." not in anfitrion and anfitrion != "localhost":
        return "Wrong HTTP URL"
    return None


def _validar_boton_respuesta(boton: Any) -> Any:
    texto = boton.get("text") if isinstance(boton, dict) else boton
    if not isinstance(texto, str) or not texto.strip():
        raise _incorrecta("can't parse keyboard button: Text must be non-empty")
    return copy.deepcopy(boton)


def _validar_comandos(valor: Any) -> list[dict]:
    if not isinstance(valor, list):
        raise _incorrecta("can't parse commands JSON object")
    if len(valor) > MAX_COMANDOS:
        raise _incorrecta("too many commands specified")
    return [_validar_comando(comando) for comando in valor]


def _validar_comando(comando: Any) -> dict:
    if not isinstance(comando, dict):
        raise _incorrecta("can't parse BotCommand JSON object")
    nombre = comando.get("command")
    descripcion = comando.get("description")
    if not isinstance(nombre, str) or not _RE_COMANDO_BOT.fullmatch(nombre):
        raise _incorrecta("BOT_COMMAND_INVALID")
    if not isinstance(descripcion, str) or not 1 <= len(descripcion.strip()) <= 256:
        raise _incorrecta("BOT_COMMAND_DESCRIPTION_INVALID")
    return {"command": nombre, "description": descripcion}


def _validar_idioma(codigo: str | None) -> str:
    if not codigo:
        return ""
    if not _RE_IDIOMA.fullmatch(codigo):
        raise _incorrecta("invalid language code specified")
    return codigo


def _normalizar_alcance(alcance: Any) -> dict:
    """Alcance canónico (sin validar contra los chats conocidos)."""
    if alcance is None:
        return {"type": "default"}
    if not isinstance(alcance, dict) or alcance.get("type") not in TIPOS_DE_ALCANCE:
        raise _incorrecta("can't parse BotCommandScope JSON object")
    normal: dict[str, Any] = {"type": alcance["type"]}
    for clave in ("chat_id", "user_id"):
        if clave in alcance:
            valor = alcance[clave]
            es_entero = isinstance(valor, int) or _RE_ENTERO.fullmatch(str(valor))
            normal[clave] = int(valor) if es_entero else valor
    return normal


def _clave_alcance(alcance: dict) -> str:
    return json.dumps(alcance, sort_keys=True)


def _entidad_comando(texto: str) -> dict | None:
    coincidencia = _RE_COMANDO_USUARIO.match(texto)
    if coincidencia is None:
        return None
    return {"type": "bot_command", "offset": 0, "length": coincidencia.end()}


def _validar_entidades(valor: Any) -> list[dict]:
    if valor is None:
        return []
    claves = ("type", "offset", "length")
    if not isinstance(valor, list) or not all(
        isinstance(e, dict) and all(k in e for k in claves) for e in valor
    ):
        raise _incorrecta("can't parse entities JSON object")
    return copy.deepcopy(valor)


def _formatear(texto: str, modo: str | None, entidades: Any) -> tuple[str, list[dict]]:
    if not modo:
        return texto, _validar_entidades(entidades)
    modo_normal = modo.lower()
    if modo_normal == "html":
        try:
            return analizar_html(texto)
        except ErrorHTML as error:
            raise _incorrecta(f"can't parse entities: {error}") from None
    if modo_normal in ("markdown", "markdownv2"):
        # No se emula Markdown: el texto visible se toma tal cual.
        return texto, []
    raise _incorrecta("unsupported parse_mode")


def _campos_teclado(marcado: dict | None) -> dict[str, Any]:
    if marcado is None:
        return {"teclado": None, "teclado_respuesta": None}
    if "inline_keyboard" in marcado:
        return {"teclado": copy.deepcopy(marcado["inline_keyboard"]), "teclado_respuesta": None}
    return {"teclado": None, "teclado_respuesta": copy.deepcopy(marcado)}


def _cuenta_para_tasas(metodo: str) -> bool:
    return (metodo.startswith(("send", "edit"))) and metodo != "sendChatAction"


def _es_envio_o_edicion(metodo: str) -> bool:
    return metodo.startswith(("send", "edit"))


def _dict_usuario(usuario: UsuarioFicticio) -> dict:
    datos: dict[str, Any] = {"id": usuario.id, "is_bot": False, "first_name": usuario.first_name}
    for clave in ("last_name", "username", "language_code"):
        if getattr(usuario, clave) is not None:
            datos[clave] = getattr(usuario, clave)
    return datos


def _dict_chat(usuario: UsuarioFicticio) -> dict:
    datos: dict[str, Any] = {"id": usuario.id, "type": "private", "first_name": usuario.first_name}
    for clave in ("last_name", "username"):
        if getattr(usuario, clave) is not None:
            datos[clave] = getattr(usuario, clave)
    return datos


def _ahora_unix() -> int:
    return int(time.time())


@dataclass
class _Fallo:
    tipo: str
    metodo: str | None
    chat_id: int | None
    restantes: int
    retry_after: int
    demora: float

    def aplica(self, metodo: str, chat_id: int | None) -> bool:
        if self.metodo is None:
            metodo_ok = metodo != "getUpdates"
        else:
            metodo_ok = self.metodo.lower() == metodo.lower()
        return metodo_ok and (self.chat_id is None or self.chat_id == chat_id)

    def error(self) -> _ErrorAPI:
        if self.tipo == "429":
            return _demasiadas(max(1, self.retry_after))
        if self.tipo == "403":
            return _ErrorAPI(403, BLOQUEADO)
        if self.tipo == "500":
            return _ErrorAPI(500, "Internal Server Error")
        return _ErrorAPI(502, "Bad Gateway")


@dataclass
class _EstadoTasas:
    globales: deque[float] = field(default_factory=deque)
    por_chat: dict[int, deque[float]] = field(default_factory=dict)


def _podar(ventana: deque[float], ahora: float) -> deque[float]:
    while ventana and ventana[0] <= ahora - 1.0:
        ventana.popleft()
    return ventana


# --------------------------------------------------------------------------------------------
# El emulador
# --------------------------------------------------------------------------------------------


class EmuladorBotAPI:
    """Servidor HTTP local que se comporta como la Bot API de Telegram."""

    def __init__(
        self,
        token: str = "123456:PRUEBA-token",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        limitar_tasas: bool = False,
        reloj: Callable[[], float] = time.monotonic,
        bot_id: int = 123456,
        bot_username: str = "CooperaPueblaBot",
    ) -> None:
        self.token = token
        self.host = host
        self.puerto = port
        self.limitar_tasas = limitar_tasas
        self.reloj = reloj
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.peticiones: list[Peticion] = []
        self.respuestas_callback: list[dict] = []
        self._usuarios: dict[int, UsuarioFicticio] = {}
        self._mensajes: dict[int, list[MensajeChat]] = {}
        self._crudos: dict[tuple[int, int], dict] = {}
        self._pendientes: list[dict] = []
        self._ultimo_update_id = 0
        self._offset_confirmado = 0
        self._generacion_sondeo = 0
        self._tipos_permitidos: set[str] | None = None
        self._callbacks_abiertos: set[str] = set()
        self._bloqueados: set[int] = set()
        self._comandos: dict[tuple[str, str], list[dict]] = {}
        self._botones_menu: dict[int | None, dict] = {}
        self._textos_bot: dict[tuple[str, str], str] = {}
        self._archivos: dict[str, _ArchivoGuardado] = {}
        self._fallos: list[_Fallo] = []
        self._suscriptores: list[Callable[[MensajeChat], None]] = []
        self._tasas = _EstadoTasas()
        self._avisos: set[asyncio.Future[None]] = set()
        self._contador = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._detenido = False
        self._metodos = self._tabla_de_metodos()

    # ---------------------------------------------------------------- ciclo de vida

    @property
    def url_base(self) -> str:
        return f"http://{self.host}:{self.puerto}/bot"

    @property
    def url_archivos(self) -> str:
        return f"http://{self.host}:{self.puerto}/file/bot"

    async def iniciar(self) -> None:
        aplicacion = web.Application(client_max_size=TAMANO_MAX_PETICION)
        aplicacion.router.add_route("*", "/{ruta:.*}", self._atender)
        self._runner = web.AppRunner(aplicacion, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sitio = web.TCPSite(self._runner, self.host, self.puerto)
        await sitio.start()
        self.puerto = self._runner.addresses[0][1]
        self._detenido = False

    async def detener(self) -> None:
        self._detenido = True
        self._avisar()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> EmuladorBotAPI:
        await self.iniciar()
        return self

    async def __aexit__(self, *excepcion: object) -> None:
        await self.detener()

    # ---------------------------------------------------------------- lado de la persona usuaria

    def escribir(self, usuario: UsuarioFicticio, texto: str) -> int:
        """Mensaje de texto; un «/comando» inicial lleva su entidad bot_command."""
        contenido: dict[str, Any] = {"text": texto}
        entidad = _entidad_comando(texto)
        if entidad is not None:
            contenido["entities"] = [entidad]
        return self._mensaje_de_usuario(
            usuario, contenido, tipo="texto", texto=texto, texto_plano=texto
        )

    def enviar_sticker(self, usuario: UsuarioFicticio) -> int:
        archivo = self._guardar_archivo("sticker.webp", "image/webp", b"RIFF-sticker", "stickers")
        sticker = {
            "file_id": archivo.file_id, "file_unique_id": archivo.file_unique_id,
            "type": "regular", "width": 512, "height": 512, "is_animated": False,
            "is_video": False, "emoji": "👍", "file_size": len(archivo.contenido),
        }
        return self._mensaje_de_usuario(usuario, {"sticker": sticker}, tipo="sticker")

    def enviar_foto(self, usuario: UsuarioFicticio) -> int:
        archivo = self._guardar_archivo("foto.jpg", "image/jpeg", b"\xff\xd8\xff-foto", "photos")
        foto = [_tamano_foto(archivo, 90), _tamano_foto(archivo, 800)]
        return self._mensaje_de_usuario(usuario, {"photo": foto}, tipo="foto")

    def enviar_voz(self, usuario: UsuarioFicticio) -> int:
        archivo = self._guardar_archivo("voz.oga", "audio/ogg", b"OggS-voz", "voice")
        voz = {
            "file_id": archivo.file_id, "file_unique_id": archivo.file_unique_id,
            "duration": 3, "mime_type": "audio/ogg", "file_size": len(archivo.contenido),
        }
        return self._mensaje_de_usuario(usuario, {"voice": voz}, tipo="voz")

    def enviar_documento(
        self, usuario: UsuarioFicticio, nombre: str = "archivo.pdf", contenido: bytes = b"..."
    ) -> int:
        mime = mimetypes.guess_type(nombre)[0] or "application/octet-stream"
        archivo = self._guardar_archivo(nombre, mime, contenido, "documents")
        return self._mensaje_de_usuario(
            usuario,
            {"document": archivo.como_documento()},
            tipo="documento",
            documento=_documento_chat(archivo),
        )

    def enviar_ubicacion(self, usuario: UsuarioFicticio, lat: float, lon: float) -> int:
        ubicacion = {"latitude": lat, "longitude": lon}
        return self._mensaje_de_usuario(usuario, {"location": ubicacion}, tipo="ubicacion")

    def enviar_contacto(self, usuario: UsuarioFicticio, telefono: str) -> int:
        contacto = {
            "phone_number": telefono, "first_name": usuario.first_name, "user_id": usuario.id
        }
        if usuario.last_name:
            contacto["last_name"] = usuario.last_name
        return self._mensaje_de_usuario(usuario, {"contact": contacto}, tipo="contacto")

    def pulsar(self, usuario: UsuarioFicticio, message_id: int, callback_data: str) -> int:
        """Pulsación de botón (callback_query); admite datos falsificados o mensajes viejos."""
        self._registrar(usuario)
        mensaje = self._buscar(usuario.id, message_id)
        if mensaje is None or mensaje.borrado:
            raise LookupError(f"no existe el mensaje {message_id} en el chat {usuario.id}")
        identificador = str(4_000_000_000_000 + next(self._contador))
        self._callbacks_abiertos.add(identificador)
        consulta = {
            "id": identificador,
            "from": _dict_usuario(usuario),
            "chat_instance": str(-(10**12) - usuario.id),
            "message": copy.deepcopy(self._crudos[(usuario.id, message_id)]),
            "data": callback_data,
        }
        return self._encolar("callback_query", consulta)

    def pulsar_boton(
        self, usuario: UsuarioFicticio, texto: str, message_id: int | None = None
    ) -> int:
        """Pulsa el botón con ese texto (o que lo contenga, sin ambigüedad)."""
        mensaje = self._mensaje_con_teclado(usuario.id, message_id)
        boton = _elegir_boton(mensaje, texto)
        if "callback_data" not in boton:
            raise BotonNoEncontrado(
                f"el botón {boton['text']!r} no envía callback_data "
                f"(es {', '.join(k for k in boton if k != 'text')})"
            )
        return self.pulsar(usuario, mensaje.message_id, boton["callback_data"])

    def bloquear(self, usuario_o_id: UsuarioFicticio | int) -> None:
        self._bloqueados.add(_id_de(usuario_o_id))

    def desbloquear(self, usuario_o_id: UsuarioFicticio | int) -> None:
        self._bloqueados.discard(_id_de(usuario_o_id))

    async def esperar_entrega(self, update_id: int, timeout: float = 5.0) -> None:
        """Espera a que un getUpdates confirme (offset > update_id) esa actualización."""
        if not await self._esperar_hasta(lambda: self._offset_confirmado > update_id, timeout):
            raise TimeoutError(
                f"el bot no confirmó la actualización {update_id} en {timeout} s "
                f"(último offset recibido: {self._offset_confirmado})"
            )

    # ---------------------------------------------------------------- observación

    def mensajes(self, chat_id: int) -> list[MensajeChat]:
        return list(self._mensajes.get(chat_id, []))

    def mensajes_del_bot(self, chat_id: int) -> list[MensajeChat]:
        return [mensaje for mensaje in self.mensajes(chat_id) if mensaje.de_bot]

    def ultimo_del_bot(self, chat_id: int) -> MensajeChat | None:
        vigentes = [m for m in self.mensajes_del_bot(chat_id) if not m.borrado]
        return vigentes[-1] if vigentes else None

    def entregados(
        self, metodo: str | None = None, chat_id: int | None = None
    ) -> list[Peticion]:
        """Peticiones con éxito; por omisión, los send*/edit* (sin sendChatAction)."""
        return [
            peticion
            for peticion in self.peticiones
            if peticion.ok
            and (peticion.metodo == metodo if metodo else _cuenta_para_tasas(peticion.metodo))
            and (chat_id is None or peticion.parametros.get("chat_id") == chat_id)
        ]

    def comandos(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        clave = (_clave_alcance(_normalizar_alcance(scope)), language_code or "")
        return copy.deepcopy(self._comandos.get(clave, []))

    def al_mensaje_del_bot(self, funcion: Callable[[MensajeChat], None]) -> None:
        """Suscribe `funcion` a cada mensaje del bot nuevo o editado."""
        self._suscriptores.append(funcion)

    def cancelar_suscripcion(self, funcion: Callable[[MensajeChat], None]) -> None:
        if funcion in self._suscriptores:
            self._suscriptores.remove(funcion)

    def actualizaciones_pendientes(self) -> list[dict]:
        """Actualizaciones aún no confirmadas por el cliente."""
        return copy.deepcopy(self._pendientes)

    # ---------------------------------------------------------------- fallos

    def inyectar_fallo(
        self,
        tipo: str,
        *,
        metodo: str | None = None,
        chat_id: int | None = None,
        veces: int = 1,
        retry_after: int = 1,
        demora: float = 30.0,
    ) -> None:
        """Programa un fallo para las próximas `veces` peticiones que coincidan (FIFO).

        Sin `metodo`, coincide con cualquier método salvo getUpdates (nómbralo para fallarlo).
        """
        if tipo not in TIPOS_DE_FALLO:
            raise ValueError(f"tipo de fallo desconocido {tipo!r}; válidos: {TIPOS_DE_FALLO}")
        if veces < 1:
            raise ValueError("veces debe ser al menos 1")
        self._fallos.append(_Fallo(tipo, metodo, chat_id, veces, retry_after, demora))

    def _tomar_fallo(self, metodo: str, chat_id: int | None) -> _Fallo | None:
        for fallo in self._fallos:
            if fallo.aplica(metodo, chat_id):
                fallo.restantes -= 1
                if fallo.restantes <= 0:
                    self._fallos.remove(fallo)
                return fallo
        return None

    async def _aplicar_fallo(self, metodo: str, chat_id: int | None) -> None:
        fallo = self._tomar_fallo(metodo, chat_id)
        if fallo is None:
            return
        if fallo.tipo != "timeout":
            raise fallo.error()
        await self._esperar_hasta(lambda: self._detenido, fallo.demora)
        if self._detenido:
            raise _ErrorAPI(502, "Bad Gateway")

    # ---------------------------------------------------------------- esperas

    def _avisar(self) -> None:
        avisos, self._avisos = self._avisos, set()
        for futuro in avisos:
            if not futuro.done():
                futuro.set_result(None)

    async def _esperar_hasta(self, condicion: Callable[[], bool], plazo: float) -> bool:
        bucle = asyncio.get_running_loop()
        limite = bucle.time() + plazo
        while not condicion():
            restante = limite - bucle.time()
            if restante <= 0:
                return False
            futuro: asyncio.Future[None] = bucle.create_future()
            self._avisos.add(futuro)
            try:
                await asyncio.wait_for(futuro, restante)
            except TimeoutError:
                pass
            finally:
                self._avisos.discard(futuro)
        return True

    # ---------------------------------------------------------------- HTTP

    async def _atender(self, peticion: web.Request) -> web.StreamResponse:
        instante = self.reloj()
        ruta = peticion.match_info["ruta"]
        archivo = _RUTA_ARCHIVO.fullmatch(ruta)
        if archivo is not None:
            return self._servir_archivo(archivo.group(1), archivo.group(2))
        coincidencia = _RUTA_METODO.fullmatch(ruta)
        metodo = coincidencia.group(2) if coincidencia else ruta
        try:
            parametros = await _leer_parametros(peticion)
        except _ErrorAPI as error:
            return self._anotar(metodo, {}, instante, error.codigo, error.cuerpo())
        if coincidencia is None:
            estado, cuerpo = 404, _ErrorAPI(404, "Not Found").cuerpo()
        else:
            metodo, estado, cuerpo = await self._responder(
                coincidencia.group(1), metodo, parametros
            )
        return self._anotar(metodo, parametros.visibles(), instante, estado, cuerpo)

    def _anotar(
        self, metodo: str, parametros: dict, instante: float, estado: int, cuerpo: dict
    ) -> web.Response:
        self.peticiones.append(Peticion(metodo, parametros, instante, estado, cuerpo))
        return web.json_response(cuerpo, status=estado)

    async def _responder(
        self, token: str, metodo: str, parametros: _Parametros
    ) -> tuple[str, int, dict]:
        if token != self.token:
            return metodo, 401, _ErrorAPI(401, "Unauthorized").cuerpo()
        entrada = self._metodos.get(metodo.lower())
        nombre = entrada[0] if entrada else metodo
        chat_id = _chat_id_suave(parametros)
        try:
            await self._aplicar_fallo(nombre, chat_id)
            if entrada is None:
                raise _ErrorAPI(404, "Not Found")
            self._comprobar_bloqueo(nombre, chat_id)
            self._comprobar_tasas(nombre, chat_id)
            resultado = entrada[1](parametros)
            if inspect.isawaitable(resultado):
                resultado = await resultado
            self._anotar_envio(nombre, chat_id)
            return nombre, 200, {"ok": True, "result": resultado}
        except _ErrorAPI as error:
            return nombre, error.codigo, error.cuerpo()
        except Exception as error:  # un fallo del propio emulador: visible, no silencioso
            registro.exception("Error interno del emulador en %s", nombre)
            descripcion = f"Internal Server Error: emulator bug: {error!r}"
            return nombre, 500, _ErrorAPI(500, descripcion).cuerpo()

    def _servir_archivo(self, token: str, ruta: str) -> web.Response:
        if token != self.token:
            return web.json_response(_ErrorAPI(401, "Unauthorized").cuerpo(), status=401)
        for archivo in self._archivos.values():
            if archivo.ruta == ruta:
                return web.Response(body=archivo.contenido, content_type=archivo.mime)
        return web.json_response(_ErrorAPI(404, "Not Found").cuerpo(), status=404)

    def _comprobar_bloqueo(self, metodo: str, chat_id: int | None) -> None:
        if chat_id in self._bloqueados and _es_envio_o_edicion(metodo):
            raise _ErrorAPI(403, BLOQUEADO)

    def _comprobar_tasas(self, metodo: str, chat_id: int | None) -> None:
        if not (self.limitar_tasas and _cuenta_para_tasas(metodo)):
            return
        ahora = self.reloj()
        globales = _podar(self._tasas.globales, ahora)
        espera = 0.0
        if len(globales) >= MAX_ENVIOS_POR_SEGUNDO:
            espera = globales[-MAX_ENVIOS_POR_SEGUNDO] + 1.0 - ahora
        del_chat = self._tasas.por_chat.get(chat_id) if chat_id is not None else None
        if del_chat and _podar(del_chat, ahora):
            espera = max(espera, del_chat[-1] + 1.0 - ahora)
        if espera > 0:
            raise _demasiadas(max(1, math.ceil(espera)))

    def _anotar_envio(self, metodo: str, chat_id: int | None) -> None:
        if not _cuenta_para_tasas(metodo):
            return
        ahora = self.reloj()
        _podar(self._tasas.globales, ahora).append(ahora)
        if chat_id is not None:
            ventana = self._tasas.por_chat.setdefault(chat_id, deque())
            _podar(ventana, ahora).append(ahora)

    def conocer(self, usuario: UsuarioFicticio) -> None:
        """Como si la persona ya hubiera abierto el chat con el bot, sin mandar nada.

        Sirve para preparar miles de destinatarios (pruebas de envíos y mediciones) sin que
        sus mensajes de bienvenida cuenten en los límites de Telegram.
        """
        self._registrar(usuario)

    # ---------------------------------------------------------------- estado interno

    def _registrar(self, usuario: UsuarioFicticio) -> None:
        self._usuarios[usuario.id] = usuario
        self._mensajes.setdefault(usuario.id, [])

    def _buscar(self, chat_id: int, message_id: int | None) -> MensajeChat | None:
        for mensaje in self._mensajes.get(chat_id, []):
            if mensaje.message_id == message_id:
                return mensaje
        return None

    def _encolar(self, tipo: str, objeto: dict) -> int:
        self._ultimo_update_id += 1
        self._pendientes.append({"update_id": self._ultimo_update_id, tipo: objeto})
        self._avisar()
        return self._ultimo_update_id

    def _mensaje_de_usuario(
        self, usuario: UsuarioFicticio, contenido: dict, **campos: Any
    ) -> int:
        self._registrar(usuario)
        mensaje = self._guardar_mensaje(usuario.id, False, contenido, **campos)
        crudo = self._crudos[(usuario.id, mensaje.message_id)]
        return self._encolar("message", copy.deepcopy(crudo))

    def _guardar_mensaje(
        self, chat_id: int, de_bot: bool, contenido: dict, **campos: Any
    ) -> MensajeChat:
        mensajes = self._mensajes[chat_id]
        message_id = (mensajes[-1].message_id if mensajes else 0) + 1
        fecha = _ahora_unix()
        usuario = self._usuarios[chat_id]
        remitente = self._dict_bot() if de_bot else _dict_usuario(usuario)
        crudo = {
            "message_id": message_id, "from": remitente, "chat": _dict_chat(usuario),
            "date": fecha, **contenido,
        }
        self._crudos[(chat_id, message_id)] = crudo
        valores: dict[str, Any] = {
            "texto": None, "texto_plano": None, "teclado": None, "teclado_respuesta": None,
            "documento": None, "tipo": "texto", **campos,
        }
        mensaje = MensajeChat(
            message_id=message_id, chat_id=chat_id, de_bot=de_bot, fecha=fecha, **valores
        )
        mensajes.append(mensaje)
        return mensaje

    def _guardar_archivo(
        self, nombre: str, mime: str, contenido: bytes, carpeta: str
    ) -> _ArchivoGuardado:
        numero = next(self._contador)
        extension = nombre.rsplit(".", 1)[-1] if "." in nombre else "bin"
        archivo = _ArchivoGuardado(
            file_id=f"EMU{carpeta[:3].upper()}{numero:08d}",
            file_unique_id=f"AQ{numero:06d}",
            nombre=nombre,
            mime=mime,
            contenido=contenido,
            ruta=f"{carpeta}/file_{numero}.{extension}",
        )
        self._archivos[archivo.file_id] = archivo
        return archivo

    def _notificar(self, mensaje: MensajeChat) -> None:
        for funcion in list(self._suscriptores):
            try:
                funcion(mensaje)
            except Exception:
                registro.exception("Fallo en un suscriptor de mensajes del bot")

    def _dict_bot(self) -> dict:
        return {
            "id": self.bot_id, "is_bot": True, "first_name": NOMBRE_BOT,
            "username": self.bot_username,
        }

    def _mensaje_con_teclado(self, chat_id: int, message_id: int | None) -> MensajeChat:
        if message_id is not None:
            mensaje = self._buscar(chat_id, message_id)
            if mensaje is None or mensaje.borrado:
                raise BotonNoEncontrado(f"no existe el mensaje {message_id} en el chat {chat_id}")
            return mensaje
        for mensaje in reversed(self.mensajes_del_bot(chat_id)):
            if mensaje.teclado and not mensaje.borrado:
                return mensaje
        raise BotonNoEncontrado(
            f"el bot no ha enviado ningún mensaje con botones en el chat {chat_id}"
        )

    # ---------------------------------------------------------------- comprobaciones comunes

    def _chat_destino(self, parametros: _Parametros) -> int:
        valor = parametros.valores.get("chat_id")
        if valor is None or valor == "":
            raise _incorrecta("chat_id is empty")
        chat_id = _a_entero(valor)
        if chat_id is None or chat_id not in self._usuarios:
            raise _incorrecta("chat not found")
        return chat_id

    def _texto_valido(self, texto: str | None, parametros: _Parametros) -> tuple[str, list[dict]]:
        if texto is None or not texto.strip():
            raise _incorrecta("message text is empty")
        plano, entidades = _formatear(
            texto, parametros.texto("parse_mode"), parametros.json("entities")
        )
        if not plano.strip():
            raise _incorrecta("message text is empty")
        if len(plano) > LONGITUD_MAX_TEXTO:
            raise _incorrecta("message is too long")
        return plano, entidades

    def _pie_valido(self, parametros: _Parametros) -> tuple[str | None, str | None, dict]:
        """(pie tal cual, pie visible, campos de Message) del parámetro caption."""
        pie = parametros.texto("caption")
        if not pie:
            return None, None, {}
        plano, entidades = _formatear(
            pie, parametros.texto("parse_mode"), parametros.json("caption_entities")
        )
        if len(plano) > LONGITUD_MAX_PIE:
            raise _incorrecta("message caption is too long")
        campos: dict[str, Any] = {"caption": plano}
        if entidades:
            campos["caption_entities"] = entidades
        return pie, plano, campos

    def _respuesta_a(self, chat_id: int, parametros: _Parametros) -> dict:
        referencia = parametros.json("reply_parameters")
        if isinstance(referencia, dict):
            message_id = _a_entero(referencia.get("message_id"))
            permitir = bool(referencia.get("allow_sending_without_reply"))
        else:
            message_id = parametros.entero("reply_to_message_id")
            permitir = parametros.booleano("allow_sending_without_reply")
        if message_id is None:
            return {}
        mensaje = self._buscar(chat_id, message_id)
        if mensaje is None or mensaje.borrado:
            if permitir:
                return {}
            raise _incorrecta("message to be replied not found")
        respondido = copy.deepcopy(self._crudos[(chat_id, message_id)])
        respondido.pop("reply_to_message", None)
        return {"reply_to_message": respondido}

    def _archivo_entrante(self, parametros: _Parametros, campo: str) -> _ArchivoGuardado:
        subido = parametros.archivos.get(campo)
        referencia = parametros.texto(campo)
        if subido is None and referencia and referencia.startswith("attach://"):
            subido = parametros.archivos.get(referencia.removeprefix("attach://"))
        if subido is not None:
            if not subido.contenido:
                raise _incorrecta("file must be non-empty")
            mime = subido.mime or mimetypes.guess_type(subido.nombre)[0]
            return self._guardar_archivo(
                subido.nombre, mime or "application/octet-stream", subido.contenido, campo + "s"
            )
        if not referencia:
            raise _incorrecta(f"there is no {campo} in the request")
        if referencia in self._archivos:
            return self._archivos[referencia]
        if referencia.startswith(("http://", "https://")) and not _problema_url(referencia):
            nombre = urllib.parse.urlsplit(referencia).path.rsplit("/", 1)[-1] or campo
            mime = mimetypes.guess_type(nombre)[0] or "application/octet-stream"
            return self._guardar_archivo(nombre, mime, b"", campo + "s")
        raise _incorrecta("wrong file identifier/HTTP URL specified")

    def _publicar(self, chat_id: int, contenido: dict, marcado: dict | None, **campos: Any) -> dict:
        """Guarda un mensaje nuevo del bot, avisa a los suscriptores y devuelve el Message."""
        if marcado is not None and "inline_keyboard" in marcado:
            contenido["reply_markup"] = marcado
        campos.update(_campos_teclado(marcado))
        mensaje = self._guardar_mensaje(chat_id, True, contenido, **campos)
        self._notificar(mensaje)
        return copy.deepcopy(self._crudos[(chat_id, mensaje.message_id)])

    # ---------------------------------------------------------------- métodos de la Bot API

    def _tabla_de_metodos(self) -> dict[str, tuple[str, Callable[[_Parametros], Any]]]:
        metodos: dict[str, Callable[[_Parametros], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "sendLocation": self._send_location,
            "sendVenue": self._send_venue,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            "close": lambda _p: True,
            "logOut": lambda _p: True,
        }
        for campo, clave, maximo in _TEXTOS_DEL_BOT:
            nombre = campo[0].upper() + campo[1:]
            metodos[f"setMy{nombre}"] = self._fijador_texto_bot(campo, clave, maximo)
            metodos[f"getMy{nombre}"] = self._lector_texto_bot(campo, clave)
        return {nombre.lower(): (nombre, funcion) for nombre, funcion in metodos.items()}

    def _get_me(self, _parametros: _Parametros) -> dict:
        return {
            **self._dict_bot(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, parametros: _Parametros) -> list[dict]:
        offset = parametros.entero("offset")
        limite = min(max(parametros.entero("limit") or 100, 1), 100)
        espera = max(parametros.decimal("timeout") or 0.0, 0.0)
        self._fijar_tipos_permitidos(parametros.json("allowed_updates"))
        if offset is not None and offset > 0:
            self._confirmar(offset)
        self._generacion_sondeo += 1
        mia = self._generacion_sondeo
        self._avisar()  # un sondeo anterior aún abierto termina con 409
        await self._esperar_hasta(
            lambda: self._hay_entregables() or self._generacion_sondeo != mia or self._detenido,
            espera,
        )
        if self._generacion_sondeo != mia:
            raise _ErrorAPI(409, CONFLICTO)
        return copy.deepcopy(self._pendientes[:limite])

    def _fijar_tipos_permitidos(self, tipos: Any) -> None:
        if isinstance(tipos, list):
            self._tipos_permitidos = set(tipos) or None

    def _hay_entregables(self) -> bool:
        if self._tipos_permitidos is not None:
            permitidos = self._tipos_permitidos
            self._pendientes = [
                u for u in self._pendientes if permitidos.intersection(u.keys() - {"update_id"})
            ]
        return bool(self._pendientes)

    def _confirmar(self, offset: int) -> None:
        self._pendientes = [u for u in self._pendientes if u["update_id"] >= offset]
        if offset > self._offset_confirmado:
            self._offset_confirmado = offset
            self._avisar()

    def _delete_webhook(self, parametros: _Parametros) -> bool:
        if parametros.booleano("drop_pending_updates"):
            self._confirmar(self._ultimo_update_id + 1)
        return True

    def _get_webhook_info(self, _parametros: _Parametros) -> dict:
        return {
            "url": "", "has_custom_certificate": False,
            "pending_update_count": len(self._pendientes),
        }

    def _clave_comandos(self, parametros: _Parametros) -> tuple[str, str]:
        alcance = _normalizar_alcance(parametros.json("scope"))
        chat_id = alcance.get("chat_id")
        if alcance["type"].startswith("chat") and chat_id not in self._usuarios:
            raise _incorrecta("chat not found")
        idioma = _validar_idioma(parametros.texto("language_code"))
        return _clave_alcance(alcance), idioma

    def _set_my_commands(self, parametros: _Parametros) -> bool:
        valor = parametros.json("commands")
        if valor is None:
            raise _incorrecta("commands is empty")
        comandos = _validar_comandos(valor)
        clave = self._clave_comandos(parametros)
        if comandos:
            self._comandos[clave] = comandos
        else:
            self._comandos.pop(clave, None)
        return True

    def _get_my_commands(self, parametros: _Parametros) -> list[dict]:
        return copy.deepcopy(self._comandos.get(self._clave_comandos(parametros), []))

    def _delete_my_commands(self, parametros: _Parametros) -> bool:
        self._comandos.pop(self._clave_comandos(parametros), None)
        return True

    def _set_chat_menu_button(self, parametros: _Parametros) -> bool:
        chat_id = self._chat_destino(parametros) if parametros.presente("chat_id") else None
        boton = parametros.json("menu_button") or {"type": "default"}
        tipos = ("commands", "web_app", "default")
        if not isinstance(boton, dict) or boton.get("type") not in tipos:
            raise _incorrecta("can't parse menu button JSON object")
        if boton["type"] == "web_app" and not (boton.get("text") and boton.get("web_app")):
            raise _incorrecta("can't parse menu button JSON object")
        self._botones_menu[chat_id] = copy.deepcopy(boton)
        return True

    def _get_chat_menu_button(self, parametros: _Parametros) -> dict:
        chat_id = self._chat_destino(parametros) if parametros.presente("chat_id") else None
        boton = self._botones_menu.get(chat_id) or self._botones_menu.get(None)
        return copy.deepcopy(boton) if boton else {"type": "default"}

    def _send_message(self, parametros: _Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        texto = parametros.texto("text")
        plano, entidades = self._texto_valido(texto, parametros)
        marcado = _validar_marcado(parametros.json("reply_markup"))
        contenido: dict[str, Any] = {"text": plano, **self._respuesta_a(chat_id, parametros)}
        if entidades:
            contenido["entities"] = entidades
        return self._publicar(
            chat_id, contenido, marcado, tipo="texto", texto=texto, texto_plano=plano
        )

    def _mensaje_a_editar(self, parametros: _Parametros) -> tuple[MensajeChat, dict]:
        if parametros.presente("inline_message_id"):
            raise _incorrecta("MESSAGE_ID_INVALID")
        chat_id = self._chat_destino(parametros)
        message_id = parametros.entero("message_id")
        if message_id is None:
            raise _incorrecta("message identifier is not specified")
        mensaje = self._buscar(chat_id, message_id)
        if mensaje is None or mensaje.borrado:
            raise _incorrecta("message to edit not found")
        if not mensaje.de_bot:
            raise _incorrecta("message can't be edited")
        return mensaje, self._crudos[(chat_id, message_id)]

    def _aplicar_edicion(
        self, mensaje: MensajeChat, crudo: dict, nuevo: dict, marcado: dict | None, **campos: Any
    ) -> dict:
        """Aplica la edición (o 400 si nada cambia); `campos` son los de MensajeChat."""
        actual = {clave: crudo.get(clave) for clave in [*nuevo, "reply_markup"]}
        propuesto = {**nuevo, "reply_markup": marcado}
        if actual == propuesto:
            raise _incorrecta(NO_MODIFICADO)
        for clave, valor in propuesto.items():
            if valor is None or valor == []:
                crudo.pop(clave, None)
            else:
                crudo[clave] = valor
        crudo["edit_date"] = _ahora_unix()
        mensaje.teclado = _campos_teclado(marcado)["teclado"]
        mensaje.editado = True
        for clave, valor in campos.items():
            setattr(mensaje, clave, valor)
        self._notificar(mensaje)
        return copy.deepcopy(crudo)

    def _edit_message_text(self, parametros: _Parametros) -> dict:
        mensaje, crudo = self._mensaje_a_editar(parametros)
        if "text" not in crudo:
            raise _incorrecta("there is no text in the message to edit")
        texto = parametros.texto("text")
        plano, entidades = self._texto_valido(texto, parametros)
        marcado = _validar_marcado_en_linea(parametros.json("reply_markup"))
        nuevo = {"text": plano, "entities": entidades or None}
        return self._aplicar_edicion(
            mensaje, crudo, nuevo, marcado, texto=texto, texto_plano=plano
        )

    def _edit_message_caption(self, parametros: _Parametros) -> dict:
        mensaje, crudo = self._mensaje_a_editar(parametros)
        if "text" in crudo or mensaje.tipo not in ("documento", "foto"):
            raise _incorrecta("there is no caption in the message to edit")
        pie, plano, campos = self._pie_valido(parametros)
        marcado = _validar_marcado_en_linea(parametros.json("reply_markup"))
        nuevo = {clave: campos.get(clave) for clave in ("caption", "caption_entities")}
        return self._aplicar_edicion(mensaje, crudo, nuevo, marcado, texto=pie, texto_plano=plano)

    def _edit_message_reply_markup(self, parametros: _Parametros) -> dict:
        mensaje, crudo = self._mensaje_a_editar(parametros)
        marcado = _validar_marcado_en_linea(parametros.json("reply_markup"))
        return self._aplicar_edicion(mensaje, crudo, {}, marcado)

    def _delete_message(self, parametros: _Parametros) -> bool:
        chat_id = self._chat_destino(parametros)
        mensaje = self._buscar(chat_id, parametros.entero("message_id", obligatorio=True))
        if mensaje is None or mensaje.borrado:
            raise _incorrecta("message to delete not found")
        mensaje.borrado = True
        return True

    def _answer_callback_query(self, parametros: _Parametros) -> bool:
        identificador = parametros.texto("callback_query_id", obligatorio=True)
        if identificador not in self._callbacks_abiertos:
            raise _incorrecta(
                "query is too old and response timeout expired or query ID is invalid"
            )
        texto = parametros.texto("text")
        if texto is not None and len(texto) > LONGITUD_MAX_RESPUESTA_CALLBACK:
            raise _incorrecta("MESSAGE_TOO_LONG")
        self._callbacks_abiertos.discard(identificador)
        self.respuestas_callback.append(
            {
                "id": identificador,
                "text": texto,
                "show_alert": parametros.booleano("show_alert"),
                "url": parametros.texto("url"),
            }
        )
        return True

    def _send_document(self, parametros: _Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        archivo = self._archivo_entrante(parametros, "document")
        pie, plano, campos = self._pie_valido(parametros)
        marcado = _validar_marcado(parametros.json("reply_markup"))
        contenido = {"document": archivo.como_documento(), **campos}
        contenido.update(self._respuesta_a(chat_id, parametros))
        return self._publicar(
            chat_id, contenido, marcado, tipo="documento", texto=pie, texto_plano=plano,
            documento=_documento_chat(archivo),
        )

    def _send_photo(self, parametros: _Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        archivo = self._archivo_entrante(parametros, "photo")
        pie, plano, campos = self._pie_valido(parametros)
        marcado = _validar_marcado(parametros.json("reply_markup"))
        fotos = [_tamano_foto(archivo, 90), _tamano_foto(archivo, 800)]
        contenido = {"photo": fotos, **campos, **self._respuesta_a(chat_id, parametros)}
        return self._publicar(
            chat_id, contenido, marcado, tipo="foto", texto=pie, texto_plano=plano
        )

    def _send_chat_action(self, parametros: _Parametros) -> bool:
        self._chat_destino(parametros)
        if parametros.texto("action") not in ACCIONES_DE_CHAT:
            raise _incorrecta("wrong parameter action in request")
        return True

    def _ubicacion(self, parametros: _Parametros) -> dict:
        latitud = parametros.decimal("latitude", obligatorio=True)
        longitud = parametros.decimal("longitude", obligatorio=True)
        assert latitud is not None and longitud is not None
        if not (-90 <= latitud <= 90 and -180 <= longitud <= 180):
            raise _incorrecta("wrong location")
        return {"latitude": latitud, "longitude": longitud}

    def _send_location(self, parametros: _Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        ubicacion = self._ubicacion(parametros)
        marcado = _validar_marcado(parametros.json("reply_markup"))
        return self._publicar(chat_id, {"location": ubicacion}, marcado, tipo="ubicacion")

    def _send_venue(self, parametros: _Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        ubicacion = self._ubicacion(parametros)
        titulo = parametros.texto("title", obligatorio=True)
        direccion = parametros.texto("address", obligatorio=True)
        marcado = _validar_marcado(parametros.json("reply_markup"))
        lugar = {"location": ubicacion, "title": titulo, "address": direccion}
        return self._publicar(
            chat_id, {"venue": lugar, "location": ubicacion}, marcado, tipo="lugar",
            texto=titulo, texto_plano=titulo,
        )

    def _get_chat(self, parametros: _Parametros) -> dict:
        usuario = self._usuarios[self._chat_destino(parametros)]
        return {
            **_dict_chat(usuario),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True, "limited_gifts": True, "unique_gifts": True,
                "premium_subscription": True, "gifts_from_channels": True,
            },
        }

    def _get_file(self, parametros: _Parametros) -> dict:
        archivo = self._archivos.get(parametros.texto("file_id", obligatorio=True) or "")
        if archivo is None:
            raise _incorrecta("wrong file_id or the file is temporarily unavailable")
        return {
            "file_id": archivo.file_id, "file_unique_id": archivo.file_unique_id,
            "file_size": len(archivo.contenido), "file_path": archivo.ruta,
        }

    def _fijador_texto_bot(
        self, campo: str, clave: str, maximo: int
    ) -> Callable[[_Parametros], bool]:
        def fijar(parametros: _Parametros) -> bool:
            valor = parametros.texto(clave) or ""
            if len(valor) > maximo:
                raise _incorrecta(f"{clave} is too long")
            idioma = _validar_idioma(parametros.texto("language_code"))
            self._textos_bot[(campo, idioma)] = valor
            return True

        return fijar

    def _lector_texto_bot(self, campo: str, clave: str) -> Callable[[_Parametros], dict]:
        def leer(parametros: _Parametros) -> dict:
            idioma = _validar_idioma(parametros.texto("language_code"))
            valor = self._textos_bot.get((campo, idioma)) or self._textos_bot.get((campo, ""))
            return {clave: valor or (NOMBRE_BOT if campo == "name" else "")}

        return leer


_TEXTOS_DEL_BOT = (
    ("description", "description", 512),
    ("shortDescription", "short_description", 120),
    ("name", "name", 64),
)


def _validar_marcado_en_linea(valor: Any) -> dict | None:
    marcado = _validar_marcado(valor)
    if marcado is not None and "inline_keyboard" not in marcado:
        raise _incorrecta("inline keyboard expected")
    return marcado


def _tamano_foto(archivo: _ArchivoGuardado, lado: int) -> dict:
    return {
        "file_id": archivo.file_id, "file_unique_id": archivo.file_unique_id,
        "width": lado, "height": lado, "file_size": len(archivo.contenido),
    }


def _documento_chat(archivo: _ArchivoGuardado) -> dict:
    return {
        "file_name": archivo.nombre, "mime_type": archivo.mime,
        "contenido": archivo.contenido, "file_id": archivo.file_id,
    }


def _a_entero(valor: Any) -> int | None:
    if isinstance(valor, bool):
        return None
    if isinstance(valor, int):
        return valor
    if isinstance(valor, str) and _RE_ENTERO.fullmatch(valor.strip()):
        return int(valor)
    return None


def _chat_id_suave(parametros: _Parametros) -> int | None:
    return _a_entero(parametros.valores.get("chat_id"))


def _id_de(usuario_o_id: UsuarioFicticio | int) -> int:
    return usuario_o_id.id if isinstance(usuario_o_id, UsuarioFicticio) else int(usuario_o_id)


def _elegir_boton(mensaje: MensajeChat, texto: str) -> dict:
    botones = mensaje.botones()
    exactos = [boton for boton in botones if boton.get("text") == texto]
    if exactos:
        return exactos[0]
    buscado = texto.casefold()
    parecidos = [boton for boton in botones if buscado in str(boton.get("text", "")).casefold()]
    if len(parecidos) == 1:
        return parecidos[0]
    disponibles = ", ".join(repr(boton.get("text")) for boton in botones) or "(ninguno)"
    motivo = "varios botones contienen" if parecidos else "ningún botón coincide con"
    raise BotonNoEncontrado(
        f"{motivo} {texto!r} en el mensaje {mensaje.message_id}; disponibles: {disponibles}"
    )
