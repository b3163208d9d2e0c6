"""El catálogo de cursos en la base (tabla `cursos`, migración 0012): leerlo entero, crear,
cambiar un dato, desactivar y reactivar. Un curso nunca se borra: las sesiones viejas lo
nombran. Las escrituras reciben `bd` para ir en la transacción de la operación (con su línea de
la bitácora); las arma `nucleo/catalogo.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from nucleo.almacen.base import AlmacenBase, texto_fecha
from nucleo.contenido import Curso

# Los datos de un curso que se pueden cambiar (la columna se llama igual).
CAMPOS_DE_CURSO = ("nombre", "tema", "descripcion", "requisitos", "modalidad", "duracion_horas")
ORIGENES = ("ejemplo", "personal", "importado")


@dataclass(frozen=True)
class CursoGuardado:
    """Un curso con lo que solo ve el personal."""

    curso: Curso
    origen: str


def _curso(fila: aiosqlite.Row) -> CursoGuardado:
    curso = Curso(id=fila["id"], nombre=fila["nombre"], tema=fila["tema"],
                  descripcion=fila["descripcion"], requisitos=fila["requisitos"],
                  modalidad=fila["modalidad"], duracion_horas=fila["duracion_horas"],
                  activo=bool(fila["activo"]))
    return CursoGuardado(curso, fila["origen"])


class AlmacenCatalogo(AlmacenBase):
    async def cursos_guardados(self) -> list[CursoGuardado]:
        """Todos los cursos (también los desactivados), en el orden en que llegaron."""
        filas = await self._todos("SELECT * FROM cursos ORDER BY orden, id")
        return [_curso(f) for f in filas]

    async def agregar_curso(self, curso: Curso, origen: str, quien: int | None,
                            momento: datetime, bd: aiosqlite.Connection) -> None:
        """Dentro de una transacción (`bd`): el curso al final del catálogo."""
        if origen not in ORIGENES:
            raise ValueError(f"origen desconocido: {origen}")
        async with bd.execute("SELECT COALESCE(MAX(orden), 0) + 1 FROM cursos") as cursor:
            orden = (await cursor.fetchone())[0]
        cuando = texto_fecha(momento)
        await bd.execute(
            "INSERT INTO cursos (id, nombre, tema, descripcion, requisitos, modalidad,"
            " duracion_horas, activo, origen, orden, creado_por, creado_en, actualizado_en)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (curso.id, curso.nombre, curso.tema, curso.descripcion, curso.requisitos,
             curso.modalidad, curso.duracion_horas, int(curso.activo), origen, orden, quien,
             cuando, cuando))

    async def cambiar_curso(self, curso_id: str, campo: str, valor: str | int,
                            momento: datetime, bd: aiosqlite.Connection) -> bool:
        """Un dato de un curso; False si el curso no existe."""
        if campo not in CAMPOS_DE_CURSO:
            raise ValueError(f"campo desconocido: {campo}")
        cursor = await bd.execute(
            f"UPDATE cursos SET {campo} = ?, actualizado_en = ? WHERE id = ?",
            (valor, texto_fecha(momento), curso_id))
        return cursor.rowcount == 1

    async def activar_curso(self, curso_id: str, activo: bool, momento: datetime,
                            bd: aiosqlite.Connection) -> bool:
        """Desactiva o reactiva; False si no existe o ya estaba así."""
        cursor = await bd.execute(
            "UPDATE cursos SET activo = ?, actualizado_en = ? WHERE id = ? AND activo != ?",
            (int(activo), texto_fecha(momento), curso_id, int(activo)))
        return cursor.rowcount == 1

    async def fechas_proximas_del_curso(self, curso_id: str, ahora: datetime) -> int:
        """Cuántas sesiones programadas del curso no han empezado."""
        fila = await self._uno(
            "SELECT COUNT(*) FROM sesiones WHERE curso_id = ? AND estado = 'programada'"
            " AND inicio > ?", (curso_id, texto_fecha(ahora)))
        return int(fila[0])
