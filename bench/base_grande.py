"""Arma una base con muchas inscripciones, de golpe (executemany, por el paquete del almacén).

    python -m bench.base_grande RUTA --n 100000 --sesiones 5000

Cada inscripción es de una persona distinta (ya aceptó el aviso) y trae sus recordatorios
(24 h y 1 h antes, con horas de silencio) todavía pendientes: las sesiones son de los próximos
60 días.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nucleo.almacen import Almacen
from nucleo.almacen.recordatorios import SesionSemilla
from nucleo.configuracion import Configuracion, Secreto
from nucleo.horario import momentos_de_recordatorio

PRIMER_ID = 10_000_000
CURSOS = ("coop_basico", "coop_formar", "eco_solidaria", "costos_precios", "plan_negocio")


async def armar(ruta: Path, inscripciones: int, sesiones: int, *, envios: int = 0,
                grande: int = 0) -> dict[str, float]:
    """Crea la base y devuelve cuánto tardó y cuántas filas quedaron. `envios`: filas ya
    enviadas en la cola de salida (una por persona, en orden); `grande`: las primeras tantas
    personas van a la primera sesión (una sesión muy grande, para la lista y el CSV)."""
    config = Configuracion(token=Secreto("1:x"))
    ahora = datetime.now(UTC).replace(microsecond=0)
    inicio = time.perf_counter()
    almacen = await Almacen.abrir(ruta)
    try:
        personas = list(range(PRIMER_ID, PRIMER_ID + inscripciones))
        await almacen.sembrar_personas(personas, ahora)
        semillas = [SesionSemilla(CURSOS[n % len(CURSOS)], _inicio(ahora, n, sesiones),
                                  lugar="Casa de la Cultura", direccion="5 Oriente 5, Puebla",
                                  cupo=max(30, inscripciones // max(sesiones, 1) + 10,
                                           grande if n == 0 else 0))
                    for n in range(sesiones)]
        ids_sesiones = await almacen.sembrar_sesiones(semillas, ahora)

        def plan(inicio_sesion: datetime) -> list[tuple[int, datetime]]:
            return momentos_de_recordatorio(inicio_sesion, config.antelaciones_min,
                                            config.silencio, config.zona_horaria, ahora)

        pares = [(ids_sesiones[0 if n < grande else n % sesiones], p)
                 for n, p in enumerate(personas)]
        for desde in range(0, len(pares), 200_000):  # por tandas: menos memoria
            await almacen.sembrar_inscripciones(pares[desde:desde + 200_000], ahora, plan)
        del pares
        for desde in range(0, envios, 200_000):
            await almacen.sembrar_envios(
                [personas[n % len(personas)] for n in range(desde, min(envios, desde + 200_000))],
                ahora)
        recordatorios = await almacen.cuenta_recordatorios()
    finally:
        await almacen.cerrar()
    return {"segundos": time.perf_counter() - inicio, "inscripciones": inscripciones,
            "sesiones": sesiones, "recordatorios_pendientes": recordatorios["pendiente"],
            "envios": envios, "sesion_grande": grande,
            "mib_en_disco": ruta.stat().st_size / 2**20}


def _inicio(ahora: datetime, n: int, sesiones: int) -> datetime:
    """Repartidas en 60 días, a horas de oficina (de 9 a 17 en Puebla = 15 a 23 UTC), desde
    pasado mañana: el primer recordatorio (24 h antes) toca al día siguiente de armar la base, así
    que otra corrida el mismo día (`bench.escala` la reutiliza) no arranca poniéndose al día."""
    dia = 2 + n * 60 // sesiones
    hora = 15 + n % 9
    return (ahora + timedelta(days=dia)).replace(hour=hora, minute=0, second=0)


def main() -> None:
    lector = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lector.add_argument("ruta", type=Path)
    lector.add_argument("--n", type=int, default=100_000, help="inscripciones")
    lector.add_argument("--sesiones", type=int, default=5_000)
    lector.add_argument("--envios", type=int, default=0, help="filas ya enviadas en la cola")
    lector.add_argument("--grande", type=int, default=0, help="inscritas en la 1.ª sesión")
    opciones = lector.parse_args()
    print(json.dumps(asyncio.run(armar(opciones.ruta, opciones.n, opciones.sesiones,
                                       envios=opciones.envios, grande=opciones.grande))))


if __name__ == "__main__":
    main()
