"""Todas las mediciones, una sola tabla.

    python -m bench                 # todo, con un millón en la escala (~12 min; la base se guarda)
    python -m bench --rapido        # cifras chicas, para ver que todo corre (~3 min)

Cada módulo de `bench/` sigue corriendo solo (`python -m bench.escala`, etc.); aquí cada uno
entrega sus filas (qué, cifra, nota) y se imprimen juntas, con la máquina arriba.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import anuncios, escala, por_actualizacion, rafaga

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
    filas += anuncios.filas(opciones.rapido)
    ancho = max(len(f[0]) for f in filas)
    print(f"\n| {'qué':<{ancho}} | cifra | nota |\n|{'-' * (ancho + 2)}|---:|---|")
    for que, cifra, nota in filas:
        print(f"| {que:<{ancho}} | {cifra} | {nota} |")


if __name__ == "__main__":
    sys.exit(main())
