"""Los anuncios del personal (tabla `anuncios`) y a quién le llegan.

A quién va un anuncio se decide aquí, en SQL, con `_destinatarios`: siempre fuera quien no
aceptó el aviso de privacidad, quien pidió no recibir anuncios (`silenciado_desde`) y quien nos
bloqueó (`inalcanzable_desde`). Las filas de `envios` de un anuncio se escriben de un jalón con
INSERT ... SELECT dentro de la transacción de quien llama (nucleo/anuncios.py), junto con el
anuncio y su anotación en la bitácora.

Estados de las filas de un anuncio en `envios`: las de la cola (pendiente, enviando, enviado,
fallido, inalcanzable, incierto, vencido) más `retenido` (anuncio en pausa) y `cancelado`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha

PRIORIDAD_ANUNCIO = 9  # lo último de la cola: avisos y recordatorios pasan antes
ESTADOS_FILA_ANUNCIO = ("pendiente", "enviando", "enviado", "fallido", "inalcanzable",
                        "incierto", "vencido", "retenido", "cancelado")

# Quien puede recibir un anuncio (alias `p` para personas).
_QUIEN_RECIBE = ("p.consentimiento = 'aceptado' AND p.silenciado_desde IS NULL"
                 " AND p.inalcanzable_desde IS NULL")


@dataclass(frozen=True)
class FilaAnuncio:
    id: int
    autor_id: int | None
    texto: str
    medio_tipo: str | None
    medio_id: str | None
    audiencia: str  # JSON
    estado: str
    programado_para: datetime | None
    creado_en: datetime
    actualizado_en: datetime
    iniciado_en: datetime | None
    terminado_en: datetime | None
    destinatarios: int | None
    progreso_chat_id: int | None
    progreso_message_id: int | None


def _fecha_o_nada(texto: str | None) -> datetime | None:
    return fecha(texto) if texto else None


def _fila(f: aiosqlite.Row) -> FilaAnuncio:
    return FilaAnuncio(
        f["id"], f["autor_id"], f["texto"], f["medio_tipo"], f["medio_id"], f["audiencia"],
        f["estado"], _fecha_o_nada(f["programado_para"]), fecha(f["creado_en"]),
        fecha(f["actualizado_en"]), _fecha_o_nada(f["iniciado_en"]),
        _fecha_o_nada(f["terminado_en"]), f["destinatarios"], f["progreso_chat_id"],
        f["progreso_message_id"])


def _destinatarios(tipo: str, valores: Sequence[str],
                   pasos: Sequence[str] = ()) -> tuple[str, list[Any]]:
    """SELECT de los telegram_id a quienes llega una audiencia (sin repetidos).

    `tipo` y `valores`: los de `Audiencia` (las regiones ya convertidas en municipios, tipo
    'municipios'). `pasos`: los ids de paso del camino de la cooperativa en su orden (para
    saber en qué paso va cada grupo: el primero sin confirmar)."""
    lista = json.dumps(list(valores))
    if tipo == "todos":
        condicion, parametros = "1", []
    elif tipo == "municipios":
        condicion = ("p.telegram_id IN (SELECT telegram_id FROM perfiles"
                     " WHERE municipio_clave IN (SELECT value FROM json_each(?)))")
        parametros = [lista]
    elif tipo == "curso":
        condicion = ("p.telegram_id IN (SELECT i.telegram_id FROM inscripciones i"
                     " JOIN sesiones s ON s.id = i.sesion_id"
                     " WHERE i.estado IN ('inscrita', 'espera') AND s.estado = 'programada'"
                     " AND s.curso_id IN (SELECT value FROM json_each(?)))")
        parametros = [lista]
    elif tipo == "sesion":
        condicion = ("p.telegram_id IN (SELECT telegram_id FROM inscripciones"
                     " WHERE estado IN ('inscrita', 'espera')"
                     " AND sesion_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?)))")
        parametros = [lista]
    elif tipo == "paso_cooperativa":
        # El paso de un grupo: el primero del camino (en su orden) que no está confirmado.
        condicion = (
            "p.telegram_id IN (SELECT m.telegram_id FROM miembros_cooperativa m"
            " WHERE (SELECT camino.value FROM json_each(?) AS camino"
            "        WHERE camino.value NOT IN (SELECT paso_id FROM pasos_cooperativa pc"
            "              WHERE pc.cooperativa_id = m.cooperativa_id"
            "              AND pc.confirmado_en IS NOT NULL)"
            "        ORDER BY camino.key LIMIT 1)"
            " IN (SELECT value FROM json_each(?)))")
        parametros = [json.dumps(list(pasos)), lista]
    elif tipo == "idioma":
        # Quien aceptó antes de que se guardara su idioma (NULL) recibe el predeterminado: el
        # dominio agrega "" a los valores cuando se elige ese idioma.
        condicion = "COALESCE(p.idioma, '') IN (SELECT value FROM json_each(?))"
        parametros = [lista]
    elif tipo == "resultado":
        # Solo su orientación terminada más reciente cuenta.
        condicion = ("(SELECT o.resultado FROM orientaciones o WHERE o.telegram_id = p.telegram_id"
                     " ORDER BY o.completada_en DESC, o.id DESC LIMIT 1)"
                     " IN (SELECT value FROM json_each(?))")
        parametros = [lista]
    else:
        raise ValueError(f"Tipo de audiencia desconocido: {tipo}")
    return f"SELECT p.telegram_id FROM personas p WHERE {_QUIEN_RECIBE} AND {condicion}", \
        parametros


class AlmacenAnuncios(AlmacenBase):
    # --- a quién llega ----------------------------------------------------------------------

    async def contar_destinatarios(self, tipo: str, valores: Sequence[str],
                                   pasos: Sequence[str] = ()) -> int:
        sql, parametros = _destinatarios(tipo, valores, pasos)
        fila = await self._uno(f"SELECT COUNT(*) FROM ({sql})", parametros)
        return int(fila[0])

    async def ids_destinatarios(self, tipo: str, valores: Sequence[str],
                                pasos: Sequence[str] = ()) -> list[int]:
        """Los telegram_id a quienes llegaría, en orden (para pruebas y revisiones)."""
        sql, parametros = _destinatarios(tipo, valores, pasos)
        filas = await self._todos(f"{sql} ORDER BY p.telegram_id", parametros)
        return [f[0] for f in filas]

    # --- escribir (dentro de la transacción `bd` de quien llama) ----------------------------

    async def insertar_anuncio(self, bd: aiosqlite.Connection, *, autor_id: int | None,
                               texto: str, medio_tipo: str | None, medio_id: str | None,
                               audiencia: str, programado_para: datetime | None,
                               ahora: datetime) -> int:
        cursor = await bd.execute(
            "INSERT INTO anuncios (autor_id, texto, medio_tipo, medio_id, audiencia, estado,"
            " programado_para, creado_en, actualizado_en) VALUES (?, ?, ?, ?, ?, 'programado',"
            " ?, ?, ?)",
            (autor_id, texto, medio_tipo, medio_id, audiencia,
             texto_fecha(programado_para) if programado_para else None,
             texto_fecha(ahora), texto_fecha(ahora)))
        return int(cursor.lastrowid)

    async def iniciar_anuncio(self, bd: aiosqlite.Connection, anuncio_id: int, tipo: str,
                              valores: Sequence[str], pasos: Sequence[str],
                              ahora: datetime) -> int | None:
        """Un anuncio `programado` pasa a `enviando` y escribe una fila de `envios` por
        destinatario, de un jalón. Devuelve cuántas filas escribió (None: ya no estaba
        programado; otra tarea lo inició o lo canceló)."""
        momento = texto_fecha(ahora)
        cursor = await bd.execute(
            "UPDATE anuncios SET estado = 'enviando', iniciado_en = ?, actualizado_en = ?"
            " WHERE id = ? AND estado = 'programado'", (momento, momento, anuncio_id))
        if cursor.rowcount != 1:
            return None
        sql, parametros = _destinatarios(tipo, valores, pasos)
        cursor = await bd.execute(
            "INSERT OR IGNORE INTO envios (telegram_id, clave, texto, prioridad, estado,"
            " creado_en, anuncio_id, medio_tipo, medio_id)"
            " SELECT d.telegram_id, 'anuncio:' || a.id || ':' || d.telegram_id, a.texto, ?,"
            " 'pendiente', ?, a.id, a.medio_tipo, a.medio_id"
            f" FROM ({sql}) AS d, anuncios a WHERE a.id = ?",
            (PRIORIDAD_ANUNCIO, momento, *parametros, anuncio_id))
        escritas = max(cursor.rowcount, 0)
        await bd.execute("UPDATE anuncios SET destinatarios = ? WHERE id = ?",
                         (escritas, anuncio_id))
        return escritas

    async def cambiar_anuncio_programado(self, bd: aiosqlite.Connection, anuncio_id: int, *,
                                         texto: str, medio_tipo: str | None,
                                         medio_id: str | None, audiencia: str,
                                         programado_para: datetime | None,
                                         ahora: datetime) -> bool:
        cursor = await bd.execute(
            "UPDATE anuncios SET texto = ?, medio_tipo = ?, medio_id = ?, audiencia = ?,"
            " programado_para = ?, actualizado_en = ? WHERE id = ? AND estado = 'programado'",
            (texto, medio_tipo, medio_id, audiencia,
             texto_fecha(programado_para) if programado_para else None, texto_fecha(ahora),
             anuncio_id))
        return cursor.rowcount == 1

    async def cambiar_estado_anuncio(self, bd: aiosqlite.Connection, anuncio_id: int,
                                     de: Sequence[str], a: str, ahora: datetime) -> bool:
        """Pasa el anuncio de uno de los estados `de` a `a`. Dice si cambió."""
        momento = texto_fecha(ahora)
        terminado = momento if a in ("cancelado", "terminado") else None
        cursor = await bd.execute(
            "UPDATE anuncios SET estado = ?, actualizado_en = ?,"
            " terminado_en = COALESCE(?, terminado_en)"
            " WHERE id = ? AND estado IN (SELECT value FROM json_each(?))",
            (a, momento, terminado, anuncio_id, json.dumps(list(de))))
        return cursor.rowcount == 1

    async def mover_filas_de_anuncio(self, bd: aiosqlite.Connection, anuncio_id: int,
                                     de: Sequence[str], a: str) -> int:
        """Las filas del anuncio en uno de los estados `de` pasan a `a`. Una fila `enviando`
        nunca se toca: ya está en manos de la cola."""
        if "enviando" in de:
            raise ValueError("Una fila en vuelo no se mueve")
        cursor = await bd.execute(
            "UPDATE envios SET estado = ? WHERE anuncio_id = ?"
            " AND estado IN (SELECT value FROM json_each(?))",
            (a, anuncio_id, json.dumps(list(de))))
        return max(cursor.rowcount, 0)

    async def soltar_retenidos(self, bd: aiosqlite.Connection, anuncio_id: int) -> int:
        """Al reanudar: lo retenido vuelve a `pendiente`, salvo a quien entretanto nos bloqueó
        (`inalcanzable`), pidió no recibir anuncios o retiró su consentimiento (`cancelado`).
        Devuelve cuántas volvieron a la cola."""
        await bd.execute(
            "UPDATE envios SET estado = 'inalcanzable', error = 'Forbidden'"
            " WHERE anuncio_id = ? AND estado = 'retenido' AND telegram_id IN"
            " (SELECT telegram_id FROM personas WHERE inalcanzable_desde IS NOT NULL)",
            (anuncio_id,))
        await bd.execute(
            "UPDATE envios SET estado = 'cancelado' WHERE anuncio_id = ? AND estado = 'retenido'"
            " AND telegram_id NOT IN (SELECT p.telegram_id FROM personas p"
            f" WHERE {_QUIEN_RECIBE})", (anuncio_id,))
        cursor = await bd.execute(
            "UPDATE envios SET estado = 'pendiente' WHERE anuncio_id = ? AND estado = 'retenido'",
            (anuncio_id,))
        return max(cursor.rowcount, 0)

    # --- sin transacción de quien llama -------------------------------------------------------

    async def fijar_progreso_anuncio(self, anuncio_id: int, chat_id: int,
                                     message_id: int) -> None:
        await self._ejecutar(
            "UPDATE anuncios SET progreso_chat_id = ?, progreso_message_id = ? WHERE id = ?",
            (chat_id, message_id, anuncio_id))

    async def terminar_anuncio_si_acabo(self, anuncio_id: int, ahora: datetime) -> bool:
        """`enviando` sin filas por salir (pendiente, enviando, retenido) → `terminado`.
        True solo la vez que cambia."""
        async with self._candado:
            cursor = await self._bd.execute(
                "UPDATE anuncios SET estado = 'terminado', terminado_en = ?, actualizado_en = ?"
                " WHERE id = ? AND estado = 'enviando' AND NOT EXISTS (SELECT 1 FROM envios"
                " WHERE anuncio_id = ? AND estado IN ('pendiente', 'enviando', 'retenido'))",
                (texto_fecha(ahora), texto_fecha(ahora), anuncio_id, anuncio_id))
            return cursor.rowcount == 1

    async def silenciar_persona(self, telegram_id: int, ahora: datetime | None) -> bool:
        """`ahora`: desde cuándo no quiere anuncios (sus filas de anuncios aún por salir se
        cancelan en la misma transacción); None: vuelve a recibirlos. Solo para quien aceptó
        el aviso de privacidad; dice si la persona existe con consentimiento."""
        async with self.transaccion() as bd:
            if ahora is None:
                cursor = await bd.execute(
                    "UPDATE personas SET silenciado_desde = NULL"
                    " WHERE telegram_id = ? AND consentimiento = 'aceptado'", (telegram_id,))
                return cursor.rowcount == 1
            cursor = await bd.execute(
                "UPDATE personas SET silenciado_desde = COALESCE(silenciado_desde, ?)"
                " WHERE telegram_id = ? AND consentimiento = 'aceptado'",
                (texto_fecha(ahora), telegram_id))
            if cursor.rowcount != 1:
                return False
            await bd.execute(
                "UPDATE envios SET estado = 'cancelado' WHERE telegram_id = ?"
                " AND anuncio_id IS NOT NULL AND estado IN ('pendiente', 'retenido')",
                (telegram_id,))
            return True

    # --- consultas ------------------------------------------------------------------------------

    async def persona_silenciada(self, telegram_id: int) -> bool:
        fila = await self._uno("SELECT silenciado_desde FROM personas WHERE telegram_id = ?",
                               (telegram_id,))
        return fila is not None and fila[0] is not None

    async def anuncio(self, anuncio_id: int) -> FilaAnuncio | None:
        fila = await self._uno("SELECT * FROM anuncios WHERE id = ?", (anuncio_id,))
        return _fila(fila) if fila else None

    async def anuncios(self, limite: int, antes_de: int | None = None) -> list[FilaAnuncio]:
        """Lo más nuevo primero; `antes_de`: solo los de id menor (la página siguiente)."""
        filas = await self._todos(
            "SELECT * FROM anuncios WHERE (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
            (antes_de, antes_de, limite))
        return [_fila(f) for f in filas]

    async def anuncios_en_estado(self, estados: Sequence[str]) -> list[FilaAnuncio]:
        filas = await self._todos(
            "SELECT * FROM anuncios WHERE estado IN (SELECT value FROM json_each(?))"
            " ORDER BY id", (json.dumps(list(estados)),))
        return [_fila(f) for f in filas]

    async def anuncios_sin_informe(self) -> list[FilaAnuncio]:
        """Terminados o cancelados después de empezar a salir, cuyo informe final aún no se
        entrega a quien los escribió."""
        filas = await self._todos(
            "SELECT * FROM anuncios WHERE estado IN ('terminado', 'cancelado')"
            " AND informado_en IS NULL AND iniciado_en IS NOT NULL ORDER BY id")
        return [_fila(f) for f in filas]

    async def marcar_informado(self, anuncio_id: int, ahora: datetime) -> None:
        await self._ejecutar("UPDATE anuncios SET informado_en = ? WHERE id = ?",
                             (texto_fecha(ahora), anuncio_id))

    async def anuncios_que_tocan(self, ahora: datetime) -> list[FilaAnuncio]:
        """Los programados cuya fecha ya llegó (o sin fecha), los más viejos primero."""
        filas = await self._todos(
            "SELECT * FROM anuncios WHERE estado = 'programado'"
            " AND (programado_para IS NULL OR programado_para <= ?)"
            " ORDER BY programado_para, id", (texto_fecha(ahora),))
        return [_fila(f) for f in filas]

    async def cuentas_de_anuncios(self, anuncio_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Por anuncio, cuántas filas hay en cada estado (todos los estados, aunque sea 0)."""
        cuentas = {i: dict.fromkeys(ESTADOS_FILA_ANUNCIO, 0) for i in anuncio_ids}
        filas = await self._todos(
            "SELECT anuncio_id, estado, COUNT(*) AS n FROM envios"
            " WHERE anuncio_id IN (SELECT value FROM json_each(?)) GROUP BY anuncio_id, estado",
            (json.dumps(list(anuncio_ids)),))
        for f in filas:
            cuentas[f["anuncio_id"]][f["estado"]] = f["n"]
        return cuentas
