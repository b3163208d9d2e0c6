"""Asesoría (/asesoria): personas que escriben a una persona asesora y personal que contesta,
en el grupo del personal con temas o con /bandeja, a través del emulador de la Bot API.

Personajes: Ana (es, con perfil en Puebla) y John (en, sin perfil) escriben; Lupe y Mario son
personal (administradores del grupo); Paco está en el grupo pero no es personal.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from telegram import Bot
from telegram.error import BadRequest

from emulador import EmuladorBotAPI, GrupoFicticio, MensajeChat, UsuarioFicticio
from nucleo.almacen.asesoria import MensajeNuevo
from nucleo.configuracion import Configuracion, ConfiguracionInvalida
from nucleo.contenido import Contenido
from nucleo.horario_atencion import HorarioAtencion
from nucleo.reloj import RelojFijo
from nucleo.textos import Textos
from nucleo.vocabulario import EstadoAsesoria, TipoMensaje
from tests.conversador import BotDePrueba, Persona, completar_perfil, textos

ANA = UsuarioFicticio(101, first_name="Ana", language_code="es")
JOHN = UsuarioFicticio(202, first_name="John", language_code="en")
LUPE = UsuarioFicticio(999, first_name="Lupe", language_code="es", username="lupe_sedetra")
MARIO = UsuarioFicticio(998, first_name="Mario", language_code="es", username="mario_sedetra")
PACO = UsuarioFicticio(777, first_name="Paco", language_code="es", username="paco")
PERSONAL = frozenset({LUPE.id, MARIO.id})
HORARIO = "L-V 09:00-17:00"
TABLAS = ("asesorias", "mensajes_asesoria", "copias_asesoria", "respuestas_en_curso")


# --- preparar --------------------------------------------------------------------------------


@pytest.fixture
def config(config: Configuracion) -> Configuracion:
    """Sin grupo: el personal contesta con /bandeja."""
    return replace(config, personal=PERSONAL)


@pytest.fixture
def grupo(emulador: EmuladorBotAPI) -> GrupoFicticio:
    return emulador.crear_grupo_foro(miembros=[PACO], administradores=[LUPE, MARIO])


@pytest.fixture
async def con_grupo(config: Configuracion, emulador: EmuladorBotAPI, reloj: RelojFijo,
                    contenido_real: Contenido, textos_reales: Textos,
                    grupo: GrupoFicticio) -> AsyncIterator[BotDePrueba]:
    """El bot con el grupo del personal y horario de oficina (son las 12:00 de un miércoles)."""
    prueba = BotDePrueba(replace(config, grupo_asesoria=grupo.id,
                                 horario_asesoria=HorarioAtencion.leer(HORARIO)),
                         emulador, reloj, contenido=contenido_real, textos=textos_reales)
    await prueba.iniciar()
    yield prueba
    await prueba.detener()


async def john_acepta(john: Persona) -> None:
    """John pide una persona asesora y acepta el aviso desde ahí (sin llenar su perfil)."""
    await john.escribe("/asesoria")
    await john.pulsa_datos("ase:acepto")


def temas(emulador: EmuladorBotAPI, grupo: GrupoFicticio) -> dict[str, int]:
    return {t.nombre: t.message_thread_id for t in emulador.temas(grupo.id) if not t.borrado}


async def en_grupo(bot: BotDePrueba, update_id: int) -> None:
    await bot.atendido(update_id)


def archivos(mensajes: list[MensajeChat], emulador: EmuladorBotAPI) -> set[str]:
    """Los file_id de fotos, documentos y notas de voz de esos mensajes."""
    ids = set()
    for m in mensajes:
        crudo = emulador.crudo(m.chat_id, m.message_id)
        for clave in ("document", "voice"):
            if clave in crudo:
                ids.add(crudo[clave]["file_id"])
        ids.update(f["file_id"] for f in crudo.get("photo", []))
    return ids


def sin_rastro_del_personal(emulador: EmuladorBotAPI, chat_id: int) -> None:
    """Nada de lo que la persona tiene en su chat dice quién del personal le contestó."""
    for mensaje in emulador.mensajes(chat_id):
        crudo = json.dumps(emulador.crudo(chat_id, mensaje.message_id), ensure_ascii=False)
        assert "forward" not in crudo, crudo
        valores = list(_valores(json.loads(crudo)))
        for quien in (LUPE, MARIO):  # ni su id (como número) ni su usuario, en ningún campo
            assert quien.id not in valores, crudo
            textos_crudos = [v for v in valores if isinstance(v, str)]
            assert not any(re.search(rf"\b{quien.id}\b", v) or quien.username in v
                           for v in textos_crudos), crudo
        if mensaje.de_bot:
            assert json.loads(crudo)["from"]["is_bot"] is True


def _valores(objeto: object) -> Iterator[object]:
    """Todos los valores (no las claves) de un objeto JSON, a cualquier profundidad."""
    if isinstance(objeto, dict):
        for valor in objeto.values():
            yield from _valores(valor)
    elif isinstance(objeto, list):
        for valor in objeto:
            yield from _valores(valor)
    else:
        yield objeto


def filas_de_asesoria(bot: BotDePrueba) -> dict[str, int]:
    """Cuántas filas hay en cada tabla de la asesoría (leído de otra conexión, del disco)."""
    with sqlite3.connect(bot.config.ruta_bd) as bd:
        return {t: bd.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLAS}


def mensajes_nuevos(emulador: EmuladorBotAPI, chat_id: int, desde: int) -> list[MensajeChat]:
    return [m for m in emulador.mensajes(chat_id) if m.message_id > desde]


def ultimo_id(emulador: EmuladorBotAPI, chat_id: int) -> int:
    mensajes = emulador.mensajes(chat_id)
    return mensajes[-1].message_id if mensajes else 0


# --- el grupo del personal: dos personas y dos asesores a la vez -----------------------------


async def test_dos_personas_y_dos_asesores_a_la_vez_con_todo_tipo_de_mensajes(
        con_grupo: BotDePrueba, emulador: EmuladorBotAPI, grupo: GrupoFicticio) -> None:
    bot = con_grupo
    ana, john = bot.persona(ANA), bot.persona(JOHN)
    await completar_perfil(ana)  # Ana, Puebla
    await ana.escribe("/asesoria")
    assert "Hablar con una persona asesora" in ana.texto()
    assert "lunes a viernes, de 9:00" in ana.texto()  # el horario, en su idioma
    await john.escribe("/asesoria")
    assert "Aviso de privacidad" not in john.texto() and "Privacy notice" in john.texto()
    await john.pulsa_datos("ase:acepto")
    assert "Talk to an adviser" in textos(john.mensajes()[-2:]), john.texto()

    # Las dos escriben a la vez: cada una recibe su confirmación, en su idioma, con el horario.
    await en_grupo(bot, max(emulador.escribir(ANA, "Hola, quiero formar una cooperativa"),
                            emulador.enviar_voz(JOHN)))
    assert "Recibí tu mensaje" in ana.texto() and "lunes a viernes" in ana.texto()
    assert "I got your message" in john.texto() and "Monday to Friday" in john.texto()
    hilos = temas(emulador, grupo)
    assert set(hilos) == {"Ana · Puebla · #1", "John · #2"} or set(hilos) == {
        "Ana · Puebla · #2", "John · #1"}, hilos
    hilo_ana = next(h for n, h in hilos.items() if n.startswith("Ana"))
    hilo_john = next(h for n, h in hilos.items() if n.startswith("John"))

    # Más mensajes de cada tipo, a la vez. Mientras espera, un 👍 confirma sin llenar el chat.
    antes_ana = ultimo_id(emulador, ANA.id)
    await en_grupo(bot, max(emulador.enviar_foto(ANA), emulador.enviar_documento(JOHN),
                            emulador.enviar_voz(ANA), emulador.escribir(JOHN, "Need help"),
                            emulador.enviar_documento(ANA, "acta.pdf", b"%PDF-acta"),
                            emulador.enviar_foto(JOHN)))
    nuevos_ana = mensajes_nuevos(emulador, ANA.id, antes_ana)
    assert not [m for m in nuevos_ana if m.de_bot], "mientras espera, no se llena su chat"
    assert all(m.reaccion == "👍" for m in nuevos_ana)

    # Lo que cada persona mandó está en su tema, copiado por el bot (nunca reenviado).
    de_ana = [m for m in emulador.mensajes(ANA.id) if not m.de_bot]
    tema_ana = emulador.mensajes_de_tema(grupo.id, hilo_ana)
    tema_john = emulador.mensajes_de_tema(grupo.id, hilo_john)
    assert [m.tipo for m in tema_ana if m.tipo != "servicio"] == [
        "texto", "texto", "foto", "voz", "documento"]  # la ficha y sus cuatro mensajes
    assert [m.tipo for m in tema_john if m.tipo != "servicio"] == [
        "texto", "voz", "documento", "texto", "foto"]
    assert "Hola, quiero formar una cooperativa" in textos(tema_ana)
    assert archivos(de_ana, emulador) <= archivos(tema_ana, emulador)
    assert not archivos(tema_ana, emulador) & archivos(tema_john, emulador)

    # Lupe contesta a Ana y Mario a John, a la vez, con texto, foto, documento y voz.
    antes = {p.id: ultimo_id(emulador, p.id) for p in (ana, john)}
    await en_grupo(bot, max(
        emulador.escribir_en_tema(grupo.id, LUPE, hilo_ana, "Hola Ana, ¿cuántas personas son?"),
        emulador.enviar_en_tema(grupo.id, MARIO, hilo_john, "voz"),
        emulador.enviar_en_tema(grupo.id, LUPE, hilo_ana, "foto"),
        emulador.enviar_en_tema(grupo.id, MARIO, hilo_john, "documento"),
        emulador.enviar_en_tema(grupo.id, LUPE, hilo_ana, "documento"),
        emulador.escribir_en_tema(grupo.id, MARIO, hilo_john, "We have courses in English"),
        emulador.enviar_en_tema(grupo.id, LUPE, hilo_ana, "voz"),
    ))
    a_ana = mensajes_nuevos(emulador, ANA.id, antes[ANA.id])
    a_john = mensajes_nuevos(emulador, JOHN.id, antes[JOHN.id])
    assert "Te contesta una persona asesora de la SEDETRA" in a_ana[0].texto_plano
    assert "An adviser from SEDETRA" in a_john[0].texto_plano
    assert [m.tipo for m in a_ana[1:]] == ["texto", "foto", "documento", "voz"]
    assert [m.tipo for m in a_john[1:]] == ["voz", "documento", "texto"]
    assert a_ana[1].texto_plano == "Hola Ana, ¿cuántas personas son?"
    enviados_por_lupe = [m for m in tema_mensajes(emulador, grupo, hilo_ana) if m.remitente_id
                         == LUPE.id]
    assert archivos(enviados_por_lupe, emulador) == archivos(a_ana, emulador)
    assert all(m.reaccion == "👍" for m in enviados_por_lupe)  # «le llegó»

    # Nadie ve lo de otra persona, y nadie ve la cuenta de quien le contesta.
    assert not archivos(emulador.mensajes(ANA.id), emulador) & archivos(
        emulador.mensajes(JOHN.id), emulador)
    assert "English" not in textos(emulador.mensajes(ANA.id))
    assert "cooperativa" not in textos(emulador.mensajes(JOHN.id))
    for persona in (ana, john):
        sin_rastro_del_personal(emulador, persona.id)
    assert not [p for p in emulador.peticiones if p.metodo.startswith("forward")]

    conversacion_ana = await bot.servicios.asesoria.de(ANA.id)
    conversacion_john = await bot.servicios.asesoria.de(JOHN.id)
    assert (conversacion_ana.estado, conversacion_ana.atendida_por) == (
        EstadoAsesoria.ATENDIDA, LUPE.id)
    assert (conversacion_john.estado, conversacion_john.atendida_por) == (
        EstadoAsesoria.ATENDIDA, MARIO.id)
    assert not conversacion_ana.esperando
    assert conversacion_ana.mensajes == 4 + 4 and conversacion_john.mensajes == 4 + 3


def tema_mensajes(emulador: EmuladorBotAPI, grupo: GrupoFicticio, hilo: int) -> list[MensajeChat]:
    return emulador.mensajes_de_tema(grupo.id, hilo)



async def abrir_con_mensaje(persona: Persona, texto: str = "Hola, necesito ayuda") -> None:
    await persona.escribe("/asesoria")
    await persona.escribe(texto)


def hilo_de(emulador: EmuladorBotAPI, grupo: GrupoFicticio, nombre: str) -> int:
    return next(h for n, h in temas(emulador, grupo).items() if n.startswith(nombre))


# --- quién contesta y qué se ignora en el grupo ----------------------------------------------


async def test_quien_no_es_personal_no_contesta_y_se_le_dice_una_vez(
        con_grupo: BotDePrueba, emulador: EmuladorBotAPI, grupo: GrupoFicticio) -> None:
    bot, ana = con_grupo, con_grupo.persona(ANA)
    await completar_perfil(ana)
    await abrir_con_mensaje(ana)
    hilo = hilo_de(emulador, grupo, "Ana")
    antes = ultimo_id(emulador, ANA.id)
    en_tema_antes = len(emulador.mensajes_de_tema(grupo.id, hilo))

    await en_grupo(bot, emulador.escribir_en_tema(grupo.id, PACO, hilo, "Yo te ayudo, Ana"))
    await en_grupo(bot, emulador.enviar_en_tema(grupo.id, PACO, hilo, "foto"))
    await en_grupo(bot, emulador.pulsar_en_grupo(grupo.id, PACO, "Cerrar la conversación"))
    # Lo de afuera de los temas de personas no se pasa a nadie (el tema General, comandos).
    await en_grupo(bot, emulador.escribir_en_tema(grupo.id, LUPE, None, "¿Quién ve a Ana?"))
    await en_grupo(bot, emulador.escribir_en_tema(grupo.id, LUPE, hilo, "/menu"))

    assert mensajes_nuevos(emulador, ANA.id, antes) == []  # a Ana no le llegó nada
    del_bot = [m for m in emulador.mensajes_de_tema(grupo.id, hilo)[en_tema_antes:] if m.de_bot]
    assert [m.texto_plano for m in del_bot] == [
        "Solo el personal de la Secretaría contesta aquí. Tu mensaje no se le pasó a nadie."]
    assert emulador.respuestas_callback[-1]["text"] == (
        "Solo el personal de la Secretaría puede cerrar la conversación.")
    conversacion = await bot.servicios.asesoria.de(ANA.id)
    assert conversacion.estado == EstadoAsesoria.NUEVA and conversacion.mensajes == 1
    assert [m for m in emulador.mensajes(grupo.id) if m.de_bot and m.hilo is None] == []


# --- cerrar y reabrir ----------------------------------------------------------------------------


async def test_cerrar_y_volver_a_escribir_reabre_el_mismo_tema(
        con_grupo: BotDePrueba, emulador: EmuladorBotAPI, grupo: GrupoFicticio) -> None:
    bot, ana = con_grupo, con_grupo.persona(ANA)
    await completar_perfil(ana)
    await abrir_con_mensaje(ana)
    hilo = hilo_de(emulador, grupo, "Ana")
    await en_grupo(bot, emulador.escribir_en_tema(grupo.id, LUPE, hilo, "Te mando los pasos"))
    await en_grupo(bot, emulador.escribir_en_tema(grupo.id, MARIO, hilo, "/cerrar"))
    assert "cerró esta conversación" in ana.texto()
    assert emulador.temas(grupo.id)[0].cerrado
    cerrada = await bot.servicios.asesoria.de(ANA.id)
    assert (cerrada.estado, cerrada.cerrada_por, cerrada.atendida_por) == (
        EstadoAsesoria.CERRADA, MARIO.id, LUPE.id)

    # Paco no puede escribir en un tema cerrado (Telegram no lo deja); Ana vuelve a escribir.
    with pytest.raises(PermissionError):
        emulador.escribir_en_tema(grupo.id, PACO, hilo, "hola")
    bot.reloj.avanzar(days=2)
    await ana.envia("voz")
    assert "Recibí tu mensaje" in ana.texto()
    [tema] = emulador.temas(grupo.id)
    assert (tema.message_thread_id, tema.cerrado) == (hilo, False)  # el mismo tema, abierto
    assert "volvió a escribir" in textos(emulador.mensajes_de_tema(grupo.id, hilo))
    assert emulador.mensajes_de_tema(grupo.id, hilo)[-1].tipo == "voz"
    reabierta = await bot.servicios.asesoria.de(ANA.id)
    assert reabierta.estado == EstadoAsesoria.NUEVA and reabierta.reabierta_en == bot.reloj.ahora()
    assert reabierta.atendida_por is None and reabierta.esperando

    # Cerrar con el botón de la ficha, y luego desde Telegram (cerrar el tema): igual.
    await en_grupo(bot, emulador.pulsar_en_grupo(grupo.id, LUPE, "Cerrar la conversación"))
    assert (await bot.servicios.asesoria.de(ANA.id)).estado == EstadoAsesoria.CERRADA
    assert emulador.respuestas_callback[-1]["text"].startswith("Listo: conversación cerrada")
    await ana.escribe("Una cosa más")
    await en_grupo(bot, emulador.cerrar_tema_como(grupo.id, LUPE, hilo))
    assert (await bot.servicios.asesoria.de(ANA.id)).estado == EstadoAsesoria.CERRADA
    assert "cerró esta conversación" in ana.texto()
    assert len(emulador.temas(grupo.id)) == 1


async def test_si_el_personal_borra_el_tema_se_abre_otro(
        con_grupo: BotDePrueba, emulador: EmuladorBotAPI, grupo: GrupoFicticio) -> None:
    ana = con_grupo.persona(ANA)
    await completar_perfil(ana)
    await abrir_con_mensaje(ana)
    viejo = hilo_de(emulador, grupo, "Ana")
    emulador.grupo(grupo.id).temas[viejo].borrado = True  # lo borraron desde Telegram
    await ana.escribe("¿Siguen ahí?")
    nuevo = hilo_de(emulador, grupo, "Ana")
    assert nuevo != viejo
    assert emulador.mensajes_de_tema(grupo.id, nuevo)[-1].texto_plano == "¿Siguen ahí?"


# --- reinicio ----------------------------------------------------------------------------------


async def test_reinicio_a_media_conversacion(
        con_grupo: BotDePrueba, emulador: EmuladorBotAPI, grupo: GrupoFicticio) -> None:
    bot, ana = con_grupo, con_grupo.persona(ANA)
    await completar_perfil(ana)
    await abrir_con_mensaje(ana)
    hilo = hilo_de(emulador, grupo, "Ana")
    await bot.reiniciar()
    await en_grupo(bot, emulador.escribir_en_tema(grupo.id, LUPE, hilo, "Ya te leí"))
    assert ana.texto() == "Ya te leí"
    await ana.escribe("Gracias")  # sigue en la misma conversación y el mismo tema
    assert ana.ultimo().de_bot and ana.texto() != "Gracias"
    assert list(temas(emulador, grupo).values()) == [hilo]
    assert emulador.mensajes_de_tema(grupo.id, hilo)[-1].texto_plano == "Gracias"


# --- /bandeja, sin grupo ---------------------------------------------------------------------


async def test_bandeja_sin_grupo_de_la_lista_a_cerrar(
        bot: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    ana, john, lupe = bot.persona(ANA), bot.persona(JOHN), bot.persona(LUPE)
    await lupe.escribe("/start")  # el personal ya abrió su chat con el bot
    await completar_perfil(ana)
    await abrir_con_mensaje(ana, "¿Qué papeles pido para la cooperativa?")
    assert "Recibí tu mensaje" in ana.texto() and "en cuanto pueda" in ana.texto()
    assert "escribió por primera vez" in lupe.texto() and "Ana (Puebla)" in lupe.texto()
    await ana.envia("foto")
    bot.reloj.avanzar(minutes=30)
    await john_acepta(john)
    await john.escribe("Hello, I need help")
    assert "as soon as they can" in john.texto()

    await lupe.escribe("/bandeja")
    assert "Abiertas: 2. Esperan respuesta: 2." in lupe.texto()
    # La que más espera, primero, con cuánto lleva esperando.
    assert lupe.botones()[0] == "🔴 Ana · Puebla · #1 · espera 30 minutos"
    assert lupe.botones()[1].startswith("🔴 John · #2 · espera")

    antes = ultimo_id(emulador, LUPE.id)
    await lupe.pulsa("Ana")
    vistos = mensajes_nuevos(emulador, LUPE.id, antes)
    assert "¿Qué papeles pido para la cooperativa?" in textos(vistos)  # el texto, en línea
    fotos = [m for m in vistos if m.tipo == "foto"]  # la foto, copiada del original
    assert len(fotos) == 1 and archivos(fotos, emulador) == archivos(
        [m for m in emulador.mensajes(ANA.id) if m.tipo == "foto"], emulador)
    assert "Espera respuesta desde hace 30 minutos" in lupe.texto()

    await lupe.pulsa("Contestar")
    antes_ana = ultimo_id(emulador, ANA.id)
    await lupe.escribe("Necesitan el acta y las bases.")
    assert "Le llegó a Ana" in lupe.texto()
    await lupe.envia("documento")
    await lupe.envia("voz")
    a_ana = mensajes_nuevos(emulador, ANA.id, antes_ana)
    assert [m.tipo for m in a_ana] == ["texto", "texto", "documento", "voz"]
    assert a_ana[1].texto_plano == "Necesitan el acta y las bases."
    sin_rastro_del_personal(emulador, ANA.id)
    await lupe.pulsa("Listo")
    await lupe.escribe("hola")  # ya no contesta: esto no le llega a Ana
    assert ultimo_id(emulador, ANA.id) == a_ana[-1].message_id

    await lupe.escribe("/bandeja")
    assert lupe.botones()[0].startswith("🔴 John")  # Ana ya tiene respuesta
    assert "🟢 Ana · Puebla · #1" in lupe.botones()
    await lupe.pulsa("Ana")
    assert "La atendió: personal 999" in lupe.texto()
    await lupe.pulsa("Cerrar la conversación")
    assert "Cerraste la conversación con Ana" in lupe.texto()
    assert "cerró esta conversación" in ana.texto()
    await lupe.pulsa("Bandeja")
    assert not [b for b in lupe.botones() if "Ana" in b]
    assert "John" not in textos(emulador.mensajes(ANA.id))


async def test_bandeja_reinicio_mientras_contesta(
        bot: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    ana, lupe = bot.persona(ANA), bot.persona(LUPE)
    await completar_perfil(ana)
    await abrir_con_mensaje(ana)
    await lupe.escribe("/bandeja")
    await lupe.pulsa("Ana")
    await lupe.pulsa("Contestar")
    await bot.reiniciar()
    await lupe.escribe("Después del reinicio")
    assert ana.texto() == "Después del reinicio"
    assert "Le llegó a Ana" in lupe.texto()
    # Un comando la saca de contestar: lo que escribe después es para el bot.
    await lupe.escribe("/menu")
    await lupe.escribe("esto no es para Ana")
    assert ana.texto() == "Después del reinicio"


async def test_solo_el_personal_usa_la_bandeja(bot: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    ana = bot.persona(ANA)
    await completar_perfil(ana)
    await abrir_con_mensaje(ana)
    await ana.escribe("/bandeja")
    assert "solo para el personal" in ana.texto()
    await ana.pulsa_datos("bnd:resp:1")
    await ana.pulsa_datos("bnd:ver:1")
    assert "solo para el personal" in ana.texto()
    assert not [m for m in emulador.mensajes(ANA.id) if "Contestar" in str(m.teclado)]


# --- la persona bloquea al bot ---------------------------------------------------------------


async def test_si_la_persona_bloquea_al_bot_queda_inalcanzable(
        con_grupo: BotDePrueba, emulador: EmuladorBotAPI, grupo: GrupoFicticio) -> None:
    bot, ana = con_grupo, con_grupo.persona(ANA)
    await completar_perfil(ana)
    await abrir_con_mensaje(ana)
    hilo = hilo_de(emulador, grupo, "Ana")
    emulador.bloquear(ANA)
    await en_grupo(bot, emulador.escribir_en_tema(grupo.id, LUPE, hilo, "¿Sigues ahí?"))
    assert "la persona bloqueó el bot" in textos(emulador.mensajes_de_tema(grupo.id, hilo)[-1:])
    assert (await bot.almacen.persona(ANA.id)).inalcanzable
    assert (await bot.servicios.asesoria.de(ANA.id)).esperando  # sigue sin respuesta
    emulador.desbloquear(ANA)
    await ana.escribe("Perdón, ya volví")
    assert not (await bot.almacen.persona(ANA.id)).inalcanzable
    await en_grupo(bot, emulador.escribir_en_tema(grupo.id, LUPE, hilo, "¡Hola de nuevo!"))
    assert ana.texto() == "¡Hola de nuevo!"


# --- consentimiento, /mis_datos y borrar -----------------------------------------------------


async def test_sin_aviso_aceptado_no_se_guarda_nada(
        con_grupo: BotDePrueba, emulador: EmuladorBotAPI, grupo: GrupoFicticio) -> None:
    bot, ana = con_grupo, con_grupo.persona(ANA)
    await ana.escribe("/asesoria")
    assert "necesito guardarlos" in ana.texto() and "Aviso de privacidad" in ana.texto()
    assert "Sí, acepto" in str(ana.botones())
    await ana.escribe("Quiero hablar con alguien")  # sin permiso: no se le pasa a nadie
    assert "Para empezar, escribe /start" in ana.texto()
    assert filas_de_asesoria(bot) == dict.fromkeys(TABLAS, 0)
    assert emulador.temas(grupo.id) == []
    await ana.pulsa_datos("ase:acepto", ana.mensajes()[-2].message_id)
    assert "Hablar con una persona asesora" in ana.texto()  # de vuelta en /asesoria
    await ana.escribe("Ahora sí")
    assert "Recibí tu mensaje" in ana.texto()
    assert temas(emulador, grupo) == {"Ana · #1": 1}  # sin perfil: su nombre de Telegram


async def test_mis_datos_muestra_y_borra_la_conversacion(
        con_grupo: BotDePrueba, emulador: EmuladorBotAPI, grupo: GrupoFicticio) -> None:
    bot, ana, lupe = con_grupo, con_grupo.persona(ANA), con_grupo.persona(LUPE)
    await completar_perfil(ana)
    await abrir_con_mensaje(ana, "Mi número es 222 123 4567")
    await ana.envia("documento")
    hilo = hilo_de(emulador, grupo, "Ana")
    await en_grupo(bot, emulador.escribir_en_tema(grupo.id, LUPE, hilo, "Gracias, te llamo"))
    await lupe.escribe("/bandeja")  # Lupe también la leyó en su chat: ahí quedan copias
    await lupe.pulsa("Ana")
    copias_en_lupe = [m for m in emulador.mensajes(LUPE.id)
                      if m.de_bot and ("222 123 4567" in (m.texto_plano or "")
                                       or m.tipo == "documento")]
    assert len(copias_en_lupe) == 2

    await ana.escribe("/mis_datos")
    datos = ana.texto()
    assert "Tu conversación con una persona asesora" in datos
    assert "Estado: atendida" in datos and "Mensajes guardados: 3." in datos
    assert "«Mi número es 222 123 4567»" in datos and "📎 documento, archivo.pdf" in datos
    assert "Asesoría: 💬 «Gracias, te llamo»" in datos

    await ana.pulsa("Borrar todos mis datos")
    await ana.pulsa("Sí, borrar todo")
    assert "Borramos todos tus datos" in ana.texto()
    assert filas_de_asesoria(bot) == dict.fromkeys(TABLAS, 0)
    assert all(n == 0 for n in (await bot.almacen.filas_con_id(ANA.id)).values())
    [tema] = emulador.temas(grupo.id)
    assert tema.borrado  # el tema y todo lo que tenía
    assert all(m.borrado for m in emulador.mensajes_de_tema(grupo.id, hilo))
    assert all(m.borrado for m in copias_en_lupe)  # y lo que quedó en el chat de Lupe


# --- mientras la conversación está abierta -----------------------------------------------------


async def test_comandos_y_flujos_siguen_funcionando_con_la_conversacion_abierta(
        con_grupo: BotDePrueba, emulador: EmuladorBotAPI, grupo: GrupoFicticio) -> None:
    ana = con_grupo.persona(ANA)
    await completar_perfil(ana)
    await abrir_con_mensaje(ana)
    await ana.escribe("/asesoria")
    assert "sigue abierta" in ana.texto()
    await ana.escribe("/menu")
    assert "Elige una opción" in ana.texto()
    await ana.envia("sticker")
    assert "Eso no se lo puedo pasar" in ana.texto()
    # La orientación se queda con sus respuestas; al salir, lo suelto vuelve a la asesoría.
    await ana.escribe("/orientacion")
    assert "Pregunta 1" in ana.texto()
    hilo = hilo_de(emulador, grupo, "Ana")
    en_tema = len(emulador.mensajes_de_tema(grupo.id, hilo))
    await ana.escribe("una respuesta escrita")
    assert len(emulador.mensajes_de_tema(grupo.id, hilo)) == en_tema
    await ana.pulsa("Salir")
    await ana.escribe("Otra duda")
    assert emulador.mensajes_de_tema(grupo.id, hilo)[-1].texto_plano == "Otra duda"


async def test_el_boton_esta_en_el_menu_la_ayuda_y_los_resultados(
        bot: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    ana = bot.persona(ANA)
    await ana.escribe("/menu")
    assert "💬 Hablar con una persona asesora" in ana.botones()
    await ana.escribe("/ayuda")
    assert "/asesoria" in ana.texto() and "💬 Hablar con una persona asesora" in ana.botones()
    await ana.pulsa("Hablar con una persona asesora")
    assert "necesito guardarlos" in ana.texto()
    await ana.pulsa_datos("info:camino:cooperativa")
    assert "💬 Hablar con una persona asesora" in ana.botones()
    comandos = [c["command"] for c in emulador.comandos()]
    assert "asesoria" in comandos and "bandeja" not in comandos


# --- horario ---------------------------------------------------------------------------------


async def test_fuera_de_horario_se_dice_cuando_abre_en_su_idioma(
        con_grupo: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    bot, ana, john = con_grupo, con_grupo.persona(ANA), con_grupo.persona(JOHN)
    bot.reloj.fijar(datetime(2026, 11, 28, 20, 0, tzinfo=UTC))  # sábado, 14:00 en Puebla
    await completar_perfil(ana)
    await abrir_con_mensaje(ana)
    assert "lunes a viernes, de 9:00" in ana.texto()
    assert ("La oficina está cerrada ahora. Abre otra vez el lunes 30 de noviembre, "
            "9:00\u00a0a.\u00a0m. y entonces te contestan.") in ana.texto()
    await john_acepta(john)
    await john.escribe("Hi")
    assert "Monday to Friday, 9:00" in john.texto()
    assert "It opens again on Monday, November 30, 9:00\u00a0AM" in john.texto()


def test_configuracion_del_grupo_y_el_horario() -> None:
    base = {"TELEGRAM_BOT_TOKEN": "123:abc"}
    config = Configuracion.desde_entorno(base)
    assert config.grupo_asesoria is None and config.horario_asesoria is None
    config = Configuracion.desde_entorno({
        **base, "COOPERA_GRUPO_ASESORIA": "-1001234567890",
        "COOPERA_HORARIO_ASESORIA": "L-V 09:00-15:00; S 10:00-13:00"})
    assert config.grupo_asesoria == -1001234567890
    assert [t.dias for t in config.horario_asesoria.tramos] == [(0, 1, 2, 3, 4), (5,)]
    for malo in ({"COOPERA_GRUPO_ASESORIA": "12345"}, {"COOPERA_GRUPO_ASESORIA": "grupo"},
                 {"COOPERA_HORARIO_ASESORIA": "de 9 a 5"},
                 {"COOPERA_HORARIO_ASESORIA": "L-V 17:00-09:00"},
                 {"COOPERA_HORARIO_ASESORIA": "Q 09:00-10:00"}):
        with pytest.raises(ConfiguracionInvalida, match=next(iter(malo))):
            Configuracion.desde_entorno({**base, **malo})


# --- un grupo mal configurado no pierde mensajes ---------------------------------------------


async def test_sin_permiso_para_temas_el_personal_se_entera_y_usa_la_bandeja(
        config: Configuracion, emulador: EmuladorBotAPI, reloj: RelojFijo,
        contenido_real: Contenido, textos_reales: Textos, caplog: pytest.LogCaptureFixture,
) -> None:
    grupo = emulador.crear_grupo_foro(administradores=[LUPE], bot_gestiona_temas=False)
    emulador.conocer(LUPE)
    bot = BotDePrueba(replace(config, grupo_asesoria=grupo.id), emulador, reloj,
                      contenido=contenido_real, textos=textos_reales)
    await bot.iniciar()
    try:
        assert "Gestionar temas" in caplog.text  # al arrancar, dice qué falta
        ana = bot.persona(ANA)
        await completar_perfil(ana)
        await abrir_con_mensaje(ana)
        assert "Recibí tu mensaje" in ana.texto()
        assert emulador.temas(grupo.id) == []
        lupe = bot.persona(LUPE)
        assert "escribió por primera vez" in lupe.texto()  # el aviso llega a su chat
        await lupe.pulsa("Abrir la conversación")
        assert "Hola, necesito ayuda" in textos(lupe.mensajes()[-3:])
    finally:
        await bot.detener()


# --- el emulador: temas de foro y copias con los errores de Telegram ---------------------------


async def test_emulador_temas_y_copias_con_errores_de_telegram(
        emulador: EmuladorBotAPI) -> None:
    foro = emulador.crear_grupo_foro(administradores=[LUPE])
    sin_temas = emulador.crear_grupo_foro(es_foro=False)
    sin_permiso = emulador.crear_grupo_foro(bot_gestiona_temas=False)
    emulador.conocer(ANA)
    async with Bot(emulador.token, base_url=emulador.url_base) as cliente:
        tema = await cliente.create_forum_topic(foro.id, "Ana · #1")
        hilo = tema.message_thread_id
        assert (await cliente.send_message(foro.id, "hola", message_thread_id=hilo)
                ).is_topic_message
        for llamada, error in (
            (cliente.create_forum_topic(sin_temas.id, "x"), "the chat is not a forum"),
            (cliente.create_forum_topic(ANA.id, "x"), "the chat is not a forum"),
            (cliente.create_forum_topic(sin_permiso.id, "x"), "not enough rights to create"),
            (cliente.send_message(foro.id, "x", message_thread_id=999), "message thread not found"),
            (cliente.reopen_forum_topic(foro.id, hilo), "Topic_not_modified"),
            (cliente.copy_message(ANA.id, foro.id, 999), "message to copy not found"),
            (cliente.copy_message(ANA.id, foro.id, hilo), "message can't be copied"),
        ):
            with pytest.raises(BadRequest, match=f"(?i){error}"):
                await llamada
        await cliente.close_forum_topic(foro.id, hilo)
        emulador.grupo(foro.id).bot_gestiona_temas = False
        with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
            await cliente.send_message(foro.id, "x", message_thread_id=hilo)
        with pytest.raises(BadRequest, match=r"(?i)not enough rights to manage topics"):
            await cliente.reopen_forum_topic(foro.id, hilo)
        emulador.grupo(foro.id).bot_gestiona_temas = True
        await cliente.reopen_forum_topic(foro.id, hilo)
        await cliente.edit_forum_topic(foro.id, hilo, name="Ana · Puebla · #1")
        copia = await cliente.copy_message(ANA.id, foro.id, hilo + 1)  # el «hola»
        assert emulador.crudo(ANA.id, copia.message_id)["from"]["is_bot"]
        await cliente.delete_forum_topic(foro.id, hilo)
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
            await cliente.send_message(foro.id, "x", message_thread_id=hilo)
    assert [t.nombre for t in emulador.temas(foro.id)] == ["Ana · Puebla · #1"]
    assert all(m.borrado for m in emulador.mensajes_de_tema(foro.id, hilo))


async def test_un_mensaje_atendido_otra_vez_tras_una_caida_no_se_repite(
        con_grupo: BotDePrueba, emulador: EmuladorBotAPI, grupo: GrupoFicticio) -> None:
    """Tras una caída, la entrada vuelve a atender lo que no alcanzó a dar por atendido: el
    mismo mensaje de Telegram no se anota ni se copia dos veces, en ninguna dirección. Si no
    había llegado al personal, ahora llega (una vez)."""
    bot, ana = con_grupo, con_grupo.persona(ANA)
    asesoria = bot.servicios.asesoria
    await completar_perfil(ana)
    await abrir_con_mensaje(ana, "Necesito ayuda con mi acta")
    hilo = hilo_de(emulador, grupo, "Ana")
    suyo = [m for m in emulador.mensajes(ANA.id) if not m.de_bot][-1]
    original = MensajeNuevo(TipoMensaje.TEXTO, suyo.texto_plano, None, ANA.id, suyo.message_id)
    copias = len(emulador.mensajes_de_tema(grupo.id, hilo))

    # Ya había llegado al tema: nada nuevo.
    await asesoria.recibir(bot.coopera.aplicacion.bot, ANA.id, "es", "Ana", original)
    assert len(emulador.mensajes_de_tema(grupo.id, hilo)) == copias
    assert (await asesoria.de(ANA.id)).mensajes == 1

    # Se cayó antes de copiarlo: ahora sí llega, una vez.
    with sqlite3.connect(bot.config.ruta_bd) as bd:
        bd.execute("UPDATE mensajes_asesoria SET pasado_en = NULL")
    await asesoria.recibir(bot.coopera.aplicacion.bot, ANA.id, "es", "Ana", original)
    await asesoria.recibir(bot.coopera.aplicacion.bot, ANA.id, "es", "Ana", original)
    nuevos = emulador.mensajes_de_tema(grupo.id, hilo)[copias:]
    assert [m.texto_plano for m in nuevos if m.de_bot] == ["Necesito ayuda con mi acta"]
    assert (await asesoria.de(ANA.id)).mensajes == 1

    # La respuesta del personal, atendida dos veces, le llega a Ana una sola.
    antes = ultimo_id(emulador, ANA.id)
    await en_grupo(bot, emulador.escribir_en_tema(grupo.id, LUPE, hilo, "Te ayudo con gusto"))
    respuesta = [m for m in emulador.mensajes_de_tema(grupo.id, hilo) if not m.de_bot][-1]
    conversacion = await asesoria.de(ANA.id)
    otra_vez = MensajeNuevo(TipoMensaje.TEXTO, respuesta.texto_plano, None, grupo.id,
                            respuesta.message_id)
    await asesoria.responder(bot.coopera.aplicacion.bot, conversacion.id, LUPE.id, otra_vez,
                             desde_tema=True)
    assert [m.texto_plano for m in mensajes_nuevos(emulador, ANA.id, antes)].count(
        "Te ayudo con gusto") == 1
    assert (await asesoria.de(ANA.id)).mensajes == 2
