"""Muchas personas piden lugar al mismo tiempo: el cupo se respeta exacto y la lista de espera
queda en orden de llegada. Primero directo contra el almacén (200 a la vez con gather) y luego
como personas, pulsando el botón a la vez por el emulador."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from emulador import UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.almacen.cursos import SesionNueva
from nucleo.vocabulario import Inscribir
from tests.conversador import INICIO, BotDePrueba

INSCRITA, ESPERA, YA_INSCRITA = Inscribir.INSCRITA, Inscribir.ESPERA, Inscribir.YA_INSCRITA

PERSONAS, CUPO = 200, 20


def _sin_recordatorios(_inicio: object) -> list:
    return []


async def test_200_a_la_vez_en_20_lugares(tmp_path: Path) -> None:
    almacen = await Almacen.abrir(tmp_path / "concurrente.sqlite3")
    try:
        ids = list(range(5000, 5000 + PERSONAS))
        await almacen.sembrar_personas(ids, INICIO)
        sesion_id = await almacen.crear_sesion(
            SesionNueva("coop_basico", INICIO + timedelta(days=3), 120, "presencial", CUPO),
            INICIO)
        planes = lambda inicio: [(60, inicio - timedelta(hours=1))]  # noqa: E731
        resultados = await asyncio.gather(
            *(almacen.inscribir(sesion_id, t, INICIO, planes) for t in ids))

        assert [r.codigo for r in resultados] == [INSCRITA] * CUPO + [ESPERA] * (PERSONAS - CUPO)
        assert [r.posicion_espera for r in resultados[CUPO:]] == list(range(1, PERSONAS - CUPO + 1))
        lista = await almacen.lista_de_sesion(sesion_id)
        assert [(i.telegram_id, i.estado) for i in lista] == (
            [(t, INSCRITA) for t in ids[:CUPO]] + [(t, ESPERA) for t in ids[CUPO:]])
        sesion = await almacen.sesion(sesion_id)
        assert (sesion.inscritas, sesion.en_espera, sesion.lugares_libres) == (CUPO, 180, 0)
        con_recordatorio = [i for i in lista if await almacen.recordatorios_de_inscripcion(i.id)]
        assert [i.telegram_id for i in con_recordatorio] == ids[:CUPO]

        # La misma gente otra vez a la vez: nadie queda dos veces.
        otra_vez = await asyncio.gather(
            *(almacen.inscribir(sesion_id, t, INICIO, planes) for t in ids))
        assert not any(r.exito for r in otra_vez)
        assert len(await almacen.lista_de_sesion(sesion_id)) == PERSONAS

        # Diez dejan su lugar a la vez: suben los diez primeros de la espera, en orden.
        avisados = []

        async def avisar(_bd: object, promovidas: list) -> None:
            avisados.extend(p.telegram_id for p in promovidas)

        bajas = await asyncio.gather(*(
            almacen.cancelar_inscripcion(resultados[i].inscripcion_id, ids[i], INICIO, planes,
                                         avisar)
            for i in range(10)))
        assert [b.promocion.telegram_id for b in bajas] == ids[CUPO:CUPO + 10]
        assert avisados == ids[CUPO:CUPO + 10]  # cada una con su aviso, dentro de su cambio
        lista = await almacen.lista_de_sesion(sesion_id)
        assert [i.telegram_id for i in lista if i.estado == INSCRITA] == ids[10:CUPO + 10]
        assert [i.posicion_espera for i in lista if i.estado == ESPERA] == list(range(1, 171))
    finally:
        await almacen.cerrar()


async def test_muchas_personas_pulsan_a_la_vez(bot: BotDePrueba) -> None:
    cupo, cuantas = 5, 30
    sesion_id = await bot.almacen.crear_sesion(
        SesionNueva("coop_basico", INICIO + timedelta(days=3), 120, "presencial", cupo,
                    municipio_clave="21114", lugar="Casa de Cultura"), bot.reloj.ahora())
    gente = [bot.persona(UsuarioFicticio(7000 + n, first_name=f"P{n}")) for n in range(cuantas)]
    await bot.almacen.sembrar_personas([p.id for p in gente], bot.reloj.ahora())
    for quien in gente:  # cada quien ve la fecha con lugares libres
        await quien.escribe("/cursos")
        await quien.pulsa_datos(f"cur:s:{sesion_id}")
        assert "¿Te inscribo en esta fecha?" in quien.texto()

    await _todas_pulsan(bot, gente, "✅ Sí, inscribirme")
    con_lugar = [p for p in gente if "Tienes tu lugar" in p.texto()]
    sin_lugar = [p for p in gente if "justo se acabaron los lugares" in p.texto()]
    assert con_lugar == gente[:cupo] and sin_lugar == gente[cupo:]

    await _todas_pulsan(bot, list(reversed(sin_lugar)), "📝 Sí, anotarme en la espera")
    lista = await bot.almacen.lista_de_sesion(sesion_id)
    assert [(i.telegram_id, i.estado) for i in lista] == (
        [(p.id, INSCRITA) for p in gente[:cupo]]
        + [(p.id, ESPERA) for p in reversed(sin_lugar)])
    for posicion, quien in enumerate(reversed(sin_lugar), 1):
        assert f"Tu lugar en la fila: {posicion}." in quien.texto()
    resultado = await bot.almacen.inscribir(sesion_id, gente[0].id, bot.reloj.ahora(),
                                            _sin_recordatorios, permitir_espera=False)
    assert resultado.codigo == YA_INSCRITA  # ya tenía lugar: se lo decimos, no «lleno»


async def _todas_pulsan(bot: BotDePrueba, gente: list, boton: str) -> None:
    """Todas las pulsaciones llegan juntas a la cola antes de que el bot atienda la primera."""
    ultimo = 0
    for quien in gente:
        ultimo = bot.emulador.pulsar_boton(quien.usuario, boton)
    await bot.atendido(ultimo)
