"""El proceso del bot como lo ve quien lo supervisa: el `bot.py` de verdad en otro proceso,
contra el emulador de la Bot API que corre en el de la prueba.

Un supervisor (systemd, un contenedor) debe poder fiarse del código de salida: 0 al detenerlo
con SIGTERM, 3 si Telegram rechaza el token, 4 si otro proceso usa la misma base; mientras
Telegram no conteste al arrancar, el bot espera y reintenta (una línea por intento). El token
no aparece nunca en lo que el proceso escribe, y la base es solo de su dueña (0700 y 0600).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import socket
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from telegram.error import InvalidToken, NetworkError, TimedOut

from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.instancia import (
    CandadoDeInstancia,
    OtraInstancia,
    TokenRechazado,
    conectar_con_telegram,
)

RAIZ = Path(__file__).resolve().parent.parent
# Con forma de token de verdad, y el emulador no lo conoce: getMe contesta 401.
TOKEN_AJENO = "987654321:AAEsecretoQueNoDebeVerseNuncaXyz0123456789"
PARTE_SECRETA = TOKEN_AJENO.split(":")[1]
# Segundos: lo que en la práctica tarda uno o dos, con holgura para una máquina cargada (las
# pruebas corren en paralelo). Pasado el plazo, el bot «se colgó» y la prueba falla.
PLAZO = 30.0
ANA = UsuarioFicticio(101, first_name="Ana", language_code="es")


class Proceso:
    """Un `python bot.py` en marcha: lo que escribe se va leyendo línea por línea."""

    def __init__(self, proceso: asyncio.subprocess.Process) -> None:
        self.proceso = proceso
        self.lineas_err: list[str] = []
        self.lineas_out: list[str] = []
        self._lectores = [
            asyncio.ensure_future(self._leer(proceso.stderr, self.lineas_err)),
            asyncio.ensure_future(self._leer(proceso.stdout, self.lineas_out)),
        ]

    @staticmethod
    async def _leer(flujo: asyncio.StreamReader, destino: list[str]) -> None:
        while linea := await flujo.readline():
            destino.append(linea.decode("utf-8", "replace").rstrip("\n"))

    @property
    def pid(self) -> int:
        return self.proceso.pid

    @property
    def salida(self) -> str:
        """stdout y stderr juntos."""
        return "\n".join(self.lineas_out + self.lineas_err)

    @property
    def stderr(self) -> str:
        return "\n".join(self.lineas_err)

    async def esperar_linea(self, patron: str, veces: int = 1) -> None:
        limite = time.monotonic() + PLAZO
        while sum(bool(re.search(patron, linea)) for linea in self.lineas_err) < veces:
            if self.proceso.returncode is not None or time.monotonic() > limite:
                await self.terminar(signal.SIGKILL)
                pytest.fail(f"El bot no escribió {patron!r} (x{veces}):\n{self.salida}")
            await asyncio.sleep(0.01)

    async def terminar(self, senal: int | None = None) -> int:
        """Manda la señal (si la hay) y espera a que salga; devuelve su código de salida."""
        if senal is not None and self.proceso.returncode is None:
            self.proceso.send_signal(senal)
        try:
            codigo = await asyncio.wait_for(self.proceso.wait(), PLAZO)
        except TimeoutError:
            self.proceso.kill()
            await self.proceso.wait()
            pytest.fail(f"El bot no terminó en {PLAZO} s:\n{self.salida}")
        await asyncio.gather(*self._lectores)
        return codigo


async def arrancar(tmp_path: Path, url_base: str, token: str, **entorno: str) -> Proceso:
    limpio = {k: v for k, v in os.environ.items()
              if not k.startswith(("TELEGRAM_", "COOPERA_"))}
    variables = {**limpio, "TELEGRAM_BASE_URL": url_base, "TELEGRAM_BOT_TOKEN": token,
                 "COOPERA_BD": str(tmp_path / "datos" / "coopera.sqlite3"),
                 "COOPERA_REINTENTO_MAXIMO": "0.2", **entorno}
    proceso = await asyncio.create_subprocess_exec(
        sys.executable, str(RAIZ / "bot.py"), cwd=tmp_path, env=variables,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, umask=0o002)  # una umask generosa: no debe importar
    return Proceso(proceso)


async def contesta(emulador: EmuladorBotAPI, usuario: UsuarioFicticio = ANA) -> None:
    """Alguien escribe /start y el bot le contesta."""
    antes = len(emulador.mensajes_del_bot(usuario.id))
    emulador.escribir(usuario, "/start")
    await esperar(lambda: len(emulador.mensajes_del_bot(usuario.id)) > antes)


async def esperar(condicion: Callable[[], bool]) -> None:
    limite = time.monotonic() + PLAZO
    while not condicion():
        assert time.monotonic() < limite, "no pasó a tiempo"
        await asyncio.sleep(0.01)


def puerto_cerrado() -> int:
    """Un puerto local en el que nadie escucha (por ahora)."""
    with socket.socket() as enchufe:
        enchufe.bind(("127.0.0.1", 0))
        return enchufe.getsockname()[1]


def modo(ruta: Path) -> int:
    return stat.S_IMODE(ruta.stat().st_mode)


def sin_errores(proceso: Proceso) -> None:
    assert "Traceback" not in proceso.stderr, proceso.stderr
    assert " ERROR " not in proceso.stderr and "CRITICAL" not in proceso.stderr, proceso.stderr


# --- el bot de verdad en otro proceso -----------------------------------------------------------


async def test_token_rechazado_sale_con_3_y_sin_el_token(emulador: EmuladorBotAPI,
                                                         tmp_path: Path) -> None:
    bot = await arrancar(tmp_path, emulador.url_base, TOKEN_AJENO)
    assert await bot.terminar() == 3  # sin señal: sale solo (antes se quedaba colgado)

    assert TOKEN_AJENO not in bot.salida and PARTE_SECRETA not in bot.salida
    sin_errores(bot)
    [parrafo] = [linea for linea in bot.lineas_err if "TELEGRAM_BOT_TOKEN" in linea]
    assert "rechazó el token" in parrafo
    for que_hacer in ("@BotFather", ".env", "python bot.py --local"):
        assert que_hacer in parrafo
    assert [r.metodo for r in emulador.peticiones] == ["getMe"]  # no insiste


async def test_sin_telegram_reintenta_hasta_que_contesta_y_sigterm_sale_con_0(
        tmp_path: Path) -> None:
    puerto = puerto_cerrado()
    emulador = EmuladorBotAPI(port=puerto)
    bot = await arrancar(tmp_path, emulador.url_base, emulador.token)
    try:
        intento = (r"WARNING coopera\.instancia: No puedo conectar con Telegram \(.+\); "
                   r"reintento en 0\.2 s$")
        await bot.esperar_linea(intento, veces=3)
        await emulador.iniciar()  # Telegram vuelve: el bot arranca sin que nadie lo toque
        await bot.esperar_linea("Coopera Puebla está escuchando")
        await contesta(emulador)
        assert await bot.terminar(signal.SIGTERM) == 0
    finally:
        await emulador.detener()
    sin_errores(bot)
    lineas_del_intento = [linea for linea in bot.lineas_err if "Telegram" in linea
                          and "reintento" in linea]
    assert all(re.search(intento, linea) for linea in lineas_del_intento)


async def test_sigterm_mientras_espera_a_telegram_sale_con_0(tmp_path: Path) -> None:
    bot = await arrancar(tmp_path, f"http://127.0.0.1:{puerto_cerrado()}/bot", TOKEN_AJENO)
    await bot.esperar_linea("No puedo conectar con Telegram", veces=2)
    assert await bot.terminar(signal.SIGTERM) == 0
    sin_errores(bot)
    assert PARTE_SECRETA not in bot.salida


async def test_base_privada_un_proceso_por_base_y_sigterm_en_orden(emulador: EmuladorBotAPI,
                                                                   tmp_path: Path) -> None:
    """Arranca con la base solo para su dueña; un segundo proceso sobre la misma base no
    arranca (y el primero ni se entera); tras un SIGKILL del primero, otro arranca bien; y
    SIGTERM lo detiene en orden, con 0 y sin errores."""
    primero = await arrancar(tmp_path, emulador.url_base, emulador.token)
    await primero.esperar_linea("Coopera Puebla está escuchando")
    await contesta(emulador)
    datos = tmp_path / "datos"
    assert modo(datos) == 0o700
    assert {r.name: modo(r) for r in datos.iterdir()} == {nombre: 0o600 for nombre in (
        "coopera.sqlite3", "coopera.sqlite3-wal", "coopera.sqlite3-shm", "coopera.sqlite3.lock")}

    segundo = await arrancar(tmp_path, emulador.url_base, emulador.token)
    assert await segundo.terminar() == 4
    sin_errores(segundo)
    [parrafo] = [linea for linea in segundo.lineas_err if "base de datos" in linea]
    assert f"pid {primero.pid}" in parrafo and "COOPERA_BD" in parrafo
    assert str(tmp_path / "datos" / "coopera.sqlite3") in parrafo
    # El primero ni se enteró: nadie le disputó getUpdates y sigue contestando.
    await contesta(emulador)
    assert not [r for r in emulador.peticiones if r.estado_http == 409]
    assert primero.proceso.returncode is None

    assert await primero.terminar(signal.SIGKILL) == -signal.SIGKILL
    tercero = await arrancar(tmp_path, emulador.url_base, emulador.token)
    await tercero.esperar_linea("Coopera Puebla está escuchando")
    await contesta(emulador)
    assert await tercero.terminar(signal.SIGTERM) == 0
    sin_errores(tercero)
    assert "Application.stop() complete" in tercero.stderr


async def test_token_revocado_con_el_bot_corriendo_sale_con_3(emulador: EmuladorBotAPI,
                                                              tmp_path: Path) -> None:
    bot = await arrancar(tmp_path, emulador.url_base, emulador.token)
    await bot.esperar_linea("Coopera Puebla está escuchando")
    emulador.token = TOKEN_AJENO  # desde ahora, el token del bot ya no sirve: 401
    emulador.escribir(ANA, "/start")  # corta el sondeo largo que está abierto
    assert await bot.terminar() == 3
    assert "dejó de aceptar el token" in bot.stderr and "@BotFather" in bot.stderr
    assert "PRUEBA-token" not in bot.salida and PARTE_SECRETA not in bot.salida


# --- las piezas, en este proceso -----------------------------------------------------------------


async def test_reintentos_crecen_hasta_el_tope() -> None:
    fallas = [NetworkError("httpx.ConnectError: All connection attempts failed"),
              TimedOut(), NetworkError("Bad Gateway"), NetworkError("Internal Server Error"),
              NetworkError("x")]
    esperas: list[float] = []

    async def inicializar() -> None:
        if fallas:
            raise fallas.pop(0)

    async def esperar_sin_reloj(segundos: float) -> None:
        esperas.append(segundos)

    await conectar_con_telegram(inicializar, reintento_maximo=5, esperar=esperar_sin_reloj)
    assert esperas == [1, 2, 4, 5, 5]


async def test_token_rechazado_no_lleva_el_token_ni_en_la_cadena() -> None:
    async def inicializar() -> None:
        try:
            raise InvalidToken("Unauthorized")
        except InvalidToken as causa:  # así lo lanza PTB: con el token en el mensaje
            raise InvalidToken(f"The token `{TOKEN_AJENO}` was rejected") from causa

    with pytest.raises(TokenRechazado) as error:
        await conectar_con_telegram(inicializar, reintento_maximo=1)
    assert error.value.__cause__ is None and error.value.__suppress_context__
    assert PARTE_SECRETA not in str(error.value)


def test_candado_uno_a_la_vez_y_se_suelta(tmp_path: Path) -> None:
    ruta = tmp_path / "nueva" / "bd.sqlite3"
    primero, segundo = CandadoDeInstancia(ruta), CandadoDeInstancia(ruta)
    primero.tomar()
    with pytest.raises(OtraInstancia, match=f"pid {os.getpid()}"):
        segundo.tomar()
    primero.soltar()
    segundo.tomar()  # como un reinicio dentro del mismo proceso
    assert modo(ruta.parent) == 0o700 and modo(segundo.ruta) == 0o600
    segundo.soltar()


async def test_base_existente_con_permisos_abiertos_se_aprieta(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    ruta = tmp_path / "vieja.sqlite3"
    almacen = await Almacen.abrir(ruta)
    await almacen.cerrar()
    for sufijo in ("", "-wal", "-shm"):
        ruta.with_name(ruta.name + sufijo).touch()
        os.chmod(ruta.with_name(ruta.name + sufijo), 0o644)

    with caplog.at_level(logging.INFO, logger="coopera.almacen"):
        almacen = await Almacen.abrir(ruta)
    await almacen.cerrar()
    assert modo(ruta) == 0o600
    assert sum("solo de su dueña" in r.getMessage() for r in caplog.records) >= 1


async def test_base_nueva_privada_con_cualquier_umask(tmp_path: Path) -> None:
    anterior = os.umask(0)
    try:
        almacen = await Almacen.abrir(tmp_path / "datos" / "bd.sqlite3")
    finally:
        os.umask(anterior)
    try:
        assert modo(tmp_path / "datos") == 0o700
        assert {r.name: modo(r) for r in (tmp_path / "datos").iterdir()} == {
            "bd.sqlite3": 0o600, "bd.sqlite3-wal": 0o600, "bd.sqlite3-shm": 0o600}
    finally:
        await almacen.cerrar()
