"""Una difusión grande por la cola de envíos, con UN presupuesto para todo el bot.

    python -m bench.anuncios                      # 10 000 a 30/s con límites (~6 min) y 100
                                                  # personas usando el bot mientras tanto
    python -m bench.anuncios --n 1000             # más chico (~35 s)
    python -m bench.anuncios --n 100000 --por-segundo 1000   # bot que paga por difundir

A 30/s el emulador exige los límites de Telegram (30 por segundo en total, 1 por segundo a cada
chat: si no, 429). A 1,000/s el emulador no limita (sus límites son los de un bot sin pagar):
se mide qué fracción del tope se alcanza y cuánta CPU cuesta cada mensaje entregado, base de
datos incluida. El emulador corre en el mismo proceso: su CPU cuenta también (cifras
conservadoras).

Aún no existe /anuncio: la «confirmación» es el momento en que empieza a encolarse la
difusión (una fila por destinatario, en lotes de 1,000 dentro de transacciones, prioridad 9,
claves `anuncio:<id>:<telegram_id>`), como lo hará el anuncio confirmado.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aplicacion import Coopera
from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.configuracion import Configuracion, Secreto
from nucleo.envios import EnvioNuevo

PRIMER_ID = 30_000_000
PRIMER_CIUDADANO = 40_000_000
LOTE = 1000


async def medir(n: int, por_segundo: float, ciudadanos: int) -> dict:
    limitar = por_segundo <= 30
    with tempfile.TemporaryDirectory() as carpeta:
        async with EmuladorBotAPI(limitar_tasas=limitar) as emulador:
            ruta = Path(carpeta) / "anuncios.sqlite3"
            destinatarios = list(range(PRIMER_ID, PRIMER_ID + n))
            almacen = await Almacen.abrir(ruta)
            await almacen.sembrar_personas(destinatarios, datetime.now(UTC))
            await almacen.cerrar()
            for persona in destinatarios:
                emulador.conocer(UsuarioFicticio(persona, first_name=f"P{persona}"))
            config = Configuracion(token=Secreto(emulador.token), url_base=emulador.url_base,
                                   ruta_bd=ruta, mensajes_por_segundo=por_segundo,
                                   envios_por_segundo=por_segundo)
            bot = Coopera(config)
            await bot.iniciar()
            try:
                return await _difundir(bot, emulador, destinatarios, por_segundo, ciudadanos)
            finally:
                await bot.detener()


async def _difundir(bot: Coopera, emulador: EmuladorBotAPI, destinatarios: list[int],
                    por_segundo: float, ciudadanos: int) -> dict:
    n = len(destinatarios)
    inicio, cpu_inicio = time.monotonic(), time.process_time()
    for desde in range(0, n, LOTE):
        await bot.despachador.encolar(
            [EnvioNuevo(t, f"<b>Feria del empleo</b> 🎉 sábado 10:00, Zócalo ({t})",
                        f"anuncio:1:{t}", prioridad=9) for t in destinatarios[desde:desde + LOTE]])
    encolado_s = time.monotonic() - inicio
    primero = await _primero(emulador, inicio)
    demoras = await _ciudadanos(emulador, ciudadanos, n / por_segundo)
    await bot.despachador.vaciar(timeout=n / por_segundo * 2 + 120)
    fin, cpu = time.monotonic(), time.process_time() - cpu_inicio
    entregados = [p for p in emulador.entregados("sendMessage")
                  if int(p.parametros["chat_id"]) < PRIMER_CIUDADANO]
    instantes = sorted(p.instante for p in entregados)
    tasa = (len(instantes) - 1) / (instantes[-1] - instantes[0]) if len(instantes) > 1 else 0
    cifras = {
        "destinatarios": n, "presupuesto_por_segundo": por_segundo,
        "entregados": len(entregados), "estados": await bot.despachador.cuentas(),
        "tasa_por_segundo": round(tasa, 2), "fraccion_del_tope": round(tasa / por_segundo, 3),
        "rechazos_429": sum(1 for p in emulador.peticiones if p.estado_http == 429),
        "encolar_s": round(encolado_s, 2),
        "confirmacion_a_primer_mensaje_ms": round(primero * 1000, 1),
        "total_s": round(fin - inicio, 1),
        "cpu_ms_por_mensaje": round(cpu * 1000 / max(len(entregados), 1), 3),
        "memoria_pico_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if demoras:
        demoras.sort()
        cifras |= {"ciudadanos": len(demoras),
                   "respuesta_p50_ms": round(demoras[len(demoras) // 2] * 1000, 1),
                   "respuesta_p95_ms": round(demoras[int(len(demoras) * 0.95) - 1] * 1000, 1),
                   "respuesta_max_ms": round(demoras[-1] * 1000, 1)}
    return cifras


async def _primero(emulador: EmuladorBotAPI, inicio: float) -> float:
    while True:
        entregados = emulador.entregados("sendMessage")
        if entregados:
            return entregados[0].instante - inicio
        await asyncio.sleep(0.001)


async def _ciudadanos(emulador: EmuladorBotAPI, cuantos: int, duracion: float) -> list[float]:
    """`cuantos` personas escriben /start, repartidas en la primera mitad de la difusión; cada
    demora va de que escribe a que le llega el primer mensaje del bot."""
    if not cuantos:
        return []
    intervalo = min(1.0, duracion * 0.5 / cuantos)
    tareas = []
    for i in range(cuantos):
        usuario = UsuarioFicticio(PRIMER_CIUDADANO + i, first_name=f"C{i}")
        tareas.append(asyncio.create_task(_una(emulador, usuario)))
        await asyncio.sleep(intervalo)
    return list(await asyncio.gather(*tareas))


async def _una(emulador: EmuladorBotAPI, usuario: UsuarioFicticio) -> float:
    inicio = time.monotonic()
    emulador.escribir(usuario, "/start")
    while True:
        respuestas = emulador.entregados(chat_id=usuario.id)
        if respuestas:
            return respuestas[0].instante - inicio
        await asyncio.sleep(0.002)


def main(argumentos: list[str] | None = None) -> None:
    lector = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lector.add_argument("--n", type=int, default=10_000)
    lector.add_argument("--por-segundo", type=float, default=30)
    lector.add_argument("--ciudadanos", type=int, default=None,
                        help="personas usando el bot durante la difusión (100 a 30/s)")
    opciones = lector.parse_args(argumentos)
    ciudadanos = opciones.ciudadanos
    if ciudadanos is None:
        ciudadanos = 100 if opciones.por_segundo <= 30 else 0
    print(json.dumps(asyncio.run(medir(opciones.n, opciones.por_segundo, ciudadanos)),
                     indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
