"""Validación estricta de lo que manda el bot: teclados, botones, URL, comandos y textos.

Cada función devuelve una copia normalizada o lanza el 400 exacto de Telegram, para que
las pruebas descubran aquí lo que en producción fallaría.
"""

from __future__ import annotations

import copy
import json
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from emulador.errores import incorrecta
from emulador.marcado_html import ErrorHTML, analizar_html

MAX_BYTES_CALLBACK_DATA = 64
MAX_COMANDOS = 100
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
RE_ENTERO = re.compile(r"-?\d+")
_RE_COMANDO_USUARIO = re.compile(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")
_RE_COMANDO_BOT = re.compile(r"[a-z0-9_]{1,32}")
_RE_IDIOMA = re.compile(r"[a-z]{2}")


def a_entero(valor: Any) -> int | None:
    """El entero que representa `valor` (int o texto de dígitos), o None."""
    if isinstance(valor, bool):
        return None
    if isinstance(valor, int):
        return valor
    if isinstance(valor, str) and RE_ENTERO.fullmatch(valor.strip()):
        return int(valor)
    return None


# --------------------------------------------------------------------------------------------
# Teclados y botones
# --------------------------------------------------------------------------------------------


def validar_marcado(valor: Any) -> dict | None:
    """Valida reply_markup; devuelve una copia normalizada o None (un teclado vacío es None)."""
    if valor is None:
        return None
    if not isinstance(valor, dict):
        raise incorrecta("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in valor:
        filas = _validar_filas(valor["inline_keyboard"], _validar_boton_en_linea)
        return {"inline_keyboard": filas} if any(filas) else None
    if "keyboard" in valor:
        filas = _validar_filas(valor["keyboard"], _validar_boton_respuesta)
        return {**copy.deepcopy(valor), "keyboard": filas}
    if valor.get("remove_keyboard") is True or valor.get("force_reply") is True:
        return copy.deepcopy(valor)
    raise incorrecta("can't parse reply keyboard markup JSON object")


def validar_marcado_en_linea(valor: Any) -> dict | None:
    """Como `validar_marcado`, pero solo admite teclados en línea (para las ediciones)."""
    marcado = validar_marcado(valor)
    if marcado is not None and "inline_keyboard" not in marcado:
        raise incorrecta("inline keyboard expected")
    return marcado


def campos_teclado(marcado: dict | None) -> dict[str, Any]:
    """Los campos ``teclado`` y ``teclado_respuesta`` de `MensajeChat` para ese marcado."""
    if marcado is None:
        return {"teclado": None, "teclado_respuesta": None}
    if "inline_keyboard" in marcado:
        return {"teclado": copy.deepcopy(marcado["inline_keyboard"]), "teclado_respuesta": None}
    return {"teclado": None, "teclado_respuesta": copy.deepcopy(marcado)}


def _validar_filas(filas: Any, validar_boton: Callable[[Any], dict]) -> list[list[dict]]:
    if not isinstance(filas, list) or not all(isinstance(fila, list) for fila in filas):
        raise incorrecta("can't parse reply keyboard markup JSON object")
    return [[validar_boton(boton) for boton in fila] for fila in filas]


def _validar_boton_en_linea(boton: Any) -> dict:
    if not isinstance(boton, dict):
        raise incorrecta("can't parse inline keyboard button: button must be an Object")
    texto = boton.get("text")
    if not isinstance(texto, str) or not texto.strip():
        raise incorrecta("BUTTON_TEXT_INVALID")
    acciones = [clave for clave in ACCIONES_DE_BOTON if clave in boton]
    if not acciones:
        raise incorrecta(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(acciones) > 1:
        raise incorrecta(
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
        raise incorrecta("BUTTON_DATA_INVALID")


def _validar_url_boton(url: Any) -> None:
    problema = problema_url(url) if isinstance(url, str) else "Wrong HTTP URL"
    if problema:
        raise incorrecta(f"inline keyboard button URL '{url}' is invalid: {problema}")


def problema_url(url: str) -> str | None:
    """Lo que Telegram diría de una URL (http, https o tg), o None si es válida."""
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
        raise incorrecta("can't parse keyboard button: Text must be non-empty")
    return copy.deepcopy(boton)


# --------------------------------------------------------------------------------------------
# Comandos, alcances e idiomas
# --------------------------------------------------------------------------------------------


def validar_comandos(valor: Any) -> list[dict]:
    """La lista de BotCommand de setMyCommands, normalizada."""
    if not isinstance(valor, list):
        raise incorrecta("can't parse commands JSON object")
    if len(valor) > MAX_COMANDOS:
        raise incorrecta("too many commands specified")
    return [_validar_comando(comando) for comando in valor]


def _validar_comando(comando: Any) -> dict:
    if not isinstance(comando, dict):
        raise incorrecta("can't parse BotCommand JSON object")
    nombre = comando.get("command")
    descripcion = comando.get("description")
    if not isinstance(nombre, str) or not _RE_COMANDO_BOT.fullmatch(nombre):
        raise incorrecta("BOT_COMMAND_INVALID")
    if not isinstance(descripcion, str) or not 1 <= len(descripcion.strip()) <= 256:
        raise incorrecta("BOT_COMMAND_DESCRIPTION_INVALID")
    return {"command": nombre, "description": descripcion}


def validar_idioma(codigo: str | None) -> str:
    """El language_code de dos letras (o "" para todos los idiomas)."""
    if not codigo:
        return ""
    if not _RE_IDIOMA.fullmatch(codigo):
        raise incorrecta("invalid language code specified")
    return codigo


def normalizar_alcance(alcance: Any) -> dict:
    """Alcance canónico (sin validar contra los chats conocidos)."""
    if alcance is None:
        return {"type": "default"}
    if not isinstance(alcance, dict) or alcance.get("type") not in TIPOS_DE_ALCANCE:
        raise incorrecta("can't parse BotCommandScope JSON object")
    normal: dict[str, Any] = {"type": alcance["type"]}
    for clave in ("chat_id", "user_id"):
        if clave in alcance:
            valor = alcance[clave]
            es_entero = isinstance(valor, int) or RE_ENTERO.fullmatch(str(valor))
            normal[clave] = int(valor) if es_entero else valor
    return normal


def clave_alcance(alcance: dict) -> str:
    return json.dumps(alcance, sort_keys=True)


# --------------------------------------------------------------------------------------------
# Textos y entidades
# --------------------------------------------------------------------------------------------


def entidad_comando(texto: str) -> dict | None:
    """La entidad bot_command de un «/comando» al principio del texto, si lo hay."""
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
        raise incorrecta("can't parse entities JSON object")
    return copy.deepcopy(valor)


def formatear(texto: str, modo: str | None, entidades: Any) -> tuple[str, list[dict]]:
    """(texto visible, entidades) según parse_mode o las entidades explícitas."""
    if not modo:
        return texto, _validar_entidades(entidades)
    modo_normal = modo.lower()
    if modo_normal == "html":
        try:
            return analizar_html(texto)
        except ErrorHTML as error:
            raise incorrecta(f"can't parse entities: {error}") from None
    if modo_normal in ("markdown", "markdownv2"):
        # No se emula Markdown: el texto visible se toma tal cual.
        return texto, []
    raise incorrecta("unsupported parse_mode")
