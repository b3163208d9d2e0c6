"""Búsqueda de municipios: exactos, abreviaturas, claves, ambiguos, faltas de ortografía."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nucleo.municipios import Busqueda, CatalogoMunicipios, Municipio, normalizar

CSV = Path(__file__).resolve().parent.parent / "contenido" / "municipios.csv"


@pytest.fixture(scope="module")
def catalogo() -> CatalogoMunicipios:
    with CSV.open(encoding="utf-8") as archivo:
        filas = list(csv.DictReader(archivo))
    return CatalogoMunicipios(
        Municipio(f["clave_inegi"], f["nombre"], f["region"] or None) for f in filas
    )


def nombres(busqueda: Busqueda) -> list[str]:
    return [m.nombre for m in busqueda.sugerencias]


def test_normalizar() -> None:
    assert normalizar("  San Andrés,  CHOLULA!! ") == "san andres cholula"
    assert normalizar("Cañada Morelos") == "canada morelos"
    assert normalizar("Juan N. Méndez") == "juan n mendez"
    assert normalizar("😀") == ""


def test_catalogo_tiene_217(catalogo: CatalogoMunicipios) -> None:
    assert len(catalogo) == 217
    assert len(list(catalogo)) == 217
    assert catalogo.por_clave("21114").nombre == "Puebla"
    assert catalogo.por_clave("99999") is None


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("acatlan", "Acatlán"),
        ("Acatlán", "Acatlán"),
        ("PUEBLA", "Puebla"),
        ("  san pedro  cholula ", "San Pedro Cholula"),
        ("SAN ANDRÉS CHOLULA", "San Andrés Cholula"),
        ("teziutlan", "Teziutlán"),
        ("Teteles de Avila Castillo", "Teteles de Ávila Castillo"),
        ("canada morelos", "Cañada Morelos"),
        ("Juan N Mendez", "Juan N. Méndez"),
    ],
)
def test_exacto_sin_importar_acentos_ni_mayusculas(
    catalogo: CatalogoMunicipios, texto: str, esperado: str
) -> None:
    assert catalogo.buscar(texto).exacto.nombre == esperado


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("Gral. Felipe Ángeles", "General Felipe Ángeles"),
        ("gral felipe angeles", "General Felipe Ángeles"),
        ("Sn Pedro Cholula", "San Pedro Cholula"),
        ("sn. martin texmelucan", "San Martín Texmelucan"),
        ("Sta. Isabel Cholula", "Santa Isabel Cholula"),
        ("sto tomas hueyotlipan", "Santo Tomás Hueyotlipan"),
    ],
)
def test_abreviaturas(catalogo: CatalogoMunicipios, texto: str, esperado: str) -> None:
    assert catalogo.buscar(texto).exacto.nombre == esperado


def test_clave_inegi(catalogo: CatalogoMunicipios) -> None:
    assert catalogo.buscar("21114").exacto.nombre == "Puebla"
    assert catalogo.buscar(" 21156 ").exacto.nombre == "Tehuacán"
    assert catalogo.buscar("21999") == Busqueda(None, ())


def test_exacto_sugiere_nombres_que_lo_contienen(catalogo: CatalogoMunicipios) -> None:
    busqueda = catalogo.buscar("chila")
    assert busqueda.exacto.nombre == "Chila"
    assert nombres(busqueda) == ["Chila de la Sal"]
    assert catalogo.buscar("puebla").sugerencias == ()


@pytest.mark.parametrize(
    ("texto", "esperados"),
    [
        ("cholula", ["San Pedro Cholula", "San Andrés Cholula", "Santa Isabel Cholula"]),
        ("san martin", ["San Martín Texmelucan", "San Martín Totoltepec"]),
        ("texmel", ["San Martín Texmelucan"]),
    ],
)
def test_ambiguo_da_varias_sugerencias(
    catalogo: CatalogoMunicipios, texto: str, esperados: list[str]
) -> None:
    busqueda = catalogo.buscar(texto)
    assert busqueda.exacto is None
    assert nombres(busqueda)[: len(esperados)] == esperados


def test_san_da_cinco_como_maximo(catalogo: CatalogoMunicipios) -> None:
    busqueda = catalogo.buscar("san")
    assert busqueda.exacto is None
    assert len(busqueda.sugerencias) == 5
    assert all(m.nombre.startswith("San") for m in busqueda.sugerencias)


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("Tehuakan", "Tehuacán"),
        ("Atlixko", "Atlixco"),
        ("Tesiutlan", "Teziutlán"),
        ("zacatlan de las manzanas", "Zacatlán"),
        ("tecamachalo", "Tecamachalco"),
        ("san pedro cholola", "San Pedro Cholula"),
        ("chignahuapa", "Chignahuapan"),
        ("ciudad serdan", "Chalchicomula de Sesma"),
        ("Cd. Serdán", "Chalchicomula de Sesma"),
        ("heroica puebla de zaragoza", "Puebla"),
        ("vivo en tehuacan", "Tehuacán"),
    ],
)
def test_faltas_de_ortografia_y_otros_nombres(
    catalogo: CatalogoMunicipios, texto: str, esperado: str
) -> None:
    busqueda = catalogo.buscar(texto)
    assert busqueda.exacto is None
    assert nombres(busqueda)[0] == esperado
    assert len(busqueda.sugerencias) <= 5


@pytest.mark.parametrize(
    "texto",
    ["xyzzy", "asdf", "123", "😀", "", "   ", "!!!", "hola", "oaxaca", "no sé", "a" * 4000],
)
def test_nada_para_texto_sin_sentido(catalogo: CatalogoMunicipios, texto: str) -> None:
    assert catalogo.buscar(texto) == Busqueda(None, ())


@pytest.mark.parametrize(
    "texto",
    [
        "a" * 4000,
        "san pedro cholula " * 250,
        "tlatlauquitepec tepeyahualco tianguismanalco huehuetlan xochitlan " * 60,
        "😀" * 4000,
        "á" * 4000,
        "xq" * 2000,
    ],
)
def test_entrada_larga_es_rapida(catalogo: CatalogoMunicipios, texto: str) -> None:
    """Un texto enorme cuesta lo mismo que sus primeros 80 caracteres: la búsqueda solo mira
    eso (sin medir tiempos, que dependen de la máquina)."""
    assert catalogo.buscar(texto) == catalogo.buscar(texto[:80])


def test_cada_nombre_se_encuentra_exacto(catalogo: CatalogoMunicipios) -> None:
    for municipio in catalogo:
        assert catalogo.buscar(municipio.nombre).exacto == municipio
        assert catalogo.buscar(municipio.nombre.upper()).exacto == municipio
        assert catalogo.buscar(municipio.clave).exacto == municipio


def test_region_vacia_es_none(catalogo: CatalogoMunicipios) -> None:
    assert all(m.region is None for m in catalogo)
