"""Una difusión grande por la cola de envíos, con UN presupuesto para todo el bot.

    python -m bench.anuncios                      # 10 000 a 30/s con límites (~6 min) y 100
                                                  # personas usando el bot mientras tanto
    python -m bench.anuncios --n 1000             # más chico (~35 s)
    python -m bench.anuncios --n 100000 --por-segundo 1000   # bot que paga por difundir

A 30/s el emulador exige los límites de Telegram (30 por segundo en total, 1 por segundo a cada
chat: si no, 429) y corre en el mismo proceso (las personas que usan el bot escriben por él).
A 1,000/s el emulador no limita (sus límites son los de un bot sin pagar) y corre en OTRO
proceso (`--emulador-aparte`, por omisión arriba de 30/s): la CPU por mensaje entregado es la
del bot solo, base de datos incluida (su hilo de SQLite también), y la memoria pico también;
la CPU del emulador se da aparte. Cada entrega se anota cuando el emulador la recibe
(`al_mensaje_del_bot`), sin recorrer la lista de peticiones.

La «confirmación» es el momento en que empieza a encolarse la difusión: una fila por
destinatario, en lotes de 1,000 dentro de transacciones, prioridad 9, claves
`anuncio:<id>:<telegram_id>`, como las filas de un /anuncio confirmado (sin pasar por la
conversación del personal: aquí se mide la cola).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import resource
import tempfile
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

from aplicacion import Coopera
from emulador import EmuladorBotAPI, MensajeChat, UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.configuracion import Configuracion, Secreto
from nucleo.envios import EnvioNuevo

PRIMER_ID = 30_000_000
PRIMER_CIUDADANO = 40_000_000
LOTE = 1000


async def medir(n: int, por_segundo: float, ciudadanos: int, *,
                aparte: bool | None = None) -> dict:
    limitar = por_segundo <= 30
    aparte = (not limitar and not ciudadanos) if aparte is None else aparte
    with tempfile.TemporaryDirectory() as carpeta:
        ruta = Path(carpeta) / "anuncios.sqlite3"
        destinatarios = list(range(PRIMER_ID, PRIMER_ID + n))
        almacen = await Almacen.abrir(ruta)
        await almacen.sembrar_personas(destinatarios, datetime.now(UTC))
        await almacen.cerrar()
        if aparte:
            async with _EmuladorAparte(n, limitar) as emulador:
                return await _con_bot(emulador, ruta, destinatarios, por_segundo, 0)
        async with EmuladorBotAPI(limitar_tasas=limitar) as emulador:
            for persona in destinatarios:
                emulador.conocer(UsuarioFicticio(persona, first_name=f"P{persona}"))
            return await _con_bot(_EmuladorAqui(emulador), ruta, destinatarios, por_segundo,
                                  ciudadanos)


async def _con_bot(emulador: _EmuladorAqui | _EmuladorAparte, ruta: Path,
                   destinatarios: list[int], por_segundo: float, ciudadanos: int) -> dict:
    config = Configuracion(token=Secreto(emulador.token), url_base=emulador.url_base,
                           ruta_bd=ruta, mensajes_por_segundo=por_segundo,
                           envios_por_segundo=por_segundo)
    bot = Coopera(config)
    await bot.iniciar()
    try:
        return await _difundir(bot, emulador, destinatarios, por_segundo, ciudadanos)
    finally:
        await bot.detener()


async def _difundir(bot: Coopera, emulador: _EmuladorAqui | _EmuladorAparte,
                    destinatarios: list[int], por_segundo: float, ciudadanos: int) -> dict:
    n = len(destinatarios)
    emulador.empezar()
    inicio, cpu_inicio = time.monotonic(), time.process_time()
    for desde in range(0, n, LOTE):
        await bot.despachador.encolar(
            [EnvioNuevo(t, f"<b>Feria del empleo</b> 🎉 sábado 10:00, Zócalo ({t})",
                        f"anuncio:1:{t}", prioridad=9) for t in destinatarios[desde:desde + LOTE]])
    encolado_s = time.monotonic() - inicio
    demoras = await _ciudadanos(emulador, ciudadanos, n / por_segundo)
    termino = True
    try:  # con la máquina cargada puede no terminar: se dan las cifras de lo que salió
        await bot.despachador.vaciar(timeout=n / por_segundo * 20 + 120)
    except TimeoutError:
        termino = False
    fin, cpu = time.monotonic(), time.process_time() - cpu_inicio
    entregas = await emulador.entregas()
    instantes = sorted(entregas["instantes"])
    tasa = (len(instantes) - 1) / (instantes[-1] - instantes[0]) if len(instantes) > 1 else 0
    cifras = {
        "destinatarios": n, "presupuesto_por_segundo": por_segundo, "termino": termino,
        "emulador": "otro proceso" if isinstance(emulador, _EmuladorAparte) else "mismo proceso",
        "entregados": len(instantes), "estados": await bot.despachador.cuentas(),
        "limite_en_vuelo": bot.despachador.limite,
        "tasa_por_segundo": round(tasa, 2), "fraccion_del_tope": round(tasa / por_segundo, 3),
        "rechazos_429": entregas["rechazos_429"],
        "encolar_s": round(encolado_s, 2),
        "confirmacion_a_primer_mensaje_ms": round((instantes[0] - inicio) * 1000, 1)
        if instantes else None,
        "total_s": round(fin - inicio, 1),
        "cpu_ms_por_mensaje": round(cpu * 1000 / max(len(instantes), 1), 3),
        "memoria_pico_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "carga_media": " / ".join(f"{c:.1f}" for c in os.getloadavg()),
    }
    if entregas.get("cpu_emulador_s") is not None:
        cifras["cpu_ms_por_mensaje_del_emulador"] = round(
            entregas["cpu_emulador_s"] * 1000 / max(len(instantes), 1), 3)
    if demoras:
        demoras.sort()
        cifras |= {"ciudadanos": len(demoras),
                   "respuesta_p50_ms": round(demoras[len(demoras) // 2] * 1000, 1),
                   "respuesta_p95_ms": round(demoras[int(len(demoras) * 0.95) - 1] * 1000, 1),
                   "respuesta_max_ms": round(demoras[-1] * 1000, 1)}
    return cifras


class _EmuladorAqui:
    """El emulador en este proceso; anota cada mensaje del bot al recibirlo."""

    def __init__(self, emulador: EmuladorBotAPI) -> None:
        self.emulador, self.token, self.url_base = emulador, emulador.token, emulador.url_base
        self.instantes: list[float] = []
        self.primera_respuesta: dict[int, asyncio.Future[float]] = {}

    def empezar(self) -> None:
        self.emulador.al_mensaje_del_bot(self._llego)

    def _llego(self, mensaje: MensajeChat) -> None:
        if mensaje.chat_id < PRIMER_CIUDADANO:
            self.instantes.append(time.monotonic())
        elif (espera := self.primera_respuesta.get(mensaje.chat_id)) and not espera.done():
            espera.set_result(time.monotonic())

    async def entregas(self) -> dict:
        return {"instantes": self.instantes,
                "rechazos_429": sum(1 for p in self.emulador.peticiones if p.estado_http == 429)}


class _EmuladorAparte:
    """El emulador en otro proceso (su CPU no se suma a la del bot). Devuelve al final los
    instantes de cada entrega (time.monotonic es el mismo reloj en los dos procesos)."""

    def __init__(self, n: int, limitar: bool) -> None:
        self._n, self._limitar = n, limitar

    async def __aenter__(self) -> _EmuladorAparte:
        contexto = multiprocessing.get_context("spawn")
        self._conexion, otra = contexto.Pipe()
        self._proceso = contexto.Process(target=_servir_aparte,
                                         args=(otra, PRIMER_ID, self._n, self._limitar))
        self._proceso.start()
        self.url_base, self.token = await asyncio.to_thread(self._conexion.recv)
        return self

    async def __aexit__(self, *excepcion: object) -> None:
        with contextlib.suppress(OSError):
            self._conexion.send("salir")  # el bot ya se detuvo: el emulador puede irse
        await asyncio.to_thread(self._proceso.join, 30)
        if self._proceso.is_alive():
            self._proceso.kill()

    def empezar(self) -> None:
        self._conexion.send("empezar")

    async def entregas(self) -> dict:
        self._conexion.send("fin")
        return await asyncio.to_thread(self._conexion.recv)


def _servir_aparte(conexion: Connection, primer_id: int, n: int, limitar: bool) -> None:
    asyncio.run(_servir(conexion, primer_id, n, limitar))


async def _servir(conexion: Connection, primer_id: int, n: int, limitar: bool) -> None:
    async with EmuladorBotAPI(limitar_tasas=limitar) as emulador:
        for persona in range(primer_id, primer_id + n):
            emulador.conocer(UsuarioFicticio(persona, first_name=f"P{persona}"))
        instantes: list[float] = []
        emulador.al_mensaje_del_bot(lambda _mensaje: instantes.append(time.monotonic()))
        conexion.send((emulador.url_base, emulador.token))
        assert await asyncio.to_thread(conexion.recv) == "empezar"
        instantes.clear()
        cpu = time.process_time()
        assert await asyncio.to_thread(conexion.recv) == "fin"
        conexion.send({"instantes": instantes, "cpu_emulador_s": time.process_time() - cpu,
                       "rechazos_429": sum(1 for p in emulador.peticiones
                                           if p.estado_http == 429)})
        await asyncio.to_thread(conexion.recv)  # "salir": cuando el bot ya se detuvo


async def _ciudadanos(emulador: _EmuladorAqui | _EmuladorAparte, cuantos: int,
                      duracion: float) -> list[float]:
    """`cuantos` personas escriben /start, repartidas en la primera mitad de la difusión; cada
    demora va de que escribe a que le llega el primer mensaje del bot."""
    if not cuantos or not isinstance(emulador, _EmuladorAqui):
        return []
    intervalo = min(1.0, duracion * 0.5 / cuantos)
    tareas = []
    for i in range(cuantos):
        usuario = UsuarioFicticio(PRIMER_CIUDADANO + i, first_name=f"C{i}")
        tareas.append(asyncio.create_task(_una(emulador, usuario)))
        await asyncio.sleep(intervalo)
    return list(await asyncio.gather(*tareas))


async def _una(emulador: _EmuladorAqui, usuario: UsuarioFicticio) -> float:
    llegada = emulador.primera_respuesta[usuario.id] = asyncio.get_running_loop().create_future()
    inicio = time.monotonic()
    emulador.emulador.escribir(usuario, "/start")
    return await llegada - inicio


def _miles(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def filas(rapido: bool = False) -> list[tuple[str, str, str]]:
    """(qué, cifra, nota) para la tabla de `python -m bench`: una difusión a 30/s con 100
    personas usando el bot (emulador con los límites de Telegram) y una pagada a 1 000/s."""
    n30, n1000 = (1_000, 20_000) if rapido else (10_000, 100_000)
    lenta = asyncio.run(medir(n30, 30, 100))
    pagada = asyncio.run(medir(n1000, 1000, 0))
    return [
        (f"anuncio a {_miles(n30)} a 30/s, 100 personas usando el bot: ritmo",
         f"{lenta['tasa_por_segundo']:.1f}/s",
         f"meta ≥ 29/s; {lenta['fraccion_del_tope']:.3f} del tope; entregados "
         f"{lenta['entregados']} de {n30}; 429: {lenta['rechazos_429']}"),
        ("  misma: respuesta a las personas, p50 / p95",
         f"{lenta['respuesta_p50_ms']:.0f} / {lenta['respuesta_p95_ms']:.0f} ms",
         f"meta p95 ≤ 250 ms; máx. {lenta['respuesta_max_ms']:.0f} ms"),
        (f"anuncio a {_miles(n1000)} a 1 000/s (pagada, emulador aparte): fracción del tope",
         f"{pagada['fraccion_del_tope']:.3f}",
         f"meta ≥ 0.95; {pagada['tasa_por_segundo']:.0f}/s; entregados {pagada['entregados']}"
         f" de {n1000}; 429: {pagada['rechazos_429']}"),
        ("  misma: CPU del bot por mensaje (base incluida)",
         f"{pagada['cpu_ms_por_mensaje']:.2f} ms",
         f"meta ≤ 1.5 ms; emulador {pagada['cpu_ms_por_mensaje_del_emulador']:.2f} ms aparte; "
         f"primer mensaje {pagada['confirmacion_a_primer_mensaje_ms']:.0f} ms tras confirmar "
         "(la memoria, solo con `python -m bench.anuncios`: aquí el proceso ya hizo lo demás)"),
    ]


def main(argumentos: list[str] | None = None) -> None:
    lector = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lector.add_argument("--n", type=int, default=10_000)
    lector.add_argument("--por-segundo", type=float, default=30)
    lector.add_argument("--ciudadanos", type=int, default=None,
                        help="personas usando el bot durante la difusión (100 a 30/s)")
    lector.add_argument("--emulador-aparte", action=argparse.BooleanOptionalAction,
                        default=None, help="el emulador en otro proceso (por omisión, arriba "
                                           "de 30/s y sin personas usando el bot)")
    opciones = lector.parse_args(argumentos)
    ciudadanos = opciones.ciudadanos
    if ciudadanos is None:
        ciudadanos = 100 if opciones.por_segundo <= 30 else 0
    print(json.dumps(asyncio.run(medir(opciones.n, opciones.por_segundo, ciudadanos,
                                       aparte=opciones.emulador_aparte)),
                     indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
