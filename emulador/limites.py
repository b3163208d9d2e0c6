"""Límites de envío de Telegram y fallos inyectados por las pruebas.

``Tasas`` lleva las ventanas de un segundo (30 envíos en total y 1 por chat, como Telegram)
y dice cuánto esperar cuando se pasan; ``ColaDeFallos`` guarda los fallos programados con
``EmuladorBotAPI.inyectar_fallo`` (429, 403, 500, 502 o una espera sin respuesta).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from emulador.errores import BLOQUEADO, ErrorAPI, demasiadas

MAX_ENVIOS_POR_SEGUNDO = 30
# Con allow_paid_broadcast (difusión pagada, en Stars), Telegram deja hasta 1 000 por segundo.
MAX_ENVIOS_PAGADOS_POR_SEGUNDO = 1000
TIPOS_DE_FALLO = ("429", "403", "500", "502", "timeout")


# Los que mandan un mensaje nuevo sin empezar por «send»: una copia es un envío más.
COPIAS = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


def cuenta_para_tasas(metodo: str) -> bool:
    """Los envíos (también las copias) y ediciones cuentan para los límites;
    sendChatAction no."""
    return es_envio_o_edicion(metodo) and metodo != "sendChatAction"


def es_envio_o_edicion(metodo: str) -> bool:
    return metodo.startswith(("send", "edit")) or metodo in COPIAS


# --------------------------------------------------------------------------------------------
# Tasas
# --------------------------------------------------------------------------------------------


@dataclass
class Tasas:
    """Envíos recientes (instantes del reloj del emulador), en total y por chat."""

    globales: deque[float] = field(default_factory=deque)
    por_chat: dict[int, deque[float]] = field(default_factory=dict)

    def comprobar(self, chat_id: int | None, ahora: float, *, pagado: bool = False) -> None:
        """Lanza un 429 con el retry_after que daría Telegram si este envío se pasa. `pagado`:
        la petición trae allow_paid_broadcast (el tope total es 1 000/s; el de cada chat, no
        cambia)."""
        globales = _podar(self.globales, ahora)
        tope = MAX_ENVIOS_PAGADOS_POR_SEGUNDO if pagado else MAX_ENVIOS_POR_SEGUNDO
        espera = 0.0
        if len(globales) >= tope:
            espera = globales[-tope] + 1.0 - ahora
        del_chat = self.por_chat.get(chat_id) if chat_id is not None else None
        if del_chat and _podar(del_chat, ahora):
            espera = max(espera, del_chat[-1] + 1.0 - ahora)
        if espera > 0:
            raise demasiadas(max(1, math.ceil(espera)))

    def anotar(self, chat_id: int | None, ahora: float) -> None:
        """Cuenta un envío hecho en `ahora`."""
        _podar(self.globales, ahora).append(ahora)
        if chat_id is not None:
            ventana = self.por_chat.setdefault(chat_id, deque())
            _podar(ventana, ahora).append(ahora)


def _podar(ventana: deque[float], ahora: float) -> deque[float]:
    while ventana and ventana[0] <= ahora - 1.0:
        ventana.popleft()
    return ventana


# --------------------------------------------------------------------------------------------
# Fallos inyectados
# --------------------------------------------------------------------------------------------


@dataclass
class Fallo:
    """Un fallo programado para las próximas `restantes` peticiones que coincidan."""

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

    def error(self) -> ErrorAPI:
        if self.tipo == "429":
            return demasiadas(max(1, self.retry_after))
        if self.tipo == "403":
            return ErrorAPI(403, BLOQUEADO)
        if self.tipo == "500":
            return ErrorAPI(500, "Internal Server Error")
        return ErrorAPI(502, "Bad Gateway")


class ColaDeFallos:
    """Fallos programados, en orden de llegada (FIFO)."""

    def __init__(self) -> None:
        self._fallos: list[Fallo] = []

    def programar(
        self,
        tipo: str,
        metodo: str | None,
        chat_id: int | None,
        veces: int,
        retry_after: int,
        demora: float,
    ) -> None:
        if tipo not in TIPOS_DE_FALLO:
            raise ValueError(f"tipo de fallo desconocido {tipo!r}; válidos: {TIPOS_DE_FALLO}")
        if veces < 1:
            raise ValueError("veces debe ser al menos 1")
        self._fallos.append(Fallo(tipo, metodo, chat_id, veces, retry_after, demora))

    def tomar(self, metodo: str, chat_id: int | None) -> Fallo | None:
        """El primer fallo que aplica a esta petición (y lo descuenta), o None."""
        for fallo in self._fallos:
            if fallo.aplica(metodo, chat_id):
                fallo.restantes -= 1
                if fallo.restantes <= 0:
                    self._fallos.remove(fallo)
                return fallo
        return None
