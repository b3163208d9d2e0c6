"""Un anuncio a muchas personas cuando las cosas salen mal, por el emulador de la Bot API.

1. Tormenta: 429 con retry_after, 5xx, respuestas que no llegan a tiempo y 403, en oleadas a lo
   largo de la difusión. Cada persona a quien se le puede escribir lo recibe UNA vez (el
   emulador cuenta los mensajes por chat); los 403 quedan inalcanzables.
2. SIGKILL: el `python bot.py` de verdad muere de golpe varias veces a media difusión (en
   momentos al azar: la semilla se imprime) y se vuelve a arrancar con la misma base. Al final
   cada destinatario está contado (enviado, fallido, inalcanzable o incierto), nadie lo recibió
   dos veces y cada caída dejó a lo más `EN_VUELO` inciertos (los que iban en camino). Un
   incierto de un anuncio no se repite nunca.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from emulador import EmuladorBotAPI, MensajeChat, UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.anuncios import Anuncios, Audiencia, Borrador
from nucleo.configuracion import Configuracion, Secreto
from nucleo.contenido import Contenido
from nucleo.envios import Despachador
from nucleo.reloj import Reloj, RelojFijo
from nucleo.vocabulario import EstadoAnuncio, TipoAudiencia

RAIZ = Path(__file__).resolve().parent.parent
PERSONAL = 900
TEXTO = "<b>Feria del empleo</b> el sábado en el zócalo"
PLAZO = 60.0  # s: el tope de cada espera (no la meta: en una máquina tranquila, segundos)


def en_vuelo(por_segundo: float) -> int:
    """Cuántas filas puede tener la cola `enviando` a la vez a esa tasa (lo más que queda a
    medias si el proceso muere). Se lee al correr, por si nucleo/envios.py lo cambia: su
    `limite_en_vuelo(por_segundo)` si lo tiene; si no, `EN_VUELO`."""
    import nucleo.envios as envios

    calcular = getattr(envios, "limite_en_vuelo", None)
    return int(calcular(por_segundo)) if callable(calcular) else int(envios.EN_VUELO)


def conocer(emulador: EmuladorBotAPI, ids: list[int]) -> None:
    for telegram_id in ids:  # ya abrieron el chat con el bot
        emulador.conocer(UsuarioFicticio(telegram_id, first_name=f"P{telegram_id}"))


def recibidos(emulador: EmuladorBotAPI) -> Counter[int]:
    """Cuántas veces llegó el anuncio a cada chat."""
    return Counter(p.parametros["chat_id"] for p in emulador.entregados("sendMessage")
                   if p.parametros.get("text") == TEXTO)


# --- 1. tormenta de fallos -----------------------------------------------------------------------

@pytest.fixture
async def cola(emulador: EmuladorBotAPI, tmp_path: Path,
               reloj: RelojFijo) -> AsyncIterator[tuple[Almacen, Despachador]]:
    """Almacén y cola de envíos de verdad, con esperas cortas: un envío sin respuesta en
    0.5 s queda incierto; los reintentos esperan de 0.02 a 0.2 s."""
    config = Configuracion(token=Secreto(emulador.token), url_base=emulador.url_base,
                           ruta_bd=tmp_path / "tormenta.sqlite3", envios_por_segundo=1000)
    almacen = await Almacen.abrir(config.ruta_bd)
    despachador = Despachador(config, almacen, reloj, espera_respuesta=0.5, espera_base=0.02,
                              espera_maxima=0.2)
    await despachador.iniciar()
    yield almacen, despachador
    await despachador.detener()
    await almacen.cerrar()


async def test_tormenta_de_fallos_cada_quien_lo_recibe_una_vez(
        cola: tuple[Almacen, Despachador], emulador: EmuladorBotAPI, reloj: RelojFijo,
        contenido_real: Contenido) -> None:
    almacen, despachador = cola
    personas = list(range(5000, 5300))
    bloqueadas = personas[17::60]  # 5 personas que nos bloquearon
    conocer(emulador, personas)
    await almacen.sembrar_personas(personas, reloj.ahora())
    for chat_id in bloqueadas:
        emulador.inyectar_fallo("403", metodo="sendMessage", chat_id=chat_id)
    tardios = 0

    def oleada() -> None:
        nonlocal tardios
        emulador.inyectar_fallo("429", metodo="sendMessage", veces=2, retry_after=1)
        emulador.inyectar_fallo("500", metodo="sendMessage", veces=4)
        emulador.inyectar_fallo("502", metodo="sendMessage", veces=4)
        # Telegram tarda más que la espera de la cola: incierto, y llega después (una vez).
        emulador.inyectar_fallo("timeout", metodo="sendMessage", veces=2, demora=0.8)
        tardios += 2

    llegados = 0

    def al_llegar(_mensaje: MensajeChat) -> None:
        nonlocal llegados
        llegados += 1
        if llegados in (100, 200):
            oleada()

    emulador.al_mensaje_del_bot(al_llegar)
    oleada()  # la primera, antes del primer mensaje
    anuncios = Anuncios(almacen, contenido_real, reloj, despachador)
    anuncio_id = await anuncios.crear(Borrador(TEXTO, Audiencia(TipoAudiencia.TODOS)),
                                      autor_id=PERSONAL)
    alcanzables = set(personas) - set(bloqueadas)
    async with asyncio.timeout(PLAZO):
        while set(recibidos(emulador)) != alcanzables or (
                (await anuncios.avance(anuncio_id)).pendientes):
            await asyncio.sleep(0.02)

    por_chat = recibidos(emulador)
    assert set(por_chat) == alcanzables and set(por_chat.values()) == {1}
    avance = await anuncios.avance(anuncio_id)
    print(f"\ntormenta: {len(personas)} personas, {avance.enviados} enviados, "
          f"{avance.inciertos} inciertos (llegaron tarde), {avance.inalcanzables} 403, "
          f"{avance.fallidos} fallidos; peticiones: "
          f"{Counter(p.estado_http for p in emulador.peticiones)}")
    assert avance.inalcanzables == len(bloqueadas)
    assert avance.enviados + avance.inciertos == len(alcanzables)
    assert avance.inciertos == tardios  # cada respuesta tardía, y nada más
    assert (avance.fallidos, avance.pendientes, avance.cancelados) == (0, 0, 0)
    for chat_id in bloqueadas:
        assert await almacen.persona_inalcanzable_desde(chat_id) is not None
    assert await anuncios.terminar_si_acabo(anuncio_id)
    assert (await anuncios.obtener(anuncio_id)).estado == EstadoAnuncio.TERMINADO
    # Los 429 sí ocurrieron y nadie los repitió de más.
    assert sum(1 for p in emulador.peticiones if p.estado_http == 429) == 6


# --- 2. SIGKILL a media difusión ---------------------------------------------------------------

DESTINATARIOS = 2000
CAIDAS = 3
POR_SEGUNDO = 1000  # la cola del bot: sin presupuesto, su tope propio es el pagado


async def sembrar(bd: Path, contenido: Contenido, personas: list[int]) -> int:
    """Las personas y el anuncio, ya confirmado: sus filas quedan en la cola antes de arrancar."""
    almacen = await Almacen.abrir(bd)
    try:
        await almacen.sembrar_personas(personas, Reloj().ahora())
        anuncios = Anuncios(almacen, contenido, Reloj(), None)
        return await anuncios.crear(Borrador(TEXTO, Audiencia(TipoAudiencia.TODOS)),
                                    autor_id=PERSONAL)
    finally:
        await almacen.cerrar()


def estados(bd: Path, anuncio_id: int) -> Counter[str]:
    with sqlite3.connect(bd) as conexion:
        filas = conexion.execute("SELECT estado, COUNT(*) FROM envios WHERE anuncio_id = ?"
                                 " GROUP BY estado", (anuncio_id,)).fetchall()
    return Counter(dict(filas))


async def arrancar(emulador: EmuladorBotAPI, bd: Path, registro: Path
                   ) -> asyncio.subprocess.Process:
    entorno = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "COOPERA_"))}
    # Sin presupuesto (el emulador no limita tasas): la difusión va tan rápido como la cola.
    entorno |= {"TELEGRAM_BOT_TOKEN": emulador.token, "TELEGRAM_BASE_URL": emulador.url_base,
                "COOPERA_BD": str(bd), "COOPERA_MENSAJES_POR_SEGUNDO": "0",
                "COOPERA_ENVIOS_POR_SEGUNDO": str(POR_SEGUNDO)}
    with registro.open("ab") as salida:
        return await asyncio.create_subprocess_exec(
            sys.executable, str(RAIZ / "bot.py"), cwd=bd.parent, env=entorno,
            stdout=salida, stderr=salida)


# El emulador (aiohttp) anota como error la conexión que el SIGKILL cortó a media petición.
@pytest.mark.error_esperado("aiohttp.server")
async def test_sigkill_a_media_difusion_nadie_dos_veces_y_todos_contados(
        emulador: EmuladorBotAPI, tmp_path: Path, contenido_real: Contenido) -> None:
    bd, registro = tmp_path / "coopera.sqlite3", tmp_path / "bot.log"
    personas = list(range(300_000, 300_000 + DESTINATARIOS))
    anuncio_id = await sembrar(bd, contenido_real, personas)
    conocer(emulador, personas)
    semilla = int(os.environ.get("CAIDAS_SEMILLA") or random.randrange(2**32))
    azar = random.Random(semilla)
    # Cada caída, al llegar el mensaje número tal (contando desde el arranque anterior).
    umbrales = [azar.randrange(50, DESTINATARIOS // (CAIDAS + 1)) for _ in range(CAIDAS)]
    print(f"\nsemilla={semilla} (repetir: CAIDAS_SEMILLA={semilla}); muere al llegar el "
          f"mensaje {umbrales} de cada vida")
    vivo: list[asyncio.subprocess.Process] = []
    llegados = 0
    umbral = 0

    def al_llegar(_mensaje: MensajeChat) -> None:
        # Dentro del emulador, antes de contestar: el bot muere sin saber que llegó.
        nonlocal llegados
        llegados += 1
        if llegados == umbral and vivo:
            os.kill(vivo.pop().pid, signal.SIGKILL)

    emulador.al_mensaje_del_bot(al_llegar)
    en_vuelo_por_caida = []
    inicio = time.monotonic()
    for numero in umbrales:
        llegados, umbral = 0, numero
        proceso = await arrancar(emulador, bd, registro)
        vivo.append(proceso)
        await asyncio.wait_for(proceso.wait(), timeout=PLAZO)
        assert proceso.returncode == -signal.SIGKILL, registro.read_text()
        # Lo que quedó `enviando` iba en camino: al arrancar pasa a incierto.
        en_vuelo_por_caida.append(estados(bd, anuncio_id)["enviando"])

    umbral = 0
    proceso = await arrancar(emulador, bd, registro)
    try:
        async with asyncio.timeout(PLAZO):
            while (cuenta := estados(bd, anuncio_id))["pendiente"] or cuenta["enviando"]:
                await asyncio.sleep(0.1)
    finally:
        proceso.terminate()
        await proceso.wait()
    segundos = time.monotonic() - inicio

    cuenta = estados(bd, anuncio_id)
    por_chat = recibidos(emulador)
    tope = en_vuelo(POR_SEGUNDO)
    print(f"{DESTINATARIOS} destinatarios en {segundos:.1f} s con {CAIDAS} caídas: {dict(cuenta)}; "
          f"en vuelo en cada caída: {en_vuelo_por_caida} (tope {tope}); "
          f"recibieron: {len(por_chat)}, dos veces: {sum(1 for n in por_chat.values() if n > 1)}")
    assert sum(cuenta.values()) == DESTINATARIOS
    assert set(cuenta) <= {"enviado", "fallido", "inalcanzable", "incierto"}, cuenta
    assert max(por_chat.values()) == 1, "alguien recibió el anuncio dos veces"
    assert all(1 <= n <= tope for n in en_vuelo_por_caida), (en_vuelo_por_caida, tope)
    assert cuenta["incierto"] == sum(en_vuelo_por_caida)
    # Cada enviado llegó con el message_id anotado; cada uno que llegó está enviado o incierto.
    with sqlite3.connect(bd) as conexion:
        filas = conexion.execute("SELECT telegram_id, estado, message_id FROM envios"
                                 " WHERE anuncio_id = ?", (anuncio_id,)).fetchall()
    entregas = {p.parametros["chat_id"]: p.respuesta["result"]["message_id"]
                for p in emulador.entregados("sendMessage")}
    estado_de = {t: e for t, e, _m in filas}
    for telegram_id, estado, message_id in filas:
        if estado == "enviado":
            assert entregas[telegram_id] == message_id
    assert all(estado_de[t] in ("enviado", "incierto") for t in por_chat)
    inciertos_que_llegaron = sum(1 for t, e in estado_de.items()
                                 if e == "incierto" and t in por_chat)
    assert inciertos_que_llegaron >= CAIDAS  # al menos el que la mató en cada caída
