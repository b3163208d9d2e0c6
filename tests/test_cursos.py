"""/cursos como lo usa una persona: buscar por tema, lugar o modalidad, ver un curso con sus
fechas, inscribirse con confirmación, lista de espera, y botones inventados o viejos."""

from __future__ import annotations

from dataclasses import replace

from nucleo.municipios import CatalogoMunicipios
from nucleo.vocabulario import EstadoInscripcion
from tests.conversador import Persona, completar_perfil, dar_consentimiento
from tests.cursos_prueba import ATLIXCO, PUEBLA, TEHUACAN, activas, crear, persona

INSCRITA, ESPERA = EstadoInscripcion.INSCRITA, EstadoInscripcion.ESPERA


async def ver_fecha(quien: Persona, curso_boton: str = "Cooperativismo: lo básico",
                    fecha: str = "1.") -> None:
    await quien.escribe("/cursos")
    await quien.pulsa("📋 Ver todos los cursos")
    await quien.pulsa(curso_boton)
    await quien.pulsa(fecha)


# --- buscar ---------------------------------------------------------------------------------

async def test_por_tema_muestra_curso_con_fechas_y_requisitos(ana: Persona, bot) -> None:
    await crear(bot, "coop_basico")
    await crear(bot, "coop_basico", dias=3, modalidad="en_linea")
    await ana.escribe("/cursos")
    assert "¿Cómo quieres buscar?" in ana.texto()
    await ana.pulsa("📖 Por tema")
    await ana.pulsa("🤝 Cooperativismo")
    assert "Cursos del tema" in ana.texto()
    assert ana.botones() == ["🗓️ Cooperativismo: lo básico (2)",
                             "Cómo formar una cooperativa", "⬅️ Otra búsqueda"]  # la 2.ª sin fechas
    await ana.pulsa("🗓️ Cooperativismo: lo básico (2)")
    texto = ana.texto()
    for esperado in ["Qué es una cooperativa", "Qué necesitas", "Próximas fechas",
                     "viernes 27 de noviembre, 12:00", "Casa de Cultura, Av. 5 de Mayo 10, Puebla",
                     "Ver en el mapa", "Lugares libres: 10", "En línea. El enlace te lo doy"]:
        assert esperado in texto, esperado
    assert "meet.example.com" not in texto  # el enlace solo a quien tiene lugar
    assert ana.botones()[:2] == ["1. viernes 27 de noviembre, 12:00\u00a0p.\u00a0m. · Puebla",
                                 "2. sábado 28 de noviembre, 12:00\u00a0p.\u00a0m. · En línea"]


async def test_por_modalidad_solo_cursos_con_fechas_de_esa_modalidad(ana: Persona, bot) -> None:
    await crear(bot, "coop_basico")
    await crear(bot, "eco_solidaria", modalidad="en_linea")
    await ana.escribe("/cursos")
    await ana.pulsa("💻 Presencial o en línea")
    await ana.pulsa("💻 En línea")
    assert ana.botones() == ["🗓️ Economía social y solidaria (1)", "⬅️ Otra búsqueda"]
    await ana.pulsa("⬅️ Otra búsqueda")
    await ana.pulsa("💻 Presencial o en línea")
    await ana.pulsa("🏫 Presencial")
    assert any("Cooperativismo: lo básico" in b for b in ana.botones())
    assert ana.botones() == ["🗓️ Cooperativismo: lo básico (1)", "⬅️ Otra búsqueda"]


async def test_todos_los_cursos_en_paginas(ana: Persona, bot) -> None:
    await ana.escribe("/cursos")
    await ana.pulsa("📋 Ver todos los cursos")
    primera = ana.botones()
    assert "Página 1 de 2" in ana.texto()
    assert len([b for b in primera if b not in ("Siguiente ▶️", "⬅️ Otra búsqueda")]) == 6
    assert "◀️ Anterior" not in primera
    await ana.pulsa("Siguiente ▶️")
    segunda = ana.botones()
    assert "Página 2 de 2" in ana.texto() and "◀️ Anterior" in segunda
    cursos = [b for b in segunda if b not in ("◀️ Anterior", "⬅️ Otra búsqueda")]
    assert len(cursos) == len(bot.coopera.aplicacion.bot_data["servicios"].contenido.cursos) - 6
    await ana.pulsa("◀️ Anterior")
    assert ana.botones() == primera


