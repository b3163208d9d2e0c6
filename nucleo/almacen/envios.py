"""La cola de envíos en bloque (tabla `envios`): encolar, tomar los siguientes y anotar cómo
acabaron.

Estados de una fila:
    pendiente → enviando → enviado
                         ↘ pendiente (reintento)   ↘ fallido   ↘ inalcanzable   ↘ incierto
    pendiente → vencido (llegó su `vence_en` sin haber salido: ya no sirve, no se manda)
    pendiente ⇄ retenido (anuncio en pausa), pendiente → cancelado: los mueve el anuncio
    (nucleo/almacen/anuncios.py); aquí solo se toma lo `pendiente`.
`enviando` se escribe ANTES de llamar a Telegram, para un lote de filas en UNA sentencia. Si el
proceso muere con filas así, no se sabe si salieron: al arrancar, `marcar_envios_inciertos`
aplica la política de cada tipo (ver nucleo/envios.py). Los resultados buenos se escriben en
lotes (`envios_enviados`): mientras no se escriben, la fila sigue `enviando`.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Container, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from nucleo.almacen.base import AlmacenBase, fecha, texto_fecha

ESTADOS_ENVIO = ("pendiente", "enviando", "enviado", "fallido", "inalcanzable", "incierto",
                 "vencido")
MEDIOS = ("foto", "documento")
REVISAR_COMO_MAXIMO = 2000  # filas que se miran para juntar un lote (saltando chats ocupados)
PRIORIDAD_AVISO_PERSONAL = 0  # «tienes tu lugar», cambio de fecha, cancelación (nucleo/avisos.py)
# Los tipos de envío para la política de lo incierto (`marcar_envios_inciertos`).
TIPO_DE_ENVIO = (f"CASE WHEN anuncio_id IS NOT NULL THEN 'anuncios'"
                 f" WHEN prioridad = {PRIORIDAD_AVISO_PERSONAL} THEN 'avisos'"
                 f" ELSE 'recordatorios' END")


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
    medio_tipo: str | None = None  # "foto" o "documento": el texto va como pie (caption)
    medio_id: str | None = None  # el file_id de Telegram

    def __post_init__(self) -> None:
        if not 0 <= self.prioridad <= 9:
            raise ValueError("La prioridad va de 0 (lo más urgente) a 9")
        if not self.texto.strip() or not self.clave:
            raise ValueError("Un envío necesita texto y clave")
        if (self.medio_tipo is None) != (self.medio_id is None) or (
                self.medio_tipo is not None and self.medio_tipo not in MEDIOS):
            raise ValueError("Un medio necesita su tipo (foto o documento) y su file_id")
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
    medio_tipo: str | None = None
    medio_id: str | None = None


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
            " creado_en, vence_en, medio_tipo, medio_id) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?"
            " WHERE EXISTS (SELECT 1 FROM personas WHERE telegram_id = ?"
            " AND consentimiento = 'aceptado' AND inalcanzable_desde IS NULL)",
            [(e.telegram_id, e.clave, e.texto, _botones_json(e.botones), e.prioridad, creado,
              texto_fecha(e.vence_en) if e.vence_en else None, e.medio_tipo, e.medio_id,
              e.telegram_id)
             for e in envios],
        )
        return max(cursor.rowcount, 0)

    # --- el trabajador de la cola -------------------------------------------------

    async def marcar_envios_inciertos(self) -> dict[str, tuple[int, int]]:
        """Al arrancar: lo que quedó `enviando` pudo salir o no. Por tipo (`TIPO_DE_ENVIO`),
        cuántas filas había y cuántas vuelven a `pendiente` para reenviarse: los avisos
        personales (prioridad 0) se reenvían si aún no vencen; lo demás queda `incierto` y
        no se repite nunca. En una transacción."""
        async with self.transaccion() as bd:
            async with bd.execute(
                    f"SELECT {TIPO_DE_ENVIO} AS tipo, COUNT(*) AS n FROM envios"
                    " WHERE estado = 'enviando' GROUP BY tipo") as cursor:
                por_tipo = {f["tipo"]: f["n"] for f in await cursor.fetchall()}
            if not por_tipo:
                return {}
            cursor = await bd.execute(
                "UPDATE envios SET estado = 'pendiente', error = 'caida'"
                " WHERE estado = 'enviando' AND anuncio_id IS NULL AND prioridad = ?",
                (PRIORIDAD_AVISO_PERSONAL,))
            reenviados = max(cursor.rowcount, 0)
            await bd.execute("UPDATE envios SET estado = 'incierto', error = 'caida'"
                             " WHERE estado = 'enviando'")
        return {tipo: (n, reenviados if tipo == "avisos" else 0)
                for tipo, n in por_tipo.items()}

    async def vencer_envios(self, ahora: datetime) -> int:
        """Lo pendiente cuyo `vence_en` ya pasó queda `vencido` (no se manda). Devuelve cuántos.
        Usa el índice parcial de lo que vence: barato aunque la cola sea larga."""
        async with self._candado:
            cursor = await self._bd.execute(
                "UPDATE envios SET estado = 'vencido' WHERE estado = 'pendiente'"
                " AND vence_en IS NOT NULL AND vence_en <= ?", (texto_fecha(ahora),))
            return max(cursor.rowcount, 0)

    async def tomar_envios(self, cuantos: int, chats_ocupados: Container[int],
                           ids_en_espera: Container[int]) -> list[EnvioPendiente]:
        """Hasta `cuantos` envíos por (prioridad, id), saltando chats ocupados, filas que
        esperan su reintento y un segundo envío a un mismo chat (uno por segundo a cada chat:
        lo salta el lote y lo toma uno que venga después). Los deja `enviando` con UNA
        sentencia antes de devolverlos. Mira a lo más `REVISAR_COMO_MAXIMO` filas."""
        elegidos: list[aiosqlite.Row] = []
        chats: set[int] = set()
        pagina = max(2 * cuantos, 16)
        desde, revisadas = (-1, 0), 0
        async with self._candado:
            while len(elegidos) < cuantos and revisadas < REVISAR_COMO_MAXIMO:
                async with self._bd.execute(
                        "SELECT id, telegram_id, prioridad, texto, botones, intentos, medio_tipo,"
                        " medio_id FROM envios WHERE estado = 'pendiente'"
                        " AND (prioridad, id) > (?, ?) ORDER BY prioridad, id LIMIT ?",
                        (*desde, pagina)) as cursor:
                    filas = await cursor.fetchall()
                for fila in filas:
                    chat = fila["telegram_id"]
                    if chat in chats or chat in chats_ocupados or fila["id"] in ids_en_espera:
                        continue
                    chats.add(chat)
                    elegidos.append(fila)
                    if len(elegidos) == cuantos:
                        break
                if len(filas) < pagina:
                    break
                desde, revisadas = (filas[-1]["prioridad"], filas[-1]["id"]), revisadas + pagina
            if not elegidos:
                return []
            async with self._bd.execute(
                    "UPDATE envios SET estado = 'enviando', intentos = intentos + 1"
                    " WHERE id IN (SELECT value FROM json_each(?)) AND estado = 'pendiente'"
                    " RETURNING id", (json.dumps([f["id"] for f in elegidos]),)) as cursor:
                tomados = {f[0] for f in await cursor.fetchall()}
        return [EnvioPendiente(f["id"], f["telegram_id"], f["texto"],
                               _botones_de_json(f["botones"]), f["intentos"] + 1,
                               f["medio_tipo"], f["medio_id"])
                for f in elegidos if f["id"] in tomados]

    async def tomar_envio(self, chats_ocupados: Collection[int], ids_en_espera: Collection[int]
                          ) -> EnvioPendiente | None:
        """El siguiente envío (ver `tomar_envios`), ya en `enviando`."""
        tomados = await self.tomar_envios(1, set(chats_ocupados), set(ids_en_espera))
        return tomados[0] if tomados else None

    async def envios_enviados(self, hechos: Sequence[tuple[int, int, datetime]]) -> None:
        """Anota de un jalón (una transacción) envíos que Telegram aceptó:
        (id del envío, message_id, cuándo)."""
        if not hechos:
            return
        async with self.transaccion() as bd:
            await bd.executemany(
                "UPDATE envios SET estado = 'enviado', message_id = ?, enviado_en = ?,"
                " error = NULL WHERE id = ?",
                [(message_id, texto_fecha(cuando), envio_id)
                 for envio_id, message_id, cuando in hechos])

    async def envios_no_intentados(self, envio_ids: Sequence[int]) -> None:
        """Se tomaron pero no llegaron a mandarse (la cola se pausó o se detiene): vuelven a
        `pendiente` como estaban, sin contar el intento ni tocar su último error."""
        if envio_ids:
            await self._ejecutar(
                "UPDATE envios SET estado = 'pendiente', intentos = intentos - 1"
                " WHERE id IN (SELECT value FROM json_each(?)) AND estado = 'enviando'",
                (json.dumps(list(envio_ids)),))

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
