"""Ejecuta el emulador solo: ``python -m emulador --puerto 8081``.

Un proceso del bot se apunta a él con TELEGRAM_BASE_URL (y el token que se imprime).
Con ``--conversar`` se puede además chatear desde esta terminal con ese bot.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from emulador.modelo import UsuarioFicticio
from emulador.servidor import EmuladorBotAPI
from emulador.terminal import conversar_en_terminal


def _argumentos(argv: list[str] | None) -> argparse.Namespace:
    analizador = argparse.ArgumentParser(
        prog="python -m emulador", description="Emulador local de la Bot API de Telegram."
    )
    analizador.add_argument("--puerto", type=int, default=8081, help="0 = uno libre")
    analizador.add_argument("--host", default="127.0.0.1")
    analizador.add_argument("--token", default="123456:PRUEBA-token")
    analizador.add_argument("--limitar-tasas", action="store_true", help="429 como Telegram")
    analizador.add_argument(
        "--conversar", action="store_true", help="chatear aquí como persona usuaria"
    )
    analizador.add_argument("--usuario-id", type=int, default=1001)
    analizador.add_argument("--nombre", default="Ana")
    return analizador.parse_args(argv)


async def _ejecutar(argumentos: argparse.Namespace) -> None:
    emulador = EmuladorBotAPI(
        argumentos.token,
        host=argumentos.host,
        port=argumentos.puerto,
        limitar_tasas=argumentos.limitar_tasas,
    )
    async with emulador:
        print(f"Emulador de la Bot API escuchando en {emulador.url_base}", flush=True)
        print(f"TELEGRAM_BASE_URL={emulador.url_base}", flush=True)
        print(f"TELEGRAM_BOT_TOKEN={emulador.token}", flush=True)
        if argumentos.conversar:
            usuario = UsuarioFicticio(id=argumentos.usuario_id, first_name=argumentos.nombre)
            await conversar_en_terminal(emulador, usuario)
        else:
            await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_ejecutar(_argumentos(argv)))


if __name__ == "__main__":
    main()
