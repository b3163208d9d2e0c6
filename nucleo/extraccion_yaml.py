"""Extractor de Babel para los textos del contenido (carpeta contenido/, archivos YAML).

Los textos del contenido son msgids en español del dominio gettext "contenido". Uso:

    pybabel extract -F contenido/locales/mapeo_contenido.cfg \\
        -o contenido/locales/contenido.pot --no-wrap .

Extrae solo los valores que lee una persona usuaria (CLAVES_TRADUCIBLES), nunca ids, claves,
'siguiente', fechas, temas ni modalidades. Las fuentes solo en los resultados y extras de la
orientación (RUTAS_CON_FUENTES), que las muestran en el idioma de la persona. Cada texto
lleva un comentario "archivo:entrada" para quien traduce.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

from nucleo.contenido import CargadorYaml, recorrer, texto_limpio

CLAVES_TRADUCIBLES = frozenset(
    {
        "texto",
        "titulo",
        "pasos",
        "ayuda",
        "aviso_guia",
        "simplificado",
        "nombre",
        "area",
        "horario",
        "descripcion",
        "requisitos",
        # contenido/cooperativa.yaml: lo que dice cada paso del camino
        "por_que",
        "documentos",
        "quien",
        "donde",
        "costo",
        "tiempo",
    }
)
RUTAS_CON_FUENTES = ("resultados.", "extras.")
_TEXTO_YAML = "tag:yaml.org,2002:str"


def textos_traducibles(texto_yaml: str) -> Iterator[tuple[int, str, str]]:
    """(línea, entrada, texto) de cada texto traducible del YAML, en orden de aparición."""
    raiz = yaml.compose(texto_yaml, Loader=CargadorYaml)
    if raiz is None:
        return
    for ruta, clave, nodo in recorrer(raiz):
        if (
            (clave in CLAVES_TRADUCIBLES
             or (clave == "fuentes" and ruta.startswith(RUTAS_CON_FUENTES)))
            and ".cuando." not in ruta  # ids de opciones de los extras, no textos
            and isinstance(nodo, yaml.ScalarNode)
            and nodo.tag == _TEXTO_YAML
            and texto_limpio(nodo.value)
        ):
            yield nodo.start_mark.line + 1, ruta, texto_limpio(nodo.value)


def _nombre_archivo(fileobj: IO[bytes]) -> str:
    nombre = str(getattr(fileobj, "name", "contenido"))
    relativo = os.path.relpath(nombre) if os.path.isabs(nombre) else nombre
    return nombre if relativo.startswith("..") else relativo.replace(os.sep, "/")


def extraer(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Método de extracción de Babel: (línea, función, mensaje, comentarios)."""
    codificacion = options.get("encoding", "utf-8-sig")
    texto_yaml = fileobj.read().decode(codificacion)
    archivo = _nombre_archivo(fileobj)
    for linea, ruta, texto in textos_traducibles(texto_yaml):
        yield linea, None, texto, [f"{archivo}:{ruta}"]
