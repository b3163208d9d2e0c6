"""Todas las mediciones, una sola tabla.

    python -m bench                 # todo, con un millón en la escala (~10 min; la base se guarda)
    python -m bench --rapido        # cifras chicas, para ver que todo corre (~2 min)

Cada módulo de `bench/` sigue corriendo solo (`python -m bench.escala`, etc.); aquí cada uno
entrega sus filas (qué, cifra, nota) y se imprimen juntas, con la máquina arriba.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import escala, por_actualizacion, rafaga

# Cifras de antes, para comparar (bench/RESULTS.md, 2026-11-25, misma máquina).
ANTES = [
    ("100 000: arranque hasta escuchar (2026-11-25)", "0.69 s",
     "100 000 inscripciones, 198 500 recordatorios pendientes"),
    ("100 000: pico de memoria (2026-11-25)", "51 MiB", "VmHWM"),
]


def maquina() -> str:
    modelo = next((linea.split(":", 1)[1].strip()
                   for linea in Path("/proc/cpuinfo").read_text().splitlines()
                   if linea.startswith("model name")), platform.processor())
    carga = " / ".join(f"{c:.1f}" for c in os.getloadavg())
    return (f"nproc = {os.cpu_count()}, {modelo}, Python {platform.python_version()}, "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, carga (1/5/15 min) {carga}")


def _filas_de_anuncios(anuncios: object, n: int) -> list[tuple[str, str, str]]:
    """`bench/anuncios.py` (de otro issue): sus `filas()` si las tiene; si no, cada cifra de
    `medir()` (n a 30/s con 100 personas usando el bot) en su propia fila."""
    if hasattr(anuncios, "filas"):
        return anuncios.filas()
    datos = asyncio.run(anuncios.medir(n, 30, 100))
    return [(f"anuncios: {n} a 30/s, {clave}",
             f"{valor:.2f}" if isinstance(valor, float) else str(valor), "bench/anuncios.py")
            for clave, valor in datos.items() if isinstance(valor, (int, float, str))]


def main(argumentos: list[str] | None = None) -> None:
    lector = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lector.add_argument("--rapido", action="store_true", help="cifras chicas")
    lector.add_argument("--n", type=int, default=None, help="personas en la escala")
    opciones = lector.parse_args(argumentos)
    n = opciones.n or (20_000 if opciones.rapido else 1_000_000)
    print(f"Máquina: {maquina()}", flush=True)
    filas = []
    filas += por_actualizacion.filas(*((100, 30) if opciones.rapido else (300, 100)))
    filas += escala.filas(n, 500 if opciones.rapido else 5_000,
                          1_000 if opciones.rapido else 5_000)
    filas += ANTES
    filas += rafaga.filas(300 if opciones.rapido else 1_000)
    try:
        from bench import anuncios
    except ImportError:
        filas.append(("anuncios a muchas personas", "pendiente", "bench/anuncios.py no existe"))
    else:
        filas += _filas_de_anuncios(anuncios, 300 if opciones.rapido else 1_000)
    ancho = max(len(f[0]) for f in filas)
    print(f"\n| {'qué':<{ancho}} | cifra | nota |\n|{'-' * (ancho + 2)}|---:|---|")
    for que, cifra, nota in filas:
        print(f"| {que:<{ancho}} | {cifra} | {nota} |")


if __name__ == "__main__":
    sys.exit(main())
