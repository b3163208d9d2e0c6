"""Catálogo de los 217 municipios de Puebla y búsqueda tolerante a errores de escritura.

Solo usa la biblioteca estándar (difflib, unicodedata). La búsqueda está pensada para
lo que escribe una persona en el celular: sin acentos, con mayúsculas, con abreviaturas
("sn", "sta", "gral.") o con faltas de ortografía ("Tehuakan").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

# Largo máximo que se analiza. El nombre más largo tiene 32 caracteres.
_MAX_ENTRADA = 80
_MAX_PALABRAS = 8
_MAX_SUGERENCIAS = 5
# Parecido mínimo (0 a 1) para sugerir un nombre con faltas de ortografía.
_UMBRAL = 0.75

_ABREVIATURAS = {
    "gral": "general",
    "sn": "san",
    "sta": "santa",
    "sto": "santo",
    "stgo": "santiago",
    "cd": "ciudad",
}

# Palabras que aparecen en muchos nombres: no sirven para adivinar faltas de ortografía.
_COMUNES = frozenset(
    {"de", "del", "la", "las", "el", "los", "y", "san", "santa", "santo", "santiago", "ciudad"}
)

# Nombres comunes de la cabecera municipal -> nombre del municipio (ya normalizado).
# Solo generan sugerencias (no coincidencia exacta).
_OTROS_NOMBRES = {
    "heroica puebla de zaragoza": "puebla",
    "ciudad serdan": "chalchicomula de sesma",
    "zacatlan de las manzanas": "zacatlan",
    "acatlan de osorio": "acatlan",
    "xicotepec de juarez": "xicotepec",
    "huauchinango de degollado": "huauchinango",
    "ciudad de libres": "libres",
    "amozoc de mota": "amozoc",
}

_NO_ALFANUMERICO = re.compile(r"[^a-z0-9]+")
_CLAVE = re.compile(r"21\d{3}")


@dataclass(frozen=True)
class Municipio:
    clave: str
    nombre: str
    region: str | None


@dataclass(frozen=True)
class Busqueda:
    """Resultado de buscar un municipio.

    `exacto`: el municipio cuyo nombre (o clave INEGI) es igual a lo escrito, si lo hay.
    `sugerencias`: otros municipios posibles, el mejor primero, 5 como máximo. Si hay
    `exacto`, solo lleva los nombres que contienen lo escrito (por ejemplo, "Chila"
    sugiere "Chila de la Sal").
    """

    exacto: Municipio | None
    sugerencias: tuple[Municipio, ...]


def normalizar(texto: str) -> str:
    """Minúsculas, sin acentos, signos cambiados por espacios y espacios simples."""
    descompuesto = unicodedata.normalize("NFKD", texto.lower())
    sin_acentos = "".join(c for c in descompuesto if not unicodedata.combining(c))
    return _NO_ALFANUMERICO.sub(" ", sin_acentos).strip()


def _preparar(texto: str) -> str:
    """Normaliza lo escrito por la persona y expande las abreviaturas comunes."""
    palabras = normalizar(texto[:_MAX_ENTRADA]).split()[:_MAX_PALABRAS]
    return " ".join(_ABREVIATURAS.get(p, p) for p in palabras)


def _contiene(palabra: str, palabras_nombre: tuple[str, ...], completa: bool = False) -> bool:
    """La palabra escrita está en el nombre: completa, o como inicio de palabra si tiene 3+
    letras ("texmel" está en "San Martín Texmelucan")."""
    if completa or len(palabra) < 3:
        return palabra in palabras_nombre
    return any(p.startswith(palabra) for p in palabras_nombre)


@dataclass(frozen=True)
class _Entrada:
    municipio: Municipio
    normal: str
    palabras: tuple[str, ...]
    significativas: tuple[str, ...]


class CatalogoMunicipios:
    """Los municipios en el orden del archivo, con búsqueda por nombre o clave."""

    def __init__(self, municipios: Iterable[Municipio]) -> None:
        self._municipios = tuple(municipios)
        self._entradas: list[_Entrada] = []
        self._por_clave: dict[str, Municipio] = {}
        self._por_nombre: dict[str, Municipio] = {}
        for municipio in self._municipios:
            normal = _preparar(municipio.nombre)
            palabras = tuple(normal.split())
            significativas = tuple(p for p in palabras if p not in _COMUNES)
            self._entradas.append(_Entrada(municipio, normal, palabras, significativas))
            self._por_clave.setdefault(municipio.clave, municipio)
            self._por_nombre.setdefault(normal, municipio)
        self._palabras = sorted({p for e in self._entradas for p in e.significativas})

    def __len__(self) -> int:
        return len(self._municipios)

    def __iter__(self) -> Iterator[Municipio]:
        return iter(self._municipios)

    def por_clave(self, clave: str) -> Municipio | None:
        return self._por_clave.get(clave.strip())

    def buscar(self, texto: str) -> Busqueda:
        consulta = _preparar(texto)
        if not consulta:
            return Busqueda(None, ())
        if _CLAVE.fullmatch(consulta):
            return Busqueda(self._por_clave.get(consulta), ())
        exacto = self._por_nombre.get(consulta)
        if exacto is not None:
            otros = [m for m in self._que_contienen(consulta, completa=True) if m != exacto]
            return Busqueda(exacto, tuple(otros[:_MAX_SUGERENCIAS]))
        return Busqueda(None, self._sugerir(consulta))

    def _sugerir(self, consulta: str) -> tuple[Municipio, ...]:
        candidatos = [*self._por_otro_nombre(consulta), *self._que_contienen(consulta)]
        if len(candidatos) < _MAX_SUGERENCIAS:
            candidatos += self._parecidos(consulta)
        return tuple(dict.fromkeys(candidatos))[:_MAX_SUGERENCIAS]

    def _por_otro_nombre(self, consulta: str) -> list[Municipio]:
        nombre = _OTROS_NOMBRES.get(consulta)
        municipio = self._por_nombre.get(nombre) if nombre else None
        return [municipio] if municipio else []

    def _que_contienen(self, consulta: str, completa: bool = False) -> list[Municipio]:
        """Municipios cuyo nombre contiene todas las palabras escritas."""
        palabras = consulta.split()
        encontrados = [
            e for e in self._entradas if all(_contiene(p, e.palabras, completa) for p in palabras)
        ]
        encontrados.sort(key=lambda e: -SequenceMatcher(None, consulta, e.normal).ratio())
        return [e.municipio for e in encontrados]

    def _parecidos(self, consulta: str) -> list[Municipio]:
        """Municipios parecidos a lo escrito (faltas de ortografía), el más parecido primero."""
        if not any(c.isalpha() for c in consulta):
            return []
        escritas = [p for p in consulta.split() if len(p) >= 3 and p not in _COMUNES]
        por_palabra = [_parecidos_a(p, self._palabras) for p in escritas]
        completos = _parecidos_a(consulta, [e.normal for e in self._entradas])
        puntajes = []
        for entrada in self._entradas:
            mejores = [
                max((parecidos.get(p, 0.0) for p in entrada.significativas), default=0.0)
                for parecidos in por_palabra
            ]
            completo = completos.get(entrada.normal, 0.0)
            coinciden = [m for m in mejores if m >= _UMBRAL]
            mejor = max([completo, *coinciden])
            if mejor >= _UMBRAL:
                puntajes.append(((-len(coinciden), -mejor, -completo), entrada.municipio))
        puntajes.sort(key=lambda t: t[0])
        return [municipio for _, municipio in puntajes]


def _parecidos_a(escrito: str, candidatos: Iterable[str]) -> dict[str, float]:
    """Parecido (difflib) de cada candidato con lo escrito, solo los que pasan el umbral."""
    comparador = SequenceMatcher(None, "", escrito)
    parecidos = {}
    for candidato in candidatos:
        if 2 * min(len(candidato), len(escrito)) < _UMBRAL * (len(candidato) + len(escrito)):
            continue
        comparador.set_seq1(candidato)
        if comparador.quick_ratio() >= _UMBRAL and comparador.ratio() >= _UMBRAL:
            parecidos[candidato] = comparador.ratio()
    return parecidos
