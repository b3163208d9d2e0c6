"""Defectos encontrados al probar el bot como ciudadanía y personal (issue 7): cada prueba
reproduce uno a través del emulador de la Bot API."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from emulador import UsuarioFicticio
from tests.conversador import ID_PERSONAL, BotDePrueba, Persona, completar_perfil, textos
from tests.cursos_prueba import crear, inscrita
from tests.test_personal import abrir_sesion, con_perfil, inscribir, nueva_sesion, servicios


@pytest.fixture
def personal(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Marta", language_code="es"))


# --- 1. las salidas de los flujos del personal -------------------------------------------------

async def test_salir_sin_guardar_en_la_nueva_sesion(personal: Persona, bot) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("🆕 Nueva sesión")
    await personal.pulsa("Cooperativismo: lo básico")
    assert "✖️ Salir sin guardar" in personal.botones()
    await personal.pulsa("✖️ Salir sin guardar")
    assert "No se guardó nada" in personal.texto()
    assert await bot.almacen.borrador(personal.id) is None
    await personal.escribe("30/11/2026")  # ya fuera del flujo: no es la fecha de nada
    assert "¿A qué hora" not in personal.texto()


async def test_cancelar_no_guardar_en_el_resumen(personal: Persona, bot) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("🆕 Nueva sesión")
    await personal.pulsa("Cooperativismo: lo básico")
    await personal.escribe("30/11/2026")
    await personal.escribe("10:30")
    await personal.pulsa("60 min")
    await personal.pulsa("En línea")
    await personal.escribe("https://meet.example.org/x")
    await personal.escribe("10")
    assert "✖️ Cancelar, no guardar" in personal.botones()
    await personal.pulsa("✖️ Cancelar, no guardar")
    assert "No se guardó nada" in personal.texto()
    assert await bot.almacen.sesiones_proximas(bot.reloj.ahora()) == [] if hasattr(
        bot.almacen, "sesiones_proximas") else True


async def test_salir_sin_cambiar_la_fecha(personal: Persona, bot) -> None:
    sesion_id = await nueva_sesion(bot)
    await personal.escribe("/personal")
    await personal.pulsa("📅 Sesiones próximas")
    await personal.pulsa_datos(f"pers:s:{sesion_id}:rep")
    await personal.escribe("30/12/2026")
    await personal.escribe("11:00")
    assert "✖️ Salir sin cambiar" in personal.botones()
    await personal.pulsa("✖️ Salir sin cambiar")
    assert "No se guardó nada" in personal.texto()
    sesion = await bot.almacen.sesion(sesion_id)
    assert sesion.inicio.day == 2


async def test_salir_sin_guardar_al_corregir(personal: Persona, bot) -> None:
    sesion_id = await nueva_sesion(bot)
    await personal.escribe("/personal")
    await personal.pulsa("📅 Sesiones próximas")
    await personal.pulsa_datos(f"pers:s:{sesion_id}:ed:cupo")
    await personal.pulsa("✖️ Salir sin guardar")
    assert "No se guardó nada" in personal.texto()


async def test_un_boton_viejo_senala_la_pregunta_que_sigue(personal: Persona, bot) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("🆕 Nueva sesión")
    await personal.pulsa("Cooperativismo: lo básico")
    nuevos = await personal.pulsa_datos("pers:f:dur:60")  # de otro paso
    assert "Ese botón ya no funciona" in textos(nuevos)
    # Lo que sigue a la frase es la pregunta del paso, en un mensaje debajo de ella.
    mensajes = personal.mensajes()
    i = next(i for i, m in enumerate(mensajes) if "Ese botón ya no funciona" in
             (m.texto_plano or ""))
    assert i < len(mensajes) - 1 and "¿Qué día es?" in mensajes[-1].texto_plano


# --- 4. el recordatorio se promete solo si habrá uno -----------------------------------------

async def test_inscribirse_a_media_hora_no_promete_recordatorio(ana: Persona, bot) -> None:
    sesion_id = await crear(bot, dias=30 / (24 * 60))  # empieza en 30 minutos
    await inscrita(ana, bot, sesion_id)
    assert "Tienes tu lugar" in ana.texto()
    assert "recordatorio" not in ana.texto()
    assert "/mis_cursos" in ana.texto()


async def test_inscribirse_con_dias_de_anticipacion_promete_recordatorio(ana: Persona,
                                                                        bot) -> None:
    await inscrita(ana, bot, await crear(bot, dias=3))
    assert "Te mando un recordatorio antes" in ana.texto()


# --- 7 y 8. una sesión cancelada ---------------------------------------------------------------

async def test_cancelada_en_linea_no_promete_enlace_y_el_personal_la_abre(
        personal: Persona, ana: Persona, bot) -> None:
    await con_perfil(ana, "es_MX", nombre="Ana", municipio_clave="21114")
    sesion_id = await nueva_sesion(bot, modalidad="en_linea")
    await inscribir(bot, sesion_id, ana)
    await abrir_sesion(personal, sesion_id)
    await personal.pulsa("❌ Cancelar la sesión")
    await personal.pulsa("❌ Sí, cancelar la sesión")
    await servicios(bot).despachador.vaciar(10)
    aviso = ana.texto()
    assert "Se canceló esta sesión" in aviso
    assert "te lo doy cuando tengas tu lugar" not in aviso and "meet.example.org" not in aviso
    assert "En línea" in aviso

    # El personal la sigue encontrando en su lista, marcada, y abre su lista y su CSV.
    await personal.escribe("/personal")
    await personal.pulsa("📅 Sesiones próximas")
    [etiqueta] = [b for b in personal.botones() if b.startswith("❌ ")]
    assert "cancelada" in etiqueta
    await personal.pulsa(etiqueta)
    assert "❌ Cancelar la sesión" not in personal.botones()
    await personal.pulsa("👥 Lista")
    assert "Ana" in personal.texto()
    await personal.pulsa("📄 Lista en CSV")
    assert personal.ultimo().documento is not None


async def test_fecha_mal_escrita_un_solo_ejemplo_y_futuro(personal: Persona, bot) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("🆕 Nueva sesión")
    await personal.pulsa("Cooperativismo: lo básico")
    await personal.escribe("mañana")
    fechas = re.findall(r"\d{2}/\d{2}/\d{4}", personal.texto())
    assert len(fechas) == 1, personal.texto()
    hoy = bot.reloj.ahora().astimezone(bot.config.zona_horaria).date()
    assert datetime.strptime(fechas[0], "%d/%m/%Y").date() > hoy


# --- 2. /perfil abierto no atrapa lo que la persona escribe ------------------------------------

async def test_perfil_abierto_no_atrapa_el_texto(ana: Persona) -> None:
    await completar_perfil(ana)
    await ana.escribe("/perfil")
    assert ana.botones()  # el resumen con sus botones
    await ana.escribe("/menu")
    for _ in range(2):
        nuevos = textos(await ana.escribe("quiero hablar con alguien"))
        assert "Contesta con los botones" not in nuevos
        assert "Tu perfil" not in nuevos
    await ana.escribe("/perfil")  # y el perfil se sigue abriendo como siempre
    assert "✅ Así está bien" in ana.botones()


# --- 5. borrar los datos: dice todo lo que se va, y la confirmación vence ----------------------

async def test_borrar_dice_todo_y_un_boton_viejo_no_borra(ana: Persona, bot) -> None:
    await completar_perfil(ana)
    await ana.escribe("/mis_datos")
    await ana.pulsa("🗑️ Borrar todos mis datos")
    texto = ana.texto()
    for esperado in ("lugares en los cursos", "recordatorios", "persona asesora",
                     "grupos de cooperativa", "10 minutos"):
        assert esperado in texto, esperado
    viejo = ana.ultimo().message_id
    bot.reloj.avanzar(minutes=11)
    await ana.pulsa("Sí, borrar todo", message_id=viejo)
    assert "ya venció" in ana.texto() and "No borramos nada" in ana.texto()
    assert await bot.almacen.persona(ana.id) is not None
    await ana.pulsa_datos("datos:borrar_si")  # un botón de antes, sin hora
    assert await bot.almacen.persona(ana.id) is not None
    await ana.pulsa("🗑️ Borrar todos mis datos")  # lo pide otra vez, y ahora sí
    await ana.pulsa("Sí, borrar todo")
    assert "Borramos todos tus datos" in ana.texto()
    assert await bot.almacen.persona(ana.id) is None


# --- 6. /cursos sin ninguna fecha lo dice de entrada --------------------------------------------

async def test_cursos_sin_fechas_lo_dice_de_entrada(ana: Persona, bot) -> None:
    await ana.escribe("/cursos")
    assert "no hay fechas de ningún curso" in ana.texto()
    assert "📖 Por tema" not in ana.botones() and "📋 Ver todos los cursos" in ana.botones()
    await crear(bot)
    await ana.escribe("/cursos")
    assert "¿Cómo quieres buscar?" in ana.texto() and "📖 Por tema" in ana.botones()


# --- 3. aceptar el aviso desde una inscripción no la pierde ------------------------------------

async def test_aceptar_el_aviso_desde_una_inscripcion_la_retoma(ana: Persona, bot) -> None:
    sesion_id = await crear(bot)
    await ana.escribe("/cursos")
    await ana.pulsa("📋 Ver todos los cursos")
    await ana.pulsa("🗓️ Cooperativismo: lo básico (1)")
    await ana.pulsa_datos(f"cur:s:{sesion_id}")
    assert "pido tu permiso" in ana.texto()
    await ana.pulsa("📄 Leer el aviso")
    await ana.pulsa("✅ Sí, acepto")
    await ana.escribe("Ana")
    await ana.escribe("Puebla")
    for _ in range(2):
        await ana.pulsa("Saltar esta pregunta")
    await ana.pulsa("No, saltarlas")
    assert "sigamos con tu inscripción" in ana.texto()
    await ana.pulsa("📅 Seguir con mi inscripción")
    await ana.pulsa("✅ Sí, inscribirme")
    assert "Tienes tu lugar" in ana.texto()
    assert (await bot.almacen.inscripcion_activa(sesion_id, ana.id)) is not None
