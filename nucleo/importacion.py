"""Importar muchas sesiones de un archivo CSV: revisar cada línea y guardarlas todas juntas.

    python bot.py importar-sesiones ARCHIVO.csv [--bd RUTA] [--revisar]   (ver bot.py)

Columnas (la primera línea, en cualquier orden): curso_id, fecha (AAAA-MM-DD o DD/MM/AAAA),
hora (HH:MM, hora de Puebla), duracion_min, modalidad (presencial o en_linea), cupo,
municipio (nombre o clave del INEGI), lugar, direccion, mapa_url, enlace. Las seis primeras
son obligatorias; las demás pueden faltar si ninguna sesión las usa.

Primero se revisa TODO el archivo y se informa cada error como «línea N, columna X: motivo».
Si hay un solo error no se importa nada; si no hay, todas las sesiones entran juntas en una
sola transacción. Guardado como «CSV UTF-8» de Excel (con ; o con ,) también sirve.

Las reglas de cada dato (`leer_fecha`, `leer_hora`...) están en nucleo/reglas_sesion.py.
"""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from nucleo.almacen import Almacen
from nucleo.almacen.cursos import SesionNueva
from nucleo.auditoria import anotar
from nucleo.avisos_fechas import avisos_de_fechas_nuevas
from nucleo.catalogo import CatalogoCursos
from nucleo.contenido import Contenido
from nucleo.municipios import normalizar
from nucleo.reglas_sesion import (
    LARGO_DIRECCION,
    LARGO_LUGAR,
    DatoInvalido,
    leer_cupo,
    leer_duracion,
    leer_fecha,
    leer_hora,
    leer_modalidad,
    leer_municipio,
    leer_texto,
    leer_url,
    momento_de_inicio,
)
from nucleo.reloj import Reloj
from nucleo.textos import N_, Textos

# --- el archivo --------------------------------------------------------------------------------

COLUMNAS = ("curso_id", "fecha", "hora", "duracion_min", "modalidad", "cupo", "municipio",
            "lugar", "direccion", "mapa_url", "enlace")
OBLIGATORIAS = COLUMNAS[:6]


@dataclass(frozen=True)
class ErrorDeLinea:
    """Un error del archivo. `motivo` es un texto fuente (N_) con los marcadores de `datos`;
    `valor`, lo que decía la celda (va antes del motivo si el motivo no lo repite). `str()` lo
    da en español (la línea de comandos); `traducido(_)`, en el idioma de quien lee (el chat)."""

    linea: int
    columna: str | None
    motivo: str
    datos: dict[str, Any] = field(default_factory=dict, compare=False)
    valor: str = ""

    def traducido(self, traducir: Any = None) -> str:
        def _(texto: str) -> str:
            return traducir(texto) if traducir is not None else texto

        motivo = _(self.motivo).format(**self.datos)
        if self.valor:
            motivo = f"«{self.valor}»: {motivo}"
        if self.columna is None:
            return _("línea {linea}: {motivo}").format(linea=self.linea, motivo=motivo)
        return _("línea {linea}, columna {columna}: {motivo}").format(
            linea=self.linea, columna=self.columna, motivo=motivo)

    def __str__(self) -> str:
        return self.traducido()


@dataclass
class Revision:
    """Lo que se puede importar y lo que está mal; se importa solo si `errores` está vacío."""

    sesiones: list[tuple[int, Any]] = field(default_factory=list)  # (línea, SesionNueva)
    errores: list[ErrorDeLinea] = field(default_factory=list)


def revisar_archivo(datos: bytes, contenido: Contenido, zona: ZoneInfo,
                    ahora: datetime) -> Revision:
    """Revisa cada línea del archivo (sin abrir la base)."""
    revision = Revision()
    try:
        texto = datos.decode("utf-8-sig")
    except UnicodeDecodeError:
        revision.errores.append(ErrorDeLinea(1, None, N_(
            "el archivo no está en UTF-8. En Excel, guárdalo como «CSV UTF-8».")))
        return revision
    filas = _filas_con_linea(texto)
    if not filas:
        revision.errores.append(ErrorDeLinea(1, None, N_("el archivo está vacío.")))
        return revision
    encabezado = [normalizar(c).replace(" ", "_") for c in filas[0][1]]
    while encabezado and not encabezado[-1]:
        encabezado.pop()  # Excel deja separadores de sobra al final
    revision.errores.extend(_revisar_encabezado(encabezado))
    if revision.errores:
        return revision
    if len(filas) == 1:
        revision.errores.append(ErrorDeLinea(1, None, N_(
            "el archivo solo tiene el encabezado: no hay sesiones que importar.")))
        return revision
    vistas: dict[tuple, int] = {}
    for linea, celdas in filas[1:]:
        _revisar_fila(revision, linea, encabezado, celdas, contenido, zona, ahora, vistas)
    return revision


