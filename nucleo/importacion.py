"""Importar muchas sesiones de un archivo CSV, y las reglas de cada dato de una sesión.

    python bot.py importar-sesiones ARCHIVO.csv [--bd RUTA] [--revisar]
    python -m nucleo.importacion ARCHIVO.csv [--bd RUTA] [--revisar]

Columnas (la primera línea, en cualquier orden): curso_id, fecha (AAAA-MM-DD o DD/MM/AAAA),
hora (HH:MM, hora de Puebla), duracion_min, modalidad (presencial o en_linea), cupo,
municipio (nombre o clave del INEGI), lugar, direccion, mapa_url, enlace. Las seis primeras
son obligatorias; las demás pueden faltar si ninguna sesión las usa.

Primero se revisa TODO el archivo y se informa cada error como «línea N, columna X: motivo».
Si hay un solo error no se importa nada; si no hay, todas las sesiones entran juntas en una
sola transacción. Guardado como «CSV UTF-8» de Excel (con ; o con ,) también sirve.

Las reglas de cada dato (`leer_fecha`, `leer_hora`...) son las mismas que usa el personal en
el bot (conversaciones/sesiones_personal.py): por eso viven aquí, sin nada de Telegram.
Sus motivos son textos fuente de traducción (N_): el bot los traduce, la terminal no.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dotenv import load_dotenv

from nucleo.almacen import Almacen
from nucleo.almacen.cursos import SesionNueva
from nucleo.configuracion import Configuracion, ConfiguracionInvalida
from nucleo.contenido import Contenido, ContenidoInvalido, cargar_contenido
from nucleo.municipios import normalizar
from nucleo.reloj import Reloj
from nucleo.textos import N_

DURACION_MINIMA, DURACION_MAXIMA = 15, 720
CUPO_MAXIMO = 500
LARGO_LUGAR, LARGO_DIRECCION, LARGO_URL = 100, 200, 300
MODALIDADES = ("presencial", "en_linea")

_FECHA_DMA = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_FECHA_AMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_HORA = re.compile(r"(\d{1,2})[:.](\d{2})")


class DatoInvalido(ValueError):
    """Un dato que no sirve. `motivo` es un texto fuente (N_) con marcadores de `datos`."""

    def __init__(self, motivo: str, **datos: Any) -> None:
        super().__init__(motivo.format(**datos))
        self.motivo = motivo
        self.datos = datos

    def traducido(self, traducir: Any = None) -> str:
        """El motivo en el idioma de `traducir` (un Traductor), o en español."""
        texto = traducir(self.motivo) if traducir is not None else self.motivo
        return texto.format(**self.datos)


# --- reglas de cada dato (también las usa el bot) -------------------------------------------

def leer_fecha(texto: str, hoy: date) -> date:
    """DD/MM/AAAA (también con - o .) o AAAA-MM-DD; de hoy en adelante."""
    limpio = texto.strip()
    partes = _FECHA_DMA.fullmatch(limpio)
    if partes:
        dia, mes, anio = (int(p) for p in partes.groups())
    elif partes := _FECHA_AMD.fullmatch(limpio):
        anio, mes, dia = (int(p) for p in partes.groups())
    else:
        raise DatoInvalido(N_("Escribe la fecha como día/mes/año, por ejemplo 30/11/2026."))
    try:
        fecha = date(anio, mes, dia)
    except ValueError:
        raise DatoInvalido(N_("Esa fecha no existe en el calendario: {fecha}."),
                           fecha=limpio) from None
    if fecha < hoy:
        raise DatoInvalido(N_("Esa fecha ya pasó. Escribe una fecha de hoy en adelante."))
    return fecha


def leer_hora(texto: str) -> time:
    """HH:MM en formato de 24 horas (también H:MM o HH.MM)."""
    partes = _HORA.fullmatch(texto.strip())
    horas, minutos = (int(p) for p in partes.groups()) if partes else (-1, -1)
    if not (0 <= horas <= 23 and 0 <= minutos <= 59):
        raise DatoInvalido(N_("Escribe la hora en formato de 24 horas, HH:MM. "
                              "Por ejemplo 10:00 o 16:30."))
    return time(horas, minutos)


def momento_de_inicio(dia: date, hora: time, zona: ZoneInfo, ahora: datetime) -> datetime:
    """Fecha y hora locales de Puebla como un instante; debe ser en el futuro."""
    inicio = datetime.combine(dia, hora, tzinfo=zona)
    if inicio <= ahora:
        raise DatoInvalido(N_("Esa hora ya pasó. Escribe una hora más tarde."))
    return inicio


def leer_entero(texto: str, minimo: int, maximo: int, motivo: str) -> int:
    limpio = texto.strip()
    if not re.fullmatch(r"\d{1,6}", limpio) or not minimo <= int(limpio) <= maximo:
        raise DatoInvalido(motivo, minimo=minimo, maximo=maximo)
    return int(limpio)


def leer_duracion(texto: str) -> int:
    return leer_entero(texto, DURACION_MINIMA, DURACION_MAXIMA, N_(
        "La duración va en minutos: un número entero de {minimo} a {maximo}."))


def leer_cupo(texto: str) -> int:
    return leer_entero(texto, 1, CUPO_MAXIMO, N_(
        "El cupo es el número de lugares: un número entero de {minimo} a {maximo}."))


def leer_modalidad(texto: str) -> str:
    modalidad = normalizar(texto).replace(" ", "_")
    if modalidad not in MODALIDADES:
        raise DatoInvalido(N_("La modalidad es «presencial» o «en_linea»."))
    return modalidad


def leer_texto(texto: str, maximo: int) -> str:
    """Texto de una línea, sin espacios de más, de 2 a `maximo` caracteres."""
    limpio = " ".join(texto.split())
    if len(limpio) < 2 or not re.search(r"\w", limpio):
        raise DatoInvalido(N_("Escribe un texto con letras o números."))
    if len(limpio) > maximo:
        raise DatoInvalido(N_("Es muy largo: {maximo} caracteres como máximo."), maximo=maximo)
    return limpio


def leer_url(texto: str) -> str:
    """Un enlace http(s) completo: el bot lo pone en botones y enlaces de Telegram."""
    limpio = texto.strip()
    try:
        partes = urlsplit(limpio)
        valida = partes.scheme in ("http", "https") and "." in (partes.hostname or "")
    except ValueError:
        valida = False
    if not valida or re.search(r"\s", limpio) or len(limpio) > LARGO_URL:
        raise DatoInvalido(N_("Ese enlace no sirve. Debe empezar con https:// y no llevar "
                              "espacios; por ejemplo https://meet.google.com/abc-defg-hij."))
    return limpio


def leer_municipio(texto: str, contenido: Contenido) -> str:
    """La clave INEGI del municipio escrito por nombre o clave; si hay duda, error."""
    busqueda = contenido.municipios.buscar(texto)
    if busqueda.exacto is not None:
        return busqueda.exacto.clave
    if busqueda.sugerencias:
        opciones = ", ".join(m.nombre for m in busqueda.sugerencias)
        raise DatoInvalido(N_("No sé qué municipio es «{texto}». ¿Es alguno de estos? "
                              "{opciones}"), texto=texto.strip(), opciones=opciones)
    raise DatoInvalido(N_("No encontré el municipio «{texto}» en Puebla."), texto=texto.strip())


# --- el archivo --------------------------------------------------------------------------------

COLUMNAS = ("curso_id", "fecha", "hora", "duracion_min", "modalidad", "cupo", "municipio",
            "lugar", "direccion", "mapa_url", "enlace")
OBLIGATORIAS = COLUMNAS[:6]


@dataclass(frozen=True)
class ErrorDeLinea:
    linea: int
    columna: str | None
    motivo: str

    def __str__(self) -> str:
        if self.columna is None:
            return f"línea {self.linea}: {self.motivo}"
        return f"línea {self.linea}, columna {self.columna}: {self.motivo}"


@dataclass
class Revision:
    """Lo que se puede importar y lo que está mal; se importa solo si `errores` está vacío."""

    sesiones: list[tuple[int, Any]] = field(default_factory=list)  # (línea, SesionNueva)
    errores: list[ErrorDeLinea] = field(default_factory=list)


def revisar_archivo(datos: bytes, contenido: Contenido, zona: ZoneInfo,
                    ahora: datetime) -> Revision:
    """Revisa cada línea del archivo (sin abrir la base)."""
    revision = Revision()
    try:
        texto = datos.decode("utf-8-sig")
    except UnicodeDecodeError:
        revision.errores.append(ErrorDeLinea(1, None, "el archivo no está en UTF-8. En Excel, "
                                                      "guárdalo como «CSV UTF-8»."))
        return revision
    filas = _filas_con_linea(texto)
    if not filas:
        revision.errores.append(ErrorDeLinea(1, None, "el archivo está vacío."))
        return revision
    encabezado = [normalizar(c).replace(" ", "_") for c in filas[0][1]]
    while encabezado and not encabezado[-1]:
        encabezado.pop()  # Excel deja separadores de sobra al final
    revision.errores.extend(_revisar_encabezado(encabezado))
    if revision.errores:
        return revision
    if len(filas) == 1:
        revision.errores.append(ErrorDeLinea(1, None, "el archivo solo tiene el encabezado: "
                                                      "no hay sesiones que importar."))
        return revision
    vistas: dict[tuple, int] = {}
    for linea, celdas in filas[1:]:
        _revisar_fila(revision, linea, encabezado, celdas, contenido, zona, ahora, vistas)
    return revision


def _filas_con_linea(texto: str) -> list[tuple[int, list[str]]]:
    """Las filas no vacías, cada una con la línea del archivo donde empieza."""
    primera = texto.split("\n", 1)[0]
    separador = ";" if primera.count(";") > primera.count(",") else ","
    lector = csv.reader(io.StringIO(texto, newline=""), delimiter=separador)
    filas, siguiente = [], 1
    for celdas in lector:
        if any(c.strip() for c in celdas):
            filas.append((siguiente, celdas))
        siguiente = lector.line_num + 1
    return filas


def _revisar_encabezado(encabezado: list[str]) -> list[ErrorDeLinea]:
    errores = []
    for posicion, nombre in enumerate(encabezado, start=1):
        if nombre not in COLUMNAS:
            errores.append(ErrorDeLinea(1, nombre or str(posicion), (
                "columna desconocida. Las columnas válidas son: " + ", ".join(COLUMNAS))))
        elif encabezado.index(nombre) != posicion - 1:
            errores.append(ErrorDeLinea(1, nombre, "la columna está repetida."))
    for nombre in OBLIGATORIAS:
        if nombre not in encabezado:
            errores.append(ErrorDeLinea(1, nombre, "falta esta columna en el encabezado."))
    return errores


def _revisar_fila(revision: Revision, linea: int, encabezado: list[str], celdas: list[str],
                  contenido: Contenido, zona: ZoneInfo, ahora: datetime,
                  vistas: dict[tuple, int]) -> None:
    if any(c.strip() for c in celdas[len(encabezado):]):
        revision.errores.append(ErrorDeLinea(
            linea, str(len(encabezado) + 1), "la línea tiene más columnas que el encabezado "
            "(¿una coma de más? Pon entre comillas el texto que lleva comas)."))
        return
    valores = {c: "" for c in COLUMNAS}
    valores.update({c: v.strip() for c, v in zip(encabezado, celdas, strict=False)})
    errores: list[ErrorDeLinea] = []
    sesion = _sesion_de_fila(valores, contenido, zona, ahora, linea, errores)
    revision.errores.extend(errores)
    if sesion is None:
        return
    clave = (sesion.curso_id, sesion.inicio, sesion.municipio_clave,
             (sesion.lugar or "").casefold(), sesion.enlace)
    if clave in vistas:
        revision.errores.append(ErrorDeLinea(linea, "curso_id", (
            f"es la misma sesión de la línea {vistas[clave]} (mismo curso, fecha, hora y "
            "lugar o enlace).")))
        return
    vistas[clave] = linea
    revision.sesiones.append((linea, sesion))


class _Celdas:
    """Lee las celdas de una fila y anota cada error con su columna."""

    def __init__(self, valores: dict[str, str], linea: int, errores: list[ErrorDeLinea]):
        self.valores, self.linea, self.errores = valores, linea, errores

    def leer(self, columna: str, lector: Any, *argumentos: Any, opcional: bool = False) -> Any:
        valor = self.valores[columna]
        if not valor:
            if not opcional:
                self.errores.append(ErrorDeLinea(self.linea, columna, "está vacía."))
            return None
        try:
            return lector(valor, *argumentos)
        except DatoInvalido as error:
            ya_lo_dice = valor in (str(v) for v in error.datos.values())
            motivo = str(error) if ya_lo_dice else f"«{valor}»: {error}"
            self.errores.append(ErrorDeLinea(self.linea, columna, motivo))
            return None


def _sesion_de_fila(valores: dict[str, str], contenido: Contenido, zona: ZoneInfo,
                    ahora: datetime, linea: int, errores: list[ErrorDeLinea]) -> Any:
    celdas = _Celdas(valores, linea, errores)
    curso = celdas.leer("curso_id", _curso, contenido)
    dia = celdas.leer("fecha", leer_fecha, ahora.astimezone(zona).date())
    hora = celdas.leer("hora", leer_hora)
    duracion = celdas.leer("duracion_min", leer_duracion)
    modalidad = celdas.leer("modalidad", leer_modalidad)
    cupo = celdas.leer("cupo", leer_cupo)
    inicio = None
    if dia is not None and hora is not None:
        inicio = celdas.leer("hora", lambda _hora: momento_de_inicio(dia, hora, zona, ahora))
    municipio = celdas.leer("municipio", leer_municipio, contenido,
                            opcional=modalidad != "presencial")
    lugar = celdas.leer("lugar", leer_texto, LARGO_LUGAR, opcional=modalidad != "presencial")
    direccion = celdas.leer("direccion", leer_texto, LARGO_DIRECCION,
                            opcional=modalidad != "presencial")
    mapa = celdas.leer("mapa_url", leer_url, opcional=True)
    enlace = celdas.leer("enlace", leer_url, opcional=modalidad != "en_linea")
    if errores:
        return None
    if modalidad == "en_linea":
        lugar = direccion = mapa = None  # en línea no hay a dónde llegar
    return SesionNueva(curso_id=curso, inicio=inicio, duracion_min=duracion,
                       modalidad=modalidad, cupo=cupo, municipio_clave=municipio, lugar=lugar,
                       direccion=direccion, mapa_url=mapa, enlace=enlace)


def _curso(texto: str, contenido: Contenido) -> str:
    ids = [c.id for c in contenido.cursos]
    if texto not in ids:
        raise DatoInvalido(N_("No hay un curso con el id «{texto}». Los ids están en "
                              "contenido/cursos.yaml: {ids}."), texto=texto, ids=", ".join(ids))
    return texto


# --- importar -------------------------------------------------------------------------------

async def importar(ruta: Path, ruta_bd: Path, contenido: Contenido, zona: ZoneInfo,
                   ahora: datetime, *, revisar: bool = False) -> Revision:
    """Revisa el archivo y, si todo está bien (y no es solo revisar), lo importa entero."""
    revision = revisar_archivo(ruta.read_bytes(), contenido, zona, ahora)
    almacen = await Almacen.abrir(ruta_bd)
    try:
        await _buscar_repetidas_en_la_base(almacen, revision)
        if revision.errores or revisar:
            return revision
        async with almacen.transaccion() as bd:
            for _linea, sesion in revision.sesiones:
                await almacen.crear_sesion(sesion, ahora, bd=bd)
    finally:
        await almacen.cerrar()
    return revision


async def _buscar_repetidas_en_la_base(almacen: Any, revision: Revision) -> None:
    for linea, s in revision.sesiones:
        repetida = await almacen.sesion_repetida(s.curso_id, s.inicio, s.municipio_clave,
                                                 s.lugar, s.enlace)
        if repetida is not None:
            revision.errores.append(ErrorDeLinea(linea, "curso_id", (
                f"esta sesión ya existe en el bot (sesión {repetida}: mismo curso, fecha, "
                "hora y lugar o enlace). ¿Ya habías importado este archivo?")))
    revision.errores.sort(key=lambda e: e.linea)


def leer_argumentos(argumentos: list[str] | None) -> argparse.Namespace:
    lector = argparse.ArgumentParser(
        prog="python bot.py importar-sesiones",
        description="Importa sesiones de cursos desde un archivo CSV. Si una línea tiene un "
                    "error, no importa ninguna.")
    lector.add_argument("archivo", type=Path, help="el archivo CSV (UTF-8)")
    lector.add_argument("--bd", type=Path, help="la base de datos (por omisión, COOPERA_BD)")
    lector.add_argument("--revisar", action="store_true",
                        help="solo revisa el archivo, sin importar nada")
    return lector.parse_args(argumentos)


def main(argumentos: list[str] | None = None) -> int:
    """0: importado (o revisado sin errores); 1: el archivo tiene errores; 2: no se pudo."""
    opciones = leer_argumentos(argumentos)
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
