"""El cliente HTTP del bot (`nucleo/cliente_http.py`) contra servidores HTTP de verdad en
127.0.0.1: uno hecho aquí, que contesta lo que cada prueba pida (cortes, trozos, cierres), y el
emulador de la Bot API con un Bot de PTB.

Lo que importa: que haga lo mismo que el HTTPXRequest de PTB (mismo cuerpo, mismos errores con la
misma causa de httpx, de la que la cola decide si la petición salió) y que no abra más conexiones
de las debidas ni se quede con una rota."""

from __future__ import annotations

import asyncio
import gzip
import json
import shutil
import ssl
import subprocess
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo import cliente_http
from nucleo.cliente_http import ClienteHTTP
from nucleo.envios import INCIERTO, REINTENTAR, _que_hacer

OK = b'{"ok":true,"result":true}'
Atender = Callable[[bytes, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


def _respuesta(cuerpo: bytes = OK, *, estado: str = "200 OK", extra: str = "") -> bytes:
    return (f"HTTP/1.1 {estado}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(cuerpo)}\r\n{extra}\r\n").encode() + cuerpo


class Servidor:
    """Un servidor HTTP/1.1 mínimo. `atender(cabecera, lector, escritor)` contesta una petición
    y devuelve si la conexión sigue abierta. Cuenta conexiones y guarda lo que recibe."""

    def __init__(self, atender: Atender | None = None) -> None:
        self.atender = atender or self._ok
        self.conexiones = 0
        self.abiertas = 0
        self.max_abiertas = 0
        self.recibidas: list[tuple[bytes, bytes]] = []  # (cabecera, cuerpo)
        self.puerto = 0
        self._servidor: asyncio.Server | None = None
        self._atendiendo: set[asyncio.Task] = set()

    @staticmethod
    async def _ok(_cabecera: bytes, _lector: asyncio.StreamReader,
                  escritor: asyncio.StreamWriter) -> bool:
        escritor.write(_respuesta())
        return True

    async def _conexion(self, lector: asyncio.StreamReader,
                        escritor: asyncio.StreamWriter) -> None:
        self._atendiendo.add(asyncio.current_task())
        self.conexiones += 1
        self.abiertas += 1
        self.max_abiertas = max(self.max_abiertas, self.abiertas)
        try:
            while True:
                try:
                    cabecera = await lector.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                largo = 0
                for linea in cabecera.split(b"\r\n"):
                    if linea.lower().startswith(b"content-length:"):
                        largo = int(linea.split(b":")[1])
                cuerpo = await lector.readexactly(largo)
                self.recibidas.append((cabecera, cuerpo))
                if not await self.atender(cabecera, lector, escritor):
                    return
                await escritor.drain()
        except (asyncio.CancelledError, ConnectionError):
            return  # el servidor se apaga, o el cliente cortó
        finally:
            self.abiertas -= 1
            escritor.close()

    async def __aenter__(self) -> Servidor:
        self._servidor = await asyncio.start_server(self._conexion, "127.0.0.1", 0)
        self.puerto = self._servidor.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._servidor is not None
        self._servidor.close()
        for tarea in self._atendiendo:
            tarea.cancel()
        await asyncio.gather(*self._atendiendo, return_exceptions=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.puerto}/botTOKEN/sendMessage"


def _calla_la_primera() -> Atender:
    """Un servidor que a la primera petición no contesta nunca (un getUpdates largo, colgado)
    y a las demás contesta bien."""
    primera = True

    async def atender(_c: bytes, lector: asyncio.StreamReader,
                      escritor: asyncio.StreamWriter) -> bool:
        nonlocal primera
        if primera:
            primera = False
            await lector.read()
            return False
        escritor.write(_respuesta())
        return True

    return atender


@asynccontextmanager
async def cliente(**opciones: float) -> AsyncIterator[ClienteHTTP]:
    peticion = ClienteHTTP(**opciones)
    await peticion.initialize()
    try:
        yield peticion
    finally:
        await peticion.shutdown()


def _datos(**parametros: object) -> RequestData:
    return RequestData([RequestParameter.from_input(nombre, valor)
                        for nombre, valor in parametros.items()])


async def test_reutiliza_la_conexion_y_manda_el_mismo_cuerpo_que_httpx() -> None:
    """20 peticiones seguidas van por una sola conexión; el cuerpo es byte a byte el de httpx
    (formulario), también con acentos, emojis y un teclado en JSON."""
    datos = _datos(chat_id=42, text="Señora Peña: ¿mañana? 🌽 & 100% <b>", parse_mode="HTML",
                   reply_markup={"inline_keyboard": [[{"text": "Sí", "callback_data": "a=b&c"}]]})
    async with Servidor() as servidor:
        async with cliente() as propio:
            for _ in range(20):
                assert await propio.do_request(servidor.url, "POST", datos) == (200, OK)
            # Una ruta con acentos (el nombre de un archivo) sale con %, como la manda httpx.
            await propio.do_request(servidor.url.replace("sendMessage", "año ñ.csv"), "GET")
        assert servidor.conexiones == 1
        assert servidor.recibidas.pop()[0].startswith(b"GET /botTOKEN/a%C3%B1o%20%C3%B1.csv ")
        de_httpx = HTTPXRequest()
        await de_httpx.initialize()
        await de_httpx.do_request(servidor.url, "POST", datos)
        await de_httpx.shutdown()
    assert servidor.recibidas[0][1] == servidor.recibidas[-1][1]
    cabecera = servidor.recibidas[0][0].decode()
    assert cabecera.startswith("POST /botTOKEN/sendMessage HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{servidor.puerto}" in cabecera
    assert "Content-Type: application/x-www-form-urlencoded" in cabecera
    assert f"User-Agent: {ClienteHTTP.USER_AGENT}" in cabecera


async def test_no_abre_mas_conexiones_que_su_tamano() -> None:
    """Con lugar para 3 y 30 peticiones a la vez (el servidor tarda en contestar), nunca hay
    más de 3 conexiones abiertas y todas las peticiones terminan bien."""
    soltar = asyncio.Event()

    async def lento(_c: bytes, _l: asyncio.StreamReader, escritor: asyncio.StreamWriter) -> bool:
        await soltar.wait()
        escritor.write(_respuesta())
        return True

    async with Servidor(lento) as servidor, cliente(connection_pool_size=3,
                                                     pool_timeout=None) as propio:
        tareas = [asyncio.create_task(propio.do_request(servidor.url, "POST")) for _ in range(30)]
        while servidor.abiertas < 3:
            await asyncio.sleep(0)
        soltar.set()
        assert await asyncio.gather(*tareas) == [(200, OK)] * 30
    assert servidor.max_abiertas == 3
    assert servidor.conexiones == 3


async def test_sin_turno_falla_sin_haber_salido() -> None:
    """Con la única conexión ocupada, otra petición espera su turno y, vencido, falla con la
    causa que la cola lee como «no salió» (se puede reintentar)."""
    soltar = asyncio.Event()

    async def lento(_c: bytes, _l: asyncio.StreamReader, escritor: asyncio.StreamWriter) -> bool:
        await soltar.wait()
        escritor.write(_respuesta())
        return True

    async with Servidor(lento) as servidor, cliente(connection_pool_size=1) as propio:
        primera = asyncio.create_task(propio.do_request(servidor.url, "POST"))
        while not servidor.recibidas:
            await asyncio.sleep(0)
        with pytest.raises(TimedOut) as error:
            await propio.do_request(servidor.url, "POST", pool_timeout=0.01)
        assert isinstance(error.value.__cause__, httpx.PoolTimeout)
        assert _que_hacer(error.value) == REINTENTAR
        soltar.set()
        assert await primera == (200, OK)
        assert len(servidor.recibidas) == 1


async def test_conexion_cerrada_por_el_servidor_se_reemplaza() -> None:
    """El servidor cierra la conexión ociosa, avisa `Connection: close` o manda algo sin que se
    le pida: la siguiente petición abre otra sin error (y no toma lo que sobró por respuesta)."""
    veces = 0

    async def cierra(_c: bytes, _l: asyncio.StreamReader, escritor: asyncio.StreamWriter) -> bool:
        nonlocal veces
        veces += 1
        escritor.write(_respuesta(extra="Connection: close\r\n" if veces == 2 else ""))
        if veces == 3:  # contesta y, ociosa, manda un 408 sin que se le pida (y no cierra)
            await escritor.drain()
            await asyncio.sleep(0.005)
            escritor.write(_respuesta(b'{"ok":false}', estado="408 Request Timeout"))
        return veces != 1  # la primera: contesta y cierra sin avisar

    async with Servidor(cierra) as servidor, cliente() as propio:
        for _ in range(5):
            assert await propio.do_request(servidor.url, "POST") == (200, OK)
            await asyncio.sleep(0.02)  # que llegue el cierre, como entre dos mensajes
    assert servidor.conexiones == 4


@pytest.mark.parametrize("forma", ["trozos", "hasta_cerrar", "gzip", "deflate", "continuar"])
async def test_lee_todas_las_formas_de_respuesta(forma: str) -> None:
    cuerpo = json.dumps({"ok": True, "result": "x" * 200_000}).encode()

    async def contestar(_c: bytes, _l: asyncio.StreamReader,
                        escritor: asyncio.StreamWriter) -> bool:
        if forma == "trozos":
            escritor.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            for inicio in range(0, len(cuerpo), 70_000):
                trozo = cuerpo[inicio:inicio + 70_000]
                escritor.write(b"%x;x=y\r\n%s\r\n" % (len(trozo), trozo))
            escritor.write(b"0\r\nX-Fin: si\r\n\r\n")
            return True
        if forma == "hasta_cerrar":
            escritor.write(b"HTTP/1.1 200 OK\r\n\r\n" + cuerpo)
            return False
        if forma == "gzip":
            escritor.write(_respuesta(gzip.compress(cuerpo), extra="Content-Encoding: gzip\r\n"))
            return True
        if forma == "deflate":  # sin la envoltura zlib, como mandan algunos servidores
            crudo = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            comprimido = crudo.compress(cuerpo) + crudo.flush()
            escritor.write(_respuesta(comprimido, extra="Content-Encoding: deflate\r\n"))
            return True
        escritor.write(b"HTTP/1.1 100 Continue\r\n\r\n" + _respuesta(cuerpo))
        return True

    async with Servidor(contestar) as servidor, cliente() as propio:
        for _ in range(2):
            assert await propio.do_request(servidor.url, "POST") == (200, cuerpo)


async def test_los_errores_son_los_de_httpxrequest() -> None:
    """Mismos errores de PTB y misma causa de httpx que HTTPXRequest: la cola clasifica igual."""

    async def corta(_c: bytes, _l: asyncio.StreamReader, _e: asyncio.StreamWriter) -> bool:
        return False  # cierra sin contestar

    async def calla(_c: bytes, lector: asyncio.StreamReader, _e: asyncio.StreamWriter) -> bool:
        await lector.read()  # no contesta nunca
        return False

    async def a_medias(_c: bytes, _l: asyncio.StreamReader, escritor: asyncio.StreamWriter
                       ) -> bool:
        escritor.write(_respuesta()[:-5])
        return False

    async with Servidor(corta) as servidor, cliente() as propio:
        with pytest.raises(NetworkError) as error:
            await propio.do_request(servidor.url, "POST")
        assert isinstance(error.value.__cause__, httpx.RemoteProtocolError)
        assert _que_hacer(error.value) == INCIERTO
    async with Servidor(a_medias) as servidor, cliente() as propio:
        with pytest.raises(NetworkError) as error:
            await propio.do_request(servidor.url, "POST")
        assert isinstance(error.value.__cause__, httpx.RemoteProtocolError)
    async with Servidor(calla) as servidor, cliente(read_timeout=0.05) as propio:
        with pytest.raises(TimedOut) as error:
            await propio.do_request(servidor.url, "POST")
        assert isinstance(error.value.__cause__, httpx.ReadTimeout)
        assert _que_hacer(error.value) == INCIERTO
    async with cliente() as propio:  # el servidor ya no escucha: conexión rechazada
        with pytest.raises(NetworkError) as error:
            await propio.do_request(servidor.url, "POST")
        assert isinstance(error.value.__cause__, httpx.ConnectError)
        assert "httpx.ConnectError" in str(error.value)
        assert _que_hacer(error.value) == REINTENTAR


async def test_cancelar_a_media_peticion_no_deja_la_conexion_ni_el_turno() -> None:
    """Una petición cancelada (un getUpdates al apagar) suelta su turno y no devuelve al grupo
    una conexión con una respuesta pendiente."""
    async with Servidor(_calla_la_primera()) as servidor, cliente(connection_pool_size=1) as propio:
        tarea = asyncio.create_task(propio.do_request(servidor.url, "POST"))
        while not servidor.recibidas:
            await asyncio.sleep(0)
        tarea.cancel()
        with pytest.raises(asyncio.CancelledError):
            await tarea
        assert await propio.do_request(servidor.url, "POST", pool_timeout=1) == (200, OK)
    assert servidor.conexiones == 2


async def test_con_proxy_en_el_entorno_sale_por_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP_PROXY en el entorno: la petición sale por el proxy (la URL entera en la primera
    línea, como la manda httpx), igual que antes con HTTPXRequest."""
    async with Servidor() as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.puerto}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with cliente() as propio:
            codigo, _ = await propio.do_request("http://api.ejemplo.invalid/botT/getMe", "POST")
    assert codigo == 200
    assert proxy.recibidas[0][0].startswith(b"POST http://api.ejemplo.invalid/botT/getMe ")


def _certificado(carpeta: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("sin openssl para hacer un certificado de prueba")
    certificado, llave = carpeta / "cert.pem", carpeta / "llave.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(llave), "-out", str(certificado)],
                   check=True, capture_output=True)
    return certificado, llave


async def test_https_verifica_el_certificado(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Por HTTPS: con un certificado en que se confía, contesta; con uno desconocido, la
    conexión falla (no se salta la verificación)."""
    certificado, llave = _certificado(tmp_path)
    del_servidor = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    del_servidor.load_cert_chain(certificado, llave)
    servidor = Servidor()
    escucha = await asyncio.start_server(servidor._conexion, "127.0.0.1", 0, ssl=del_servidor)
    url = f"https://localhost:{escucha.sockets[0].getsockname()[1]}/botT/getMe"
    try:
        async with cliente() as propio:
            with pytest.raises(NetworkError) as error:
                await propio.do_request(url, "POST")
            assert isinstance(error.value.__cause__, httpx.ConnectError)
        confiado = ssl.create_default_context(cafile=str(certificado))
        monkeypatch.setattr(cliente_http, "_contexto_tls", confiado)
        async with cliente() as propio:
            for _ in range(3):
                assert await propio.do_request(url, "POST") == (200, OK)
        assert servidor.conexiones == 1  # una sola para las tres (la rechazada no llegó)
    finally:
        escucha.close()


async def test_un_bot_de_ptb_con_este_cliente_contra_el_emulador() -> None:
    """Un Bot de PTB con `ClienteHTTP` para todo: mensajes, un archivo (multipart, por httpx) y
    su descarga (GET)."""
    async with EmuladorBotAPI() as emulador:
        persona = UsuarioFicticio(7001, first_name="Ana")
        emulador.conocer(persona)
        bot = Bot(emulador.token, base_url=emulador.url_base,
                  base_file_url=emulador.url_archivos,
                  request=ClienteHTTP(connection_pool_size=4),
                  get_updates_request=ClienteHTTP())
        async with bot:
            mensaje = await bot.send_message(persona.id, "Hola, <b>Ana</b> 🌽", parse_mode="HTML")
            assert mensaje.text == "Hola, Ana 🌽"
            documento = await bot.send_document(persona.id, b"uno,dos\n1,2\n",
                                                filename="lista.csv")
            archivo = await bot.get_file(documento.document.file_id)
            assert bytes(await archivo.download_as_bytearray()) == b"uno,dos\n1,2\n"


async def test_apagar_con_una_peticion_en_curso_y_volver_a_encender() -> None:
    """Apagar corta la petición en curso (un getUpdates largo) con un error de red y cierra
    todo; al volver a inicializar, el mismo cliente abre conexiones nuevas y sigue."""
    async with Servidor(_calla_la_primera()) as servidor:
        propio = ClienteHTTP(connection_pool_size=1)
        await propio.initialize()
        larga = asyncio.create_task(propio.do_request(servidor.url, "POST"))
        while not servidor.recibidas:
            await asyncio.sleep(0)
        await propio.shutdown()
        with pytest.raises(NetworkError):
            await larga
        with pytest.raises(RuntimeError):
            await propio.do_request(servidor.url, "POST")
        await propio.initialize()
        assert await propio.do_request(servidor.url, "POST") == (200, OK)
        await propio.shutdown()
        while servidor.abiertas:
            await asyncio.sleep(0)
    assert servidor.conexiones == 2
