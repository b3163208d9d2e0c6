"""Los catálogos de traducción están al día y completos."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from nucleo import catalogos
from nucleo.configuracion import RAIZ
from nucleo.textos import compilar_po

CARPETAS_DE_CODIGO = ("bot.py", "nucleo", "handlers", "conversaciones")
# Babel no extrae lo que está dentro de un f-string: `f"{_('texto')}"` nunca se traduciría.
TRADUCCION_EN_F_STRING = re.compile(r"""f["'][^"'\n]*\{_\(\s*["']""")


def _archivos_python() -> list[Path]:
    archivos = []
    for nombre in CARPETAS_DE_CODIGO:
        ruta = RAIZ / nombre
        archivos += [ruta] if ruta.is_file() else sorted(ruta.rglob("*.py"))
    return archivos


def test_ningun_texto_traducible_dentro_de_un_f_string() -> None:
    encontrados = [f"{archivo.relative_to(RAIZ)}:{n}"
                   for archivo in _archivos_python()
                   for n, linea in enumerate(archivo.read_text(encoding="utf-8").splitlines(), 1)
                   if TRADUCCION_EN_F_STRING.search(linea)]
    assert not encontrados


def _ids(pot: Path) -> set[str]:
    with pot.open("rb") as archivo:
        return {m.id for m in read_po(archivo) if m.id}


@pytest.mark.parametrize("dominio", ["mensajes", "contenido"])
def test_las_plantillas_estan_al_dia(dominio: str, tmp_path: Path) -> None:
    """Si falla: `python -m nucleo.catalogos extraer` y `actualizar`, y traducir lo nuevo."""
    catalogos.extraer(destino=tmp_path)
    assert _ids(tmp_path / f"{dominio}.pot") == _ids(catalogos.LOCALES / f"{dominio}.pot")


@pytest.mark.parametrize("idioma", catalogos.idiomas())
def test_cada_idioma_esta_completo_y_compila(idioma: str) -> None:
    assert catalogos.faltantes(idioma) == {"mensajes": [], "contenido": []}
    for dominio in catalogos.MAPEOS:
        compilar_po(catalogos.LOCALES / idioma / "LC_MESSAGES" / f"{dominio}.po")


def test_marcadores_y_etiquetas_iguales_en_la_traduccion() -> None:
    for idioma in catalogos.idiomas():
        for dominio in catalogos.MAPEOS:
            ruta = catalogos.LOCALES / idioma / "LC_MESSAGES" / f"{dominio}.po"
            with ruta.open("rb") as archivo:
                for mensaje in read_po(archivo):
                    if not (mensaje.id and mensaje.string):
                        continue
                    if mensaje.pluralizable:  # cada forma, contra el plural del original
                        for forma in mensaje.string:
                            assert _forma(mensaje.id[1]) == _forma(forma), mensaje.id
                    else:
                        assert _forma(mensaje.id) == _forma(mensaje.string), mensaje.id


def _forma(texto: str) -> tuple:
    return (sorted(re.findall(r"\{\w*\}", texto)), re.findall(r"</?[a-z]+", texto))
