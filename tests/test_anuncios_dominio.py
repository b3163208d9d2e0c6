"""Anuncios, el dominio (nucleo/anuncios.py) sobre el almacén de verdad: a quién llega cada
audiencia (ids exactos), crear de un jalón (o nada), programar, cambiar, pausar, reanudar,
cancelar, terminar y silenciarse. Sin cola de envíos: las filas se quedan donde las deja el
dominio, y así se revisan.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulador import UsuarioFicticio
from nucleo import anuncios as modulo_anuncios
from nucleo.almacen import Almacen
from nucleo.anuncios import Anuncios, Audiencia, Borrador
from nucleo.contenido import Contenido
from nucleo.municipios import CatalogoMunicipios
from nucleo.reloj import RelojFijo
from nucleo.vocabulario import EstadoAnuncio, MedioAnuncio, TipoAudiencia
from tests.conversador import BotDePrueba, Persona

AHORA = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
PUEBLA, ACAJETE, ACATLAN = "21114", "21001", "21003"
PERSONAL = 900
T = TipoAudiencia


async def sql(almacen: Almacen, *sentencias: tuple[str, tuple]) -> None:
    async with almacen.transaccion() as bd:
        for sentencia, parametros in sentencias:
            await bd.execute(sentencia, parametros)


async def poblar(almacen: Almacen, pasos: list[str], resultados: list[str]) -> None:
    """Una población que mezcla todo (ver los ids esperados en cada prueba):
    1 es, Puebla, inscrita en S1 (curso X), orientación r1 y luego r2, grupo K1 (paso 1).
    2 en, Acajete, en espera en S1, orientación r1, grupo K2 (paso 1 hecho, paso 2 marcado).
    3 es, Puebla, inscrita en S1, grupo K1, SILENCIADA.
    4 es, Puebla, inscrita en S1, INALCANZABLE (nos bloqueó).
    5 SIN consentimiento.
    6 sin idioma, Acatlán, cancelada en S1, inscrita en S2 (curso Y), r2 y luego r1.
    7 en, sin perfil, inscrita en S3 (curso X, sesión cancelada).
    8 es, Acajete, grupo K2 y grupo K3 (terminó todos los pasos).
    """
    idiomas = {1: "es", 2: "en", 3: "es", 4: "es", 6: None, 7: "en", 8: "es"}
    for tid, idioma in idiomas.items():
        await almacen.registrar_consentimiento(tid, True, "prueba", AHORA, idioma=idioma)
    await almacen.registrar_consentimiento(5, False, "prueba", AHORA)
    for tid, municipio in {1: PUEBLA, 2: ACAJETE, 3: PUEBLA, 4: PUEBLA, 6: ACATLAN,
                           8: ACAJETE}.items():
        await almacen.guardar_en_perfil(tid, "municipio_clave", municipio, AHORA)
    await almacen.marcar_inalcanzable(4, AHORA)
    r1, r2 = resultados[:2]
    await almacen.terminar_orientacion(1, r1, {}, AHORA - timedelta(days=2))
    await almacen.terminar_orientacion(1, r2, {}, AHORA - timedelta(days=1))
    await almacen.terminar_orientacion(2, r1, {}, AHORA)
    await almacen.terminar_orientacion(6, r2, {}, AHORA - timedelta(days=2))
    await almacen.terminar_orientacion(6, r1, {}, AHORA - timedelta(days=1))
    momento = AHORA.isoformat()
    sesion = ("INSERT INTO sesiones (id, curso_id, inicio, duracion_min, modalidad, cupo, estado,"
              " codigo_asistencia, creada_en, actualizada_en) VALUES (?, ?, ?, 60, 'en_linea',"
              " 10, ?, 'ABC', ?, ?)")
    inscripcion = ("INSERT INTO inscripciones (sesion_id, telegram_id, estado, creada_en,"
                   " actualizada_en) VALUES (?, ?, ?, ?, ?)")
    cooperativa = ("INSERT INTO cooperativas (id, nombre, actividad, clase, municipio_clave,"
                   " creada_en, actualizada_en) VALUES (?, 'Grupo', 'Pan', 'productores', ?, ?, ?)")
    miembro = ("INSERT INTO miembros_cooperativa (cooperativa_id, telegram_id, rol, unida_en)"
               " VALUES (?, ?, ?, ?)")
    paso = ("INSERT INTO pasos_cooperativa (cooperativa_id, paso_id, marcado_en, confirmado_en)"
            " VALUES (?, ?, ?, ?)")
    await sql(
        almacen,
        (sesion, (1, "curso_x", momento, "programada", momento, momento)),
        (sesion, (2, "curso_y", momento, "programada", momento, momento)),
        (sesion, (3, "curso_x", momento, "cancelada", momento, momento)),
        (inscripcion, (1, 1, "inscrita", momento, momento)),
        (inscripcion, (1, 2, "espera", momento, momento)),
        (inscripcion, (1, 3, "inscrita", momento, momento)),
        (inscripcion, (1, 4, "inscrita", momento, momento)),
        (inscripcion, (1, 6, "cancelada", momento, momento)),
        (inscripcion, (2, 6, "inscrita", momento, momento)),
        (inscripcion, (3, 7, "inscrita", momento, momento)),
        (cooperativa, (1, PUEBLA, momento, momento)),
        (cooperativa, (2, ACAJETE, momento, momento)),
        (cooperativa, (3, ACAJETE, momento, momento)),
        (miembro, (1, 1, "responsable", momento)),
        (miembro, (1, 3, "socia", momento)),
        (miembro, (2, 2, "responsable", momento)),
        (miembro, (2, 8, "socia", momento)),
        (miembro, (3, 8, "responsable", momento)),
        (paso, (2, pasos[0], momento, momento)),
        (paso, (2, pasos[1], momento, None)),  # marcado, sin confirmar: sigue en ese paso
        (paso, (1, pasos[2], momento, momento)),  # uno adelantado no cambia su paso actual
        *[(paso, (3, p, momento, momento)) for p in pasos],
    )
    await almacen.silenciar_persona(3, AHORA)


@pytest.fixture
async def almacen(tmp_path: Path) -> AsyncIterator[Almacen]:
    almacen = await Almacen.abrir(tmp_path / "anuncios.sqlite3")
    yield almacen
    await almacen.cerrar()


@pytest.fixture
def reloj_fijo() -> RelojFijo:
    return RelojFijo(AHORA)


@pytest.fixture
async def anuncios(almacen: Almacen, contenido_real: Contenido,
                   reloj_fijo: RelojFijo) -> Anuncios:
    await poblar(almacen, [p.id for p in contenido_real.cooperativa.pasos],
                 list(contenido_real.orientacion.resultados))
    return Anuncios(almacen, contenido_real, reloj_fijo, None)


def borrador(texto: str = "<b>Feria</b> del empleo", tipo: TipoAudiencia = T.TODOS,
             *valores: str) -> Borrador:
    return Borrador(texto, Audiencia(tipo, tuple(valores)))


async def filas(almacen: Almacen, anuncio_id: int) -> dict[int, str]:
    """telegram_id → estado de las filas del anuncio."""
    return {e.telegram_id: e.estado for e in await almacen.todos_los_envios()
            if e.clave.startswith(f"anuncio:{anuncio_id}:")}


# --- a quién llega -----------------------------------------------------------------------------

def esperados(contenido: Contenido) -> dict[tuple[TipoAudiencia, tuple[str, ...]], list[int]]:
    """Cada audiencia y a quién le llega de la población de `poblar` (nunca a 3, silenciada; a
    4, inalcanzable; ni a 5, sin consentimiento)."""
    pasos = [p.id for p in contenido.cooperativa.pasos]
    r1, r2 = list(contenido.orientacion.resultados)[:2]
    return {
        (T.TODOS, ()): [1, 2, 6, 7, 8],
        (T.MUNICIPIOS, (PUEBLA,)): [1],
        (T.MUNICIPIOS, (PUEBLA, ACAJETE)): [1, 2, 8],
        (T.MUNICIPIOS, (ACATLAN,)): [6],
        (T.MUNICIPIOS, ("99999",)): [],
        # contenido/municipios.csv no trae regiones todavía: ninguna región llega a nadie.
        (T.REGIONES, ("Sierra Norte",)): [],
        (T.CURSO, ("curso_x",)): [1, 2],  # la sesión cancelada (S3) no cuenta
        (T.CURSO, ("curso_y",)): [6],
        (T.CURSO, ("curso_x", "curso_y")): [1, 2, 6],
        (T.SESION, ("1",)): [1, 2],  # inscrita y en espera; la cancelada (6) no
        (T.SESION, ("2",)): [6],
        (T.SESION, ("3",)): [7],  # una sesión elegida a mano cuenta aunque se cancelara
        (T.PASO_COOPERATIVA, (pasos[0],)): [1],
        (T.PASO_COOPERATIVA, (pasos[1],)): [2, 8],
        (T.PASO_COOPERATIVA, (pasos[0], pasos[1])): [1, 2, 8],
        (T.PASO_COOPERATIVA, (pasos[-1],)): [],  # K3 terminó todos: no está en ninguno
        (T.IDIOMA, ("en",)): [2, 7],
        (T.IDIOMA, ("es",)): [1, 8],  # 6 nunca eligió idioma
        (T.RESULTADO, (r1,)): [2, 6],  # 1 tuvo r1 antes, pero su última es r2
        (T.RESULTADO, (r2,)): [1],
    }


async def test_cada_audiencia_llega_exactamente_a_quien_debe(
        anuncios: Anuncios, contenido_real: Contenido) -> None:
    for (tipo, valores), ids in esperados(contenido_real).items():
        audiencia = Audiencia(tipo, valores)
        assert await anuncios.destinatarios(audiencia) == ids, (tipo, valores)
        assert await anuncios.contar(audiencia) == len(ids), (tipo, valores)


async def test_cada_audiencia_por_el_emulador(bot: BotDePrueba,
                                              contenido_real: Contenido) -> None:
    """Lo mismo de punta a punta: el anuncio sale por la cola y el emulador dice a qué chats
    llegó (una vez cada uno)."""
    await poblar(bot.almacen, [p.id for p in contenido_real.cooperativa.pasos],
                 list(contenido_real.orientacion.resultados))
    for telegram_id in range(1, 9):
        bot.emulador.conocer(UsuarioFicticio(telegram_id, first_name=f"P{telegram_id}"))
    for numero, ((tipo, valores), ids) in enumerate(esperados(contenido_real).items()):
        texto = f"Anuncio {numero}"
        await bot.servicios.anuncios.crear(Borrador(texto, Audiencia(tipo, valores)),
                                           autor_id=PERSONAL)
        await bot.servicios.despachador.vaciar(10)
        llegaron = [p.parametros["chat_id"] for p in bot.emulador.entregados("sendMessage")
                    if p.parametros.get("text") == texto]
        assert sorted(llegaron) == ids, (tipo, valores)


async def test_regiones_cuando_el_personal_las_llena(
        almacen: Almacen, anuncios: Anuncios, contenido_real: Contenido,
        reloj_fijo: RelojFijo) -> None:
    municipios = [replace(m, region="Sierra Norte") if m.clave in (PUEBLA, ACATLAN)
                  else replace(m, region="Mixteca") for m in contenido_real.municipios]
    con_regiones = replace(contenido_real, municipios=CatalogoMunicipios(municipios))
    regionales = Anuncios(almacen, con_regiones, reloj_fijo, None)
    assert await regionales.destinatarios(Audiencia(T.REGIONES, ("Sierra Norte",))) == [1, 6]
    assert await regionales.destinatarios(Audiencia(T.REGIONES, ("Mixteca",))) == [2, 8]
    anuncio_id = await regionales.crear(borrador("Hola", T.REGIONES, "Sierra Norte"),
                                        autor_id=PERSONAL)
    assert sorted(await filas(almacen, anuncio_id)) == [1, 6]
    anuncio = await regionales.obtener(anuncio_id)
    assert anuncio.borrador.audiencia == Audiencia(T.REGIONES, ("Sierra Norte",))


def test_audiencia_en_json_ida_y_vuelta() -> None:
    for audiencia in (Audiencia(T.TODOS), Audiencia(T.SESION, ("12", "3")),
                      Audiencia(T.MUNICIPIOS, ("21114",))):
        assert Audiencia.de_json(audiencia.a_json()) == audiencia


# --- crear ----------------------------------------------------------------------------------

async def test_crear_ya_escribe_anuncio_filas_y_bitacora_de_un_jalon(
        almacen: Almacen, anuncios: Anuncios) -> None:
    texto = "<b>Feria</b> del empleo el sábado"
    anuncio_id = await anuncios.crear(
        Borrador(texto, Audiencia(T.TODOS), MedioAnuncio.FOTO, "AgADfoto"), autor_id=PERSONAL)
    envios = [e for e in await almacen.todos_los_envios()]
    assert sorted(e.telegram_id for e in envios) == [1, 2, 6, 7, 8]
    assert {e.clave for e in envios} == {f"anuncio:{anuncio_id}:{t}" for t in (1, 2, 6, 7, 8)}
    assert {(e.prioridad, e.estado) for e in envios} == {(9, "pendiente")}
    anuncio = await anuncios.obtener(anuncio_id)
    assert anuncio.estado == EstadoAnuncio.ENVIANDO
    assert anuncio.borrador == Borrador(texto, Audiencia(T.TODOS), MedioAnuncio.FOTO,
                                        "AgADfoto")
    assert anuncio.autor_id == PERSONAL and anuncio.programado_para is None
    avance = await anuncios.avance(anuncio_id)
    assert (avance.total, avance.pendientes, avance.enviados) == (5, 5, 0)
    assert avance.iniciado_en == AHORA
    bitacora = await almacen.auditoria(10)
    assert [(a.quien, a.accion, a.objeto, a.detalle) for a in bitacora] == [
        (PERSONAL, "anuncio", f"anuncio {anuncio_id}", "5 destinatarios")]
    # El medio y el texto llegan a la fila de la cola tal cual.
    async with almacen.transaccion() as bd:
        cursor = await bd.execute("SELECT DISTINCT texto, medio_tipo, medio_id, anuncio_id"
                                  " FROM envios")
        assert [tuple(f) for f in await cursor.fetchall()] == [
            (texto, "foto", "AgADfoto", anuncio_id)]


async def test_crear_cortado_a_la_mitad_no_deja_nada(
        almacen: Almacen, anuncios: Anuncios, monkeypatch: pytest.MonkeyPatch) -> None:
    async def falla(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("corte a la mitad")

    # La bitácora va después de las filas: si falla, nada de lo anterior queda.
    monkeypatch.setattr(modulo_anuncios, "anotar", falla)
    with pytest.raises(RuntimeError):
        await anuncios.crear(borrador(), autor_id=PERSONAL)
    assert await almacen.todos_los_envios() == []
    assert await anuncios.listar() == []
    assert await almacen.auditoria(10) == []


async def test_textos_que_telegram_no_aceptaria(anuncios: Anuncios) -> None:
    with pytest.raises(ValueError):
        await anuncios.crear(borrador("   "), autor_id=PERSONAL)
    with pytest.raises(ValueError):
        await anuncios.crear(borrador("a" * 4097), autor_id=PERSONAL)
    with pytest.raises(ValueError):  # con foto va como pie: 1024
        await anuncios.crear(Borrador("a" * 1025, Audiencia(T.TODOS), MedioAnuncio.FOTO, "x"),
                             autor_id=PERSONAL)
    # Las etiquetas no cuentan: 4096 letras visibles en negritas sí caben.
    await anuncios.crear(borrador("<b>" + "a" * 4096 + "</b>"), autor_id=PERSONAL)
    with pytest.raises(ValueError):  # programado para el pasado
        await anuncios.crear(borrador(), autor_id=PERSONAL,
                             programado_para=AHORA - timedelta(minutes=1))


# --- programar, cambiar, cancelar ---------------------------------------------------------------

async def test_programado_empieza_cuando_llega_su_hora_y_no_antes(
        almacen: Almacen, anuncios: Anuncios, reloj_fijo: RelojFijo) -> None:
    hora = AHORA + timedelta(hours=1)
    anuncio_id = await anuncios.crear(borrador("Primero", T.IDIOMA, "es"), autor_id=PERSONAL,
                                      programado_para=hora)
    assert (await anuncios.obtener(anuncio_id)).estado == EstadoAnuncio.PROGRAMADO
    assert await almacen.todos_los_envios() == []
    reloj_fijo.fijar(hora - timedelta(seconds=1))
    assert await anuncios.iniciar_los_que_tocan() == []
    assert await almacen.todos_los_envios() == []
    # Se puede cambiar todo mientras no empieza: texto, audiencia y hora.
    nueva_hora = hora + timedelta(minutes=30)
    assert await anuncios.editar(anuncio_id, borrador("Cambiado", T.IDIOMA, "en"),
                                 programado_para=nueva_hora, quien=PERSONAL)
    reloj_fijo.fijar(hora)
    assert await anuncios.iniciar_los_que_tocan() == []
    reloj_fijo.fijar(nueva_hora)
    assert await anuncios.iniciar_los_que_tocan() == [anuncio_id]
    assert await anuncios.iniciar_los_que_tocan() == []  # una sola vez
    envios = await almacen.todos_los_envios()
    assert sorted(e.telegram_id for e in envios) == [2, 7]
    anuncio = await anuncios.obtener(anuncio_id)
    assert anuncio.estado == EstadoAnuncio.ENVIANDO
    assert anuncio.borrador.texto == "Cambiado"
    # Ya empezó: no se cambia.
    assert not await anuncios.editar(anuncio_id, borrador("Tarde"), programado_para=None,
                                     quien=PERSONAL)
    assert (await anuncios.obtener(anuncio_id)).borrador.texto == "Cambiado"
    acciones = [a.accion for a in reversed(await almacen.auditoria(10))]
    assert acciones == ["anuncio_programado", "anuncio_editado"]


async def test_editar_sin_hora_lo_manda_ya_y_cancelar_programado(
        almacen: Almacen, anuncios: Anuncios) -> None:
    primero = await anuncios.crear(borrador(), autor_id=PERSONAL,
                                   programado_para=AHORA + timedelta(days=1))
    assert await anuncios.editar(primero, borrador("Ya", T.SESION, "1"), programado_para=None,
                                 quien=PERSONAL)
    assert (await anuncios.obtener(primero)).estado == EstadoAnuncio.ENVIANDO
    assert sorted(await filas(almacen, primero)) == [1, 2]

    segundo = await anuncios.crear(borrador(), autor_id=PERSONAL,
                                   programado_para=AHORA + timedelta(days=1))
    assert await anuncios.cancelar(segundo, quien=PERSONAL) == EstadoAnuncio.CANCELADO
    assert await anuncios.cancelar(segundo, quien=PERSONAL) is None
    assert await anuncios.cancelar(12345, quien=PERSONAL) is None
    assert not await anuncios.editar(segundo, borrador(), programado_para=None, quien=PERSONAL)
    assert await anuncios.iniciar_los_que_tocan() == []
    assert await filas(almacen, segundo) == {}
    assert (await anuncios.obtener(segundo)).estado == EstadoAnuncio.CANCELADO


# --- pausar, reanudar, cancelar en curso, terminar --------------------------------------------

async def test_pausar_reanudar_y_cancelar_mueven_las_filas(
        almacen: Almacen, anuncios: Anuncios) -> None:
    anuncio_id = await anuncios.crear(borrador(), autor_id=PERSONAL)  # 1, 2, 6, 7, 8
    # Una ya salió (la cola la tomó y Telegram contestó).
    enviada = await almacen.tomar_envio([], [])
    await almacen.envio_enviado(enviada.id, 77, AHORA)
    assert await anuncios.pausar(anuncio_id, quien=PERSONAL)
    assert not await anuncios.pausar(anuncio_id, quien=PERSONAL)
    estados = await filas(almacen, anuncio_id)
    assert estados.pop(enviada.telegram_id) == "enviado"
    assert set(estados.values()) == {"retenido"}
    assert await almacen.tomar_envio([], []) is None  # la cola no ve nada retenido
    avance = await anuncios.avance(anuncio_id)
    assert (avance.estado, avance.enviados, avance.retenidos, avance.pendientes) == (
        EstadoAnuncio.PAUSADO, 1, 4, 0)
    assert avance.segundos_restantes(AHORA) is None

    # En la pausa: 2 se silencia, 6 nos bloquea, 7 retira su consentimiento (se borra todo).
    await anuncios.silenciar(2, True)
    await almacen.marcar_inalcanzable(6, AHORA)
    await almacen.registrar_consentimiento(7, False, "prueba", AHORA)
    assert await anuncios.reanudar(anuncio_id, quien=PERSONAL)
    assert not await anuncios.reanudar(anuncio_id, quien=PERSONAL)
    estados = await filas(almacen, anuncio_id)
    restantes = {t: e for t, e in estados.items() if t != enviada.telegram_id}
    assert restantes == {t: e for t, e in {2: "cancelado", 6: "inalcanzable", 8: "pendiente",
                                            1: "pendiente"}.items() if t in restantes}
    assert 7 not in estados  # sus filas se borraron con sus datos

    assert await anuncios.cancelar(anuncio_id, quien=PERSONAL) == EstadoAnuncio.CANCELADO
    estados = await filas(almacen, anuncio_id)
    assert estados[enviada.telegram_id] == "enviado"  # lo que salió, salió
    assert "pendiente" not in estados.values() and "retenido" not in estados.values()
    assert not await anuncios.reanudar(anuncio_id, quien=PERSONAL)
    assert not await anuncios.terminar_si_acabo(anuncio_id)  # cancelado no termina
    acciones = [a.accion for a in reversed(await almacen.auditoria(10))]
    assert acciones == ["anuncio", "anuncio_pausado", "anuncio_reanudado", "anuncio_cancelado"]


async def test_una_fila_devuelta_tras_pausar_cancelar_o_silenciar_no_sale(
        almacen: Almacen, anuncios: Anuncios) -> None:
    anuncio_id = await anuncios.crear(borrador(), autor_id=PERSONAL)
    en_vuelo = await almacen.tomar_envio([], [])  # en vuelo cuando el personal pausa
    assert await anuncios.pausar(anuncio_id, quien=PERSONAL)
    await almacen.envio_devuelto(en_vuelo.id, "TimedOut", cuenta=True)  # 5xx: reintento
    # La base la retiene en la misma sentencia (migración 0013): la cola no la vuelve a tomar.
    assert (await filas(almacen, anuncio_id))[en_vuelo.telegram_id] == "retenido"
    assert await almacen.tomar_envio([], []) is None
    await anuncios.iniciar_los_que_tocan()
    assert (await filas(almacen, anuncio_id))[en_vuelo.telegram_id] == "retenido"
    # Igual si el anuncio se canceló, o si la persona se silenció, con la fila en vuelo.
    assert await anuncios.reanudar(anuncio_id, quien=PERSONAL)
    primera, segunda = await almacen.tomar_envio([], []), await almacen.tomar_envio([], [])
    await anuncios.silenciar(primera.telegram_id, True)
    await almacen.envio_devuelto(primera.id, "NetworkError", cuenta=True)
    assert (await filas(almacen, anuncio_id))[primera.telegram_id] == "cancelado"
    assert await anuncios.cancelar(anuncio_id, quien=PERSONAL) == EstadoAnuncio.CANCELADO
    await almacen.envio_no_intentado(segunda.id)
    assert (await filas(almacen, anuncio_id))[segunda.telegram_id] == "cancelado"
    assert await almacen.tomar_envio([], []) is None


async def test_terminar_si_acabo_una_sola_vez(almacen: Almacen, anuncios: Anuncios,
                                              reloj_fijo: RelojFijo) -> None:
    anuncio_id = await anuncios.crear(borrador("Hola", T.SESION, "1"), autor_id=PERSONAL)
    assert [a.id for a, _ in await anuncios.en_curso()] == [anuncio_id]
    primero = await almacen.tomar_envio([], [])
    await almacen.envio_enviado(primero.id, 1, AHORA)
    assert not await anuncios.terminar_si_acabo(anuncio_id)
    segundo = await almacen.tomar_envio([], [])
    assert not await anuncios.terminar_si_acabo(anuncio_id)  # en vuelo
    await almacen.envio_terminado_sin_enviar(segundo.id, "incierto", "caida")
    reloj_fijo.avanzar(seconds=4)
    assert await anuncios.terminar_si_acabo(anuncio_id)
    assert not await anuncios.terminar_si_acabo(anuncio_id)
    avance = await anuncios.avance(anuncio_id)
    assert (avance.estado, avance.total, avance.enviados, avance.inciertos) == (
        EstadoAnuncio.TERMINADO, 2, 1, 1)
    assert avance.terminado_en == AHORA + timedelta(seconds=4)
    assert avance.por_segundo(AHORA + timedelta(hours=1)) == pytest.approx(0.25)
    assert avance.segundos_restantes(AHORA) == 0.0
    # Sigue «en curso» solo hasta que su informe final se entrega.
    assert [a.id for a, _ in await anuncios.en_curso()] == [anuncio_id]
    await anuncios.informe_entregado(anuncio_id)
    assert await anuncios.en_curso() == []


async def test_un_anuncio_sin_destinatarios(anuncios: Anuncios) -> None:
    anuncio_id = await anuncios.crear(borrador("Hola", T.MUNICIPIOS, "99999"),
                                      autor_id=PERSONAL)
    assert (await anuncios.avance(anuncio_id)).total == 0
    assert await anuncios.terminar_si_acabo(anuncio_id)


# --- silenciar -----------------------------------------------------------------------------------

async def test_silenciarse_despues_cancela_lo_que_le_faltaba(
        almacen: Almacen, anuncios: Anuncios) -> None:
    anuncio_id = await anuncios.crear(borrador(), autor_id=PERSONAL)
    assert not await anuncios.silenciada(1)
    await anuncios.silenciar(1, True)
    assert await anuncios.silenciada(1)
    assert (await filas(almacen, anuncio_id))[1] == "cancelado"
    await anuncios.silenciar(1, False)  # deshacer no revive lo cancelado
    assert not await anuncios.silenciada(1)
    assert (await filas(almacen, anuncio_id))[1] == "cancelado"
    segundo = await anuncios.crear(borrador(), autor_id=PERSONAL)
    assert (await filas(almacen, segundo))[1] == "pendiente"  # el siguiente sí le llega
    # Sin consentimiento no hay nada que silenciar.
    await anuncios.silenciar(5, True)
    assert not await anuncios.silenciada(5)
    # Silenciarse no toca sus otros avisos (un recordatorio no es un anuncio).
    assert await anuncios.silenciada(3)
    assert 3 not in await filas(almacen, segundo)


async def test_listar_por_paginas_lo_mas_nuevo_primero(anuncios: Anuncios) -> None:
    ids = [await anuncios.crear(borrador(f"Anuncio {n}"), autor_id=PERSONAL)
           for n in range(5)]
    pagina = await anuncios.listar(limite=3)
    assert [a.id for a, _ in pagina] == ids[::-1][:3]
    assert [a.id for a, _ in await anuncios.listar(limite=3, antes_de=pagina[-1][0].id)] == \
        ids[::-1][3:]
    assert all(avance.total == 5 for _, avance in pagina)
    await anuncios.fijar_mensaje_de_avance(ids[0], 900, 55)
    anuncio = await anuncios.obtener(ids[0])
    assert (anuncio.progreso_chat_id, anuncio.progreso_message_id) == (900, 55)


# --- /silenciar, de punta a punta por el emulador ------------------------------------------------

async def acepta(persona: Persona) -> None:
    await persona.escribe("/start")
    await persona.pulsa_datos("aviso:acepto")


def anuncios_recibidos(persona: Persona, texto: str) -> int:
    return sum(1 for m in persona.mensajes() if m.texto_plano == texto)


async def test_silenciar_y_deshacerlo(bot: BotDePrueba, ana: Persona, john: Persona) -> None:
    servicio = bot.servicios.anuncios
    await ana.escribe("/silenciar")  # sin aviso aceptado no hay nada que guardar
    assert "no has aceptado el aviso de privacidad" in ana.texto()
    assert not await servicio.silenciada(ana.id)

    await acepta(ana)
    await acepta(john)
    await ana.escribe("/silenciar")
    assert "Ya no te mandaremos anuncios" in ana.texto()
    assert "/silenciar otra vez" in ana.texto()
    assert ana.botones()[0] == "🔔 Volver a recibir anuncios"
    assert await servicio.silenciada(ana.id)
    await john.escribe("/silenciar")
    assert "We won't send you announcements" in john.texto()
    await john.pulsa("🔔 Get announcements again")
    assert "We will send you announcements again" in john.texto()
    assert not await servicio.silenciada(john.id)

    await servicio.crear(Borrador("Feria del empleo", Audiencia(T.TODOS)), autor_id=PERSONAL)
    await bot.servicios.despachador.vaciar(10)
    assert anuncios_recibidos(ana, "Feria del empleo") == 0
    assert anuncios_recibidos(john, "Feria del empleo") == 1

    await ana.pulsa("🔔 Volver a recibir anuncios")
    assert "Otra vez te mandaremos anuncios" in ana.texto()
    assert ana.botones()[0] == "🔕 Ya no recibir anuncios"
    assert not await servicio.silenciada(ana.id)
    await ana.pulsa_datos("sil:no")  # el botón fija el estado: pulsarlo otra vez no lo cambia
    assert not await servicio.silenciada(ana.id)
    await servicio.crear(Borrador("Otra feria", Audiencia(T.TODOS)), autor_id=PERSONAL)
    await bot.servicios.despachador.vaciar(10)
    assert anuncios_recibidos(ana, "Otra feria") == 1
    await ana.escribe("/silenciar")
    assert await servicio.silenciada(ana.id)
    await ana.escribe("/ayuda")
    assert "/silenciar — Dejar de recibir anuncios, o volver a recibirlos" in ana.texto()


async def test_el_programado_que_vencio_con_el_bot_apagado_sale_al_arrancar(
        bot: BotDePrueba, ana: Persona) -> None:
    await acepta(ana)
    hora = bot.reloj.ahora() + timedelta(hours=1)
    anuncio_id = await bot.servicios.anuncios.crear(
        Borrador("Taller el lunes", Audiencia(T.TODOS)), autor_id=PERSONAL, programado_para=hora)
    # El trabajo periódico está registrado (cada 30 s); su hora no ha llegado.
    [trabajo] = bot.coopera.aplicacion.job_queue.get_jobs_by_name("anuncios")
    assert trabajo.job.trigger.interval == timedelta(seconds=30)
    assert await bot.servicios.anuncios.iniciar_los_que_tocan() == []
    await bot.detener()
    bot.reloj.fijar(hora + timedelta(hours=1))  # su hora pasó con el bot apagado
    await bot.iniciar()
    anuncio = await bot.servicios.anuncios.obtener(anuncio_id)
    assert anuncio.estado == EstadoAnuncio.ENVIANDO
    await bot.servicios.despachador.vaciar(10)
    assert anuncios_recibidos(ana, "Taller el lunes") == 1