def _filas_con_linea(texto: str) -> list[tuple[int, list[str]]]:
    """Las filas no vacías, cada una con la línea del archivo donde empieza."""
    primera = texto.split("\n", 1)[0]
    separador = ";" if primera.count(";") > primera.count(",") else ","
    lector = csv.reader(io.StringIO(texto, newline=""), delimiter=separador)
    filas, siguiente = [], 1
    for celdas in lector:
        if any(c.strip() for c in celdas):
            filas.append((siguiente, celdas))
        siguiente = lector.line_num + 1
    return filas


def _revisar_encabezado(encabezado: list[str]) -> list[ErrorDeLinea]:
    errores = []
    for posicion, nombre in enumerate(encabezado, start=1):
        if nombre not in COLUMNAS:
            errores.append(ErrorDeLinea(1, nombre or str(posicion), N_(
                "columna desconocida. Las columnas válidas son: {columnas}"),
                {"columnas": ", ".join(COLUMNAS)}))
        elif encabezado.index(nombre) != posicion - 1:
            errores.append(ErrorDeLinea(1, nombre, N_("la columna está repetida.")))
    for nombre in OBLIGATORIAS:
        if nombre not in encabezado:
            errores.append(ErrorDeLinea(1, nombre, N_("falta esta columna en el encabezado.")))
    return errores


def _revisar_fila(revision: Revision, linea: int, encabezado: list[str], celdas: list[str],
                  contenido: Contenido, zona: ZoneInfo, ahora: datetime,
                  vistas: dict[tuple, int]) -> None:
    if any(c.strip() for c in celdas[len(encabezado):]):
        revision.errores.append(ErrorDeLinea(
            linea, str(len(encabezado) + 1), N_(
                "la línea tiene más columnas que el encabezado (¿una coma de más? Pon entre "
                "comillas el texto que lleva comas).")))
        return
    valores = {c: "" for c in COLUMNAS}
    valores.update({c: v.strip() for c, v in zip(encabezado, celdas, strict=False)})
    errores: list[ErrorDeLinea] = []
    sesion = _sesion_de_fila(valores, contenido, zona, ahora, linea, errores)
    revision.errores.extend(errores)
    if sesion is None:
        return
    clave = (sesion.curso_id, sesion.inicio, sesion.municipio_clave,
             (sesion.lugar or "").casefold(), sesion.enlace)
    if clave in vistas:
        revision.errores.append(ErrorDeLinea(linea, "curso_id", N_(
            "es la misma sesión de la línea {otra} (mismo curso, fecha, hora y lugar o "
            "enlace)."), {"otra": vistas[clave]}))
        return
    vistas[clave] = linea
    revision.sesiones.append((linea, sesion))


class _Celdas:
    """Lee las celdas de una fila y anota cada error con su columna."""

    def __init__(self, valores: dict[str, str], linea: int, errores: list[ErrorDeLinea]):
        self.valores, self.linea, self.errores = valores, linea, errores

    def leer(self, columna: str, lector: Any, *argumentos: Any, opcional: bool = False) -> Any:
        valor = self.valores[columna]
        if not valor:
            if not opcional:
                self.errores.append(ErrorDeLinea(self.linea, columna, N_("está vacía.")))
            return None
        try:
            return lector(valor, *argumentos)
        except DatoInvalido as error:
            ya_lo_dice = valor in (str(v) for v in error.datos.values())
            self.errores.append(ErrorDeLinea(self.linea, columna, error.motivo, error.datos,
                                             "" if ya_lo_dice else valor))
            return None


def _sesion_de_fila(valores: dict[str, str], contenido: Contenido, zona: ZoneInfo,
                    ahora: datetime, linea: int, errores: list[ErrorDeLinea]) -> Any:
    celdas = _Celdas(valores, linea, errores)
    curso = celdas.leer("curso_id", _curso, contenido)
    dia = celdas.leer("fecha", leer_fecha, ahora.astimezone(zona).date())
    hora = celdas.leer("hora", leer_hora)
    duracion = celdas.leer("duracion_min", leer_duracion)
    modalidad = celdas.leer("modalidad", leer_modalidad)
    cupo = celdas.leer("cupo", leer_cupo)
    inicio = None
    if dia is not None and hora is not None:
        inicio = celdas.leer("hora", lambda _hora: momento_de_inicio(dia, hora, zona, ahora))
    municipio = celdas.leer("municipio", _leer_municipio, contenido,
                            opcional=modalidad != "presencial")
    lugar = celdas.leer("lugar", leer_texto, LARGO_LUGAR, opcional=modalidad != "presencial")
    direccion = celdas.leer("direccion", leer_texto, LARGO_DIRECCION,
                            opcional=modalidad != "presencial")
    mapa = celdas.leer("mapa_url", leer_url, opcional=True)
    enlace = celdas.leer("enlace", leer_url, opcional=modalidad != "en_linea")
    if errores:
        return None
    if modalidad == "en_linea":
        lugar = direccion = mapa = None  # en línea no hay a dónde llegar
    return SesionNueva(curso_id=curso, inicio=inicio, duracion_min=duracion,
                       modalidad=modalidad, cupo=cupo, municipio_clave=municipio, lugar=lugar,
                       direccion=direccion, mapa_url=mapa, enlace=enlace)


