"""La cola en lotes, con fotos y documentos, ante basura con estado 200 y tras una caída.

- Una fila con `medio_tipo`/`medio_id` sale como sendPhoto / sendDocument (file_id) con su
  texto como pie en HTML y sus botones; las filas `retenido` y `cancelado` no salen nunca.
- Un 200 que no es de la Bot API: una página HTML se reintenta (no era Telegram); JSON roto o
  `{"ok": false}` sin código queda incierto (pudo pasar por Telegram). Antes: `fallido` para
  siempre.
- Lo que quedó `enviando` en una caída, por tipo: el aviso personal se reenvía, el
  recordatorio y el anuncio quedan inciertos; una línea de registro con las cuentas.
- A 1,000/s la cola toma lotes y deja en `enviando` a lo más su límite en vuelo.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo import envios
from nucleo.almacen import Almacen
from nucleo.configuracion import Configuracion, Secreto
from nucleo.envios import Despachador, EnvioNuevo, limite_en_vuelo
from nucleo.reloj import RelojFijo
from tests.conversador import esperar

PERSONAS = list(range(8000, 8010))


@pytest.fixture
async def cola(emulador: EmuladorBotAPI, tmp_path: Path, reloj: RelojFijo
               ) -> AsyncIterator[tuple[Despachador, Almacen]]:
    """Una cola sin el resto del bot, con esperas de milisegundos, y diez personas que ya
    abrieron el chat con el bot."""
    config = Configuracion(token=Secreto(emulador.token), url_base=emulador.url_base,
                           ruta_bd=tmp_path / "cola.sqlite3", envios_por_segundo=30,
                           envios_espera_maxima=0.05)
    almacen = await Almacen.abrir(config.ruta_bd)
    for telegram_id in PERSONAS:
        emulador.conocer(UsuarioFicticio(telegram_id, first_name=f"P{telegram_id}"))
    await almacen.sembrar_personas(PERSONAS, reloj.ahora())
    despachador = Despachador(config, almacen, reloj, espera_base=0.01)
    try:
        yield despachador, almacen
    finally:
        await despachador.detener()
        await almacen.cerrar()


def _file_id(emulador: EmuladorBotAPI, campo: str) -> str:
    """El file_id de lo último que alguien mandó al bot (nadie lee las actualizaciones)."""
    mensaje = emulador.actualizaciones_pendientes()[-1]["message"]
    return mensaje["photo"][-1]["file_id"] if campo == "photo" else mensaje[campo]["file_id"]


async def _sql(almacen: Almacen, sql: str, *parametros: object) -> None:
    async with almacen.transaccion() as bd:
        await bd.execute(sql, parametros)


# --- fotos y documentos -----------------------------------------------------------------------


async def test_foto_y_documento_salen_por_file_id_con_su_pie_y_botones(
        cola: tuple[Despachador, Almacen], emulador: EmuladorBotAPI) -> None:
    despachador, almacen = cola
    personal = UsuarioFicticio(9999, first_name="Personal")
    emulador.enviar_foto(personal)
    foto = _file_id(emulador, "photo")
    emulador.enviar_documento(personal, "convocatoria.pdf", b"%PDF-1.4 convocatoria")
    documento = _file_id(emulador, "document")
    botones = [[("Quiero ir", "an:si")]]
    await despachador.encolar([
        EnvioNuevo(PERSONAS[0], "<b>Feria</b> del empleo", "anuncio:1:a", botones, 9,
                   medio_tipo="foto", medio_id=foto),
        EnvioNuevo(PERSONAS[1], "Lee la <i>convocatoria</i>", "anuncio:1:b", None, 9,
                   medio_tipo="documento", medio_id=documento),
        EnvioNuevo(PERSONAS[2], "Solo texto", "anuncio:1:c", None, 9)])
    await despachador.iniciar()
    await despachador.vaciar(10)

    [con_foto] = emulador.mensajes_del_bot(PERSONAS[0])
    assert (con_foto.tipo, con_foto.texto_plano) == ("foto", "Feria del empleo")
    assert [b["callback_data"] for b in con_foto.botones()] == ["an:si"]
    [con_documento] = emulador.mensajes_del_bot(PERSONAS[1])
    assert (con_documento.tipo, con_documento.texto_plano) == ("documento",
                                                             "Lee la convocatoria")
    assert con_documento.documento["file_name"] == "convocatoria.pdf"
    [texto] = emulador.mensajes_del_bot(PERSONAS[2])
    assert texto.tipo == "texto"
    metodos = Counter(p.metodo for p in emulador.entregados())
    assert metodos == {"sendPhoto": 1, "sendDocument": 1, "sendMessage": 1}
    peticion = next(p for p in emulador.entregados("sendPhoto"))
    assert (peticion.parametros["photo"], peticion.parametros["parse_mode"]) == (foto, "HTML")
    guardado = await almacen.envio("anuncio:1:a")
    assert (guardado.estado, guardado.message_id) == ("enviado", con_foto.message_id)


def test_un_medio_necesita_tipo_y_file_id() -> None:
    with pytest.raises(ValueError):
        EnvioNuevo(1, "Hola", "x:1", medio_tipo="foto")
    with pytest.raises(ValueError):
        EnvioNuevo(1, "Hola", "x:2", medio_tipo="video", medio_id="ABC")


async def test_retenido_y_cancelado_no_salen_nunca(cola: tuple[Despachador, Almacen],
                                                   emulador: EmuladorBotAPI) -> None:
    despachador, almacen = cola
    await despachador.encolar([EnvioNuevo(p, "Anuncio", f"anuncio:2:{p}", prioridad=9)
                               for p in PERSONAS[:3]])
    await _sql(almacen, "UPDATE envios SET estado = 'retenido' WHERE clave = ?",
               f"anuncio:2:{PERSONAS[0]}")
    await _sql(almacen, "UPDATE envios SET estado = 'cancelado' WHERE clave = ?",
               f"anuncio:2:{PERSONAS[1]}")
    await despachador.iniciar()
    await despachador.vaciar(10)
    assert [p.parametros["chat_id"] for p in emulador.entregados()] == [PERSONAS[2]]
    estados = [(await almacen.envio(f"anuncio:2:{p}")).estado for p in PERSONAS[:3]]
    assert estados == ["retenido", "cancelado", "enviado"]


# --- un 200 que no es de la Bot API ---------------------------------------------------------


def _basura(emulador: EmuladorBotAPI) -> int:
    return sum(1 for p in emulador.peticiones
               if isinstance(p.respuesta, dict) and "basura" in p.respuesta)


async def test_una_pagina_html_con_200_se_reintenta_y_llega_una_vez(
        cola: tuple[Despachador, Almacen], emulador: EmuladorBotAPI) -> None:
    """Antes: el envío que recibía la página quedaba `fallido` y no llegaba nunca."""
    despachador, _ = cola
    await despachador.iniciar()
    await emulador.caida(True, "html")
    await despachador.encolar([EnvioNuevo(p, "Aviso", f"a:{p}") for p in PERSONAS[:4]])
    await esperar(lambda: _basura(emulador) >= 3)
    await emulador.caida(False)
    await despachador.vaciar(10)
    for persona in PERSONAS[:4]:
        assert len(emulador.mensajes_del_bot(persona)) == 1
    cuentas = await despachador.cuentas()
    assert (cuentas["enviado"], cuentas["fallido"], cuentas["incierto"]) == (4, 0, 0)


@pytest.mark.parametrize("tipo", ["json_invalido", "ok_false"])
async def test_json_roto_con_200_queda_incierto_y_no_se_repite(
        cola: tuple[Despachador, Almacen], emulador: EmuladorBotAPI, tipo: str) -> None:
    """Pudo pasar por Telegram y romperse en el camino: no se repite, ni se da por fallido.
    La cola se frena (prueba de a uno) y lo demás llega cuando la API vuelve."""
    despachador, almacen = cola
    await despachador.iniciar()
    await emulador.caida(True, tipo)
    await despachador.encolar([EnvioNuevo(p, "Aviso", f"a:{p}") for p in PERSONAS[:4]])
    await esperar(lambda: _basura(emulador) >= 1)
    await emulador.caida(False)
    await despachador.vaciar(10)
    cuentas = await despachador.cuentas()
    assert cuentas["fallido"] == 0
    assert cuentas["incierto"] == _basura(emulador) >= 1
    assert cuentas["enviado"] == 4 - cuentas["incierto"]
    for envio in await almacen.todos_los_envios():
        assert envio.intentos == 1  # nada se repitió
        if envio.estado == "incierto":
            assert envio.error == "RespuestaRota"


# --- lo que quedó a medias, por tipo ----------------------------------------------------------


async def test_tras_una_caida_el_aviso_personal_se_reenvia_y_lo_demas_no(
        cola: tuple[Despachador, Almacen], emulador: EmuladorBotAPI,
        caplog: pytest.LogCaptureFixture) -> None:
    despachador, almacen = cola
    aviso, recordatorio, anuncio = PERSONAS[:3]
    await despachador.encolar([
        EnvioNuevo(aviso, "Se liberó un lugar y ahora es tuyo", "ascenso:1", prioridad=0),
        EnvioNuevo(recordatorio, "Recordatorio", "recordatorio:1", prioridad=5),
        EnvioNuevo(anuncio, "Feria del empleo", "anuncio:3:1", prioridad=9)])
    await _sql(almacen, "INSERT INTO anuncios (id, texto, audiencia, creado_en, actualizado_en)"
               " VALUES (3, 'Feria del empleo', '{}', '2026-11-25', '2026-11-25')")
    await _sql(almacen, "UPDATE envios SET anuncio_id = 3 WHERE clave = 'anuncio:3:1'")
    # El proceso murió justo después de tomar las tres (ya `enviando` en disco).
    assert len(await almacen.tomar_envios(3, set(), set())) == 3
    await despachador.iniciar()
    await despachador.vaciar(10)

    assert len(emulador.mensajes_del_bot(aviso)) == 1
    assert emulador.mensajes_del_bot(recordatorio) == emulador.mensajes_del_bot(anuncio) == []
    estados = {e.clave: (e.estado, e.intentos) for e in await almacen.todos_los_envios()}
    assert estados == {"ascenso:1": ("enviado", 2), "recordatorio:1": ("incierto", 1),
                       "anuncio:3:1": ("incierto", 1)}
    [linea] = [r.getMessage() for r in caplog.records
               if r.name == "coopera.envios" and r.levelno == logging.WARNING]
    assert linea.startswith("3 envíos quedaron a medias en la caída anterior: anuncios 1, "
                            "avisos 1 (1 se reenvían), recordatorios 1."), linea


# --- lotes ------------------------------------------------------------------------------------


def test_el_limite_en_vuelo_crece_con_la_tasa() -> None:
    assert limite_en_vuelo(25) == limite_en_vuelo(30) == envios.EN_VUELO == 8
    assert limite_en_vuelo(100) == 25
    assert limite_en_vuelo(1000) == limite_en_vuelo(5000) == 250


async def test_un_lote_salta_el_chat_ocupado_sin_frenar_a_los_demas(
        cola: tuple[Despachador, Almacen]) -> None:
    """Uno por segundo a cada chat: el segundo mensaje a la misma persona (o a un chat que
    acaba de recibir algo) se salta y el lote sigue con las filas de después. Antes, cada fila
    se buscaba con la lista entera de chats ocupados (miles a 1,000/s) en la consulta."""
    despachador, almacen = cola
    a, b, c, d = PERSONAS[:4]
    await despachador.encolar([EnvioNuevo(a, "Uno", "x:1", prioridad=9),
                               EnvioNuevo(a, "Dos", "x:2", prioridad=9),
                               EnvioNuevo(b, "Tres", "x:3", prioridad=9),
                               EnvioNuevo(c, "Cuatro", "x:4", prioridad=9),
                               EnvioNuevo(d, "Cinco", "x:5", prioridad=9)])
    tomados = await almacen.tomar_envios(3, {b}, set())
    assert [e.texto for e in tomados] == ["Uno", "Cuatro", "Cinco"]
    assert all(e.intentos == 1 for e in tomados)
    estados = {e.clave: e.estado for e in await almacen.todos_los_envios()}
    assert estados == {"x:1": "enviando", "x:2": "pendiente", "x:3": "pendiente",
                       "x:4": "enviando", "x:5": "enviando"}


@pytest.fixture
async def emulador_con_limites() -> AsyncIterator[EmuladorBotAPI]:
    async with EmuladorBotAPI(limitar_tasas=True) as emu:  # 429 como Telegram
        yield emu


async def test_a_1000_por_segundo_nunca_hay_mas_enviando_que_el_limite(
        emulador_con_limites: EmuladorBotAPI, tmp_path: Path, reloj: RelojFijo) -> None:
    """Por arriba de 30/s, cada envío lleva allow_paid_broadcast (difusión pagada): con los
    límites de Telegram, ni un 429. Sin esa bandera, el emulador (como Telegram) frena a 30/s."""
    emulador = emulador_con_limites
    personas = list(range(20_000, 20_600))
    for telegram_id in personas:
        emulador.conocer(UsuarioFicticio(telegram_id, first_name="P"))
    config = Configuracion(token=Secreto(emulador.token), url_base=emulador.url_base,
                           ruta_bd=tmp_path / "cola.sqlite3", envios_por_segundo=1000)
    almacen = await Almacen.abrir(config.ruta_bd)
    await almacen.sembrar_personas(personas, reloj.ahora())
    despachador = Despachador(config, almacen, reloj)
    assert despachador.limite == 250
    maximo = 0
    try:
        await despachador.encolar([EnvioNuevo(p, "Anuncio", f"anuncio:4:{p}", prioridad=9)
                                   for p in personas])
        await despachador.iniciar()
        async with asyncio.timeout(60):
            while (cuentas := await almacen.cuenta_envios())["enviado"] < len(personas):
                maximo = max(maximo, cuentas["enviando"])
                await asyncio.sleep(0.005)
    finally:
        await despachador.detener()
        await almacen.cerrar()
    assert 0 < maximo <= 250
    por_chat = Counter(p.parametros["chat_id"] for p in emulador.entregados("sendMessage"))
    assert sorted(por_chat) == personas and set(por_chat.values()) == {1}
    assert [p for p in emulador.peticiones if p.estado_http == 429] == []
    assert all(p.parametros.get("allow_paid_broadcast") in (True, "true", "True")
               for p in emulador.peticiones if p.metodo == "sendMessage")
