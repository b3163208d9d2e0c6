"""Ayudas para las caídas al azar: el `bot.py` de verdad en otro proceso, un verdugo que lo
mata (SIGKILL) en momentos elegidos al azar y lo vuelve a arrancar, y la base leída por fuera.

Arrancar `python bot.py` cuesta unos segundos de importaciones (PTB, fpdf...): con cinco vidas
por prueba, casi todo el tiempo se iría en eso. `Criadero` importa `bot.py` una vez en un proceso
aparte y, para cada arranque, se bifurca (fork) y el hijo corre `bot.main()`: es un proceso
propio, con su pid, que muere de un SIGKILL igual que uno recién lanzado (pierde su memoria, sus
conexiones y lo que no confirmó en disco). tests/test_caidas.py mata al `python bot.py` lanzado
desde cero.

El azar sale de una semilla que se imprime: `CAIDAS_SEMILLA=<n> python -m pytest -n0 -s ...`
repite la misma corrida (los mismos puntos de caída; el orden exacto de lo que hace el bot entre
dos caídas depende de la máquina).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from emulador import EmuladorBotAPI, MensajeChat

RAIZ = Path(__file__).resolve().parent.parent
# s: el tope de cada espera. Con la máquina tranquila cada una tarda segundos; es el plazo para
# declarar que el bot se colgó, no la meta de tiempo (la suite corre en paralelo y carga la CPU).
PLAZO = 120.0


def semilla() -> int:
    """La semilla de la corrida: la de CAIDAS_SEMILLA o una nueva (y se imprime)."""
    valor = int(os.environ.get("CAIDAS_SEMILLA") or random.randrange(2**32))
    print(f"\nsemilla={valor} (repetir: CAIDAS_SEMILLA={valor})")
    return valor


def limite_en_vuelo() -> int:
    """Cuántos envíos de la cola pueden ir en vuelo a la vez: se lee al correr la prueba (no al
    importarla), por si `nucleo.envios` lo calcula de otra forma."""
    import nucleo.envios as envios

    calcular = getattr(envios, "en_vuelo", None)
    return int(calcular() if callable(calcular) else envios.EN_VUELO)


class Hijo:
    """Un bot nacido del criadero: lo que `asyncio.subprocess.Process` da y aquí hace falta."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._fin = asyncio.get_running_loop().create_future()

    def _termino(self, codigo: int) -> None:
        self.returncode = codigo
        if not self._fin.done():
            self._fin.set_result(codigo)

    async def wait(self) -> int:
        return await asyncio.shield(self._fin)

    def send_signal(self, senal: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, senal)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Criadero:
    """Un proceso que ya importó `bot.py` y, a cada pedido, se bifurca en un bot nuevo."""

    def __init__(self) -> None:
        self._proceso: asyncio.subprocess.Process | None = None
        self._pids: asyncio.Queue[int] = asyncio.Queue()
        self._hijos: dict[int, Hijo] = {}
        self._fines: dict[int, int] = {}  # los que terminaron antes de saber su pid
        self._lector: asyncio.Task[None] | None = None
        self._listo = asyncio.Event()

    async def abrir(self) -> None:
        self._proceso = await asyncio.create_subprocess_exec(
            sys.executable, "-c", f"import sys; sys.path.insert(0, {str(RAIZ)!r}); "
            "from tests.proceso_bot import criar; criar()",
            cwd=RAIZ, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        self._lector = asyncio.ensure_future(self._leer())
        await asyncio.wait_for(self._listo.wait(), PLAZO)

    async def _leer(self) -> None:
        while linea := await self._proceso.stdout.readline():
            partes = linea.decode().split()
            if partes == ["listo"]:
                self._listo.set()
            elif partes[0] == "pid":
                await self._pids.put(int(partes[1]))
            elif partes[0] == "fin":
                pid, codigo = int(partes[1]), int(partes[2])
                if pid in self._hijos:
                    self._hijos.pop(pid)._termino(codigo)
                else:
                    self._fines[pid] = codigo

    async def parir(self, entorno: dict[str, str], cwd: Path, registro: Path) -> Hijo:
        orden = {"entorno": entorno, "cwd": str(cwd), "registro": str(registro)}
        self._proceso.stdin.write(json.dumps(orden).encode() + b"\n")
        await self._proceso.stdin.drain()
        pid = await asyncio.wait_for(self._pids.get(), PLAZO)
        hijo = Hijo(pid)
        if pid in self._fines:
            hijo._termino(self._fines.pop(pid))
        else:
            self._hijos[pid] = hijo
        return hijo

    async def cerrar(self) -> None:
        if self._proceso is None:
            return
        for hijo in list(self._hijos.values()):
            hijo.kill()
        self._proceso.stdin.close()
        try:
            await asyncio.wait_for(self._proceso.wait(), PLAZO)
        except TimeoutError:
            self._proceso.kill()
            await self._proceso.wait()
        if self._lector is not None:
            await self._lector


def criar() -> None:
    """El criadero por dentro (otro proceso): importa bot.py, avisa «listo» y, por cada orden
    (JSON en una línea de stdin), se bifurca; el hijo corre bot.main() con ese entorno, esa
    carpeta y su salida a ese registro. Avisa «pid N» al nacer y «fin N código» al terminar
    (código negativo: la señal que lo mató). Sin hilos: espera con select y cosecha con waitpid."""
    import select
    import traceback

    import bot

    print("listo", flush=True)
    vivos: set[int] = set()
    abierta = True
    while abierta or vivos:
        if abierta and select.select([sys.stdin], [], [], 0.01)[0]:
            linea = sys.stdin.readline()
            if not linea:
                abierta = False
                for pid in vivos:  # la prueba terminó: nadie se queda vivo
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            else:
                orden = json.loads(linea)
                sys.stdout.flush()
                pid = os.fork()
                if pid == 0:
                    salida = os.open(orden["registro"], os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                                     0o600)
                    os.dup2(salida, 1)
                    os.dup2(salida, 2)
                    nada = os.open(os.devnull, os.O_RDONLY)
                    os.dup2(nada, 0)
                    os.chdir(orden["cwd"])
                    os.environ.clear()
                    os.environ.update(orden["entorno"])
                    codigo = 1
                    try:
                        codigo = bot.main([])
                    except SystemExit as salida_pedida:
                        codigo = salida_pedida.code if isinstance(salida_pedida.code, int) else 1
                    except BaseException:
                        traceback.print_exc()
                    finally:
                        sys.stdout.flush()
                        sys.stderr.flush()
                    os._exit(codigo or 0)
                vivos.add(pid)
                print(f"pid {pid}", flush=True)
        elif not abierta:
            select.select([], [], [], 0.01)
        while vivos:
            pid, estado = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            vivos.discard(pid)
            print(f"fin {pid} {os.waitstatus_to_exitcode(estado)}", flush=True)


class BotEnProceso:
    """Un `python bot.py` contra el emulador, con su base; lo que escribe va a `registro`."""

    def __init__(self, emulador: EmuladorBotAPI, bd: Path, criadero: Criadero | None = None,
                 **entorno: str) -> None:
        self.emulador, self.bd, self.criadero = emulador, bd, criadero
        self.registro = bd.with_suffix(".log")
        self.entorno = entorno
        self.proceso: asyncio.subprocess.Process | Hijo | None = None
        self.arranques = 0

    async def arrancar(self) -> None:
        limpio = {k: v for k, v in os.environ.items()
                  if not k.startswith(("TELEGRAM_", "COOPERA_"))}
        limpio |= {"TELEGRAM_BOT_TOKEN": self.emulador.token,
                   "TELEGRAM_BASE_URL": self.emulador.url_base, "COOPERA_BD": str(self.bd),
                   "COOPERA_REINTENTO_MAXIMO": "0.2", **self.entorno}
        if self.criadero is not None:
            self.proceso = await self.criadero.parir(limpio, self.bd.parent, self.registro)
            self.arranques += 1
            return
        with self.registro.open("ab") as salida:
            self.proceso = await asyncio.create_subprocess_exec(
                sys.executable, str(RAIZ / "bot.py"), cwd=self.bd.parent, env=limpio,
                stdin=asyncio.subprocess.DEVNULL, stdout=salida, stderr=salida)
        self.arranques += 1

    def matar(self) -> None:
        """SIGKILL, sin esperar (se puede llamar desde dentro del emulador)."""
        if self.proceso is not None and self.proceso.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proceso.pid, signal.SIGKILL)

    async def terminar(self) -> int:
        """SIGTERM y espera; devuelve el código de salida."""
        assert self.proceso is not None
        if self.proceso.returncode is None:
            self.proceso.terminate()
        try:
            return await asyncio.wait_for(self.proceso.wait(), PLAZO)
        except TimeoutError:
            self.proceso.kill()
            await self.proceso.wait()
            raise AssertionError(
                f"el bot no se detuvo en {PLAZO} s:\n{self.texto_registro()}") from None

    def texto_registro(self, ultimas: int = 40) -> str:
        lineas = self.registro.read_text("utf-8", "replace").splitlines()
        return "\n".join(lineas[-ultimas:])

    def errores_en_registro(self) -> list[str]:
        """Líneas ERROR/CRITICAL o trazas que el bot escribió en todas sus vidas."""
        return [linea for linea in self.registro.read_text("utf-8", "replace").splitlines()
                if " ERROR " in linea or "CRITICAL" in linea or "Traceback" in linea]


