"""La orientación: cada resultado por su rama, atrás, /cancelar, repetirla y lo guardado."""

import pytest

from tests.conversador import Persona, completar_perfil

INICIO = ["Algo de dinero", "Todo el día", "Aprender o capacitarme"]
RAMAS = {
    "individual": [*INICIO, "Sola o solo", "Sí, ya lo hago", "Sí, ya tengo clientes"],
    "cooperativa": [*INICIO, "Con otras personas", "Somos 5 o más", "Sé un poco",
                    "Tengo una idea"],
    "grupo_pequeno": [*INICIO, "Con otras personas", "Somos de 2 a 4", "Sí, ya lo hago",
                      "Tengo una idea"],
    "capacitacion_primero": [*INICIO, "Sola o solo", "Todavía no"],
}
TITULOS = {"individual": "Trabajar por tu cuenta", "cooperativa": "Formar una cooperativa",
           "grupo_pequeno": "Trabajar en un grupo chico",
           "capacitacion_primero": "Primero, aprender"}


async def _empezar(ana: Persona) -> None:
    await completar_perfil(ana, nombre="Ana")
    await ana.escribe("/orientacion")
    assert "Pregunta 1" in ana.texto()
    await ana.escribe("Vender tamales <de elote> & atole")


@pytest.mark.parametrize("resultado", sorted(RAMAS))
async def test_cada_resultado_por_su_rama(ana: Persona, bot, resultado: str) -> None:
    await _empezar(ana)
    for boton in RAMAS[resultado]:
        await ana.pulsa(boton)
    texto = ana.texto()
    assert TITULOS[resultado] in texto
    assert "Ana, tu idea: Vender tamales <de elote> & atole" in texto
    assert "Tus siguientes pasos" in texto and "1. " in texto
    assert "Esta información es una guía" in texto
    assert "Fuentes (revisadas el 25 de noviembre de 2026)" in texto
    guardadas = await bot.almacen.orientaciones(ana.id)
    assert [g.resultado for g in guardadas] == [resultado]
    assert guardadas[0].respuestas["idea"] == "Vender tamales <de elote> & atole"
    assert await bot.almacen.orientacion_en_curso(ana.id) is None


async def test_atras_vuelve_y_cambia_de_rama(ana: Persona, bot) -> None:
    await _empezar(ana)
    for boton in [*INICIO, "Sola o solo"]:
        await ana.pulsa(boton)
    assert "¿Ya sabes hacer ese trabajo?" in ana.texto()
    await ana.pulsa("⬅️ Atrás")
    assert "¿Quieres trabajar sola o solo" in ana.texto()
    await ana.pulsa("Con otras personas")
    assert "¿Cuántas personas son" in ana.texto()
    progreso = await bot.almacen.orientacion_en_curso(ana.id)
    assert progreso.respuestas["companeros"] == "otros"
    assert progreso.historial[-1] == "cuantos"


async def test_atras_hasta_la_pregunta_de_texto(ana: Persona) -> None:
    await _empezar(ana)
    assert "Pregunta 2" in ana.texto()
    await ana.pulsa("⬅️ Atrás")
    assert "Pregunta 1" in ana.texto()
    assert "⬅️ Atrás" not in ana.botones()
    await ana.escribe("Coser ropa")
    assert "Pregunta 2" in ana.texto()


async def test_cancelar_guarda_y_se_sigue_despues(ana: Persona, bot) -> None:
    await _empezar(ana)
    await ana.pulsa("Algo de dinero")
    await ana.escribe("/cancelar")
    assert "quedó guardado" in ana.texto()
    await ana.escribe("Hola")  # fuera del flujo: texto suelto
    assert "No entendí" in ana.texto()
    await ana.escribe("/orientacion")
    assert "Seguimos donde te quedaste" in ana.texto()
    assert "Pregunta 3" in ana.texto()
    await ana.pulsa("🔄 Empezar de nuevo")
    assert "Pregunta 1" in ana.texto()


async def test_salir_con_boton(ana: Persona, bot) -> None:
    await _empezar(ana)
    await ana.pulsa("✖️ Salir")
    assert "Saliste de la orientación" in ana.texto()
    assert (await bot.almacen.orientacion_en_curso(ana.id)).historial == ["idea", "recursos"]


async def test_repetir_la_orientacion(ana: Persona, bot) -> None:
    await _empezar(ana)
    for boton in RAMAS["capacitacion_primero"]:
        await ana.pulsa(boton)
    assert "📚 Ver los cursos" in ana.botones()
    await ana.pulsa("🔄 Hacer otra vez la orientación")
    assert "Pregunta 1" in ana.texto()
    await ana.escribe("Reparar celulares")
    for boton in RAMAS["individual"]:
        await ana.pulsa(boton)
    guardadas = await bot.almacen.orientaciones(ana.id)
    assert [g.resultado for g in guardadas] == ["capacitacion_primero", "individual"]


async def test_boton_de_una_pregunta_anterior(ana: Persona, bot) -> None:
    await _empezar(ana)
    pregunta_2 = ana.ultimo().message_id
    await ana.pulsa("Algo de dinero")
    await ana.pulsa("Todo el día")
    # La persona sube en el chat y pulsa un botón de la pregunta 2 (ese mensaje ya cambió:
    # el bot edita la pregunta en su lugar), así que lo forjamos como lo haría un cliente.
    await ana.pulsa_datos("or:recursos:nada", message_id=pregunta_2)
    assert "Ese botón es de otra pregunta" in ana.texto()
    assert (await bot.almacen.orientacion_en_curso(ana.id)).respuestas["recursos"] == "dinero"
