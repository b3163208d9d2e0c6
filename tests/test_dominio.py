"""Las operaciones de `nucleo.capacitacion` guardan el cambio y su aviso en una sola
transacción: un corte entre «se liberó un lugar» y «se avisó a quien lo recibe» no pierde nada.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from nucleo import avisos
from nucleo.almacen.cursos import SesionNueva
from nucleo.vocabulario import EstadoInscripcion


async def _con_consentimiento(bot, *ids: int) -> None:
    ahora = bot.reloj.ahora()
    for telegram_id in ids:
        await bot.almacen.registrar_consentimiento(telegram_id, True, "prueba", ahora)


async def _sesion_llena_con_espera(bot) -> tuple[int, int, int]:
    """Cupo 1: la persona 501 tiene el lugar y la 502 espera."""
    await _con_consentimiento(bot, 501, 502)
    capacitacion = bot.coopera.aplicacion.bot_data["servicios"].capacitacion
    sesion_id = await capacitacion.crear_sesion(SesionNueva(
        "coop_basico", bot.reloj.ahora() + timedelta(days=3), 120, "presencial", 1,
        municipio_clave="21114", lugar="Casa de Cultura"))
    con_lugar = await capacitacion.inscribir(sesion_id, 501, permitir_espera=False)
    en_espera = await capacitacion.inscribir(sesion_id, 502, permitir_espera=True)
    assert (con_lugar.codigo, en_espera.codigo) == ("inscrita", "espera")
    return sesion_id, con_lugar.inscripcion_id, en_espera.inscripcion_id


def _leer_de_otra_conexion(bot, inscripciones: tuple[int, int]) -> tuple[list[str], list[str]]:
    """Lo que ya está confirmado en disco, visto por otro proceso (otra conexión)."""
    with sqlite3.connect(bot.config.ruta_bd) as bd:
        estados = [bd.execute("SELECT estado FROM inscripciones WHERE id = ?", (i,)).fetchone()[0]
                   for i in inscripciones]
        claves = [fila[0] for fila in bd.execute("SELECT clave FROM envios ORDER BY id")]
    return estados, claves


async def test_el_aviso_del_lugar_liberado_se_confirma_con_el_cambio(bot) -> None:
    _sesion_id, primera, segunda = await _sesion_llena_con_espera(bot)
    await bot.coopera.despachador.detener()  # nada sale: solo importa qué quedó en disco
    capacitacion = bot.coopera.aplicacion.bot_data["servicios"].capacitacion

    baja = await capacitacion.dejar_lugar(primera, 501)

    assert baja.hecha and baja.promocion is not None and baja.promocion.telegram_id == 502
    estados, claves = _leer_de_otra_conexion(bot, (primera, segunda))
    assert estados == [EstadoInscripcion.CANCELADA, EstadoInscripcion.INSCRITA]
    assert f"ascenso:{segunda}" in claves


async def test_un_corte_antes_del_aviso_no_libera_el_lugar(bot, monkeypatch) -> None:
    """Si el proceso cae entre liberar el lugar y encolar el aviso, la transacción no se
    confirma: el lugar sigue ocupado y nadie subió sin enterarse."""
    _sesion_id, primera, segunda = await _sesion_llena_con_espera(bot)
    await bot.coopera.despachador.detener()
    capacitacion = bot.coopera.aplicacion.bot_data["servicios"].capacitacion

    def corte(*_argumentos: object, **_nombrados: object) -> None:
        raise SystemExit("el proceso murió aquí")

    monkeypatch.setattr(avisos, "lugar_liberado", corte)
    with pytest.raises(SystemExit):
        await capacitacion.dejar_lugar(primera, 501)

    estados, claves = _leer_de_otra_conexion(bot, (primera, segunda))
    assert estados == [EstadoInscripcion.INSCRITA, EstadoInscripcion.ESPERA]
    assert not any(clave.startswith("ascenso:") for clave in claves)
    # Al «reiniciar», la misma petición funciona y el aviso sale con el cambio.
    monkeypatch.undo()
    assert (await capacitacion.dejar_lugar(primera, 501)).promocion is not None
    estados, claves = _leer_de_otra_conexion(bot, (primera, segunda))
    assert estados == [EstadoInscripcion.CANCELADA, EstadoInscripcion.INSCRITA]
    assert f"ascenso:{segunda}" in claves


async def test_subir_el_cupo_avisa_en_la_misma_transaccion(bot, monkeypatch) -> None:
    sesion_id, primera, segunda = await _sesion_llena_con_espera(bot)
    await bot.coopera.despachador.detener()
    capacitacion = bot.coopera.aplicacion.bot_data["servicios"].capacitacion

    def corte(*_argumentos: object, **_nombrados: object) -> None:
        raise SystemExit("el proceso murió aquí")

    monkeypatch.setattr(avisos, "lugar_liberado", corte)
    with pytest.raises(SystemExit):
        await capacitacion.cambiar_cupo(sesion_id, 2)
    assert (await bot.almacen.sesion(sesion_id)).cupo == 1
    monkeypatch.undo()

    cambio = await capacitacion.cambiar_cupo(sesion_id, 2)
    assert cambio is not None and [p.telegram_id for p in cambio.promovidas] == [502]
    estados, claves = _leer_de_otra_conexion(bot, (primera, segunda))
    assert estados == [EstadoInscripcion.INSCRITA, EstadoInscripcion.INSCRITA]
    assert f"ascenso:{segunda}" in claves


async def test_quien_borra_sus_datos_deja_su_lugar_a_quien_espera(bot) -> None:
    """Borrar los datos (o rechazar el aviso después de aceptarlo) libera los lugares: sube
    quien sigue en la fila y se le avisa, como si la persona hubiera dejado su lugar."""
    _sesion_id, _primera, segunda = await _sesion_llena_con_espera(bot)
    await bot.coopera.despachador.detener()
    capacitacion = bot.coopera.aplicacion.bot_data["servicios"].capacitacion

    assert await capacitacion.soltar_lugares(501) == 1
    await bot.almacen.borrar_persona(501)

    estados, claves = _leer_de_otra_conexion(bot, (segunda, segunda))
    assert estados[0] == EstadoInscripcion.INSCRITA
    assert f"ascenso:{segunda}" in claves
    assert await capacitacion.soltar_lugares(501) == 0  # ya no queda nada suyo
