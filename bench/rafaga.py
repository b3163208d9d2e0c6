"""10 000 recordatorios que tocan en el mismo instante: cuánto tarda en salir el primero y el
último, contra el emulador con los límites de Telegram (429) y a 30 mensajes por segundo.

    python -m bench.rafaga                # 10 000: el último sale ~333 s tarde (10 000 / 30)
    python -m bench.rafaga --n 1000       # más chico
    python -m bench.rafaga --n 1000 --comparar   # y lo mismo con PTB solo (AIORateLimiter)

El bot completo (Coopera, reloj real) arranca antes de la hora; el despertador de la JobQueue
dispara a su hora, la revisión encola todo y el despachador lo manda. El emulador corre en el
mismo proceso (comparte la CPU con el bot: las cifras son conservadoras).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aplicacion import Coopera
from emulador import EmuladorBotAPI, Peticion, UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.almacen.recordatorios import SesionSemilla
from nucleo.configuracion import Configuracion, Secreto

PRIMER_ID = 20_000_000
ADELANTO = 3.0  # s entre que el bot termina de arrancar y la hora de los recordatorios


async def preparar(ruta: Path, emulador: EmuladorBotAPI, n: int, debido: datetime) -> None:
    personas = list(range(PRIMER_ID, PRIMER_ID + n))
    almacen = await Almacen.abrir(ruta)
    try:
        await almacen.sembrar_personas(personas, datetime.now(UTC))
        sesiones = await almacen.sembrar_sesiones(
            [SesionSemilla("coop_basico", debido + timedelta(hours=1), cupo=n,
                           lugar="Casa de la Cultura", direccion="5 Oriente 5, Puebla")],
            datetime.now(UTC))
        await almacen.sembrar_inscripciones([(sesiones[0], p) for p in personas],
                                            datetime.now(UTC), lambda _inicio: [(60, debido)])
    finally:
        await almacen.cerrar()
    for persona in personas:  # ya abrieron el chat con el bot
        emulador.conocer(UsuarioFicticio(persona, first_name=f"P{persona}"))


async def medir_coopera(n: int, por_segundo: float) -> dict:
    with tempfile.TemporaryDirectory() as carpeta:
        async with EmuladorBotAPI(limitar_tasas=True) as emulador:
            ruta = Path(carpeta) / "rafaga.sqlite3"
            config = Configuracion(token=Secreto(emulador.token), url_base=emulador.url_base,
                                   ruta_bd=ruta, envios_por_segundo=por_segundo)
            debido = (datetime.now(UTC) + timedelta(seconds=60)).replace(microsecond=0)
            await preparar(ruta, emulador, n, debido)
            bot = Coopera(config)
            await bot.iniciar()
            # La base se armó con holgura; ahora se fija la hora a ADELANTO s de aquí.
            debido = await _acercar_la_hora(bot, n, debido)
            t_debido = time.monotonic() + (debido - datetime.now(UTC)).total_seconds()
            encolados_en = await _esperar(emulador, bot, n, t_debido, por_segundo)
            await bot.detener()
            return _cifras(emulador, n, t_debido) | {"todo_encolado_s": encolados_en}


async def _acercar_la_hora(bot: Coopera, n: int, debido: datetime) -> datetime:
    """Como si el personal hubiera movido la sesión: todos los recordatorios a la misma hora,
    a ADELANTO s de ahora, y se reprograma el despertador (un solo trabajo)."""
    nuevo = (datetime.now(UTC) + timedelta(seconds=ADELANTO + 1)).replace(microsecond=0)
    async with bot.almacen.transaccion() as bd:
        await bot.almacen.rehacer_recordatorios_de_sesion(bd, 1, lambda _inicio: [(60, nuevo)])
    await bot.recordatorios.rearmar()
    assert bot.recordatorios.proxima_revision == nuevo
    return nuevo


async def _esperar(emulador: EmuladorBotAPI, bot: Coopera, n: int, t_debido: float,
                   por_segundo: float) -> float | None:
    limite = t_debido + n / por_segundo * 1.5 + 30
    encolados_en, aviso = None, time.monotonic() + 30
    while len(emulador.entregados("sendMessage")) < n and time.monotonic() < limite:
        await asyncio.sleep(0.25)
        if encolados_en is None and (await bot.almacen.cuenta_recordatorios())["encolado"] >= n:
            encolados_en = time.monotonic() - t_debido
        if time.monotonic() > aviso:
            aviso += 30
            print(f"  ... {len(emulador.entregados('sendMessage'))}/{n} entregados", flush=True)
    return encolados_en


def _cifras(emulador: EmuladorBotAPI, n: int, t_debido: float) -> dict:
    entregas: list[Peticion] = emulador.entregados("sendMessage")
    instantes = sorted(p.instante - t_debido for p in entregas)
    por_chat = Counter(p.parametros["chat_id"] for p in entregas)
    return {
        "n": n,
        "entregados": len(entregas),
        "perdidos": n - len(por_chat),
        "duplicados": sum(v - 1 for v in por_chat.values()),
        "respuestas_429": sum(1 for p in emulador.peticiones if p.estado_http == 429),
        "primero_tarde_s": instantes[0] if instantes else None,
        "ultimo_tarde_s": instantes[-1] if instantes else None,
        "por_segundo_medido": (len(instantes) - 1) / (instantes[-1] - instantes[0])
        if len(instantes) > 1 else None,
        "maximo_en_un_segundo": _maximo_en_un_segundo(instantes),
    }


def _maximo_en_un_segundo(instantes: list[float]) -> int:
    maximo, inicio = 0, 0
    for fin, instante in enumerate(instantes):
        while instante - instantes[inicio] >= 1.0:
            inicio += 1
        maximo = max(maximo, fin - inicio + 1)
    return maximo


async def medir_ptb(n: int, por_segundo: float) -> dict:
    """Lo mismo con PTB solo: AIORateLimiter y un send_message por persona, todos a la vez."""
    from telegram.ext import AIORateLimiter, ApplicationBuilder

    async with EmuladorBotAPI(limitar_tasas=True) as emulador:
        for persona in range(PRIMER_ID, PRIMER_ID + n):
            emulador.conocer(UsuarioFicticio(persona, first_name=f"P{persona}"))
        app = (ApplicationBuilder().token(emulador.token).base_url(emulador.url_base)
               .rate_limiter(AIORateLimiter(overall_max_rate=por_segundo, max_retries=5))
               .build())
        await app.initialize()
        t_debido = time.monotonic()
        resultados = await asyncio.gather(
            *(app.bot.send_message(p, "🔔 <b>Recordatorio</b>", parse_mode="HTML")
              for p in range(PRIMER_ID, PRIMER_ID + n)), return_exceptions=True)
        await app.shutdown()
        errores = Counter(type(r).__name__ for r in resultados if isinstance(r, Exception))
        return _cifras(emulador, n, t_debido) | {"errores": dict(errores)}


def filas(n: int = 1_000, por_segundo: float = 30.0) -> list[tuple[str, str, str]]:
    """(qué, cifra, nota) para la tabla de `python -m bench`."""
    d = asyncio.run(medir_coopera(n, por_segundo))
    return [
        (f"recordatorios: {n} a la misma hora, el primero sale tarde por",
         f"{d['primero_tarde_s']:.2f} s", f"a {por_segundo:g}/s con 429 como Telegram"),
        (f"recordatorios: {n} a la misma hora, el último sale tarde por",
         f"{d['ultimo_tarde_s']:.1f} s",
         f"por fuerza ≥ {n / por_segundo:.0f} s; ritmo medido "
         f"{d['por_segundo_medido']:.1f}/s, máx. {d['maximo_en_un_segundo']} en un segundo"),
        (f"recordatorios: {n}, perdidos / duplicados / 429",
         f"{d['perdidos']} / {d['duplicados']} / {d['respuestas_429']}",
         "10 000 (2026-11-25): último a 342.9 s, 0 / 0 / 0"),
    ]


def main() -> None:
    lector = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lector.add_argument("--n", type=int, default=10_000)
    lector.add_argument("--por-segundo", type=float, default=30.0)
    lector.add_argument("--comparar", action="store_true", help="también con PTB solo")
    opciones = lector.parse_args()
    print(f"Coopera: {opciones.n} recordatorios a la misma hora, "
          f"{opciones.por_segundo:g}/s (el último, a ~{opciones.n / opciones.por_segundo:.0f} s)",
          flush=True)
    print(json.dumps(asyncio.run(medir_coopera(opciones.n, opciones.por_segundo)), indent=1))
    if opciones.comparar:
        print("PTB solo (AIORateLimiter):", flush=True)
        print(json.dumps(asyncio.run(medir_ptb(opciones.n, opciones.por_segundo)), indent=1))


if __name__ == "__main__":
    main()
