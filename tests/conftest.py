"""Fixtures: el emulador de la Bot API por HTTP real y el bot completo apuntando a él.

Las pruebas hablan como personas: escriben, pulsan botones y leen lo que el bot contestó.

El contenido y los catálogos se cargan una sola vez por sesión (`contenido_real`,
`textos_reales`); nadie debe modificarlos.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo.configuracion import Configuracion, Secreto
from nucleo.contenido import Contenido, cargar_contenido
from nucleo.reloj import RelojFijo
from nucleo.textos import Textos
from tests.conversador import (
    CARPETA_CONTENIDO,
    ID_PERSONAL,
    IDIOMA_PREDETERMINADO,
    INICIO,
    BotDePrueba,
    Persona,
)

# --- contenido y catálogos: una vez por sesión -------------------------------------------------


@pytest.fixture(scope="session")
def contenido_real() -> Contenido:
    """El contenido de `contenido/`, cargado y validado una vez. No se modifica: es inmutable
    (dataclasses congeladas); quien necesite otro, que lo arme con `dataclasses.replace`."""
    return cargar_contenido(CARPETA_CONTENIDO)


@pytest.fixture(scope="session")
def textos_reales() -> Textos:
    return Textos(CARPETA_CONTENIDO / "locales", IDIOMA_PREDETERMINADO)


@pytest.fixture(scope="session", autouse=True)
def _contexto_ssl_compartido() -> Iterator[None]:
    """Cada bot arma cuatro clientes httpx y cada uno lee los certificados de certifi (~20 ms
    por cliente, ~80 ms por prueba). Las pruebas hablan HTTP con el emulador local: basta un
    contexto SSL, hecho una vez y compartido (un `ssl.SSLContext` se puede compartir)."""
    from httpx._transports import default as transporte

    original = transporte.create_ssl_context
    compartido: list[ssl.SSLContext] = []

    def crear(verify=True, cert=None, trust_env=True):
        if verify is not True or cert is not None:
            return original(verify=verify, cert=cert, trust_env=trust_env)
        if not compartido:
            compartido.append(original(verify=verify, cert=cert, trust_env=trust_env))
        return compartido[0]

    with pytest.MonkeyPatch.context() as parche:
        parche.setattr(transporte, "create_ssl_context", crear)
        yield


# --- el bot ----------------------------------------------------------------------------------


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
async def bot(config: Configuracion, emulador: EmuladorBotAPI, reloj: RelojFijo,
              contenido_real: Contenido, textos_reales: Textos) -> AsyncIterator[BotDePrueba]:
    prueba = BotDePrueba(config, emulador, reloj, contenido=contenido_real,
                         textos=textos_reales)
    await prueba.iniciar()
    yield prueba
    await prueba.detener()


@pytest.fixture
def ana(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(101, first_name="Ana", language_code="es"))


@pytest.fixture
def john(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(202, first_name="John", language_code="en"))
