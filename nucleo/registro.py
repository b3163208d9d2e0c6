"""Registro (logging) del bot: nunca escribe el token, aunque una biblioteca lo ponga en una URL,
en el mensaje de una excepción o en una traza.

Se tapa en todos los caminos por los que algo llega a la terminal:
- los registros de cualquier logger (el filtro y el formato van en los manejadores de la raíz,
  por donde pasan todos): el mensaje, la traza de la excepción y la pila;
- las advertencias de `warnings` (se mandan al registro);
- las excepciones que nadie atrapó (`sys.excepthook`, `threading.excepthook`) y las que se
  pierden en un `__del__` (`sys.unraisablehook`). Las de asyncio ya pasan por el registro
  (logger `asyncio`).
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

# Lo que tiene forma de token de Telegram (id del bot, dos puntos, la parte secreta).
PATRON_TOKEN = re.compile(r"\d{5,20}:[A-Za-z0-9_-]{20,}")
TAPADO = "<token>"


def tapar(texto: str, secretos: Iterable[str] = ()) -> str:
    """El texto sin los secretos dados ni nada con forma de token de Telegram."""
    for secreto in secretos:
        if secreto:
            texto = texto.replace(secreto, TAPADO)
    return PATRON_TOKEN.sub(TAPADO, texto)


class TaparSecretos(logging.Filter):
    """Filtro para manejadores: tapa el mensaje, la traza y la pila de cada registro.

    La traza se formatea aquí (y se guarda tapada en `exc_text`, que es lo que usa cualquier
    `logging.Formatter`), porque el mensaje de una excepción puede traer el token: PTB, por
    ejemplo, pone el token completo en el de `InvalidToken`."""

    def __init__(self, secretos: Iterable[str]) -> None:
        super().__init__()
        self._secretos = [s for s in secretos if s]

    def tapar(self, texto: str) -> str:
        return tapar(texto, self._secretos)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            mensaje = record.getMessage()
        except Exception:  # argumentos que no cuadran con el mensaje: se muestran tal cual
            mensaje = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.tapar(mensaje), ()
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.tapar(record.exc_text)
        if record.stack_info:
            record.stack_info = self.tapar(record.stack_info)
        return True


class FormatoSinSecretos(logging.Formatter):
    """Además del filtro: lo que sale ya formateado tampoco lleva secretos."""

    def __init__(self, formato: str, secretos: Iterable[str]) -> None:
        super().__init__(formato)
        self._secretos = [s for s in secretos if s]

    def format(self, record: logging.LogRecord) -> str:
        return tapar(super().format(record), self._secretos)


FORMATO = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configurar_registro(secretos: list[str], nivel: int = logging.INFO) -> None:
    """Registro a stderr, con los secretos tapados en todo lo que el proceso escriba ahí."""
    logging.basicConfig(format=FORMATO, level=nivel, force=True)
    filtro = TaparSecretos(secretos)
    for manejador in logging.getLogger().handlers:
        manejador.addFilter(filtro)
        manejador.setFormatter(FormatoSinSecretos(FORMATO, secretos))
    # httpx escribe cada URL, con el token dentro, en nivel INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.captureWarnings(True)  # las advertencias pasan por el filtro
    _tapar_excepciones_sueltas(filtro.tapar)


def _tapar_excepciones_sueltas(tapar_texto: Callable[[str], str]) -> None:
    """Lo que Python escribe por su cuenta en stderr (excepciones que nadie atrapó), tapado."""

    def escribir(tipo: type[BaseException] | None, error: BaseException | None,
                 traza: TracebackType | None, encabezado: str = "") -> None:
        texto = "".join(traceback.format_exception(tipo, error, traza)) if tipo else ""
        try:
            sys.stderr.write(tapar_texto(encabezado + texto))
            sys.stderr.flush()
        except (OSError, ValueError):  # stderr cerrado: no hay dónde escribir
            pass

    def excepcion_principal(tipo: type[BaseException], error: BaseException,
                            traza: TracebackType | None) -> None:
        escribir(tipo, error, traza)

    def excepcion_de_hilo(argumentos: Any) -> None:
        if argumentos.exc_type is SystemExit:
            return
        nombre = argumentos.thread.name if argumentos.thread is not None else "?"
        escribir(argumentos.exc_type, argumentos.exc_value, argumentos.exc_traceback,
                 f"Exception in thread {nombre}:\n")

    def excepcion_perdida(perdida: Any) -> None:
        encabezado = f"{perdida.err_msg or 'Exception ignored in'}: {perdida.object!r}\n"
        escribir(perdida.exc_type, perdida.exc_value, perdida.exc_traceback, encabezado)

    sys.excepthook = excepcion_principal
    threading.excepthook = excepcion_de_hilo
    sys.unraisablehook = excepcion_perdida
