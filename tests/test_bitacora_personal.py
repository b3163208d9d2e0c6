"""La bitácora cubre lo que el personal hace en asesorías y cooperativas, y el aviso de una
asesoría nueva llega también a quien recibió el rol desde Telegram (/roles), no solo a los ids
de la configuración.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from emulador import UsuarioFicticio
from nucleo.configuracion import Configuracion
from tests.conversador import ID_PERSONAL, BotDePrueba, Persona, completar_perfil

ID_ADMIN = 900
LUPE = UsuarioFicticio(303, first_name="Lupe", language_code="es")


@pytest.fixture
def config(config: Configuracion) -> Configuracion:
    return replace(config, administracion=frozenset({ID_ADMIN}))


async def bitacora(bot: BotDePrueba) -> list[tuple[int | None, str, str, str]]:
    """Lo anotado, lo más viejo primero."""
    return [(a.quien, a.accion, a.objeto, a.detalle)
            for a in reversed(await bot.almacen.auditoria(1000))]


async def test_asesoria_avisa_al_personal_de_roles_y_queda_en_la_bitacora(
        bot: BotDePrueba, ana: Persona) -> None:
    admin = bot.persona(UsuarioFicticio(ID_ADMIN, first_name="Rosa", language_code="es"))
    lupe = bot.persona(LUPE)
    await lupe.escribe("/start")  # abrió su chat con el bot: Telegram deja escribirle
    await admin.escribe(f"/roles personal {LUPE.id}")

    await completar_perfil(ana)
    await ana.escribe("/asesoria")
    await ana.escribe("¿Dónde me registro?")
    # Sin grupo del personal: el aviso llega a cada quien del personal, también a Lupe (rol
    # dado desde Telegram) y a administración.
    assert "escribió por primera vez" in lupe.texto()
    assert "escribió por primera vez" in admin.texto()

    await lupe.escribe("/bandeja")
    await lupe.pulsa("Ana")
    await lupe.pulsa("Contestar")
    await lupe.escribe("En /cursos ves las fechas.")
    await lupe.escribe("Y si quieres, te explico más.")
    assert "Y si quieres" in ana.texto()
    await lupe.pulsa("Listo")
    await lupe.escribe("/bandeja")
    await lupe.pulsa("Ana")
    await lupe.pulsa("Cerrar la conversación")
    assert "cerró esta conversación" in ana.texto()

    asesoria = next(a for a in await bitacora(bot) if a[1] == "asesoria_contestada")[2]
    assert [a for a in await bitacora(bot) if a[1].startswith("asesoria")] == [
        (LUPE.id, "asesoria_contestada", asesoria, "asignada"),  # la tomó
        (LUPE.id, "asesoria_contestada", asesoria, ""),
        (LUPE.id, "asesoria_cerrada", asesoria, ""),
    ]
    # Sin datos de la ciudadanía: ni el nombre ni lo que se escribió.
    for _quien, _accion, objeto, detalle in await bitacora(bot):
        assert "Ana" not in objeto + detalle and "registro" not in objeto + detalle


async def test_mensaje_y_asesoria_a_una_cooperativa_quedan_en_la_bitacora(
        bot: BotDePrueba, ana: Persona) -> None:
    await completar_perfil(ana)
    cooperativas = bot.servicios.cooperativas
    creada = await cooperativas.crear(ana.usuario.id, "Ana", "Las Tejedoras", "Tejer rebozos",
                                      "productores", "114")
    cooperativa_id = creada.cooperativa_id
    assert await cooperativas.escribir_a_miembros(cooperativa_id, "Hola, grupo", ID_PERSONAL) == 1
    assert await cooperativas.anotar_asesoria(cooperativa_id, ID_PERSONAL, "Revisamos bases")
    assert [a for a in await bitacora(bot) if a[1].startswith("cooperativa")] == [
        (ID_PERSONAL, "cooperativa_mensaje", f"cooperativa {cooperativa_id}", "1"),
        (ID_PERSONAL, "cooperativa_asesoria", f"cooperativa {cooperativa_id}", ""),
    ]
