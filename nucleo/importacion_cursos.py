"""Importar cursos de un archivo CSV al catálogo (nucleo/catalogo.py):

    python bot.py importar-cursos ARCHIVO.csv [--bd RUTA] [--confirmar]   (ver bot.py)

Columnas (la primera línea, en cualquier orden): id, nombre, tema, descripcion, requisitos,
modalidad, duracion_horas. Todas obligatorias salvo requisitos (vacío: «Ninguno.»).
- id: de 1 a 20 letras minúsculas sin acentos, números o _; nuevo (no se cambia un curso que
  ya existe: eso se hace desde Telegram). Es el que nombran contenido/orientacion.yaml y la
  importación de sesiones.
- tema: cooperativismo, economia_solidaria, negocio, oficios o digital.
- modalidad: presencial, en_linea o mixta. duracion_horas: entero de 1 a 500.
Descripción y requisitos son texto simple (se escapan para Telegram).

Primero se revisa TODO el archivo y cada error sale como «línea N, columna X: motivo». Sin
`--confirmar` solo se revisa; con él, y sin un solo error, todos entran juntos en una
transacción (con su línea en la bitácora). El bot que esté corriendo los ve en un minuto.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nucleo.almacen import Almacen
from nucleo.catalogo import (
    LECTORES,
    REQUISITOS_NINGUNO,
    CatalogoCursos,
    leer_id,
)
from nucleo.contenido import Curso
from nucleo.importacion import _filas_con_linea
from nucleo.municipios import normalizar
from nucleo.reglas_sesion import DatoInvalido
from nucleo.reloj import Reloj

COLUMNAS_CURSOS = ("id", "nombre", "tema", "descripcion", "requisitos", "modalidad",
                   "duracion_horas")
OPCIONALES = ("requisitos",)


@dataclass(frozen=True)
class ErrorDeLinea:
    """Un error del archivo, en español (para la línea de comandos)."""

    linea: int
    columna: str | None
    motivo: str

    def __str__(self) -> str:
        if self.columna is None:
            return f"línea {self.linea}: {self.motivo}"
        return f"línea {self.linea}, columna {self.columna}: {self.motivo}"


@dataclass
class RevisionCursos:
    """Lo que se puede importar y lo que está mal; se importa solo si `errores` está vacío."""

    cursos: list[tuple[int, Curso]] = field(default_factory=list)
    errores: list[ErrorDeLinea] = field(default_factory=list)


def revisar_cursos(datos: bytes, catalogo: CatalogoCursos) -> RevisionCursos:
    """Revisa cada línea contra las reglas de un curso y contra el catálogo de la base."""
    revision = RevisionCursos()
    try:
        texto = datos.decode("utf-8-sig")
    except UnicodeDecodeError:
        revision.errores.append(ErrorDeLinea(1, None, "el archivo no está en UTF-8. En Excel, "
                                                      "guárdalo como «CSV UTF-8»."))
        return revision
    filas = _filas_con_linea(texto)
    if not filas:
        revision.errores.append(ErrorDeLinea(1, None, "el archivo está vacío."))
        return revision
    encabezado = [normalizar(c).replace(" ", "_") for c in filas[0][1]]
    while encabezado and not encabezado[-1]:
        encabezado.pop()  # Excel deja separadores de sobra al final
    desconocidas = [c for c in encabezado if c not in COLUMNAS_CURSOS]
    faltan = [c for c in COLUMNAS_CURSOS if c not in encabezado and c not in OPCIONALES]
    if desconocidas or faltan or len(set(encabezado)) != len(encabezado):
        revision.errores.append(ErrorDeLinea(1, None, (
            f"el encabezado debe tener las columnas {', '.join(COLUMNAS_CURSOS)} "
            f"(requisitos puede faltar); sobran: {', '.join(desconocidas) or 'ninguna'}; "
            f"faltan: {', '.join(faltan) or 'ninguna'}; sin repetir.")))
        return revision
    if len(filas) == 1:
        revision.errores.append(ErrorDeLinea(1, None, "el archivo solo tiene el encabezado: "
                                                      "no hay cursos que importar."))
        return revision
    ids = {g.curso.id for g in catalogo.todos}
    nombres = {g.curso.nombre.casefold() for g in catalogo.todos}
    for linea, celdas in filas[1:]:
        curso = _revisar_fila(revision, linea, dict(zip(encabezado, celdas, strict=False)),
                              ids, nombres)
        if curso is not None:
            revision.cursos.append((linea, curso))
            ids.add(curso.id)
            nombres.add(curso.nombre.casefold())
    return revision


def _revisar_fila(revision: RevisionCursos, linea: int, celdas: dict[str, str],
                  ids: set[str], nombres: set[str]) -> Curso | None:
    leidos: dict[str, Any] = {}
    errores_antes = len(revision.errores)

    def error(columna: str, motivo: str) -> None:
        revision.errores.append(ErrorDeLinea(linea, columna, motivo))

    for columna in COLUMNAS_CURSOS:
        valor = (celdas.get(columna) or "").strip()
        if columna == "requisitos" and not valor:
            valor = REQUISITOS_NINGUNO
        if not valor:
            error(columna, "falta el dato.")
            continue
        try:
            leidos[columna] = (leer_id if columna == "id" else LECTORES[columna])(valor)
        except DatoInvalido as fallo:
            error(columna, str(fallo))
    if "id" in leidos and leidos["id"] in ids:
        error("id", f"ya hay un curso con el id «{leidos['id']}» (en la base o más arriba). "
                    "Para cambiarlo, hazlo desde Telegram: /personal → 📚 Cursos.")
    if "nombre" in leidos and leidos["nombre"].casefold() in nombres:
        error("nombre", "ya hay un curso con ese nombre (en la base o más arriba).")
    if len(revision.errores) > errores_antes:
        return None
    return Curso(activo=True, **leidos)


async def importar_cursos(ruta: Path, ruta_bd: Path, reloj: Reloj, *,
                          confirmar: bool = False) -> RevisionCursos:
    """Revisa el archivo contra la base y, con `confirmar` y sin errores, lo importa entero.
    Nunca crea una base: si no existe, FileNotFoundError."""
    if not ruta_bd.is_file():  # abrirla la crearía vacía: se importaría donde nadie la ve
        raise FileNotFoundError(f"No encontré la base de datos del bot en {ruta_bd.resolve()}.")
    almacen = await Almacen.abrir(ruta_bd)
    try:
        catalogo = await CatalogoCursos.abrir(almacen, reloj)
        revision = revisar_cursos(ruta.read_bytes(), catalogo)
        if revision.errores or not confirmar:
            return revision
        await catalogo.importar([curso for _linea, curso in revision.cursos])
    finally:
        await almacen.cerrar()
    return revision
