"""Modo webhook contra la Bot API emulada: Telegram (el emulador) manda cada actualización por
POST al servidor del bot con el secreto en X-Telegram-Bot-Api-Secret-Token.

- Las actualizaciones llegan y se contestan; el bot no llama a getUpdates (daría 409).
- Sin el secreto correcto: 403, y nada se guarda ni se atiende.
- Lo guardado y confirmado con 200 que no alcanzó a atenderse se atiende al arrancar.
- De vuelta en polling, el bot quita el webhook y vuelve a oír con getUpdates.
"""

from __future__ import annotations

import json
import socket
from dataclasses import replace

import aiohttp
import pytest

from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo.configuracion import Configuracion, ConfiguracionInvalida, ConfiguracionWebhook, Secreto
from nucleo.contenido import Contenido
from nucleo.reloj import RelojFijo
from nucleo.textos import Textos
from nucleo.webhook import ENCABEZADO_SECRETO
from tests.conversador import BotDePrueba

SECRETO = "secreto_DE-prueba_0123456789"
ANA = UsuarioFicticio(101, first_name="Ana", language_code="es")


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def config_webhook(config: Configuracion) -> Configuracion:
    puerto = _puerto_libre()
    return replace(config, webhook=ConfiguracionWebhook(
        url=f"http://127.0.0.1:{puerto}/telegram/entrada", escucha=("127.0.0.1", puerto),
        secreto=Secreto(SECRETO)))


@pytest.fixture
async def bot_webhook(config_webhook: Configuracion, emulador: EmuladorBotAPI, reloj: RelojFijo,
                      contenido_real: Contenido, textos_reales: Textos):
    prueba = BotDePrueba(config_webhook, emulador, reloj, contenido=contenido_real,
                         textos=textos_reales)
    await prueba.iniciar()
    yield prueba
    await prueba.detener()


