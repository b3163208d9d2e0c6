"""Lo que le cuesta al bot cada actualización, sin ritmo, contra un bot de PTB pelado que hace eco.

    python -m bench.por_actualizacion                     # 300 personas nuevas, 100 en orientación
    python -m bench.por_actualizacion --nuevas 500 --orientacion 200
    python -m bench.por_actualizacion --perfil            # y el perfil de Coopera (cProfile)

Dos cargas, cada una con cientos de personas a la vez contra el emulador (HTTP real en
127.0.0.1, en este mismo proceso):

- «/start»: personas nuevas mandan /start todas a la vez (bienvenida, aviso de privacidad,
  botones y una fila nueva en `personas`).
- «orientación»: personas ya registradas (aceptaron el aviso) hacen /orientacion, escriben su
  idea y pulsan 7 botones hasta el resultado; cada una espera a que el bot termine con lo suyo
  antes de mandar lo siguiente (ciclo cerrado).

La base de comparación es un bot de PTB pelado con las mismas actualizaciones simultáneas: a
cada texto contesta con el mismo texto y un teclado; a cada botón, answerCallbackQuery y edita
el mensaje. Coopera corre con `mensajes_por_segundo = 0` (sin ritmo; solo para mediciones),
con su base SQLite, el buzón de entrada y la persistencia de las conversaciones.

«ms dentro del bot» es el tiempo de `do_process_update` del procesador de actualizaciones (los
handlers, sus peticiones a Telegram, guardar el paso y borrar del buzón), sin la espera en cola.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from aplicacion import Coopera
from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.configuracion import Configuracion, Secreto
from nucleo.entrada import MAX_SIMULTANEAS

RAMA = ["Algo de dinero", "Todo el día", "Aprender o capacitarme", "Con otras personas",
        "Somos 5 o más", "Sé un poco", "Tengo una idea"]
PASOS = [("escribe", "/orientacion"), ("escribe", "Vender tamales y atole"),
         *(("pulsa", b) for b in RAMA)]
PRIMER_NUEVO, PRIMER_REGISTRADO = 30_000_000, 31_000_000


class Cronometro:
    """Envuelve `do_process_update` del procesador: cuánto tarda cada actualización y cuántas
    van terminadas por chat."""

    def __init__(self, app: Application) -> None:
        self.tiempos: list[float] = []
        self.por_chat: Counter[int] = Counter()
        self.cambio = asyncio.Event()
        procesador = app.update_processor
        original = procesador.do_process_update

        async def medido(update: object, coroutine: Awaitable[Any]) -> None:
            inicio = time.perf_counter()
            try:
                await original(update, coroutine)
            finally:
                self.tiempos.append(time.perf_counter() - inicio)
                if isinstance(update, Update) and update.effective_chat is not None:
                    self.por_chat[update.effective_chat.id] += 1
                self.cambio.set()

        procesador.do_process_update = medido  # type: ignore[method-assign]

    async def esperar(self, condicion: Callable[[], bool], plazo: float = 120) -> None:
        limite = time.perf_counter() + plazo
        while not condicion():
            self.cambio.clear()
            await asyncio.wait_for(self.cambio.wait(), timeout=limite - time.perf_counter())


# --- el bot pelado ------------------------------------------------------------------------------


def _teclado() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(b, callback_data=f"b{n}")]
                                 for n, b in enumerate(RAMA)])


async def _eco(update: Update, _contexto: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_chat.send_message(update.effective_message.text,
                                             reply_markup=_teclado())


async def _boton(update: Update, _contexto: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(update.callback_query.data,
                                                  reply_markup=_teclado())


async def _arrancar_pelado(emulador: EmuladorBotAPI) -> Application:
    app = (ApplicationBuilder().token(emulador.token).base_url(emulador.url_base)
           .concurrent_updates(MAX_SIMULTANEAS).build())
    app.add_handler(MessageHandler(filters.TEXT, _eco))
    app.add_handler(CallbackQueryHandler(_boton))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=10)
    return app


# --- las cargas ---------------------------------------------------------------------------------


async def _carga_start(emulador: EmuladorBotAPI, reloj: Cronometro, personas: int) -> float:
    usuarios = [UsuarioFicticio(PRIMER_NUEVO + n, first_name=f"N{n}") for n in range(personas)]
    inicio = time.perf_counter()
    for usuario in usuarios:
        emulador.escribir(usuario, "/start")
    await reloj.esperar(lambda: len(reloj.tiempos) >= personas)
    return time.perf_counter() - inicio


async def _carga_orientacion(emulador: EmuladorBotAPI, reloj: Cronometro,
                             personas: int) -> float:
    async def una(usuario: UsuarioFicticio) -> None:
        for n, (accion, texto) in enumerate(PASOS, start=1):
            if accion == "escribe":
                emulador.escribir(usuario, texto)
            else:
                emulador.pulsar_boton(usuario, texto)
            await reloj.esperar(lambda: reloj.por_chat[usuario.id] >= n)  # noqa: B023

    usuarios = [UsuarioFicticio(PRIMER_REGISTRADO + n, first_name=f"R{n}")
                for n in range(personas)]
    for usuario in usuarios:
        emulador.conocer(usuario)
    inicio = time.perf_counter()
    await asyncio.gather(*(una(u) for u in usuarios))
    return time.perf_counter() - inicio


async def _sembrar(ruta: Path, personas: int) -> None:
    almacen = await Almacen.abrir(ruta)
    try:
        await almacen.sembrar_personas(range(PRIMER_REGISTRADO, PRIMER_REGISTRADO + personas),
                                       datetime.now(UTC), "es")
    finally:
        await almacen.cerrar()


async def medir(variante: str, carga: str, personas: int,
                perfil: cProfile.Profile | None = None) -> dict[str, float]:
    """Una variante («ptb» o «coopera») con una carga («start» u «orientacion»)."""
    with tempfile.TemporaryDirectory() as carpeta:
        async with EmuladorBotAPI() as emulador:
            if variante == "ptb":
                app = await _arrancar_pelado(emulador)
                bot = None
            else:
                ruta = Path(carpeta) / "bench.sqlite3"
                if carga == "orientacion":
                    await _sembrar(ruta, personas)
                config = Configuracion(token=Secreto(emulador.token),
                                       url_base=emulador.url_base, ruta_bd=ruta,
                                       mensajes_por_segundo=0)
                bot = Coopera(config)
                await bot.iniciar()
                app = bot.aplicacion
            reloj = Cronometro(app)
            try:
                if perfil is not None:
                    perfil.enable()
                correr = _carga_start if carga == "start" else _carga_orientacion
                antes = len(emulador.peticiones)
                cpu = time.process_time()
                segundos = await correr(emulador, reloj, personas)
                cpu = time.process_time() - cpu
                # Lo que el bot pidió a Telegram (sin getUpdates): /start manda dos mensajes.
                peticiones = sum(p.metodo != "getUpdates" for p in emulador.peticiones[antes:])
                completas = await _completas(bot, carga, personas)
            finally:
                if perfil is not None:
                    perfil.disable()
                if bot is not None:
                    await bot.detener()
                else:
                    await app.updater.stop()
                    await app.stop()
                    await app.shutdown()
    tiempos = sorted(reloj.tiempos)
    return {"actualizaciones": len(tiempos), "segundos": segundos, "completas": completas,
            "cpu_ms": 1000 * cpu / len(tiempos),
            "peticiones": peticiones / len(tiempos), "cpu_ms_peticion": 1000 * cpu / peticiones,
            "por_segundo": len(tiempos) / segundos,
            "p50_ms": 1000 * statistics.median(tiempos),
            "p99_ms": 1000 * tiempos[int(0.99 * (len(tiempos) - 1))]}


async def _completas(bot: Coopera | None, carga: str, personas: int) -> float:
    """Comprobación: cuántas personas terminaron la orientación (la guardó). /start no guarda
    fila en `personas` hasta que la persona acepta el aviso: ahí no hay qué contar."""
    if bot is None or carga == "start":
        return float("nan")
    return sum([bool(await bot.almacen.orientaciones(PRIMER_REGISTRADO + n))
                for n in range(personas)])


def filas(nuevas: int = 300, orientacion: int = 100) -> list[tuple[str, str, str]]:
    """(qué, cifra, nota) para la tabla de `python -m bench`."""
    salida = []
    for carga, personas in (("start", nuevas), ("orientacion", orientacion)):
        ptb = asyncio.run(medir("ptb", carga, personas))
        coopera = asyncio.run(medir("coopera", carga, personas))
        nombre = "/start (personas nuevas)" if carga == "start" else "orientación (registradas)"
        razon = coopera["por_segundo"] / ptb["por_segundo"]
        salida += [
            (f"{nombre}: Coopera / PTB pelado", f"{razon:.2f}×",
             f"{coopera['por_segundo']:.0f}/s contra {ptb['por_segundo']:.0f}/s; "
             f"{personas} personas a la vez, {coopera['actualizaciones']} actualizaciones"),
            (f"{nombre}: ms por actualización, p50 / p99",
             f"{coopera['p50_ms']:.1f} / {coopera['p99_ms']:.1f}",
             f"PTB pelado: {ptb['p50_ms']:.1f} / {ptb['p99_ms']:.1f} (con {personas} a la vez)"),
            (f"{nombre}: CPU por actualización", f"{coopera['cpu_ms']:.2f} ms",
             f"PTB pelado: {ptb['cpu_ms']:.2f} ms (el proceso entero, emulador incluido)"
             + ("" if carga == "start" else
                f"; terminaron {coopera['completas']:.0f} de {personas}")),
            (f"{nombre}: peticiones a Telegram por actualización",
             f"{coopera['peticiones']:.2f}",
             f"PTB pelado: {ptb['peticiones']:.2f}; CPU por petición "
             f"{coopera['cpu_ms_peticion']:.2f} ms (PTB pelado {ptb['cpu_ms_peticion']:.2f} ms)"),
        ]
    return salida


def main(argumentos: list[str] | None = None) -> None:
    lector = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lector.add_argument("--nuevas", type=int, default=300)
    lector.add_argument("--orientacion", type=int, default=100)
    lector.add_argument("--perfil", action="store_true", help="perfil de Coopera (cProfile)")
    opciones = lector.parse_args(argumentos)
    if opciones.perfil:
        for carga, personas in (("start", opciones.nuevas),
                                ("orientacion", opciones.orientacion)):
            perfil = cProfile.Profile()
            asyncio.run(medir("coopera", carga, personas, perfil))
            perfil.dump_stats(Path(tempfile.gettempdir()) / f"perfil-{carga}.prof")
            salida = io.StringIO()
            pstats.Stats(perfil, stream=salida).sort_stats("tottime").print_stats(40)
            print(f"=== {carga} ===\n{salida.getvalue()}")
        return
    for que, cifra, nota in filas(opciones.nuevas, opciones.orientacion):
        print(f"{que:<50} {cifra:>14}  {nota}")


if __name__ == "__main__":
    sys.exit(main())
