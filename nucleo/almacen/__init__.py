"""El almacén: el único lugar que conoce el esquema SQLite y escribe SQL.

Una clase, `Almacen`, reúne las consultas de cada tema (un archivo por tema en esta carpeta);
todas comparten una conexión aiosqlite. Los handlers llaman a sus métodos, nunca a SQL.
El esquema cambia solo con migraciones numeradas en migraciones/ (PRAGMA user_version).
"""

from nucleo.almacen.anuncios import AlmacenAnuncios
from nucleo.almacen.asesoria import AlmacenAsesoria
from nucleo.almacen.auditoria import AlmacenAuditoria
from nucleo.almacen.avisos_fechas import AlmacenAvisosFechas
from nucleo.almacen.conversaciones import AlmacenConversaciones
from nucleo.almacen.cooperativas import AlmacenCooperativas
from nucleo.almacen.cursos import AlmacenCursos
from nucleo.almacen.cursos_catalogo import AlmacenCatalogo
from nucleo.almacen.entrada import AlmacenEntrada
from nucleo.almacen.envios import AlmacenEnvios
from nucleo.almacen.estadisticas import AlmacenEstadisticas
from nucleo.almacen.personas import (
    CAMPOS_PERFIL,
    AlmacenPersonas,
    OrientacionEnCurso,
    OrientacionGuardada,
    Perfil,
    Persona,
)
from nucleo.almacen.recordatorios import AlmacenRecordatorios
from nucleo.almacen.roles import AlmacenRoles
from nucleo.almacen.sesiones import AlmacenSesiones


class Almacen(AlmacenPersonas, AlmacenConversaciones, AlmacenCursos, AlmacenCatalogo,
              AlmacenEnvios,
              AlmacenRecordatorios, AlmacenSesiones, AlmacenEntrada,
              AlmacenAsesoria, AlmacenCooperativas, AlmacenRoles, AlmacenAuditoria,
              AlmacenAnuncios, AlmacenEstadisticas, AlmacenAvisosFechas):
    """Todas las consultas del bot."""


__all__ = [
    "CAMPOS_PERFIL", "Almacen", "OrientacionEnCurso", "OrientacionGuardada", "Perfil", "Persona",
]
