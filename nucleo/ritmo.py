"""El ritmo de las respuestas a Telegram: cuántos mensajes por segundo en total y a cada chat, y
qué hacer cuando Telegram pide esperar (429) o falla sin haber procesado la petición.

Límites que se respetan (los de Telegram; el emulador con `limitar_tasas=True` los exige igual,
sin ráfagas):
- en total, `COOPERA_MENSAJES_POR_SEGUNDO` (30 por omisión) en cualquier ventana de un segundo;
- a cada chat, un mensaje por segundo; a un grupo, además, 20 por minuto.

Cuentan los envíos y las ediciones (`send*`, `edit*`, `copy*`, `forward*`, `stop*`, salvo
`sendChatAction`). Lo demás (answerCallbackQuery, getMe, setMyCommands…) no se pauta; getUpdates
ni siquiera pasa por aquí (PTB nunca lo manda al limitador).

Cómo, sin frenar a nadie más:
- Cada chat tiene su propio turno (un cerrojo FIFO): un envío al chat A espera solo el turno de
  A, y los mensajes a un mismo chat salen en el orden en que se pidieron. El siguiente sale un
  segundo después de que Telegram CONTESTÓ el anterior: así, por mucho que varíe la red, en los
  relojes de Telegram nunca hay dos en el mismo segundo.
- El presupuesto global (`Presupuesto`) cuenta los envíos en vuelo y los terminados en la última
  ventana; cuando se llena, quien espera pasa por prioridad y, a igual prioridad, por orden de
  llegada.
- Un 429 de un chat (la petición lleva `chat_id`) frena solo ese chat: se espera lo que Telegram
  pide y se repite esa petición. Un 429 sin chat pausa el presupuesto global.
- Un 5xx contestado o una conexión que ni se abrió (Telegram no procesó nada) se repiten con una
  espera corta y creciente (0.2, 0.4, 0.8 s, tope 2 s), hasta `INTENTOS` veces en total; luego
  se lanza el error. Si Telegram pudo haber recibido la petición (se agotó el tiempo esperando
  la respuesta, o la conexión se cortó a medias), no se repite: podría salir dos veces.

`COOPERA_MENSAJES_POR_SEGUNDO=0` apaga el ritmo (solo para mediciones; se avisa al arrancar): ni
presupuesto ni turnos por chat. Los 429 y los reintentos siguen funcionando.

Un solo presupuesto para todo el bot: la cola de envíos en bloque (`nucleo.envios.Despachador`)
toma su parte del MISMO `Presupuesto` (`Coopera.iniciar` se lo pasa) con prioridad `EN_BLOQUE`:
las respuestas (`INTERACTIVO`) siempre pasan antes que lo que espera en bloque, y el bloque usa
lo que quede. `COOPERA_MENSAJES_POR_SEGUNDO` llega hasta 1,000 (bots que pagan por difundir).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import time
import warnings
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

__all__ = [
    "EN_BLOQUE",
    "INTERACTIVO",
    "Presupuesto",
    "Ritmo",
    "cuenta_como_mensaje",
    "no_llego_a_telegram",
]

registro = logging.getLogger("coopera.ritmo")

INTERACTIVO = 0  # respuestas a quien está usando el bot: primero
EN_BLOQUE = 10  # recordatorios y avisos: cuando haya lugar

LIMITE_TELEGRAM = 30  # mensajes por segundo, en total, para un bot (sin pagar)
LIMITE_PAGADO = 1000  # con difusión pagada, Telegram permite hasta 1,000 por segundo
INTERVALO_CHAT = 1.0  # s entre dos mensajes al mismo chat
POR_MINUTO_GRUPO = 20  # mensajes por minuto a un mismo grupo
MARGEN = 0.02  # s de holgura sobre las ventanas de Telegram
INTENTOS = 4  # intentos en total de una petición que Telegram no procesó (5xx, sin conexión)
ESPERA_BASE = 0.2  # s antes del primer reintento; se duplica en cada uno
ESPERA_MAXIMA = 2.0  # s; tope de la espera entre reintentos
MAX_429 = 3  # cuántas veces se repite una petición tras un 429
ESPERA_429_MAXIMA = 60.0  # s; si Telegram pide esperar más, no se repite: se lanza el 429
RECUPERACION = 2  # envíos en bloque que se pueden juntar para recuperar un retraso
RECUPERACION_S = 0.01  # s; a 1,000/s, el bucle despierta cada ~1 ms: se juntan hasta 10
LIMPIAR_CON = 1000  # con tantos chats guardados, se olvidan los que ya no esperan nada


def cuenta_como_mensaje(metodo: str) -> bool:
    """Si el método cuenta para los límites de mensajes de Telegram (envíos y ediciones)."""
    return metodo.startswith(("send", "edit", "copy", "forward", "stop")) and (
        metodo != "sendChatAction")


def no_llego_a_telegram(error: BaseException) -> bool:
    """Si es seguro repetir la petición: Telegram contestó un 5xx (no la procesó) o ni siquiera
    se pudo conectar. Un tiempo agotado esperando la respuesta no cuenta: pudo llegar."""
    if isinstance(error, TimedOut):
        return isinstance(error.__cause__, httpx.PoolTimeout | httpx.ConnectTimeout)
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        causa = error.__cause__
        return causa is None or isinstance(causa, httpx.ConnectError)
    return False


def segundos_de_espera(error: RetryAfter) -> float:
    """Lo que Telegram pide esperar (`retry_after` pasa de int a timedelta en PTB 23)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        espera = error.retry_after
    return espera.total_seconds() if isinstance(espera, timedelta) else float(espera)


