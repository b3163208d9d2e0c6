"""El cliente HTTP con que el bot habla con la Bot API: HTTP/1.1 sobre asyncio, con conexiones
que se reutilizan, y nada más.

Por qué no el HTTPXRequest de PTB: medido con cProfile (bench/RESULTS.md), httpx y httpcore eran
más de la mitad de la CPU de cada actualización. Cada petición arma objetos de petición y
respuesta, pasa por capas de autenticación, redirecciones y eventos, y el grupo de conexiones de
httpcore revisa TODAS sus conexiones (una llamada al sistema por cada una) antes de elegir. La
Bot API solo necesita esto: un POST con un formulario y una respuesta JSON.

Lo que hace igual que HTTPXRequest, para que nada de arriba cambie:

- los mismos tiempos (conexión, escritura, lectura, espera de turno) con los mismos valores por
  omisión, y el tiempo de lectura cuenta entre trozo y trozo, no para la respuesta entera;
- los mismos errores de PTB con la misma causa de httpx (`TimedOut` desde `httpx.ReadTimeout`,
  `NetworkError` desde `httpx.ConnectError`...): la cola (`nucleo/envios.py`) y el ritmo
  (`nucleo/ritmo.py`) deciden por esa causa si la petición salió o no;
- el mismo cuerpo (formulario `application/x-www-form-urlencoded`) y el mismo User-Agent.

Lo que no hace lo deja a un HTTPXRequest de PTB, que se arma solo si hace falta: subir archivos
(multipart) y salir por un proxy puesto en el entorno (HTTPS_PROXY, ALL_PROXY...).
"""

from __future__ import annotations

import asyncio
import re
import select
import ssl
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._baserequest import DefaultValue  # el mismo que usa HTTPXRequest

# Un origen: (esquema, host, puerto).
Origen = tuple[str, str, int]

_TROZO = 65536
_SIN_TURNO = ("Pool timeout: All connections in the connection pool are occupied. Request was "
              "*not* sent to Telegram. Consider adjusting the connection pool size or the pool "
              "timeout.")
_contexto_tls: ssl.SSLContext | None = None


def contexto_tls() -> ssl.SSLContext:
    """El contexto TLS de todas las conexiones (el de httpx: certificados de certifi). Se arma
    una vez: leer los certificados cuesta ~20 ms."""
    global _contexto_tls
    if _contexto_tls is None:
        _contexto_tls = httpx.create_ssl_context()
    return _contexto_tls


_RESPUESTA_BUENA = re.compile(rb'\s*\{\s*"ok"\s*:\s*true\s*,\s*"result"\s*:')


def parece_respuesta_buena(cuerpo: bytes) -> bool:
    """¿Es, a simple vista, una respuesta exitosa y entera de la Bot API (`{"ok": true,
    "result": …}`)? Lo normal: así se evita leer el JSON dos veces (PTB lo lee después). Si
    no, quien llama lo lee para saber qué es."""
    return bool(_RESPUESTA_BUENA.match(cuerpo)) and cuerpo.rstrip().endswith(b"}")


class _Cortada(Exception):
    """El servidor cerró o mandó algo que no es HTTP/1.1 (se convierte en RemoteProtocolError)."""


@dataclass(eq=False)
class _Conexion:
    """Una conexión abierta (en `ClienteHTTP._ociosas` bajo su origen, o en uso)."""

    lector: asyncio.StreamReader
    escritor: asyncio.StreamWriter
    descriptor: int = field(init=False)

    def __post_init__(self) -> None:
        conector = self.escritor.get_extra_info("socket")
        self.descriptor = conector.fileno() if conector is not None else -1

    def sigue_viva(self) -> bool:
        """¿Se puede volver a usar? No si el servidor ya la cerró o mandó algo sin que se le
        pidiera (eso, en una conexión ociosa, es que la cerró). Una sola llamada al sistema, y
        solo para la conexión que se va a usar."""
        if self.escritor.transport.is_closing() or self.lector.at_eof():
            return False
        # Lo que el ciclo ya leyó sin que se pidiera (un «408» antes de cerrar, por ejemplo) no
        # es la respuesta de la próxima petición. `_buffer` es de CPython; sin él, no se mira.
        if getattr(self.lector, "_buffer", None) or self.lector.exception() is not None:
            return False
        if self.descriptor < 0:
            return True
        sondeo = select.poll()
        sondeo.register(self.descriptor, select.POLLIN)
        return not sondeo.poll(0)

    def cerrar(self) -> None:
        self.escritor.close()


