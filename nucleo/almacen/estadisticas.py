"""Las consultas de las cifras del programa (/estadisticas y `python bot.py estadisticas`).

Cada consulta devuelve filas sueltas con los datos del perfil para desagregar (sexo, rango de
edad, municipio, discapacidad, lengua indígena); contar, agrupar y ocultar las cifras chicas
es de `nucleo/estadisticas.py`. Las fechas van en UTC, `desde` incluido y `hasta` excluido.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha

_PERFIL = ("pf.sexo, pf.rango_edad, pf.municipio_clave, pf.discapacidad, pf.lengua_indigena")


@dataclass(frozen=True)
class FilaCifras:
    """Una persona (o un hecho de una persona) con su perfil y lo que se cuenta de ella."""

    sexo: str | None
    rango_edad: str | None
    municipio_clave: str | None
    discapacidad: str | None
    lengua_indigena: str | None
    clave: str = ""  # el resultado, el curso, el estado...
    valor: float | None = None  # asistió (1/0), la puntuación, los minutos en contestar


def _fila(f: object, clave: str = "", valor: float | None = None) -> FilaCifras:
    return FilaCifras(f["sexo"], f["rango_edad"], f["municipio_clave"],  # type: ignore[index]
                      f["discapacidad"], f["lengua_indigena"], clave, valor)  # type: ignore[index]


class AlmacenEstadisticas(AlmacenBase):
    async def cifras_personas(self, desde: datetime, hasta: datetime) -> list[FilaCifras]:
        """Quien decidió sobre el aviso en el periodo; clave: 'aceptado' o 'rechazado'."""
        filas = await self._todos(
            f"SELECT p.consentimiento, {_PERFIL} FROM personas p"
            " LEFT JOIN perfiles pf ON pf.telegram_id = p.telegram_id"
            " WHERE p.decidido_en >= ? AND p.decidido_en < ?",
            (texto_fecha(desde), texto_fecha(hasta)))
        return [_fila(f, f["consentimiento"]) for f in filas]

    async def cifras_orientaciones(self, desde: datetime, hasta: datetime) -> list[FilaCifras]:
        """Orientaciones terminadas en el periodo; clave: el resultado."""
        filas = await self._todos(
            f"SELECT o.resultado, {_PERFIL} FROM orientaciones o"
            " LEFT JOIN perfiles pf ON pf.telegram_id = o.telegram_id"
            " WHERE o.completada_en >= ? AND o.completada_en < ?",
            (texto_fecha(desde), texto_fecha(hasta)))
        return [_fila(f, f["resultado"]) for f in filas]

    async def cifras_inscripciones(self, desde: datetime,
                                   hasta: datetime) -> list[tuple[FilaCifras, bool, int | None]]:
        """Inscripciones (no canceladas ni en espera) a sesiones que empiezan en el periodo;
        clave: el curso. Con si asistió y la puntuación de la encuesta (o None)."""
        filas = await self._todos(
            f"SELECT s.curso_id, i.asistio, e.puntuacion, {_PERFIL} FROM inscripciones i"
            " JOIN sesiones s ON s.id = i.sesion_id"
            " LEFT JOIN perfiles pf ON pf.telegram_id = i.telegram_id"
            " LEFT JOIN encuestas e ON e.inscripcion_id = i.id"
            " WHERE i.estado = 'inscrita' AND s.estado = 'programada'"
            " AND s.inicio >= ? AND s.inicio < ?",
            (texto_fecha(desde), texto_fecha(hasta)))
        return [(_fila(f, f["curso_id"]), bool(f["asistio"]), f["puntuacion"]) for f in filas]

    async def cifras_pasos_cooperativas(self, desde: datetime,
                                        hasta: datetime) -> dict[str, int]:
        """Cuántos grupos confirmaron cada paso en el periodo."""
        filas = await self._todos(
            "SELECT paso_id, COUNT(*) AS n FROM pasos_cooperativa"
            " WHERE confirmado_en >= ? AND confirmado_en < ? GROUP BY paso_id",
            (texto_fecha(desde), texto_fecha(hasta)))
        return {f["paso_id"]: f["n"] for f in filas}

    async def cifras_asesoria(self, desde: datetime, hasta: datetime) -> list[FilaCifras]:
        """Conversaciones de asesoría abiertas en el periodo; clave: su estado; valor: los
        minutos hasta la primera respuesta (None si nadie contestó aún)."""
        filas = await self._todos(
            f"SELECT a.estado, a.abierta_en, a.atendida_en, {_PERFIL} FROM asesorias a"
            " LEFT JOIN perfiles pf ON pf.telegram_id = a.telegram_id"
            " WHERE a.abierta_en >= ? AND a.abierta_en < ?",
            (texto_fecha(desde), texto_fecha(hasta)))
        resultado = []
        for f in filas:
            minutos = None
            if f["atendida_en"]:
                espera = fecha(f["atendida_en"]) - fecha(f["abierta_en"])
                minutos = max(espera.total_seconds(), 0) / 60
            resultado.append(_fila(f, f["estado"], minutos))
        return resultado

    async def hay_tabla(self, nombre: str) -> bool:
        """Para las cifras de una función que puede no estar aún (los anuncios)."""
        fila = await self._uno("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                               (nombre,))
        return fila is not None

    async def cifras_anuncios(self, desde: datetime, hasta: datetime
                              ) -> tuple[int, dict[str, int], list[FilaCifras]]:
        """Anuncios que empezaron a salir en el periodo: cuántos, sus mensajes por estado de la
        cola y las personas a quienes les llegó al menos uno (con su perfil)."""
        rango = (texto_fecha(desde), texto_fecha(hasta))
        fila = await self._uno("SELECT COUNT(*) AS n FROM anuncios"
                               " WHERE iniciado_en >= ? AND iniciado_en < ?", rango)
        estados = await self._todos(
            "SELECT e.estado, COUNT(*) AS n FROM envios e JOIN anuncios a ON a.id = e.anuncio_id"
            " WHERE a.iniciado_en >= ? AND a.iniciado_en < ? GROUP BY e.estado", rango)
        personas = await self._todos(
            f"SELECT {_PERFIL} FROM (SELECT DISTINCT e.telegram_id FROM envios e"
            " JOIN anuncios a ON a.id = e.anuncio_id WHERE e.estado = 'enviado'"
            " AND a.iniciado_en >= ? AND a.iniciado_en < ?) AS d"
            " LEFT JOIN perfiles pf ON pf.telegram_id = d.telegram_id", rango)
        return (fila["n"] if fila else 0, {f["estado"]: f["n"] for f in estados},
                [_fila(f) for f in personas])
