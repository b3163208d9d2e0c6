"""Recordatorios de sesiones con el bot completo, el emulador y un reloj que controlamos.

Ahora (conftest): 2026-11-25 18:00 UTC = 12:00 en Puebla (UTC-6).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from emulador import EmuladorBotAPI, MensajeChat, UsuarioFicticio
from nucleo.almacen.recordatorios import SesionSemilla
from nucleo.horario import momentos_de_recordatorio
from nucleo.recordatorios import REVISION_MAXIMA
from tests.conversador import BotDePrueba, esperar

PUEBLA = timedelta(hours=-6)


def local(dia: int, hora: int, minuto: int = 0, segundo: int = 0) -> datetime:
    """Una hora de Puebla de noviembre de 2026, en UTC."""
    return datetime(2026, 11, dia, hora, minuto, segundo, tzinfo=UTC) - PUEBLA


def conocer(emulador: EmuladorBotAPI, telegram_id: int) -> None:
    # Telegram solo deja escribir a quien abrió el chat con el bot: se registra sin escribir.
    emulador.conocer(UsuarioFicticio(telegram_id, first_name=f"P{telegram_id}"))


async def inscribir(bot: BotDePrueba, ids: list[int], inicio: datetime, *,
                    idioma: str | None = None, activos: bool = True,
                    **sesion: str) -> tuple[int, list[int]]:
    """Personas que aceptaron el aviso, inscritas a una sesión de «Cooperativismo: lo básico».

    Devuelve el id de la sesión y los de las inscripciones."""
    almacen, ahora = bot.almacen, bot.reloj.ahora()
    for telegram_id in ids:
        conocer(bot.emulador, telegram_id)
    await almacen.sembrar_personas(ids, ahora, idioma, recordatorios_activos=activos)
    datos = {"lugar": "Casa de Cultura", "direccion": "5 de Mayo 12, Puebla",
             "mapa_url": "https://maps.example.com/?q=casa&z=16", **sesion}
    [sesion_id] = await almacen.sembrar_sesiones([SesionSemilla("coop_basico", inicio, **datos)],
                                                 ahora)
    inscripciones = await almacen.sembrar_inscripciones(
        [(sesion_id, i) for i in ids], ahora, plan(bot))
    await bot.coopera.recordatorios.rearmar()
    return sesion_id, inscripciones


def plan(bot: BotDePrueba) -> Callable[[datetime], list[tuple[int, datetime]]]:
    config, ahora = bot.config, bot.reloj.ahora()
    return lambda inicio: momentos_de_recordatorio(
        inicio, config.antelaciones_min, config.silencio, config.zona_horaria, ahora)


async def revisar_en(bot: BotDePrueba, momento: datetime) -> int:
    bot.reloj.fijar(momento)
    encolados = await bot.coopera.recordatorios.revisar()
    await bot.coopera.despachador.vaciar(10)
    return encolados


def recibidos(bot: BotDePrueba, telegram_id: int) -> list[MensajeChat]:
    return bot.emulador.mensajes_del_bot(telegram_id)


# --- a su hora ------------------------------------------------------------------------------


async def test_sale_a_su_hora_y_no_antes(bot: BotDePrueba) -> None:
    inicio = local(26, 17)  # mañana jueves a las 5 de la tarde
    _, [inscripcion] = await inscribir(bot, [301], inicio)
    primero, segundo = inicio - timedelta(days=1), inicio - timedelta(hours=1)
    ahora = bot.reloj.ahora()
    assert bot.coopera.recordatorios.proxima_revision == min(primero, ahora + REVISION_MAXIMA)

    assert await revisar_en(bot, primero - timedelta(seconds=1)) == 0
    assert recibidos(bot, 301) == []

    assert await revisar_en(bot, primero) == 1
    [mensaje] = recibidos(bot, 301)
    assert "Cooperativismo: lo básico" in mensaje.texto_plano
    assert "Recordatorio: tu curso es mañana a las 5:00\u00a0p.\u00a0m." in mensaje.texto_plano
    assert "jueves 26 de noviembre, 5:00\u00a0p.\u00a0m." in mensaje.texto_plano
    assert "Casa de Cultura, 5 de Mayo 12, Puebla" in mensaje.texto_plano
    assert 'href="https://maps.example.com/?q=casa&amp;z=16"' in mensaje.texto
    assert [b["callback_data"] for b in mensaje.botones()] == [
        f"rec:si:{inscripcion}", f"rec:no:{inscripcion}"]
    assert bot.coopera.recordatorios.proxima_revision == min(segundo, primero + REVISION_MAXIMA)

    assert await revisar_en(bot, segundo - timedelta(seconds=1)) == 0
    assert await revisar_en(bot, segundo) == 1
    assert await revisar_en(bot, segundo + timedelta(minutes=5)) == 0
    assert len(recibidos(bot, 301)) == 2


def adelantar_apscheduler(monkeypatch: pytest.MonkeyPatch, segundos: float) -> None:
    """Para APScheduler pasan `segundos` de golpe, como si el bucle se hubiera atorado ese
    tiempo (sin esperarlo): su hora «ahora» va adelantada en el programador, que decide qué
    trabajo toca, y en el ejecutor, que decide si un trabajo despertó demasiado tarde."""
    from apscheduler.executors import base as ejecutor
    from apscheduler.schedulers import base as programador

    class Adelantada(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(seconds=segundos)

    for modulo in (programador, ejecutor):
        assert modulo.datetime is datetime, "APScheduler cambió cómo pide la hora"
        monkeypatch.setattr(modulo, "datetime", Adelantada)


async def test_el_despertador_corre_solo_aunque_despierte_tarde(
        bot: BotDePrueba, monkeypatch: pytest.MonkeyPatch) -> None:
    """APScheduler descarta por omisión lo que despierta más de 1 s tarde; aquí no."""
    ahora = bot.reloj.ahora()
    await inscribir(bot, [302], ahora + timedelta(hours=1, seconds=1))
    assert bot.coopera.recordatorios.proxima_revision == ahora + timedelta(seconds=1)
    # El bucle «se atora» 2.5 s: el trabajo, armado para dentro de 1 s, despierta 1.5 s tarde.
    adelantar_apscheduler(monkeypatch, 2.5)
    bot.reloj.avanzar(seconds=2.5)
    bot.coopera.aplicacion.job_queue.scheduler.wakeup()
    await esperar(lambda: recibidos(bot, 302), plazo=5)


async def test_en_horas_de_silencio_sale_antes_de_que_empiecen(bot: BotDePrueba) -> None:
    inicio = local(26, 7, 30)  # el de una hora antes caería a las 6:30, en silencio
    _, [inscripcion] = await inscribir(bot, [303], inicio)
    [recordatorio] = await bot.almacen.recordatorios_de_inscripcion(inscripcion)
    assert (recordatorio.antelacion_min, recordatorio.debido_en) == (60, local(25, 20, 59))

    assert await revisar_en(bot, local(25, 20, 58, 59)) == 0
    assert await revisar_en(bot, local(25, 20, 59)) == 1
    assert len(recibidos(bot, 303)) == 1
    assert await revisar_en(bot, local(26, 6, 30)) == 0


async def test_en_ingles_y_en_linea(bot: BotDePrueba) -> None:
    inicio = local(26, 17)
    await inscribir(bot, [304], inicio, idioma="en", modalidad="en_linea",
                    enlace="https://meet.example.com/coop", lugar=None, direccion=None,
                    mapa_url=None)
    assert await revisar_en(bot, inicio - timedelta(hours=1)) == 1
    [mensaje] = recibidos(bot, 304)
    assert "Cooperatives: the basics" in mensaje.texto_plano
    assert "Reminder: your course is today at 5:00\u00a0PM, online." in mensaje.texto_plano
    assert "Thursday, November 26, 5:00\u00a0PM" in mensaje.texto_plano
    assert 'href="https://meet.example.com/coop"' in mensaje.texto
    assert "Casa de Cultura" not in mensaje.texto_plano


# --- lo que ya no tiene sentido se descarta (y queda anotado) ----------------------------------


async def test_quien_apago_los_recordatorios_no_los_recibe(bot: BotDePrueba) -> None:
    inicio = local(26, 17)
    _, [inscripcion] = await inscribir(bot, [305], inicio, activos=False)
    assert await revisar_en(bot, inicio - timedelta(hours=1)) == 0
    assert recibidos(bot, 305) == []
    estados = {r.estado for r in await bot.almacen.recordatorios_de_inscripcion(inscripcion)}
    assert estados == {"descartado"}


async def test_sesion_cancelada_no_recuerda(bot: BotDePrueba) -> None:
    inicio = local(26, 17)
    await inscribir(bot, [306], inicio, estado="cancelada")
    assert await revisar_en(bot, inicio - timedelta(hours=1)) == 0
    assert recibidos(bot, 306) == []


async def test_cancelar_la_sesion_quita_tambien_lo_que_esperaba_en_la_cola(
        bot: BotDePrueba) -> None:
    inicio = local(26, 17)
    sesion_id, [inscripcion] = await inscribir(bot, [307], inicio)
    await bot.coopera.despachador.detener()  # que el primero se quede en la cola
    bot.reloj.fijar(inicio - timedelta(days=1))
    assert await bot.coopera.recordatorios.revisar() == 1
    [envio] = await bot.almacen.envios_de(307)
    assert envio.estado == "pendiente"

    async with bot.almacen.transaccion() as bd:
        await bot.almacen.descartar_recordatorios_de_sesion(bd, sesion_id)
    assert await bot.almacen.envios_de(307) == []
    estados = [r.estado for r in await bot.almacen.recordatorios_de_inscripcion(inscripcion)]
    assert estados == ["encolado", "descartado"]


async def test_sesion_movida_rehace_los_recordatorios(bot: BotDePrueba) -> None:
    inicio = local(26, 17)
    sesion_id, [inscripcion] = await inscribir(bot, [308], inicio)
    assert await revisar_en(bot, inicio - timedelta(days=1)) == 1  # ya salió el de 24 h

    # El personal la pasa al viernes: el de 24 h debe volver a salir, con la fecha nueva.
    nuevo = local(27, 17)

    async def sin_avisos(_bd: object, _afectadas: object) -> None:
        pass

    await bot.almacen.cambiar_fecha_sesion(sesion_id, nuevo, plan(bot), bot.reloj.ahora(),
                                         sin_avisos)
    await bot.coopera.recordatorios.rearmar()
    recordatorios = await bot.almacen.recordatorios_de_inscripcion(inscripcion)
    assert [(r.antelacion_min, r.debido_en, r.estado) for r in recordatorios] == [
        (1440, nuevo - timedelta(days=1), "pendiente"),
        (60, nuevo - timedelta(hours=1), "pendiente")]
    assert await revisar_en(bot, nuevo - timedelta(days=1)) == 1
    mensajes = recibidos(bot, 308)
    assert len(mensajes) == 2
    assert "viernes 27 de noviembre" in mensajes[-1].texto_plano


async def test_si_tocan_varios_a_la_vez_sale_solo_el_ultimo(bot: BotDePrueba) -> None:
    inicio = local(26, 17)
    _, [inscripcion] = await inscribir(bot, [309], inicio)
    assert await revisar_en(bot, inicio - timedelta(minutes=30)) == 1
    assert len(recibidos(bot, 309)) == 1
    estados = [(r.antelacion_min, r.estado)
               for r in await bot.almacen.recordatorios_de_inscripcion(inscripcion)]
    assert estados == [(1440, "descartado"), (60, "encolado")]


# --- reinicios y caídas ---------------------------------------------------------------------


async def test_reiniciar_a_media_rafaga_no_repite_nada(bot: BotDePrueba) -> None:
    ids = list(range(400, 460))
    inicio = local(26, 17)
    await inscribir(bot, ids, inicio)
    bot.reloj.fijar(inicio - timedelta(hours=1))
    assert await bot.coopera.recordatorios.revisar() == 60
    # 60 a 25/s: en cuanto salieron los primeros, se reinicia a medio camino.
    await esperar(lambda: len(bot.emulador.entregados("sendMessage")) >= 5)
    await bot.reiniciar()
    pendientes = await bot.almacen.envios_pendientes()
    assert 0 < pendientes < 60
    await bot.coopera.despachador.vaciar(10)
    assert [len(recibidos(bot, i)) for i in ids] == [1] * 60
    assert await bot.coopera.recordatorios.revisar() == 0


async def test_lo_que_toco_con_el_bot_apagado_sale_al_arrancar(bot: BotDePrueba) -> None:
    ahora = bot.reloj.ahora()
    await inscribir(bot, [501], ahora + timedelta(hours=3))  # recordatorio a las +2 h
    _, [tarde] = await inscribir(bot, [502], ahora + timedelta(hours=1, minutes=30))  # a +30 min
    await bot.detener()
    bot.reloj.fijar(ahora + timedelta(hours=2, minutes=30))  # la de 502 ya empezó
    await bot.iniciar()
    await bot.coopera.despachador.vaciar(10)

    assert len(recibidos(bot, 501)) == 1
    assert recibidos(bot, 502) == []
    assert [r.estado for r in await bot.almacen.recordatorios_de_inscripcion(tarde)] == [
        "descartado"]
