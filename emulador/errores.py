"""Errores de la Bot API tal como los responde Telegram (``{"ok": false, ...}``).

``ErrorAPI`` se lanza desde cualquier método emulado y el servidor lo convierte en la
respuesta HTTP con su código; aquí están también las descripciones exactas de Telegram que
el bot real distingue (mensaje no modificado, bot bloqueado, conflicto de getUpdates).
"""

from __future__ import annotations

from typing import Any

NO_MODIFICADO = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
BLOQUEADO = "Forbidden: bot was blocked by the user"
CONFLICTO = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)

# Lo que contesta el proxy de Telegram (nginx) cuando la Bot API está caída: HTML, no JSON.
PAGINA_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class ErrorAPI(Exception):
    """Una respuesta de error de la Bot API: código HTTP, descripción y parámetros."""

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


def incorrecta(detalle: str) -> ErrorAPI:
    """400 Bad Request con el detalle de Telegram."""
    return ErrorAPI(400, f"Bad Request: {detalle}")


def demasiadas(segundos: int) -> ErrorAPI:
    """429 Too Many Requests con su retry_after."""
    return ErrorAPI(
        429, f"Too Many Requests: retry after {segundos}", {"retry_after": segundos}
    )
