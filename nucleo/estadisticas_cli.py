"""`python bot.py estadisticas`: las cifras del programa desde la línea de comandos, para el
personal con acceso al servidor. Usa la base configurada (COOPERA_BD o --bd) y nunca crea una:
si no existe, lo dice y sale con 2. Textos en español (es una herramienta del servidor).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from dotenv import load_dotenv

from nucleo.almacen import Almacen
from nucleo.auditoria import anotar
from nucleo.catalogo import CatalogoCursos
from nucleo.configuracion import Configuracion, ConfiguracionInvalida
from nucleo.contenido import Contenido, ContenidoInvalido, cargar_contenido
from nucleo.estadisticas import armar_informe
from nucleo.estadisticas_salida import bloques_texto, csv_informe, png_informe
from nucleo.reloj import Reloj


def _argumentos(argumentos: list[str]) -> argparse.Namespace:
    lector = argparse.ArgumentParser(
        prog="python bot.py estadisticas",
        description="Las cifras del programa de un periodo (con las cifras chicas ocultas).")
    lector.add_argument("--desde", type=date.fromisoformat, required=True,
                        help="primer día, AAAA-MM-DD")
    lector.add_argument("--hasta", type=date.fromisoformat, required=True,
                        help="último día (incluido), AAAA-MM-DD")
    lector.add_argument("--csv", type=Path, help="guarda también el CSV en este archivo")
    lector.add_argument("--png", type=Path, help="guarda también la gráfica en este archivo")
    lector.add_argument("--bd", type=Path, help="la base de datos (por omisión, COOPERA_BD)")
    return lector.parse_args(argumentos)


def estadisticas(argumentos: list[str]) -> int:
    """0: listo; 2: la configuración, el periodo o la base no sirven."""
    opciones = _argumentos(argumentos)
    load_dotenv(Path.cwd() / ".env", override=False)
    entorno = {**os.environ, "TELEGRAM_BOT_TOKEN": "0:estadisticas"}  # no habla con Telegram
    try:
        config = Configuracion.desde_entorno(entorno)
        contenido = cargar_contenido(config.carpeta_contenido)
    except (ConfiguracionInvalida, ContenidoInvalido) as error:
        print(f"No se pudieron sacar las cifras.\n{error}", file=sys.stderr)
        return 2
    ruta = opciones.bd or config.ruta_bd
    if not ruta.is_file():
        print(f"No existe la base de datos {ruta}; revisa COOPERA_BD o --bd (no se crea una "
              "nueva).", file=sys.stderr)
        return 2
    if opciones.desde > opciones.hasta:
        print("--desde no puede ser después de --hasta.", file=sys.stderr)
        return 2
    return asyncio.run(_sacar(opciones, ruta, config, contenido))


async def _sacar(opciones: argparse.Namespace, ruta: Path, config: Configuracion,
                 contenido: Contenido) -> int:
    almacen = await Almacen.abrir(ruta)
    try:
        # Los nombres de los cursos, del catálogo de esa base (nucleo/catalogo.py).
        contenido = replace(contenido, catalogo=await CatalogoCursos.abrir(almacen, Reloj()))
        informe = await armar_informe(almacen, contenido, config.zona_horaria,
                                      opciones.desde, opciones.hasta)
        await anotar(almacen, Reloj().ahora(), None, "estadisticas",
                     f"{opciones.desde}/{opciones.hasta}", "linea de comandos")
    finally:
        await almacen.cerrar()
    for bloque in bloques_texto(_, contenido, informe):
        print(_sin_html(bloque) + "\n")
    if opciones.csv:
        opciones.csv.write_bytes(csv_informe(_, contenido, informe))
        print(f"CSV: {opciones.csv}")
    if opciones.png:
        opciones.png.write_bytes(png_informe(_, contenido, informe))
        print(f"Gráfica: {opciones.png}")
    return 0


def _(texto: str) -> str:
    """Los textos salen en español, el idioma en que están escritos."""
    return texto


def _sin_html(texto: str) -> str:
    return html.unescape(re.sub(r"</?[a-z]+>", "", texto))
