"""La entrada de actualizaciones (nucleo/entrada.py): nada de lo que una persona manda se pierde
si el proceso muere, una respuesta colgada no frena a las demás personas, el bot vuelve a oír
en cuanto Telegram se recupera, y volver a pulsar lo que ya se hizo dice lo que pasó.

Los tiempos se miden con los instantes con que el emulador anotó cada petición (su reloj es
`time.monotonic`), no con el reloj de pared de la prueba entera.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest

from conversaciones.perfil import SEXO
from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.entrada import ESPERA_MAXIMA, MAX_INTENTOS, espera_tras_fallos
from nucleo.vocabulario import EstadoInscripcion
from tests.conversador import INICIO, BotDePrueba, Persona, esperar, textos
from tests.cursos_prueba import crear, inscrita, persona

RAIZ = Path(__file__).resolve().parent.parent


def primera_a(emulador: EmuladorBotAPI, chat_id: int, metodo: str | None = None) -> float:
    """Cuándo llegó al emulador la primera petición (de `metodo`, o de cualquiera) para ese
    chat, haya salido bien o no. Una petición colgada se anota al terminar, con el instante
    en que llegó."""
    return min(p.instante for p in emulador.peticiones
               if p.parametros.get("chat_id") == chat_id and metodo in (None, p.metodo))


# --- (a) SIGKILL a media ráfaga: nada se pierde ------------------------------------------------

PERSONAS = [UsuarioFicticio(8100 + n, first_name=f"P{n}", language_code="es") for n in range(6)]
PULSACIONES, TEXTOS = 6, 3  # por persona, en la ráfaga


async def _arrancar(emulador: EmuladorBotAPI, bd: Path, salida: Path
                    ) -> asyncio.subprocess.Process:
    """`python bot.py` de verdad, en otro proceso, contra el emulador de esta prueba."""
    entorno = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "COOPERA_"))}
    # Sin ritmo por chat (este emulador no limita tasas): la ráfaga sale en segundos, no en
    # uno por segundo a cada persona.
    entorno |= {"TELEGRAM_BOT_TOKEN": emulador.token, "TELEGRAM_BASE_URL": emulador.url_base,
                "COOPERA_BD": str(bd), "COOPERA_MENSAJES_POR_SEGUNDO": "0"}
    # Lo que la gente manda mientras arranca espera en el emulador, como en Telegram.
    with salida.open("ab") as archivo:
        return await asyncio.create_subprocess_exec(
            sys.executable, str(RAIZ / "bot.py"), cwd=bd.parent, env=entorno,
            stdout=archivo, stderr=archivo)


def _contestadas(emulador: EmuladorBotAPI) -> Counter[str]:
    """Cuántas veces se contestó cada pulsación (answerCallbackQuery, salga bien o no)."""
    return Counter(p.parametros.get("callback_query_id") for p in emulador.peticiones
                   if p.metodo == "answerCallbackQuery")


def _envios(emulador: EmuladorBotAPI, chat_id: int) -> int:
    return len(emulador.entregados("sendMessage", chat_id=chat_id))


# El SIGKILL corta conexiones a media respuesta: el servidor del emulador (aiohttp) lo registra
# como error. Es lo único que se permite (se revisa al final); los errores del bot irían a su
# propio registro, que también se revisa.
@pytest.mark.error_esperado
async def test_sigkill_a_media_rafaga_no_pierde_ninguna_pulsacion(
        emulador: EmuladorBotAPI, tmp_path: Path, guardia_de_errores) -> None:
    bd, salida = tmp_path / "coopera.sqlite3", tmp_path / "bot.log"
    proceso = await _arrancar(emulador, bd, salida)
    try:
        for usuario in PERSONAS:  # cada quien ya tiene un mensaje del bot con botones
            emulador.escribir(usuario, "/ayuda")
        await esperar(lambda: all(_envios(emulador, u.id) == 1 for u in PERSONAS), 20)
        mensaje_de = {u.id: emulador.ultimo_del_bot(u.id).message_id for u in PERSONAS}

        # La ráfaga: todas a la vez, pulsando y escribiendo (el bot recoge hasta 100 de golpe).
        pulsaciones: list[str] = []
        for vuelta in range(PULSACIONES):
            for usuario in PERSONAS:
                emulador.pulsar(usuario, mensaje_de[usuario.id], "menu:ayuda")
                pulsaciones.append(emulador.actualizaciones_pendientes()[-1]["callback_query"]
                                   ["id"])
                if vuelta < TEXTOS:
                    emulador.escribir(usuario, "/ayuda")
        # Muere de golpe cuando ya atendió algunas: el resto ya se recogió (y se confirmó).
        await esperar(lambda: len(set(pulsaciones) & set(_contestadas(emulador))) >= 10, 10)
    finally:
        proceso.send_signal(signal.SIGKILL)
        await proceso.wait()
    atendidas_antes = len(set(pulsaciones) & set(_contestadas(emulador)))
    assert atendidas_antes < len(pulsaciones), "murió tarde: la prueba no probaría nada"
    assert not emulador.actualizaciones_pendientes(), "Telegram ya las dio por entregadas"

    proceso = await _arrancar(emulador, bd, salida)
    try:
        await esperar(lambda: set(pulsaciones) <= set(_contestadas(emulador))
                      and all(_envios(emulador, u.id) >= 1 + TEXTOS for u in PERSONAS), 20)
    finally:
        proceso.terminate()
        await proceso.wait()
    assert proceso.returncode == 0
    almacen = await Almacen.abrir(bd)
    try:
        assert await almacen.cuenta_entrada() == 0  # el buzón quedó vacío
    finally:
        await almacen.cerrar()
    registro_del_bot = salida.read_text(encoding="utf-8")
    assert " ERROR " not in registro_del_bot and "Traceback" not in registro_del_bot
    assert all(r.name == "aiohttp.server" and r.exc_info
               and issubclass(r.exc_info[0], ConnectionResetError)
               for r in guardia_de_errores.registros), guardia_de_errores.informe()
    repetidas = sum(1 for n in _contestadas(emulador).values() if n > 1)
    print(f"pulsaciones: {len(pulsaciones)}, atendidas antes del SIGKILL: {atendidas_antes}, "
          f"atendidas dos veces: {repetidas}")


# --- lo guardado y sin confirmar se atiende una sola vez al arrancar ---------------------------

async def test_lo_guardado_antes_de_confirmar_se_atiende_una_vez_al_arrancar(
        ana: Persona, bot: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    sesion_id = await crear(bot)
    mia = await inscrita(ana, bot, sesion_id)
    await ana.escribe("/mis_cursos")
    await ana.pulsa("1. Cooperativismo")
    await ana.pulsa("❌ Ya no puedo ir")
    pregunta = ana.ultimo().message_id
    await bot.detener()
    # Como si el bot hubiera recogido y guardado la pulsación y muriera antes de confirmarla
    # y de atenderla: está en el buzón y Telegram aún la tiene pendiente.
    emulador.pulsar(ana.usuario, pregunta, f"mc:baja_si:{mia}")
    [cruda] = emulador.actualizaciones_pendientes()
    almacen = await Almacen.abrir(bot.config.ruta_bd)
    try:
        await almacen.guardar_entrada([(cruda["update_id"], json.dumps(cruda))],
                                      bot.reloj.ahora())
    finally:
        await almacen.cerrar()
    antes = len(emulador.peticiones)

    await bot.iniciar()
    await esperar(lambda: not emulador.actualizaciones_pendientes())  # primer getUpdates
    await asyncio.wait_for(bot.coopera.aplicacion.update_queue.join(), 10)
    assert "Listo, dejaste tu lugar" in ana.texto()
    assert (await bot.almacen.inscripcion(mia)).estado == EstadoInscripcion.CANCELADA
    ediciones = [p for p in emulador.peticiones[antes:] if p.metodo == "editMessageText"]
    assert len(ediciones) == 1  # atendida una vez: la confirmación no la volvió a traer
    assert await bot.almacen.cuenta_entrada() == 0


# --- (b) una respuesta colgada no frena a otra persona -----------------------------------------

async def test_una_respuesta_colgada_no_frena_a_otra_persona(
        ana: Persona, john: Persona, bot: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    emulador.inyectar_fallo("timeout", chat_id=ana.id, demora=2.0)  # su respuesta tarda 2 s
    emulador.escribir(ana.usuario, "/ayuda")
    emulador.escribir(john.usuario, "/ayuda")
    await esperar(lambda: _envios(emulador, john.id) == 1 and _envios(emulador, ana.id) == 1)
    colgada = primera_a(emulador, ana.id)
    a_john = primera_a(emulador, john.id, "sendMessage")
    # Antes, de una en una: John esperaba los 2 s de la respuesta colgada de Ana.
    assert a_john - colgada < 0.5, f"John esperó {a_john - colgada:.2f} s"
    # Y una petición colgada de verdad falla pronto (tiempo de lectura corto).
    assert bot.coopera.aplicacion.bot.request.read_timeout <= 5


async def test_en_orden_dentro_de_cada_chat_y_el_paso_sobrevive_al_reinicio(
        bot: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    """Ocho personas llenan su perfil a la vez; cada una manda dos respuestas seguidas (nombre
    y municipio) sin esperar: se atienden en su orden, y el paso de cada una queda en SQLite
    (guardado tras cada actualización, desde varias tareas a la vez) y sigue tras reiniciar."""
    gente = [persona(bot, 9100 + n, f"Nombre{n}") for n in range(8)]
    for quien in gente:
        emulador.escribir(quien.usuario, "/start")
    # la bienvenida y, después, el aviso con sus botones
    await esperar(lambda: all(len(quien.mensajes()) == 2 for quien in gente))
    for quien in gente:
        emulador.pulsar_boton(quien.usuario, "✅ Sí, acepto")
    await esperar(lambda: all("¿Cómo quieres que te llame?" in quien.texto() for quien in gente))
    for n, quien in enumerate(gente):
        emulador.escribir(quien.usuario, f"Nombre{n}")
        emulador.escribir(quien.usuario, "Puebla")
    await esperar(lambda: all("¿Con qué sexo" in quien.texto() for quien in gente))
    await asyncio.wait_for(bot.coopera.aplicacion.update_queue.join(), 10)
    guardadas = await bot.almacen.conversaciones("perfil")
    assert {(q.id, q.id): guardadas.get((q.id, q.id)) for q in gente} == {
        (q.id, q.id): SEXO for q in gente}
    await bot.reiniciar()
    for quien in gente:
        await quien.pulsa("Saltar esta pregunta")
        assert "¿Cuántos años" in quien.texto()
    for n, quien in enumerate(gente):
        perfil = await bot.almacen.perfil(quien.id)
        assert (perfil.nombre, perfil.municipio_clave) == (f"Nombre{n}", "21114")
        await quien.escribe("/cancelar")  # nada abierto para la prueba siguiente


# --- (c) ocho 502 en getUpdates: el bot vuelve a oír en cuanto Telegram se recupera -----------

async def test_ocho_502_en_getupdates_no_lo_dejan_sordo(
        ana: Persona, bot: BotDePrueba, emulador: EmuladorBotAPI,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="coopera.entrada")
    emulador.inyectar_fallo("502", metodo="getUpdates", veces=8)
    emulador.escribir(ana.usuario, "/ayuda")  # llega antes o durante la falla

    def fallidos() -> list:
        return [p for p in emulador.peticiones
                if p.metodo == "getUpdates" and p.estado_http == 502]

    await esperar(fallidos)
    emulador.escribir(ana.usuario, "/menu")  # esta llega en plena falla
    await esperar(lambda: _envios(emulador, ana.id) == 2, 15)
    ultimo_502 = fallidos()[-1].instante
    respuesta = min(p.instante for p in emulador.entregados("sendMessage", chat_id=ana.id)
                    if p.instante > ultimo_502)
    assert len(fallidos()) == 8
    assert respuesta - ultimo_502 < 1.0, f"tardó {respuesta - ultimo_502:.1f} s en volver"
    assert respuesta - fallidos()[0].instante < 6.0  # antes: 48 s sordo
    avisos = [r for r in caplog.records if r.name == "coopera.entrada"]
    assert [r.levelno for r in avisos] == [logging.WARNING, logging.INFO]  # una línea por falla
    assert "8 intentos fallidos" in avisos[1].getMessage()


def test_las_esperas_entre_intentos_tienen_tope() -> None:
    esperas = [espera_tras_fallos(n) for n in range(1, 30)]
    assert esperas[:8] == [0.5] * 8
    assert esperas == sorted(esperas) and max(esperas) == ESPERA_MAXIMA == 5.0


# --- (d) volver a pulsar lo que ya se hizo dice lo que pasó ------------------------------------

async def test_reintento_tras_respuesta_perdida_dice_lo_que_paso(
        ana: Persona, bot: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    sesion_id = await crear(bot)
    mia = await inscrita(ana, bot, sesion_id)
    await ana.escribe("/mis_cursos")
    await ana.pulsa("1. Cooperativismo")
    await ana.pulsa("❌ Ya no puedo ir")
    pregunta = ana.ultimo().message_id
    # La respuesta a «Sí, dejar mi lugar» no llega (Telegram contesta 502 al mensaje de Ana y
    # a la disculpa); el lugar sí se dejó.
    emulador.inyectar_fallo("502", chat_id=ana.id, veces=2)
    await ana.pulsa("Sí, dejar mi lugar")
    assert (await bot.almacen.inscripcion(mia)).estado == EstadoInscripcion.CANCELADA
    # Ana vuelve a pulsar el mismo botón: se le dice lo que ya pasó, nada cambia.
    nuevos = await ana.pulsa_datos(f"mc:baja_si:{mia}", pregunta)
    assert "Ya dejaste tu lugar en esa fecha" in textos(nuevos)
    assert "Ese botón ya no funciona" not in textos(nuevos)
    # Lo mismo desde «ver» o desde los botones de un recordatorio viejo (en un mensaje nuevo).
    for datos in (f"mc:ver:{mia}", f"rec:no:{mia}", f"rec:si:{mia}"):
        await ana.pulsa_datos(datos, pregunta)
        assert "Ya dejaste tu lugar en esa fecha" in ana.texto(), datos
    assert await bot.almacen.inscripcion_activa(sesion_id, ana.id) is None
    # Si después volvió a apartar lugar en esa fecha, el botón viejo sí ya no funciona.
    await inscrita(ana, bot, sesion_id)
    assert "Ese botón ya no funciona" in textos(await ana.pulsa_datos(f"mc:baja_si:{mia}"))


async def test_confirmar_dos_veces_y_inscribirse_dos_veces(
        ana: Persona, bot: BotDePrueba) -> None:
    sesion_id = await crear(bot)
    mia = await inscrita(ana, bot, sesion_id)
    assert "Gracias por confirmar" in textos(await ana.pulsa_datos(f"rec:si:{mia}"))
    assert "Ya me habías dicho que vas a ir" in textos(await ana.pulsa_datos(f"rec:si:{mia}"))
    assert "Ya tienes tu lugar en esta fecha" in textos(
        await ana.pulsa_datos(f"cur:si:{sesion_id}"))
    assert len(await bot.almacen.lista_de_sesion(sesion_id)) == 1



async def test_una_actualizacion_que_tumba_cada_arranque_se_descarta(tmp_path: Path) -> None:
    """Lo que quedó en el buzón se vuelve a atender en cada arranque, pero no para siempre: si
    tumbó al bot `MAX_INTENTOS` veces, se descarta y el bot arranca."""
    almacen = await Almacen.abrir(tmp_path / "buzon.sqlite3")
    try:
        await almacen.guardar_entrada([(7, '{"update_id": 7}'), (8, '{"update_id": 8}')],
                                      INICIO)
        for _ in range(MAX_INTENTOS):
            pendientes = await almacen.pendientes_de_entrada(MAX_INTENTOS)
            assert [u for u, _datos in pendientes.filas] == [7, 8]
            await almacen.borrar_entrada(8)  # la 8 sí se terminó de atender
            await almacen.guardar_entrada([(8, '{"update_id": 8}')], INICIO)  # y llega otra
        pendientes = await almacen.pendientes_de_entrada(MAX_INTENTOS)
        assert pendientes.descartadas == 1 and [u for u, _ in pendientes.filas] == [8]
        assert (await almacen.ultima_recibida()).update_id == 8
    finally:
        await almacen.cerrar()
