"""Respaldar y restaurar la base con la API de respaldo en línea de SQLite.

`respaldar` copia la base aunque el bot esté corriendo y escribiendo: SQLite copia páginas
de una instantánea coherente (reintenta si alguien escribe a la mitad), sin detener al bot.
El respaldo queda en un solo archivo (sin -wal), solo para su dueña (0600), y se revisa antes
de darlo por bueno.

`restaurar` reemplaza la base por un respaldo revisado (`revisar_respaldo`: integridad y
versión del esquema). Quien la llama debe tener el candado de instancia (`bot.py` lo toma):
con el bot corriendo no se restaura. La base anterior queda en `<base>.antes-de-restaurar`.

Es código síncrono (sqlite3): lo usan los comandos `respaldar` y `restaurar` de `bot.py`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from nucleo.almacen.base import (
    SUFIJOS_DE_LA_BASE,
    apretar_permisos,
    archivo_privado,
    carpeta_privada,
    migraciones,
)

# Páginas que se copian de una vez: entre paso y paso el bot puede escribir.
PAGINAS_POR_PASO = 1024
SUFIJO_ANTERIOR = ".antes-de-restaurar"
# Tablas que toda base de Coopera Puebla tiene desde la primera migración.
TABLAS_PROPIAS = ("personas",)


class RespaldoInvalido(Exception):
    """El archivo no es un respaldo sano de Coopera Puebla (el mensaje dice por qué)."""


def version_mas_reciente() -> int:
    """La versión del esquema que deja la última migración de este código."""
    return max((numero for numero, _ in migraciones()), default=0)


def _temporal(ruta: Path) -> Path:
    return ruta.with_name(ruta.name + ".parcial")


def _borrar_base(ruta: Path) -> None:
    for sufijo in SUFIJOS_DE_LA_BASE:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(ruta.with_name(ruta.name + sufijo))


def _copiar(origen: sqlite3.Connection, destino: Path) -> None:
    """Copia `origen` a `destino` (nuevo, 0600) y lo deja en un solo archivo."""
    _borrar_base(destino)
    carpeta_privada(destino.parent)
    archivo_privado(destino)
    copia = sqlite3.connect(destino)
    try:
        origen.backup(copia, pages=PAGINAS_POR_PASO)
        copia.execute("PRAGMA journal_mode = DELETE")  # sin -wal: un archivo que se mueve solo
    finally:
        copia.close()
    apretar_permisos(destino)


def respaldar(ruta_bd: Path, destino: Path) -> int:
    """Copia la base `ruta_bd` en `destino` (lo reemplaza si existe) y devuelve la versión
    del esquema copiado. Sirve con el bot corriendo. Lanza RespaldoInvalido si la base no
    existe o la copia no pasa la revisión (y entonces no deja nada a medias en `destino`)."""
    if not ruta_bd.is_file():
        raise RespaldoInvalido(f"No existe la base de datos {ruta_bd}.")
    temporal = _temporal(destino)
    origen = sqlite3.connect(ruta_bd, timeout=30)
    try:
        _copiar(origen, temporal)
    except sqlite3.Error as error:
        _borrar_base(temporal)
        raise RespaldoInvalido(f"No se pudo copiar {ruta_bd}: {error}.") from None
    finally:
        origen.close()
    try:
        version = revisar_respaldo(temporal)
    except RespaldoInvalido:
        _borrar_base(temporal)
        raise
    os.replace(temporal, destino)
    return version


def revisar_respaldo(ruta: Path) -> int:
    """Revisa que `ruta` sea una base sana de Coopera Puebla que este código pueda usar y
    devuelve la versión de su esquema. Lanza RespaldoInvalido si no."""
    if not ruta.is_file():
        raise RespaldoInvalido(f"No existe el archivo {ruta}.")
    try:
        conexion = sqlite3.connect(ruta)
    except sqlite3.Error as error:
        raise RespaldoInvalido(f"{ruta} no se puede abrir como base SQLite ({error}).") from None
    try:
        integridad = [fila[0] for fila in conexion.execute("PRAGMA integrity_check")]
        if integridad != ["ok"]:
            raise RespaldoInvalido(
                f"{ruta} está dañado (PRAGMA integrity_check: {'; '.join(integridad[:3])}).")
        version = int(conexion.execute("PRAGMA user_version").fetchone()[0])
        tablas = {fila[0] for fila in conexion.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise RespaldoInvalido(
            f"{ruta} no es una base SQLite sana ({error}).") from None
    finally:
        conexion.close()
    if version < 1 or not set(TABLAS_PROPIAS) <= tablas:
        raise RespaldoInvalido(f"{ruta} es una base SQLite, pero no de Coopera Puebla.")
    if version > version_mas_reciente():
        raise RespaldoInvalido(
            f"{ruta} tiene el esquema {version}, más nuevo que el de este código "
            f"({version_mas_reciente()}): actualiza el bot antes de restaurarlo.")
    return version


def restaurar(origen: Path, ruta_bd: Path) -> int:
    """Reemplaza la base `ruta_bd` por el respaldo `origen` y devuelve la versión de su
    esquema (si es más vieja, las migraciones la ponen al día al arrancar el bot).

    Quien llama debe tener el candado de instancia: el bot no puede estar corriendo. La base
    anterior queda en `<base>.antes-de-restaurar` (en un solo archivo). Lanza RespaldoInvalido
    si `origen` no pasa la revisión; entonces no toca la base."""
    version = revisar_respaldo(origen)
    temporal = _temporal(ruta_bd)
    fuente = sqlite3.connect(origen)
    try:
        _copiar(fuente, temporal)
    except sqlite3.Error as error:
        _borrar_base(temporal)
        raise RespaldoInvalido(f"No se pudo copiar {origen}: {error}.") from None
    finally:
        fuente.close()
    revisar_respaldo(temporal)
    if ruta_bd.is_file():
        # La base actual, con lo que tenga en su -wal (tras una caída), en un solo archivo.
        actual = sqlite3.connect(ruta_bd)
        try:
            _copiar(actual, ruta_bd.with_name(ruta_bd.name + SUFIJO_ANTERIOR))
        finally:
            actual.close()
    # Primero se borra el -wal de la base anterior: aplicado a la nueva la dañaría.
    for sufijo in SUFIJOS_DE_LA_BASE[1:]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(ruta_bd.with_name(ruta_bd.name + sufijo))
    os.replace(temporal, ruta_bd)
    return version
