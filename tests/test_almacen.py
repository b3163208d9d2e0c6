"""El almacén: migraciones numeradas sin huecos y una base vieja que se pone al día."""

import sqlite3
from pathlib import Path

from nucleo.almacen import Almacen
from nucleo.almacen.base import migraciones


def test_migraciones_numeradas_sin_huecos() -> None:
    numeros = [numero for numero, _ in migraciones()]
    assert numeros == list(range(1, len(numeros) + 1))


async def test_base_nueva_llega_a_la_ultima_version(tmp_path: Path) -> None:
    almacen = await Almacen.abrir(tmp_path / "nueva.sqlite3")
    try:
        assert await almacen.version_esquema() == len(migraciones())
    finally:
        await almacen.cerrar()


async def test_base_vieja_se_actualiza_sin_perder_datos(tmp_path: Path) -> None:
    ruta = tmp_path / "vieja.sqlite3"
    primera = migraciones()[0][1].read_text(encoding="utf-8")
    with sqlite3.connect(ruta) as bd:
        bd.executescript(primera + "\nPRAGMA user_version = 1;")
        bd.execute("INSERT INTO personas VALUES (7, 'aceptado', 'v1', '2026-01-01T00:00:00+00:00',"
                   " 'en')")
    almacen = await Almacen.abrir(ruta)
    try:
        persona = await almacen.persona(7)
        assert persona.acepto and persona.idioma == "en" and not persona.inalcanzable
        assert await almacen.version_esquema() == len(migraciones())
    finally:
        await almacen.cerrar()
