"""Las reglas de cada dato de una sesión: las mismas para el personal en el bot (los flujos
conversaciones/sesion_*.py) y para la importación de un CSV (nucleo/importacion.py).

Sin nada de Telegram. Los motivos de error son textos fuente de traducción (N_): el bot los
traduce; la terminal los muestra en español.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from nucleo.contenido import Contenido
from nucleo.municipios import normalizar
from nucleo.textos import N_
from nucleo.vocabulario import MODALIDADES_DE_SESION

DURACION_MINIMA, DURACION_MAXIMA = 15, 720
CUPO_MAXIMO = 500
LARGO_LUGAR, LARGO_DIRECCION, LARGO_URL = 100, 200, 300

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
        raise DatoInvalido(N_("No entiendo esa fecha: escríbela como día/mes/año."))
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
    if modalidad not in MODALIDADES_DE_SESION:
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