# --------------------------------------------------------------------------------------------
# El presupuesto global
# --------------------------------------------------------------------------------------------


class Presupuesto:
    """Cuántos mensajes por segundo puede mandar el bot en total, compartido por quien envíe.

    `por_segundo=0` lo apaga (no se espera nunca, salvo una pausa pedida con `pausar`).
    `reloj` mide las ventanas (monótono, en segundos).
    """

    def __init__(self, por_segundo: float, *,
                 reloj: Callable[[], float] = time.monotonic) -> None:
        if por_segundo < 0:
            raise ValueError("por_segundo no puede ser negativo")
        self._reloj = reloj
        self.por_segundo = min(por_segundo, LIMITE_PAGADO)
        # Ventana deslizante: hasta `_por_ventana` envíos cada `_ventana` segundos.
        self._por_ventana = max(1, math.floor(self.por_segundo)) if self.por_segundo else 0
        self._ventana = self._por_ventana / self.por_segundo if self.por_segundo else 0.0
        self._terminados: deque[float] = deque()  # cuándo contestó Telegram a cada envío
        self._en_vuelo = 0
        self._pausa_hasta = 0.0
        # Lo que no es INTERACTIVO sale parejo, uno cada 1/por_segundo (con un poco de
        # recuperación): sin ráfagas que llenen la ventana de golpe, siempre se libera un lugar
        # pronto y una respuesta nunca espera casi un segundo detrás de una difusión.
        self._intervalo = 1 / self.por_segundo if self.por_segundo else 0.0
        self._recuperacion = max(RECUPERACION * self._intervalo, RECUPERACION_S)
        self._proximo_en_bloque = 0.0
        self._cola: list[tuple[int, int]] = []  # (prioridad, orden de llegada)
        # Un mensaje por segundo a cada chat, lo mande quien lo mande (respuestas o cola en
        # bloque): chat → desde cuándo se le puede escribir (infinito: hay uno en vuelo).
        self._chats: dict[int | str, float] = {}
        self._limpiar_con = LIMPIAR_CON
        self._orden = itertools.count()
        self._cambio = asyncio.Event()

    @property
    def activo(self) -> bool:
        return self.por_segundo > 0

    @contextlib.asynccontextmanager
    async def turno(self, prioridad: int = INTERACTIVO) -> AsyncIterator[None]:
        """Espera un lugar en el presupuesto y lo ocupa mientras dura el envío."""
        await self.tomar(prioridad)
        try:
            yield
        finally:
            self.soltar()

    async def tomar(self, prioridad: int = EN_BLOQUE) -> None:
        """Espera un lugar y lo ocupa hasta `soltar()` (para quien separa la espera del envío,
        como la cola en bloque: toma su lugar antes de sacar la fila de la base)."""
        await self._esperar_lugar(prioridad)

    def soltar(self, *, conto: bool = True) -> None:
        """Libera un lugar tomado. `conto=False`: no salió ningún mensaje (no ocupa la ventana)."""
        self._en_vuelo -= 1
        if conto:
            self._terminados.append(self._reloj())
        self._avisar()

    def chat_libre_desde(self, chat_id: int | str) -> float:
        """Desde cuándo se puede escribir a `chat_id` (infinito: hay un mensaje en vuelo)."""
        return self._chats.get(chat_id, 0.0)

    def ocupar_chat(self, chat_id: int | str, hasta: float) -> None:
        """Anota hasta cuándo no se escribe a `chat_id` (reemplaza lo anotado)."""
        if len(self._chats) >= self._limpiar_con:
            ahora = self._reloj()
            self._chats = {c: t for c, t in self._chats.items() if t > ahora}
            # Si casi todos siguen esperando (una difusión a 1,000/s ocupa ~1,000 chats), no
            # se limpia otra vez hasta que se dupliquen: un costo fijo por envío, no creciente.
            self._limpiar_con = max(LIMPIAR_CON, 2 * len(self._chats))
        self._chats[chat_id] = hasta

    def chats_ocupados(self) -> dict[int | str, float]:
        """Los chats a los que no se puede escribir ahora, con desde cuándo se podrá."""
        ahora = self._reloj()
        return {c: t for c, t in self._chats.items() if t > ahora}

    def pausar(self, segundos: float) -> None:
        """Nadie envía durante `segundos` (un 429 que no es de un chat)."""
        self._pausa_hasta = max(self._pausa_hasta, self._reloj() + segundos)
        self._avisar()

    async def _esperar_lugar(self, prioridad: int) -> None:
        entrada = (prioridad, next(self._orden))
        heapq.heappush(self._cola, entrada)
        try:
            while True:
                espera = self._espera(prioridad) if self._cola[0] == entrada else math.inf
                if espera <= 0:
                    heapq.heappop(self._cola)
                    if prioridad > INTERACTIVO and self.activo:
                        self._proximo_en_bloque = max(
                            self._proximo_en_bloque,
                            self._reloj() - self._recuperacion) + self._intervalo
                    self._en_vuelo += 1
                    self._avisar()  # el siguiente en la fila revisa si ya le toca
                    return
                cambio = self._cambio
                # asyncio.timeout y no wait_for: sin una tarea nueva por cada espera.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(None if math.isinf(espera) else espera):
                        await cambio.wait()
        except BaseException:
            if entrada in self._cola:
                self._cola.remove(entrada)
                heapq.heapify(self._cola)
                self._avisar()
            raise

    def _espera(self, prioridad: int = INTERACTIVO) -> float:
        """Segundos hasta que haya lugar (0 si ya lo hay; infinito si hay que esperar a que
        termine un envío en vuelo)."""
        ahora = self._reloj()
        if ahora < self._pausa_hasta:
            return self._pausa_hasta - ahora
        if not self.activo:
            return 0.0
        if prioridad > INTERACTIVO and self._proximo_en_bloque > ahora:
            return self._proximo_en_bloque - ahora
        limite = ahora - self._ventana - MARGEN
        while self._terminados and self._terminados[0] <= limite:
            self._terminados.popleft()
        ocupados = len(self._terminados) + self._en_vuelo
        if ocupados < self._por_ventana:
            return 0.0
        if self._en_vuelo >= self._por_ventana:
            return math.inf
        return self._terminados[ocupados - self._por_ventana] + self._ventana + MARGEN - ahora

    def _avisar(self) -> None:
        """Despierta a quien espera para que revise (el evento se cambia por uno nuevo)."""
        cambio, self._cambio = self._cambio, asyncio.Event()
        cambio.set()


