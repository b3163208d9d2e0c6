"""Un millón: personas registradas, inscripciones con sus recordatorios pendientes y filas en la
cola de salida. Arranque, pico de memoria, el informe más pesado del personal y /mis_datos.

    python -m bench.escala                  # 1 000 000 (la base se guarda para la próxima vez)
    python -m bench.escala --n 100000       # más chico

La base se arma una vez (en otro proceso, por el paquete del almacén) y se guarda en la carpeta
temporal con la fecha y el número de migraciones en el nombre: otra corrida el mismo día la
reutiliza (armarla de cero tarda ~1 min). Cada medición trabaja sobre una copia.

- Arranque y memoria: como `bench.arranque` (proceso propio contra `python -m emulador`),
  mediana de 3.
- Informes: el bot completo en este proceso contra el emulador; una persona del personal pide
  «Sesiones próximas» (40 sesiones con sus cupos) y el CSV de la sesión más grande
  (`--grande` inscritas); una persona pide /mis_datos. Cada cifra va desde que la
  actualización llega al bot hasta que terminó de atenderla (mediana de 5).
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
from datetime import UTC, datetime
from pathlib import Path

from bench import arranque
from bench.base_grande import PRIMER_ID
from bench.por_actualizacion import Cronometro

RAIZ = Path(__file__).resolve().parent.parent
PERSONAL = 7_000_001
REPETICIONES = 5


def ruta_en_cache(n: int, sesiones: int, grande: int) -> Path:
    migraciones = len(list((RAIZ / "nucleo" / "almacen" / "migraciones").glob("*.sql")))
    hoy = datetime.now(UTC).date().isoformat()
    return (Path(tempfile.gettempdir())
            # «d2»: sesiones desde pasado mañana (bench/base_grande.py); una base de antes, con
            # recordatorios que tocan el mismo día, pondría al día al arrancar y no se reutiliza.
            / f"coopera-escala-{n}-{sesiones}-{grande}-m{migraciones}-d2-{hoy}.sqlite3")


async def base_en_cache(n: int, sesiones: int, grande: int) -> tuple[Path, dict]:
    """La base de la medición: de la carpeta temporal si ya está; si no, la arma."""
    ruta = ruta_en_cache(n, sesiones, grande)
    datos = ruta.with_suffix(".json")
    if ruta.exists() and datos.exists():
        return ruta, json.loads(datos.read_text()) | {"de_cache": True}
    for viejo in Path(tempfile.gettempdir()).glob(f"coopera-escala-{n}-*"):
        viejo.unlink()
    temporal = ruta.with_suffix(".armando")
    temporal.unlink(missing_ok=True)
    proceso = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.base_grande", str(temporal), "--n", str(n),
        "--sesiones", str(sesiones), "--envios", str(n), "--grande", str(grande),
        cwd=RAIZ, stdout=asyncio.subprocess.PIPE)
    salida, _ = await proceso.communicate()
    assert proceso.returncode == 0, "no se pudo armar la base"
    temporal.rename(ruta)
    datos.write_text(salida.decode())
    return ruta, json.loads(salida) | {"de_cache": False}


async def medir_arranque(base: Path, carpeta: Path) -> dict:
    emulador, url, token = await arranque._emulador()
    try:
        entorno = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BASE_URL": url}
        corridas, pelado = [], []
        for _ in range(3):  # alternadas: la carga de la máquina pesa igual en las dos
            pelado.append(await arranque._correr("ptb", entorno, 0, 0))
            copia = carpeta / "arranque.sqlite3"
            shutil.copy(base, copia)
            corridas.append(await arranque._correr("coopera", {**entorno, "COOPERA_BD": str(copia)},
                                                   0, 0))
    finally:
        emulador.terminate()
        await emulador.wait()
    ptb = arranque._resumir(pelado)
    return arranque._resumir(corridas) | {"ptb_segundos": ptb["segundos_hasta_escuchar"],
                                          "ptb_cpu_s": ptb["cpu_s"]}


async def medir_informes(base: Path, carpeta: Path) -> dict[str, float]:
    from aplicacion import Coopera
    from emulador import EmuladorBotAPI, UsuarioFicticio
    from nucleo.configuracion import Configuracion, Secreto

    copia = carpeta / "informes.sqlite3"
    shutil.copy(base, copia)
    async with EmuladorBotAPI() as emulador:
        config = Configuracion(token=Secreto(emulador.token), url_base=emulador.url_base,
                               ruta_bd=copia, personal=frozenset({PERSONAL}),
                               mensajes_por_segundo=0)  # el ritmo por chat (1/s) no es costo
        bot = Coopera(config)
        await bot.iniciar()
        reloj = Cronometro(bot.aplicacion)
        personal = UsuarioFicticio(PERSONAL, first_name="Personal")
        persona = UsuarioFicticio(PRIMER_ID + 12_345, first_name="Una")
        emulador.conocer(persona)
        hechas = 0

        async def atender(accion: object) -> float:
            nonlocal hechas
            hechas += 1
            antes = len(reloj.tiempos)
            accion()
            await reloj.esperar(lambda: len(reloj.tiempos) > antes, plazo=300)
            return reloj.tiempos[antes]

        def ultimo(chat: int) -> int:
            return emulador.ultimo_del_bot(chat).message_id

        try:
            lista, csv, mis_datos = [], [], []
            for _ in range(REPETICIONES):
                await atender(lambda: emulador.escribir(personal, "/personal"))
                lista.append(await atender(
                    lambda: emulador.pulsar_boton(personal, "Sesiones próximas")))
                await atender(lambda: emulador.pulsar(personal, ultimo(PERSONAL), "pers:s:1"))
                csv.append(await atender(
                    lambda: emulador.pulsar(personal, ultimo(PERSONAL), "pers:s:1:csv")))
                mis_datos.append(await atender(lambda: emulador.escribir(persona, "/mis_datos")))
        finally:
            await bot.detener()
    return {"lista_ms": 1000 * statistics.median(lista), "csv_ms": 1000 * statistics.median(csv),
            "mis_datos_ms": 1000 * statistics.median(mis_datos)}


async def medir(n: int, sesiones: int, grande: int) -> dict:
    inicio = time.perf_counter()
    base, datos = await base_en_cache(n, sesiones, grande)
    datos["segundos_para_tener_la_base"] = time.perf_counter() - inicio
    with tempfile.TemporaryDirectory() as carpeta:
        datos |= await medir_arranque(base, Path(carpeta))
        datos |= await medir_informes(base, Path(carpeta))
    datos["mib_en_disco"] = base.stat().st_size / 2**20
    return datos


def filas(n: int = 1_000_000, sesiones: int = 5_000,
          grande: int = 5_000) -> list[tuple[str, str, str]]:
    """(qué, cifra, nota) para la tabla de `python -m bench`."""
    d = asyncio.run(medir(n, sesiones, grande))
    cuantas = f"{n:,}".replace(",", " ")
    origen = ("de la caché" if d["de_cache"]
              else f"armada en {d['segundos']:.0f} s")
    return [
        (f"{cuantas}: arranque hasta escuchar (meta ≤ 2 s)",
         f"{d['segundos_hasta_escuchar']:.2f} s",
         f"PTB pelado {d['ptb_segundos']:.2f} s en la misma corrida; CPU {d['cpu_s']:.2f} s "
         f"(PTB pelado {d['ptb_cpu_s']:.2f} s); {d['inscripciones']} inscripciones, "
         f"{d['recordatorios_pendientes']} recordatorios pendientes, {d['envios']} envíos; "
         f"{d['mib_en_disco']:.0f} MiB en disco, {origen}"),
        (f"{cuantas}: pico de memoria (meta ≤ 150 MiB)", f"{d['mib_vmhwm']:.1f} MiB", "VmHWM"),
        (f"{cuantas}: personal, «Sesiones próximas»", f"{d['lista_ms']:.1f} ms",
         f"{sesiones} sesiones; se muestran 40"),
        (f"{cuantas}: personal, CSV de la sesión más grande", f"{d['csv_ms']:.1f} ms",
         f"{grande} inscritas"),
        (f"{cuantas}: /mis_datos de una persona", f"{d['mis_datos_ms']:.1f} ms", ""),
    ]


def main(argumentos: list[str] | None = None) -> None:
    lector = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lector.add_argument("--n", type=int, default=1_000_000)
    lector.add_argument("--sesiones", type=int, default=5_000)
    lector.add_argument("--grande", type=int, default=5_000)
    opciones = lector.parse_args(argumentos)
    for que, cifra, nota in filas(opciones.n, opciones.sesiones, opciones.grande):
        print(f"{que:<55} {cifra:>10}  {nota}")


if __name__ == "__main__":
    sys.exit(main())
