"""Emulación local de la Bot API de Telegram para pruebas, modo local y mediciones.

Necesita aiohttp, que es opcional (el extra «local» del paquete): sin él, importar este
paquete falla con un ImportError que dice cómo instalarlo. En producción no hace falta.

Módulos: ``modelo`` (personas, mensajes, peticiones), ``errores`` (respuestas de error de
Telegram), ``parametros`` (lectura de peticiones), ``marcado_html`` (HTML de Telegram),
``validacion`` (teclados, comandos, URL, textos), ``limites`` (tasas y fallos inyectados),
``estado`` (estado común), ``persona`` y ``observacion`` (lo que usan las pruebas),
``metodos_*`` (la Bot API por familias; ``metodos_foros``: supergrupos con temas y
copias), ``servidor`` (aiohttp y ``EmuladorBotAPI``) y
``terminal`` (el chat del modo local).
"""

try:
    import aiohttp  # noqa: F401  (solo se comprueba que esté instalado)
except ImportError as error:
    raise ImportError(
        "El modo local (emulador de Telegram) necesita aiohttp, que no está instalado. "
        'Instálalo con: python -m pip install "coopera-puebla[local]" '
        '(o, desde la carpeta del código fuente: python -m pip install ".[local]").',
        name=__name__,
    ) from error

from emulador.marcado_html import ErrorHTML, analizar_html
from emulador.modelo import (
    BotonNoEncontrado,
    GrupoFicticio,
    MensajeChat,
    Peticion,
    TemaForo,
    UsuarioFicticio,
)
from emulador.servidor import EmuladorBotAPI
from emulador.terminal import conversar_en_terminal

__all__ = [
    "BotonNoEncontrado",
    "EmuladorBotAPI",
    "ErrorHTML",
    "GrupoFicticio",
    "MensajeChat",
    "Peticion",
    "TemaForo",
    "UsuarioFicticio",
    "analizar_html",
    "conversar_en_terminal",
]
