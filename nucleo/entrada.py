"""La entrada de actualizaciones: nada de lo que una persona manda se pierde si el proceso muere,
y una persona lenta no frena a las demás.

- `Entrada` pide las actualizaciones a Telegram (getUpdates, sondeo largo) y las guarda en
  SQLite, tal como llegaron, ANTES de confirmarlas (la confirmación es el `offset` del
  siguiente getUpdates). Luego las pone en la cola de PTB. Al arrancar, lo que quedó en el
  buzón por una caída se atiende primero, en orden. Si Telegram falla, reintenta pronto (medio
  segundo, luego más espaciado, nunca más de 5 s) y deja una sola línea por falla en el registro.
- `ProcesadorPorChat` atiende en orden lo de cada chat (lo necesita ConversationHandler) y los
  chats a la vez, hasta `MAX_SIMULTANEAS`. Tras cada actualización guarda el paso de las
  conversaciones y solo entonces la borra del buzón.
- `ColaDeEntrada` cuenta cuántas veces está en la cola cada actualización: un flujo que se
  interrumpe la vuelve a poner para que la atienda otro handler, y solo se borra del buzón
  cuando se terminó la última vez.

Lo que se atendió pero no alcanzó a borrarse cuando el proceso murió se atiende dos veces; esa
ventana es solo guardar el paso y borrar una fila (milisegundos), y las acciones comunes
responden bien a la repetición («ya dejaste tu lugar», «ya tienes tu lugar»).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, BaseUpdateProcessor

from nucleo.almacen import Almacen
from nucleo.cliente_http import ClienteHTTP, parece_respuesta_buena
from nucleo.reloj import Reloj

registro = logging.getLogger("coopera.entrada")

# Cuántas actualizaciones se atienden a la vez (de chats distintos).
MAX_SIMULTANEAS = 64
# Cuántas pueden esperar su turno dentro del procesador (las demás esperan en la cola de PTB).
MAX_EN_ESPERA = 4096
# Segundos que Telegram sostiene abierto cada getUpdates si no hay nada nuevo.
ESPERA_SONDEO = 10
# Una actualización que ya tumbó el arranque tantas veces se descarta (con aviso en el registro).
MAX_INTENTOS = 5
# Telegram guarda las actualizaciones sin confirmar 24 horas: lo recibido hace más ya no vuelve.
VIGENCIA_CONFIRMACION = timedelta(hours=24)
# Esperas entre intentos de getUpdates cuando Telegram falla (ver `espera_tras_fallos`).
ESPERA_MINIMA = 0.5
ESPERA_MAXIMA = 5.0

# Tiempos de las peticiones interactivas (responder a una persona): cortos, para que una
# petición colgada falle pronto en vez de dejar a esa persona esperando.
TIEMPO_CONEXION = 3.0
TIEMPO_LECTURA = 5.0
TIEMPO_ESCRITURA = 5.0
TIEMPO_TURNO_CONEXION = 3.0  # esperar una conexión libre del grupo
TIEMPO_ESCRITURA_ARCHIVOS = 20.0
CONEXIONES = 256


def espera_tras_fallos(fallos: int) -> float:
    """Segundos antes de volver a pedir actualizaciones tras `fallos` fallas seguidas.

    Un 502 de Telegram suele durar poco: las primeras 8 veces se reintenta cada medio segundo
    (getUpdates es una petición ligera); luego la espera se duplica hasta 5 s. Así, cuando
    Telegram vuelve, el bot oye a la gente a más tardar 5 s después."""
    return min(ESPERA_MAXIMA, ESPERA_MINIMA * 2 ** max(0, fallos - 8))


class _RespuestasRaras(ClienteHTTP):
    """El cliente HTTP del bot (`nucleo/cliente_http.py`), que además trata como falla de red
    (NetworkError, pasajera: se reintenta) lo que no es una respuesta de la Bot API: una página
    HTML o JSON cortado (aun con estado 200) y un 200 sin `result` (`{"ok": false}`). PTB lanzaría
    un TelegramError genérico o un KeyError (que el bot tomaría por un error suyo) y registraría
    un ERROR con el cuerpo entero por cada petición; aquí no se registra nada: quien llama deja
    una línea por corte.

    Se hace en `do_request`, que es lo que llama `nucleo.instancia.SolicitudVigilada` cuando
    envuelve a esta petición."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        codigo, contenido = await super().do_request(*args, **kwargs)
        url = str(kwargs.get("url", args[0] if args else ""))
        if "/file/bot" in url and 200 <= codigo <= 299:
            return codigo, contenido  # la descarga de un archivo (getFile): sus bytes tal cual
        exito = 200 <= codigo <= 299
        if exito and parece_respuesta_buena(contenido):
            return codigo, contenido  # lo normal, sin leer el JSON dos veces
        try:
            datos = json.loads(contenido.decode("utf-8", "replace"))
        except ValueError:
            datos = None
        if exito and (not isinstance(datos, dict) or datos.get("ok") is not True
                      or "result" not in datos):
            raise NetworkError("Telegram contestó con estado 200 algo que no es una respuesta "
                               "de la Bot API (¿un proxy?)")
        if not exito and not isinstance(datos, dict):  # la página HTML de un 502, por ejemplo
            descripcion = f"Telegram contestó {codigo} con algo que no es JSON (¿un proxy?)"
            contenido = json.dumps({"ok": False, "error_code": codigo,
                                    "description": descripcion}).encode()
        return codigo, contenido


