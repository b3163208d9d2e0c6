"""Solo en privado, ediciones, canales y el ritmo de las respuestas (issue 10: 3, 5, 6 y 9).

- En un grupo, nada personal sale: ni /mis_datos ni la lista del personal; a quien le habla al
  bot se le contesta «Escríbeme en privado» con el enlace al chat privado, y nada más.
- Una edición nunca se vuelve a correr (ni como comando ni como respuesta) y no rompe ningún
  paso; una publicación de canal no recibe nada.
- Dos respuestas seguidas a un chat no provocan un 429 aunque Telegram (el emulador con sus
  límites) lo exija al segundo, y esa espera no frena a los demás chats. Un 5xx en una
  respuesta se repite y la respuesta llega.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, TimedOut

from emulador import EmuladorBotAPI, MensajeChat, UsuarioFicticio
from nucleo.configuracion import Configuracion, Secreto
from nucleo.contenido import Contenido
from nucleo.reloj import RelojFijo
from nucleo.ritmo import EN_BLOQUE, INTERACTIVO, Presupuesto, no_llego_a_telegram
from nucleo.textos import Textos
from tests.conversador import (
    ID_PERSONAL,
    BotDePrueba,
    Persona,
    completar_perfil,
    dar_consentimiento,
    esperar,
    textos,
)

BOT = "CooperaPueblaBot"  # el @ del bot en el emulador
ENLACE = f"https://t.me/{BOT}?start=grupo"
NOTA_EDICION = "Vi que editaste un mensaje"


def _del_bot_en(emulador: EmuladorBotAPI, chat_id: int) -> list[MensajeChat]:
    return emulador.mensajes_del_bot(chat_id)


def _ultimo_de_la_persona(persona: Persona) -> MensajeChat:
    return [m for m in persona.emulador.mensajes(persona.id) if not m.de_bot][-1]


async def _accion(persona: Persona, hacer: Callable[[], int]) -> list[MensajeChat]:
    """Lo que el bot le mandó (nuevo o cambiado) a la persona tras la actualización."""
    antes = {m.message_id: (m.texto, repr(m.teclado)) for m in persona.mensajes()}
    await persona.bot.atendido(hacer())
    return [m for m in persona.mensajes()
            if antes.get(m.message_id) != (m.texto, repr(m.teclado)) and not m.borrado]


async def _edita(persona: Persona, message_id: int, texto: str) -> list[MensajeChat]:
    return await _accion(persona, lambda: persona.emulador.editar(persona.usuario, message_id,
                                                                  texto))


# --- en un grupo, nada personal ---------------------------------------------------------------


async def test_mis_datos_en_un_supergrupo_no_muestra_nada(bot: BotDePrueba, ana: Persona,
                                                          emulador: EmuladorBotAPI) -> None:
    await completar_perfil(ana, nombre="Ana Pérez", municipio="Tehuacán")
    en_su_chat = len(ana.mensajes())
    grupo = emulador.crear_grupo(titulo="Vecinas de Tehuacán", miembros=[ana.usuario])

    await bot.atendido(emulador.escribir_en_grupo(grupo.id, ana.usuario, f"/mis_datos@{BOT}"))

    del_bot = _del_bot_en(emulador, grupo.id)
    assert len(del_bot) == 1, textos(del_bot)
    aviso = del_bot[0]
    assert "Escríbeme en privado" in aviso.texto_plano
    assert [b.get("url") for b in aviso.botones()] == [ENLACE]
    todo = textos(emulador.mensajes(grupo.id)[1:])  # lo que hay después del comando
    for dato in (str(ana.id), "Ana Pérez", "Tehuacán", "Tu perfil", "aviso de privacidad"):
        assert dato not in todo
    assert len(ana.mensajes()) == en_su_chat  # ni en su chat privado pasó nada


async def test_en_un_grupo_solo_contesta_lo_que_es_para_el_bot(
        bot: BotDePrueba, emulador: EmuladorBotAPI, reloj: RelojFijo) -> None:
    beto = UsuarioFicticio(303, first_name="Beto", language_code="en")
    grupo = emulador.crear_grupo(titulo="Taller", tipo="group", miembros=[beto])

    async def escribe(texto: str) -> list[MensajeChat]:
        antes = len(_del_bot_en(emulador, grupo.id))
        await bot.atendido(emulador.escribir_en_grupo(grupo.id, beto, texto))
        return _del_bot_en(emulador, grupo.id)[antes:]

    assert await escribe("hola a todas, ¿quién va al curso?") == []
    assert await escribe("/start@OtroBot") == []
    respuesta = await escribe(f"/start@{BOT}")
    assert len(respuesta) == 1 and "Write to me in private" in respuesta[0].texto_plano
    assert [b.get("url") for b in respuesta[0].botones()] == [ENLACE]
    assert await escribe("/cursos") == []  # una vez por minuto en cada grupo: no lo llena
    reloj.avanzar(minutes=2)
    assert len(await escribe("/cursos")) == 1
    # Nada se leyó ni se guardó de Beto: ni su persona ni un paso de un flujo.
    assert await bot.almacen.persona(beto.id) is None


async def test_la_lista_del_personal_en_un_grupo_no_sale(bot: BotDePrueba, ana: Persona,
                                                        emulador: EmuladorBotAPI) -> None:
    from tests.cursos_prueba import crear

    await completar_perfil(ana, nombre="Ana Pérez", municipio="Tehuacán")
    sesion_id = await crear(bot)
    ahora = bot.reloj.ahora()
    planes = bot.servicios.capacitacion.planes(ahora)
    assert (await bot.almacen.inscribir(sesion_id, ana.id, ahora, planes)).exito
    marta = UsuarioFicticio(ID_PERSONAL, first_name="Marta", language_code="es")
    grupo = emulador.crear_grupo(titulo="Personal y vecinas", miembros=[marta, ana.usuario])

    await bot.atendido(emulador.escribir_en_grupo(grupo.id, marta, f"/personal@{BOT}"))
    aviso = _del_bot_en(emulador, grupo.id)[-1]
    assert "Escríbeme en privado" in aviso.texto_plano
    # El personal pulsa «Lista en CSV» (y «Lista») desde el grupo.
    for datos in (f"pers:s:{sesion_id}:csv", f"pers:s:{sesion_id}:lista"):
        await bot.atendido(emulador.pulsar(marta, aviso.message_id, datos, chat_id=grupo.id))

    assert _del_bot_en(emulador, grupo.id) == [aviso]  # ni documento ni lista
    assert not emulador.entregados("sendDocument")
    assert "Ana Pérez" not in textos(emulador.mensajes(grupo.id))
    # A quien pulsó, Telegram le abre el chat privado.
    assert [r["url"] for r in emulador.respuestas_callback[-2:]] == [ENLACE, ENLACE]


# --- ediciones y canales --------------------------------------------------------------------


async def test_editar_en_el_paso_del_nombre_no_rompe_ni_cuenta(bot: BotDePrueba,
                                                              ana: Persona) -> None:
    await dar_consentimiento(ana)
    assert "¿Cómo quieres que te llame?" in ana.texto()
    respuesta = await _edita(ana, _ultimo_de_la_persona(ana).message_id, "Ana María")
    assert [m.texto_plano.startswith(NOTA_EDICION) for m in respuesta] == [True]
    assert (await bot.almacen.perfil(ana.id)) is None or not (
        await bot.almacen.perfil(ana.id)).nombre
    # El paso sigue esperando el nombre.
    await ana.escribe("Ana")
    assert "¿En qué municipio de Puebla vives?" in ana.texto()
    assert (await bot.almacen.perfil(ana.id)).nombre == "Ana"


async def test_editar_en_el_paso_del_municipio(bot: BotDePrueba, ana: Persona) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("Ana")
    assert "¿En qué municipio de Puebla vives?" in ana.texto()
    primera = await _edita(ana, _ultimo_de_la_persona(ana).message_id, "Tehuacán")
    segunda = await _edita(ana, _ultimo_de_la_persona(ana).message_id, "Atlixco")
    assert len(primera) == 1 and primera[0].texto_plano.startswith(NOTA_EDICION)
    assert segunda == []  # la nota, una sola vez
    assert (await bot.almacen.perfil(ana.id)).municipio_clave is None
    respuestas = await ana.escribe("Puebla")
    assert "Municipio: Puebla ✅" in textos(respuestas)


async def test_editar_en_la_pregunta_abierta_de_la_orientacion(bot: BotDePrueba,
                                                               ana: Persona) -> None:
    await completar_perfil(ana)
    await ana.escribe("/orientacion")
    assert "¿Qué te gustaría hacer" in ana.texto()
    respuesta = await _edita(ana, _ultimo_de_la_persona(ana).message_id, "Vender tamales")
    assert [m.texto_plano.startswith(NOTA_EDICION) for m in respuesta] == [True]
    progreso = await bot.almacen.orientacion_en_curso(ana.id)
    assert progreso is None or "idea" not in progreso.respuestas
    await ana.escribe("Vender atole")
    assert (await bot.almacen.orientacion_en_curso(ana.id)).respuestas["idea"] == "Vender atole"


async def test_editar_un_mensaje_viejo_a_start_no_lo_repite(bot: BotDePrueba,
                                                           ana: Persona) -> None:
    await completar_perfil(ana)
    viejo = next(m for m in ana.emulador.mensajes(ana.id) if not m.de_bot)  # su primer /start
    antes = len(ana.mensajes())
    await _edita(ana, viejo.message_id, "/start")
    await _edita(ana, viejo.message_id, "/mis_datos")
    nuevos = ana.mensajes()[antes:]
    assert [m.texto_plano[:len(NOTA_EDICION)] for m in nuevos] == [NOTA_EDICION]


async def test_una_publicacion_de_canal_no_recibe_nada(bot: BotDePrueba,
                                                      emulador: EmuladorBotAPI) -> None:
    canal = emulador.crear_grupo(titulo="Noticias SEDETRA", tipo="channel")
    publicacion = emulador.publicar_en_canal(canal.id, "/start")
    await bot.atendido(publicacion)
    await bot.atendido(emulador.publicar_en_canal(canal.id, "Hoy hay curso de cooperativas"))
    primera = emulador.mensajes(canal.id)[0]
    await bot.atendido(emulador.editar(None, primera.message_id, "/mis_datos", chat_id=canal.id))
    assert _del_bot_en(emulador, canal.id) == []
    assert not [p for p in emulador.peticiones if p.parametros.get("chat_id") == canal.id]


async def test_sin_remitente_se_ignora(bot: BotDePrueba, ana: Persona,
                                       emulador: EmuladorBotAPI) -> None:
    await ana.escribe("/start")
    antes = len(ana.mensajes())
    await bot.atendido(emulador.escribir_sin_remitente(ana.id, "hola"))
    assert len(ana.mensajes()) == antes


# --- 5xx en las respuestas ------------------------------------------------------------------


async def test_un_5xx_en_una_respuesta_se_repite_y_llega(bot: BotDePrueba,
                                                        emulador: EmuladorBotAPI) -> None:
    personas = [bot.persona(UsuarioFicticio(500 + i, first_name=f"P{i}")) for i in range(8)]
    # A 6 de las 8, Telegram les contesta un 5xx a la respuesta (a la primera, tres veces).
    for i, persona in enumerate(personas[:6]):
        emulador.inyectar_fallo("500" if i % 2 else "502", metodo="sendMessage",
                                chat_id=persona.id, veces=3 if i == 0 else 1)
    ultimas = [emulador.escribir(p.usuario, "/start") for p in personas]
    await bot.atendido(max(ultimas))
    for persona in personas:
        bienvenida, aviso = persona.mensajes()  # una sola vez: ni repetidas ni la disculpa
        assert "Soy Coopera Puebla" in bienvenida.texto_plano, persona.id
        assert "Aviso de privacidad" in aviso.texto_plano, persona.id
    fallidas = [p for p in emulador.peticiones if p.estado_http >= 500]
    assert len(fallidas) == 8


def test_solo_se_repite_lo_que_telegram_no_proceso() -> None:
    def con_causa(error: Exception, causa: Exception) -> Exception:
        error.__cause__ = causa
        return error

    pedido = httpx.Request("POST", "http://x")
    assert no_llego_a_telegram(NetworkError("Internal Server Error"))  # un 5xx contestado
    assert no_llego_a_telegram(con_causa(NetworkError("x"), httpx.ConnectError("no")))
    assert no_llego_a_telegram(con_causa(TimedOut(), httpx.ConnectTimeout("no")))
    assert no_llego_a_telegram(con_causa(TimedOut(), httpx.PoolTimeout("no")))
    # Ya había salido: Telegram pudo procesarla; repetirla podría duplicar el mensaje.
    assert not no_llego_a_telegram(con_causa(TimedOut(), httpx.ReadTimeout("x", request=pedido)))
    assert not no_llego_a_telegram(con_causa(NetworkError("x"), httpx.ReadError("x")))
    assert not no_llego_a_telegram(BadRequest("message is too long"))


# --- el ritmo: Telegram exige un mensaje por segundo a cada chat ------------------------------


@pytest.fixture
async def con_limites(tmp_path: Path, reloj: RelojFijo, contenido_real: Contenido,
                      textos_reales: Textos) -> AsyncIterator[BotDePrueba]:
    """El bot con su ritmo de producción, contra un emulador que exige los límites de
    Telegram (30 por segundo y uno por segundo a cada chat; si no, 429)."""
    async with EmuladorBotAPI(limitar_tasas=True) as emulador:
        config = Configuracion(token=Secreto(emulador.token), url_base=emulador.url_base,
                               ruta_bd=tmp_path / "coopera.sqlite3",
                               personal=frozenset({ID_PERSONAL}))
        assert config.mensajes_por_segundo == 30
        prueba = BotDePrueba(config, emulador, reloj, contenido=contenido_real,
                             textos=textos_reales)
        await prueba.iniciar()
        yield prueba
        await prueba.detener()


def _sin_429(emulador: EmuladorBotAPI) -> None:
    assert [p.metodo for p in emulador.peticiones if p.estado_http == 429] == []


async def test_dos_respuestas_seguidas_a_un_chat_sin_429(con_limites: BotDePrueba) -> None:
    emulador = con_limites.emulador
    ana = con_limites.persona(UsuarioFicticio(101, first_name="Ana"))
    await dar_consentimiento(ana)
    await ana.escribe("Ana")
    respuestas = await ana.escribe("Puebla")  # «Municipio: Puebla ✅» y la siguiente pregunta
    assert "Municipio: Puebla ✅" in textos(respuestas) and len(respuestas) == 2
    _sin_429(emulador)
    instantes = [p.instante for p in emulador.entregados(chat_id=ana.id)]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(instantes))


async def test_mientras_ana_espera_su_segundo_john_recibe_lo_suyo(
        con_limites: BotDePrueba) -> None:
    emulador = con_limites.emulador
    ana = con_limites.persona(UsuarioFicticio(101, first_name="Ana"))
    john = UsuarioFicticio(202, first_name="John", language_code="en")
    await dar_consentimiento(ana)
    await ana.escribe("Ana")
    inicio = time.monotonic()
    de_ana = emulador.escribir(ana.usuario, "Puebla")  # dos mensajes: el segundo espera
    de_john = emulador.escribir(john, "/ayuda")  # un solo mensaje
    await con_limites.atendido(max(de_ana, de_john))
    a1, a2 = [p.instante - inicio for p in emulador.entregados(chat_id=ana.id)][-2:]
    (j,) = [p.instante - inicio for p in emulador.entregados(chat_id=john.id)]
    assert a2 - a1 >= 1.0 and j < 0.5
    _sin_429(emulador)


async def test_la_espera_de_un_chat_no_frena_a_otro(con_limites: BotDePrueba) -> None:
    emulador, bot = con_limites.emulador, con_limites.coopera.aplicacion.bot
    ana, john = UsuarioFicticio(101), UsuarioFicticio(202, first_name="John")
    emulador.conocer(ana)
    emulador.conocer(john)
    inicio = time.monotonic()

    async def enviar(chat_id: int, texto: str) -> float:
        await bot.send_message(chat_id, texto)
        return time.monotonic() - inicio

    a1, a2, j = await asyncio.gather(enviar(ana.id, "uno"), enviar(ana.id, "dos"),
                                     enviar(john.id, "hola"))
    assert a2 >= 1.0  # el segundo a Ana espera su segundo
    assert j < 0.5 and a1 < 0.5  # John no espera a Ana
    assert [m.texto for m in emulador.mensajes_del_bot(ana.id)] == ["uno", "dos"]
    _sin_429(emulador)


async def test_un_429_de_un_chat_solo_frena_ese_chat(con_limites: BotDePrueba) -> None:
    emulador, bot = con_limites.emulador, con_limites.coopera.aplicacion.bot
    ana, john = UsuarioFicticio(101), UsuarioFicticio(202, first_name="John")
    emulador.conocer(ana)
    emulador.conocer(john)
    emulador.inyectar_fallo("429", metodo="sendMessage", chat_id=ana.id, retry_after=1)
    inicio = time.monotonic()

    async def enviar(chat_id: int, texto: str) -> float:
        await bot.send_message(chat_id, texto)
        return time.monotonic() - inicio

    para_ana = asyncio.create_task(enviar(ana.id, "para Ana"))
    await esperar(lambda: any(p.estado_http == 429 for p in emulador.peticiones))
    ya = time.monotonic() - inicio
    j = await enviar(john.id, "para John")  # mientras Ana espera su segundo
    a = await para_ana
    assert a >= 1.0 and j - ya < 0.5
    assert [m.texto for m in emulador.mensajes_del_bot(ana.id)] == ["para Ana"]


async def test_el_presupuesto_atiende_primero_las_respuestas() -> None:
    presupuesto = Presupuesto(2)
    for _ in range(2):  # se llena la ventana de un segundo
        async with presupuesto.turno():
            pass
    orden: list[str] = []

    async def pedir(nombre: str, prioridad: int) -> None:
        async with presupuesto.turno(prioridad):
            orden.append(nombre)

    en_bloque = asyncio.create_task(pedir("en bloque", EN_BLOQUE))
    await asyncio.sleep(0)
    await asyncio.gather(en_bloque, pedir("respuesta", INTERACTIVO))
    assert orden == ["respuesta", "en bloque"]
    presupuesto = Presupuesto(2)
    inicio = time.monotonic()
    presupuesto.pausar(0.3)  # un 429 sin chat: todos esperan
    async with presupuesto.turno():
        assert time.monotonic() - inicio >= 0.3
