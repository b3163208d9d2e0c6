"""Las cifras del programa: datos conocidos entran, cifras exactas salen; las de 1 a 4 se ocultan
(«<5») y no se despejan del total («*»); la gráfica es un PNG que abre y el CSV se lee. También
desde la línea de comandos, que se niega a crear una base que no existe.
"""

from __future__ import annotations

import csv
import io
import os
import random
import struct
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from emulador import UsuarioFicticio
from nucleo.almacen import Almacen
from nucleo.configuracion import CARPETA_CONTENIDO, RAIZ
from nucleo.contenido import cargar_contenido
from nucleo.estadisticas import OCULTO, OCULTO_SEGUNDA, Informe, ocultar
from nucleo.estadisticas_salida import ALTO_PX, ANCHO_PX, png_informe
from tests.conversador import ID_PERSONAL, BotDePrueba, Persona, textos

AHORA = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


# --- la regla de ocultamiento ------------------------------------------------------------------

def test_regla_de_ocultamiento() -> None:
    assert ocultar([7, 3, 0, 0, 2], 12) == (["7", OCULTO, "0", "0", OCULTO], "12")
    # Una sola «<5»: se oculta también la más chica de las demás (≥5), con «*».
    assert ocultar([2, 10, 0], 12) == ([OCULTO, OCULTO_SEGUNDA, "0"], "12")
    assert ocultar([1, 9, 6], 16) == ([OCULTO, "9", OCULTO_SEGUNDA], "16")
    # O el total, cuando es él quien la delataría.
    assert ocultar([12, 1], 13, segunda_en_total=True) == (["12", OCULTO], OCULTO_SEGUNDA)
    # Total de 1 a 4: todo oculto menos los ceros.
    assert ocultar([3, 0], 3) == ([OCULTO, "0"], OCULTO)
    # Sin total a la vista (pasos de cooperativas: no suman nada), solo la regla 1.
    assert ocultar([2, 8], None) == ([OCULTO, "8"], None)


def test_ninguna_celda_oculta_se_despeja_del_total() -> None:
    azar = random.Random(85)
    for _vez in range(5000):
        valores = [azar.choice((0, 0, 1, 2, 3, 4, 5, 6, 9, 30)) for _c in range(azar.randint(1, 7))]
        total = sum(valores)
        celdas, texto_total = ocultar(valores, total)
        visibles = [c for c in celdas if c.isdigit()]
        assert all(int(c) == v for c, v in zip(celdas, valores, strict=True) if c.isdigit())
        assert not any(c.isdigit() and 0 < int(c) < 5 for c in celdas)
        if texto_total is not None and texto_total.isdigit():
            ocultas = len(celdas) - len(visibles)
            assert ocultas != 1, (valores, celdas)  # total − visibles nunca da una sola celda


# --- de punta a punta, por el emulador ---------------------------------------------------------

async def poblar(almacen: Almacen, contenido_resultados: list[str]) -> None:
    """12 personas con consentimiento y una sin él; 7 orientaciones."""
    for i in range(12):
        tid = 1001 + i
        await almacen.registrar_consentimiento(tid, True, "prueba", AHORA, idioma="es")
        perfil = {
            "sexo": "mujer" if i < 7 else ("hombre" if i < 10 else None),
            "rango_edad": "15_24" if i < 6 else ("25_34" if i < 10 else None),
            "discapacidad": "si" if i < 2 else "no",
            "municipio_clave": "21114",
        }
        for campo, valor in perfil.items():
            if valor is not None:
                await almacen.guardar_en_perfil(tid, campo, valor, AHORA)
    await almacen.registrar_consentimiento(1013, False, "prueba", AHORA)
    primero, segundo = contenido_resultados[:2]
    for i in range(6):
        await almacen.terminar_orientacion(1001 + i, primero, {}, AHORA)
    await almacen.terminar_orientacion(1007, segundo, {}, AHORA)


