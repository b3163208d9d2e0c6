"""Métodos de la Bot API sobre el propio bot y sus chats: datos, comandos, menú y textos.

getMe, getChat, set/get/deleteMyCommands (por alcance e idioma), set/getChatMenuButton y
set/getMy{Description,ShortDescription,Name}.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from emulador.errores import incorrecta
from emulador.estado import EstadoEmulador
from emulador.modelo import NOMBRE_BOT
from emulador.parametros import Parametros
from emulador.validacion import (
    clave_alcance,
    normalizar_alcance,
    validar_comandos,
    validar_idioma,
)

# (campo de la Bot API en los nombres de método, clave del parámetro, longitud máxima)
TEXTOS_DEL_BOT = (
    ("description", "description", 512),
    ("shortDescription", "short_description", 120),
    ("name", "name", 64),
)


class MetodosBot(EstadoEmulador):
    """Datos del bot y de los chats, comandos, botón de menú y textos del perfil del bot."""

    def _get_me(self, _parametros: Parametros) -> dict:
        return {
            **self._dict_bot(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_chat(self, parametros: Parametros) -> dict:
        return {
            **self._dict_chat_de(self._chat_destino(parametros)),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True, "limited_gifts": True, "unique_gifts": True,
                "premium_subscription": True, "gifts_from_channels": True,
            },
        }

    # ---------------------------------------------------------------- comandos

    def _clave_comandos(self, parametros: Parametros) -> tuple[str, str]:
        alcance = normalizar_alcance(parametros.json("scope"))
        chat_id = alcance.get("chat_id")
        if alcance["type"].startswith("chat") and chat_id not in self._usuarios:
            raise incorrecta("chat not found")
        idioma = validar_idioma(parametros.texto("language_code"))
        return clave_alcance(alcance), idioma

    def _set_my_commands(self, parametros: Parametros) -> bool:
        valor = parametros.json("commands")
        if valor is None:
            raise incorrecta("commands is empty")
        comandos = validar_comandos(valor)
        clave = self._clave_comandos(parametros)
        if comandos:
            self._comandos[clave] = comandos
        else:
            self._comandos.pop(clave, None)
        return True

    def _get_my_commands(self, parametros: Parametros) -> list[dict]:
        return copy.deepcopy(self._comandos.get(self._clave_comandos(parametros), []))

    def _delete_my_commands(self, parametros: Parametros) -> bool:
        self._comandos.pop(self._clave_comandos(parametros), None)
        return True

    # ---------------------------------------------------------------- botón de menú

    def _set_chat_menu_button(self, parametros: Parametros) -> bool:
        chat_id = self._chat_destino(parametros) if parametros.presente("chat_id") else None
        boton = parametros.json("menu_button") or {"type": "default"}
        tipos = ("commands", "web_app", "default")
        if not isinstance(boton, dict) or boton.get("type") not in tipos:
            raise incorrecta("can't parse menu button JSON object")
        if boton["type"] == "web_app" and not (boton.get("text") and boton.get("web_app")):
            raise incorrecta("can't parse menu button JSON object")
        self._botones_menu[chat_id] = copy.deepcopy(boton)
        return True

    def _get_chat_menu_button(self, parametros: Parametros) -> dict:
        chat_id = self._chat_destino(parametros) if parametros.presente("chat_id") else None
        boton = self._botones_menu.get(chat_id) or self._botones_menu.get(None)
        return copy.deepcopy(boton) if boton else {"type": "default"}

    # ---------------------------------------------------------------- textos del perfil

    def _fijador_texto_bot(
        self, campo: str, clave: str, maximo: int
    ) -> Callable[[Parametros], bool]:
        def fijar(parametros: Parametros) -> bool:
            valor = parametros.texto(clave) or ""
            if len(valor) > maximo:
                raise incorrecta(f"{clave} is too long")
            idioma = validar_idioma(parametros.texto("language_code"))
            self._textos_bot[(campo, idioma)] = valor
            return True

        return fijar

    def _lector_texto_bot(self, campo: str, clave: str) -> Callable[[Parametros], dict]:
        def leer(parametros: Parametros) -> dict:
            idioma = validar_idioma(parametros.texto("language_code"))
            valor = self._textos_bot.get((campo, idioma)) or self._textos_bot.get((campo, ""))
            return {clave: valor or (NOMBRE_BOT if campo == "name" else "")}

        return leer
