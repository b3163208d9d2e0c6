"""La cola de envíos en bloque contra el emulador con los límites de Telegram activos.

Cada prueba arma su propia cola (almacén + Despachador) sobre HTTP real, salvo la de la
respuesta interactiva, que usa el bot completo.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from emulador import EmuladorBotAPI, Peticion, UsuarioFicticio
from nucleo import envios
from nucleo.almacen import Almacen
from nucleo.configuracion import Configuracion, Secreto
from nucleo.envios import Despachador, EnvioNuevo
from nucleo.reloj import RelojFijo
from tests.conversador import BotDePrueba, esperar


@pytest.fixture
async def emulador() -> AsyncIterator[EmuladorBotAPI]:
    """Reemplaza al de conftest: aquí el emulador contesta 429 como Telegram."""
    async with EmuladorBotAPI(limitar_tasas=True) as emu:
        yield emu


def conocer(emulador: EmuladorBotAPI, telegram_id: int) -> None:
    # Telegram solo deja escribir a quien ya abrió el chat con el bot. Se registra sin que
    # escriba, para que las respuestas a su /start no cuenten en las ventanas de tasas.
    emulador.conocer(UsuarioFicticio(telegram_id, first_name=f"P{telegram_id}"))


@dataclass
class Cola:
    almacen: Almacen
    despachador: Despachador
    emulador: EmuladorBotAPI
    reloj: RelojFijo

    async def personas(self, cuantas: int, desde: int = 1000) -> list[int]:
        ids = list(range(desde, desde + cuantas))
        for telegram_id in ids:
            conocer(self.emulador, telegram_id)
        await self.almacen.sembrar_personas(ids, self.reloj.ahora())
        return ids

    def enviados(self) -> list[Peticion]:
        return self.emulador.entregados("sendMessage")


ArmarCola = Callable[..., Awaitable[Cola]]


@pytest.fixture
async def armar_cola(emulador: EmuladorBotAPI, tmp_path: Path,
                     reloj: RelojFijo) -> AsyncIterator[ArmarCola]:
    colas: list[Cola] = []

    async def armar(*, iniciar: bool = True, envios_por_segundo: float = 25.0,
                    **opciones: float) -> Cola:
        config = Configuracion(token=Secreto(emulador.token), url_base=emulador.url_base,
                               ruta_bd=tmp_path / "cola.sqlite3",
                               envios_por_segundo=envios_por_segundo)
        almacen = await Almacen.abrir(config.ruta_bd)
        cola = Cola(almacen, Despachador(config, almacen, reloj, **opciones), emulador, reloj)
        colas.append(cola)
        if iniciar:
            await cola.despachador.iniciar()
        return cola

    yield armar
    for cola in colas:
        await cola.despachador.detener()
        await cola.almacen.cerrar()


def anuncio(telegram_id: int, clave: str, prioridad: int = 9) -> EnvioNuevo:
    return EnvioNuevo(telegram_id, f"<b>Aviso</b> {clave}", clave, prioridad=prioridad)


def rechazos_429(emulador: EmuladorBotAPI) -> list[Peticion]:
    return [p for p in emulador.peticiones if p.estado_http == 429]


def maximo_en_un_segundo(instantes: list[float]) -> int:
    instantes = sorted(instantes)
    return max((sum(1 for t in instantes if a <= t < a + 1.0) for a in instantes), default=0)


# --- encolar ----------------------------------------------------------------------------------


async def test_encolar_dos_veces_la_misma_clave_manda_uno(armar_cola: ArmarCola) -> None:
    cola = await armar_cola()
    [persona] = await cola.personas(1)
    envio = EnvioNuevo(persona, "Hola", "prueba:1", [[("Sí", "x:si"), ("No", "x:no")]])
    assert await cola.despachador.encolar([envio, envio]) == 1
    assert await cola.despachador.encolar([envio]) == 0
    await cola.despachador.vaciar(5)
    assert await cola.despachador.encolar([envio]) == 0  # ya enviado: tampoco
    [mensaje] = cola.emulador.mensajes_del_bot(persona)
    assert [b["callback_data"] for b in mensaje.botones()] == ["x:si", "x:no"]
    guardado = await cola.almacen.envio("prueba:1")
    assert (guardado.estado, guardado.message_id) == ("enviado", mensaje.message_id)


async def test_no_encola_a_quien_no_esta_o_no_acepto(armar_cola: ArmarCola) -> None:
    cola = await armar_cola(iniciar=False)
    await cola.almacen.registrar_consentimiento(7, False, "v1", cola.reloj.ahora())
    nuevos = await cola.despachador.encolar([anuncio(5, "a:5"), anuncio(7, "a:7")])
    assert nuevos == 0


# --- límites de Telegram ------------------------------------------------------------------


@pytest.mark.parametrize("por_segundo", [25.0, 30.0])
async def test_respeta_los_limites_sin_un_solo_429(armar_cola: ArmarCola,
                                                   por_segundo: float) -> None:
    cola = await armar_cola(envios_por_segundo=por_segundo)
    ids = await cola.personas(50)
    repetidos = ids[:5]  # tres mensajes a cada una de estas cinco personas
    lote = [anuncio(i, f"a:{i}") for i in ids]
    lote += [anuncio(i, f"b:{i}:{n}") for i in repetidos for n in range(2)]
    await cola.despachador.encolar(lote)
    await cola.despachador.vaciar(15)

    assert rechazos_429(cola.emulador) == []
    enviados = cola.enviados()
    assert len(enviados) == 60
    assert maximo_en_un_segundo([p.instante for p in enviados]) <= por_segundo
    for persona in repetidos:
        instantes = [p.instante for p in enviados if p.parametros["chat_id"] == persona]
        assert len(instantes) == 3
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(instantes))


async def test_429_pausa_lo_que_telegram_pide(armar_cola: ArmarCola) -> None:
    cola = await armar_cola()
    ids = await cola.personas(3)
    cola.emulador.inyectar_fallo("429", metodo="sendMessage", retry_after=1)
    await cola.despachador.encolar([anuncio(i, f"a:{i}") for i in ids])
    await cola.despachador.vaciar(10)

    envios_ = [p for p in cola.emulador.peticiones if p.metodo == "sendMessage"]
    [rechazo] = [p for p in envios_ if p.estado_http == 429]
    # Lo que ya iba en camino llega enseguida; nada nuevo sale hasta que pase el segundo.
    despues = [p.instante - rechazo.instante for p in envios_ if p.instante > rechazo.instante]
    assert len(despues) == 3
    assert all(t < 0.1 or t >= 1.0 for t in despues)
    reintento = next(p for p in envios_ if p.ok and p.parametros["chat_id"] == ids[0])
    assert reintento.instante >= rechazo.instante + 1.0
    for i in ids:  # el 429 no cuenta como intento: no llegó a procesarse
        assert (await cola.almacen.envio(f"a:{i}")).intentos == 1


# --- errores ------------------------------------------------------------------------------


async def test_403_marca_inalcanzable_y_no_se_le_vuelve_a_encolar(armar_cola: ArmarCola) -> None:
    cola = await armar_cola()
    [persona] = await cola.personas(1)
    cola.emulador.bloquear(persona)
    await cola.despachador.encolar([anuncio(persona, "a:1"), anuncio(persona, "a:2")])
    await cola.despachador.vaciar(5)

    estados = [e.estado for e in await cola.almacen.envios_de(persona)]
    assert estados == ["inalcanzable", "inalcanzable"]  # el segundo ni se intentó
    assert len([p for p in cola.emulador.peticiones if p.metodo == "sendMessage"]) == 1
    assert await cola.almacen.persona_inalcanzable_desde(persona) is not None
    assert await cola.despachador.encolar([anuncio(persona, "a:3")]) == 0

    # Vuelve a escribir (desbloqueó el bot): se le puede escribir otra vez.
    cola.emulador.desbloquear(persona)
    assert await cola.almacen.marcar_alcanzable(persona)
    assert await cola.despachador.encolar([anuncio(persona, "a:4")]) == 1
    await cola.despachador.vaciar(5)
    assert len(cola.enviados()) == 1


async def test_5xx_se_reintenta_y_llega_una_vez(armar_cola: ArmarCola) -> None:
    cola = await armar_cola(espera_base=0.05)
    [persona, otra] = await cola.personas(2)
    cola.emulador.inyectar_fallo("500", metodo="sendMessage", chat_id=persona, veces=2)
    cola.emulador.inyectar_fallo("502", metodo="sendMessage", chat_id=persona)
    await cola.despachador.encolar([anuncio(persona, "a:1"), anuncio(otra, "a:2")])
    await cola.despachador.vaciar(10)

    guardado = await cola.almacen.envio("a:1")
    assert (guardado.estado, guardado.intentos) == ("enviado", 4)
    assert len(cola.emulador.mensajes_del_bot(persona)) == 1
    assert len(cola.emulador.mensajes_del_bot(otra)) == 1


async def test_un_5xx_tras_otro_no_se_rinde(armar_cola: ArmarCola) -> None:
    """Antes: al quinto intento quedaba `fallido` para siempre. Ahora se sigue intentando
    (con la espera topada) hasta que sale."""
    cola = await armar_cola(espera_base=0.01, espera_maxima=0.04)
    [persona] = await cola.personas(1)
    cola.emulador.inyectar_fallo("500", metodo="sendMessage", veces=10)
    await cola.despachador.encolar([anuncio(persona, "a:1")])
    await cola.despachador.vaciar(10)

    guardado = await cola.almacen.envio("a:1")
    assert (guardado.estado, guardado.intentos) == ("enviado", 11)
    assert len(cola.emulador.mensajes_del_bot(persona)) == 1


async def test_lo_que_vencio_no_se_manda(armar_cola: ArmarCola) -> None:
    cola = await armar_cola(iniciar=False)
    [persona, otra] = await cola.personas(2)
    ahora = cola.reloj.ahora()
    await cola.despachador.encolar([
        EnvioNuevo(persona, "Recordatorio", "r:1", vence_en=ahora - timedelta(seconds=1)),
        EnvioNuevo(otra, "Recordatorio", "r:2", vence_en=ahora + timedelta(minutes=5))])
    await cola.despachador.iniciar()
    await cola.despachador.vaciar(5)
    assert (await cola.almacen.envio("r:1")).estado == "vencido"
    assert (await cola.almacen.envio("r:2")).estado == "enviado"
    assert cola.emulador.mensajes_del_bot(persona) == []
    cuentas = await cola.despachador.cuentas()
    assert (cuentas["vencido"], cuentas["enviado"]) == (1, 1)


async def test_bad_request_no_se_reintenta(armar_cola: ArmarCola) -> None:
    cola = await armar_cola()
    await cola.almacen.sembrar_personas([4242], cola.reloj.ahora())  # nunca abrió el chat
    await cola.despachador.encolar([anuncio(4242, "a:1")])
    await cola.despachador.vaciar(5)
    guardado = await cola.almacen.envio("a:1")
    assert (guardado.estado, guardado.intentos, guardado.error) == ("fallido", 1, "BadRequest")


async def test_respuesta_lenta_llega_una_vez(armar_cola: ArmarCola) -> None:
    cola = await armar_cola(espera_respuesta=3.0)
    [persona] = await cola.personas(1)
    cola.emulador.inyectar_fallo("timeout", metodo="sendMessage", demora=0.5)
    await cola.despachador.encolar([anuncio(persona, "a:1")])
    await cola.despachador.vaciar(5)
    assert (await cola.almacen.envio("a:1")).estado == "enviado"
    assert len(cola.emulador.mensajes_del_bot(persona)) == 1


async def test_sin_respuesta_a_tiempo_queda_incierto_y_no_se_repite(
        armar_cola: ArmarCola) -> None:
    """Telegram pudo recibirlo: reintentar duplicaría. El emulador lo entrega tarde."""
    cola = await armar_cola(espera_respuesta=0.5)
    [persona, otra] = await cola.personas(2)
    cola.emulador.inyectar_fallo("timeout", metodo="sendMessage", chat_id=persona, demora=1.0)
    await cola.despachador.encolar([anuncio(persona, "a:1"), anuncio(otra, "a:2")])
    await cola.despachador.vaciar(5)
    # El emulador termina de procesar (tarde) la petición que «se perdió».
    await esperar(lambda: cola.emulador.mensajes_del_bot(persona), plazo=5)

    guardado = await cola.almacen.envio("a:1")
    assert (guardado.estado, guardado.error) == ("incierto", "TimedOut")
    assert len(cola.emulador.mensajes_del_bot(persona)) == 1  # llegó, y una sola vez
    assert (await cola.almacen.envio("a:2")).estado == "enviado"


def _con_causa(error: Exception, causa: Exception) -> Exception:
    error.__cause__ = causa
    return error


@pytest.mark.parametrize(("error", "accion"), [
    (RetryAfter(3), envios.PAUSAR),
    (Forbidden("Forbidden: bot was blocked by the user"), envios.INALCANZABLE),
    (BadRequest("Bad Request: chat not found"), envios.FALLIDO),
    (NetworkError("Internal Server Error"), envios.REINTENTAR),  # Telegram contestó 5xx
    (_con_causa(NetworkError("x"), httpx.ConnectError("x")), envios.REINTENTAR),
    (_con_causa(NetworkError("x"), httpx.ReadError("x")), envios.INCIERTO),
    (_con_causa(NetworkError("x"), httpx.RemoteProtocolError("x")), envios.INCIERTO),
    (_con_causa(TimedOut(), httpx.ConnectTimeout("x")), envios.REINTENTAR),
    (_con_causa(TimedOut(), httpx.PoolTimeout("x")), envios.REINTENTAR),
    (_con_causa(TimedOut(), httpx.ReadTimeout("x")), envios.INCIERTO),
    (ValueError("teclado mal armado"), envios.FALLIDO),
])
def test_solo_se_reintenta_lo_que_seguro_no_salio(error: Exception, accion: str) -> None:
    assert envios._que_hacer(error) == accion


# --- caídas ---------------------------------------------------------------------------------


async def test_lo_que_quedo_enviando_se_marca_incierto_y_no_se_repite(
        armar_cola: ArmarCola) -> None:
    cola = await armar_cola(iniciar=False)
    [persona, otra] = await cola.personas(2)
    await cola.despachador.encolar([anuncio(persona, "a:1"), anuncio(otra, "a:2")])
    # Como si el proceso hubiera muerto justo después de marcar `enviando`:
    tomado = await cola.almacen.tomar_envio([], [])
    assert tomado is not None and tomado.telegram_id == persona
    await cola.despachador.iniciar()
    await cola.despachador.vaciar(5)
    assert (await cola.almacen.envio("a:1")).estado == "incierto"
    assert cola.emulador.mensajes_del_bot(persona) == []
    assert (await cola.almacen.envio("a:2")).estado == "enviado"


# --- prioridad --------------------------------------------------------------------------------


async def test_sale_primero_lo_mas_urgente(armar_cola: ArmarCola,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(envios, "EN_VUELO", 1)  # de uno en uno: el orden de llegada es exacto
    cola = await armar_cola(iniciar=False)
    ids = await cola.personas(16)
    lote = [anuncio(i, f"anuncio:{i}", 9) for i in ids[:10]]
    lote += [anuncio(i, f"recordatorio:{i}", 5) for i in ids[10:15]]
    lote += [anuncio(ids[15], "urgente", 0)]
    await cola.despachador.encolar(lote)
    await cola.despachador.iniciar()
    await cola.despachador.vaciar(10)
    orden = [p.parametros["chat_id"] for p in cola.enviados()]
    assert orden == [ids[15], *ids[10:15], *ids[:10]]


async def test_lo_urgente_se_adelanta_a_una_rafaga(armar_cola: ArmarCola) -> None:
    cola = await armar_cola()
    ids = await cola.personas(101)
    await cola.despachador.encolar([anuncio(i, f"anuncio:{i}") for i in ids[:100]])
    await esperar(lambda: len(cola.enviados()) >= 25)  # la ventana del primer segundo, llena
    encolado = time.monotonic()
    await cola.despachador.encolar([anuncio(ids[100], "tienes-lugar", 0)])
    await esperar(lambda: cola.emulador.mensajes_del_bot(ids[100]))
    # A 25/s la ventana del primer segundo ya está llena: sale en cuanto hay lugar, antes
    # que cualquier anuncio que llevaba más tiempo esperando.
    assert time.monotonic() - encolado < 1.1
    [primero, *_] = [p for p in cola.enviados() if p.instante > encolado]
    assert primero.parametros["chat_id"] == ids[100]
    assert await cola.almacen.envios_pendientes() > 50  # la ráfaga sigue saliendo
    assert rechazos_429(cola.emulador) == []


# --- la respuesta interactiva no hace fila detrás de la ráfaga ---------------------------------


async def test_respuesta_interactiva_no_espera_a_la_rafaga(bot: BotDePrueba) -> None:
    emulador, almacen = bot.emulador, bot.almacen
    ids = list(range(5000, 5200))
    for telegram_id in ids:
        conocer(emulador, telegram_id)
    await almacen.sembrar_personas(ids, bot.reloj.ahora())
    await bot.coopera.despachador.encolar([anuncio(i, f"anuncio:{i}") for i in ids])
    # La ráfaga ya llenó su primer segundo... y sigue.
    await esperar(lambda: len(emulador.entregados("sendMessage")) >= 25)

    ana = bot.persona(UsuarioFicticio(101, first_name="Ana", language_code="es"))
    inicio = time.monotonic()
    respuestas = await ana.escribe("/menu")
    tardanza = time.monotonic() - inicio

    assert respuestas, "el bot no contestó /menu"
    assert tardanza < 0.5
    assert await almacen.envios_pendientes() > 100  # 200 a 25/s: aún faltan ~6 s de ráfaga
    assert rechazos_429(emulador) == []
