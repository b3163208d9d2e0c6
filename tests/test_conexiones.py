"""El grupo de conexiones HTTP con que el bot contesta (nucleo/entrada.py: `_PoolLineal`).

httpcore 1.0 recorre sus conexiones en cada petición y, por cada una ociosa, vuelve a contarlas
todas: con decenas de conexiones era ~1/3 de la CPU de cada actualización. `_PoolLineal` es el
mismo algoritmo con esa cuenta en O(1). Aquí se prueba que decide exactamente lo mismo que el de
httpcore, que ya no es cuadrático y que las peticiones de verdad funcionan y reutilizan conexiones.
"""

from __future__ import annotations

import asyncio
import random

import httpcore
import httpx

from emulador import EmuladorBotAPI
from nucleo.entrada import _PoolLineal, aligerar_conexiones, peticion_interactiva

# Solo se comparan; nunca se conecta a ellos.
ORIGENES = [httpcore.Origin(b"http", b"127.0.0.1", 1), httpcore.Origin(b"http", b"127.0.0.2", 1)]


class _Conexion:
    """Una conexión de mentira: su estado es fijo y cuenta cuántas veces le preguntan."""

    def __init__(self, nombre: str, estado: str, origen: httpcore.Origin) -> None:
        self.nombre, self.estado, self.origen = nombre, estado, origen
        self.preguntas = 0

    def is_closed(self) -> bool:
        self.preguntas += 1
        return self.estado == "cerrada"

    def has_expired(self) -> bool:
        self.preguntas += 1
        return self.estado == "vencida"

    def is_idle(self) -> bool:
        self.preguntas += 1
        return self.estado == "ociosa"

    def is_available(self) -> bool:
        self.preguntas += 1
        return self.estado == "ociosa"

    def can_handle_request(self, origen: httpcore.Origin) -> bool:
        return origen == self.origen

    def __repr__(self) -> str:
        return self.nombre


class _Pedida:
    """Una petición en la cola del grupo, de mentira."""

    def __init__(self, nombre: str, origen: httpcore.Origin, en_cola: bool) -> None:
        self.nombre, self.en_cola = nombre, en_cola
        self.request = httpcore.Request("GET", httpcore.URL(scheme=origen.scheme,
                                                             host=origen.host,
                                                             port=origen.port, target=b"/"))
        self.conexion: _Conexion | None = None

    def is_queued(self) -> bool:
        return self.en_cola

    def assign_to_connection(self, conexion: _Conexion) -> None:
        self.conexion = conexion


def _grupo(clase: type, conexiones: list[_Conexion], pedidas: list[_Pedida], *,
           maximo: int, ociosas_max: int) -> httpcore.AsyncConnectionPool:
    grupo = httpcore.AsyncConnectionPool(max_connections=maximo,
                                         max_keepalive_connections=ociosas_max)
    grupo.__class__ = clase
    grupo._connections = list(conexiones)
    grupo._requests = list(pedidas)
    nuevas = iter(range(10_000))
    grupo.create_connection = lambda origen: _Conexion(f"nueva{next(nuevas)}", "activa", origen)
    return grupo


def _escenario(semilla: int) -> tuple[list[_Conexion], list[_Pedida], int, int]:
    azar = random.Random(semilla)
    origenes = ORIGENES
    conexiones = [_Conexion(f"c{n}", azar.choice(["activa", "ociosa", "cerrada", "vencida"]),
                            azar.choice(origenes)) for n in range(azar.randint(0, 30))]
    pedidas = [_Pedida(f"p{n}", azar.choice(origenes), azar.random() < 0.7)
               for n in range(azar.randint(0, 12))]
    return conexiones, pedidas, azar.randint(1, 40), azar.randint(0, 25)


def test_decide_lo_mismo_que_httpcore() -> None:
    """Mil estados al azar (conexiones activas, ociosas, cerradas y vencidas de dos orígenes,
    peticiones en cola o no, topes distintos): las mismas conexiones quedan, se cierran y se
    asignan, en el mismo orden, que con el algoritmo de httpcore."""
    for semilla in range(1000):
        resultados = []
        for clase in (httpcore.AsyncConnectionPool, _PoolLineal):
            conexiones, pedidas, maximo, ociosas = _escenario(semilla)
            grupo = _grupo(clase, conexiones, pedidas, maximo=maximo, ociosas_max=ociosas)
            cerradas = grupo._assign_requests_to_connections()
            resultados.append((repr(grupo._connections), repr(cerradas),
                               [repr(p.conexion) for p in pedidas]))
        assert resultados[0] == resultados[1], f"semilla {semilla}"


def test_ya_no_es_cuadratico() -> None:
    """Con 200 conexiones ociosas (y tope de 256 ociosas), httpcore hace ~40 000 preguntas a
    las conexiones en una sola pasada; `_PoolLineal`, unas pocas por conexión."""
    preguntas = {}
    for clase in (httpcore.AsyncConnectionPool, _PoolLineal):
        conexiones = [_Conexion(f"c{n}", "ociosa", ORIGENES[0]) for n in range(200)]
        _grupo(clase, conexiones, [], maximo=256, ociosas_max=256) \
            ._assign_requests_to_connections()
        preguntas[clase] = sum(c.preguntas for c in conexiones)
    assert preguntas[httpcore.AsyncConnectionPool] > 200 * 200
    assert preguntas[_PoolLineal] <= 3 * 200


async def test_peticiones_de_verdad_reutilizan_conexiones(emulador: EmuladorBotAPI) -> None:
    """Las respuestas del bot salen por `_PoolLineal` con flujos que guardan su socket: 40
    peticiones a la vez contra el emulador contestan bien, y una segunda tanda usa las mismas
    conexiones (ninguna se cae por el «¿el servidor cerró?» de los flujos)."""
    peticion = peticion_interactiva()
    await peticion.initialize()
    try:
        grupo = peticion._client._transport._pool
        assert type(grupo) is _PoolLineal
        url = f"{emulador.url_base}{emulador.token}/getMe"
        for _ in range(2):
            respuestas = await asyncio.gather(*(peticion.post(url) for _ in range(40)))
            assert all(r["is_bot"] for r in respuestas)
            conexiones = set(map(id, grupo.connections))
            if _ == 0:
                primeras = conexiones
        assert 0 < len(conexiones) <= 40
        assert conexiones & primeras  # las ociosas se reutilizan
        assert all(c.is_idle() for c in grupo.connections)
    finally:
        await peticion.shutdown()


def test_otro_transporte_no_se_toca() -> None:
    """Si el cliente no trae el grupo de httpcore tal cual (un transporte propio, un proxy),
    `aligerar_conexiones` no cambia nada."""
    cliente = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert not aligerar_conexiones(cliente)
