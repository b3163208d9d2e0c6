"""/cooperativa, segunda parte: quien no es del grupo no ve ni cambia nada (mande los datos que
mande), los borradores del acta y de las bases leídos de vuelta, las asambleas con sus
recordatorios, el personal, y el contenido del camino (cada paso con fundamento, fuente y
fecha; el bot no arranca sin ellos).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulador import UsuarioFicticio
from nucleo.contenido import ContenidoInvalido, cargar_contenido
from nucleo.vocabulario import Invitacion
from tests.conversador import ID_PERSONAL, BotDePrueba, Persona, textos

CONTENIDO = Path(__file__).resolve().parent.parent / "contenido"


def cooperativas(bot: BotDePrueba):
    return bot.servicios.cooperativas


async def con_perfil(bot: BotDePrueba, telegram_id: int, nombre: str,
                     idioma: str | None = None) -> None:
    bot.emulador.conocer(UsuarioFicticio(telegram_id, first_name=nombre))
    ahora = bot.reloj.ahora()
    await bot.almacen.registrar_consentimiento(telegram_id, True, "prueba", ahora, idioma)
    await bot.almacen.guardar_en_perfil(telegram_id, "nombre", nombre, ahora)


async def grupo_con(bot: BotDePrueba, responsable: int, *otras: int) -> int:
    servicio = cooperativas(bot)
    creada = await servicio.crear(responsable, None, "Tejedoras de Cholula",
                                  "tejer y vender rebozos", "productores", "21114")
    for telegram_id in otras:
        assert (await servicio.unirse(creada.token, telegram_id, None)).resultado == \
            Invitacion.VALIDA
    await bot.coopera.despachador.vaciar(10)
    return creada.cooperativa_id


def volcado(bot: BotDePrueba) -> list:
    """Todo lo de las tablas de cooperativas (para ver que nada cambió)."""
    tablas = ("cooperativas", "miembros_cooperativa", "invitaciones_cooperativa",
              "pasos_cooperativa", "evidencias_cooperativa", "asambleas",
              "asistencias_asamblea", "recordatorios_asamblea", "envios")
    with sqlite3.connect(bot.config.ruta_bd) as bd:
        return [list(bd.execute(f"SELECT * FROM {t} ORDER BY 1")) for t in tablas]


# --- quien no es del grupo --------------------------------------------------------------------


async def test_quien_no_es_del_grupo_no_ve_ni_cambia_nada(bot: BotDePrueba,
                                                         ana: Persona) -> None:
    await con_perfil(bot, ana.id, "Ana")
    await con_perfil(bot, 303, "Fuera")  # aceptó el aviso, pero no es del grupo
    john = bot.persona(UsuarioFicticio(303, first_name="Fuera"))
    cid = await grupo_con(bot, ana.id)
    asamblea = await cooperativas(bot).programar_asamblea(
        cid, ana.id, bot.reloj.ahora() + timedelta(days=3), "Casa ejidal", "Elegir la clase")
    await cooperativas(bot).marcar(cid, "decision", ana.id)
    await bot.coopera.despachador.vaciar(10)
    await john.escribe("/menu")
    antes = volcado(bot)
    forjados = [
        f"coop:g:{cid}", f"coop:m:{cid}", f"coop:mm:{cid}:{ana.id}", f"coop:p:{cid}",
        f"coop:s:{cid}:decision", f"coop:hecho:{cid}:clase", f"coop:ok:{cid}:decision",
        f"coop:deshacer:{cid}:decision", f"coop:inv:{cid}", f"coop:enlace:{cid}",
        f"coop:anular:{cid}", f"coop:renovar:{cid}:7", f"coop:quitar:{cid}:{ana.id}",
        f"coop:quitar_si:{cid}:{ana.id}", f"coop:del:{cid}:{ana.id}:1",
        f"coop:resp:{cid}:{john.id}", f"coop:salir:{cid}", f"coop:salir_si:{cid}",
        f"coop:vev:{cid}:decision", f"coop:as:{cid}", f"coop:a:{asamblea}",
        f"coop:asi:{asamblea}:no", f"coop:acan:{asamblea}", f"coop:docs:{cid}",
        f"coop:doc:{cid}:acta", f"coop:doc:{cid}:bases", f"coop:ev:{cid}:decision",
        f"coop:nas:{cid}", f"coop:reg:{asamblea}", f"coop:ase:{cid}:decision",
        "coop:g:999999", "coop:s:1:../../etc", "coop:hecho:1:decision;DROP",
    ]
    for datos in forjados:
        await john.pulsa_datos(datos)
    await bot.coopera.despachador.vaciar(10)
    assert volcado(bot) == antes
    recibido = "\n".join(m.texto_plano or "" for m in bot.emulador.mensajes_del_bot(john.id))
    assert "Tejedoras" not in recibido and "Casa ejidal" not in recibido
    assert "No eres parte de ese grupo" in recibido
    assert not [m for m in bot.emulador.mensajes_del_bot(john.id) if m.documento]


# --- los borradores ---------------------------------------------------------------------------


def texto_de_pdf(contenido: bytes) -> str:
    """El texto de un PDF de fpdf2 (fuentes de base): cada «(…) Tj» de cada flujo."""
    assert contenido.startswith(b"%PDF")
    texto = []
    for flujo in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", contenido, re.S):
        try:
            datos = zlib.decompress(flujo)
        except zlib.error:
            datos = flujo
        for trozo in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", datos, re.S):
            texto.append(re.sub(rb"\\(.)", rb"\1", trozo).decode("latin-1"))
    return " ".join(" ".join(texto).split())


async def test_borradores_del_acta_y_las_bases_con_cada_miembro(bot: BotDePrueba,
                                                                ana: Persona) -> None:
    nombres = {101: "Ana Pérez Núñez", 202: "Zoë Martínez", 303: "Beto Ibáñez",
               404: "Carla Muñoz", 505: "Dulce Güemes"}
    for telegram_id, nombre in nombres.items():
        await con_perfil(bot, telegram_id, nombre)
    cid = await grupo_con(bot, *nombres)
    await ana.escribe("/cooperativa")
    for cual in ("acta", "bases"):
        await ana.pulsa_datos(f"coop:doc:{cid}:{cual}")
        mensaje = [m for m in bot.emulador.mensajes_del_bot(ana.id) if m.documento][-1]
        assert mensaje.documento["file_name"].endswith("BORRADOR.pdf")
        assert "BORRADOR" in mensaje.texto_plano
        texto = texto_de_pdf(mensaje.documento["contenido"])
        assert "BORRADOR" in texto
        for dato in ("Tejedoras de Cholula", "tejer y vender rebozos", "De producción",
                     *nombres.values()):
            assert dato in texto, (cual, dato)


# --- asambleas --------------------------------------------------------------------------------


async def test_convocar_asamblea_recordar_y_anotar_acuerdos(bot: BotDePrueba, ana: Persona,
                                                           john: Persona) -> None:
    await con_perfil(bot, ana.id, "Ana")
    await con_perfil(bot, john.id, "John", idioma="en")
    await con_perfil(bot, 303, "Beto")
    cid = await grupo_con(bot, ana.id, john.id, 303)
    await ana.escribe("/cooperativa")
    await ana.pulsa_datos(f"coop:nas:{cid}")
    await ana.escribe("28/11/2026")
    await ana.escribe("17:00")
    await ana.escribe("Casa ejidal de Cholula")
    respuesta = textos(await ana.escribe("1. Elegir la clase. 2. Aportaciones."))
    assert "Casa ejidal de Cholula" in respuesta
    await ana.pulsa("Convocar")
    [asamblea] = await bot.almacen.asambleas(cid)
    await bot.coopera.despachador.vaciar(10)
    assert "Casa ejidal" in bot.emulador.mensajes_del_bot(303)[-1].texto_plano
    # Beto dice que no va; John que sí (desde el aviso).
    beto = bot.persona(UsuarioFicticio(303, first_name="Beto"))
    await beto.pulsa_datos(f"coop:asi:{asamblea.id}:no",
                           bot.emulador.mensajes_del_bot(303)[-1].message_id)
    await john.pulsa_datos(f"coop:asi:{asamblea.id}:si",
                           bot.emulador.mensajes_del_bot(john.id)[-1].message_id)
    # El recordatorio de un día antes sale a quien no dijo que no, en su idioma.
    inicio = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)  # 17:00 en Puebla
    assert asamblea.inicio == inicio
    bot.reloj.fijar(inicio - timedelta(days=1))
    assert await bot.coopera.recordatorios.revisar() == 2
    await bot.coopera.despachador.vaciar(10)
    assert "Recordatorio: asamblea" in bot.emulador.mensajes_del_bot(ana.id)[-1].texto_plano
    assert "Reminder" in bot.emulador.mensajes_del_bot(john.id)[-1].texto_plano
    assert "Recordatorio" not in bot.emulador.mensajes_del_bot(303)[-1].texto_plano
    assert await bot.coopera.recordatorios.revisar() == 0  # nunca dos veces

    # Después: quiénes fueron y los acuerdos; se avisa a todo el grupo.
    bot.reloj.fijar(inicio + timedelta(hours=3))
    await ana.pulsa_datos(f"coop:reg:{asamblea.id}")
    await ana.pulsa("Beto")  # Beto sí fue al final
    await ana.pulsa("Listo")
    await ana.escribe("Elegimos ser cooperativa de producción.")
    asistencias = {a.telegram_id: a.asistio for a in await bot.almacen.asistencias(asamblea.id)}
    assert asistencias == {ana.id: True, john.id: True, 303: True}
    assert (await bot.almacen.asamblea(asamblea.id)).acuerdos.startswith("Elegimos")
    await bot.coopera.despachador.vaciar(10)
    assert "Elegimos" in bot.emulador.mensajes_del_bot(303)[-1].texto_plano


# --- el personal ------------------------------------------------------------------------------


async def test_personal_lista_cuenta_escribe_y_anota(bot: BotDePrueba, ana: Persona) -> None:
    await con_perfil(bot, ana.id, "Ana")
    await con_perfil(bot, 202, "John")
    cid = await grupo_con(bot, ana.id, 202)
    await cooperativas(bot).marcar(cid, "decision", ana.id)
    await cooperativas(bot).confirmar(cid, "decision", 202)
    cuentas = await cooperativas(bot).cuentas_por_paso()
    assert cuentas["clase"] == 1 and cuentas["decision"] == 0
    assert await bot.almacen.cuentas_por_paso() == {"decision": 1}

    personal = bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Personal"))
    respuesta = textos(await personal.escribe("/cooperativas"))
    assert "Cooperativas en formación: 1" in respuesta
    await personal.pulsa("Por clase")
    await personal.pulsa("De producción")
    assert "Tejedoras" in textos(await personal.pulsa("Tejedoras"))
    await personal.pulsa("Escribir a sus miembros")
    await personal.escribe("Los esperamos el lunes en la oficina.")
    await personal.pulsa("Ver el grupo")
    await personal.pulsa("Anotar una asesoría")
    await personal.escribe("Revisamos las bases; falta elegir consejos.")
    await bot.coopera.despachador.vaciar(10)
    for telegram_id in (ana.id, 202):
        assert "Los esperamos el lunes" in bot.emulador.mensajes_del_bot(telegram_id)[-1].texto
    [anotada] = await bot.almacen.asesorias_cooperativa(cid)
    assert anotada.personal_id == ID_PERSONAL and "bases" in anotada.acuerdos

    # Quien no es personal no entra, aunque mande los datos a mano.
    await ana.escribe("/cooperativas")
    assert "solo para el personal" in ana.texto()
    await ana.pulsa_datos(f"pco:g:{cid}")
    await ana.pulsa_datos(f"pco:escribir:{cid}")
    assert len(await bot.almacen.asesorias_cooperativa(cid)) == 1


# --- ayuda en cada paso --------------------------------------------------------------------------


async def test_pedir_ayuda_en_un_paso_abre_la_asesoria_con_el_grupo_y_el_paso(
        bot: BotDePrueba, ana: Persona) -> None:
    await con_perfil(bot, ana.id, "Ana")
    cid = await grupo_con(bot, ana.id)
    await ana.escribe("/cooperativa")
    respuesta = textos(await ana.pulsa_datos(f"coop:ase:{cid}:registro"))
    assert "Tejedoras de Cholula" in respuesta and "Registrar la cooperativa" in respuesta
    conversacion = await bot.almacen.asesoria_de(ana.id)
    [mensaje] = await bot.almacen.mensajes_de_asesoria(conversacion.id, 5)
    assert "Tejedoras de Cholula" in mensaje.texto and "Registrar la cooperativa" in mensaje.texto


# --- el contenido -----------------------------------------------------------------------------


def test_cada_paso_tiene_fundamento_fuente_y_fecha() -> None:
    camino = cargar_contenido(CONTENIDO).cooperativa
    assert len(camino.pasos) >= 8
    for paso in camino.pasos:
        assert paso.base and paso.fuentes and paso.revisado, paso.id
        assert paso.texto and paso.por_que and paso.documentos and paso.costo and paso.tiempo
    ids = [p.id for p in camino.pasos]
    for esperado in ("clase", "responsabilidad", "aportaciones", "organos", "fondos", "bases",
                     "nombre", "asamblea", "registro", "impuestos"):
        assert esperado in ids
    assert {p.id for p in camino.pasos if p.constitutivo} >= {"asamblea", "registro"}
    assert camino.minimo_socios("productores") == 5
    assert camino.minimo_socios("ahorro_prestamo") == 25
    registro = camino.paso("registro")
    assert "INAES" in registro.texto and "Padrón Nacional" in registro.texto
    assert "notario" not in registro.texto.lower()  # la ruta anterior no se da como vigente


@pytest.mark.parametrize("campo", ["base", "fuentes", "revisado"])
def test_el_bot_no_arranca_con_un_paso_sin_fundamento_fuente_o_fecha(tmp_path: Path,
                                                                     campo: str) -> None:
    copia = tmp_path / "contenido"
    shutil.copytree(CONTENIDO, copia, ignore=shutil.ignore_patterns("locales", "*.md"))
    ruta = copia / "cooperativa.yaml"
    texto = ruta.read_text(encoding="utf-8")
    inicio = texto.index("  clase:\n    titulo:")
    bloque = texto[inicio:texto.index("\n\n", inicio)]
    lineas = bloque.split("\n")
    sin = [linea for linea in lineas if not linea.startswith(f"    {campo}:")]
    if campo == "fuentes":
        sin = [linea for linea in sin if not linea.startswith("      - ")]
    ruta.write_text(texto.replace(bloque, "\n".join(sin)), encoding="utf-8")
    with pytest.raises(ContenidoInvalido) as error:
        cargar_contenido(copia)
    assert str(error.value) == (f"{ruta}: pasos.clase.{campo}: falta este campo "
                                "(es obligatorio)")
