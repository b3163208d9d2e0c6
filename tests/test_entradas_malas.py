"""Entradas inesperadas en cada paso: siempre una respuesta clara y nada guardado se pierde."""

from collections.abc import Awaitable, Callable

import pytest

from tests.conversador import Persona, completar_perfil, dar_consentimiento

LARGO = "á" * 4096
RTL = "مرحبا שלום 👋🏽"


async def en_nombre(p: Persona) -> str:
    await dar_consentimiento(p)
    return "Ana"  # lo que se escribe bien en este paso


async def en_municipio(p: Persona) -> str:
    await dar_consentimiento(p)
    await p.escribe("Ana")
    return "Puebla"


async def en_sexo(p: Persona) -> str:
    await en_municipio(p)
    await p.escribe("Puebla")
    return "Mujer"


async def en_sensibles(p: Persona) -> str:
    await en_sexo(p)
    await p.pulsa("Mujer")
    await p.pulsa("25 a 34 años")
    return "No, saltarlas"


async def en_resumen(p: Persona) -> str:
    await completar_perfil(p)
    await p.escribe("/perfil")
    return "✅ Así está bien"


async def en_orientacion_texto(p: Persona) -> str:
    await completar_perfil(p)
    await p.escribe("/orientacion")
    return "Vender tortillas"


async def en_orientacion_botones(p: Persona) -> str:
    await en_orientacion_texto(p)
    await p.escribe("Vender tortillas")
    return "Algo de dinero"


PASOS: dict[str, Callable[[Persona], Awaitable[str]]] = {
    "nombre": en_nombre, "municipio": en_municipio, "sexo": en_sexo,
    "sensibles": en_sensibles, "resumen": en_resumen,
    "orientacion_texto": en_orientacion_texto, "orientacion_botones": en_orientacion_botones,
}
ENTRADAS = {
    "sticker": lambda p: p.envia("sticker"),
    "foto": lambda p: p.envia("foto"),
    "voz": lambda p: p.envia("voz"),
    "documento": lambda p: p.envia("documento"),
    "comando_desconocido": lambda p: p.escribe("/hackear"),
    "ayuda": lambda p: p.escribe("/ayuda"),
    "boton_inventado": lambda p: p.pulsa_datos("perfil:sexo:reina"),
    "boton_ajeno": lambda p: p.pulsa_datos("pers:borrar:1"),
    "datos_basura": lambda p: p.pulsa_datos("x" * 64),
    "or_inventado": lambda p: p.pulsa_datos("or:recursos:millones"),
}


async def _fotografia(bot, p: Persona) -> tuple:
    return (await bot.almacen.perfil(p.id), await bot.almacen.orientacion_en_curso(p.id),
            await bot.almacen.persona(p.id))


@pytest.mark.parametrize("entrada", sorted(ENTRADAS))
@pytest.mark.parametrize("paso", sorted(PASOS))
async def test_entrada_inesperada_en_cada_paso(ana: Persona, bot, paso: str,
                                               entrada: str) -> None:
    correcto = await PASOS[paso](ana)
    antes = await _fotografia(bot, ana)
    respuestas = await ENTRADAS[entrada](ana)
    assert respuestas, "el bot no contestó nada"
    assert all(m.texto_plano for m in respuestas)
    assert await _fotografia(bot, ana) == antes, "cambió algo guardado"
    # El paso sigue abierto: lo correcto todavía funciona.
    con_boton = _mensaje_con_boton(ana, correcto)
    hecho = await (ana.pulsa(correcto, con_boton) if con_boton else ana.escribe(correcto))
    assert hecho
    assert await _fotografia(bot, ana) != antes or paso == "resumen"


def _mensaje_con_boton(p: Persona, texto: str) -> int | None:
    for mensaje in reversed(p.mensajes()):
        if mensaje.teclado and texto in [b["text"] for b in mensaje.botones()]:
            return mensaje.message_id
    return None


@pytest.mark.parametrize("texto", [LARGO, RTL, "🙂🙂🙂", "<b>hola</b> & adiós"])
async def test_textos_raros_como_respuesta_de_texto(ana: Persona, bot, texto: str) -> None:
    await en_nombre(ana)
    await ana.escribe(texto)
    perfil = await bot.almacen.perfil(ana.id)
    if texto == LARGO:
        assert "largo" in ana.texto() and perfil is None
    elif texto == "🙂🙂🙂":
        assert "con letras" in ana.texto() and perfil is None
    else:
        assert perfil.nombre == texto
        assert "¿En qué municipio" in ana.texto()


@pytest.mark.parametrize("texto", [LARGO, RTL, "🙂🙂🙂"])
async def test_textos_raros_como_municipio(ana: Persona, bot, texto: str) -> None:
    await en_municipio(ana)
    respuestas = await ana.escribe(texto)
    assert respuestas and "municipio" in ana.texto()
    assert (await bot.almacen.perfil(ana.id)).municipio_clave is None


@pytest.mark.parametrize("texto", [LARGO, RTL, "🙂🙂🙂", "/start@CooperaPueblaBot"])
async def test_textos_raros_fuera_de_un_flujo(ana: Persona, texto: str) -> None:
    respuestas = await ana.escribe(texto)
    assert respuestas and respuestas[-1].texto_plano


async def test_orientacion_texto_muy_largo(ana: Persona, bot) -> None:
    await en_orientacion_texto(ana)
    await ana.escribe("pan " * 60)
    assert "muy largo" in ana.texto()
    assert (await bot.almacen.orientacion_en_curso(ana.id)).respuestas == {}


async def test_comando_a_mitad_de_flujo_no_lo_rompe(ana: Persona, bot) -> None:
    await en_sexo(ana)
    await ana.escribe("/idioma")
    assert "¿En qué idioma" in ana.texto()
    await ana.pulsa("Español (México)")
    await ana.escribe("/menu")
    # El paso del perfil sigue abierto con su botón de antes.
    await ana.pulsa("Mujer", _mensaje_con_boton(ana, "Mujer"))
    assert (await bot.almacen.perfil(ana.id)).sexo == "mujer"


async def test_otro_flujo_a_mitad_de_uno(ana: Persona, bot) -> None:
    await en_orientacion_botones(ana)
    await ana.escribe("Vender tortillas")
    await ana.escribe("/perfil")
    assert "Tu perfil" in ana.texto()
    await ana.pulsa("✅ Así está bien")
    await ana.escribe("/orientacion")
    assert "Seguimos donde te quedaste" in ana.texto()


async def test_boton_viejo_fuera_de_flujo(ana: Persona) -> None:
    await completar_perfil(ana)
    await ana.pulsa_datos("perfil:sexo:mujer")
    assert "Ese botón ya no funciona" in ana.texto()
