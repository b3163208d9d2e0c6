"""/mis_cursos, los botones de los recordatorios, el .ics, la asistencia con código y la
encuesta, como los vive una persona (por el emulador)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from nucleo.almacen.cursos import Sesion
from nucleo.calendario import Evento, calendario
from nucleo.vocabulario import EstadoInscripcion
from tests.conversador import INICIO, BotDePrueba, Persona, dar_consentimiento, textos
from tests.cursos_prueba import activas, crear, inscrita, persona

INSCRITA, ESPERA = EstadoInscripcion.INSCRITA, EstadoInscripcion.ESPERA

MEXICO = ZoneInfo("America/Mexico_City")


def servicios(bot: BotDePrueba):
    return bot.coopera.aplicacion.bot_data["servicios"]


async def vaciar(bot: BotDePrueba) -> None:
    await bot.coopera.despachador.vaciar(10)


async def recordatorio_llega(bot: BotDePrueba, dias: float) -> None:
    bot.reloj.avanzar(days=dias)
    await bot.coopera.recordatorios.revisar()
    await vaciar(bot)


# --- la lista, los detalles y dejar el lugar ---------------------------------------------------

async def test_lista_con_lugar_y_espera(ana: Persona, bot) -> None:
    llena = await crear(bot, cupo=1)
    otra = await crear(bot, "costos_precios", dias=4)
    beto = persona(bot, 303, "Beto")
    await inscrita(beto, bot, llena)
    await inscrita(ana, bot, llena)
    await inscrita(ana, bot, otra)
    await ana.escribe("/mis_cursos")
    texto = ana.texto()
    assert "Tus cursos" in texto
    assert texto.index("Cooperativismo: lo básico") < texto.index("Costos y precios")
    assert "Lista de espera: eres la persona número 1" in texto
    assert "✅ Tienes tu lugar." in texto and "Recordatorios: prendidos" in texto
    assert ana.botones()[:2] == ["1. Cooperativismo: lo básico", "2. Costos y precios"]


async def test_dejar_el_lugar_asciende_a_quien_espera_y_le_avisa(ana: Persona, bot) -> None:
    sesion_id = await crear(bot, cupo=1)
    beto, carla = persona(bot, 303, "Beto"), persona(bot, 404, "Carla")
    mio = await inscrita(ana, bot, sesion_id)
    await inscrita(beto, bot, sesion_id)
    await inscrita(carla, bot, sesion_id)
    antes_beto = len(beto.mensajes())
    await ana.escribe("/mis_cursos")
    await ana.pulsa("1. Cooperativismo")
    assert "Casa de Cultura" in ana.texto()
    await ana.pulsa("❌ Ya no puedo ir")
    assert "¿Seguro que ya no puedes ir" in ana.texto()
    await ana.pulsa("No, sí voy a ir")
    assert await activas(bot, sesion_id) == [(ana.id, INSCRITA), (beto.id, ESPERA),
                                             (carla.id, ESPERA)]
    await ana.pulsa("❌ Ya no puedo ir")
    await ana.pulsa("Sí, dejar mi lugar")
    assert "dejaste tu lugar" in ana.texto()
    assert await activas(bot, sesion_id) == [(beto.id, INSCRITA), (carla.id, ESPERA)]
    await vaciar(bot)
    nuevos = beto.mensajes()[antes_beto:]
    assert len(nuevos) == 1 and "Se liberó un lugar y ahora es tuyo" in nuevos[0].texto_plano
    assert "🗓️ Ver mis cursos" in [b["text"] for b in nuevos[0].botones()]
    inscripcion_beto = await bot.almacen.inscripcion_activa(sesion_id, beto.id)
    assert (await bot.almacen.envio(f"ascenso:{inscripcion_beto.id}")).prioridad == 0
    assert len(await bot.almacen.recordatorios_de_inscripcion(inscripcion_beto.id)) == 2
    descartados = await bot.almacen.recordatorios_de_inscripcion(mio)
    assert {r.estado for r in descartados} == {"descartado"}
    await carla.escribe("/mis_cursos")
    assert "eres la persona número 1" in carla.texto()
    await ana.pulsa_datos(f"mc:baja_si:{mio}")  # el mismo botón otra vez: dice lo que pasó
    assert "Ya dejaste tu lugar en esa fecha" in ana.texto()
    assert await activas(bot, sesion_id) == [(beto.id, INSCRITA), (carla.id, ESPERA)]


async def test_ascenso_se_avisa_en_el_idioma_de_la_persona(ana: Persona, bot) -> None:
    sesion_id = await crear(bot, cupo=1)
    await bot.almacen.sembrar_personas([505], bot.reloj.ahora(), idioma="en")
    john = persona(bot, 505, "John")
    await inscrita(ana, bot, sesion_id)
    await john.escribe("/cursos")  # el emulador conoce su chat
    await john.pulsa_datos(f"cur:espera:{sesion_id}")
    await ana.escribe("/mis_cursos")
    await ana.pulsa("1. Cooperativismo")
    await ana.pulsa("❌ Ya no puedo ir")
    await ana.pulsa("Sí, dejar mi lugar")
    await vaciar(bot)
    assert "Friday, November 27" in john.texto()  # fechas con el babel de su idioma


async def test_salir_de_la_lista_de_espera(ana: Persona, bot) -> None:
    sesion_id = await crear(bot, cupo=1)
    beto = persona(bot, 303, "Beto")
    await inscrita(beto, bot, sesion_id)
    await inscrita(ana, bot, sesion_id)
    await ana.escribe("/mis_cursos")
    await ana.pulsa("1. Cooperativismo")
    assert "📅 Guardar en mi calendario" not in ana.botones()
    await ana.pulsa("❌ Salir de la lista de espera")
    await ana.pulsa("Sí, dejar mi lugar")
    assert "saliste de la lista de espera" in ana.texto()
    assert await activas(bot, sesion_id) == [(beto.id, INSCRITA)]


async def test_botones_de_otra_persona_no_sirven(ana: Persona, bot) -> None:
    sesion_id = await crear(bot)
    beto = persona(bot, 303, "Beto")
    suya = await inscrita(beto, bot, sesion_id)
    await dar_consentimiento(ana)
    await ana.escribe("/mis_cursos")
    assert "No tienes cursos próximos" in ana.texto()
    for datos in [f"mc:ver:{suya}", f"mc:baja:{suya}", f"mc:baja_si:{suya}", f"mc:ics:{suya}",
                  f"rec:si:{suya}", f"rec:no:{suya}", "mc:ver:999999", "rec:si:999999",
                  "enc:999999:5", f"enc:{suya}:5"]:
        await ana.pulsa_datos(datos)
        assert "Ese botón ya no funciona" in ana.texto(), datos
    assert await activas(bot, sesion_id) == [(beto.id, INSCRITA)]
    assert (await bot.almacen.inscripcion(suya)).confirmo is None
    assert await bot.almacen.encuesta(suya) is None
    assert not [m for m in ana.mensajes() if m.tipo == "documento"]


# --- calendario -----------------------------------------------------------------------------------

async def test_ics_se_lee_con_icalendar(ana: Persona, bot) -> None:
    sesion_id = await crear(bot, lugar="Casa de Cultura; salón 2, planta baja")
    await inscrita(ana, bot, sesion_id)
    await ana.pulsa("📅 Guardar en mi calendario")
    documento = ana.ultimo().documento
    assert documento["file_name"] == "curso-2026-11-27.ics"
    datos = documento["contenido"]
    assert b"\r\n" in datos and b"\n" not in datos.replace(b"\r\n", b"")
    assert all(len(linea) <= 75 for linea in datos.split(b"\r\n"))
    evento = icalendar.Calendar.from_ical(datos).walk("VEVENT")[0]
    assert str(evento["SUMMARY"]) == "Cooperativismo: lo básico"
    assert evento["DTSTART"].params["TZID"] == "America/Mexico_City"
    inicio, fin = evento.decoded("DTSTART"), evento.decoded("DTEND")
    assert inicio.replace(tzinfo=None) == datetime(2026, 11, 27, 12, 0)
    assert inicio.utcoffset() == timedelta(hours=-6) and inicio == INICIO + timedelta(days=2)
    assert fin - inicio == timedelta(minutes=180)
    assert str(evento["LOCATION"]) == ("Casa de Cultura; salón 2, planta baja, "
                                       "Av. 5 de Mayo 10, Puebla")
    assert str(evento["UID"]) == f"sesion-{sesion_id}@coopera-puebla"
    assert "Qué es una cooperativa" in str(evento["DESCRIPTION"])


async def test_ics_en_linea_lleva_url(ana: Persona, bot) -> None:
    sesion_id = await crear(bot, "eco_solidaria", modalidad="en_linea")
    await inscrita(ana, bot, sesion_id)
    await ana.pulsa("📅 Guardar en mi calendario")
    evento = icalendar.Calendar.from_ical(ana.ultimo().documento["contenido"]).walk("VEVENT")[0]
    assert str(evento["URL"]) == "https://meet.example.com/coop-123"
    assert str(evento["LOCATION"]) == "En línea"


def test_ics_pliega_y_escapa() -> None:
    largo = "Taller de «economía» solidaria, ñandú; día \\ noche\n" * 4
    inicio = datetime(2026, 3, 10, 16, 0, tzinfo=MEXICO)  # marzo: ya no hay horario de verano
    evento = Evento("x@coopera", inicio, inicio + timedelta(hours=2), largo, largo, largo)
    datos = calendario(evento, INICIO)
    assert all(len(linea) <= 75 for linea in datos.split(b"\r\n"))
    datos.decode("utf-8")  # ningún carácter partido a la mitad
    leido = icalendar.Calendar.from_ical(datos)
    vevent = leido.walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == largo
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=-6)
    assert vevent.decoded("DTSTAMP") == INICIO
    zona = leido.walk("VTIMEZONE")[0]
    assert str(zona["TZID"]) == "America/Mexico_City"


# --- recordatorios ---------------------------------------------------------------------------

async def test_recordatorio_asistire(ana: Persona, bot) -> None:
    sesion_id = await crear(bot)
    mia = await inscrita(ana, bot, sesion_id)
    await recordatorio_llega(bot, 1.01)
    assert "Recordatorio: tu curso es" in ana.texto()
    await ana.pulsa("✅ Asistiré")
    assert "¡Gracias por confirmar!" in ana.texto()
    assert (await bot.almacen.inscripcion(mia)).confirmo is True
    recordatorio = next(m for m in ana.mensajes() if "Recordatorio" in (m.texto_plano or ""))
    assert recordatorio.teclado in (None, [])  # el recordatorio queda sin botones


async def test_recordatorio_ya_no_puedo_ir(ana: Persona, bot) -> None:
    sesion_id = await crear(bot, cupo=1)
    beto = persona(bot, 303, "Beto")
    await inscrita(ana, bot, sesion_id)
    await inscrita(beto, bot, sesion_id)
    await recordatorio_llega(bot, 1.01)
    await ana.pulsa("❌ Ya no puedo ir")
    assert "¿Seguro que ya no puedes ir" in ana.texto()
    assert await activas(bot, sesion_id) == [(ana.id, INSCRITA), (beto.id, ESPERA)]
    await ana.pulsa("Sí, dejar mi lugar")
    assert await activas(bot, sesion_id) == [(beto.id, INSCRITA)]
    await vaciar(bot)
    assert "ahora es tuyo" in beto.texto()


async def test_apagar_y_prender_recordatorios(ana: Persona, bot) -> None:
    sesion_id = await crear(bot)
    await inscrita(ana, bot, sesion_id)
    await ana.escribe("/mis_cursos")
    await ana.pulsa("🔕 Apagar recordatorios")
    assert "Recordatorios: apagados" in ana.texto()
    assert "🔔 Prender recordatorios" in ana.botones()
    assert await bot.almacen.recordatorios_activos(ana.id) is False
    await recordatorio_llega(bot, 1.01)
    assert not any("Recordatorio:" in (m.texto_plano or "") for m in ana.mensajes())
    await ana.escribe("/mis_cursos")
    await ana.pulsa("🔔 Prender recordatorios")
    assert await bot.almacen.recordatorios_activos(ana.id) is True
    assert "Recordatorios: prendidos" in ana.texto()
    await recordatorio_llega(bot, 0.98)  # el de una hora antes sí sale
    assert "Recordatorio: tu curso es" in ana.texto()


# --- asistencia con código y encuesta ---------------------------------------------------------

async def _codigo(bot: BotDePrueba, sesion_id: int) -> str:
    sesion: Sesion = await bot.almacen.sesion(sesion_id)
    return sesion.codigo_asistencia


async def test_asistencia_con_codigo_y_encuesta_una_vez(ana: Persona, bot) -> None:
    sesion_id = await crear(bot)
    mia = await inscrita(ana, bot, sesion_id)
    await ana.escribe("/asistencia")
    assert "Hoy no tienes un curso" in ana.texto()
    bot.reloj.avanzar(days=2, minutes=10)  # la sesión empezó hace 10 minutos
    await ana.escribe("/mis_cursos")
    await ana.pulsa("✅ Registrar mi asistencia")
    assert "Escribe el código" in ana.texto()
    await ana.escribe("ZZZZZZ")
    assert "no coincide" in ana.texto()
    assert (await bot.almacen.inscripcion(mia)).asistio is None
    codigo = await _codigo(bot, sesion_id)
    await ana.escribe(f" {codigo[:3].lower()}-{codigo[3:]} ")  # como lo escribe una persona
    assert "Registré tu asistencia" in ana.texto()
    assert "Cuando termine el curso" in ana.texto()
    assert (await bot.almacen.inscripcion(mia)).asistio is True
    capacitacion = servicios(bot).capacitacion
    assert await capacitacion.encuestas_de_sesiones_terminadas() == 0  # aún no termina
    bot.reloj.avanzar(hours=3)
    assert await capacitacion.encuestas_de_sesiones_terminadas() == 1
    assert await capacitacion.encuestas_de_sesiones_terminadas() == 0  # una sola vez
    assert await capacitacion.encolar_encuestas([mia]) == 0
    await vaciar(bot)
    assert "¿Qué te pareció el curso" in ana.texto()
    assert ana.botones() == ["1 😞", "2 🙁", "3 😐", "4 🙂", "5 😄"]
    pregunta = ana.ultimo().message_id
    await ana.pulsa("4 🙂")
    assert "Tu calificación: 4 de 5" in ana.texto()
    await ana.escribe("x" * 501)
    assert "Es un poco largo" in ana.texto()
    await ana.escribe("Muy bueno, pero   hacía frío <b>")
    assert "¡Gracias por contarnos!" in ana.texto()
    encuesta = await bot.almacen.encuesta(mia)
    assert (encuesta.puntuacion, encuesta.comentario) == (4, "Muy bueno, pero hacía frío <b>")
    await ana.pulsa_datos(f"enc:{mia}:1", pregunta)  # la misma pregunta otra vez
    assert (await bot.almacen.encuesta(mia)).puntuacion == 4
    assert not next(m for m in ana.mensajes() if m.message_id == pregunta).teclado
    await ana.escribe("hola")  # ya no es un comentario
    assert (await bot.almacen.encuesta(mia)).comentario == "Muy bueno, pero hacía frío <b>"


async def test_encuesta_sin_comentario_y_tras_reinicio(ana: Persona, bot) -> None:
    sesion_id = await crear(bot)
    mia = await inscrita(ana, bot, sesion_id)
    bot.reloj.avanzar(days=2, hours=4)  # ya terminó: el código aún vale un rato
    await ana.escribe("/asistencia")
    await ana.escribe(await _codigo(bot, sesion_id))
    assert "Cuando termine" not in ana.texto()
    await vaciar(bot)  # terminó: la pregunta sale al momento
    await ana.pulsa("5 😄")
    await bot.reiniciar()
    await ana.pulsa("No, gracias")
    assert "¡Gracias por contestar!" in ana.texto()
    encuesta = await bot.almacen.encuesta(mia)
    assert (encuesta.puntuacion, encuesta.comentario) == (5, None)


async def test_codigo_equivocado_muchas_veces(ana: Persona, bot) -> None:
    sesion_id = await crear(bot)
    mia = await inscrita(ana, bot, sesion_id)
    bot.reloj.avanzar(days=2)
    await ana.escribe("/asistencia")
    await ana.envia("sticker")
    assert "letras y números" in ana.texto()
    for _ in range(5):
        await ana.escribe("AAAAAA")
    assert "Pide ayuda a la persona que imparte el curso" in ana.texto()
    await ana.escribe(await _codigo(bot, sesion_id))  # el flujo ya terminó
    assert (await bot.almacen.inscripcion(mia)).asistio is None
    respuestas = await ana.escribe("/asistencia")
    assert "Escribe el código" in textos(respuestas)