class ClienteHTTP(BaseRequest):
    """Una `BaseRequest` de PTB con su propio grupo de conexiones HTTP/1.1 (ver el módulo).

    `connection_pool_size` es el máximo de conexiones abiertas a la vez: la petición que no
    encuentra lugar espera su turno hasta `pool_timeout` y luego falla sin haber salido."""

    def __init__(self, connection_pool_size: int = 1, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0
                 ) -> None:
        self._tamano = connection_pool_size
        self._tiempos = {"read": read_timeout, "write": write_timeout,
                         "connect": connect_timeout, "pool": pool_timeout}
        self._tiempo_escritura_archivos = media_write_timeout
        self._ociosas: dict[Origen, list[_Conexion]] = {}
        self._turnos = asyncio.Semaphore(connection_pool_size)
        self._en_uso: set[_Conexion] = set()
        self._por_httpx: HTTPXRequest | None = None
        self._con_proxy: dict[Origen, bool] = {}
        self._cerrado = False

    @property
    def read_timeout(self) -> float | None:
        return self._tiempos["read"]

    async def initialize(self) -> None:
        self._cerrado = False
        if self._por_httpx is not None:
            await self._por_httpx.initialize()

    async def shutdown(self) -> None:
        """Cierra las conexiones (las ociosas y las que están a media petición)."""
        self._cerrado = True
        ociosas = [c for lista in self._ociosas.values() for c in lista]
        self._ociosas.clear()
        conexiones = ociosas + list(self._en_uso)
        for conexion in conexiones:
            conexion.cerrar()
        # Que el ciclo alcance a soltar los sockets (si no, «unclosed transport» al salir).
        with suppress(TimeoutError, OSError, ssl.SSLError):
            async with asyncio.timeout(2):
                await asyncio.gather(*(c.escritor.wait_closed() for c in conexiones),
                                     return_exceptions=True)
        if self._por_httpx is not None:
            await self._por_httpx.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._cerrado:
            raise RuntimeError("Este ClienteHTTP no está inicializado")
        partes = urllib.parse.urlsplit(url)
        origen = (partes.scheme, partes.hostname or "",
                  partes.port or (443 if partes.scheme == "https" else 80))
        archivos = request_data is not None and request_data.contains_files
        if archivos or self._por_proxy(origen):
            return await self._httpx().do_request(
                url, method, request_data, read_timeout=read_timeout,
                write_timeout=write_timeout, connect_timeout=connect_timeout,
                pool_timeout=pool_timeout)
        lectura = self._tiempo(read_timeout, "read")
        escritura = self._tiempo(write_timeout, "write")
        ruta = partes.path or "/"
        if partes.query:
            ruta += "?" + partes.query
        if not ruta.isascii():  # como httpx: lo que no es ASCII va con %
            ruta = urllib.parse.quote(ruta, safe="/?&=%:@!$'()*+,;~")
        parametros = request_data.json_parameters if request_data is not None else None
        cuerpo = urllib.parse.urlencode(parametros).encode("ascii") if parametros else b""
        pedido = self._cabecera(method, ruta, origen, cuerpo) + cuerpo

        await self._esperar_turno(self._tiempo(pool_timeout, "pool"))
        conexion = None
        try:
            conexion = await self._conexion(origen, self._tiempo(connect_timeout, "connect"))
            codigo, respuesta, reutilizable = await self._intercambiar(
                conexion, pedido, method, escritura, lectura)
        except BaseException:
            if conexion is not None:  # a media petición: no se sabe en qué quedó
                self._descartar(conexion)
            self._turnos.release()
            raise
        self._en_uso.discard(conexion)
        if reutilizable and not self._cerrado:
            self._ociosas.setdefault(origen, []).append(conexion)
        else:
            conexion.cerrar()
        self._turnos.release()
        return codigo, respuesta

    # --- el grupo ----------------------------------------------------------------------------

    def _tiempo(self, dado: Any, cual: str) -> float | None:
        return self._tiempos[cual] if isinstance(dado, DefaultValue) else dado

    async def _esperar_turno(self, plazo: float | None) -> None:
        if not self._turnos.locked():
            await self._turnos.acquire()  # hay lugar: no suelta el ciclo
            return
        try:
            async with asyncio.timeout(plazo):
                await self._turnos.acquire()
        except TimeoutError:
            raise TimedOut(_SIN_TURNO) from httpx.PoolTimeout(_SIN_TURNO)

    async def _conexion(self, origen: Origen, plazo: float | None) -> _Conexion:
        """Una conexión ociosa viva a ese origen (la más reciente) o una nueva."""
        ociosas = self._ociosas.get(origen)
        while ociosas:
            conexion = ociosas.pop()
            if conexion.sigue_viva():
                self._en_uso.add(conexion)
                return conexion
            conexion.cerrar()
        abiertas = len(self._en_uso) + sum(map(len, self._ociosas.values()))
        if abiertas >= self._tamano:  # lugar ocupado por una ociosa de otro origen
            lista = next(lista for lista in self._ociosas.values() if lista)
            lista.pop(0).cerrar()
        esquema, host, puerto = origen
        tls = contexto_tls() if esquema == "https" else None
        try:
            async with asyncio.timeout(plazo):
                lector, escritor = await asyncio.open_connection(
                    host, puerto, ssl=tls, server_hostname=host if tls else None, limit=_TROZO)
        except TimeoutError:
            raise TimedOut from httpx.ConnectTimeout(f"No conectó en {plazo} s")
        except (OSError, ssl.SSLError) as error:
            raise NetworkError(f"httpx.ConnectError: {error}") from httpx.ConnectError(
                str(error))
        conexion = _Conexion(lector, escritor)
        self._en_uso.add(conexion)
        return conexion

    def _descartar(self, conexion: _Conexion) -> None:
        self._en_uso.discard(conexion)
        conexion.escritor.transport.abort()

    def _por_proxy(self, origen: Origen) -> bool:
        """¿El entorno pide salir por un proxy hacia ese origen? (Lo mismo que httpx.)"""
        if origen not in self._con_proxy:
            proxies = urllib.request.getproxies_environment()
            self._con_proxy[origen] = bool(
                (proxies.get(origen[0]) or proxies.get("all"))
                and not urllib.request.proxy_bypass_environment(origen[1], proxies))
        return self._con_proxy[origen]

    def _httpx(self) -> HTTPXRequest:
        if self._por_httpx is None:
            self._por_httpx = HTTPXRequest(
                connection_pool_size=self._tamano, read_timeout=self._tiempos["read"],
                write_timeout=self._tiempos["write"], connect_timeout=self._tiempos["connect"],
                pool_timeout=self._tiempos["pool"],
                media_write_timeout=self._tiempo_escritura_archivos)
        return self._por_httpx

    # --- una petición y su respuesta -----------------------------------------------------------

    def _cabecera(self, metodo: str, ruta: str, origen: Origen, cuerpo: bytes) -> bytes:
        esquema, host, puerto = origen
        if ":" in host:
            host = f"[{host}]"  # IPv6
        anfitrion = host if puerto == (443 if esquema == "https" else 80) else f"{host}:{puerto}"
        lineas = [f"{metodo} {ruta} HTTP/1.1", f"Host: {anfitrion}", "Accept: */*",
                  "Accept-Encoding: gzip, deflate", "Connection: keep-alive",
                  f"User-Agent: {self.USER_AGENT}"]
        if metodo not in ("GET", "HEAD") or cuerpo:
            lineas += ["Content-Type: application/x-www-form-urlencoded",
                       f"Content-Length: {len(cuerpo)}"]
        return ("\r\n".join(lineas) + "\r\n\r\n").encode("ascii")

    async def _intercambiar(self, conexion: _Conexion, pedido: bytes, metodo: str,
                            escritura: float | None, lectura: float | None
                            ) -> tuple[int, bytes, bool]:
        """Manda la petición y lee la respuesta: (estado, cuerpo, ¿se puede reutilizar?)."""
        escritor = conexion.escritor
        with _errores_de("escritura"):
            escritor.write(pedido)
            if escritor.transport.get_write_buffer_size():
                async with asyncio.timeout(escritura):
                    await escritor.drain()
        with _errores_de("lectura"):
            async with asyncio.timeout(lectura) as plazo:
                return await _leer_respuesta(conexion.lector, metodo, plazo, lectura)


