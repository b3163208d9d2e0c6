"""Arranque con 100 000 inscripciones (200 000 recordatorios pendientes) y una inscripción
más bajo esa carga. Compara con un bot de PTB pelado y con «un trabajo por recordatorio».

    python -m bench.arranque                 # 100 000 inscripciones en 5 000 sesiones
    python -m bench.arranque --n 10000       # más chico

Cada variante corre en su propio proceso (así ru_maxrss es solo suyo) contra el emulador,
que corre en otro proceso (python -m emulador). Se mide desde que se lanza el proceso hasta
que el bot escucha (importar + abrir la base + getMe + comandos + puesta al día + sondeo).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from telegram.ext import Application

    from aplicacion import Coopera

RAIZ = Path(__file__).resolve().parent.parent
VARIANTES = {
    "ptb": "bot de PTB pelado (sin base ni handlers)",
    "coopera_vacia": "Coopera con la base vacía",
    "coopera": "Coopera con la base grande",
    "ingenuo": "PTB + un trabajo de JobQueue por recordatorio",
}


# --- lo que corre en cada proceso hijo ---------------------------------------------------------


async def hijo(variante: str, recordatorios: int, inscribir: int) -> dict:
    inicio = time.perf_counter()
    if variante == "ptb" or variante == "ingenuo":
        datos = await _ptb(variante, recordatorios)
    else:
        datos = await _coopera(inscribir)
    datos["segundos_en_proceso"] = time.perf_counter() - inicio
    return datos


async def _ptb(variante: str, recordatorios: int) -> dict:
    from telegram.ext import ApplicationBuilder

    app = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"])
           .base_url(os.environ["TELEGRAM_BASE_URL"]).build())
    await app.initialize()
    await app.start()
    if variante == "ingenuo":
        await _un_trabajo_por_recordatorio(app, recordatorios)
    await app.updater.start_polling(poll_interval=0.0, timeout=10)
    print("listo", flush=True)
    datos = _memoria()
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    return datos


async def _un_trabajo_por_recordatorio(app: Application, recordatorios: int) -> None:
    async def nada(_contexto: object) -> None:
        pass

    for n in range(recordatorios):
        app.job_queue.run_once(nada, when=86_400 + n, job_kwargs={"misfire_grace_time": None})


async def _coopera(inscribir: int) -> dict:
    from datetime import UTC, datetime

    from aplicacion import Coopera
    from nucleo.configuracion import Configuracion
    from nucleo.horario import momentos_de_recordatorio

    config = Configuracion.desde_entorno(os.environ)
    bot = Coopera(config)
    await bot.iniciar()
    print("listo", flush=True)
    memoria = _memoria()
    ahora = datetime.now(UTC)

    def plan(inicio: datetime) -> list[tuple[int, datetime]]:
        return momentos_de_recordatorio(inicio, config.antelaciones_min, config.silencio,
                                        config.zona_horaria, ahora)

    try:
        tiempos = await _inscribir_varias(bot, inscribir, ahora, plan)
    finally:
        await bot.detener()  # si no, el hilo de aiosqlite deja vivo al proceso
    datos = {**memoria, "mib_pico_tras_inscribir": _memoria()["mib_pico"],
             "inscripcion_ms_mediana": statistics.median(tiempos) * 1000 if tiempos else None,
             "inscripcion_ms_p95": _percentil(tiempos, 95) * 1000 if tiempos else None,
             "inscripcion_ms_max": max(tiempos) * 1000 if tiempos else None}
    return datos


async def _inscribir_varias(bot: Coopera, cuantas: int, ahora: datetime,
                            plan: Callable[[datetime], list]) -> list[float]:
    """Inscripción de verdad (cupo, espera y recordatorios en una transacción) + reprogramar."""
    sesiones = await bot.almacen.sesiones_proximas(ahora)
    if not sesiones or not cuantas:
        return []
    personas = list(range(900_000_000, 900_000_000 + cuantas))
    await bot.almacen.sembrar_personas(personas, ahora)
    tiempos = []
    for n, persona in enumerate(personas):
        sesion = sesiones[(n * 7919) % len(sesiones)]  # repartidas por toda la base
        inicio = time.perf_counter()
        resultado = await bot.almacen.inscribir(sesion.id, persona, ahora, plan)
        await bot.recordatorios.rearmar()
        tiempos.append(time.perf_counter() - inicio)
        assert resultado.exito, resultado
    return tiempos


def _memoria() -> dict:
    """Pico de memoria del proceso: ru_maxrss y VmHWM (este último no se hereda del padre)."""
    import resource

    pico = Path("/proc/self/status").read_text()
    vmhwm = next((int(linea.split()[1]) for linea in pico.splitlines()
                  if linea.startswith("VmHWM:")), 0)
    uso = resource.getrusage(resource.RUSAGE_SELF)
    return {"mib_pico": uso.ru_maxrss / 1024, "mib_vmhwm": vmhwm / 1024,
            "cpu_s": uso.ru_utime + uso.ru_stime}  # no depende de la carga de la máquina


def _percentil(valores: list[float], p: int) -> float:
    ordenados = sorted(valores)
    return ordenados[min(len(ordenados) - 1, len(ordenados) * p // 100)]


# --- el que orquesta ----------------------------------------------------------------------------


async def _emulador() -> tuple[asyncio.subprocess.Process, str, str]:
    proceso = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulador", "--puerto", "0", cwd=RAIZ,
        stdout=asyncio.subprocess.PIPE)
    valores = {}
    while len(valores) < 2:
        linea = (await proceso.stdout.readline()).decode().strip()
        clave, _, valor = linea.partition("=")
        if clave in ("TELEGRAM_BASE_URL", "TELEGRAM_BOT_TOKEN"):
            valores[clave] = valor
    return proceso, valores["TELEGRAM_BASE_URL"], valores["TELEGRAM_BOT_TOKEN"]


async def _correr(variante: str, entorno: dict[str, str], recordatorios: int,
                  inscribir: int) -> dict:
    lanzado = time.perf_counter()
    proceso = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.arranque", "--hijo", variante,
        "--recordatorios", str(recordatorios), "--inscribir", str(inscribir),
        cwd=RAIZ, env=entorno, stdout=asyncio.subprocess.PIPE)
    assert (await proceso.stdout.readline()).strip() == b"listo"
    datos = {"segundos_hasta_escuchar": time.perf_counter() - lanzado}
    datos |= json.loads(await proceso.stdout.readline())
    await proceso.wait()
    return datos


async def _armar_base(ruta: Path, n: int, sesiones: int) -> dict:
    # En otro proceso: este queda chico, y Linux hereda el ru_maxrss del padre a los hijos.
    proceso = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.base_grande", str(ruta), "--n", str(n),
        "--sesiones", str(sesiones), cwd=RAIZ, stdout=asyncio.subprocess.PIPE)
    salida, _ = await proceso.communicate()
    return json.loads(salida)


async def orquestar(n: int, sesiones: int, repeticiones: int, inscribir: int) -> None:
    with tempfile.TemporaryDirectory() as carpeta:
        grande, vacia = Path(carpeta) / "grande.sqlite3", Path(carpeta) / "vacia.sqlite3"
        base = await _armar_base(grande, n, sesiones)
        await _armar_base(vacia, 0, 0)
        print(f"Base: {json.dumps(base)}")
        emulador, url, token = await _emulador()
        try:
            entorno = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BASE_URL": url}
            resultados = {}
            for variante in VARIANTES:
                corridas = []
                for _ in range(repeticiones):
                    # Cada corrida con su copia: las inscripciones medidas no se acumulan.
                    bd = Path(carpeta) / "corrida.sqlite3"
                    shutil.copy(vacia if variante == "coopera_vacia" else grande, bd)
                    corridas.append(await _correr(
                        variante, {**entorno, "COOPERA_BD": str(bd)},
                        base["recordatorios_pendientes"],
                        inscribir if variante == "coopera" else 0))
                resultados[variante] = _resumir(corridas)
        finally:
            emulador.terminate()
            await emulador.wait()
    _imprimir(resultados, base)


def _resumir(corridas: list[dict]) -> dict:
    """Mediana de cada cifra entre las repeticiones."""
    claves = [c for c in corridas[0] if corridas[0][c] is not None]
    return {c: statistics.median(corrida[c] for corrida in corridas) for c in claves}


def _imprimir(resultados: dict, base: dict) -> None:
    ptb = resultados["ptb"]
    print(f"\n{'variante':<48} {'hasta escuchar':>15} {'x PTB':>6} {'MiB pico':>9} "
          f"{'VmHWM':>7}")
    for variante, datos in resultados.items():
        print(f"{VARIANTES[variante]:<48} {datos['segundos_hasta_escuchar']:>13.2f} s "
              f"{datos['segundos_hasta_escuchar'] / ptb['segundos_hasta_escuchar']:>6.2f} "
              f"{datos['mib_pico']:>9.1f} {datos['mib_vmhwm']:>7.1f}")
    coopera = resultados["coopera"]
    if "inscripcion_ms_mediana" in coopera:
        print(f"\nUna inscripción con {base['inscripciones']} inscripciones y "
              f"{base['recordatorios_pendientes']} recordatorios pendientes (inscribir + "
              f"reprogramar): mediana {coopera['inscripcion_ms_mediana']:.2f} ms, "
              f"p95 {coopera['inscripcion_ms_p95']:.2f} ms, "
              f"máx {coopera['inscripcion_ms_max']:.2f} ms; "
              f"MiB pico tras inscribir: {coopera['mib_pico_tras_inscribir']:.1f}")
    print(json.dumps(resultados, indent=1))


def main() -> None:
    lector = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lector.add_argument("--n", type=int, default=100_000, help="inscripciones")
    lector.add_argument("--sesiones", type=int, default=5_000)
    lector.add_argument("--repeticiones", type=int, default=3)
    lector.add_argument("--inscribir", type=int, default=200,
                        help="inscripciones a medir bajo carga")
    lector.add_argument("--hijo", choices=list(VARIANTES), help=argparse.SUPPRESS)
    lector.add_argument("--recordatorios", type=int, default=0, help=argparse.SUPPRESS)
    opciones = lector.parse_args()
    if opciones.hijo:
        datos = asyncio.run(hijo(opciones.hijo, opciones.recordatorios, opciones.inscribir))
        print(json.dumps(datos), flush=True)
    else:
        asyncio.run(orquestar(opciones.n, opciones.sesiones, opciones.repeticiones,
                              opciones.inscribir))


if __name__ == "__main__":
    main()
