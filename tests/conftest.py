"""Fixtures: el emulador de la Bot API por HTTP real y el bot completo apuntando a él.

Las pruebas hablan como personas: escriben, pulsan botones y leen lo que el bot contestó.

Dos reglas para toda la suite:
- Una prueba durante la que el bot registra un error (nivel ERROR o más, de cualquier logger:
  `coopera.errores`, `telegram.ext`, `apscheduler`, `asyncio`...) falla, salvo que lleve
  `@pytest.mark.error_esperado` (ver `guardia_de_errores`).
- El contenido y los catálogos se cargan una sola vez por sesión (`contenido_real`,
  `textos_reales`); nadie debe modificarlos.
"""

from __future__ import annotations

import gc
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
from tests.guardia import MARCA_ERROR_ESPERADO, GuardiaDeErrores, loggers_ciegos

pytest_plugins = ("pytester",)  # test_guardia corre una sesión de pytest aparte


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARCA_ERROR_ESPERADO}(*loggers): la prueba provoca a propósito un error que "
        "se registra (nivel ERROR); sin esta marca, un error registrado hace fallar la prueba. "
        "Con nombres de loggers, solo se perdonan los de esos loggers (y sus hijos).")


# --- la guardia de errores ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def guardia_de_errores(request: pytest.FixtureRequest) -> Iterator[GuardiaDeErrores]:
    """Falla la prueba (al terminarla) si alguien registró un error mientras corría.

    Es la primera fixture de cada prueba y la última en cerrarse: ve también lo que se registra
    al detener el bot. Antes de revisar se recoge la basura, para que «Task exception was never
    retrieved» de una tarea de esta prueba salga aquí y no en la siguiente.
    """
    guardia = GuardiaDeErrores()
    gc.collect()  # lo que haya dejado la prueba anterior no se le cobra a esta
    guardia.instalar()
    try:
        yield guardia
        gc.collect()
    finally:
        guardia.quitar()
    ciegos = loggers_ciegos()
    if ciegos:
        pytest.fail("La guardia de errores no ve estos loggers (no propagan a la raíz, están "
                    "apagados o con nivel mayor que ERROR): " + ", ".join(ciegos), pytrace=False)
    marca = request.node.get_closest_marker(MARCA_ERROR_ESPERADO)
    if marca is not None and not marca.args:
        return  # la prueba provoca errores a propósito, de cualquier logger
    informe = guardia.informe(perdonados=marca.args if marca is not None else ())
    if informe:
        pytest.fail("El bot registró errores durante la prueba (si la prueba los provoca a "
                    f"propósito, márcala con @pytest.mark.{MARCA_ERROR_ESPERADO}):\n"
                    + informe, pytrace=False)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Lo ya importado (PTB, babel, el contenido...) vive toda la sesión: se saca de la
    recolección de basura, así el `gc.collect()` de la guardia solo recorre lo de cada prueba
    (pasa de ~40 ms a unos pocos)."""
    gc.collect()
    gc.freeze()


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
    """Cada cliente httpx lee los certificados de certifi al armarse (~20 ms): las pruebas del
    emulador usan HTTPXRequest, y el bot la arma para subir archivos (`nucleo/cliente_http.py`).
    Las pruebas hablan HTTP con el emulador local: basta un contexto SSL, hecho una vez y
    compartido (un `ssl.SSLContext` se puede compartir)."""
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
        # Este emulador no limita tasas y las pruebas contestan al instante: sin ritmo, cada
        # paso esperaría un segundo. Las pruebas del ritmo lo encienden (tests/test_privado.py).
        mensajes_por_segundo=0,
        cursos_de_ejemplo=True,  # el catálogo de ejemplo (contenido/cursos.yaml) en la base
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