async def _leer_respuesta(lector: asyncio.StreamReader, metodo: str, plazo: asyncio.Timeout,
                          lectura: float | None) -> tuple[int, bytes, bool]:
    """Lee una respuesta HTTP/1.1. `plazo` se renueva con cada trozo que llega (como httpx:
    el tiempo de lectura es entre trozo y trozo)."""

    def renovar() -> None:
        if lectura is not None:
            plazo.reschedule(asyncio.get_running_loop().time() + lectura)

    while True:
        try:
            cabecera = await lector.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            raise _Cortada("Server disconnected without sending a response."
                           if not error.partial else "El servidor cortó la cabecera") from None
        except asyncio.LimitOverrunError:
            raise _Cortada("Cabecera de respuesta demasiado larga") from None
        lineas = cabecera.decode("latin-1").split("\r\n")
        partes = lineas[0].split(" ", 2)
        if len(partes) < 2 or not partes[0].startswith("HTTP/1.") or not partes[1].isdigit():
            raise _Cortada(f"Línea de estado inválida: {lineas[0][:80]!r}")
        codigo, version = int(partes[1]), partes[0]
        if codigo >= 200 or codigo == 101:
            break
        renovar()  # 100 Continue y demás respuestas informativas: viene otra cabecera
    campos: dict[str, str] = {}
    for linea in lineas[1:]:
        if linea:
            nombre, _, valor = linea.partition(":")
            campos[nombre.strip().lower()] = valor.strip()
    conexion = campos.get("connection", "").lower()
    reutilizable = "close" not in conexion and (version != "HTTP/1.0" or "keep-alive" in conexion)

    if metodo == "HEAD" or codigo in (204, 304):
        cuerpo = b""
    elif "chunked" in campos.get("transfer-encoding", "").lower():
        cuerpo = await _leer_trozos(lector, renovar)
    elif "content-length" in campos:
        try:
            largo = int(campos["content-length"])
        except ValueError:
            raise _Cortada("Content-Length inválido") from None
        cuerpo = await _leer_exacto(lector, largo, renovar)
    else:  # sin largo: hasta que el servidor cierre
        reutilizable = False
        trozos = []
        while trozo := await lector.read(_TROZO):
            trozos.append(trozo)
            renovar()
        cuerpo = b"".join(trozos)
    codificacion = campos.get("content-encoding", "").lower()
    if codificacion in ("gzip", "deflate"):
        cuerpo = _descomprimir(cuerpo, codificacion)
    return codigo, cuerpo, reutilizable