async def anunciar(almacen: Almacen) -> None:
    """Anuncios conocidos: dos que empezaron en noviembre de 2026 (18 mensajes: 14 entregados a
    8 personas, uno fallido, uno a quien nos bloqueó, uno incierto y uno cancelado), uno de 2025
    y uno programado que no ha empezado (no cuentan)."""
    anuncio = ("INSERT INTO anuncios (id, texto, audiencia, estado, creado_en, actualizado_en,"
               " iniciado_en) VALUES (?, 'Hola', '{\"tipo\": \"todos\"}', ?, ?, ?, ?)")
    envio = ("INSERT INTO envios (telegram_id, clave, texto, prioridad, estado, creado_en,"
             " anuncio_id) VALUES (?, ?, 'Hola', 9, ?, ?, ?)")
    noviembre, otro, antes = ("2026-11-10T16:00:00+00:00", "2026-11-20T16:00:00+00:00",
                              "2025-06-01T16:00:00+00:00")
    filas: list[tuple[int, str, str]] = [
        *[(1, "enviado", str(t)) for t in range(1001, 1009)],
        (1, "fallido", "1009"), (1, "inalcanzable", "1010"), (1, "incierto", "1011"),
        (1, "cancelado", "1012"),
        *[(2, "enviado", str(t)) for t in range(1001, 1007)],
        (3, "enviado", "1012"),
    ]
    async with almacen.transaccion() as bd:
        for anuncio_id, estado, inicio in ((1, "terminado", noviembre),
                                           (2, "terminado", otro), (3, "terminado", antes),
                                           (4, "programado", None)):
            await bd.execute(anuncio, (anuncio_id, estado, noviembre, noviembre, inicio))
        for anuncio_id, estado, tid in filas:
            await bd.execute(envio, (int(tid), f"anuncio:{anuncio_id}:{tid}", estado,
                                     noviembre, anuncio_id))


@pytest.fixture(scope="module", autouse=True)
def matplotlib_listo() -> None:
    """La primera vez en una máquina, matplotlib arma su caché de fuentes (segundos): que no
    cuente contra el plazo de 10 s de una respuesta del bot."""
    png_informe(lambda t: t, cargar_contenido(CARPETA_CONTENIDO), Informe(
        date(2026, 1, 1), date(2026, 1, 1), "municipio"))


