"""Coopera Puebla: el punto de entrada. Solo conecta las piezas; nada de lógica aquí.

    python bot.py           con TELEGRAM_BOT_TOKEN en el entorno o en .env
    python bot.py --local   sin token: un Telegram de mentira y un chat en esta terminal
    python bot.py importar-sesiones ARCHIVO.csv [--bd RUTA]   sesiones desde un CSV
    python bot.py importar-cursos ARCHIVO.csv [--bd RUTA] [--confirmar]   cursos desde un CSV
    python bot.py estadisticas --desde AAAA-MM-DD --hasta AAAA-MM-DD [--csv F] [--png F]
    python bot.py respaldar DESTINO [--bd RUTA]    copia la base (también con el bot corriendo)
    python bot.py restaurar ORIGEN [--bd RUTA]     la reemplaza por un respaldo (bot detenido)

Códigos de salida, para quien lo supervise (systemd, un contenedor):
    0  se detuvo con SIGTERM o SIGINT (Ctrl+C), en orden
    1  un error inesperado (la traza sale en stderr, sin el token)
    2  la configuración o el contenido están mal (el mensaje dice qué arreglar)
    3  Telegram rechaza el token, al arrancar o con el bot corriendo (reiniciar no sirve)
    4  otro proceso del bot ya usa la misma base de datos
Sin conexión con Telegram al arrancar no sale: reintenta, una línea por intento.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from dataclasses import replace
from pathlib import Path

from dotenv import load_dotenv

from aplicacion import Coopera
from nucleo.almacen.respaldo import SUFIJO_ANTERIOR, RespaldoInvalido, respaldar, restaurar
from nucleo.configuracion import Configuracion, ConfiguracionInvalida, Secreto
from nucleo.contenido import ContenidoInvalido, cargar_contenido
from nucleo.estadisticas_cli import estadisticas
from nucleo.importacion import ErrorDeLinea, Revision, importar
from nucleo.importacion_cursos import importar_cursos
from nucleo.instancia import CandadoDeInstancia, OtraInstancia, TokenRechazado
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
    """Corre el bot hasta SIGTERM o SIGINT, que lo detienen en orden (también mientras espera
    a Telegram al arrancar). Lanza TokenRechazado u OtraInstancia si no puede seguir."""
    bot = Coopera(config)
    parar = asyncio.Event()
    for senal in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(senal, parar.set)
    try:
        if await _hasta_parar(parar, bot.iniciar()):
            await _hasta_parar(parar, bot.vigilar())
    finally:
        await bot.detener()


async def _hasta_parar(parar: asyncio.Event, trabajo: Coroutine[object, object, None]) -> bool:
    """Corre `trabajo` hasta que termine (True; sus errores salen) o hasta la señal de parar
    (False: lo cancela y espera a que deshaga lo suyo)."""
    tarea = asyncio.ensure_future(trabajo)
    senal = asyncio.ensure_future(parar.wait())
    try:
        await asyncio.wait((tarea, senal), return_when=asyncio.FIRST_COMPLETED)
    finally:
        senal.cancel()
    if not tarea.done():
        tarea.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tarea
        return False
    tarea.result()
    return True


async def correr_local(config: Configuracion, personal: bool) -> None:
    from emulador import EmuladorBotAPI, UsuarioFicticio, conversar_en_terminal

    async with EmuladorBotAPI() as emulador:
        config = replace(
            config, token=Secreto(emulador.token), url_base=emulador.url_base,
            personal=config.personal | ({ID_LOCAL} if personal else set()),
            cursos_de_ejemplo=True,  # el catálogo de ejemplo, para ver el bot con cursos
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
    if argumentos[:1] == ["importar-cursos"]:  # el catálogo de cursos; no necesita token
        return importar_cursos_csv(argumentos[1:])
    if argumentos[:1] == ["estadisticas"]:  # las cifras del programa; no necesita token
        return estadisticas(argumentos[1:])
    if argumentos[:1] in (["respaldar"], ["restaurar"]):  # tampoco necesitan token
        return respaldo(argumentos[0], argumentos[1:])
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
    except TokenRechazado as error:
        print(error, file=sys.stderr)
        return 3
    except OtraInstancia as error:
        print(error, file=sys.stderr)
        return 4
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
        ruta_bd = opciones.bd or config.ruta_bd
        if not ruta_bd.is_file():
            # Nunca se crea una base nueva: las sesiones quedarían donde el bot no las ve.
            raise FileNotFoundError(
                f"No encontré la base de datos del bot en {ruta_bd.resolve()}; no se creó "
                "ninguna. Corre la orden desde la carpeta del bot (donde está su .env), o di "
                "cuál es con --bd RUTA o con COOPERA_BD.")
        revision = asyncio.run(importar(
            opciones.archivo, ruta_bd, contenido, config.zona_horaria,
            Reloj().ahora(), revisar=opciones.revisar))
    except (ConfiguracionInvalida, ContenidoInvalido, OSError) as error:
        print(f"No se pudo importar.\n{error}", file=sys.stderr)
        return 2
    return _informar(revision, opciones.revisar)


def _errores_del_archivo(errores: list[ErrorDeLinea], nada: str) -> int:
    """Los errores de un CSV por importar, uno por línea, y que no se importó `nada` (1)."""
    for error in errores:
        print(error, file=sys.stderr)
    n = len(errores)
    print(f"No se importó {nada}: hay {n} {'error' if n == 1 else 'errores'}. "
          "Corrige el archivo y vuelve a intentarlo.", file=sys.stderr)
    return 1


def _informar(revision: Revision, revisar: bool) -> int:
    if revision.errores:
        return _errores_del_archivo(revision.errores, "ninguna sesión")
    n = len(revision.sesiones)
    if revisar:
        print(f"El archivo está bien: {n} sesión lista para importar." if n == 1 else
              f"El archivo está bien: {n} sesiones listas para importar.")
    else:
        print(f"Listo: se importó {n} sesión." if n == 1 else
              f"Listo: se importaron {n} sesiones.")
    return 0


# --- importar cursos al catálogo desde un CSV (nucleo/importacion_cursos.py) -----------------

def importar_cursos_csv(argumentos: list[str]) -> int:
    """0: importado (o revisado sin errores); 1: el archivo tiene errores; 2: no se pudo."""
    lector = argparse.ArgumentParser(
        prog="python bot.py importar-cursos",
        description="Revisa un CSV de cursos (id, nombre, tema, descripcion, requisitos, "
                    "modalidad, duracion_horas) y, con --confirmar, los agrega al catálogo. "
                    "Si una línea tiene un error, no importa ninguno.")
    lector.add_argument("archivo", type=Path, help="el archivo CSV (UTF-8)")
    lector.add_argument("--bd", type=Path, help="la base de datos (por omisión, COOPERA_BD)")
    lector.add_argument("--confirmar", action="store_true",
                        help="guarda los cursos (sin esto, solo revisa el archivo)")
    opciones = lector.parse_args(argumentos)
    load_dotenv(Path.cwd() / ".env", override=False)
    entorno = {**os.environ, "TELEGRAM_BOT_TOKEN": "0:importacion"}
    try:
        config = Configuracion.desde_entorno(entorno)
        if not opciones.archivo.is_file():
            raise FileNotFoundError(f"No encontré el archivo {opciones.archivo}.")
        ruta_bd = opciones.bd or config.ruta_bd
        if not ruta_bd.is_file():  # nunca se crea una base: los cursos quedarían donde nadie
            raise FileNotFoundError(
                f"No encontré la base de datos del bot en {ruta_bd.resolve()}; no se creó "
                "ninguna. Corre la orden desde la carpeta del bot (donde está su .env), o di "
                "cuál es con --bd RUTA o con COOPERA_BD.")
        revision = asyncio.run(importar_cursos(opciones.archivo, ruta_bd, Reloj(),
                                               confirmar=opciones.confirmar))
    except (ConfiguracionInvalida, OSError) as error:
        print(f"No se pudo importar.\n{error}", file=sys.stderr)
        return 2
    if revision.errores:
        return _errores_del_archivo(revision.errores, "ningún curso")
    n = len(revision.cursos)
    lista = "\n".join(f"  {c.id}: {c.nombre}" for _linea, c in revision.cursos)
    if not opciones.confirmar:
        print((f"El archivo está bien: {n} curso listo para importar:" if n == 1 else
               f"El archivo está bien: {n} cursos listos para importar:") + f"\n{lista}\n"
              "Para guardarlos, corre la misma orden con --confirmar.")
    else:
        print((f"Listo: se importó {n} curso:" if n == 1 else
               f"Listo: se importaron {n} cursos:") + f"\n{lista}\n"
              "Si el bot está corriendo, los muestra en un minuto.")
    return 0


# --- respaldar y restaurar la base (nucleo/almacen/respaldo.py) -------------------------------

def respaldo(orden: str, argumentos: list[str]) -> int:
    """`respaldar DESTINO` o `restaurar ORIGEN`. 0: hecho; 1: el respaldo no sirve (no se tocó
    nada); 2: la configuración está mal; 4: el bot está corriendo (solo al restaurar)."""
    lector = argparse.ArgumentParser(
        prog=f"python bot.py {orden}",
        description="Copia la base de datos con la API de respaldo de SQLite (se puede con el "
                    "bot corriendo)." if orden == "respaldar" else
                    "Reemplaza la base de datos por un respaldo revisado (con el bot detenido); "
                    "la anterior queda en <base>.antes-de-restaurar.")
    lector.add_argument("archivo", type=Path,
                        help="el archivo del respaldo" if orden == "respaldar"
                        else "el respaldo que se restaura")
    lector.add_argument("--bd", type=Path, help="la base de datos (por omisión, COOPERA_BD)")
    opciones = lector.parse_args(argumentos)
    load_dotenv(Path.cwd() / ".env", override=False)
    try:
        config = Configuracion.desde_entorno({**os.environ, "TELEGRAM_BOT_TOKEN": "0:respaldo"})
    except ConfiguracionInvalida as error:
        print(f"No se pudo {orden}.\n{error}", file=sys.stderr)
        return 2
    ruta_bd: Path = opciones.bd or config.ruta_bd
    try:
        if orden == "respaldar":
            version = respaldar(ruta_bd, opciones.archivo)
            print(f"Listo: {ruta_bd} quedó respaldada en {opciones.archivo} "
                  f"(esquema {version}).")
            return 0
        candado = CandadoDeInstancia(ruta_bd)
        candado.tomar()  # con el bot corriendo, OtraInstancia: no se restaura
        try:
            version = restaurar(opciones.archivo, ruta_bd)
        finally:
            candado.soltar()
    except OtraInstancia:
        print(f"No se restauró nada: el bot está corriendo con la base {ruta_bd}. Detenlo "
              "primero (por ejemplo, systemctl stop coopera-puebla) y vuelve a intentarlo.",
              file=sys.stderr)
        return 4
    except (RespaldoInvalido, OSError) as error:
        print(f"No se pudo {orden}: {error}", file=sys.stderr)
        return 1
    print(f"Listo: {ruta_bd} se restauró desde {opciones.archivo} (esquema {version}); la "
          f"anterior quedó en {ruta_bd}{SUFIJO_ANTERIOR}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
