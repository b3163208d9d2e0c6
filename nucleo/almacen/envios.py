"""La cola de envíos en bloque (tabla `envios`): encolar, tomar el siguiente y anotar cómo acabó.

Estados de una fila:
    pendiente → enviando → enviado
                         ↘ pendiente (reintento)   ↘ fallido   ↘ inalcanzable   ↘ incierto
    pendiente → vencido (llegó su `vence_en` sin haber salido: ya no sirve, no se manda)
`enviando` se escribe ANTES de llamar a Telegram. Si el proceso muere con una fila así, no se
sabe si el mensaje salió: al arrancar pasa a `incierto` y nunca se repite.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha

ESTADOS_ENVIO = ("pendiente", "enviando", "enviado", "fallido", "inalcanzable", "incierto",
                 "vencido")


@dataclass(frozen=True)
class EnvioNuevo:
    """Un mensaje para encolar. `texto` va en HTML y ya traducido al idioma de quien lo recibe.

    `clave` es única: encolar dos veces la misma clave manda un solo mensaje.
    `prioridad`: 0 lo más urgente (avisos personales), 5 recordatorios, 9 anuncios.
    `vence_en`: desde cuándo ya no sirve (con zona horaria). Mientras no venza, un error
    pasajero de la red o de Telegram se reintenta; al vencer, la fila queda `vencido` y no se
    manda. None: no vence nunca.
    """

    telegram_id: int
    texto: str
    clave: str
    botones: list[list[tuple[str, str]]] | None = None  # filas de (texto, callback_data)
    prioridad: int = 5
    vence_en: datetime | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.prioridad <= 9:
            raise ValueError("La prioridad va de 0 (lo más urgente) a 9")
        if not self.texto.strip() or not self.clave:
            raise ValueError("Un envío necesita texto y clave")
        if self.vence_en is not None and self.vence_en.utcoffset() is None:
            raise ValueError("vence_en necesita zona horaria")


@dataclass(frozen=True)
class EnvioPendiente:
    """Una fila tomada de la cola para mandarla ya (su estado ya es `enviando`)."""

    id: int
    telegram_id: int
    texto: str
    botones: list[list[tuple[str, str]]] | None
    intentos: int  # contando el que está por hacerse


@dataclass(frozen=True)
class EnvioGuardado:
    id: int
    telegram_id: int
    clave: str
    prioridad: int
    estado: str
    intentos: int
    message_id: int | None
    enviado_en: str | None
    error: str | None
    vence_en: str | None


def _botones_json(botones: list[list[tuple[str, str]]] | None) -> str | None:
    if not botones:
        return None
    return json.dumps([[[texto, datos] for texto, datos in fila] for fila in botones])


def _botones_de_json(texto: str | None) -> list[list[tuple[str, str]]] | None:
    if not texto:
        return None
    return [[(boton[0], boton[1]) for boton in fila] for fila in json.loads(texto)]


class AlmacenEnvios(AlmacenBase):
    # --- encolar ----------------------------------------------------------------

    async def insertar_envios(self, bd: aiosqlite.Connection, envios: Sequence[EnvioNuevo],
                              ahora: datetime) -> int:
        """Encola dentro de la transacción abierta `bd`. Devuelve cuántos entraron.

        Se ignoran las claves ya encoladas y a quien no aceptó el aviso, no tiene fila en
        personas o está marcada como inalcanzable (nos bloqueó).
        """
        if not envios:
            return 0
        creado = texto_fecha(ahora)
        cursor = await bd.executemany(
            "INSERT OR IGNORE INTO envios (telegram_id, clave, texto, botones, prioridad,"
            " creado_en, vence_en) SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM"
            " personas WHERE telegram_id = ? AND consentimiento = 'aceptado'"
            " AND inalcanzable_desde IS NULL)",
            [(e.telegram_id, e.clave, e.texto, _botones_json(e.botones), e.prioridad, creado,
              texto_fecha(e.vence_en) if e.vence_en else None, e.telegram_id)
             for e in envios],
        )
        return max(cursor.rowcount, 0)

    # --- el trabajador de la cola -------------------------------------------------

    async def marcar_envios_inciertos(self) -> int:
        """Al arrancar: lo que quedó `enviando` pudo salir o no. No se repite nunca."""
        async with self._candado:
            cursor = await self._bd.execute(
                "UPDATE envios SET estado = 'incierto', error = 'caida'"
                " WHERE estado = 'enviando'")
            return cursor.rowcount

    async def vencer_envios(self, ahora: datetime) -> int:
        """Lo pendiente cuyo `vence_en` ya pasó queda `vencido` (no se manda). Devuelve cuántos.
        Usa el índice parcial de lo que vence: barato aunque la cola sea larga."""
        async with self._candado:
            cursor = await self._bd.execute(
                "UPDATE envios SET estado = 'vencido' WHERE estado = 'pendiente'"
                " AND vence_en IS NOT NULL AND vence_en <= ?", (texto_fecha(ahora),))
            return max(cursor.rowcount, 0)

    async def tomar_envio(self, chats_ocupados: Collection[int], ids_en_espera: Collection[int]
                          ) -> EnvioPendiente | None:
        """El siguiente envío por (prioridad, id), saltando chats ocupados y filas que esperan
        su reintento; lo deja en `enviando` antes de devolverlo."""
        async with self._candado:
            async with self._bd.execute(
                "SELECT id, telegram_id, texto, botones, intentos FROM envios"
                " WHERE estado = 'pendiente'"
                " AND telegram_id NOT IN (SELECT value FROM json_each(?))"
                " AND id NOT IN (SELECT value FROM json_each(?))"
                " ORDER BY prioridad, id LIMIT 1",
                (json.dumps(list(chats_ocupados)), json.dumps(list(ids_en_espera))),
            ) as cursor:
                fila = await cursor.fetchone()
            if fila is None:
                return None
            cursor = await self._bd.execute(
                "UPDATE envios SET estado = 'enviando', intentos = intentos + 1"
                " WHERE id = ? AND estado = 'pendiente'", (fila["id"],))
            if cursor.rowcount != 1:
                return None
        return EnvioPendiente(fila["id"], fila["telegram_id"], fila["texto"],
                              _botones_de_json(fila["botones"]), fila["intentos"] + 1)

    async def envio_enviado(self, envio_id: int, message_id: int, ahora: datetime) -> None:
        await self._ejecutar(
            "UPDATE envios SET estado = 'enviado', message_id = ?, enviado_en = ?, error = NULL"
            " WHERE id = ?", (message_id, texto_fecha(ahora), envio_id))

    async def envio_devuelto(self, envio_id: int, error: str, *, cuenta: bool) -> None:
        """Vuelve a `pendiente` para otro intento. Si `cuenta` es falso (Telegram pidió esperar
        o el token falló), el intento no se cuenta: el mensaje no llegó a procesarse."""
        await self._ejecutar(
            "UPDATE envios SET estado = 'pendiente', error = ?,"
            " intentos = intentos - ? WHERE id = ? AND estado = 'enviando'",
            (error, 0 if cuenta else 1, envio_id))

    async def envio_no_intentado(self, envio_id: int) -> None:
        """Se tomó pero no llegó a mandarse (la cola se pausó justo entonces): vuelve a
        `pendiente` como estaba, sin contar el intento ni tocar su último error."""
        await self._ejecutar(
            "UPDATE envios SET estado = 'pendiente', intentos = intentos - 1"
            " WHERE id = ? AND estado = 'enviando'", (envio_id,))

    async def envio_terminado_sin_enviar(self, envio_id: int, estado: str, error: str) -> None:
        """`fallido` (no se reintenta) o `incierto` (pudo llegar: no se repite)."""
        if estado not in ("fallido", "incierto"):
            raise ValueError(f"Estado final inválido: {estado}")
        await self._ejecutar("UPDATE envios SET estado = ?, error = ? WHERE id = ?",
                             (estado, error, envio_id))

    async def envio_inalcanzable(self, envio_id: int, telegram_id: int, ahora: datetime) -> None:
        """La persona nos bloqueó o borró su cuenta: no se le escribe más hasta que vuelva."""
        async with self.transaccion() as bd:
            await bd.execute(
                "UPDATE envios SET estado = 'inalcanzable', error = 'Forbidden' WHERE id = ?"
                " OR (telegram_id = ? AND estado = 'pendiente')", (envio_id, telegram_id))
            await bd.execute(
                "UPDATE personas SET inalcanzable_desde = COALESCE(inalcanzable_desde, ?)"
                " WHERE telegram_id = ?", (texto_fecha(ahora), telegram_id))

    async def marcar_alcanzable(self, telegram_id: int) -> bool:
        """La persona volvió a escribir: se le puede escribir otra vez. Dice si estaba marcada."""
        async with self._candado:
            cursor = await self._bd.execute(
                "UPDATE personas SET inalcanzable_desde = NULL"
                " WHERE telegram_id = ? AND inalcanzable_desde IS NOT NULL", (telegram_id,))
            return cursor.rowcount > 0

    # --- consultas ----------------------------------------------------------------

    async def ultimo_enviado_en(self) -> datetime | None:
        fila = await self._uno("SELECT MAX(enviado_en) FROM envios")
        return fecha(fila[0]) if fila and fila[0] else None

    async def envios_pendientes(self) -> int:
        fila = await self._uno("SELECT COUNT(*) FROM envios WHERE estado = 'pendiente'")
        return int(fila[0])

    async def cuenta_envios(self) -> dict[str, int]:
        """Cuántos envíos hay en cada estado (todos los estados, aunque sea 0)."""
        filas = await self._todos("SELECT estado, COUNT(*) AS n FROM envios GROUP BY estado")
        return {**dict.fromkeys(ESTADOS_ENVIO, 0), **{f["estado"]: f["n"] for f in filas}}

    async def envio(self, clave: str) -> EnvioGuardado | None:
        fila = await self._uno(
            "SELECT id, telegram_id, clave, prioridad, estado, intentos, message_id,"
            " enviado_en, error, vence_en FROM envios WHERE clave = ?", (clave,))
        return EnvioGuardado(*fila) if fila else None

    async def envios_de(self, telegram_id: int) -> list[EnvioGuardado]:
        filas = await self._todos(
            "SELECT id, telegram_id, clave, prioridad, estado, intentos, message_id,"
            " enviado_en, error, vence_en FROM envios WHERE telegram_id = ? ORDER BY id",
            (telegram_id,))
        return [EnvioGuardado(*fila) for fila in filas]

    async def persona_inalcanzable_desde(self, telegram_id: int) -> str | None:
        fila = await self._uno("SELECT inalcanzable_desde FROM personas WHERE telegram_id = ?",
                               (telegram_id,))
        return fila[0] if fila else None

    async def todos_los_envios(self) -> list[EnvioGuardado]:
        """Toda la cola, para pruebas y mediciones."""
        filas = await self._todos(
            "SELECT id, telegram_id, clave, prioridad, estado, intentos, message_id,"
            " enviado_en, error, vence_en FROM envios ORDER BY id")
        return [EnvioGuardado(*fila) for fila in filas]