async def test_por_lugar_cerca_de_mi_y_municipios_con_grupos(ana: Persona, bot) -> None:
    await completar_perfil(ana, municipio="Atlixco")
    await crear(bot, "coop_basico", municipio=TEHUACAN)
    await crear(bot, "plan_negocio", municipio=TEHUACAN)
    await crear(bot, "coop_formar", municipio=ATLIXCO)
    otros = ["21001", "21002", "21003", "21004", "21005", "21006"]
    for clave in otros:
        await crear(bot, "costos_precios", municipio=clave)
    await ana.escribe("/cursos")
    await ana.pulsa("📍 Por lugar")
    botones = ana.botones()
    assert botones[0] == "📍 Cerca de ti: Atlixco (1)"
    assert "Siguiente ▶️" in botones and "💻 En línea, desde donde estés" in botones
    await ana.pulsa("Siguiente ▶️")
    assert "Tehuacán (2)" in ana.botones()
    await ana.pulsa("Tehuacán (2)")
    assert "Cursos en Tehuacán" in ana.texto()
    assert ana.botones() == ["🗓️ Cooperativismo: lo básico (1)",
                             "🗓️ Tu plan de negocio sencillo (1)", "⬅️ Otra búsqueda"]
    await ana.pulsa("⬅️ Otra búsqueda")
    await ana.pulsa("📍 Por lugar")
    await ana.pulsa("📍 Cerca de ti: Atlixco (1)")
    assert ana.botones() == ["🗓️ Cómo formar una cooperativa (1)", "⬅️ Otra búsqueda"]


async def test_fechas_de_un_curso_en_paginas(ana: Persona, bot) -> None:
    for dia in range(1, 9):
        await crear(bot, "coop_basico", dias=dia)
    await ana.escribe("/cursos")
    await ana.pulsa("📋 Ver todos los cursos")
    await ana.pulsa("🗓️ Cooperativismo: lo básico (8)")
    assert [b[:2] for b in ana.botones()[:6]] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert "Qué necesitas" in ana.texto()
    await ana.pulsa("Siguiente ▶️")
    assert [b[:2] for b in ana.botones()[:2]] == ["7.", "8."]
    assert "Qué necesitas" not in ana.texto()  # en las páginas siguientes, solo las fechas


async def test_sin_consentimiento_puede_ver_pero_no_inscribirse(ana: Persona, bot) -> None:
    sesion_id = await crear(bot)
    await ana.escribe("/start")
    await ana.pulsa("❌ No acepto")
    await ver_fecha(ana)
    assert "necesito guardar tu nombre" in ana.texto()
    assert "📄 Leer el aviso" in ana.botones()
    await ana.pulsa_datos(f"cur:si:{sesion_id}")
    assert "necesito guardar tu nombre" in ana.texto()
    assert await activas(bot, sesion_id) == []


# --- inscribirse ------------------------------------------------------------------------------

async def test_inscribirse_con_confirmacion(ana: Persona, bot) -> None:
    sesion_id = await crear(bot)
    await dar_consentimiento(ana)
    await ver_fecha(ana)
    assert "¿Te inscribo en esta fecha?" in ana.texto()
    assert await activas(bot, sesion_id) == []  # ver la fecha no inscribe
    await ana.pulsa("⬅️ No, regresar")
    assert "Próximas fechas" in ana.texto()
    await ana.pulsa("1.")
    await ana.pulsa("✅ Sí, inscribirme")
    assert "¡Listo! Tienes tu lugar" in ana.texto()
    assert await activas(bot, sesion_id) == [(ana.id, INSCRITA)]
    inscripcion = (await bot.almacen.lista_de_sesion(sesion_id))[0]
    recordatorios = await bot.almacen.recordatorios_de_inscripcion(inscripcion.id)
    assert sorted(r.antelacion_min for r in recordatorios) == [60, 1440]
    await ver_fecha(ana)
    assert "Ya tienes tu lugar en esta fecha" in ana.texto()
    await ana.pulsa_datos(f"cur:si:{sesion_id}")
    assert "Ya tienes tu lugar" in ana.texto()
    assert await activas(bot, sesion_id) == [(ana.id, INSCRITA)]
    assert "Lugares libres: 9" in (await _detalle(ana))


async def _detalle(quien: Persona) -> str:
    await quien.escribe("/cursos")
    await quien.pulsa("📋 Ver todos los cursos")
    await quien.pulsa("Cooperativismo: lo básico")
    return quien.texto()


async def test_en_linea_da_el_enlace_al_inscribirse(ana: Persona, bot) -> None:
    await crear(bot, "eco_solidaria", modalidad="en_linea")
    await dar_consentimiento(ana)
    await ver_fecha(ana, "Economía social")
    assert "meet.example.com" not in ana.texto()
    await ana.pulsa("✅ Sí, inscribirme")
    assert "https://meet.example.com/coop-123" in ana.texto()


async def test_lista_de_espera_con_lugar_en_la_fila(ana: Persona, bot) -> None:
    sesion_id = await crear(bot, cupo=1)
    beto, carla = persona(bot, 303, "Beto"), persona(bot, 404, "Carla")
    for quien in (ana, beto, carla):
        await dar_consentimiento(quien)
    await ver_fecha(ana)
    await ana.pulsa("✅ Sí, inscribirme")
    await ver_fecha(beto)
    assert "Este grupo ya está lleno" in beto.texto() and "persona número 1" in beto.texto()
    await beto.pulsa("📝 Sí, anotarme en la espera")
    assert "Tu lugar en la fila: 1" in beto.texto()
    await ver_fecha(carla)
    await carla.pulsa("📝 Sí, anotarme en la espera")
    assert "Tu lugar en la fila: 2" in carla.texto()
    assert await activas(bot, sesion_id) == [(ana.id, INSCRITA), (beto.id, ESPERA),
                                             (carla.id, ESPERA)]
    await ver_fecha(carla)
    assert "Ya estás en la lista de espera" in carla.texto() and "fila: 2" in carla.texto()