class Verdugo:
    """Mata al bot cuando el emulador recibe el mensaje del bot número k (para cada k de
    `puntos`), y lo vuelve a arrancar. La mitad de las veces muere en el acto (el mensaje llegó
    pero el bot no sabe: queda en vuelo); la otra, unos milisegundos después (alcanza a anotar
    algo, o no). Las demoras también salen de `azar`."""

    def __init__(self, bot: BotEnProceso, azar: random.Random, puntos: list[int]) -> None:
        self.bot, self.azar = bot, azar
        self.puntos = sorted(puntos)
        self.vistos = 0
        self.muertes = 0
        self.demoras = [0.0 if azar.random() < 0.5 else azar.uniform(0.001, 0.05)
                        for _ in self.puntos]
        self._programadas = 0  # 0 o 1: una caída a la vez
        self._tarea: asyncio.Task[None] | None = None
        self._basta = False

    def __repr__(self) -> str:
        demoras = [f"{d * 1000:.0f}ms" for d in self.demoras]
        return f"caídas en los mensajes {self.puntos}, demoras {demoras}"

    def al_mensaje(self, _mensaje: MensajeChat) -> None:
        self.vistos += 1
        siguiente = self.muertes
        if self._basta or self._programadas or siguiente >= len(self.puntos):
            return
        if self.vistos < self.puntos[siguiente]:
            return
        self._programadas += 1
        demora = self.demoras[siguiente]
        if demora == 0:
            self.bot.matar()
        else:
            asyncio.get_running_loop().call_later(demora, self.bot.matar)

    async def empezar(self) -> None:
        self.bot.emulador.al_mensaje_del_bot(self.al_mensaje)
        await self.bot.arrancar()
        self._tarea = asyncio.ensure_future(self._vigilar())

    async def _vigilar(self) -> None:
        while True:
            proceso = self.bot.proceso
            codigo = await proceso.wait()
            if self._basta:
                return
            assert codigo == -signal.SIGKILL, (
                f"el bot salió con {codigo} sin que lo mataran:\n{self.bot.texto_registro()}")
            self._programadas -= 1
            self.muertes += 1
            await self.bot.arrancar()

    async def esperar(self, condicion: Callable[[], object], que: str) -> None:
        """Como `esperar_que`, pero falla en cuanto el bot sale por otra causa que un SIGKILL."""
        def lista() -> object:
            if not self._basta and self._tarea is not None and self._tarea.done():
                self._tarea.result()
                raise AssertionError("el verdugo dejó de vigilar")
            return condicion()
        await esperar_que(lista, que=que)

    async def ya_no_matar(self) -> None:
        """Que no haya más caídas: espera a que el bot esté vivo y deja de vigilarlo."""
        self.bot.emulador.cancelar_suscripcion(self.al_mensaje)
        await esperar_que(lambda: self._tarea.done() or (
            self._programadas == 0 and self.bot.proceso.returncode is None))
        self._basta = True
        await self._detener_vigilancia()

    async def _detener_vigilancia(self) -> None:
        if self._tarea is not None and not self._tarea.done():
            self._tarea.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tarea
        elif self._tarea is not None:
            self._tarea.result()  # si falló, que se vea

    async def cerrar(self) -> None:
        """Al final, pase lo que pase: sin vigilancia y sin proceso vivo."""
        self._basta = True
        self.bot.emulador.cancelar_suscripcion(self.al_mensaje)
        if self._tarea is not None and not self._tarea.done():
            self._tarea.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tarea
        if self.bot.proceso is not None and self.bot.proceso.returncode is None:
            self.bot.matar()
            await self.bot.proceso.wait()


