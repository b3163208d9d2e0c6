"""«¿Quisiste decir…?»: las sugerencias cuando lo escrito no es un municipio exacto (perfil,
sesiones del personal, anuncios)."""

from __future__ import annotations

from collections.abc import Sequence

from interfaz.respuestas import Boton
from nucleo.municipios import Municipio
from nucleo.textos import Traductor


def filas_de_sugerencias(_: Traductor, sugerencias: Sequence[Municipio],
                         prefijo: str) -> list[list[Boton]]:
    """Un botón por municipio sugerido (`<prefijo><clave>`) y, al final, «Ninguno, lo escribo
    otra vez» (`<prefijo>otra`)."""
    filas = [[(m.nombre, f"{prefijo}{m.clave}")] for m in sugerencias]
    filas.append([(_("Ninguno, lo escribo otra vez"), f"{prefijo}otra")])
    return filas
