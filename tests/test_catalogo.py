"""El catálogo de cursos vive en la base y el personal lo lleva desde Telegram: crear un curso
(con su ficha para revisar antes de guardar), cambiar un dato, desactivar y reactivar; la
ciudadanía ve los cambios en /cursos. Quien no es personal no llega a nada de esto. Una
instalación de verdad empieza sin cursos (el de ejemplo solo en modo local y en las pruebas).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo.configuracion import Configuracion
from nucleo.contenido import Contenido
from nucleo.reloj import RelojFijo
from nucleo.textos import Textos
from tests.conversador import ID_PERSONAL, BotDePrueba, Persona, dar_consentimiento, textos
from tests.cursos_prueba import activas, crear

NEGATIVA = "solo para el personal de la Secretaría"


@pytest.fixture
def personal(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Marta", language_code="es"))


async def acciones_en_bitacora(bot: BotDePrueba) -> list[tuple[str, str, str]]:
    return [(a.accion, a.objeto, a.detalle) for a in await bot.almacen.auditoria(50)]


async def crear_costura(personal: Persona) -> None:
    """El personal crea «Costura básica» paso a paso, hasta la ficha para revisar."""
    await personal.escribe("/personal")
    await personal.pulsa("📚 Cursos")
    await personal.pulsa("🆕 Nuevo curso")
    assert "¿Cómo se llama el curso?" in personal.texto()
    await personal.escribe("Costura   básica")
    await personal.pulsa("🛠️ Oficios")
    await personal.escribe("Aprende a usar la máquina de coser y a hacer arreglos <sencillos>.")
    await personal.pulsa("Ninguno")
    await personal.pulsa("Presencial")
    await personal.escribe("12")


async def test_el_personal_crea_un_curso_y_la_ciudadania_se_inscribe(
        bot: BotDePrueba, personal: Persona, ana: Persona) -> None:
    await crear_costura(personal)
    ficha = personal.texto()
    for esperado in ("Revisa el curso nuevo", "Costura básica", "Oficios", "Presencial",
                     "12 horas", "arreglos <sencillos>", "Ninguno."):
        assert esperado in ficha, esperado
    assert bot.servicios.catalogo.curso("costura_basica") is None  # revisar no guarda
    await personal.pulsa("💾 Guardar")
    assert "Curso guardado" in personal.texto()
    curso = bot.servicios.catalogo.curso("costura_basica")
    assert curso is not None and curso.nombre == "Costura básica" and curso.duracion_horas == 12
    assert curso.descripcion.endswith("arreglos &lt;sencillos&gt;.")  # escapado una vez
    assert ("curso_creado", "curso costura_basica", "personal") in await acciones_en_bitacora(
        bot)
    # El personal le pone fecha desde «Nueva sesión»: el curso ya está en los botones.
    await personal.escribe("/personal")
    await personal.pulsa("🆕 Nueva sesión")
    assert "Costura básica" in personal.botones()
    await personal.pulsa("✖️ Salir sin guardar")
    sesion_id = await crear(bot, "costura_basica")
    # La ciudadanía lo ve y se inscribe.
    await dar_consentimiento(ana)
    await ana.escribe("/cursos")
    await ana.pulsa("📋 Ver todos los cursos")
    await ana.pulsa("🗓️ Costura básica (1)")
    assert "arreglos <sencillos>" in ana.texto() and "Duración: 12 horas" in ana.texto()
    await ana.pulsa("1.")
    await ana.pulsa("✅ Sí, inscribirme")
    assert "Tienes tu lugar" in ana.texto()
    assert await activas(bot, sesion_id) == [(ana.id, "inscrita")]


async def test_salir_sin_guardar_sale_de_verdad(bot: BotDePrueba, personal: Persona) -> None:
    await crear_costura(personal)
    await personal.pulsa("✖️ Salir sin guardar")
    assert "No se guardó nada" in personal.texto()
    assert bot.servicios.catalogo.curso("costura_basica") is None
    await personal.escribe("Costura")  # ya no es un paso del flujo
    assert "Revisa el curso" not in personal.texto()
    assert bot.servicios.catalogo.curso("costura_basica") is None


async def test_datos_malos_se_dicen_con_amabilidad(bot: BotDePrueba, personal: Persona) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("📚 Cursos")
    await personal.pulsa("🆕 Nuevo curso")
    await personal.escribe("Costura <b>")
    assert "sin los signos < > &" in personal.texto()
    await personal.escribe("x" * 61)
    assert "60 caracteres como máximo" in personal.texto()
    await personal.escribe("Cooperativismo: lo básico")  # ya existe (el de ejemplo)
    assert "Ya hay un curso con ese nombre" in personal.texto()
    await personal.escribe("Costura")
    assert "¿De qué tema es?" in personal.texto()
    respuesta = textos(await personal.escribe("oficios"))  # aquí van botones
    assert "Contesta con los botones" in respuesta and "¿De qué tema es?" in respuesta
    await personal.pulsa("🛠️ Oficios")
    await personal.escribe("Coser.")
    await personal.escribe("Tijeras.")
    await personal.pulsa("Mixta")
    await personal.escribe("mil")
    assert "número entero de 1 a 500" in personal.texto()
    await personal.escribe("0")
    assert "número entero de 1 a 500" in personal.texto()
    await personal.pulsa("8")
    assert "Revisa el curso nuevo" in personal.texto()


async def test_cambiar_un_dato_se_ve_en_cursos(bot: BotDePrueba, personal: Persona,
                                               ana: Persona) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("📚 Cursos")
    await personal.pulsa("Cooperativismo: lo básico")
    await personal.pulsa("✏️ Cambiar un dato")
    await personal.pulsa("Horas")
    assert "Ahora dice: 8" in personal.texto()
    await personal.escribe("10")
    assert "Revisa el cambio" in personal.texto() and "10 horas" in personal.texto()
    await personal.pulsa("💾 Guardar")
    assert "Cambio guardado" in personal.texto()
    await personal.pulsa("✏️ Cambiar un dato")
    await personal.pulsa("Nombre")
    await personal.escribe("Cooperativas: lo esencial")
    await personal.pulsa("💾 Guardar")
    assert bot.servicios.catalogo.curso("coop_basico").nombre == "Cooperativas: lo esencial"
    await ana.escribe("/cursos")
    await ana.pulsa("📋 Ver todos los cursos")
    await ana.pulsa("Cooperativas: lo esencial")
    assert "Duración: 10 horas" in ana.texto()
    bitacora = await acciones_en_bitacora(bot)
    assert ("curso_cambiado", "curso coop_basico", "duracion_horas") in bitacora
    assert ("curso_cambiado", "curso coop_basico", "nombre") in bitacora


async def test_desactivar_oculta_el_curso_pero_las_sesiones_viejas_se_ven(
        bot: BotDePrueba, personal: Persona, ana: Persona) -> None:
    sesion_id = await crear(bot, "coop_basico")
    await dar_consentimiento(ana)
    await ana.escribe("/cursos")
    await ana.pulsa("📋 Ver todos los cursos")
    await ana.pulsa("Cooperativismo: lo básico")
    await ana.pulsa("1.")
    await ana.pulsa("✅ Sí, inscribirme")
    # Con una fecha próxima no se puede desactivar: se dice por qué y qué hacer.
    await personal.escribe("/personal")
    await personal.pulsa("📚 Cursos")
    await personal.pulsa("Cooperativismo: lo básico")
    await personal.pulsa("⏸️ Desactivar")
    assert "No se puede desactivar" in personal.texto() and "1 fecha próxima" in personal.texto()
    await personal.pulsa_datos("pers:cu:coop_basico:baja_si")  # ni forzando el botón
    assert bot.servicios.catalogo.vigente("coop_basico") is not None
    # La sesión ya pasó: ahora sí.
    bot.reloj.avanzar(days=3)
    await personal.pulsa_datos("pers:cu:coop_basico")
    await personal.pulsa("⏸️ Desactivar")
    assert "¿Desactivar «Cooperativismo: lo básico»?" in personal.texto()
    await personal.pulsa("⏸️ Sí, desactivar")
    assert "Curso desactivado" in personal.texto()
    await ana.escribe("/cursos")
    await ana.pulsa("📋 Ver todos los cursos")
    assert not any("Cooperativismo: lo básico" in b for b in ana.botones())
    await ana.pulsa_datos("cur:c:coop_basico:-:0")  # un botón viejo del curso
    assert "Qué es una cooperativa" not in ana.texto()
    # Su sesión (de hace un día) se sigue viendo con el nombre del curso.
    await personal.escribe("/personal")
    await personal.pulsa("📅 Sesiones próximas")
    assert any("Cooperativismo: lo básico" in b for b in personal.botones())
    await personal.pulsa_datos(f"pers:s:{sesion_id}")
    assert "Cooperativismo: lo básico" in personal.texto()
    await personal.pulsa_datos("pers:cu:coop_basico")
    # Reactivar lo devuelve.
    await personal.pulsa("▶️ Reactivar")
    assert "activo otra vez" in personal.texto()
    await ana.escribe("/cursos")
    await ana.pulsa("📋 Ver todos los cursos")
    assert any("Cooperativismo: lo básico" in b for b in ana.botones())
    bitacora = await acciones_en_bitacora(bot)
    assert ("curso_desactivado", "curso coop_basico", "") in bitacora
    assert ("curso_reactivado", "curso coop_basico", "") in bitacora


async def test_la_lista_del_personal_va_por_paginas(bot: BotDePrueba,
                                                    personal: Persona) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("📚 Cursos")
    assert "Página 1 de 2" in personal.texto() and "cursos de EJEMPLO" in personal.texto()
    await personal.pulsa("Siguiente ▶️")
    assert "Página 2 de 2" in personal.texto()
    fijos = ("◀️ Anterior", "🆕 Nuevo curso", "⬅️ Menú del personal")
    assert len([b for b in personal.botones() if b not in fijos]) == 8 - 6
    await personal.pulsa_datos("pers:cursos:99")  # una página que no existe: la última
    assert "Página 2 de 2" in personal.texto()


@pytest.mark.parametrize("datos", [
    "pers:cursos", "pers:cursos:1", "pers:cunuevo", "pers:cu:coop_basico", "pers:cu:coop_basico:ed",
    "pers:cu:coop_basico:ed:nombre", "pers:cu:coop_basico:baja", "pers:cu:coop_basico:baja_si",
    "pers:cu:coop_basico:alta", "pers:f:guardar", "pers:f:tema:oficios",
])
async def test_quien_no_es_personal_no_llega(bot: BotDePrueba, ana: Persona,
                                             datos: str) -> None:
    await ana.escribe("/start")
    await ana.pulsa_datos(datos)
    assert NEGATIVA in ana.texto()
    await ana.escribe("Mi curso")  # no quedó en ningún paso
    assert "Revisa" not in ana.texto()
    assert bot.servicios.catalogo.vigente("coop_basico") is not None
    assert [g.curso.nombre for g in bot.servicios.catalogo.todos
            if g.origen != "ejemplo"] == []


async def test_el_catalogo_sobrevive_un_reinicio(bot: BotDePrueba, personal: Persona) -> None:
    await crear_costura(personal)
    await personal.pulsa("💾 Guardar")
    await bot.reiniciar()
    assert bot.servicios.catalogo.curso("costura_basica").nombre == "Costura básica"
    assert len(bot.servicios.catalogo.todos) == 9  # los 8 de ejemplo no se siembran dos veces


# --- una instalación de verdad: sin el catálogo de ejemplo -----------------------------------

@pytest.fixture
async def bot_real(config: Configuracion, emulador: EmuladorBotAPI, reloj: RelojFijo,
                   contenido_real: Contenido, textos_reales: Textos
                   ) -> AsyncIterator[BotDePrueba]:
    prueba = BotDePrueba(replace(config, cursos_de_ejemplo=False), emulador, reloj,
                         contenido=contenido_real, textos=textos_reales)
    await prueba.iniciar()
    yield prueba
    await prueba.detener()


async def test_instalacion_nueva_empieza_sin_cursos(
        bot_real: BotDePrueba, caplog: pytest.LogCaptureFixture) -> None:
    assert bot_real.servicios.catalogo.todos == []
    assert bot_real.servicios.contenido.cursos == ()
    # La orientación nombra cursos que no hay: una sola línea WARNING, sin caerse.
    avisos = [r for r in caplog.get_records("setup")
              if "La orientación nombra cursos" in r.getMessage()]
    assert len(avisos) == 1 and avisos[0].levelname == "WARNING"
    ana = bot_real.persona(UsuarioFicticio(101, first_name="Ana", language_code="es"))
    await ana.escribe("/cursos")
    assert "Todavía no hay cursos aquí" in ana.texto()
    assert "💬 Hablar con una persona asesora" in ana.botones()
    marta = bot_real.persona(UsuarioFicticio(ID_PERSONAL, first_name="Marta",
                                             language_code="es"))
    await marta.escribe("/personal")
    assert "Todavía no hay cursos en el catálogo" in marta.texto()
    await marta.pulsa("🆕 Nueva sesión")  # sin cursos, una sesión no tiene de qué ser
    assert "crea uno primero" in marta.texto()
    await marta.pulsa("📚 Cursos")  # sale del flujo de la sesión y abre los cursos
    assert "Todavía no hay ningún curso" in marta.texto()
    await marta.pulsa("🆕 Nuevo curso")
    await marta.escribe("Costura básica")
    await marta.pulsa("🛠️ Oficios")
    await marta.escribe("Arreglos de ropa.")
    await marta.pulsa("Ninguno")
    await marta.pulsa("Presencial")
    await marta.pulsa("8")
    await marta.pulsa("💾 Guardar")
    await ana.escribe("/cursos")
    assert "Todavía no hay cursos aquí" not in ana.texto()
    await ana.pulsa("📋 Ver todos los cursos")
    assert "Costura básica" in ana.botones()


async def test_la_orientacion_no_muestra_cursos_que_no_hay(bot_real: BotDePrueba) -> None:
    ana = bot_real.persona(UsuarioFicticio(101, first_name="Ana", language_code="es"))
    await ana.escribe("/start")
    for resultado in bot_real.servicios.contenido.orientacion.resultados:
        await ana.pulsa_datos(f"info:camino:{resultado}")
        assert not any(b.startswith("📘") for b in ana.botones())
