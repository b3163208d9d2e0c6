"""«Avísame cuando haya fechas»: /cursos sin fechas lo dice primero y ofrece el aviso; el aviso
sale una vez por persona cuando el personal crea fechas (una sesión nueva o una importación),
encolado en la misma transacción que las crea.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from emulador import UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.almacen.cursos import SesionNueva
from nucleo.catalogo import CatalogoCursos
from nucleo.contenido import Contenido
from nucleo.importacion import importar
from nucleo.reloj import Reloj
from tests.conversador import (
    ID_PERSONAL,
    INICIO,
    BotDePrueba,
    Persona,
    dar_consentimiento,
)

ZONA = ZoneInfo("America/Mexico_City")
ENCABEZADO = ("curso_id,fecha,hora,duracion_min,modalidad,cupo,municipio,lugar,direccion,"
              "mapa_url,enlace")
IMPORTACION = (f"{ENCABEZADO}\n"
               "coop_basico,2026-12-01,10:00,120,presencial,20,Puebla,Casa,Calle 1,,\n"
               "coop_basico,2026-12-08,10:00,120,presencial,20,Puebla,Casa,Calle 1,,\n"
               "plan_negocio,02/12/2026,16:30,90,en_linea,50,,,,,https://meet.example.org/a\n"
               ).encode()


def sesion(curso: str = "coop_basico", dias: float = 3) -> SesionNueva:
    return SesionNueva(curso, INICIO + timedelta(days=dias), 120, "en_linea", 10,
                       enlace="https://meet.example.org/x")


async def acepta(persona: Persona) -> None:
    """Acepta el aviso de privacidad en su idioma (el botón «Sí, acepto» o «Yes, I accept»)."""
    await persona.escribe("/start")
    await persona.pulsa_datos("aviso:acepto")


def capacitacion(bot: BotDePrueba):
    return bot.servicios.capacitacion


async def avisos_recibidos(bot: BotDePrueba, persona: Persona) -> list[str]:
    await bot.servicios.despachador.vaciar(10)
    return [m.texto_plano for m in persona.mensajes()
            if "Ya hay fechas" in (m.texto_plano or "") or "dates" in (m.texto_plano or "")]


async def test_sin_ninguna_fecha_lo_dice_primero_y_ofrece_avisar(bot: BotDePrueba,
                                                                 ana: Persona) -> None:
    [respuesta] = await ana.escribe("/cursos")
    assert "Por ahora no hay fechas de ningún curso" in respuesta.texto_plano
    assert ana.botones()[0] == "🔔 Avísame cuando haya fechas"
    assert not any("Por tema" in b for b in ana.botones())  # sin menú de búsqueda
    # Sin el aviso de privacidad aceptado no se guarda nada: se pide el permiso.
    await ana.pulsa("🔔 Avísame cuando haya fechas")
    assert "pido tu permiso en el aviso de privacidad" in ana.texto()
    assert await bot.almacen.pedidos_de_fechas(ana.id) == []
    # Al aceptar el aviso desde ahí, el pedido se guarda solo: no hay que volver a pedirlo.
    await ana.pulsa("📄 Leer el aviso")
    await ana.pulsa("✅ Sí, acepto")
    assert "Guardé tu pedido: te escribo cuando haya fechas" in ana.texto()
    [pedido] = await bot.almacen.pedidos_de_fechas(ana.id)
    assert pedido.curso_id is None
    # La sesión nueva del personal: el aviso entra a la cola en la misma transacción.
    sesion_id = await capacitacion(bot).crear_sesion(sesion("plan_negocio"))
    [envio] = [e for e in await bot.almacen.envios_de(ana.id) if e.clave.startswith("fechas:")]
    assert envio.clave == f"fechas:{sesion_id}:{ana.id}"
    assert await bot.almacen.pedidos_de_fechas(ana.id) == []  # se cumplió: ya no está
    [aviso] = await avisos_recibidos(bot, ana)
    assert "¡Ya hay fechas! Me pediste que te avisara." in aviso
    assert "Tu plan de negocio sencillo" in aviso
    await ana.pulsa("🗓️ Ver las fechas")
    assert "Próximas fechas" in ana.texto()
    # Otra sesión ya no le avisa otra vez.
    await capacitacion(bot).crear_sesion(sesion("coop_basico"))
    assert [e.clave for e in await bot.almacen.envios_de(ana.id)
            if e.clave.startswith("fechas:")] == [envio.clave]


async def test_un_curso_sin_fechas_ofrece_el_aviso_de_ese_curso(bot: BotDePrueba,
                                                                ana: Persona) -> None:
    await capacitacion(bot).crear_sesion(sesion("plan_negocio"))
    await dar_consentimiento(ana)
    [respuesta] = await ana.escribe("/cursos")
    assert "¿Cómo quieres buscar?" in respuesta.texto_plano  # hay fechas: el menú de siempre
    await ana.pulsa_datos("cur:c:coop_basico:-:0")
    assert "Todavía no hay fechas para este curso" in ana.texto()
    await ana.pulsa("🔔 Avísame cuando haya fechas de este curso")
    assert "Te escribo aquí cuando haya fechas de «Cooperativismo" in ana.texto()
    # Fechas de otro curso no le avisan; del suyo, sí.
    await capacitacion(bot).crear_sesion(sesion("plan_negocio", dias=5))
    assert await avisos_recibidos(bot, ana) == []
    await capacitacion(bot).crear_sesion(sesion("coop_basico"))
    [aviso] = await avisos_recibidos(bot, ana)
    assert "Cooperativismo" in aviso and "Tu plan de negocio" not in aviso


async def test_quitar_el_aviso_desde_la_confirmacion_y_desde_mis_datos(bot: BotDePrueba,
                                                                       ana: Persona) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("/cursos")
    await ana.pulsa("🔔 Avísame cuando haya fechas")
    await ana.pulsa("🔕 Ya no me avises")
    assert ana.texto() == "Listo, ya no te aviso. 🔕"
    assert await bot.almacen.pedidos_de_fechas(ana.id) == []
    await ana.pulsa_datos("cur:avisar:coop_basico")
    await ana.pulsa_datos("cur:avisar:-")
    [datos] = await ana.escribe("/mis_datos")
    assert "Avisos de fechas que pediste" in datos.texto_plano
    assert "cualquier curso (lo pediste el" in datos.texto_plano
    assert "Cooperativismo: lo básico (lo pediste el" in datos.texto_plano
    await ana.pulsa("🔕 Quitar el aviso de cualquier curso")
    [pedido] = await bot.almacen.pedidos_de_fechas(ana.id)
    assert pedido.curso_id == "coop_basico"
    # Nadie más le avisa por un pedido quitado: una sesión de otro curso no le escribe.
    await capacitacion(bot).crear_sesion(sesion("plan_negocio"))
    assert await avisos_recibidos(bot, ana) == []


async def test_borrar_los_datos_o_rechazar_el_aviso_borra_los_pedidos(
        bot: BotDePrueba, ana: Persona, john: Persona) -> None:
    for persona in (ana, john):
        await acepta(persona)
        await persona.pulsa_datos("cur:avisar:-")
        assert await bot.almacen.pedidos_de_fechas(persona.id) != []
    await ana.escribe("/mis_datos")
    await ana.pulsa("🗑️ Borrar todos mis datos")
    await ana.pulsa("Sí, borrar todo")
    assert await bot.almacen.pedidos_de_fechas(ana.id) == []
    await john.pulsa_datos("aviso:rechazo")
    assert await bot.almacen.pedidos_de_fechas(john.id) == []
    await capacitacion(bot).crear_sesion(sesion())
    assert await avisos_recibidos(bot, ana) == [] and await avisos_recibidos(bot, john) == []


async def test_si_falla_el_aviso_no_queda_la_sesion_ni_se_pierde_el_pedido(
        bot: BotDePrueba, ana: Persona, monkeypatch: pytest.MonkeyPatch) -> None:
    await dar_consentimiento(ana)
    await ana.pulsa_datos("cur:avisar:-")

    async def falla(*_argumentos: object) -> int:
        raise RuntimeError("la base falló al encolar")

    monkeypatch.setattr(bot.almacen, "insertar_envios", falla)
    with pytest.raises(RuntimeError):
        await capacitacion(bot).crear_sesion(sesion())
    assert await bot.almacen.sesiones_proximas(INICIO) == []
    assert len(await bot.almacen.pedidos_de_fechas(ana.id)) == 1


async def test_importar_en_el_chat_avisa_una_vez_a_cada_persona(
        bot: BotDePrueba, ana: Persona, john: Persona) -> None:
    luis = bot.persona(UsuarioFicticio(303, first_name="Luis", language_code="es"))
    for persona in (ana, john, luis):
        await acepta(persona)
    await bot.almacen.guardar_idioma(john.id, "en")  # eligió inglés (/idioma)
    await ana.pulsa_datos("cur:avisar:-")
    await john.pulsa_datos("cur:avisar:coop_basico")
    await john.pulsa_datos("cur:avisar:plan_negocio")
    await luis.pulsa_datos("cur:avisar:eco_solidaria")
    personal = bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Marta", language_code="es"))
    await personal.envia_documento("sesiones.csv", IMPORTACION)
    await personal.pulsa("📥 Importar")
    assert "importé 3 sesiones" in personal.texto()
    assert "Avisé a 2 personas que esperaban fechas." in personal.texto()
    [a_ana] = await avisos_recibidos(bot, ana)
    assert "Hay fechas nuevas de estos cursos:" in a_ana
    assert "Cooperativismo" in a_ana and "Tu plan de negocio" in a_ana
    [a_john] = [m.texto_plano for m in john.mensajes() if "There are dates" in m.texto_plano
                or "Ya hay fechas" in m.texto_plano]
    assert a_john.startswith("📅 There are dates now!")  # en su idioma
    assert "There are new dates for these courses:" in a_john
    assert await avisos_recibidos(bot, luis) == []
    [pedido] = await bot.almacen.pedidos_de_fechas(luis.id)  # el suyo sigue esperando
    assert pedido.curso_id == "eco_solidaria"
    assert await bot.almacen.pedidos_de_fechas(john.id) == []


async def test_la_linea_de_comandos_tambien_encola_los_avisos(
        tmp_path: Path, contenido_real: Contenido) -> None:
    ruta_bd = tmp_path / "coopera.sqlite3"
    almacen = await Almacen.abrir(ruta_bd)
    await CatalogoCursos.abrir(almacen, Reloj(), contenido_real.cursos_ejemplo)  # con cursos
    await almacen.registrar_consentimiento(101, True, "v1", INICIO, "es_MX")
    await almacen.pedir_aviso_de_fechas(101, "plan_negocio", INICIO)
    await almacen.cerrar()
    ruta = tmp_path / "sesiones.csv"
    ruta.write_bytes(IMPORTACION)
    revision = await importar(ruta, ruta_bd, contenido_real, ZONA, INICIO)
    assert revision.errores == []
    almacen = await Almacen.abrir(ruta_bd)
    try:
        [envio] = await almacen.envios_de(101)
        assert envio.clave.startswith("fechas:") and envio.estado == "pendiente"
        assert await almacen.pedidos_de_fechas(101) == []
    finally:
        await almacen.cerrar()
