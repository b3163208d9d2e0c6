"""Registro (logging) del bot: nunca escribe el token, aunque una biblioteca lo ponga en una URL."""

from __future__ import annotations

import logging
import re

PATRON_TOKEN = re.compile(r"\d{5,20}:[A-Za-z0-9_-]{20,}")


class TaparSecretos(logging.Filter):
    def __init__(self, secretos: list[str]) -> None:
        super().__init__()
        self._secretos = [s for s in secretos if s]

    def filter(self, record: logging.LogRecord) -> bool:
        mensaje = record.getMessage()
        limpio = PATRON_TOKEN.sub("<token>", mensaje)
        for secreto in self._secretos:
            limpio = limpio.replace(secreto, "<token>")
        if limpio != mensaje:
            record.msg, record.args = limpio, ()
        return True


def configurar_registro(secretos: list[str], nivel: int = logging.INFO) -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=nivel, force=True
    )
    filtro = TaparSecretos(secretos)
    for manejador in logging.getLogger().handlers:
        manejador.addFilter(filtro)
    # httpx escribe cada URL, con el token dentro, en nivel INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
