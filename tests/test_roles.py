"""Roles y bitácora: administración (configuración o /roles) da y quita el rol de personal y
de administración desde Telegram, con efecto inmediato; los ids de la configuración no se quitan;
nadie más llega a /roles, /auditoria ni /estadisticas, escriba lo que escriba o invente el botón
que invente; cada acción del personal queda en la bitácora, que administración lee por páginas
y exporta en CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from emulador import UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.catalogo import CatalogoCursos
from nucleo.configuracion import Configuracion
from nucleo.contenido import Contenido
from nucleo.importacion import importar
from nucleo.reloj import Reloj
from tests.conversador import ID_PERSONAL, BotDePrueba, Persona, textos
from tests.test_personal import abrir_sesion, ana_y_john_en_una_sesion, nueva_sesion

NEGATIVA = "solo para el personal de la Secretaría"
ID_ADMIN = 900
ID_NUEVA = 303


@pytest.fixture
def config(config: Configuracion) -> Configuracion:
    return replace(config, administracion=frozenset({ID_ADMIN}))


@pytest.fixture
def admin(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(ID_ADMIN, first_name="Rosa", language_code="es"))


@pytest.fixture
def personal(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Marta", language_code="es"))


@pytest.fixture
def nueva(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(ID_NUEVA, first_name="Lupe", language_code="es"))


async def acciones(bot: BotDePrueba) -> list[tuple[int | None, str, str]]:
    return [(a.quien, a.accion, a.objeto) for a in await bot.almacen.auditoria(1000)]


async def test_admin_da_y_quita_el_rol_con_efecto_inmediato(
        admin: Persona, nueva: Persona, bot: BotDePrueba) -> None:
    assert NEGATIVA in textos(await nueva.escribe("/personal"))
    await admin.escribe(f"/roles personal {ID_NUEVA}")
    assert f"Listo: {ID_NUEVA} tiene el rol de personal" in admin.texto()
    assert f"{ID_NUEVA}: personal (dado desde Telegram)" in admin.texto()

    # Al instante, sin reiniciar: el menú, sus botones y los flujos del personal.
    assert NEGATIVA not in textos(await nueva.escribe("/personal"))
    assert "📊 Cifras del programa" in nueva.botones()
    assert "👥 Roles y bitácora" not in nueva.botones()  # personal, no administración
    await nueva.pulsa("📅 Sesiones próximas")
    assert NEGATIVA not in nueva.texto()
    assert NEGATIVA in textos(await nueva.escribe("/roles"))

    # Se guarda: tras un reinicio sigue siendo personal.
    await bot.reiniciar()
    assert NEGATIVA not in textos(await nueva.escribe("/personal"))

    await admin.escribe("/roles")
    await admin.pulsa(f"❌ Quitar {ID_NUEVA}")
    assert f"Listo: {ID_NUEVA} ya no tiene rol" in admin.texto()
    assert NEGATIVA in textos(await nueva.escribe("/personal"))
    assert NEGATIVA in textos(await nueva.pulsa_datos("pers:sesiones"))

    # También administración, que da roles a su vez.
    await admin.escribe(f"/roles admin {ID_NUEVA}")
    await nueva.escribe(f"/roles personal {ID_PERSONAL + 1}")
    assert f"{ID_PERSONAL + 1} tiene el rol de personal" in nueva.texto()
    assert await bot.almacen.roles_guardados() == {ID_NUEVA: "administracion",
                                                   ID_PERSONAL + 1: "personal"}
    assert await acciones(bot) == [
        (ID_NUEVA, "rol_dado", f"telegram {ID_PERSONAL + 1}"),
        (ID_ADMIN, "rol_dado", f"telegram {ID_NUEVA}"),
        (ID_ADMIN, "rol_quitado", f"telegram {ID_NUEVA}"),
        (ID_ADMIN, "rol_dado", f"telegram {ID_NUEVA}"),
    ]


async def test_los_de_la_configuracion_no_se_quitan(admin: Persona, personal: Persona,
                                                    bot: BotDePrueba) -> None:
    for quien in (ID_PERSONAL, ID_ADMIN):
        await admin.escribe(f"/roles quitar {quien}")
        assert "no se puede quitar desde Telegram" in admin.texto()
    await admin.escribe(f"/roles admin {ID_PERSONAL}")
    assert "desde aquí no se cambia" in admin.texto()
    await admin.escribe("/roles quitar 12345")
    assert "no tiene ningún rol" in admin.texto()
    await admin.escribe("/roles personal ana")
    assert "No entendí" in admin.texto()
    assert NEGATIVA not in textos(await personal.escribe("/personal"))
    assert await bot.almacen.roles_guardados() == {}
    assert await acciones(bot) == []


async def test_quien_no_es_admin_no_llega(personal: Persona, ana: Persona,
                                         bot: BotDePrueba) -> None:
    await bot.almacen.dar_rol(ID_NUEVA, "personal", ID_ADMIN, bot.reloj.ahora())
    bot.config.roles.fijar(await bot.almacen.roles_guardados())
    escritos = [f"/roles personal {ana.id}", f"/roles admin {ana.id}",
                f"/roles quitar {ID_NUEVA}", "/roles", "/auditoria"]
    forjados = [f"rol:q:{ID_NUEVA}", "rol:lista", "aud:p:0", "aud:p:3", "aud:csv",
                "rol:otra", "aud:x"]
    for quien in (ana, personal):
        for texto in escritos:
            assert NEGATIVA in textos(await quien.escribe(texto)), texto
        for datos in forjados:
            assert NEGATIVA in textos(await quien.pulsa_datos(datos)), datos
    # Las cifras: el personal sí; la ciudadanía, nada.
    for texto in ("/estadisticas", "/estadisticas 2026-01-01 2026-12-31"):
        assert NEGATIVA in textos(await ana.escribe(texto))
    for datos in ("est:inicio", "est:v:20260101:20261231", "est:csv:20260101:20261231",
                  "est:png:20260101:20261231", "est:v:x", "est:otra"):
        assert NEGATIVA in textos(await ana.pulsa_datos(datos)), datos
    assert all(m.documento is None for m in ana.mensajes() + personal.mensajes())
    assert await bot.almacen.roles_guardados() == {ID_NUEVA: "personal"}
    assert await acciones(bot) == []


async def test_cada_accion_del_personal_queda_en_la_bitacora(
        admin: Persona, personal: Persona, ana: Persona, john: Persona,
        bot: BotDePrueba) -> None:
    sesion_id, _a, _j = await ana_y_john_en_una_sesion(bot, ana, john)
    await abrir_sesion(personal, sesion_id)
    await personal.pulsa("📄 Lista en CSV")  # exportación
    await personal.pulsa_datos(f"pers:s:{sesion_id}")
    await personal.pulsa("❌ Cancelar la sesión")  # cambio a una sesión
    await personal.pulsa("❌ Sí, cancelar la sesión")
    await admin.escribe(f"/roles personal {ID_NUEVA}")  # cambio de rol
    await personal.pulsa_datos("est:csv:20260101:20261231")  # exportar las cifras
    assert await acciones(bot) == [
        (ID_PERSONAL, "estadisticas", "2026-01-01/2026-12-31"),
        (ID_ADMIN, "rol_dado", f"telegram {ID_NUEVA}"),
        (ID_PERSONAL, "sesion_cancelada", f"sesion {sesion_id}"),
        (ID_PERSONAL, "exportacion", f"sesion {sesion_id}"),
    ]
    detalles = " ".join(a.detalle for a in await bot.almacen.auditoria(100))
    assert "Ana" not in detalles and "John" not in detalles  # sin datos de la ciudadanía

    # Más de una página: lo más nuevo primero, y se navega.
    for i in range(12):
        await nueva_sesion(bot)
        await bot.almacen.anotar_auditoria(bot.reloj.ahora(), ID_PERSONAL, "sesion_creada",
                                           f"sesion x{i}", "")
    await admin.escribe("/auditoria")
    assert "página 1 de 2" in admin.texto()
    assert admin.texto().index("sesion x11") < admin.texto().index("sesion x2")
    await admin.pulsa("Más viejas ➡️")
    assert "página 2 de 2" in admin.texto() and f"sesion {sesion_id}" in admin.texto()
    await admin.pulsa("📄 Bitácora en CSV")
    documento = admin.ultimo().documento
    filas = list(csv.DictReader(io.StringIO(documento["contenido"].decode("utf-8-sig"))))
    assert [f["accion"] for f in filas[-4:]] == ["estadisticas", "rol_dado",
                                                  "sesion_cancelada", "exportacion"]
    assert filas[-2]["quien"] == str(ID_PERSONAL)
    assert (await acciones(bot))[0] == (ID_ADMIN, "auditoria", "")


async def test_la_importacion_queda_en_la_bitacora(tmp_path: Path,
                                                   contenido_real: Contenido) -> None:
    ruta = tmp_path / "sesiones.csv"
    ruta.write_text("curso_id,fecha,hora,duracion_min,modalidad,cupo,municipio,lugar,"
                    "direccion,mapa_url,enlace\nplan_negocio,02/12/2026,16:30,90,en_linea,50,"
                    ",,,,https://meet.example.org/abc\n", encoding="utf-8")
    ahora = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    almacen = await Almacen.abrir(tmp_path / "bd.sqlite3")  # la base del bot ya existe,
    await CatalogoCursos.abrir(almacen, Reloj(), contenido_real.cursos_ejemplo)  # con cursos
    await almacen.cerrar()
    revision = await importar(ruta, tmp_path / "bd.sqlite3", contenido_real,
                              ZoneInfo("America/Mexico_City"), ahora)
    assert not revision.errores
    almacen = await Almacen.abrir(tmp_path / "bd.sqlite3")
    try:
        [anotacion] = await almacen.auditoria(10)
    finally:
        await almacen.cerrar()
    assert (anotacion.quien, anotacion.accion, anotacion.detalle) == (
        None, "importacion", "1 sesiones")
