"""El almacén: migraciones numeradas sin huecos y una base vieja que se pone al día."""

import contextlib
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


async def test_otra_tarea_no_lee_lo_que_una_transaccion_aun_no_confirma(tmp_path: Path) -> None:
    """Mientras una transacción está abierta (y luego se deshace), otra tarea no ve sus filas;
    la propia transacción sí las ve. Con una sola conexión, la otra tarea las veía."""
    import asyncio

    almacen = await Almacen.abrir(tmp_path / "bd.sqlite3")
    abierta, seguir = asyncio.Event(), asyncio.Event()

    async def escribe_y_se_arrepiente() -> None:
        with contextlib.suppress(RuntimeError):
            async with almacen.transaccion() as bd:
                await bd.execute(
                    "INSERT INTO personas (telegram_id, consentimiento, version_aviso,"
                    " decidido_en) VALUES (5, 'aceptado', 'v1', '2026-12-01T00:00:00+00:00')")
                assert await almacen.persona(5) is not None  # la propia transacción la ve
                abierta.set()
                await seguir.wait()
                raise RuntimeError("se deshace")

    tarea = asyncio.create_task(escribe_y_se_arrepiente())
    await abierta.wait()
    try:
        assert await almacen.persona(5) is None  # otra tarea: nada sin confirmar
    finally:
        seguir.set()
        await tarea
    assert await almacen.persona(5) is None
    await almacen.cerrar()
