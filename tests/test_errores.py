"""Un error inesperado: se registra sin datos personales, la persona recibe una disculpa
en su idioma y el bot sigue funcionando."""

import logging

import pytest

from tests.conversador import Persona, completar_perfil


@pytest.mark.error_esperado  # el error lo provoca la prueba: es lo que se prueba
async def test_error_inesperado_disculpa_y_sigue(ana: Persona, bot, monkeypatch,
                                                 caplog) -> None:
    await completar_perfil(ana, nombre="Secretísima")
    original = bot.almacen.perfil

    async def falla(*_args, **_kwargs):
        raise RuntimeError("la base se fue de vacaciones")

    monkeypatch.setattr(bot.almacen, "perfil", falla)
    with caplog.at_level(logging.ERROR, logger="coopera.errores"):
        await ana.escribe("/perfil")
    assert "Perdón, algo falló" in ana.texto()
    assert "🏠 Menú principal" in ana.botones()
    registro = "\n".join(r.getMessage() for r in caplog.records if r.name == "coopera.errores")
    assert "comando /perfil" in registro
    assert "Secretísima" not in caplog.text and bot.config.token.valor() not in caplog.text

    monkeypatch.setattr(bot.almacen, "perfil", original)
    await ana.escribe("/perfil")
    assert "Secretísima" in ana.texto()


async def test_red_caida_al_contestar_no_tumba_el_bot(ana: Persona, bot, emulador) -> None:
    emulador.inyectar_fallo("500", metodo="sendMessage", veces=2)
    await ana.escribe("/start")  # la respuesta y la disculpa fallan; el bot sigue
    bienvenida, aviso = await ana.escribe("/start")
    assert "Coopera Puebla" in bienvenida.texto_plano and aviso.botones()


async def test_quien_bloqueo_y_vuelve_a_escribir_se_puede_contactar(ana: Persona, bot,
                                                                    emulador) -> None:
    from nucleo.envios import EnvioNuevo

    await completar_perfil(ana)
    emulador.bloquear(ana.usuario)
    await bot.coopera.despachador.encolar([EnvioNuevo(ana.id, "Aviso", "prueba:1")])
    await bot.coopera.despachador.vaciar(10)
    assert (await bot.almacen.persona(ana.id)).inalcanzable
    emulador.desbloquear(ana.usuario)
    await ana.escribe("/menu")
    assert not (await bot.almacen.persona(ana.id)).inalcanzable