async def esperar_que(condicion: Callable[[], object], plazo: float = PLAZO,
                      que: str = "la condición") -> None:
    """Espera (sondeando cada 10 ms) a que se cumpla `condicion`; falla si no pasa en `plazo`."""
    try:
        async with asyncio.timeout(plazo):
            while not condicion():
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"{que} no se cumplió en {plazo} s") from None


@contextlib.contextmanager
def leer_bd(bd: Path) -> Iterator[sqlite3.Connection]:
    """La base del bot, solo para leer (también con el bot corriendo)."""
    conexion = sqlite3.connect(f"file:{bd}?mode=ro", uri=True, timeout=5)
    conexion.row_factory = sqlite3.Row
    try:
        yield conexion
    finally:
        conexion.close()


def integridad(bd: Path) -> str:
    with leer_bd(bd) as conexion:
        return ", ".join(f[0] for f in conexion.execute("PRAGMA integrity_check"))


def todo_atendido(emulador: EmuladorBotAPI, bd: Path) -> bool:
    """El bot confirmó todo lo que la gente mandó, su buzón de entrada está vacío y a su cola
    de envíos no le queda nada por mandar."""
    if emulador.actualizaciones_pendientes():
        return False
    with leer_bd(bd) as conexion:
        [(entrada,)] = conexion.execute("SELECT COUNT(*) FROM entrada")
        [(cola,)] = conexion.execute(
            "SELECT COUNT(*) FROM envios WHERE estado IN ('pendiente', 'enviando')")
    return entrada == 0 and cola == 0


def estados_de_envios(bd: Path) -> dict[str, int]:
    with leer_bd(bd) as conexion:
        return dict(conexion.execute("SELECT estado, COUNT(*) FROM envios GROUP BY estado")
                    .fetchall())
