"""Importar sesiones de un CSV: todo o nada, y cada error con su línea y su columna.

Casi todo se prueba llamando a `importar` (rápido, con la hora fija); al final, la entrada de
línea de comandos de verdad (`python bot.py importar-sesiones`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nucleo.almacen import Almacen
from nucleo.catalogo import CatalogoCursos
from nucleo.configuracion import CARPETA_CONTENIDO, RAIZ
from nucleo.contenido import Contenido, cargar_contenido
from nucleo.importacion import Revision, importar
from nucleo.reloj import Reloj

ZONA = ZoneInfo("America/Mexico_City")
AHORA = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # 12:00 en Puebla
ENCABEZADO = ("curso_id,fecha,hora,duracion_min,modalidad,cupo,municipio,lugar,direccion,"
              "mapa_url,enlace")
PRESENCIAL = ('coop_basico,2026-12-01,10:00,120,presencial,20,Puebla,Casa de la Cultura,'
              '"5 Oriente 5, Centro",https://maps.example.org/?q=casa,')
EN_LINEA = "plan_negocio,02/12/2026,16:30,90,en_linea,50,,,,,https://meet.example.org/abc"


@pytest.fixture
def contenido(contenido_real: Contenido) -> Contenido:
    return contenido_real  # el de la sesión (conftest): se carga una sola vez


async def importar_texto(tmp_path: Path, contenido: Contenido, texto: str | bytes,
                         **opciones: bool) -> Revision:
    ruta = tmp_path / "sesiones.csv"
    ruta.write_bytes(texto.encode() if isinstance(texto, str) else texto)
    ruta_bd = tmp_path / "coopera.sqlite3"
    if not ruta_bd.exists():
        await base_vacia(ruta_bd)
    return await importar(ruta, ruta_bd, contenido, ZONA, AHORA, **opciones)


async def base_vacia(ruta_bd: Path) -> Path:
    """La base del bot, ya creada (como la deja el bot al arrancar): importar no crea una.
    Con el catálogo de cursos de ejemplo (en la base, como en las pruebas del bot)."""
    almacen = await Almacen.abrir(ruta_bd)
    await CatalogoCursos.abrir(almacen, Reloj(),
                               cargar_contenido(CARPETA_CONTENIDO).cursos_ejemplo)
    await almacen.cerrar()
    return ruta_bd


async def sesiones_en(ruta_bd: Path) -> list:
    almacen = await Almacen.abrir(ruta_bd)
    try:
        return await almacen.sesiones_para_personal(datetime(2000, 1, 1, tzinfo=UTC), 1000)
    finally:
        await almacen.cerrar()


def errores(revision: Revision) -> str:
    return "\n".join(str(e) for e in revision.errores)


# --- lo que sí entra ------------------------------------------------------------------------

async def test_archivo_bueno_entra_completo(tmp_path: Path, contenido: Contenido) -> None:
    revision = await importar_texto(tmp_path, contenido, f"{ENCABEZADO}\n{PRESENCIAL}\n"
                                                         f"{EN_LINEA}\n")
    assert revision.errores == [] and len(revision.sesiones) == 2
    presencial, en_linea = await sesiones_en(tmp_path / "coopera.sqlite3")
    assert (presencial.curso_id, presencial.inicio, presencial.duracion_min, presencial.cupo) == (
        "coop_basico", datetime(2026, 12, 1, 10, tzinfo=ZONA), 120, 20)
    assert (presencial.municipio_clave, presencial.lugar, presencial.direccion,
            presencial.mapa_url) == ("21114", "Casa de la Cultura", "5 Oriente 5, Centro",
                                     "https://maps.example.org/?q=casa")
    assert (en_linea.modalidad, en_linea.enlace, en_linea.lugar, en_linea.inicio) == (
        "en_linea", "https://meet.example.org/abc", None, datetime(2026, 12, 2, 16, 30,
                                                                   tzinfo=ZONA))
    assert presencial.codigo_asistencia != en_linea.codigo_asistencia


async def test_csv_de_excel_con_punto_y_coma_y_bom(tmp_path: Path,
                                                  contenido: Contenido) -> None:
    """Excel en español guarda con «;», BOM y CRLF; columnas en otro orden, mayúsculas,
    separadores de sobra al final y una línea vacía."""
    texto = ("\ufeffModalidad;Curso_ID;Fecha;Hora;Duracion_min;Cupo;Municipio;Lugar;"
             "Direccion;Enlace;;\r\n"
             "En línea;eco_solidaria;3/12/2026;9:00;60;10;;;;https://meet.example.org/x;;\r\n"
             ";;;;;;;;;;;\r\n"
             'Presencial;eco_solidaria;04/12/2026;09:30;60;10;21156;Auditorio;"1 Sur 1; Centro"'
             ";;;\r\n")
    revision = await importar_texto(tmp_path, contenido, texto.encode("utf-8"))
    assert revision.errores == []
    en_linea, presencial = await sesiones_en(tmp_path / "coopera.sqlite3")
    assert (en_linea.modalidad, en_linea.inicio) == ("en_linea",
                                                     datetime(2026, 12, 3, 9, tzinfo=ZONA))
    assert (presencial.municipio_clave, presencial.direccion) == ("21156", "1 Sur 1; Centro")


async def test_importar_dos_veces_no_duplica(tmp_path: Path, contenido: Contenido) -> None:
    archivo = f"{ENCABEZADO}\n{PRESENCIAL}\n{EN_LINEA}\n"
    await importar_texto(tmp_path, contenido, archivo)
    revision = await importar_texto(tmp_path, contenido, archivo)
    assert "línea 2, columna curso_id: esta sesión ya existe en el bot (sesión 1" in errores(
        revision)
    assert "línea 3, columna curso_id" in errores(revision)
    assert len(await sesiones_en(tmp_path / "coopera.sqlite3")) == 2


async def test_solo_revisar_no_importa(tmp_path: Path, contenido: Contenido) -> None:
    revision = await importar_texto(tmp_path, contenido, f"{ENCABEZADO}\n{PRESENCIAL}\n",
                                    revisar=True)
    assert revision.errores == [] and len(revision.sesiones) == 1
    assert await sesiones_en(tmp_path / "coopera.sqlite3") == []


# --- lo que no entra: cada error con línea y columna, y nada importado ----------------------

def _con(**cambios: str) -> str:
    """La línea presencial buena con algunas columnas cambiadas."""
    valores = dict(zip(ENCABEZADO.split(","), [
        "coop_basico", "2026-12-05", "10:00", "120", "presencial", "20", "Puebla",
        "Casa de la Cultura", "5 Oriente 5", "", ""], strict=True))
    valores.update(cambios)
    return ",".join(valores.values())


@pytest.mark.parametrize(("fila", "esperado"), [
    (_con(curso_id="xyz"), "línea 3, columna curso_id: No hay un curso con el id «xyz»"),
    (_con(fecha="2026-13-01"),
     "línea 3, columna fecha: Esa fecha no existe en el calendario: 2026-13-01."),
    (_con(fecha="31/02/2027"),
     "línea 3, columna fecha: Esa fecha no existe en el calendario: 31/02/2027."),
    (_con(fecha="01/01/2020"), "línea 3, columna fecha: «01/01/2020»: Esa fecha ya pasó"),
    (_con(fecha="mañana"), "línea 3, columna fecha: «mañana»: No entiendo esa fecha"),
    (_con(hora="25:00"), "línea 3, columna hora: «25:00»: Escribe la hora"),
    (_con(fecha="25/11/2026", hora="09:00"), "línea 3, columna hora: «09:00»: Esa hora ya pasó"),
    (_con(duracion_min="5"), "línea 3, columna duracion_min: «5»: La duración va en minutos"),
    (_con(modalidad="mixta"), "línea 3, columna modalidad: «mixta»: La modalidad es"),
    (_con(cupo="0"), "línea 3, columna cupo: «0»: El cupo es el número de lugares"),
    (_con(cupo="veinte"), "línea 3, columna cupo: «veinte»"),
    (_con(cupo=""), "línea 3, columna cupo: está vacía."),
    (_con(municipio="Gotham"),
     "línea 3, columna municipio: No encontré el municipio «Gotham» en Puebla."),
    (_con(municipio="cholula"), "línea 3, columna municipio: No sé qué municipio es «cholula»"),
    (_con(municipio=""), "línea 3, columna municipio: está vacía."),
    (_con(lugar=""), "línea 3, columna lugar: está vacía."),
    (_con(direccion=""), "línea 3, columna direccion: está vacía."),
    (_con(modalidad="en_linea"), "línea 3, columna enlace: está vacía."),
    (_con(mapa_url="ftp://mapa.example.org"), "línea 3, columna mapa_url: «ftp://"),
    (_con(modalidad="en_linea", enlace="https://meet.example.org/a b"),
     "línea 3, columna enlace: «https://meet.example.org/a b»: Ese enlace no sirve"),
    (PRESENCIAL, "línea 3, columna curso_id: es la misma sesión de la línea 2"),
    (_con() + ",de más", "línea 3, columna 12: la línea tiene más columnas"),
])
async def test_cada_error_con_linea_y_columna(tmp_path: Path, contenido: Contenido, fila: str,
                                              esperado: str) -> None:
    revision = await importar_texto(tmp_path, contenido, f"{ENCABEZADO}\n{PRESENCIAL}\n{fila}\n")
    assert esperado in errores(revision)
    assert await sesiones_en(tmp_path / "coopera.sqlite3") == []


@pytest.mark.parametrize(("texto", "esperados"), [
    ("", ["línea 1: el archivo está vacío."]),
    ("\n\n", ["línea 1: el archivo está vacío."]),
    (ENCABEZADO + "\n", ["línea 1: el archivo solo tiene el encabezado"]),
    (ENCABEZADO.replace("curso_id", "curso") + "\n" + PRESENCIAL,
     ["línea 1, columna curso: columna desconocida",
      "línea 1, columna curso_id: falta esta columna"]),
    (ENCABEZADO + ",cupo\n" + PRESENCIAL, ["línea 1, columna cupo: la columna está repetida"]),
    ("curso_id,fecha\ncoop_basico,2026-12-05", ["línea 1, columna hora: falta esta columna"]),
])
async def test_archivo_mal_hecho(tmp_path: Path, contenido: Contenido, texto: str,
                                 esperados: list[str]) -> None:
    revision = await importar_texto(tmp_path, contenido, texto)
    for esperado in esperados:
        assert esperado in errores(revision)
    assert await sesiones_en(tmp_path / "coopera.sqlite3") == []


async def test_archivo_que_no_es_utf8(tmp_path: Path, contenido: Contenido) -> None:
    texto = f"{ENCABEZADO}\n{_con(lugar='Auditorio Tehuacán')}\n".encode("latin-1")
    revision = await importar_texto(tmp_path, contenido, texto)
    assert "línea 1: el archivo no está en UTF-8" in errores(revision)


async def test_se_informan_todos_los_errores_en_orden(tmp_path: Path,
                                                      contenido: Contenido) -> None:
    filas = [PRESENCIAL, _con(cupo="0", hora="7"), EN_LINEA, _con(curso_id="nada")]
    revision = await importar_texto(tmp_path, contenido, "\n".join([ENCABEZADO, *filas]))
    assert [(e.linea, e.columna) for e in revision.errores] == [
        (3, "hora"), (3, "cupo"), (5, "curso_id")]
    assert await sesiones_en(tmp_path / "coopera.sqlite3") == []


# --- la línea de comandos de verdad ---------------------------------------------------------

def _correr(*argumentos: str, bd: Path | None = None,
            carpeta: Path = RAIZ) -> subprocess.CompletedProcess:
    entorno = {k: v for k, v in os.environ.items()
               if k not in ("TELEGRAM_BOT_TOKEN", "COOPERA_BD")}  # no necesita token
    if bd is not None:
        entorno["COOPERA_BD"] = str(bd)
    return subprocess.run([sys.executable, *argumentos], cwd=carpeta, env=entorno,
                          capture_output=True, text=True, timeout=60, check=False)


def _archivo_real(tmp_path: Path, cupo: str = "20") -> Path:
    """Con fechas reales en el futuro: el comando usa la hora de verdad."""
    dia = date.today() + timedelta(days=30)
    ruta = tmp_path / "real.csv"
    ruta.write_text(f"{ENCABEZADO}\n" + _con(fecha=f"{dia:%d/%m/%Y}", cupo=cupo) + "\n"
                    + _con(fecha=dia.isoformat(), hora="16:00") + "\n", encoding="utf-8")
    return ruta


async def test_linea_de_comandos_bot_py(tmp_path: Path) -> None:
    ruta_bd = await base_vacia(tmp_path / "bot.sqlite3")
    resultado = _correr("bot.py", "importar-sesiones", str(_archivo_real(tmp_path)),
                        "--bd", str(ruta_bd))
    assert resultado.returncode == 0, resultado.stderr
    assert "se importaron 2 sesiones." in resultado.stdout
    assert len(await sesiones_en(ruta_bd)) == 2


async def test_linea_de_comandos_modulo_con_errores(tmp_path: Path) -> None:
    ruta_bd = await base_vacia(tmp_path / "modulo.sqlite3")
    resultado = _correr("bot.py", "importar-sesiones", str(_archivo_real(tmp_path, cupo="mil")),
                        bd=ruta_bd)
    assert resultado.returncode == 1
    assert "línea 2, columna cupo: «mil»" in resultado.stderr
    assert "No se importó ninguna sesión" in resultado.stderr
    assert await sesiones_en(ruta_bd) == []
    sin_archivo = _correr("bot.py", "importar-sesiones", str(tmp_path / "no_existe.csv"),
                          bd=ruta_bd)
    assert sin_archivo.returncode == 2 and "No encontré el archivo" in sin_archivo.stderr


async def test_desde_otra_carpeta_no_crea_una_base_nueva(tmp_path: Path) -> None:
    """Sin .env ni COOPERA_BD en esa carpeta, la base configurada (datos/coopera.sqlite3)
    no está ahí: antes se creaba vacía, se importaba en ella y decía «Listo»."""
    archivo = _archivo_real(tmp_path)
    resultado = _correr(str(RAIZ / "bot.py"), "importar-sesiones", str(archivo),
                        carpeta=tmp_path)
    assert resultado.returncode == 2
    assert "No encontré la base de datos del bot" in resultado.stderr
    assert "Listo" not in resultado.stdout
    assert not (tmp_path / "datos").exists()
    con_bd = _correr(str(RAIZ / "bot.py"), "importar-sesiones", str(archivo), "--bd",
                     str(tmp_path / "otra.sqlite3"), carpeta=tmp_path)
    assert con_bd.returncode == 2 and not (tmp_path / "otra.sqlite3").exists()
