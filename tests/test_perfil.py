"""El perfil: nombre, municipio (con errores de dedo) y datos opcionales, y cambiarlo."""

import pytest

from tests.conversador import Persona, completar_perfil, dar_consentimiento


async def test_perfil_completo_con_todo(ana: Persona, bot) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("  Ana   María ")
    assert "municipio" in ana.texto()
    await ana.escribe("Atlixco")
    assert "¿Con qué sexo" in ana.texto()
    await ana.pulsa("Mujer")
    await ana.pulsa("15 a 24 años")
    assert "datos sensibles" in ana.texto()
    await ana.pulsa("Sí, contestar")
    await ana.pulsa("No")
    assert "lengua indígena" in ana.texto()
    await ana.pulsa("Sí")
    assert "¡Listo, Ana María!" in ana.texto()
    perfil = await bot.almacen.perfil(ana.id)
    assert (perfil.nombre, perfil.municipio_clave, perfil.sexo, perfil.rango_edad) == (
        "Ana María", "21019", "mujer", "15_24")
    assert (perfil.discapacidad, perfil.lengua_indigena, perfil.completo) == ("no", "si", True)


async def test_nombre_de_telegram_con_un_boton(ana: Persona, bot) -> None:
    await dar_consentimiento(ana)
    await ana.pulsa("Llámame Ana")
    assert (await bot.almacen.perfil(ana.id)).nombre == "Ana"


@pytest.mark.parametrize("escrito", ["tehuacan", "TEHUACÁN", "  Tehuacán  ", "21156"])
async def test_municipio_exacto_sin_acentos_ni_mayusculas(ana: Persona, bot, escrito) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("Ana")
    await ana.escribe(escrito)
    assert "Municipio: Tehuacán ✅" in "\n".join(m.texto_plano for m in ana.mensajes()[-2:])
    assert (await bot.almacen.perfil(ana.id)).municipio_clave == "21156"


async def test_municipio_con_error_ofrece_quisiste_decir(ana: Persona, bot) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("Ana")
    await ana.escribe("Tehuakan")
    assert "¿Quisiste decir" in ana.texto()
    assert "Tehuacán" in ana.botones()
    await ana.pulsa("Tehuacán")
    assert (await bot.almacen.perfil(ana.id)).municipio_clave == "21156"


async def test_municipio_ambiguo_da_varias_opciones(ana: Persona, bot) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("Ana")
    await ana.escribe("cholula")
    assert {"San Pedro Cholula", "San Andrés Cholula"} <= set(ana.botones())
    await ana.pulsa("Ninguno, lo escribo otra vez")
    assert "¿En qué municipio" in ana.texto()
    await ana.escribe("san andres cholula")
    assert (await bot.almacen.perfil(ana.id)).municipio_clave == "21119"


async def test_municipio_desconocido_pide_otra_vez(ana: Persona, bot) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("Ana")
    await ana.escribe("Springfield")
    assert "No encontré ese municipio" in ana.texto()
    assert (await bot.almacen.perfil(ana.id)).municipio_clave is None
    await ana.escribe("Puebla")
    assert (await bot.almacen.perfil(ana.id)).municipio_clave == "21114"


async def test_opcionales_se_pueden_saltar(ana: Persona, bot) -> None:
    await completar_perfil(ana)
    perfil = await bot.almacen.perfil(ana.id)
    assert perfil.completo
    assert (perfil.sexo, perfil.rango_edad, perfil.discapacidad, perfil.lengua_indigena) == (
        None, None, None, None)


async def test_prefiero_no_decir_se_guarda(ana: Persona, bot) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("Ana")
    await ana.escribe("Puebla")
    await ana.pulsa("Prefiero no decir")
    assert (await bot.almacen.perfil(ana.id)).sexo == "no_decir"


async def test_cambiar_una_respuesta_despues(ana: Persona, bot) -> None:
    await completar_perfil(ana)
    await ana.escribe("/perfil")
    assert "Tu perfil" in ana.texto() and "Puebla" in ana.texto()
    await ana.pulsa("Municipio")
    await ana.escribe("Zacatlán")
    assert "Guardado" in ana.texto() and "Zacatlán" in ana.texto()
    await ana.pulsa("Edad")
    await ana.pulsa("60 años o más")
    await ana.pulsa("✅ Así está bien")
    perfil = await bot.almacen.perfil(ana.id)
    assert (perfil.municipio_clave, perfil.rango_edad) == ("21208", "60_mas")


async def test_nombre_sin_letras_o_muy_largo(ana: Persona, bot) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("12345 !!!")
    assert "con letras" in ana.texto()
    await ana.escribe("A" * 61)
    assert "largo" in ana.texto()
    assert await bot.almacen.perfil(ana.id) is None
    await ana.escribe("María 🌻")
    assert (await bot.almacen.perfil(ana.id)).nombre == "María 🌻"
