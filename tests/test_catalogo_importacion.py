"""`python bot.py importar-cursos ARCHIVO.csv`: revisa cada línea (errores por línea y
columna), sin `--confirmar` no guarda nada, usa la base configurada y nunca crea una."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import bot
from nucleo.almacen import Almacen
from nucleo.catalogo import CatalogoCursos
from nucleo.importacion_cursos import importar_cursos
from nucleo.reloj import Reloj

ENCABEZADO = "id,nombre,tema,descripcion,requisitos,modalidad,duracion_horas"
BUENAS = [
    'costura,Costura básica,oficios,"Arreglos de ropa, con máquina.",,presencial,12',
    'ventas_linea,Vender en línea,digital,Tu tienda en redes <gratis>.,Un celular.,en_linea,6',
]


async def base_del_bot(ruta_bd: Path) -> Path:
    """La base ya creada por el bot (sin cursos: una instalación de verdad)."""
    await (await Almacen.abrir(ruta_bd)).cerrar()
    return ruta_bd


async def catalogo_en(ruta_bd: Path) -> list:
    almacen = await Almacen.abrir(ruta_bd)
    try:
        return [(g.curso.id, g.curso.nombre, g.origen)
                for g in (await CatalogoCursos.abrir(almacen, Reloj())).todos]
    finally:
        await almacen.cerrar()


def _correr(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *argumentos: str, bd: Path | None = None) -> tuple[int, str, str]:
    """`python bot.py ...` en este proceso (sin token; la base de COOPERA_BD)."""
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    if bd is None:
        monkeypatch.delenv("COOPERA_BD", raising=False)
    else:
        monkeypatch.setenv("COOPERA_BD", str(bd))
    codigo = bot.main(list(argumentos))
    salida = capsys.readouterr()
    return codigo, salida.out, salida.err


def _csv(tmp_path: Path, *filas: str) -> Path:
    ruta = tmp_path / "cursos.csv"
    ruta.write_text("\n".join([ENCABEZADO, *filas]) + "\n", encoding="utf-8")
    return ruta


def test_revisar_y_luego_confirmar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    ruta_bd = asyncio.run(base_del_bot(tmp_path / "coopera.sqlite3"))
    archivo = _csv(tmp_path, *BUENAS)
    codigo, salida, errores = _correr(monkeypatch, capsys, "importar-cursos", str(archivo),
                                      bd=ruta_bd)
    assert codigo == 0, errores
    assert "2 cursos listos para importar" in salida and "--confirmar" in salida
    assert asyncio.run(catalogo_en(ruta_bd)) == []  # sin --confirmar no se guarda nada
    codigo, salida, errores = _correr(monkeypatch, capsys, "importar-cursos", str(archivo),
                                      "--confirmar", "--bd", str(ruta_bd))
    assert codigo == 0, errores
    assert "se importaron 2 cursos" in salida
    assert asyncio.run(catalogo_en(ruta_bd)) == [
        ("costura", "Costura básica", "importado"),
        ("ventas_linea", "Vender en línea", "importado")]
    asyncio.run(_revisar_guardados(ruta_bd))
    # Otra vez el mismo archivo: los ids ya existen; no entra nada.
    codigo, _salida, errores = _correr(monkeypatch, capsys, "importar-cursos", str(archivo),
                                       "--confirmar", bd=ruta_bd)
    assert codigo == 1
    assert "línea 2, columna id: ya hay un curso con el id «costura»" in errores
    assert "No se importó ningún curso: hay 4 errores" in errores
    assert len(asyncio.run(catalogo_en(ruta_bd))) == 2


async def _revisar_guardados(ruta_bd: Path) -> None:
    almacen = await Almacen.abrir(ruta_bd)
    try:
        catalogo = await CatalogoCursos.abrir(almacen, Reloj())
        assert catalogo.curso("costura").requisitos == "Ninguno."
        assert catalogo.curso("ventas_linea").descripcion == "Tu tienda en redes &lt;gratis&gt;."
        assert [a.accion for a in await almacen.auditoria(10)] == ["cursos_importados"]
    finally:
        await almacen.cerrar()


async def test_errores_por_linea_y_nada_se_importa(tmp_path: Path) -> None:
    ruta_bd = await base_del_bot(tmp_path / "coopera.sqlite3")
    archivo = _csv(tmp_path, BUENAS[0],
                   "Mal Id,Otro curso,oficios,Algo.,,presencial,4",
                   "otro,Costura básica,cocina,Algo.,,a_distancia,mil",
                   "corto,<b>,oficios,Algo.,,presencial,4")
    revision = await importar_cursos(archivo, ruta_bd, Reloj(), confirmar=True)
    assert [(e.linea, e.columna) for e in revision.errores] == [
        (3, "id"), (4, "tema"), (4, "modalidad"), (4, "duracion_horas"), (4, "nombre"),
        (5, "nombre")]
    assert "Esa modalidad no existe" in str(revision.errores[2])
    assert await catalogo_en(ruta_bd) == []


async def test_encabezado_malo(tmp_path: Path) -> None:
    ruta_bd = await base_del_bot(tmp_path / "coopera.sqlite3")
    ruta = tmp_path / "cursos.csv"
    ruta.write_text("id,nombre,color\ncostura,Costura,rojo\n", encoding="utf-8")
    revision = await importar_cursos(ruta, ruta_bd, Reloj(), confirmar=True)
    assert len(revision.errores) == 1 and "sobran: color" in str(revision.errores[0])


def test_no_crea_una_base_en_otra_carpeta(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Desde otra carpeta (sin .env ni COOPERA_BD), la base configurada no está: se niega."""
    archivo = _csv(tmp_path, *BUENAS)
    monkeypatch.chdir(tmp_path)
    codigo, salida, errores = _correr(monkeypatch, capsys, "importar-cursos", str(archivo),
                                      "--confirmar")
    assert codigo == 2 and "No encontré la base de datos del bot" in errores
    assert "Listo" not in salida and not (tmp_path / "datos").exists()
    codigo, _salida, _errores = _correr(monkeypatch, capsys, "importar-cursos", str(archivo),
                                        "--bd", str(tmp_path / "otra.sqlite3"))
    assert codigo == 2 and not (tmp_path / "otra.sqlite3").exists()