def _descomprimir(cuerpo: bytes, codificacion: str) -> bytes:
    """gzip, o deflate con o sin su envoltura zlib (hay servidores de las dos formas)."""
    formas = [16 + zlib.MAX_WBITS] if codificacion == "gzip" else [zlib.MAX_WBITS, -zlib.MAX_WBITS]
    for bits in formas:
        try:
            return zlib.decompress(cuerpo, bits)
        except zlib.error:
            continue
    raise _Cortada(f"Cuerpo {codificacion} roto")


async def _leer_exacto(lector: asyncio.StreamReader, largo: int,
                      renovar: Callable[[], None]) -> bytes:
    if largo <= _TROZO:
        return await lector.readexactly(largo)
    trozos, falta = [], largo
    while falta:
        trozo = await lector.read(min(falta, _TROZO))
        if not trozo:
            raise asyncio.IncompleteReadError(b"".join(trozos), largo)
        trozos.append(trozo)
        falta -= len(trozo)
        renovar()
    return b"".join(trozos)


async def _leer_trozos(lector: asyncio.StreamReader, renovar: Callable[[], None]) -> bytes:
    trozos = []
    while True:
        linea = await lector.readuntil(b"\r\n")
        try:
            largo = int(linea.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _Cortada("Trozo con largo inválido") from None
        if largo == 0:
            while (await lector.readuntil(b"\r\n")) != b"\r\n":  # campos finales
                pass
            return b"".join(trozos)
        trozos.append(await _leer_exacto(lector, largo, renovar))
        if await lector.readexactly(2) != b"\r\n":
            raise _Cortada("Trozo sin su fin de línea")
        renovar()


@contextmanager
def _errores_de(fase: str) -> Iterator[None]:
    """Los errores de red, como los lanza HTTPXRequest: el de PTB con la causa de httpx."""
    try:
        yield
    except TimeoutError as error:
        causa = httpx.WriteTimeout if fase == "escritura" else httpx.ReadTimeout
        raise TimedOut from causa(str(error) or f"Tiempo de {fase} agotado")
    except _Cortada as error:
        raise NetworkError(f"httpx.RemoteProtocolError: {error}") from \
            httpx.RemoteProtocolError(str(error))
    except asyncio.IncompleteReadError as error:
        mensaje = "El servidor cortó la respuesta a la mitad"
        raise NetworkError(f"httpx.RemoteProtocolError: {mensaje}") from \
            httpx.RemoteProtocolError(f"{mensaje} ({len(error.partial)} bytes)")
    except (OSError, ssl.SSLError, asyncio.LimitOverrunError) as error:
        causa = httpx.WriteError if fase == "escritura" else httpx.ReadError
        raise NetworkError(f"httpx.{causa.__name__}: {error}") from causa(str(error))
