"""El proceso del bot visto por quien lo supervisa (systemd, un contenedor...).

- Un solo proceso por base de datos: `CandadoDeInstancia` (un candado del sistema operativo
  sobre `<base>.lock`, que se suelta solo si el proceso muere).
- Conectar con Telegram al arrancar: `conectar_con_telegram` reintenta con esperas que crecen
  hasta un tope mientras Telegram no responda, y se rinde de inmediato si rechaza el token.
- Un token revocado con el bot ya corriendo: `SolicitudVigilada` avisa del primer 401.

Los mensajes de este módulo son para quien opera el servidor (no pasan por los catálogos):
un párrafo que dice qué pasa y qué hacer, sin el token.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.request import BaseRequest, RequestData
from telegram.warnings import PTBDeprecationWarning

from nucleo.almacen.base import archivo_privado, carpeta_privada

registro = logging.getLogger("coopera.instancia")

COMO_ARREGLAR_EL_TOKEN = (
    "Pide el token vigente a @BotFather (/mybots, elige el bot, «API Token»), ponlo en "
    "TELEGRAM_BOT_TOKEN, en el entorno o en el archivo .env junto a bot.py, y vuelve a "
    "arrancar. Para probar el bot sin token, usa el modo local: python bot.py --local"
)


class TokenRechazado(Exception):
    """Telegram no acepta el token del bot (401 o 404 en getMe, 401 después). Esperar no
    sirve: hay que cambiar el token."""

    def __init__(self, *, al_arrancar: bool = True, url_base: str | None = None) -> None:
        if al_arrancar:
            texto = ("No se pudo arrancar Coopera Puebla: Telegram rechazó el token del bot "
                     "(TELEGRAM_BOT_TOKEN). Puede estar mal copiado o haber sido revocado. ")
        else:
            texto = ("Coopera Puebla se detuvo: Telegram dejó de aceptar el token del bot "
                     "(TELEGRAM_BOT_TOKEN); seguramente se revocó o se cambió en @BotFather. ")
        if url_base:
            texto += ("Como TELEGRAM_BASE_URL apunta a otro servidor, revisa también que sea "
                      "una Bot API que conozca este bot. ")
        super().__init__(texto + COMO_ARREGLAR_EL_TOKEN)


class OtraInstancia(Exception):
    """Otro proceso del bot ya usa esta base de datos."""

    def __init__(self, ruta_bd: Path, pid: str) -> None:
        quien = f"otro proceso del bot (pid {pid})" if pid else "otro proceso del bot"
        super().__init__(
            f"No se pudo arrancar Coopera Puebla: {quien} ya usa la base de datos {ruta_bd}. "
            "Dos procesos con el mismo bot se quitan los mensajes entre sí. Detén el otro "
            "antes de arrancar este, o usa otra base con COOPERA_BD.")


# --- un solo proceso por base ---------------------------------------------------------------


class CandadoDeInstancia:
    """Candado `flock` sobre `<base>.lock`, tomado mientras el bot corre.

    El sistema operativo lo suelta si el proceso muere (incluso con SIGKILL): un reinicio
    después de una caída no encuentra un candado viejo. `soltar` lo suelta antes (para
    reiniciar el bot dentro del mismo proceso, como hacen las pruebas). El archivo guarda el
    pid de quien lo tiene, para el mensaje del que llega segundo."""

    def __init__(self, ruta_bd: Path) -> None:
        self.ruta = ruta_bd.with_name(ruta_bd.name + ".lock")
        self._ruta_bd = ruta_bd
        self._descriptor: int | None = None

    @property
    def tomado(self) -> bool:
        return self._descriptor is not None

    def tomar(self) -> None:
        """Toma el candado o lanza OtraInstancia (sin esperar)."""
        if self._descriptor is not None:
            return
        carpeta_privada(self.ruta.parent)
        archivo_privado(self.ruta)
        descriptor = os.open(self.ruta, os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.read(descriptor, 32).decode("ascii", "replace").strip()
            os.close(descriptor)
            raise OtraInstancia(self._ruta_bd, pid) from None
        except BaseException:
            os.close(descriptor)
            raise
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode("ascii"))
        self._descriptor = descriptor

    def soltar(self) -> None:
        """Suelta el candado (si lo tiene). El archivo se queda: borrarlo abriría una carrera
        con un proceso que lo está abriendo en ese momento."""
        if self._descriptor is None:
            return
        descriptor, self._descriptor = self._descriptor, None
        with contextlib.suppress(OSError):
            os.ftruncate(descriptor, 0)
        os.close(descriptor)  # cerrar el descriptor suelta el flock


# --- conectar con Telegram al arrancar -------------------------------------------------------


def _segundos(error: RetryAfter) -> float:
    # `retry_after` avisa que pasará de int a timedelta; aceptamos ambos, sin el aviso.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        espera = error.retry_after
    return espera.total_seconds() if isinstance(espera, timedelta) else float(espera)


def _motivo(error: Exception) -> str:
    """Qué pasó, en pocas palabras (los errores de red de PTB ya traen el de httpx)."""
    texto = str(error).strip() or type(error).__name__
    return texto if len(texto) <= 200 else texto[:197] + "..."


async def conectar_con_telegram(
    inicializar: Callable[[], Awaitable[None]], *, reintento_maximo: float,
    url_base: str | None = None,
    esperar: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Llama a `inicializar` (que pregunta getMe) hasta que Telegram conteste.

    Sin red, con tiempo agotado o con un 5xx, escribe una línea por intento y espera 1, 2,
    4... segundos, hasta `reintento_maximo`; un 429 espera lo que pide Telegram. Si Telegram
    rechaza el token lanza TokenRechazado (sin el token: el InvalidToken de PTB lo trae en su
    mensaje y no se encadena). Cancelar la tarea corta la espera."""
    espera = min(1.0, reintento_maximo)
    fallidos = 0
    while True:
        try:
            await inicializar()
        except InvalidToken:
            raise TokenRechazado(url_base=url_base) from None
        except RetryAfter as error:
            pausa = max(espera, _segundos(error))
            motivo = "pide esperar"
        except NetworkError as error:  # incluye TimedOut, 5xx y conexión rechazada
            pausa, motivo = espera, _motivo(error)
        else:
            if fallidos:
                registro.info("Telegram ya contesta; arranco.")
            return
        fallidos += 1
        registro.warning("No puedo conectar con Telegram (%s); reintento en %s s",
                         motivo, f"{pausa:g}")
        await esperar(pausa)
        espera = min(espera * 2, reintento_maximo)


