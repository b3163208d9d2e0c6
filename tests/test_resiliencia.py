"""La Bot API caída, lenta o contestando basura, al arrancar y con el bot corriendo: el bot
sigue vivo, dice qué pasa en una línea por corte (no por petición) y se recupera solo.

La basura es lo que devuelve un proxy o un balanceador roto con estado 200: una página HTML,
JSON cortado a la mitad, `{"ok": false}` sin resultado (`EmuladorBotAPI.caida`). Antes, el
sondeo tomaba `{"ok": false}` por una falla de la base (un ERROR por intento) y PTB registraba
un ERROR con el cuerpo entero por cada respuesta que no era JSON; al arrancar, cualquiera de
las tres tumbaba el proceso.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo.configuracion import Configuracion
from nucleo.contenido import Contenido
from nucleo.reloj import RelojFijo
from nucleo.textos import Textos
from tests.conversador import BotDePrueba

ANA = UsuarioFicticio(101, first_name="Ana", language_code="es")
PLAZO = 20.0  # segundos reales; con el bot sano, cada espera tarda una fracción


async def _esperar(condicion: Callable[[], bool], que: str) -> None:
    limite = time.monotonic() + PLAZO
    while not condicion():
        assert time.monotonic() < limite, f"no pasó: {que}"
        await asyncio.sleep(0.01)


def _basura(emulador: EmuladorBotAPI, metodo: str) -> int:
    return sum(1 for p in emulador.peticiones
               if p.metodo == metodo and isinstance(p.respuesta, dict) and "basura" in p.respuesta)


def _lineas(caplog: pytest.LogCaptureFixture, texto: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if texto in r.getMessage()]


@pytest.mark.parametrize("tipo", ["html", "json_invalido", "ok_false"])
async def test_basura_con_el_bot_corriendo(
        bot: BotDePrueba, emulador: EmuladorBotAPI, caplog: pytest.LogCaptureFixture,
        tipo: str) -> None:
    caplog.set_level(logging.INFO, logger="coopera")
    ana = bot.persona(ANA)
    await ana.escribe("/start")
    antes = len(emulador.mensajes_del_bot(ANA.id))
    await emulador.caida(True, tipo)
    # El sondeo largo que ya estaba abierto termina con lo de otra persona; el siguiente ya
    # recibe basura.
    emulador.escribir(UsuarioFicticio(202, first_name="John", language_code="en"), "/start")
    await _esperar(lambda: _basura(emulador, "getUpdates") >= 1, "el sondeo recibe basura")
    emulador.escribir(ANA, "/start")  # no llega mientras getUpdates recibe basura
    await _esperar(lambda: _basura(emulador, "getUpdates") >= 4, "el bot siguió intentando")
    assert len(emulador.mensajes_del_bot(ANA.id)) == antes
    await emulador.caida(False)
    await _esperar(lambda: len(emulador.mensajes_del_bot(ANA.id)) > antes, "se recuperó solo")
    # Una línea al empezar el corte y una al terminar, aunque hubo varios intentos.
    await _esperar(lambda: _lineas(caplog, "Ya recojo mensajes otra vez"), "dice que volvió")
    assert len(_lineas(caplog, "No puedo recoger mensajes de Telegram")) == 1
    assert len(_lineas(caplog, "Ya recojo mensajes otra vez")) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # El bot sigue contestando.
    assert await ana.escribe("/start")


async def test_lenta_con_el_bot_corriendo(bot: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    """Cada petición tarda (menos que los tiempos de espera del bot): todo llega, más tarde."""
    ana = bot.persona(ANA)
    await ana.escribe("/start")
    antes = len(emulador.mensajes_del_bot(ANA.id))
    await emulador.caida(True, "lenta", demora=0.5)
    inicio = time.monotonic()
    emulador.escribir(ANA, "/start")
    await _esperar(lambda: len(emulador.mensajes_del_bot(ANA.id)) > antes, "contestó lento")
    assert time.monotonic() - inicio >= 0.5
    await emulador.caida(False)
    assert await ana.escribe("/start")


@pytest.mark.parametrize("tipo", ["html", "json_invalido", "ok_false", "502", "conexion"])
async def test_basura_o_caida_al_arrancar(
        config: Configuracion, emulador: EmuladorBotAPI, reloj: RelojFijo,
        contenido_real: Contenido, textos_reales: Textos, caplog: pytest.LogCaptureFixture,
        tipo: str) -> None:
    """Arranca con Telegram roto: espera y reintenta (no se cae), y arranca cuando vuelve."""
    caplog.set_level(logging.INFO, logger="coopera")
    prueba = BotDePrueba(replace(config, reintento_maximo=0.2), emulador, reloj,
                         contenido=contenido_real, textos=textos_reales)
    await emulador.caida(True, tipo)
    arranque = asyncio.create_task(prueba.iniciar())
    try:
        await _esperar(lambda: len(_lineas(caplog, "No puedo conectar con Telegram")) >= 3,
                       "reintenta al arrancar")
        assert not arranque.done()
        await emulador.caida(False)
        await asyncio.wait_for(arranque, PLAZO)
        assert await prueba.persona(ANA).escribe("/start")
        assert _lineas(caplog, "Telegram ya contesta")
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        if not arranque.done():
            arranque.cancel()
        await asyncio.gather(arranque, return_exceptions=True)
        await prueba.detener()
