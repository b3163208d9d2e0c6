"""La única vía para mandar mensajes en bloque: avisos, recordatorios y anuncios del personal.

La cola vive en SQLite (tabla `envios`), no en memoria: un reinicio no pierde nada. Un trabajador
toma las filas por (prioridad, id) y las manda con su PROPIO `telegram.Bot`: si un envío en
bloque recibe un 429, solo se frena la cola; las respuestas a quien está usando el bot (el Bot de
la Application) siguen saliendo al momento. Una fila con `medio_tipo`/`medio_id` sale como foto
o documento (sendPhoto / sendDocument con el file_id) con su texto como pie (HTML) y sus botones.

En lotes, para llegar a 1,000 por segundo: el trabajador toma VARIAS filas en una sentencia
(quedan `enviando` en disco antes de que salga su petición) y los envíos buenos se anotan
juntos, en una transacción cada ~20 ms. Cuántas filas pueden estar `enviando` a la vez
(tomadas, en vuelo o con su resultado por escribir) lo pone `limite_en_vuelo(por_segundo)`: 8 a
30/s, tasa × 0.25 s arriba de eso (250 a 1,000/s). Ese límite es también lo más que puede quedar
a medias si el proceso muere.

Nunca dos veces lo que pudo llegar. Se reintenta solo lo que seguro no se procesó: un 429, un
5xx contestado, una petición que ni salió (conexión rechazada, sin conexión libre o sin poder
conectar a tiempo) o una respuesta 200 que no es de la Bot API (una página HTML de un proxy o un
portal: Telegram siempre contesta JSON; quien contestó no era Telegram). Un 200 con JSON roto o
sin la forma de la Bot API (`{"ok": false}` sin código) pudo pasar por Telegram y
romperse en el camino: queda incierto. Si Telegram no contesta a tiempo, también (pudo
recibirlo).

Lo incierto, por tipo (al arrancar, una línea de registro con las cuentas de cada uno):
- anuncios (`anuncio_id`): nunca se reenvían; quedan `incierto` y se cuentan en su anuncio.
  Repetir un anuncio a miles molesta más que perder unos pocos, que el personal ve contados.
- avisos personales (prioridad 0: «tienes tu lugar», cambio de fecha, cancelación): tras una
  caída vuelven a `pendiente` y se reenvían (si no han vencido). Perderlos cuesta un lugar o un
  viaje en balde; recibirlos dos veces solo repite la misma noticia.
- recordatorios y lo demás (encuestas, avisos de cooperativas): quedan `incierto`, no se
  repiten: un recordatorio duplicado con sus botones confunde, y cada sesión tiene varios.
Durante la marcha, un envío sin respuesta a tiempo queda `incierto` sea del tipo que sea: con
Telegram lento, reenviar en cada vuelta duplicaría una y otra vez.

Nada se tira porque la red se cayó: un error pasajero se reintenta con esperas que se duplican
(0.5 s, 1, 2... hasta `envios_espera_maxima`, 60 s por omisión) hasta que el envío sale o vence.
Cada fila puede traer su `vence_en` (un recordatorio vence cuando empieza su sesión): cuando le
toca y ya venció, queda `vencido` y no se manda. Sin `vence_en`, se reintenta siempre.

Un corte frena a toda la cola, no fila por fila: al primer error pasajero la cola se pausa
(devuelve a `pendiente` lo tomado que aún no salía) y luego prueba con UN envío a la vez,
duplicando la pausa entre pruebas (hasta el tope). Las pruebas van por turnos (cada fila
pendiente una vez por vuelta, por prioridad): una fila que falla sola (un chat que da 5xx) no
frena a las demás. El primer envío que sale (o cualquier respuesta de Telegram) reabre la cola a
toda velocidad. Un corte confirmado (fallan dos pruebas seguidas) deja UN aviso en el registro y
una nota al terminar, no uno por fila ni por intento.

Límites de Telegram: un solo presupuesto para todo el bot. Con `presupuesto` (el `Presupuesto`
de `nucleo.ritmo` que usan las respuestas; `Coopera.iniciar` lo comparte), cada envío toma su
lugar con prioridad `EN_BLOQUE` antes de salir: las respuestas a quien usa el bot pasan primero
y la cola usa lo que quede. `envios_por_segundo` es además un tope propio de la cola
(COOPERA_ENVIOS_POR_SEGUNDO; por omisión, todo el presupuesto). Un 429 de un envío en bloque
pausa solo la cola, nunca las respuestas. A cada chat, 1 por segundo: un lote nunca lleva dos
filas de un mismo chat ni de uno que recibió algo hace menos de un segundo; esas esperan sin
frenar a las demás (una difusión de un mensaje por chat no espera nunca por eso).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
import warnings
from collections import deque
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiosqlite
import httpx
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter  # lo que arma Bot._post
from telegram.warnings import PTBDeprecationWarning

from nucleo.almacen import Almacen
from nucleo.almacen.envios import EnvioNuevo, EnvioPendiente
from nucleo.cliente_http import ClienteHTTP, parece_respuesta_buena
from nucleo.configuracion import Configuracion
from nucleo.reloj import Reloj
from nucleo.ritmo import EN_BLOQUE, LIMITE_PAGADO, LIMITE_TELEGRAM, Presupuesto

__all__ = ["Despachador", "EnvioNuevo", "limite_en_vuelo"]

registro = logging.getLogger("coopera.envios")

EN_VUELO = 8  # filas `enviando` a la vez a 30/s (el tope sin pagar): ~250 ms de ida y vuelta
IDA_Y_VUELTA = 0.25  # s; arriba de 30/s, el límite en vuelo cubre esto a la tasa del presupuesto
TOMAR_POR = 0.1  # s; cada lote toma las filas de este tiempo (a 1,000/s, 100; a 30/s, 3)
ESCRIBIR_CADA = 0.02  # s; los envíos buenos se anotan juntos, a lo más con esta demora
ESPERA_BASE = 0.5  # s; se duplica en cada reintento: 0.5, 1, 2, 4... hasta el tope
ESPERA_RESPUESTA = 15.0  # s; si Telegram no contesta en este tiempo, el envío queda incierto
MARGEN = 0.02  # s de holgura sobre las ventanas de Telegram
PAUSA_TOKEN = 60.0  # s; un token rechazado no se arregla solo: no martillar a Telegram
SIESTA_MAXIMA = 30.0  # s; aunque nadie avise, se vuelve a mirar la cola
SIN_VISTA_PREVIA = json.dumps({"is_disabled": True})
METODO_DE_MEDIO = {"foto": ("sendPhoto", "photo"), "documento": ("sendDocument", "document")}



def limite_en_vuelo(por_segundo: float) -> int:
    """Cuántas filas pueden estar `enviando` a la vez a esta tasa: lo que cubre una ida y
    vuelta (y lo más que queda a medias si el proceso muere). A 30/s o menos, `EN_VUELO`."""
    if por_segundo <= LIMITE_TELEGRAM:
        return EN_VUELO
    return max(EN_VUELO, math.ceil(min(por_segundo, LIMITE_PAGADO) * IDA_Y_VUELTA))


# Qué hacer con cada error (ver `_que_hacer`).
PAUSAR, INALCANZABLE, REINTENTAR, INCIERTO, FALLIDO, TOKEN = (
    "pausar", "inalcanzable", "reintentar", "incierto", "fallido", "token")


@dataclass
class _Corte:
    """Un corte en curso: Telegram no responde (o contesta 5xx). Mientras dura, la cola manda de
    a un envío y la pausa entre pruebas se duplica."""

    desde: float  # monotónico: el primer error
    error: str  # la clase del primer error (nada del texto ni de la persona)
    pruebas_fallidas: int  # escala la pausa de la cola
    ultimo_fallo: float  # lo que salió antes de esto es el mismo tropiezo: no escala
    fallos: int = 1  # envíos que fallaron durante el corte (cada uno vuelve a la cola)
    inciertos: int = 0
    vencidos: int = 0
    probados: set[int] = field(default_factory=set)  # filas ya probadas en esta vuelta

    @property
    def confirmado(self) -> bool:
        """Falló también una prueba hecha después del primer error: no es un tropiezo suelto
        (un chat que da 5xx), Telegram no responde."""
        return self.pruebas_fallidas >= 2


class _ChatsOcupados:
    """Los chats a los que no se escribe ahora (ver `Despachador._chats_ocupados`), sin
    juntarlos en una lista nueva: a 1,000/s son miles y se miran una vez por fila."""

    __slots__ = ("_grupos",)

    def __init__(self, *grupos: Container[int | str]) -> None:
        self._grupos = grupos

    def __contains__(self, chat: object) -> bool:
        return any(chat in grupo for grupo in self._grupos)


class Despachador:
    """La cola de envíos: `encolar()` desde cualquier parte; un trabajador la vacía a su ritmo.

    `reloj` pone las fechas en la base y decide qué venció; `reloj_monotono` mide las ventanas
    de tasas y las esperas. `espera_respuesta`: cuánto esperar a Telegram antes de dar el envío
    por incierto. `espera_base` y `espera_maxima` (por omisión `config.envios_espera_maxima`):
    la primera espera tras un error pasajero y su tope.
    """

    def __init__(self, config: Configuracion, almacen: Almacen, reloj: Reloj, *,
                 reloj_monotono: Callable[[], float] = time.monotonic,
                 espera_respuesta: float = ESPERA_RESPUESTA,
                 espera_base: float = ESPERA_BASE,
                 espera_maxima: float | None = None,
                 presupuesto: Presupuesto | None = None) -> None:
        self._config, self._almacen, self._reloj = config, almacen, reloj
        self._monotono = reloj_monotono
        self._espera_respuesta = espera_respuesta
        self._espera_base = espera_base
        self._espera_maxima = (config.envios_espera_maxima if espera_maxima is None
                               else espera_maxima)
        # Ventana deslizante: hasta `_por_ventana` envíos cada `_ventana` segundos.
        por_segundo = min(config.envios_por_segundo, LIMITE_PAGADO)
        self._por_ventana = max(1, math.floor(por_segundo))
        self._ventana = self._por_ventana / por_segundo
        # El presupuesto compartido con las respuestas (apagado: solo el tope propio).
        self._presupuesto = presupuesto if presupuesto is not None and presupuesto.activo else None
        tasa = por_segundo if self._presupuesto is None else min(
            por_segundo, self._presupuesto.por_segundo)
        # Sin ritmo (COOPERA_MENSAJES_POR_SEGUNDO=0, solo para mediciones) no hay tasa de la
        # cual sacar el límite: se queda el de 30/s, como lo que queda a medias por caída.
        sin_ritmo = presupuesto is not None and not presupuesto.activo
        self.limite = limite_en_vuelo(  # filas `enviando` a la vez, como mucho
            LIMITE_TELEGRAM if sin_ritmo else tasa)
        self._lote = max(1, min(self.limite, math.ceil(tasa * TOMAR_POR)))
        # Por arriba de 30/s Telegram solo deja pasar la difusión pagada: cada envío en bloque
        # lleva allow_paid_broadcast (se cobra en Stars del saldo del bot).
        self._pagado = tasa > LIMITE_TELEGRAM
        self._terminados: deque[float] = deque()  # cuándo acabó cada envío reciente
        # Cada fila `enviando` en disco está en `_tomados` hasta que su resultado se escribe:
        # en `_listos` (tomada, aún sin salir), en `_en_vuelo` o en `_por_escribir`.
        self._tomados: dict[int, EnvioPendiente] = {}
        self._listos: deque[EnvioPendiente] = deque()
        self._en_vuelo: dict[int, asyncio.Task[None]] = {}
        self._por_escribir: list[tuple[int, int, Any]] = []
        self._escritor: asyncio.Task[None] | None = None
        self._tomando = False
        self._tomador: asyncio.Task[float] | None = None
        self._chats_tomados: set[int] = set()
        self._chat_libre: dict[int, float] = {}  # chat → desde cuándo se le puede escribir
        self._reintentar_en: dict[int, float] = {}  # id del envío → desde cuándo reintentar
        self._pausa_hasta = 0.0
        self._corte: _Corte | None = None
        self._aviso = asyncio.Event()
        self._esperando_turno = False
        self._parando = False
        self._bot: Bot | None = None
        self._pedido: _PeticionDeLaCola | None = None
        self._trabajador: asyncio.Task[None] | None = None

    # --- ciclo de vida ----------------------------------------------------------

    async def iniciar(self) -> None:
        por_tipo = await self._almacen.marcar_envios_inciertos()
        if por_tipo:
            registro.warning(
                "%d envíos quedaron a medias en la caída anterior: %s. Los avisos personales "
                "se reenvían; lo demás queda incierto y no se repite.",
                sum(n for n, _ in por_tipo.values()),
                ", ".join(f"{tipo} {n}" + (f" ({r} se reenvían)" if r else "")
                          for tipo, (n, r) in sorted(por_tipo.items())))
        # Telegram sigue contando lo que el proceso anterior mandó en su último segundo.
        ultimo = await self._almacen.ultimo_enviado_en()
        if por_tipo or (ultimo and ultimo > self._reloj.ahora() - timedelta(seconds=2)):
            self._pausar(self._ventana + MARGEN)
        self._bot = self._crear_bot()
        await self._bot.initialize()
        self._parando = False
        self._trabajador = asyncio.create_task(self._trabajar(), name="despachador")

    async def detener(self) -> None:
        """Deja terminar lo que está en vuelo (para anotar cómo acabó), devuelve a `pendiente`
        lo tomado que no salió, luego cierra."""
        self._parando = True
        self._aviso.set()
        if self._trabajador is not None:
            # Esperando lugar en el presupuesto no tiene nada en vuelo: se cancela. Si no, ve
            # `_parando` antes de volver a esperar (no hay pausa entre mirarlo y esperar).
            cancelado = self._esperando_turno
            if cancelado:
                self._trabajador.cancel()
            try:
                await self._trabajador
            except asyncio.CancelledError:
                if not cancelado:
                    raise
            self._trabajador = None
        if self._tomador is not None:
            await self._tomador
        if self._en_vuelo:
            await asyncio.wait(list(self._en_vuelo.values()),
                               timeout=self._espera_respuesta + 5)
        await self._devolver_listos()
        await self._escribir_ya()
        if self._bot is not None:
            await self._bot.shutdown()
            self._bot, self._pedido = None, None

    def _crear_bot(self) -> Bot:
        """El Bot de la cola, con una conexión por fila en vuelo (y dos de sobra)."""
        self._pedido = _PeticionDeLaCola(
            connection_pool_size=self.limite + 2, read_timeout=self._espera_respuesta,
            write_timeout=10.0, connect_timeout=5.0, pool_timeout=5.0)
        opciones = {"base_url": self._config.url_base} if self._config.url_base else {}
        return Bot(self._config.token.valor(), request=self._pedido, **opciones)

    # --- encolar ----------------------------------------------------------------

    async def encolar(self, envios: Sequence[EnvioNuevo], *,
                      bd: aiosqlite.Connection | None = None) -> int:
        """Encola en una transacción; devuelve cuántos entraron (no cuenta claves repetidas ni
        personas inalcanzables o sin consentimiento). Con `bd`, dentro de esa transacción
        abierta: el trabajador no verá las filas hasta que se confirme."""
        ahora = self._reloj.ahora()
        if bd is not None:
            nuevos = await self._almacen.insertar_envios(bd, envios, ahora)
        else:
            async with self._almacen.transaccion() as abierta:
                nuevos = await self._almacen.insertar_envios(abierta, envios, ahora)
        if nuevos:
            self._aviso.set()
        return nuevos

    def despertar(self) -> None:
        """Que el trabajador mire la cola ya: lo encolado dentro de una transacción ajena
        solo se ve cuando esa transacción se confirma."""
        self._aviso.set()

    async def cuentas(self) -> dict[str, int]:
        """Cuántos envíos hay en cada estado (`incierto`, `vencido`...), para el personal y las
        mediciones."""
        return await self._almacen.cuenta_envios()

    @property
    def en_corte(self) -> bool:
        """Si la cola cree que Telegram no responde (manda de a uno, con pausas)."""
        return self._corte is not None

    async def vaciar(self, timeout: float = 30) -> None:
        """Espera a que no quede nada pendiente, en vuelo ni por anotar (para pruebas y
        mediciones)."""
        async with asyncio.timeout(timeout):
            while True:
                if not (self._tomando or self._tomados):
                    pendientes = await self._almacen.envios_pendientes()
                    # Mientras se contaba, la cola pudo tomar filas (ya no «pendientes», aún
                    # sin anotar): se mira otra vez lo que tiene en la mano.
                    if not (pendientes or self._tomando or self._tomados):
                        return
                await asyncio.sleep(0.02)

    # --- el trabajador ----------------------------------------------------------

    async def _trabajar(self) -> None:
        while not self._parando:
            try:
                espera = await self._lanzar_siguiente()
            except Exception:  # la base falló: el trabajador no debe morir por eso
                registro.exception("Falló la cola de envíos; se reintenta en 1 s")
                espera = 1.0
            if espera > 0:
                await self._dormir(espera)

    async def _lanzar_siguiente(self) -> float:
        """Lanza un envío si se puede (toma un lote de filas si no hay ninguna lista).
        Devuelve cuánto esperar antes de volver a mirar (0: seguir ya; inf: hasta que alguien
        avise)."""
        self._aviso.clear()  # un aviso a partir de aquí despierta la siesta que siga
        ahora = self._monotono()
        espera = self._espera_por_limites(ahora)
        if espera > 0 or self._parando:
            return espera
        if not self._listos:
            espera = await asyncio.shield(self._pedir_lote(ahora))
            if not self._listos:
                return espera
        elif len(self._listos) <= self._lote // 2 and self._corte is None:
            self._pedir_lote(ahora)  # el siguiente lote se toma mientras salen estas
        con_turno = False
        if self._presupuesto is not None:
            self._esperando_turno = True
            try:
                await self._presupuesto.tomar(EN_BLOQUE)
            finally:
                self._esperando_turno = False
            con_turno = True
            ahora = self._monotono()
        try:
            espera = 0.0 if self._parando else self._espera_por_limites(ahora)
            if espera > 0 or self._parando or not self._listos:
                return espera
            envio = self._listos.popleft()
            if (self._presupuesto is not None
                    and self._presupuesto.chat_libre_desde(envio.telegram_id) > ahora):
                # Mientras esperaba, una respuesta empezó a escribirle a ese chat: la fila
                # vuelve como estaba y se respeta su segundo.
                await self._devolver([envio])
                return 0.0
            if self._presupuesto is not None:
                self._presupuesto.ocupar_chat(envio.telegram_id, math.inf)
            self._en_vuelo[envio.id] = asyncio.create_task(
                self._enviar(envio, ahora, con_turno=con_turno))
            con_turno = False  # el envío lo suelta al terminar
            return 0.0
        finally:
            if con_turno:
                self._presupuesto.soltar(conto=False)

    def _pedir_lote(self, ahora: float) -> asyncio.Task[float]:
        """La tarea que toma el siguiente lote (una a la vez: nunca dos lotes se pisan)."""
        if self._tomador is None or self._tomador.done():
            self._tomador = asyncio.create_task(self._tomar_lote(ahora))
        return self._tomador

    async def _tomar_lote(self, ahora: float) -> float:
        """Toma un lote de filas (las deja `enviando` en una sentencia) y las pone en
        `_listos`. Si no tomó nada, devuelve cuánto esperar antes de volver a mirar."""
        try:
            return await self._tomar_lote_ya(ahora)
        except Exception:  # la base falló: el trabajador no debe morir por eso
            registro.exception("Falló la cola de envíos al tomar filas; se reintenta en 1 s")
            return 1.0

    async def _tomar_lote_ya(self, ahora: float) -> float:
        libres = self.limite - len(self._tomados)
        if libres <= 0:
            return math.inf  # al escribirse un resultado, avisa
        # No más de lo que cabe ya en la ventana: lo urgente que llegue mientras tanto no
        # queda detrás de filas tomadas que esperan lugar.
        sitio = (self._por_ventana - len(self._terminados) - len(self._en_vuelo)
                 - len(self._listos))
        if sitio <= 0 and self._listos:
            return 0.0  # lo que ya está listo llena la ventana
        cuantos = 1 if self._corte is not None else max(1, min(libres, self._lote, sitio))
        # Entre tomar las filas (ya no están «pendientes») y anotarlas hay una espera:
        # `_tomando` evita que vaciar() crea en ese instante que no queda nada.
        self._tomando = True
        try:
            await self._vencer()
            tomados = await self._almacen.tomar_envios(
                cuantos, self._chats_ocupados(ahora), self._en_espera(ahora))
            if not tomados and self._corte is not None and self._corte.probados:
                self._corte.probados.clear()  # todas probadas: empieza otra vuelta
                tomados = await self._almacen.tomar_envios(
                    cuantos, self._chats_ocupados(ahora), self._en_espera(ahora))
            for envio in tomados:
                self._tomados[envio.id] = envio
                self._chats_tomados.add(envio.telegram_id)
            self._listos.extend(tomados)
        finally:
            self._tomando = False
        return 0.0 if tomados else self._proximo_desbloqueo(ahora)

    async def _devolver(self, envios: Sequence[EnvioPendiente]) -> None:
        """Filas tomadas que no llegaron a salir: vuelven a `pendiente` como estaban."""
        for envio in envios:
            self._tomados.pop(envio.id, None)
            self._chats_tomados.discard(envio.telegram_id)
        try:
            await self._almacen.envios_no_intentados([e.id for e in envios])
        finally:
            self._aviso.set()

    async def _devolver_listos(self) -> None:
        listos = list(self._listos)
        self._listos.clear()
        if listos:
            await self._devolver(listos)

    async def _vencer(self) -> None:
        """Lo que ya venció sin salir queda `vencido`: no se manda."""
        vencidos = await self._almacen.vencer_envios(self._reloj.ahora())
        if not vencidos:
            return
        if self._corte is not None and self._corte.confirmado:
            self._corte.vencidos += vencidos  # se cuenta en la nota del fin del corte
        else:
            registro.warning("%d envíos vencieron sin haber salido: quedan como vencidos y no "
                             "se mandan.", vencidos)

    async def _dormir(self, segundos: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(segundos, SIESTA_MAXIMA)):
                await self._aviso.wait()

    def _espera_por_limites(self, ahora: float) -> float:
        if self._pausa_hasta > ahora:
            return self._pausa_hasta - ahora
        if self._corte is not None and self._en_vuelo:
            return math.inf  # durante un corte, de a uno: al terminar, avisa
        if len(self._en_vuelo) >= self.limite:
            return math.inf  # al terminar uno, avisa
        # Se cuenta el final de cada envío (no su inicio): Telegram lo anotó antes de contestar,
        # así nuestra cuenta nunca es menor que la suya aunque la red tarde distinto.
        while self._terminados and self._terminados[0] <= ahora - self._ventana - MARGEN:
            self._terminados.popleft()
        sobran = len(self._terminados) + len(self._en_vuelo) - self._por_ventana
        if sobran < 0:
            return 0.0
        if sobran >= len(self._terminados):
            return math.inf
        return self._terminados[sobran] + self._ventana + MARGEN - ahora

    def _chats_ocupados(self, ahora: float) -> _ChatsOcupados:
        """Los chats a los que no se escribe ahora: con una fila tomada, con un mensaje hace
        menos de un segundo, o a los que una respuesta acaba de escribir (o escribe ahora)."""
        self._chat_libre = {c: t for c, t in self._chat_libre.items() if t > ahora}
        compartidos = (self._presupuesto.chats_ocupados() if self._presupuesto is not None
                       else {})
        return _ChatsOcupados(self._chats_tomados, self._chat_libre, compartidos)

    def _en_espera(self, ahora: float) -> set[int]:
        self._reintentar_en = {i: t for i, t in self._reintentar_en.items() if t > ahora}
        probados = self._corte.probados if self._corte is not None else set()
        return probados.union(self._reintentar_en)

    def _proximo_desbloqueo(self, ahora: float) -> float:
        momentos = [*self._chat_libre.values(), *self._reintentar_en.values()]
        if self._presupuesto is not None:  # un chat con una respuesta en vuelo: mirar pronto
            momentos += [min(t, ahora + 0.05)
                         for t in self._presupuesto.chats_ocupados().values()]
        return max(min(momentos) - ahora, 0.001) if momentos else math.inf

    # --- un envío -----------------------------------------------------------------

    async def _enviar(self, envio: EnvioPendiente, inicio: float, *,
                      con_turno: bool = False) -> None:
        """Manda una fila tomada en `inicio` (monotónico) y anota cómo acabó. `con_turno`: ocupa
        un lugar del presupuesto compartido, que se suelta en cuanto Telegram contesta."""
        salio = False
        escrito = False
        try:
            error: Exception | None = None
            try:
                message_id = await self._mandar(envio)
            except Exception as e:  # se clasifica abajo; nada se pierde sin anotarse
                error = e
            accion = None if error is None else _que_hacer(error)
            # El chat espera su segundo si el mensaje llegó (o pudo llegar); lo que ni salió
            # no cuenta en la ventana de Telegram.
            salio = error is None or not _no_salio(error)
            self._anotar_fin(envio.telegram_id, llego=error is None or accion == INCIERTO,
                             salio=salio)
            if con_turno:
                con_turno = False
                self._presupuesto.soltar(conto=salio)
            if error is None:
                self._respondio(inicio)
                self._por_escribir.append((envio.id, message_id, self._reloj.ahora()))
                escrito = True  # lo quita de `_tomados` el escritor, ya escrito
                if self._escritor is None or self._escritor.done():
                    self._escritor = asyncio.create_task(self._escribir())
            else:
                await self._anotar_error(envio, error, accion, inicio)
        except Exception:  # la base falló al anotar: la fila queda `enviando` → incierto
            registro.exception("No se pudo anotar el resultado del envío %d", envio.id)
        finally:
            if con_turno:
                self._presupuesto.soltar(conto=salio)
            if (self._presupuesto is not None
                    and math.isinf(self._presupuesto.chat_libre_desde(envio.telegram_id))):
                self._presupuesto.ocupar_chat(envio.telegram_id, 0.0)  # no quedó anotado
            self._en_vuelo.pop(envio.id, None)
            # El chat queda ocupado hasta anotar el resultado: tras un 403, sus demás filas
            # ya están `inalcanzable` cuando otro lote mira la cola.
            self._chats_tomados.discard(envio.telegram_id)
            if not escrito:
                self._tomados.pop(envio.id, None)
            self._aviso.set()

    async def _mandar(self, envio: EnvioPendiente) -> int:
        """La petición a la Bot API; devuelve el message_id. Se arma y se lee a mano (sin los
        objetos de PTB: a 1,000/s, leer cada Message costaba ~0.5 ms); los errores son los
        mismos de PTB (`BaseRequest.post`)."""
        datos: dict[str, Any] = {"chat_id": envio.telegram_id, "parse_mode": ParseMode.HTML}
        if envio.medio_tipo is None:
            metodo = "sendMessage"
            datos |= {"text": envio.texto, "link_preview_options": SIN_VISTA_PREVIA}
        else:
            metodo, campo = METODO_DE_MEDIO[envio.medio_tipo]
            datos |= {campo: envio.medio_id, "caption": envio.texto}
        if envio.botones:
            datos["reply_markup"] = _teclado_json(envio.botones)
        if self._pagado:
            datos["allow_paid_broadcast"] = True
        resultado = await self._pedido.post(
            f"{self._bot.base_url}/{metodo}",
            RequestData([RequestParameter(clave, valor, None) for clave, valor in datos.items()]))
        return int(resultado["message_id"])

    async def _escribir(self) -> None:
        """Anota juntos los envíos buenos que terminaron en los últimos `ESCRIBIR_CADA` s."""
        await asyncio.sleep(ESCRIBIR_CADA)
        await self._escribir_ya()

    async def _escribir_ya(self) -> None:
        while self._por_escribir:
            lote, self._por_escribir = self._por_escribir, []
            try:
                await self._almacen.envios_enviados(lote)
            except Exception:  # quedan `enviando` → inciertos al arrancar; no se repiten
                registro.exception("No se pudieron anotar %d envíos hechos", len(lote))
            finally:
                for envio_id, _, _ in lote:
                    self._tomados.pop(envio_id, None)
                self._aviso.set()

    def _anotar_fin(self, chat_id: int, *, llego: bool, salio: bool) -> None:
        fin = self._monotono()
        if salio:  # cuenta aunque fallara: ser conservadores no cuesta
            self._terminados.append(fin)
        if llego:
            self._chat_libre[chat_id] = fin + 1.0 + MARGEN
        if self._presupuesto is not None:
            self._presupuesto.ocupar_chat(chat_id, fin + 1.0 + MARGEN if llego else 0.0)

    async def _anotar_error(self, envio: EnvioPendiente, error: Exception, accion: str,
                            inicio: float) -> None:
        nombre = type(error).__name__  # solo la clase: nada del texto ni de la persona
        if accion == PAUSAR:
            self._respondio(inicio)
            self._pausar(_segundos(error))
            registro.warning("Telegram pide esperar (envío %d): la cola se pausa", envio.id)
            await self._almacen.envio_devuelto(envio.id, nombre, cuenta=False)
        elif accion == TOKEN:
            self._pausar(PAUSA_TOKEN)
            registro.error("Telegram rechazó el token; la cola se pausa %s s", PAUSA_TOKEN)
            await self._almacen.envio_devuelto(envio.id, nombre, cuenta=False)
        elif accion == INALCANZABLE:
            self._respondio(inicio)
            await self._almacen.envio_inalcanzable(envio.id, envio.telegram_id,
                                                   self._reloj.ahora())
        elif accion == REINTENTAR:
            # No llegó a procesarse: vuelve a la cola, sin límite de intentos (hasta que venza).
            corte = self._fallo_pasajero(inicio, nombre)
            corte.probados.add(envio.id)  # la siguiente prueba, con otra fila
            self._reintentar_en[envio.id] = self._monotono() + self._espera(envio.intentos)
            await self._almacen.envio_devuelto(envio.id, nombre, cuenta=True)
            await self._devolver_listos()  # en el corte se prueba de a una
        elif accion == INCIERTO:
            # Pudo llegar: no se repite. Pero avisa que algo anda mal: la cola se frena.
            self._fallo_pasajero(inicio, nombre).inciertos += 1
            registro.warning("Envío %d: incierto (%s): pudo llegar; no se repite", envio.id,
                             nombre)
            await self._almacen.envio_terminado_sin_enviar(envio.id, INCIERTO, nombre)
            await self._devolver_listos()
        else:
            if isinstance(error, TelegramError):
                self._respondio(inicio)
            registro.warning("Envío %d: fallido (%s)", envio.id, nombre)
            await self._almacen.envio_terminado_sin_enviar(envio.id, FALLIDO, nombre)

    # --- cortes -------------------------------------------------------------------------

    def _espera(self, veces: int) -> float:
        """La espera tras `veces` fallos seguidos: la base, duplicada, hasta el tope."""
        return min(self._espera_base * 2 ** min(max(veces - 1, 0), 40), self._espera_maxima)

    def _fallo_pasajero(self, inicio: float, nombre: str) -> _Corte:
        """Un envío que salió en `inicio` no obtuvo respuesta útil: la cola entera se pausa.
        Los envíos que ya iban en camino cuando empezó el corte no escalan la pausa.
        Devuelve el corte en curso (abierto aquí si no había)."""
        ahora = self._monotono()
        corte = self._corte
        if corte is None:
            self._corte = _Corte(desde=ahora, error=nombre, pruebas_fallidas=1,
                                 ultimo_fallo=ahora)
            self._pausar(self._espera(1))
            return self._corte
        corte.fallos += 1
        if inicio < corte.ultimo_fallo:
            return corte  # ya iba en camino: es el mismo tropiezo
        corte.pruebas_fallidas += 1
        corte.ultimo_fallo = ahora
        self._pausar(self._espera(corte.pruebas_fallidas))
        if corte.pruebas_fallidas == 2:
            registro.warning(
                "Telegram no responde (%s): la cola de envíos se pausa y prueba de uno en uno, "
                "con esperas de hasta %s s. Nada se descarta mientras no venza.",
                corte.error, self._espera_maxima)
        return corte

    def _respondio(self, inicio: float) -> None:
        """Telegram contestó a un envío que salió en `inicio`: si había un corte, terminó."""
        corte = self._corte
        if corte is None or inicio < corte.desde:
            return
        self._corte = None
        if not corte.confirmado:
            # Un tropiezo suelto: la fila que falló (quizá un chat con 5xx) espera su turno.
            return
        self._reintentar_en.clear()  # lo que esperaba por el corte sale ya, por prioridad
        registro.info(
            "Telegram volvió a responder tras %.1f s de corte (%s): %d envíos fallidos volvieron "
            "a la cola, %d inciertos, %d vencidos. La cola sigue a su ritmo.",
            self._monotono() - corte.desde, corte.error, corte.fallos, corte.inciertos,
            corte.vencidos)

    def _pausar(self, segundos: float) -> None:
        self._pausa_hasta = max(self._pausa_hasta, self._monotono() + segundos)


class RespuestaAjena(NetworkError):
    """Contestó con 200 algo que no es JSON (la página HTML de un proxy o de un portal cautivo).
    La Bot API siempre contesta JSON: quien contestó no era Telegram y la petición no llegó a
    procesarse. Se reintenta."""


class RespuestaRota(NetworkError):
    """Contestó con 200 un JSON roto o sin la forma de la Bot API (`{"ok": false}` sin
    `error_code`, sin `result`). Pudo pasar por Telegram y romperse en el camino: incierto."""


class _PeticionDeLaCola(ClienteHTTP):
    """El cliente HTTP del bot (`nucleo/cliente_http.py`), para la cola:

    - sin el ERROR (con el cuerpo entero) que PTB registra por cada respuesta que no es JSON,
      como la página HTML del 502 del proxy de Telegram: en un corte saldría uno por intento.
      La cola ya deja un aviso por corte; el error se clasifica igual.
    - una respuesta 200 que no es de la Bot API lanza `RespuestaAjena` o `RespuestaRota` (PTB
      la tomaba por un error cualquiera y la fila quedaba `fallido` para siempre).
    """

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        try:
            return json.loads(payload.decode("utf-8", "replace"))
        except ValueError as error:
            raise _ilegible(payload) from error

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        codigo, cuerpo = await super().do_request(*args, **kwargs)
        if 200 <= codigo <= 299 and not parece_respuesta_buena(cuerpo):
            try:
                datos = json.loads(cuerpo.decode("utf-8", "replace"))
            except ValueError as error:
                raise _ilegible(cuerpo) from error
            if not (isinstance(datos, dict) and datos.get("ok") is True and "result" in datos):
                raise RespuestaRota("La respuesta no tiene la forma de la Bot API")
        return codigo, cuerpo


def _ilegible(cuerpo: bytes) -> NetworkError:
    """El error de un cuerpo que no se pudo leer como JSON (sin el cuerpo: puede traer datos)."""
    if cuerpo.lstrip()[:1] in (b"{", b"["):
        return RespuestaRota("JSON roto en la respuesta")
    return RespuestaAjena("La respuesta no es JSON: no contestó la Bot API")


def _que_hacer(error: Exception) -> str:
    """Clasifica un error de envío. Solo se reintenta lo que seguro no llegó a Telegram:
    un 429 (PAUSAR), un 5xx contestado, una petición que ni salió o una respuesta que no es
    de la Bot API (REINTENTAR)."""
    if isinstance(error, RetryAfter):
        return PAUSAR
    if isinstance(error, Forbidden):
        return INALCANZABLE
    if isinstance(error, InvalidToken):
        return TOKEN
    if isinstance(error, RespuestaAjena):
        return REINTENTAR
    if isinstance(error, RespuestaRota):
        return INCIERTO
    if isinstance(error, TimedOut):
        # Sin conexión del pool o sin poder conectar: la petición no salió. Si no contestó a
        # tiempo ya conectados, Telegram pudo recibirla: reintentar podría duplicar.
        return REINTENTAR if _no_salio(error) else INCIERTO
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # Sin causa httpx: Telegram (o su proxy) contestó un 5xx y no lo procesó; si el cuerpo
        # no era JSON (la página HTML de un 502), la causa es el error de leerlo.
        # ConnectError: ni se conectó. Otra causa httpx (lectura cortada...): pudo llegar.
        causa = error.__cause__
        contesto = causa is None or isinstance(causa, TelegramError)
        return REINTENTAR if contesto or _no_salio(error) else INCIERTO
    # BadRequest y demás errores de Telegram no mejoran al repetir; un error que no es de
    # Telegram ocurrió antes de salir (p. ej. al armar el teclado): no hubo petición.
    return FALLIDO


def _no_salio(error: Exception) -> bool:
    """La petición no llegó a salir: no hubo conexión (rechazada, sin lugar en el pool o sin
    poder conectar a tiempo). Telegram no la vio."""
    return isinstance(error, NetworkError) and isinstance(
        error.__cause__, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _segundos(error: RetryAfter) -> float:
    # `retry_after` avisa que pasará de int a timedelta; aceptamos ambos, sin el aviso.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        espera = error.retry_after
    return espera.total_seconds() if isinstance(espera, timedelta) else float(espera)


def _teclado_json(botones: list[list[tuple[str, str]]]) -> str:
    """El reply_markup de botones en línea, como lo pide la Bot API."""
    return json.dumps({"inline_keyboard": [
        [{"text": texto, "callback_data": datos} for texto, datos in fila] for fila in botones]},
        ensure_ascii=False)