async def _llamar(emulador: EmuladorBotAPI, metodo: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as sesion, \
            sesion.post(f"{emulador.url_base}{emulador.token}/{metodo}") as respuesta:
        return respuesta.status, await respuesta.json()


async def test_llegan_por_webhook_y_se_contestan(
        bot_webhook: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    ana = bot_webhook.persona(ANA)
    respuesta = await ana.escribe("/start")
    assert respuesta, "el bot no contestó por webhook"
    await ana.escribe("/start")
    assert emulador.entregas_webhook >= 2
    assert not [p for p in emulador.peticiones if p.metodo == "getUpdates"]
    _, info = await _llamar(emulador, "getWebhookInfo")
    assert info["result"]["url"] == bot_webhook.config.webhook.url
    assert info["result"]["pending_update_count"] == 0
    assert "last_error_message" not in info["result"]
    # Con el webhook puesto, getUpdates da el 409 de Telegram.
    estado, cuerpo = await _llamar(emulador, "getUpdates")
    assert estado == 409
    assert "can't use getUpdates method while webhook is active" in cuerpo["description"]
    # El secreto se dio a Telegram, pero no sale en el registro ni en la línea de arranque.
    fijar = [p for p in emulador.peticiones if p.metodo == "setWebhook"]
    assert len(fijar) == 1
    assert set(json.loads(json.dumps(fijar[0].parametros["allowed_updates"]))) >= {
        "message", "callback_query", "edited_message"}


async def test_sin_el_secreto_correcto_403_y_nada_se_guarda(
        bot_webhook: BotDePrueba, emulador: EmuladorBotAPI,
        caplog: pytest.LogCaptureFixture) -> None:
    url = bot_webhook.config.webhook.url
    actualizacion = {"update_id": 777, "message": {
        "message_id": 1, "date": 1_700_000_000, "text": "/start",
        "chat": {"id": 303, "type": "private", "first_name": "Eve"},
        "from": {"id": 303, "is_bot": False, "first_name": "Eve"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
    async with aiohttp.ClientSession() as sesion:
        for encabezados in ({}, {ENCABEZADO_SECRETO: "otro"},
                            {ENCABEZADO_SECRETO: SECRETO + "x"}, {ENCABEZADO_SECRETO: ""}):
            async with sesion.post(url, json=actualizacion, headers=encabezados) as respuesta:
                assert respuesta.status == 403
        # Con el secreto, pero lo que llega no es una actualización: 400, nada guardado.
        async with sesion.post(url, data=b"<html>", headers={ENCABEZADO_SECRETO: SECRETO}) \
                as respuesta:
            assert respuesta.status == 400
    await bot_webhook.coopera.aplicacion.update_queue.join()
    assert (await bot_webhook.almacen.pendientes_de_entrada(5)).filas == []
    assert await bot_webhook.almacen.ultima_recibida() is None
    assert emulador.mensajes_del_bot(303) == []
    assert SECRETO not in caplog.text


async def test_lo_guardado_antes_de_caer_se_atiende_al_arrancar(
        bot_webhook: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    """El proceso «muere» justo después de guardar y contestar 200: la actualización no
    entra en la cola. Telegram ya no la repite; al arrancar sale del buzón y se contesta."""
    coopera = bot_webhook.coopera
    cola = coopera.aplicacion.update_queue
    perdidas = []

    async def perder(update: object) -> None:  # nada llega a atenderse: el proceso «cae» aquí
        perdidas.append(update)

    cola.put = perder
    update_id = emulador.escribir(ANA, "/start")
    await emulador.esperar_entrega(update_id)  # Telegram recibió su 200
    assert [u.update_id for u in perdidas] == [update_id]
    assert [fila[0] for fila in (await coopera.almacen.pendientes_de_entrada(5)).filas] == \
        [update_id]
    assert emulador.mensajes_del_bot(ANA.id) == []
    del cola.put
    await bot_webhook.reiniciar()
    await bot_webhook.coopera.aplicacion.update_queue.join()
    assert emulador.mensajes_del_bot(ANA.id), "lo guardado no se atendió al arrancar"
    assert (await bot_webhook.almacen.pendientes_de_entrada(5)).filas == []


async def test_de_vuelta_a_polling_quita_el_webhook(
        bot_webhook: BotDePrueba, emulador: EmuladorBotAPI, config: Configuracion,
        reloj: RelojFijo, contenido_real: Contenido, textos_reales: Textos) -> None:
    await bot_webhook.detener()
    _, info = await _llamar(emulador, "getWebhookInfo")
    assert info["result"]["url"]  # detenerse no quita el webhook: Telegram guarda lo nuevo
    update_id = emulador.escribir(ANA, "/start")  # llega con el bot detenido
    sondeo = BotDePrueba(config, emulador, reloj, contenido=contenido_real,
                         textos=textos_reales)
    await sondeo.iniciar()
    try:
        await sondeo.atendido(update_id)
        assert emulador.mensajes_del_bot(ANA.id)
        _, info = await _llamar(emulador, "getWebhookInfo")
        assert info["result"]["url"] == ""
        assert not [p for p in emulador.peticiones if p.estado_http == 409]
    finally:
        await sondeo.detener()


def test_configuracion_del_modo_webhook() -> None:
    base = {"TELEGRAM_BOT_TOKEN": "123456:ABC-def"}
    assert Configuracion.desde_entorno(base).modo == "polling"
    config = Configuracion.desde_entorno({
        **base, "COOPERA_MODO": "webhook", "COOPERA_WEBHOOK_URL": "https://bot.ejemplo.mx/tg",
        "COOPERA_WEBHOOK_ESCUCHA": "0.0.0.0:8443", "COOPERA_WEBHOOK_SECRETO": SECRETO})
    assert config.modo == "webhook"
    assert config.webhook.escucha == ("0.0.0.0", 8443)
    assert SECRETO not in repr(config)
    malos = [
        {"COOPERA_MODO": "otro"},
        {"COOPERA_MODO": "webhook", "COOPERA_WEBHOOK_SECRETO": SECRETO},  # sin URL
        {"COOPERA_MODO": "webhook", "COOPERA_WEBHOOK_URL": "http://bot.ejemplo.mx/tg",
         "COOPERA_WEBHOOK_SECRETO": SECRETO},  # sin https
        {"COOPERA_MODO": "webhook", "COOPERA_WEBHOOK_URL": "https://bot.ejemplo.mx/tg"},
        {"COOPERA_MODO": "webhook", "COOPERA_WEBHOOK_URL": "https://bot.ejemplo.mx/tg",
         "COOPERA_WEBHOOK_SECRETO": "con espacios y ñ"},
        {"COOPERA_MODO": "webhook", "COOPERA_WEBHOOK_URL": "https://bot.ejemplo.mx/tg",
         "COOPERA_WEBHOOK_SECRETO": SECRETO, "COOPERA_WEBHOOK_ESCUCHA": "8080"},
    ]
    for malo in malos:
        with pytest.raises(ConfiguracionInvalida) as error:
            Configuracion.desde_entorno({**base, **malo})
        assert "con espacios" not in str(error.value)
