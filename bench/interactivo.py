"""Respuestas interactivas: cuántas por segundo y con qué demora, contra un bot de PTB pelado.

    python -m bench.interactivo                  # 20 personas, 25 mensajes cada una
    python -m bench.interactivo --personas 50 --mensajes 10

Cada persona escribe /menu, espera la respuesta y vuelve a escribir (ciclo cerrado), como en
un chat real. Las dos variantes corren en este proceso contra el mismo emulador (HTTP real en
127.0.0.1): «ptb» contesta /menu con un teclado y nada más; «ptb_limitado» es lo mismo con
AIORateLimiter (30 mensajes por segundo en total, como pide Telegram); «coopera» es el bot
completo (idioma, base SQLite, menú según el consentimiento, persistencia tras cada
actualización), que también usa AIORateLimiter para las respuestas.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
)

from aplicacion import Coopera
from emulador import EmuladorBotAPI, MensajeChat, UsuarioFicticio
from nucleo.configuracion import Configuracion, Secreto


async def _menu_pelado(update: Update, _contexto: ContextTypes.DEFAULT_TYPE) -> None:
    botones = InlineKeyboardMarkup([[InlineKeyboardButton("Cursos", callback_data="c")]])
    await update.effective_chat.send_message("¿Qué quieres hacer?", reply_markup=botones)


async def _arrancar_pelado(emulador: EmuladorBotAPI, limitado: bool) -> Application:
    constructor = ApplicationBuilder().token(emulador.token).base_url(emulador.url_base)
    if limitado:
        constructor = constructor.rate_limiter(AIORateLimiter(max_retries=2))
    app = constructor.build()
    app.add_handler(CommandHandler("menu", _menu_pelado))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=10)
    return app


async def _detener_pelado(app: Application) -> None:
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


async def _conversar(emulador: EmuladorBotAPI, personas: int, mensajes: int) -> dict:
    llegadas: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    def al_llegar(mensaje: MensajeChat) -> None:
        llegadas[mensaje.chat_id].set()

    emulador.al_mensaje_del_bot(al_llegar)
    demoras: list[float] = []

    async def una_persona(telegram_id: int) -> None:
        usuario = UsuarioFicticio(telegram_id, first_name=f"P{telegram_id}")
        for _ in range(mensajes):
            llegadas[telegram_id].clear()
            inicio = time.perf_counter()
            emulador.escribir(usuario, "/menu")
            await asyncio.wait_for(llegadas[telegram_id].wait(), timeout=30)
            demoras.append(time.perf_counter() - inicio)

    inicio = time.perf_counter()
    await asyncio.gather(*(una_persona(10_000 + i) for i in range(personas)))
    total = time.perf_counter() - inicio
    emulador.cancelar_suscripcion(al_llegar)
    demoras.sort()
    return {
        "respuestas": len(demoras), "segundos": total, "por_segundo": len(demoras) / total,
        "p50_ms": 1000 * statistics.median(demoras),
        "p95_ms": 1000 * demoras[int(0.95 * (len(demoras) - 1))],
    }


async def medir(variante: str, personas: int, mensajes: int) -> dict:
    async with EmuladorBotAPI() as emulador:
        if variante.startswith("ptb"):
            app = await _arrancar_pelado(emulador, limitado=variante == "ptb_limitado")
            try:
                return await _conversar(emulador, personas, mensajes)
            finally:
                await _detener_pelado(app)
        with tempfile.TemporaryDirectory() as carpeta:
            config = Configuracion(token=Secreto(emulador.token), url_base=emulador.url_base,
                                   ruta_bd=Path(carpeta) / "bench.sqlite3")
            bot = Coopera(config)
            await bot.iniciar()
            try:
                return await _conversar(emulador, personas, mensajes)
            finally:
                await bot.detener()


def main(argumentos: list[str] | None = None) -> None:
    lector = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lector.add_argument("--personas", type=int, default=20)
    lector.add_argument("--mensajes", type=int, default=25)
    opciones = lector.parse_args(argumentos)
    resultados = {}
    for variante in ("ptb", "ptb_limitado", "coopera"):
        resultados[variante] = asyncio.run(medir(variante, opciones.personas, opciones.mensajes))
        r = resultados[variante]
        print(f"{variante:13} {r['respuestas']} respuestas en {r['segundos']:.2f} s: "
              f"{r['por_segundo']:.0f}/s, demora p50 {r['p50_ms']:.1f} ms, "
              f"p95 {r['p95_ms']:.1f} ms")
    pico = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for base in ("ptb", "ptb_limitado"):
        razon = resultados["coopera"]["por_segundo"] / resultados[base]["por_segundo"]
        print(f"Coopera / {base}: {razon:.2f}× su ritmo")
    print(f"Pico de memoria del proceso: {pico:.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
