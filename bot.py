"""Coopera Puebla: el punto de entrada. Solo conecta las piezas; nada de lógica aquí.

    python bot.py           con TELEGRAM_BOT_TOKEN en el entorno o en .env
    python bot.py --local   sin token: un Telegram de mentira y un chat en esta terminal
    python bot.py importar-sesiones ARCHIVO.csv [--bd RUTA]   sesiones desde un CSV
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from dotenv import load_dotenv

from aplicacion import Coopera
from nucleo.configuracion import Configuracion, ConfiguracionInvalida, Secreto
from nucleo.contenido import ContenidoInvalido, cargar_contenido
from nucleo.importacion import Revision, importar
from nucleo.registro import configurar_registro
from nucleo.reloj import Reloj

ID_LOCAL = 1000  # la persona que escribe en la terminal en modo local


def leer_argumentos(argumentos: list[str] | None = None) -> argparse.Namespace:
    lector = argparse.ArgumentParser(description="Bot de Telegram Coopera Puebla")
    lector.add_argument("--local", action="store_true",
                        help="prueba el bot sin token, con un Telegram emulado en esta terminal")
    lector.add_argument("--personal", action="store_true",
                        help="en modo local, entra como personal de la Secretaría")
    return lector.parse_args(argumentos)


async def correr(config: Configuracion) -> None:
    bot = Coopera(config)
    await bot.iniciar()
    parar = asyncio.Event()
    for senal in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(senal, parar.set)
    try:
        await parar.wait()
    finally:
        await bot.detener()


async def correr_local(config: Configuracion, personal: bool) -> None:
    from emulador import EmuladorBotAPI, UsuarioFicticio, conversar_en_terminal

    async with EmuladorBotAPI() as emulador:
        config = replace(
            config, token=Secreto(emulador.token), url_base=emulador.url_base,
            personal=config.personal | ({ID_LOCAL} if personal else set()),
        )
        bot = Coopera(config)
        await bot.iniciar()
        try:
            persona = UsuarioFicticio(ID_LOCAL, first_name="Ana", language_code="es")
            await conversar_en_terminal(emulador, persona)
        finally:
            await bot.detener()


def main(argumentos: list[str] | None = None) -> int:
    argumentos = sys.argv[1:] if argumentos is None else argumentos
    if argumentos[:1] == ["importar-sesiones"]:  # del personal; no necesita token
        return importar_sesiones(argumentos[1:])
    opciones = leer_argumentos(argumentos)
    load_dotenv(Path.cwd() / ".env", override=False)
    entorno = dict(os.environ)
    if opciones.local:
        entorno.setdefault("COOPERA_BD", "datos/local.sqlite3")
        entorno["TELEGRAM_BOT_TOKEN"] = "1:local"  # lo reemplaza el token del emulador
    try:
        config = Configuracion.desde_entorno(entorno)
        # En modo local, el registro no debe tapar el chat de la terminal.
        configurar_registro([config.token.valor()],
                            logging.WARNING if opciones.local else logging.INFO)
        principal = correr_local(config, opciones.personal) if opciones.local else correr(config)
        asyncio.run(principal)
    except (ConfiguracionInvalida, ContenidoInvalido) as error:
        print(f"No se pudo arrancar Coopera Puebla.\n{error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


# --- importar sesiones desde un CSV (para el personal con acceso al servidor) ----------------

def _argumentos_importar(argumentos: list[str]) -> argparse.Namespace:
    lector = argparse.ArgumentParser(
        prog="python bot.py importar-sesiones",
        description="Importa sesiones de cursos desde un archivo CSV. Si una línea tiene un "
                    "error, no importa ninguna.")
    lector.add_argument("archivo", type=Path, help="el archivo CSV (UTF-8)")
    lector.add_argument("--bd", type=Path, help="la base de datos (por omisión, COOPERA_BD)")
    lector.add_argument("--revisar", action="store_true",
                        help="solo revisa el archivo, sin importar nada")
    return lector.parse_args(argumentos)


def importar_sesiones(argumentos: list[str]) -> int:
    """0: importado (o revisado sin errores); 1: el archivo tiene errores; 2: no se pudo."""
    opciones = _argumentos_importar(argumentos)
    load_dotenv(Path.cwd() / ".env", override=False)
    # Importar no habla con Telegram: un token de relleno pasa la validación del resto.
    entorno = {**os.environ, "TELEGRAM_BOT_TOKEN": "0:importacion"}
    try:
        config = Configuracion.desde_entorno(entorno)
        contenido = cargar_contenido(config.carpeta_contenido)
        if not opciones.archivo.is_file():
            raise FileNotFoundError(f"No encontré el archivo {opciones.archivo}.")
        revision = asyncio.run(importar(
            opciones.archivo, opciones.bd or config.ruta_bd, contenido, config.zona_horaria,
            Reloj().ahora(), revisar=opciones.revisar))
    except (ConfiguracionInvalida, ContenidoInvalido, OSError) as error:
        print(f"No se pudo importar.\n{error}", file=sys.stderr)
        return 2
    return _informar(revision, opciones.revisar)


def _informar(revision: Revision, revisar: bool) -> int:
    if revision.errores:
        for error in revision.errores:
            print(error, file=sys.stderr)
        print(f"No se importó ninguna sesión: hay {len(revision.errores)} error(es). "
              "Corrige el archivo y vuelve a intentarlo.", file=sys.stderr)
        return 1
    n = len(revision.sesiones)
    if revisar:
        print(f"El archivo está bien: {n} sesión(es) listas para importar.")
    else:
        print(f"Listo: se importaron {n} sesión(es).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