# --- el token revocado con el bot corriendo ---------------------------------------------------


class SolicitudVigilada(BaseRequest):
    """Envuelve la solicitud HTTP de un Bot de PTB y avisa (`al_rechazar`) cuando Telegram
    contesta 401: el token dejó de servir. No cambia nada más: la respuesta sigue su camino
    y PTB lanza InvalidToken como siempre.

    Solo 401: PTB también trata un 404 como InvalidToken, pero un 404 con el bot ya corriendo
    puede ser un método que este servidor no conoce; el token ya se probó al arrancar."""

    __slots__ = ("_al_rechazar", "_interna")

    def __init__(self, interna: BaseRequest, al_rechazar: Callable[[], None]) -> None:
        self._interna = interna
        self._al_rechazar = al_rechazar

    @property
    def read_timeout(self) -> float | None:
        return self._interna.read_timeout

    async def initialize(self) -> None:
        await self._interna.initialize()

    async def shutdown(self) -> None:
        await self._interna.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: object = BaseRequest.DEFAULT_NONE,
                         write_timeout: object = BaseRequest.DEFAULT_NONE,
                         connect_timeout: object = BaseRequest.DEFAULT_NONE,
                         pool_timeout: object = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        codigo, contenido = await self._interna.do_request(
            url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout)
        if codigo == 401:
            self._al_rechazar()
        return codigo, contenido
