"""Si el bot se reinicia a mitad de un flujo, la persona sigue en el mismo paso."""

from tests.conversador import Persona, completar_perfil, dar_consentimiento


async def test_reinicio_a_mitad_del_perfil(ana: Persona, bot) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("Ana")
    await ana.escribe("Puebla")
    assert "¿Con qué sexo" in ana.texto()
    await bot.reiniciar()
    await ana.pulsa("Mujer")  # el botón del mensaje de antes del reinicio
    assert "¿Cuántos años" in ana.texto()
    assert (await bot.almacen.perfil(ana.id)).sexo == "mujer"


async def test_reinicio_esperando_texto(ana: Persona, bot) -> None:
    await dar_consentimiento(ana)
    await bot.reiniciar()
    await ana.escribe("Lupita")
    assert "¿En qué municipio" in ana.texto()
    assert (await bot.almacen.perfil(ana.id)).nombre == "Lupita"


async def test_reinicio_a_mitad_de_la_orientacion(ana: Persona, bot) -> None:
    await completar_perfil(ana)
    await ana.escribe("/orientacion")
    await ana.escribe("Hacer pan")
    await ana.pulsa("Herramientas o equipo")
    assert "Pregunta 3" in ana.texto()
    await bot.reiniciar()
    await ana.pulsa("Medio día")
    assert "Pregunta 4" in ana.texto()
    await ana.pulsa("⬅️ Atrás")
    assert "Pregunta 3" in ana.texto()
    progreso = await bot.almacen.orientacion_en_curso(ana.id)
    assert progreso.respuestas == {"idea": "Hacer pan", "recursos": "herramientas"}


async def test_el_estado_se_guarda_al_momento(ana: Persona, bot) -> None:
    """Sin esperar al guardado periódico de PTB: lo escrito en SQLite tras cada mensaje."""
    await dar_consentimiento(ana)
    conversaciones = await bot.almacen.conversaciones("perfil")
    assert conversaciones == {(ana.id, ana.id): 0}
