"""La lista de una sesión para el personal: el nombre y el municipio de cada persona, y el
archivo CSV (UTF-8 con BOM, sin fórmulas) que se descarga desde el bot."""

from __future__ import annotations

import csv
import io

from nucleo.almacen.sesiones import FilaLista
from nucleo.contenido import Contenido
from nucleo.textos import Traductor
from nucleo.vocabulario import EstadoInscripcion

_FORMULAS = ("=", "+", "-", "@", "\t", "\r")


def nombre_en_lista(_: Traductor, fila: FilaLista) -> str:
    return fila.nombre or _("(sin nombre)")


def municipio_en_lista(contenido: Contenido, clave: str | None) -> str:
    municipio = contenido.municipios.por_clave(clave) if clave else None
    return municipio.nombre if municipio else ""


def csv_de_lista(contenido: Contenido, _: Traductor, filas: list[FilaLista]) -> bytes:
    """UTF-8 con BOM: así Excel abre bien los acentos."""
    salida = io.StringIO()
    escritor = csv.writer(salida)
    # Solo lo que el personal necesita para llevar la sesión (minimización): el sexo y la
    # edad solo cuentan en estadísticas sin nombres, como dice el aviso de privacidad.
    escritor.writerow([_("posición"), _("estado"), _("nombre"), _("municipio"), _("asistió")])
    for f in filas:
        escritor.writerow([
            f.posicion, _texto_estado(_, f), _celda(f.nombre or ""),
            municipio_en_lista(contenido, f.municipio_clave), _texto_asistio(_, f.asistio)])
    return salida.getvalue().encode("utf-8-sig")


def _texto_estado(_: Traductor, fila: FilaLista) -> str:
    return _("inscrita") if fila.estado == EstadoInscripcion.INSCRITA else _("en espera")


def _texto_asistio(_: Traductor, asistio: bool | None) -> str:
    return "" if asistio is None else (_("sí") if asistio else _("no"))


def _celda(texto: str) -> str:
    """Lo que escribió una persona no debe volverse una fórmula al abrirlo en Excel."""
    return "'" + texto if texto.startswith(_FORMULAS) else texto

