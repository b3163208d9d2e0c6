"""Caídas al azar: el proceso `python bot.py` muere de golpe (SIGKILL) en momentos elegidos al
azar (con una semilla que se imprime) y se vuelve a arrancar con la misma base, mientras mucha
gente lo usa a la vez. Después se revisa lo que no debe romperse nunca:

- inscripciones: la base íntegra, ningún grupo con más gente que su cupo, nadie esperando con
  lugares libres, la fila en orden de llegada y sin repetidos, toda persona a quien se le dijo
  «tienes tu lugar» (o «se liberó un lugar») está inscrita, ningún aviso llegó dos veces;
- recordatorios: cada uno quedó enviado, fallido, vencido, inalcanzable o incierto; ninguno llegó
  dos veces; los inciertos, a lo más los que caben en vuelo por cada caída;
- asesoría: cada mensaje que la gente mandó está en la base y llegó al tema del personal, y cada
  respuesta del personal llegó a la persona; los repetidos, contados.

Cada prueba imprime su semilla y sus cifras (las muestra `python -m pytest -n0 -s`; con xdist,
pytest las enseña solo si la prueba falla). Para repetir una corrida:
CAIDAS_SEMILLA=<n> python -m pytest -n0 -s tests/test_caidas_aleatorias.py
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulador import EmuladorBotAPI, MensajeChat, UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.almacen.recordatorios import SesionSemilla
from tests.proceso_bot import (
    BotEnProceso,
    Criadero,
    Verdugo,
    estados_de_envios,
    integridad,
    leer_bd,
    limite_en_vuelo,
    semilla,
    todo_atendido,
)

# El emulador (aiohttp) anota como error la conexión que el SIGKILL cortó a media petición.
pytestmark = pytest.mark.error_esperado("aiohttp.server")

TIENES_LUGAR = "¡Listo! Tienes tu lugar."
SE_LIBERO = "Se liberó un lugar y ahora es tuyo"
EN_ESPERA = "estás en la lista de espera"
YA_INSCRITA = "Ya tienes tu lugar en esta fecha"
YA_EN_ESPERA = "Ya estás en la lista de espera"
DEJASTE = "dejaste tu lugar"
# Sin el ritmo de 30 mensajes por segundo (solo para mediciones y pruebas: el bot lo anota en el
# registro): cada vida del bot dura lo que tarda en llegar su caída, no lo que tarda en cumplir
# el ritmo. El emulador de estas pruebas tampoco limita las tasas.
RAPIDO = {"COOPERA_MENSAJES_POR_SEGUNDO": "0"}


@pytest.fixture
async def emulador() -> AsyncIterator[EmuladorBotAPI]:
    async with EmuladorBotAPI() as emu:
        yield emu


@pytest.fixture
async def criadero() -> AsyncIterator[Criadero]:
    criadero = Criadero()
    await criadero.abrir()
    yield criadero
    await criadero.cerrar()


class Memoria:
    """Todo lo que la gente vio del bot (cada mensaje nuevo o editado, con su texto de ese
    momento): el emulador guarda solo la última versión de un mensaje editado."""

    def __init__(self, emulador: EmuladorBotAPI) -> None:
        self.vistos: dict[int, list[str]] = {}
        emulador.al_mensaje_del_bot(self._anotar)

    def _anotar(self, mensaje: MensajeChat) -> None:
        self.vistos.setdefault(mensaje.chat_id, []).append(mensaje.texto_plano or "")

    def vio(self, chat_id: int, texto: str) -> bool:
        return any(texto in visto for visto in self.vistos.get(chat_id, []))



def sano_tras_sus_muertes(bd: Path, bot: BotEnProceso, verdugo: Verdugo, resumen: str) -> None:
    """Lo que toda prueba de aquí exige al final: la base íntegra, ningún error en el registro
    de ninguna de sus vidas (como la guardia de errores) y que murió todas las veces que tocaba."""
    assert integridad(bd) == "ok"
    assert bot.errores_en_registro() == []
    assert verdugo.muertes == len(verdugo.puntos), resumen


# --- durante las inscripciones ------------------------------------------------------------------


async def test_caidas_al_azar_durante_inscripciones(emulador: EmuladorBotAPI, criadero: Criadero,
                                                    tmp_path: Path) -> None:
    """24 personas piden lugar a la vez en dos grupos de 3 (las demás, a la lista de espera);
    luego 4 dejan su lugar (sube quien sigue, con su aviso por la cola) mientras otras 6 piden
    lugar. El bot muere 4 veces en momentos al azar."""
    azar = random.Random(semilla())
    bd = tmp_path / "coopera.sqlite3"
    ahora = datetime.now(UTC)
    primeras = [UsuarioFicticio(8000 + n, first_name=f"P{n}") for n in range(24)]
    tardias = [UsuarioFicticio(8100 + n, first_name=f"T{n}") for n in range(6)]
    todas = primeras + tardias
    almacen = await Almacen.abrir(bd)
    try:
        await almacen.sembrar_personas([u.id for u in todas], ahora)
        sesiones = await almacen.sembrar_sesiones(
            [SesionSemilla("coop_basico", ahora + timedelta(days=3 + n), lugar="Casa de Cultura",
                           cupo=3) for n in range(2)], ahora)
    finally:
        await almacen.cerrar()
    eleccion = {u.id: azar.choice(sesiones) for u in todas}

    testigo = Memoria(emulador)
    bot = BotEnProceso(emulador, bd, criadero, **RAPIDO)
    verdugo = Verdugo(bot, azar, azar.sample(range(3, 60), 4))
    print(verdugo)
    try:
        await verdugo.empezar()
        # Cada quien abre /mis_cursos (así tiene un mensaje del bot donde pulsar).
        for usuario in todas:
            emulador.escribir(usuario, "/mis_cursos")
        await verdugo.esperar(lambda: all(emulador.ultimo_del_bot(u.id) for u in todas),
                              que="todas vieron /mis_cursos")

        # Todas pulsan «Sí, anotarme» a la vez (con lugar, inscribe; sin lugar, a la espera).
        for usuario in primeras:
            pulsar(emulador, usuario, f"cur:espera:{eleccion[usuario.id]}")
        await verdugo.esperar(lambda: all(contestada(testigo, u.id) for u in primeras),
                          que="todas supieron si tienen lugar")

        # Cuatro con lugar lo dejan mientras otras seis piden lugar.
        with leer_bd(bd) as conexion:
            inscritas = conexion.execute(
                "SELECT id, telegram_id FROM inscripciones WHERE estado = 'inscrita'"
                " ORDER BY id").fetchall()
        bajas = dict(azar.sample([(t, i) for i, t in inscritas], 4))
        acciones = [(u, f"mc:baja_si:{bajas[u.id]}") for u in primeras if u.id in bajas]
        acciones += [(u, f"cur:espera:{eleccion[u.id]}") for u in tardias]
        azar.shuffle(acciones)
        for usuario, datos in acciones:
            pulsar(emulador, usuario, datos)
        await verdugo.esperar(lambda: all(testigo.vio(t, DEJASTE) for t in bajas)
                          and all(contestada(testigo, u.id) for u in tardias),
                          que="las bajas y las tardías contestadas")

        await verdugo.ya_no_matar()
        await verdugo.esperar(lambda: todo_atendido(emulador, bd), que="todo atendido")
        assert await bot.terminar() == 0
    finally:
        await verdugo.cerrar()

    with leer_bd(bd) as conexion:
        filas = [dict(f) for f in conexion.execute(
            "SELECT id, sesion_id, telegram_id, estado, creada_en FROM inscripciones"
            " ORDER BY id")]
        cupos = dict(conexion.execute("SELECT id, cupo FROM sesiones").fetchall())
    activas = [f for f in filas if f["estado"] != "cancelada"]
    estados = estados_de_envios(bd)
    resumen = (f"inscripciones: muertes={verdugo.muertes} arranques={bot.arranques} "
               f"mensajes_del_bot={verdugo.vistos} envíos={estados} "
               f"inscritas={sum(f['estado'] == 'inscrita' for f in filas)} "
               f"en_espera={sum(f['estado'] == 'espera' for f in filas)} "
               f"canceladas={sum(f['estado'] == 'cancelada' for f in filas)}")
    print(resumen)

    sano_tras_sus_muertes(bd, bot, verdugo, resumen)
    # Ningún grupo pasa su cupo, y nadie espera mientras haya lugar.
    for sesion, cupo in cupos.items():
        inscritas = sum(f["sesion_id"] == sesion and f["estado"] == "inscrita" for f in filas)
        esperan = [f for f in filas if f["sesion_id"] == sesion and f["estado"] == "espera"]
        assert inscritas <= cupo, (sesion, inscritas, cupo)
        assert not esperan or inscritas == cupo, (sesion, inscritas, len(esperan))
        # La fila (por id, que da la posición) va en orden de llegada.
        llegadas = [f["creada_en"] for f in esperan]
        assert llegadas == sorted(llegadas)
    # Cada persona, a lo más una vez por grupo; cada pulsación atendida (nada se perdió).
    assert len({(f["sesion_id"], f["telegram_id"]) for f in activas}) == len(activas)
    for usuario in todas:
        suyas = [f for f in filas if f["telegram_id"] == usuario.id]
        assert {f["sesion_id"] for f in suyas} == {eleccion[usuario.id]}, (usuario.id, suyas)
        if usuario.id in bajas:
            assert [f["estado"] for f in suyas] == ["cancelada"], (usuario.id, suyas)
        else:
            assert [f["estado"] for f in suyas] in (["inscrita"], ["espera"]), suyas
    # A quien se le dijo que tiene lugar, lo tiene (salvo quien lo dejó).
    inscritas_ids = {f["telegram_id"] for f in filas if f["estado"] == "inscrita"}
    for usuario in todas:
        if usuario.id not in bajas and (testigo.vio(usuario.id, TIENES_LUGAR)
                                         or testigo.vio(usuario.id, SE_LIBERO)):
            assert usuario.id in inscritas_ids, (usuario.id, testigo.vistos[usuario.id])
    # Ningún aviso dos veces.
    for usuario in todas:
        vistos = testigo.vistos.get(usuario.id, [])
        assert sum(TIENES_LUGAR in v for v in vistos) <= 1, vistos
        assert sum(SE_LIBERO in v for v in vistos) <= 1, vistos
    # Cada ascenso tuvo su aviso en la cola (enviado o incierto: nada pendiente ni perdido).
    with leer_bd(bd) as conexion:
        avisos = dict(conexion.execute(
            "SELECT telegram_id, estado FROM envios WHERE clave LIKE 'ascenso:%'").fetchall())
    ascendidas = {f["telegram_id"] for f in filas if f["estado"] == "inscrita"
                  and not testigo.vio(f["telegram_id"], TIENES_LUGAR)
                  and not testigo.vio(f["telegram_id"], YA_INSCRITA)}
    assert ascendidas <= set(avisos), (ascendidas, avisos)
    assert set(avisos.values()) <= {"enviado", "incierto"}, avisos
    for telegram_id, estado in avisos.items():
        if estado == "enviado":
            assert testigo.vio(telegram_id, SE_LIBERO)
    assert estados.get("incierto", 0) <= verdugo.muertes * limite_en_vuelo(), resumen


def pulsar(emulador: EmuladorBotAPI, usuario: UsuarioFicticio, datos: str) -> int:
    """Pulsa un botón con esos datos en el último mensaje que el bot le dejó."""
    return emulador.pulsar(usuario, emulador.ultimo_del_bot(usuario.id).message_id, datos)


def contestada(testigo: Memoria, chat_id: int) -> bool:
    return any(testigo.vio(chat_id, texto)
               for texto in (TIENES_LUGAR, EN_ESPERA, YA_INSCRITA, YA_EN_ESPERA))


# --- durante los recordatorios ------------------------------------------------------------------


async def test_caidas_al_azar_durante_recordatorios(emulador: EmuladorBotAPI,
                                                    criadero: Criadero, tmp_path: Path) -> None:
    """80 recordatorios ya debidos (el bot los encola al arrancar y los manda); 5 personas
    bloquearon al bot, a 2 envíos Telegram les contesta 429 y a 1, 500. El bot muere 4 veces en
    momentos al azar mientras salen."""
    azar = random.Random(semilla())
    bd = tmp_path / "coopera.sqlite3"
    ahora = datetime.now(UTC)
    personas = list(range(9000, 9080))
    almacen = await Almacen.abrir(bd)
    try:
        await almacen.sembrar_personas(personas, ahora)
        [sesion] = await almacen.sembrar_sesiones(
            [SesionSemilla("coop_basico", ahora + timedelta(hours=3), lugar="Casa de Cultura",
                           cupo=len(personas))], ahora)
        await almacen.sembrar_inscripciones(
            [(sesion, p) for p in personas], ahora,
            lambda _inicio: [(60, ahora - timedelta(minutes=1))])
    finally:
        await almacen.cerrar()
    for persona in personas:  # ya abrieron su chat con el bot
        emulador.conocer(UsuarioFicticio(persona, first_name=f"P{persona}"))
    bloquearon = set(azar.sample(personas, 5))
    for persona in bloquearon:
        emulador.bloquear(persona)
    for persona, fallo in zip(azar.sample(sorted(set(personas) - bloquearon), 3),
                              ["429", "429", "500"], strict=True):
        emulador.inyectar_fallo(fallo, metodo="sendMessage", chat_id=persona)

    bot = BotEnProceso(emulador, bd, criadero, **RAPIDO)
    verdugo = Verdugo(bot, azar, azar.sample(range(5, 45), 4))
    print(verdugo)
    try:
        await verdugo.empezar()
        await verdugo.esperar(lambda: verdugo.muertes == len(verdugo.puntos)
                              or recordatorios_listos(emulador, bd, len(personas)),
                              que="las caídas o los recordatorios terminados")
        await verdugo.ya_no_matar()
        await verdugo.esperar(lambda: recordatorios_listos(emulador, bd, len(personas)),
                              que="todos los recordatorios atendidos")
        assert await bot.terminar() == 0
    finally:
        await verdugo.cerrar()

    with leer_bd(bd) as conexion:
        envios = [dict(f) for f in conexion.execute(
            "SELECT telegram_id, estado, message_id FROM envios")]
        recordatorios = dict(conexion.execute(
            "SELECT estado, COUNT(*) FROM recordatorios GROUP BY estado").fetchall())
    estados = Counter(e["estado"] for e in envios)
    entregas = emulador.entregados("sendMessage")
    por_chat = Counter(p.parametros["chat_id"] for p in entregas)
    limite = verdugo.muertes * limite_en_vuelo()
    resumen = (f"recordatorios: muertes={verdugo.muertes} arranques={bot.arranques} "
               f"envíos={dict(estados)} recordatorios={recordatorios} "
               f"entregados={len(entregas)} inciertos≤{limite}")
    print(resumen)

    sano_tras_sus_muertes(bd, bot, verdugo, resumen)
    # Cada recordatorio, en la cola una vez; cada envío, en un estado final.
    assert recordatorios == {"encolado": len(personas)}, resumen
    assert sorted(e["telegram_id"] for e in envios) == personas
    assert set(estados) <= {"enviado", "fallido", "vencido", "inalcanzable", "incierto"}, resumen
    # Nadie lo recibió dos veces; lo que llegó está enviado (con su message_id) o incierto.
    assert max(por_chat.values()) == 1, [c for c, n in por_chat.items() if n > 1]
    message_ids = {p.parametros["chat_id"]: p.respuesta["result"]["message_id"] for p in entregas}
    for envio in envios:
        if envio["estado"] == "enviado":
            assert message_ids.get(envio["telegram_id"]) == envio["message_id"], envio
        elif envio["telegram_id"] in message_ids:
            assert envio["estado"] == "incierto", envio
    # Quien bloqueó al bot queda inalcanzable (o incierto, si la caída fue con su envío en vuelo).
    inalcanzables = {e["telegram_id"] for e in envios if e["estado"] == "inalcanzable"}
    inciertos = {e["telegram_id"] for e in envios if e["estado"] == "incierto"}
    assert inalcanzables <= bloquearon <= inalcanzables | inciertos, (bloquearon, resumen)
    # Los inciertos: a lo más los que iban en vuelo en cada caída.
    assert estados["incierto"] <= limite, resumen


def recordatorios_listos(emulador: EmuladorBotAPI, bd: Path, cuantos: int) -> bool:
    """Los `cuantos` recordatorios encolados (ninguno debido sin encolar) y todo atendido."""
    with leer_bd(bd) as conexion:
        [(faltan,)] = conexion.execute(
            "SELECT COUNT(*) FROM recordatorios WHERE estado = 'pendiente'")
        [(en_cola,)] = conexion.execute("SELECT COUNT(*) FROM envios")
    return faltan == 0 and en_cola == cuantos and todo_atendido(emulador, bd)


# --- durante la asesoría ------------------------------------------------------------------------


async def test_caidas_al_azar_durante_la_asesoria(emulador: EmuladorBotAPI, criadero: Criadero,
                                                  tmp_path: Path) -> None:
    """10 personas escriben a la asesoría (tres rondas de un mensaje cada una, todas a la vez)
    mientras dos personas del personal les contestan desde sus temas del grupo. El bot muere 4
    veces en momentos al azar. Nada se pierde: cada mensaje de una persona está en la base y en
    su tema, y cada respuesta está en la base y le llegó a la persona. Lo repetido se cuenta: lo
    que se atendió pero no alcanzó a borrarse del buzón de entrada se atiende otra vez al
    arrancar (nucleo/entrada.py), a lo más una actualización por chat y por caída."""
    azar = random.Random(semilla())
    bd = tmp_path / "coopera.sqlite3"
    personal = [UsuarioFicticio(990 + n, first_name=f"Asesora{n}") for n in range(2)]
    grupo = emulador.crear_grupo_foro(administradores=personal)
    gente = [UsuarioFicticio(6000 + n, first_name=f"Persona{n:02d}") for n in range(10)]
    almacen = await Almacen.abrir(bd)
    try:
        await almacen.sembrar_personas([u.id for u in gente], datetime.now(UTC))
    finally:
        await almacen.cerrar()

    bot = BotEnProceso(emulador, bd, criadero, COOPERA_GRUPO_ASESORIA=str(grupo.id),
                       COOPERA_PERSONAL=",".join(str(u.id) for u in personal), **RAPIDO)
    verdugo = Verdugo(bot, azar, azar.sample(range(5, 100), 4))
    print(verdugo)
    en_grupo = lambda texto: [m for m in emulador.mensajes(grupo.id)  # noqa: E731
                              if m.de_bot and m.texto_plano == texto]
    a_persona = lambda usuario, texto: [m for m in emulador.mensajes(usuario.id)  # noqa: E731
                                        if m.de_bot and m.texto_plano == texto]
    try:
        await verdugo.empezar()
        for usuario in gente:
            emulador.escribir(usuario, "/asesoria")
        await verdugo.esperar(lambda: all(emulador.ultimo_del_bot(u.id) for u in gente),
                              que="todas abrieron /asesoria")
        for ronda in range(3):
            orden = gente[:]
            azar.shuffle(orden)
            for usuario in orden:
                emulador.escribir(usuario, f"Pregunta {ronda} de {usuario.first_name}")
            await verdugo.esperar(lambda r=ronda: all(
                en_grupo(f"Pregunta {r} de {u.first_name}") for u in gente),
                que=f"las preguntas de la ronda {ronda} en sus temas")
            with leer_bd(bd) as conexion:
                temas = dict(conexion.execute(
                    "SELECT telegram_id, tema_id FROM asesorias").fetchall())
            for usuario in orden:
                emulador.escribir_en_tema(grupo.id, azar.choice(personal), temas[usuario.id],
                                          f"Respuesta {ronda} a {usuario.first_name}")
            await verdugo.esperar(lambda r=ronda: all(
                a_persona(u, f"Respuesta {r} a {u.first_name}") for u in gente),
                que=f"las respuestas de la ronda {ronda} a cada persona")
        await verdugo.ya_no_matar()
        await verdugo.esperar(lambda: todo_atendido(emulador, bd), que="todo atendido")
        assert await bot.terminar() == 0
    finally:
        await verdugo.cerrar()

    with leer_bd(bd) as conexion:
        guardados = Counter((f["chat_origen"], f["mensaje_origen"]) for f in conexion.execute(
            "SELECT chat_origen, mensaje_origen FROM mensajes_asesoria"))
    de_la_gente = [m for u in gente for m in emulador.mensajes(u.id)
                   if not m.de_bot and (m.texto_plano or "").startswith("Pregunta")]
    del_personal = [m for m in emulador.mensajes(grupo.id)
                    if not m.de_bot and (m.texto_plano or "").startswith("Respuesta")]
    copias_al_tema = Counter(len(en_grupo(m.texto_plano)) for m in de_la_gente)
    por_nombre = {u.first_name: u for u in gente}
    copias_a_persona = Counter(len(a_persona(por_nombre[m.texto_plano.split()[-1]],
                                             m.texto_plano)) for m in del_personal)
    repetidas_en_bd = sum(n - 1 for n in guardados.values())
    temas_por_persona = Counter(t.nombre.split(" · ")[0] for t in emulador.temas(grupo.id))
    resumen = (f"asesoría: muertes={verdugo.muertes} arranques={bot.arranques} "
               f"preguntas={len(de_la_gente)} respuestas={len(del_personal)} "
               f"copias_al_tema={dict(copias_al_tema)} copias_a_persona={dict(copias_a_persona)} "
               f"repetidas_en_bd={repetidas_en_bd} temas={len(emulador.temas(grupo.id))}")
    print(resumen)

    sano_tras_sus_muertes(bd, bot, verdugo, resumen)
    assert len(de_la_gente) == len(del_personal) == 3 * len(gente)
    # Nada se perdió: cada mensaje, en la base y del otro lado.
    for mensaje in de_la_gente + del_personal:
        assert guardados[(mensaje.chat_id, mensaje.message_id)] >= 1, mensaje
    assert 0 not in copias_al_tema and 0 not in copias_a_persona, resumen
    # Lo repetido: a lo más lo que se estaba atendiendo al caer (una actualización por chat).
    al_tema_de_mas = sum((n - 1) * veces for n, veces in copias_al_tema.items())
    a_persona_de_mas = sum((n - 1) * veces for n, veces in copias_a_persona.items())
    assert al_tema_de_mas <= verdugo.muertes * len(gente), resumen
    assert a_persona_de_mas <= verdugo.muertes, resumen  # el grupo es un solo chat
    assert repetidas_en_bd <= verdugo.muertes * (len(gente) + 1), resumen
    assert max(temas_por_persona.values()) <= 1 + verdugo.muertes, temas_por_persona
