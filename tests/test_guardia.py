"""La guardia de errores (conftest): una prueba durante la que el bot registra un error falla,
salvo que lo declare con `@pytest.mark.error_esperado`."""

from __future__ import annotations

import pytest

from tests.conversador import Persona, completar_perfil


async def _perfil_que_falla(ana: Persona, bot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana pide su perfil y la base «falla» justo ahí: el manejador de errores se disculpa."""
    await completar_perfil(ana)

    async def falla(*_args, **_kwargs):
        raise RuntimeError("la base se fue de vacaciones")

    monkeypatch.setattr(bot.almacen, "perfil", falla)
    await ana.escribe("/perfil")
    assert "Perdón, algo falló" in ana.texto()


async def test_la_guardia_ve_el_error_de_un_paso(ana: Persona, bot, guardia_de_errores,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    await _perfil_que_falla(ana, bot, monkeypatch)
    informe = guardia_de_errores.informe()
    assert "coopera.errores: Error inesperado al atender comando /perfil" in informe
    assert "RuntimeError: la base se fue de vacaciones" in informe
    # Con esto la prueba fallaría al terminar; se olvida para que esta pase.
    guardia_de_errores.olvidar()


@pytest.mark.error_esperado  # el error lo provoca la prueba: la marca deja pasar la prueba
async def test_con_la_marca_el_error_no_la_tumba(ana: Persona, bot, guardia_de_errores,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    await _perfil_que_falla(ana, bot, monkeypatch)
    assert guardia_de_errores.registros


PRUEBAS_INTERNAS = '''
import asyncio
import logging

import pytest


def test_sin_errores():
    logging.getLogger("coopera").warning("un aviso no es un error")


def test_error_registrado():
    logging.getLogger("coopera.errores").error("Error inesperado", exc_info=ValueError("x"))


def test_error_de_ptb():
    logging.getLogger("telegram.ext.Application").error("No error handlers are registered")


def test_tarea_que_nadie_espera():
    async def falla():
        raise KeyError("nadie me espera")

    async def principal():
        asyncio.get_running_loop().create_task(falla())
        await asyncio.sleep(0)

    asyncio.run(principal())


@pytest.mark.error_esperado
def test_error_declarado():
    logging.getLogger("coopera.errores").error("lo provoca la prueba")


@pytest.mark.error_esperado("aiohttp.server")
def test_perdona_ese_logger():
    logging.getLogger("aiohttp.server").error("conexión cortada")


@pytest.mark.error_esperado("aiohttp.server")
def test_no_perdona_otro_logger():
    logging.getLogger("aiohttp.server").error("conexión cortada")
    logging.getLogger("coopera.envios").error("esto sí cuenta")
'''


@pytest.mark.error_esperado  # las pruebas de adentro registran errores a propósito
def test_la_guardia_hace_fallar_la_prueba(pytester: pytest.Pytester) -> None:
    """Una sesión de pytest aparte con la misma guardia: fallan justo las que registran un
    error sin declararlo, y el informe dice qué se registró y con qué excepción."""
    pytester.makeconftest("from tests.conftest import guardia_de_errores, pytest_configure\n")
    pytester.makepyfile(test_internas=PRUEBAS_INTERNAS)
    resultado = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:asyncio")
    # Las que registran un error sin declararlo pasan su cuerpo y fallan al cerrar (ERROR en
    # teardown); la marca con un logger perdona solo los errores de ese logger.
    resultado.assert_outcomes(passed=7, errors=4)
    resultado.stdout.fnmatch_lines([
        "*ERROR at teardown of test_error_registrado*",
        "*ERROR coopera.errores: Error inesperado [[]builtins.ValueError: x[]]*",
        "*ERROR at teardown of test_error_de_ptb*",
        "*ERROR telegram.ext.Application: No error handlers are registered*",
        "*ERROR at teardown of test_tarea_que_nadie_espera*",
        "*ERROR asyncio: Task exception was never retrieved*",
        "*[[]builtins.KeyError: 'nadie me espera'[]]*",
        "*ERROR at teardown of test_no_perdona_otro_logger*",
        "ERROR coopera.envios: esto sí cuenta",
    ])
    assert "conexión cortada" not in "".join(
        linea for linea in resultado.stdout.lines if linea.startswith("ERROR aiohttp"))