def _curso(texto: str, contenido: Contenido) -> str:
    ids = [c.id for c in contenido.cursos]
    if texto not in ids:
        raise DatoInvalido(N_("No hay un curso con el id «{texto}». Los cursos activos están "
                              "en /personal → 📚 Cursos: {ids}."), texto=texto,
                           ids=", ".join(ids))
    return texto


# --- importar -------------------------------------------------------------------------------

async def importar(ruta: Path, ruta_bd: Path, contenido: Contenido, zona: ZoneInfo,
                   ahora: datetime, *, revisar: bool = False) -> Revision:
    """Revisa el archivo y, si todo está bien (y no es solo revisar), lo importa entero."""
    if not ruta_bd.is_file():  # abrirla la crearía vacía: se importaría donde nadie la ve
        raise FileNotFoundError(f"No encontré la base de datos del bot en {ruta_bd.resolve()}.")
    almacen = await Almacen.abrir(ruta_bd)
    try:
        # Los cursos son los del catálogo de esa base (nucleo/catalogo.py), no los de ejemplo.
        catalogo = await CatalogoCursos.abrir(almacen, Reloj())
        contenido = replace(contenido, catalogo=catalogo)
        revision = await revisar_con_la_base(ruta.read_bytes(), almacen, contenido, zona, ahora)
        if revision.errores or revisar:
            return revision
        # Quien esperaba fechas de estos cursos recibe su aviso (nucleo/avisos_fechas.py): va a
        # la cola en esta misma transacción y lo manda el bot que está corriendo.
        textos = Textos(contenido.carpeta / "locales")
        async with almacen.transaccion() as bd:
            creadas = [(await almacen.crear_sesion(sesion, ahora, bd=bd), sesion)
                       for _linea, sesion in revision.sesiones]
            await anotar(almacen, ahora, None, "importacion", "csv",
                         f"{len(revision.sesiones)} sesiones", bd=bd)
            envios = await avisos_de_fechas_nuevas(almacen, bd, textos, contenido, creadas)
            await almacen.insertar_envios(bd, envios, ahora)
    finally:
        await almacen.cerrar()
    return revision


# (catálogo de municipios, lo escrito) → clave: un archivo repite los mismos municipios, y buscar
# uno lo compara con los 217 (~4 ms); un error no se recuerda (se vuelve a buscar y a decir).
_MUNICIPIOS_LEIDOS: dict[tuple[Any, str], str] = {}


def _leer_municipio(texto: str, contenido: Contenido) -> str:
    """`leer_municipio`, recordando lo ya leído."""
    clave = (contenido.municipios, texto)
    if clave not in _MUNICIPIOS_LEIDOS:
        if len(_MUNICIPIOS_LEIDOS) > 4096:
            _MUNICIPIOS_LEIDOS.clear()
        _MUNICIPIOS_LEIDOS[clave] = leer_municipio(texto, contenido)
    return _MUNICIPIOS_LEIDOS[clave]


async def revisar_con_la_base(datos: bytes, almacen: Any, contenido: Contenido, zona: ZoneInfo,
                              ahora: datetime) -> Revision:
    """`revisar_archivo` y, además, que ninguna sesión exista ya en la base (la línea de
    comandos y el chat del personal revisan igual). La revisión va en un hilo: un archivo de
    miles de líneas no frena al bot mientras tanto."""
    revision = await asyncio.to_thread(revisar_archivo, datos, contenido, zona, ahora)
    await _buscar_repetidas_en_la_base(almacen, revision)
    return revision


async def _buscar_repetidas_en_la_base(almacen: Any, revision: Revision) -> None:
    for linea, s in revision.sesiones:
        repetida = await almacen.sesion_repetida(s.curso_id, s.inicio, s.municipio_clave,
                                                 s.lugar, s.enlace)
        if repetida is not None:
            revision.errores.append(ErrorDeLinea(linea, "curso_id", N_(
                "esta sesión ya existe en el bot (sesión {sesion}: mismo curso, fecha, hora y "
                "lugar o enlace). ¿Ya habías importado este archivo?"), {"sesion": repetida}))
    revision.errores.sort(key=lambda e: e.linea)
