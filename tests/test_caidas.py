"""Caídas de verdad: un proceso `python bot.py` muere de golpe (SIGKILL) a media ráfaga de
recordatorios y se vuelve a arrancar con la misma base.

Lo que se pide: ningún mensaje llega dos veces, y cada uno llegó o quedó `incierto` (a lo más
tantos como iban en vuelo al morir). El emulador corre en este proceso y cuenta lo que llega.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulador import EmuladorBotAPI, MensajeChat, UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.almacen.recordatorios import SesionSemilla
from nucleo.envios import EN_VUELO

RAIZ = Path(__file__).resolve().parent.parent
PERSONAS = list(range(7000, 7240))
MUERE_AL_LLEGAR = (50, 150)  # SIGKILL justo cuando el emulador recibe estos mensajes


@pytest.fixture
async def emulador() -> AsyncIterator[EmuladorBotAPI]:
    async with EmuladorBotAPI(limitar_tasas=True) as emu:
        yield emu


async def preparar_base(bd: Path, emulador: EmuladorBotAPI) -> None:
    """240 personas inscritas a una sesión en 3 h, con su recordatorio ya atrasado: el bot
    los encola al arrancar (puesta al día) y los manda."""
    ahora = datetime.now(UTC)
    almacen = await Almacen.abrir(bd)
    try:
        await almacen.sembrar_personas(PERSONAS, ahora)
        [sesion] = await almacen.sembrar_sesiones(
            [SesionSemilla("coop_basico", ahora + timedelta(hours=3), lugar="Casa de Cultura")],
            ahora)
        await almacen.sembrar_inscripciones(
            [(sesion, p) for p in PERSONAS], ahora,
            lambda _inicio: [(60, ahora - timedelta(minutes=1))])
    finally:
        await almacen.cerrar()
    for persona in PERSONAS:  # ya abrieron el chat con el bot
        emulador.conocer(UsuarioFicticio(persona, first_name=f"P{persona}"))


async def arrancar(emulador: EmuladorBotAPI, bd: Path, registro: Path
                   ) -> asyncio.subprocess.Process:
    entorno = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "COOPERA_"))}
    entorno |= {"TELEGRAM_BOT_TOKEN": emulador.token, "TELEGRAM_BASE_URL": emulador.url_base,
                "COOPERA_BD": str(bd), "COOPERA_ENVIOS_POR_SEGUNDO": "30"}
    with registro.open("ab") as salida:
        return await asyncio.create_subprocess_exec(
            sys.executable, str(RAIZ / "bot.py"), cwd=bd.parent, env=entorno,
            stdout=salida, stderr=salida)


async def cola_terminada(bd: Path) -> bool:
    almacen = await Almacen.abrir(bd)
    try:
        cuenta = await almacen.cuenta_envios()
    finally:
        await almacen.cerrar()
    return cuenta["pendiente"] == 0 and cuenta["enviando"] == 0


# El emulador (aiohttp) anota como error la conexión que el SIGKILL cortó a media petición.
@pytest.mark.error_esperado("aiohttp.server")
async def test_sigkill_a_media_rafaga_ni_duplica_ni_pierde(emulador: EmuladorBotAPI,
                                                           tmp_path: Path) -> None:
    bd, registro = tmp_path / "coopera.sqlite3", tmp_path / "bot.log"
    await preparar_base(bd, emulador)
    vivo: list[asyncio.subprocess.Process] = []
    llegados = 0

    def al_llegar(_mensaje: MensajeChat) -> None:
        # Dentro del emulador, antes de contestar: el bot muere sin saber que llegó.
        nonlocal llegados
        llegados += 1
        if llegados in MUERE_AL_LLEGAR and vivo:
            os.kill(vivo.pop().pid, signal.SIGKILL)

    emulador.al_mensaje_del_bot(al_llegar)
    for umbral in MUERE_AL_LLEGAR:
        proceso = await arrancar(emulador, bd, registro)
        vivo.append(proceso)
        await asyncio.wait_for(proceso.wait(), timeout=20)
        assert proceso.returncode == -signal.SIGKILL, registro.read_text()
        assert llegados >= umbral

    proceso = await arrancar(emulador, bd, registro)
    try:
        async with asyncio.timeout(20):
            while not await cola_terminada(bd):
                await asyncio.sleep(0.05)
    finally:
        proceso.terminate()
        await proceso.wait()

    await comprobar(bd, emulador)


async def comprobar(bd: Path, emulador: EmuladorBotAPI) -> None:
    entregas = emulador.entregados("sendMessage")
    por_chat = Counter(p.parametros["chat_id"] for p in entregas)
    assert max(por_chat.values()) == 1, "alguien recibió su recordatorio dos veces"
    assert [p for p in emulador.peticiones if p.estado_http == 429] == []

    almacen = await Almacen.abrir(bd)
    try:
        envios = await almacen.todos_los_envios()
        recordatorios = await almacen.cuenta_recordatorios()
    finally:
        await almacen.cerrar()
    assert len(envios) == len(PERSONAS) and recordatorios["encolado"] == len(PERSONAS)
    estados = Counter(e.estado for e in envios)
    assert set(estados) <= {"enviado", "incierto"}, estados
    # Cada caída deja a lo más lo que iba en vuelo; al menos el que murió al llegar.
    assert len(MUERE_AL_LLEGAR) <= estados["incierto"] <= len(MUERE_AL_LLEGAR) * EN_VUELO
    message_ids = {p.parametros["chat_id"]: p.respuesta["result"]["message_id"]
                   for p in entregas}
    for envio in envios:
        if envio.estado == "enviado":
            assert message_ids[envio.telegram_id] == envio.message_id
    inciertos_que_llegaron = [e for e in envios
                              if e.estado == "incierto" and e.telegram_id in por_chat]
    assert len(inciertos_que_llegaron) >= len(MUERE_AL_LLEGAR)
