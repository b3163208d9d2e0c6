"""Catálogos de traducción (gettext con babel): extraer, actualizar, compilar y revisar.

    python -m nucleo.catalogos extraer      textos nuevos del código y de contenido/*.yaml → .pot
    python -m nucleo.catalogos actualizar   lleva los textos nuevos a cada idioma (.po)
    python -m nucleo.catalogos nuevo fr     empieza un idioma
    python -m nucleo.catalogos revisar      lista lo que falta traducir; sale con 1 si falta algo

El bot compila los .po en memoria al arrancar: no hace falta ningún .mo.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from nucleo.configuracion import CARPETA_CONTENIDO, RAIZ

LOCALES = CARPETA_CONTENIDO / "locales"
MAPEOS = {"mensajes": LOCALES / "mapeo_mensajes.cfg", "contenido": LOCALES / "mapeo_contenido.cfg"}


def _pybabel(*argumentos: str) -> None:
    # Desde la raíz y con rutas relativas: así los comentarios «#:» del .pot no llevan la
    # ruta de la máquina de quien extrajo, y el extractor de YAML (nucleo.*) se puede importar.
    anterior = Path.cwd()
    os.chdir(RAIZ)
    sys.path.insert(0, str(RAIZ))
    try:
        CommandLineInterface().run(["pybabel", "-q", *argumentos])
    finally:
        sys.path.remove(str(RAIZ))
        os.chdir(anterior)


def extraer(destino: Path | None = None) -> None:
    """Escribe las plantillas .pot (en contenido/locales, o en `destino` para comparar)."""
    for dominio, mapeo in MAPEOS.items():
        salida = (destino or LOCALES) / f"{dominio}.pot"
        _pybabel("extract", "-F", str(mapeo), "-o", str(salida),
                 "--no-wrap", "--sort-by-file", "--project", "Coopera Puebla",
                 "-k", "N_", "-k", "plural:1,2", "--add-comments", "TRADUCTORES:", ".")


def idiomas() -> list[str]:
    return sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir())


def actualizar() -> None:
    for dominio in MAPEOS:
        for idioma in idiomas():
            po = LOCALES / idioma / "LC_MESSAGES" / f"{dominio}.po"
            extra = ["--ignore-obsolete"] if po.exists() else []  # sin textos que ya no se usan
            _pybabel("update" if po.exists() else "init", *extra, "-D", dominio,
                     "-i", str(LOCALES / f"{dominio}.pot"), "-d", str(LOCALES), "-l", idioma,
                     "--no-wrap")


def nuevo(idioma: str) -> None:
    for dominio in MAPEOS:
        _pybabel("init", "-D", dominio, "-i", str(LOCALES / f"{dominio}.pot"),
                 "-d", str(LOCALES), "-l", idioma, "--no-wrap")


def faltantes(idioma: str) -> dict[str, list[str]]:
    """Por dominio, los textos sin traducir (o marcados fuzzy) de un idioma."""
    resultado = {}
    for dominio in MAPEOS:
        po = LOCALES / idioma / "LC_MESSAGES" / f"{dominio}.po"
        pot = LOCALES / f"{dominio}.pot"
        with pot.open("rb") as archivo:
            plantilla = read_po(archivo)
        traducidos: dict[str, str] = {}
        if po.exists():
            with po.open("rb") as archivo:
                catalogo = read_po(archivo)
            traducidos = {m.id: m.string for m in catalogo if m.id and m.string
                          and not m.fuzzy}
        resultado[dominio] = [m.id for m in plantilla if m.id and m.id not in traducidos]
    return resultado


def main(argumentos: list[str]) -> int:
    orden = argumentos[0] if argumentos else ""
    if orden == "extraer":
        extraer()
    elif orden == "actualizar":
        actualizar()
    elif orden == "nuevo" and len(argumentos) == 2:
        nuevo(argumentos[1])
    elif orden == "revisar":
        falta = False
        for idioma in idiomas():
            for dominio, ids in faltantes(idioma).items():
                for msgid in ids:
                    falta = True
                    print(f"{idioma}/{dominio}: falta traducir: {msgid[:70]!r}")
        return 1 if falta else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
