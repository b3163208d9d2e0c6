"""Respaldar y restaurar la base: `python bot.py respaldar DESTINO` y `python bot.py restaurar
ORIGEN` de verdad (en otro proceso), con el bot corriendo en el de la prueba.

- El respaldo sale sano aunque el bot esté escribiendo mientras se copia.
- Restaurar se niega con el bot corriendo (su candado de instancia) y no toca la base.
- Restaurar con el bot detenido deja la base del respaldo y guarda la anterior.
- Un archivo dañado, ajeno o de otro programa no se restaura.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from nucleo.almacen.respaldo import SUFIJO_ANTERIOR
from tests.conversador import BotDePrueba, Persona

RAIZ = Path(__file__).resolve().parent.parent


async def _comando(*argumentos: str, bd: Path) -> tuple[int, str, str]:
    """`python bot.py ARGUMENTOS` en otro proceso, sin bloquear al bot de la prueba."""
    entorno = {k: v for k, v in os.environ.items()
               if not k.startswith(("TELEGRAM_", "COOPERA_"))}
    entorno["COOPERA_BD"] = str(bd)
    proceso = await asyncio.create_subprocess_exec(
        sys.executable, str(RAIZ / "bot.py"), *argumentos, cwd=bd.parent, env=entorno,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    salida, errores = await asyncio.wait_for(proceso.communicate(), 60)
    assert proceso.returncode is not None
    return proceso.returncode, salida.decode(), errores.decode()


def _consulta(ruta: Path, sql: str) -> list[tuple]:
    conexion = sqlite3.connect(ruta)
    try:
        return conexion.execute(sql).fetchall()
    finally:
        conexion.close()


def _personas(ruta: Path) -> set[int]:
    return {fila[0] for fila in _consulta(ruta, "SELECT telegram_id FROM personas")}


async def test_respaldo_con_el_bot_corriendo_y_escribiendo(
        bot: BotDePrueba, ana: Persona, tmp_path: Path) -> None:
    await ana.escribe("/start")
    almacen, ahora = bot.almacen, bot.reloj.ahora()
    escritas: list[int] = []
    seguir = True

    async def escribir() -> None:  # el bot guarda personas mientras se copia la base
        telegram_id = 10_000
        while seguir:
            telegram_id += 1
            await almacen.registrar_consentimiento(telegram_id, True, "1", ahora)
            escritas.append(telegram_id)
            await asyncio.sleep(0)

    escritor = asyncio.create_task(escribir())
    await asyncio.sleep(0.05)
    destino = tmp_path / "respaldos" / "copia.sqlite3"
    codigo, salida, errores = await _comando("respaldar", str(destino), bd=bot.config.ruta_bd)
    seguir = False
    await escritor
    assert codigo == 0, errores
    assert "Listo" in salida
    assert _consulta(destino, "PRAGMA integrity_check") == [("ok",)]
    assert _consulta(destino, "PRAGMA journal_mode") == [("delete",)]  # un solo archivo
    assert not destino.with_name(destino.name + "-wal").exists()
    assert stat.S_IMODE(destino.stat().st_mode) == 0o600
    copiadas = _personas(destino) - {ana.usuario.id}
    # Una instantánea coherente: las primeras escritas, sin huecos (todo lo confirmado hasta
    # un momento), y el bot siguió escribiendo mientras tanto.
    assert copiadas == set(escritas[:len(copiadas)])
    assert len(escritas) > 0
    # El bot siguió bien: contesta.
    await ana.escribe("/start")


async def test_restaurar_se_niega_con_el_bot_corriendo(
        bot: BotDePrueba, ana: Persona, tmp_path: Path) -> None:
    await ana.escribe("/start")
    await bot.almacen.registrar_consentimiento(5, True, "1", bot.reloj.ahora())
    respaldo = tmp_path / "copia.sqlite3"
    assert (await _comando("respaldar", str(respaldo), bd=bot.config.ruta_bd))[0] == 0
    codigo, _, errores = await _comando("restaurar", str(respaldo), bd=bot.config.ruta_bd)
    assert codigo == 4
    assert "el bot está corriendo" in errores
    assert not bot.config.ruta_bd.with_name(bot.config.ruta_bd.name + SUFIJO_ANTERIOR).exists()
    await ana.escribe("/start")  # nada cambió para el bot


async def test_restaurar_con_el_bot_detenido(bot: BotDePrueba, tmp_path: Path) -> None:
    ruta_bd = bot.config.ruta_bd
    await bot.almacen.registrar_consentimiento(1, True, "1", bot.reloj.ahora())
    respaldo = tmp_path / "copia.sqlite3"
    assert (await _comando("respaldar", str(respaldo), bd=ruta_bd))[0] == 0
    await bot.almacen.registrar_consentimiento(2, True, "1", bot.reloj.ahora())
    await bot.detener()  # tras detener (o un SIGKILL) la base puede tener su -wal

    codigo, salida, errores = await _comando("restaurar", str(respaldo), bd=ruta_bd)
    assert codigo == 0, errores
    assert "se restauró" in salida
    assert _personas(ruta_bd) == {1}
    anterior = ruta_bd.with_name(ruta_bd.name + SUFIJO_ANTERIOR)
    assert _personas(anterior) == {1, 2}
    assert stat.S_IMODE(anterior.stat().st_mode) == 0o600
    assert stat.S_IMODE(ruta_bd.stat().st_mode) == 0o600
    # El bot arranca con la base restaurada.
    await bot.iniciar()
    assert await bot.almacen.persona(1) is not None
    assert await bot.almacen.persona(2) is None


async def test_un_archivo_danado_o_ajeno_no_se_restaura(bot: BotDePrueba, tmp_path: Path) -> None:
    ruta_bd = bot.config.ruta_bd
    await bot.almacen.registrar_consentimiento(1, True, "1", bot.reloj.ahora())
    sano = tmp_path / "sano.sqlite3"
    assert (await _comando("respaldar", str(sano), bd=ruta_bd))[0] == 0
    await bot.detener()

    texto = tmp_path / "notas.sqlite3"
    texto.write_text("<html>esto no es una base</html>" * 200)
    ajena = tmp_path / "ajena.sqlite3"
    conexion = sqlite3.connect(ajena)
    conexion.execute("CREATE TABLE cosas (x)")
    conexion.commit()
    conexion.close()
    danada = tmp_path / "danada.sqlite3"
    contenido = bytearray(sano.read_bytes())
    tamano_pagina = int.from_bytes(contenido[16:18], "big")
    for pagina in range(1, len(contenido) // tamano_pagina):  # basura en cada página de datos
        inicio = pagina * tamano_pagina
        contenido[inicio:inicio + 64] = b"\xa5" * 64
    danada.write_bytes(bytes(contenido))
    futura = tmp_path / "futura.sqlite3"
    futura.write_bytes(sano.read_bytes())
    conexion = sqlite3.connect(futura)
    conexion.execute("PRAGMA user_version = 9999")
    conexion.close()

    antes = ruta_bd.read_bytes()
    for archivo, motivo in ((texto, "no es una base SQLite sana"),
                            (ajena, "no de Coopera Puebla"),
                            (danada, ""),
                            (futura, "más nuevo que el de este código"),
                            (tmp_path / "no_existe.sqlite3", "No existe")):
        codigo, _, errores = await _comando("restaurar", str(archivo), bd=ruta_bd)
        assert codigo == 1, (archivo, errores)
        assert "No se pudo restaurar" in errores and motivo in errores, errores
        assert ruta_bd.read_bytes() == antes
    assert not ruta_bd.with_name(ruta_bd.name + SUFIJO_ANTERIOR).exists()
    await bot.iniciar()
    assert await bot.almacen.persona(1) is not None


async def test_una_linea_de_arranque_con_lo_que_importa(
        bot: BotDePrueba, caplog: pytest.LogCaptureFixture) -> None:
    """Al arrancar, una sola línea INFO dice modo, base, zona horaria, idiomas, personal y
    presupuesto por segundo; nunca el token."""
    caplog.set_level(logging.INFO, logger="coopera")
    await bot.reiniciar()
    lineas = [r.getMessage() for r in caplog.records
              if r.getMessage().startswith("Coopera Puebla está escuchando")]
    assert len(lineas) == 1
    linea = lineas[0]
    for parte in ("modo polling", f"base {bot.config.ruta_bd}", "zona horaria America/Mexico_City",
                  "idiomas es_MX (predeterminado), en", "personal 1", "presupuesto"):
        assert parte in linea, (parte, linea)
    assert bot.config.token.valor() not in caplog.text
