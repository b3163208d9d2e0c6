"""Emulación local de la Bot API de Telegram para pruebas, modo local y mediciones."""

from emulador.servidor import (
    BotonNoEncontrado,
    EmuladorBotAPI,
    ErrorHTML,
    MensajeChat,
    Peticion,
    UsuarioFicticio,
    analizar_html,
)
from emulador.terminal import conversar_en_terminal

__all__ = [
    "BotonNoEncontrado",
    "EmuladorBotAPI",
    "ErrorHTML",
    "MensajeChat",
    "Peticion",
    "UsuarioFicticio",
    "analizar_html",
    "conversar_en_terminal",
]