async def test_se_acaban_los_lugares_mientras_decide(ana: Persona, bot) -> None:
    sesion_id = await crear(bot, cupo=1)
    beto = persona(bot, 303, "Beto")
    for quien in (ana, beto):
        await dar_consentimiento(quien)
        await ver_fecha(quien)  # las dos ven «¿Te inscribo?» con un lugar libre
    await ana.pulsa("✅ Sí, inscribirme")
    await beto.pulsa("✅ Sí, inscribirme")
    assert "justo se acabaron los lugares" in beto.texto()
    assert await activas(bot, sesion_id) == [(ana.id, INSCRITA)]  # nada cambió para Beto
    await beto.pulsa("📝 Sí, anotarme en la espera")
    assert await activas(bot, sesion_id) == [(ana.id, INSCRITA), (beto.id, ESPERA)]


# --- botones inventados o viejos -----------------------------------------------------------------

async def test_datos_inventados_no_cambian_nada(ana: Persona, bot) -> None:
    llena = await crear(bot, cupo=1)
    pasada = await crear(bot, dias=1)
    cancelada = await crear(bot, dias=3)
    beto = persona(bot, 303, "Beto")
    await dar_consentimiento(beto)
    await bot.almacen.inscribir(llena, beto.id, bot.reloj.ahora(), lambda _inicio: [])
    await bot.almacen.cancelar_sesion(cancelada, bot.reloj.ahora(), _sin_avisos)
    await dar_consentimiento(ana)
    await ana.escribe("/cursos")
    bot.reloj.avanzar(days=1, hours=1)

    casos = [
        ("cur:si:999999", "No encontré esa fecha"), ("cur:s:999999", "No encontré esa fecha"),
        (f"cur:si:{pasada}", "Esa fecha ya pasó"), (f"cur:s:{pasada}", "Esa fecha ya pasó"),
        (f"cur:espera:{pasada}", "Esa fecha ya pasó"),
        (f"cur:si:{cancelada}", "Esa fecha se canceló"),
        (f"cur:espera:{cancelada}", "Esa fecha se canceló"),
        (f"cur:si:{llena}", "justo se acabaron los lugares"),
        ("cur:c:no_existe:-:0", "Ese botón ya no funciona"),
        ("cur:l:t.inventado:0", "Ese botón ya no funciona"),
        ("cur:l:u.99999:0", "Ese botón ya no funciona"),
        ("cur:si:abc", "Ese botón ya no funciona"),
        ("cur:s:1:2", "Ese botón ya no funciona"),
        ("pers:sesiones", "solo para el personal"), (f"pers:s:{llena}", "solo para el personal"),
        (f"pers:s:{llena}:csv", "solo para el personal"),
    ]
    for datos, esperado in casos:
        await ana.pulsa_datos(datos)
        assert esperado in ana.texto(), (datos, ana.texto())
    for sesion_id in (llena, pasada, cancelada):
        assert ana.id not in [t for t, _ in await activas(bot, sesion_id)]
    assert (await bot.almacen.sesion(cancelada)).estado == "cancelada"


async def _sin_avisos(_bd: object, _afectadas: object) -> None:
    pass


async def test_pagina_fuera_de_rango_se_corrige(ana: Persona, bot) -> None:
    await ana.escribe("/cursos")
    await ana.pulsa_datos("cur:l:-:999")
    assert "Página 2 de 2" in ana.texto()
    await ana.pulsa_datos("cur:lugares:500")
    assert "💻 En línea, desde donde estés" in ana.botones()


async def test_por_region_cuando_el_personal_las_llena(ana: Persona, bot) -> None:
    servicios = bot.coopera.aplicacion.bot_data["servicios"]
    nombres = {PUEBLA: "Angelópolis", ATLIXCO: "Valle de Atlixco y Matamoros",
               "21015": "Angelópolis", TEHUACAN: "Tehuacán y Sierra Negra"}
    municipios = CatalogoMunicipios(
        replace(m, region=nombres.get(m.clave)) for m in servicios.contenido.municipios)
    servicios.contenido = replace(servicios.contenido, municipios=municipios)
    await completar_perfil(ana, municipio="Puebla")
    await crear(bot, "coop_basico", municipio="21015")  # Amozoc, también en Angelópolis
    await crear(bot, "plan_negocio", municipio=TEHUACAN)
    await ana.escribe("/menu")
    await ana.pulsa("📚 Cursos")
    await ana.pulsa("📍 Por lugar")
    assert ana.botones()[:2] == ["📍 Cerca de ti: Angelópolis (1)", "Tehuacán y Sierra Negra (1)"]
    await ana.pulsa("📍 Cerca de ti: Angelópolis (1)")
    assert "Cursos en la región Angelópolis" in ana.texto()
    assert ana.botones() == ["🗓️ Cooperativismo: lo básico (1)", "⬅️ Otra búsqueda"]
    await ana.pulsa("🗓️ Cooperativismo: lo básico (1)")
    assert "Amozoc" in ana.texto()