def peticion_interactiva() -> ClienteHTTP:
    """Las peticiones con las que se contesta a las personas: tiempos cortos."""
    return _RespuestasRaras(
        connection_pool_size=CONEXIONES, connect_timeout=TIEMPO_CONEXION,
        read_timeout=TIEMPO_LECTURA, write_timeout=TIEMPO_ESCRITURA,
        pool_timeout=TIEMPO_TURNO_CONEXION, media_write_timeout=TIEMPO_ESCRITURA_ARCHIVOS)


class PeticionSondeo(_RespuestasRaras):
    """La petición de getUpdates. Además de lo que hace PTB, guarda el JSON de cada
    actualización tal como llegó (PTB lo convierte en objetos): eso es lo que va al buzón.
    Se lee en `do_request`, así sirve también envuelta (`nucleo.instancia.SolicitudVigilada`).

    PTB suma la espera del sondeo (`ESPERA_SONDEO`) al tiempo de lectura."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1, connect_timeout=TIEMPO_CONEXION,
                         read_timeout=TIEMPO_LECTURA, write_timeout=TIEMPO_ESCRITURA,
                         pool_timeout=TIEMPO_TURNO_CONEXION)
        self._crudas: dict[int, str] = {}

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        codigo, contenido = await super().do_request(*args, **kwargs)
        self._crudas = _crudas(contenido) if codigo == 200 else {}
        return codigo, contenido

    def tomar_crudas(self) -> dict[int, str]:
        """El JSON de las actualizaciones de la última respuesta (y lo olvida)."""
        crudas, self._crudas = self._crudas, {}
        return crudas


def _crudas(contenido: bytes) -> dict[int, str]:
    """update_id → JSON de cada actualización de una respuesta de getUpdates."""
    try:
        resultado = json.loads(contenido).get("result")
    except (ValueError, AttributeError):
        return {}
    if not isinstance(resultado, list):
        return {}
    return {u["update_id"]: json.dumps(u, ensure_ascii=False)
            for u in resultado if isinstance(u, dict) and isinstance(u.get("update_id"), int)}


class ColaDeEntrada(asyncio.Queue):
    """La cola de actualizaciones de PTB, que además cuenta cuántas veces está cada una (por
    update_id) entre la cola y el procesador: una actualización se borra del buzón solo cuando
    termina la última vez que se atiende."""

    def __init__(self) -> None:
        super().__init__()
        self._veces: Counter[int] = Counter()

    def put_nowait(self, item: Any) -> None:  # `put` también pasa por aquí
        if isinstance(item, Update):
            self._veces[item.update_id] += 1
        super().put_nowait(item)

    def en_cola(self, update_id: int) -> bool:
        """Ya está en la cola o atendiéndose (un webhook que Telegram repite)."""
        return self._veces[update_id] > 0 if update_id in self._veces else False

    def terminada(self, update_id: int) -> bool:
        """Una vuelta de `update_id` terminó; True si ya no queda ninguna pendiente."""
        self._veces[update_id] -= 1
        if self._veces[update_id] > 0:
            return False
        del self._veces[update_id]
        return True


def clave_de_orden(update: object) -> int | None:
    """Lo que debe atenderse en orden: lo del mismo chat (o, sin chat, de la misma persona)."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class ProcesadorPorChat(BaseUpdateProcessor):
    """En orden dentro de cada chat, varios chats a la vez (hasta `MAX_SIMULTANEAS`).

    Tras cada actualización guarda el paso de las conversaciones en SQLite y la borra del
    buzón. `update_persistence` de PTB se llama desde varias tareas a la vez: PTB las pone en
    fila con su propio candado, y cada escritura de `PersistenciaSQLite` es una sentencia
    atómica que espera a las transacciones abiertas (`Almacen._ejecutar`)."""

    def __init__(self, almacen: Almacen, cola: ColaDeEntrada,
                 simultaneas: int = MAX_SIMULTANEAS) -> None:
        # El semáforo de PTB solo limita cuántas esperan aquí dentro; el cupo real es `_cupo`,
        # que se pide ya con el turno del chat: una persona con muchas actualizaciones en fila
        # no ocupa el cupo de las demás.
        super().__init__(max_concurrent_updates=MAX_EN_ESPERA)
        self._almacen, self._cola = almacen, cola
        self._cupo = asyncio.Semaphore(simultaneas)
        self._ultima_de: dict[int, asyncio.Future[None]] = {}
        self.aplicacion: Application | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        clave = clave_de_orden(update)
        anterior = self._ultima_de.get(clave) if clave is not None else None
        turno: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if clave is not None:
            self._ultima_de[clave] = turno
        try:
            if anterior is not None:
                await anterior  # la anterior del mismo chat terminó (nunca falla)
            async with self._cupo:
                try:
                    await coroutine
                finally:
                    await self._al_terminar(update)
        finally:
            if inspect.iscoroutine(coroutine) and \
                    inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:
                coroutine.close()  # cancelada antes de empezar: sin aviso de «never awaited»
            turno.set_result(None)
            if clave is not None and self._ultima_de.get(clave) is turno:
                del self._ultima_de[clave]

    async def _al_terminar(self, update: object) -> None:
        try:
            if self.aplicacion is not None:
                await self.aplicacion.update_persistence()
        finally:
            if isinstance(update, Update) and self._cola.terminada(update.update_id):
                await self._almacen.borrar_entrada(update.update_id)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class Entrada:
    """Pide las actualizaciones a Telegram, las guarda antes de confirmarlas y las pasa a PTB.

    Si Telegram rechaza el token con el bot corriendo, aquí solo se sigue intentando cada 5 s:
    quien decide terminar el proceso es `nucleo.instancia.SolicitudVigilada` (ve el 401)."""

    def __init__(self, aplicacion: Application, almacen: Almacen, reloj: Reloj,
                 peticion: PeticionSondeo, *, intervalo: float = 0.0,
                 espera_sondeo: int = ESPERA_SONDEO) -> None:
        self._aplicacion, self._almacen, self._reloj = aplicacion, almacen, reloj
        self._peticion = peticion
        self._intervalo, self._espera_sondeo = intervalo, espera_sondeo
        self._offset: int | None = None
        self._tarea: asyncio.Task[None] | None = None

    @property
    def corriendo(self) -> bool:
        return self._tarea is not None and not self._tarea.done()

    async def iniciar(self, *, sondear: bool = True) -> None:
        """Atiende lo que quedó en el buzón (en orden) y empieza a pedir lo nuevo (con
        `sondear=False`, en modo webhook, lo nuevo llega por `recibir`)."""
        pendientes = await self._almacen.pendientes_de_entrada(MAX_INTENTOS)
        if pendientes.descartadas:
            registro.warning("Descarté %d actualizaciones que ya habían fallado %d arranques.",
                             pendientes.descartadas, MAX_INTENTOS)
        for update_id, datos in pendientes.filas:
            try:
                update = Update.de_json(json.loads(datos), self._aplicacion.bot)
            except Exception as error:  # guardada por otra versión del bot, o dañada
                registro.warning("Descarté la actualización %d del buzón: no se puede leer "
                                 "(%s).", update_id, type(error).__name__)
                await self._almacen.borrar_entrada(update_id)
                continue
            await self._aplicacion.update_queue.put(update)
        if pendientes.filas:
            registro.info("Atiendo %d actualizaciones que quedaron sin terminar al caerse.",
                          len(pendientes.filas))
        recibida = await self._almacen.ultima_recibida()
        if recibida is not None and \
                self._reloj.ahora() - recibida.recibida_en < VIGENCIA_CONFIRMACION:
            self._offset = recibida.update_id + 1  # confirma lo ya guardado
        if sondear:
            self._tarea = asyncio.create_task(self._sondear(), name="coopera:entrada")

    async def recibir(self, cruda: str) -> bool:
        """Una actualización que llegó por webhook (el JSON tal como vino): la guarda en el
        buzón y la pone en la cola. Devuelve False si no es una actualización (no guarda nada).
        Quien llama contesta 200 a Telegram solo después: si el proceso muere antes de
        atenderla, se atiende al arrancar; si lanza (la base falló), Telegram la reintenta."""
        try:
            datos = json.loads(cruda)
            update = Update.de_json(datos, self._aplicacion.bot)
        except Exception:
            return False
        if not isinstance(datos, dict) or not isinstance(datos.get("update_id"), int) \
                or update is None:
            return False
        cola = self._aplicacion.update_queue
        if isinstance(cola, ColaDeEntrada) and cola.en_cola(update.update_id):
            return True  # Telegram la repitió mientras se atendía: una vez basta
        await self._almacen.guardar_entrada([(update.update_id, cruda)], self._reloj.ahora())
        await cola.put(update)
        return True

    async def detener(self) -> None:
        """Deja de pedir actualizaciones. Lo ya puesto en la cola lo termina PTB al detenerse;
        lo guardado que no alcanzó a entrar en la cola se atiende al próximo arranque."""
        tarea, self._tarea = self._tarea, None
        if tarea is not None:
            tarea.cancel()
            await asyncio.wait([tarea])

    async def _sondear(self) -> None:
        falla = _Falla()
        while True:
            try:
                # Tras una falla, una pregunta sin espera: si Telegram ya volvió, se sabe (y se
                # dice en el registro) al instante, no al terminar un sondeo largo vacío.
                await self._una_vuelta(0 if falla.fallos else self._espera_sondeo)
            except asyncio.CancelledError:
                raise
            except InvalidToken:
                if falla.contar():
                    registro.warning("Telegram rechazó el token del bot: no puedo recoger "
                                     "mensajes. Revisa TELEGRAM_BOT_TOKEN.")
                await asyncio.sleep(ESPERA_MAXIMA)
                continue
            except Exception as error:  # la red, Telegram o la base: se reintenta
                if falla.contar():
                    if isinstance(error, TelegramError):
                        registro.warning("No puedo recoger mensajes de Telegram (%s); sigo "
                                         "intentando.", _describir(error))
                    else:  # no se pudo guardar: no se confirma nada y se vuelve a pedir
                        registro.error("No pude guardar los mensajes recibidos; no los confirmo "
                                       "y vuelvo a intentar.", exc_info=error)
                espera = espera_tras_fallos(falla.fallos)
                if isinstance(error, RetryAfter):
                    espera = max(espera, _segundos(error.retry_after))
                await asyncio.sleep(espera)
                continue
            if falla.fallos:
                registro.info("Ya recojo mensajes otra vez: %d intentos fallidos en %.1f s.",
                              falla.fallos, falla.duracion())
                falla = _Falla()
            if self._intervalo > 0:
                await asyncio.sleep(self._intervalo)

    async def _una_vuelta(self, espera: int) -> None:
        """Un getUpdates: lo que llega se guarda y luego entra en la cola. La confirmación a
        Telegram es el offset del siguiente getUpdates, que ya va después de guardar."""
        self._peticion.tomar_crudas()
        actualizaciones = await self._aplicacion.bot.get_updates(
            offset=self._offset, timeout=espera,
            allowed_updates=Update.ALL_TYPES)
        if not actualizaciones:
            return
        crudas = self._peticion.tomar_crudas()
        lote = [(u.update_id, crudas.get(u.update_id) or json.dumps(u.to_dict()))
                for u in actualizaciones]
        await self._almacen.guardar_entrada(lote, self._reloj.ahora())
        for update in actualizaciones:
            await self._aplicacion.update_queue.put(update)
        self._offset = max(u.update_id for u in actualizaciones) + 1


class _Falla:
    """Una racha de fallas seguidas al pedir actualizaciones (para una sola línea por falla)."""

    def __init__(self) -> None:
        self.fallos = 0
        self._inicio = 0.0

    def contar(self) -> bool:
        """Cuenta una falla; True si es la primera de la racha (la que se registra)."""
        self.fallos += 1
        if self.fallos == 1:
            self._inicio = time.monotonic()
        return self.fallos == 1

    def duracion(self) -> float:
        return time.monotonic() - self._inicio


def _describir(error: BaseException) -> str:
    # Solo el tipo y el texto corto de Telegram: nunca el contenido de una actualización.
    texto = str(error)
    return f"{type(error).__name__}: {texto[:120]}" if texto else type(error).__name__


def _segundos(valor: float | timedelta) -> float:
    return valor.total_seconds() if isinstance(valor, timedelta) else float(valor)
