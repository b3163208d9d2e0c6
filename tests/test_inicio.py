"""Primer contacto: bienvenida, aviso de privacidad, consentimiento y rechazo."""

from tests.conversador import Persona, dar_consentimiento, textos


async def test_bienvenida_con_aviso_sin_guardar_nada(ana: Persona, bot) -> None:
    respuestas = await ana.escribe("/start")
    texto = textos(respuestas)
    assert "Hola, Ana" in texto
    assert "Aviso de privacidad" in texto
    assert "/mis_datos" in texto and "/privacidad" in texto
    assert ana.botones() == ["✅ Sí, acepto", "❌ No acepto", "📄 Leer el aviso completo"]
    assert await bot.almacen.persona(ana.id) is None


async def test_aviso_completo_tiene_secciones_y_pide_decidir(ana: Persona) -> None:
    await ana.escribe("/start")
    respuestas = await ana.pulsa("📄 Leer el aviso completo")
    texto = textos(respuestas)
    assert "Aviso de privacidad integral" in texto
    assert "ARCO" in texto
    assert "✅ Sí, acepto" in ana.botones()


async def test_rechazo_guarda_solo_el_no(ana: Persona, bot) -> None:
    await ana.escribe("/start")
    await ana.pulsa("❌ No acepto")
    assert "No guardaremos tus datos" in ana.texto()
    persona = await bot.almacen.persona(ana.id)
    assert persona.consentimiento == "rechazado" and persona.idioma is None
    filas = await bot.almacen.filas_con_id(ana.id)
    assert {t: n for t, n in filas.items() if n} == {"personas.telegram_id": 1}


async def test_sin_consentimiento_se_lee_informacion_general(ana: Persona, bot) -> None:
    await ana.escribe("/start")
    await ana.pulsa("❌ No acepto")
    await ana.escribe("/perfil")
    assert "necesito tu permiso" in ana.texto()
    await ana.escribe("/orientacion")
    assert "caminos posibles" in ana.texto()
    await ana.pulsa("🧭 Ver los caminos posibles")
    await ana.pulsa("Formar una cooperativa")
    assert "por lo menos 5 personas" in ana.texto()
    assert await bot.almacen.orientacion_en_curso(ana.id) is None
    assert await bot.almacen.orientaciones(ana.id) == []


async def test_aceptar_lleva_al_perfil(ana: Persona, bot) -> None:
    await dar_consentimiento(ana)
    assert "¿Cómo quieres que te llame?" in ana.texto()
    persona = await bot.almacen.persona(ana.id)
    assert persona.acepto


async def test_start_de_nuevo_saluda_y_muestra_menu(ana: Persona) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("Anita")
    await ana.escribe("/start")
    assert "otra vez, Anita" in ana.texto()
    assert "📚 Cursos" in ana.botones()


async def test_comandos_registrados_en_cada_idioma(bot, emulador) -> None:
    por_defecto = [c["command"] for c in emulador.comandos()]
    assert por_defecto[:3] == ["menu", "orientacion", "cursos"]
    en_espanol = {c["command"]: c["description"] for c in emulador.comandos(language_code="es")}
    en_ingles = {c["command"]: c["description"] for c in emulador.comandos(language_code="en")}
    assert en_espanol["ayuda"] == "Ayuda y contacto"
    assert en_ingles["ayuda"] == "Help and contact"