@pytest.fixture
def personal(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Marta", language_code="es"))


def ihdr(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    largo, tipo = struct.unpack(">I4s", png[8:16])
    assert (largo, tipo) == (13, b"IHDR")
    return struct.unpack(">II", png[16:24])


async def test_cifras_exactas_con_las_chicas_ocultas(personal: Persona,
                                                     bot: BotDePrueba) -> None:
    resultados = list(bot.coopera.aplicacion.bot_data["servicios"].contenido
                      .orientacion.resultados)
    await poblar(bot.almacen, resultados)
    await anunciar(bot.almacen)
    respuestas = await personal.escribe("/estadisticas 2026-11-01 2026-11-30")
    texto = textos(respuestas)
    assert "Personas registradas: *" in texto  # 13: lo delataría junto con las 12
    assert "Aviso de privacidad: Aceptaron 12 · No aceptaron <5" in texto
    assert "Personas con consentimiento: 12" in texto
    assert ("Sexo: Mujer 7 · Hombre <5 · Otra identidad 0 · Prefiero no decir 0 · "
            "Sin dato <5") in texto
    assert "Rango de edad: 15 a 24 años 6 · 25 a 34 años <5 · 35 a 44 años 0" in texto
    assert "Discapacidad: Sí <5 · No * · Prefiero no decir 0" in texto
    assert "• Puebla 12" in texto
    assert "Orientaciones completadas: 7" in texto
    assert ("Anuncios y su alcance\nAnuncios: Empezaron a salir en el periodo 2\n"
            "Mensajes: Entregados 14 · Fallidos <5 · Nos bloquearon <5 · "
            "Inciertos (no se repiten) <5 · Sin enviar (cancelados o por salir) <5\n"
            "Personas: Recibieron al menos uno 8\n"
            # 7 y 1 (6 y 2): la de 1 a 4 sola se despejaría del total: la otra va «*».
            "Sexo: Mujer * · Hombre <5 · Otra identidad 0 · Prefiero no decir 0\n"
            "Rango de edad: 15 a 24 años * · 25 a 34 años <5 · 35 a 44 años 0") in texto
    assert "Municipio\n• Puebla 8\nDiscapacidad: Sí <5 · No * · Prefiero no decir 0\n" \
        "Lengua indígena: Sí 0 · No 0 · Prefiero no decir 0 · Sin dato 8" in texto
    assert all(len(m.texto or "") <= 4096 for m in respuestas)
    # Ninguna cifra de 1 a 4 a la vista (salvo cuántos anuncios salieron: no son personas).
    for linea in texto.splitlines():
        if linea.startswith("Anuncios: Empezaron a salir en el periodo"):
            continue
        for numero in ("1", "2", "3", "4"):
            assert f" {numero} ·" not in linea and not linea.endswith(f" {numero}"), linea

    # Otro periodo: nada.
    await personal.escribe("/estadisticas 2025-01-01 2025-12-31")
    assert "Personas registradas: 0" in personal.texto()

    await personal.escribe("/estadisticas 2026-11-01 2026-11-30")
    await personal.pulsa("📄 CSV")
    documento = personal.ultimo().documento
    assert documento["file_name"] == "cifras_20261101_20261130.csv"
    filas = list(csv.DictReader(io.StringIO(documento["contenido"].decode("utf-8-sig"))))
    valor = {(f["indicador"], f["desglose"], f["clave"]): f["valor"] for f in filas}
    assert valor["consentimiento", "sexo", "mujer"] == "7"
    assert valor["consentimiento", "sexo", "hombre"] == OCULTO
    assert valor["consentimiento", "sexo", "total"] == "12"
    assert valor["consentimiento", "discapacidad", "no"] == OCULTO_SEGUNDA
    assert valor["personas", "consentimiento", "total"] == OCULTO_SEGUNDA
    assert valor["anuncios", "anuncios", "iniciados"] == "2"
    assert valor["anuncios", "mensajes", "entregado"] == "14"
    assert valor["anuncios", "mensajes", "fallido"] == OCULTO
    assert valor["anuncios", "mensajes", "total"] == "18"
    assert valor["anuncios", "alcanzadas", "alcanzadas"] == "8"
    assert valor["orientaciones", "resultado", resultados[0]] == OCULTO_SEGUNDA
    assert valor["orientaciones", "resultado", resultados[1]] == OCULTO
    assert valor["consentimiento", "municipio", "21114"] == "12"
    assert not any(v in {"1", "2", "3", "4"} for k, v in valor.items()
                   if k != ("anuncios", "anuncios", "iniciados"))

    await personal.pulsa("🖼 Gráfica")
    documento = personal.ultimo().documento
    assert documento["file_name"].endswith(".png")
    assert ihdr(documento["contenido"]) == (ANCHO_PX, ALTO_PX)

    # Un periodo inventado en un botón no rompe nada.
    for datos in ("est:v:20261301:20261130", "est:csv:20261201:20261101", "est:png:1:2"):
        await personal.pulsa_datos(datos)
        assert "no es válido" in personal.texto(), datos


# --- línea de comandos -------------------------------------------------------------------------

def correr(tmp_path: Path, *argumentos: str, bd: Path) -> subprocess.CompletedProcess[str]:
    entorno = {k: v for k, v in os.environ.items()
               if k not in ("TELEGRAM_BOT_TOKEN", "COOPERA_BD")}
    entorno["COOPERA_BD"] = str(bd)
    return subprocess.run([sys.executable, "bot.py", "estadisticas", *argumentos], cwd=RAIZ,
                          env=entorno, capture_output=True, text=True, timeout=120,
                          check=False)


async def test_linea_de_comandos(tmp_path: Path, contenido_real) -> None:
    bd = tmp_path / "coopera.sqlite3"
    almacen = await Almacen.abrir(bd)
    try:
        await poblar(almacen, list(contenido_real.orientacion.resultados))
    finally:
        await almacen.cerrar()
    salida = correr(tmp_path, "--desde", "2026-11-01", "--hasta", "2026-11-30",
                    "--csv", str(tmp_path / "c.csv"), "--png", str(tmp_path / "g.png"), bd=bd)
    assert salida.returncode == 0, salida.stderr
    assert "Sexo: Mujer 7 · Hombre <5" in salida.stdout
    filas = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text("utf-8-sig"))))
    assert {"indicador", "desglose", "clave", "valor"} <= set(filas[0])
    assert ihdr((tmp_path / "g.png").read_bytes()) == (ANCHO_PX, ALTO_PX)
    almacen = await Almacen.abrir(bd)
    try:
        [anotacion] = await almacen.auditoria(5)
    finally:
        await almacen.cerrar()
    assert (anotacion.quien, anotacion.accion) == (None, "estadisticas")

    falta = tmp_path / "no_existe" / "coopera.sqlite3"
    salida = correr(tmp_path, "--desde", "2026-11-01", "--hasta", "2026-11-30", bd=falta)
    assert salida.returncode == 2
    assert "No existe la base de datos" in salida.stderr
    assert not falta.exists() and not falta.parent.exists()