# --------------------------------------------------------------------------------------------
# El limitador de PTB
# --------------------------------------------------------------------------------------------


@dataclass
class _Chat:
    """El turno de un chat: quién envía ahora y desde cuándo se le puede volver a escribir."""

    es_grupo: bool
    cerrojo: asyncio.Lock = field(default_factory=asyncio.Lock)
    libre_desde: float = 0.0
    recientes: deque[float] = field(default_factory=deque)  # grupos: los del último minuto


class Ritmo(BaseRateLimiter[int]):
    """El limitador de tasas de la Application (ver el docstring del módulo).

    `rate_limit_args`, si se da en una llamada al bot, es la prioridad (`INTERACTIVO` por
    omisión). `espera_base`/`espera_maxima`: los reintentos tras un 5xx o sin conexión.
    """

    def __init__(self, presupuesto: Presupuesto, *,
                 reloj: Callable[[], float] = time.monotonic, intentos: int = INTENTOS,
                 espera_base: float = ESPERA_BASE,
                 espera_maxima: float = ESPERA_MAXIMA) -> None:
        self.presupuesto = presupuesto
        self._reloj = reloj
        self._intentos = max(1, intentos)
        self._espera_base, self._espera_maxima = espera_base, espera_maxima
        self._chats: dict[int | str, _Chat] = {}

    async def initialize(self) -> None:
        if not self.presupuesto.activo:
            registro.warning("COOPERA_MENSAJES_POR_SEGUNDO=0: los mensajes salen sin ritmo. "
                             "Solo para mediciones: Telegram responderá con 429.")

    async def shutdown(self) -> None:
        self._chats.clear()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = _chat_de(data)
        prioridad = INTERACTIVO if rate_limit_args is None else rate_limit_args
        pautado = self.presupuesto.activo and cuenta_como_mensaje(endpoint)
        # Se repite tras un 5xx lo que va a un chat (respuestas) y la respuesta a un botón;
        # getMe, setMyCommands y compañía los decide quien arranca el bot.
        repetible = chat_id is not None or endpoint == "answerCallbackQuery"
        if pautado and chat_id is not None:
            chat = self._chat(chat_id)
            async with chat.cerrojo:
                return await self._pedir(callback, args, kwargs, endpoint, chat_id, chat,
                                         prioridad, pautado=True, repetible=repetible)
        return await self._pedir(callback, args, kwargs, endpoint, chat_id, None, prioridad,
                                 pautado=pautado, repetible=repetible)

    async def _pedir(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                     kwargs: dict[str, Any], endpoint: str, chat_id: int | str | None,
                     chat: _Chat | None, prioridad: int, *, pautado: bool,
                     repetible: bool) -> Any:
        fallos, esperas = 0, 0
        while True:
            try:
                if not pautado:
                    return await callback(*args, **kwargs)
                if chat is not None:
                    await self._esperar_chat(chat, chat_id)
                    self.presupuesto.ocupar_chat(chat_id, math.inf)  # la cola no le escribe
                try:
                    async with self.presupuesto.turno(prioridad):
                        try:
                            resultado = await callback(*args, **kwargs)
                        except (RetryAfter, NetworkError) as error:
                            # Lo que Telegram no procesó no cuenta para el chat (el 429 pone
                            # su propia espera); lo demás sí, por si acaso.
                            if chat is not None and not (isinstance(error, RetryAfter)
                                                         or no_llego_a_telegram(error)):
                                self._anotar_envio(chat)
                            raise
                        if chat is not None:
                            self._anotar_envio(chat)
                        return resultado
                finally:
                    if chat is not None:
                        self.presupuesto.ocupar_chat(chat_id, chat.libre_desde)
            except RetryAfter as error:
                segundos = segundos_de_espera(error)
                esperas += 1
                if esperas > MAX_429 or segundos > ESPERA_429_MAXIMA:
                    raise
                registro.info("Telegram pide esperar %.0f s (%s); se repite", segundos, endpoint)
                if chat is not None:  # solo este chat espera; los demás siguen
                    chat.libre_desde = max(chat.libre_desde, self._reloj() + segundos)
                    self.presupuesto.ocupar_chat(chat_id, chat.libre_desde)
                    continue
                if chat_id is None:  # un 429 que no es de un chat: todos esperan
                    self.presupuesto.pausar(segundos)
                if not pautado:
                    await asyncio.sleep(segundos)
            except NetworkError as error:
                fallos += 1
                if not repetible or fallos >= self._intentos or not no_llego_a_telegram(error):
                    raise
                espera = min(self._espera_base * 2 ** (fallos - 1), self._espera_maxima)
                registro.info("Telegram no procesó %s (%s); se repite en %.1f s",
                              endpoint, type(error).__name__, espera)
                await asyncio.sleep(espera)

    async def _esperar_chat(self, chat: _Chat, chat_id: int | str) -> None:
        while True:
            ahora = self._reloj()
            # Lo que la cola en bloque le mandó (o le está mandando) a este chat también cuenta.
            espera = max(chat.libre_desde, self.presupuesto.chat_libre_desde(chat_id)) - ahora
            if chat.es_grupo:
                limite = ahora - 60.0 - MARGEN
                while chat.recientes and chat.recientes[0] <= limite:
                    chat.recientes.popleft()
                if len(chat.recientes) >= POR_MINUTO_GRUPO:
                    espera = max(espera, chat.recientes[0] + 60.0 + MARGEN - ahora)
            if espera <= 0:
                return
            await asyncio.sleep(min(espera, 0.05 if math.isinf(espera) else espera))

    def _anotar_envio(self, chat: _Chat) -> None:
        """Telegram contestó (bien o mal): el siguiente a este chat, un segundo después."""
        fin = self._reloj()
        chat.libre_desde = max(chat.libre_desde, fin + INTERVALO_CHAT + MARGEN)
        if chat.es_grupo:
            chat.recientes.append(fin)

    def _chat(self, chat_id: int | str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if len(self._chats) >= LIMPIAR_CON:
                self._olvidar_chats_quietos()
            es_grupo = isinstance(chat_id, str) or chat_id < 0
            chat = self._chats[chat_id] = _Chat(es_grupo=es_grupo)
        return chat

    def _olvidar_chats_quietos(self) -> None:
        ahora = self._reloj()
        for clave, chat in list(self._chats.items()):
            quieto = not chat.cerrojo.locked() and chat.libre_desde <= ahora
            if quieto and (not chat.recientes or chat.recientes[-1] <= ahora - 60.0 - MARGEN):
                del self._chats[clave]


def _chat_de(data: dict[str, Any]) -> int | str | None:
    """El chat de la petición: un id numérico, o un @nombre de canal; None si no va a un chat."""
    valor = data.get("chat_id")
    if valor is None or valor == "":
        return None
    if isinstance(valor, int) and not isinstance(valor, bool):
        return valor
    texto = str(valor).strip()
    try:
        return int(texto)
    except ValueError:
        return texto
