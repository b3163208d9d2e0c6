"""Fixtures: el emulador de la Bot API por HTTP real y el bot completo apuntando a él.

Las pruebas hablan como personas: escriben, pulsan botones y leen lo que el bot contestó.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo.configuracion import Configuracion, Secreto
from nucleo.reloj import RelojFijo
from tests.conversador import ID_PERSONAL, INICIO, BotDePrueba, Persona


@pytest.fixture
def reloj() -> RelojFijo:
    return RelojFijo(INICIO)


@pytest.fixture
async def emulador() -> AsyncIterator[EmuladorBotAPI]:
    async with EmuladorBotAPI() as emu:
        yield emu


@pytest.fixture
def config(emulador: EmuladorBotAPI, tmp_path: Path) -> Configuracion:
    return Configuracion(
        token=Secreto(emulador.token), url_base=emulador.url_base,
        ruta_bd=tmp_path / "coopera.sqlite3", personal=frozenset({ID_PERSONAL}),
    )


@pytest.fixture
async def bot(config: Configuracion, emulador: EmuladorBotAPI,
              reloj: RelojFijo) -> AsyncIterator[BotDePrueba]:
    prueba = BotDePrueba(config, emulador, reloj)
    await prueba.iniciar()
    yield prueba
    await prueba.detener()


@pytest.fixture
def ana(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(101, first_name="Ana", language_code="es"))


@pytest.fixture
def john(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(202, first_name="John", language_code="en"))
