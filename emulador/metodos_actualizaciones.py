"""Entrega de actualizaciones al bot: getUpdates (sondeo largo) o webhook (setWebhook,
deleteWebhook, getWebhookInfo).

Un offset confirma (y descarta) las actualizaciones anteriores; un segundo getUpdates
mientras otro sigue abierto hace que el primero termine con el 409 de Telegram. Con un webhook
puesto, getUpdates contesta 409 y el emulador manda cada actualización por POST a la URL (con
el encabezado X-Telegram-Bot-Api-Secret-Token si se dio un secreto), una a la vez y en orden;
solo una respuesta 2xx la confirma, si no, la reintenta con esperas que crecen (como
Telegram). A diferencia de Telegram, acepta URLs http:// hacia 127.0.0.1 o localhost (las
pruebas no tienen certificado).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from emulador.errores import CONFLICTO, ErrorAPI, incorrecta
from emulador.estado import EstadoEmulador
from emulador.parametros import Parametros

CON_WEBHOOK = ("Conflict: can't use getUpdates method while webhook is active; "
               "use deleteWebhook to delete the webhook first")


class MetodosActualizaciones(EstadoEmulador):
    """Cola de actualizaciones pendientes, sondeo largo y webhook."""

    _webhook: dict | None = None  # {"url", "secreto"} mientras hay un webhook puesto
    _entregador: asyncio.Task[None] | None = None
    _ultimo_error_webhook: tuple[int, str] | None = None
    entregas_webhook = 0  # cuántos POST intentó el emulador (para las pruebas)

    async def _get_updates(self, parametros: Parametros) -> list[dict]:
        if self._webhook is not None:
            raise ErrorAPI(409, CON_WEBHOOK)
        offset = parametros.entero("offset")
        limite = min(max(parametros.entero("limit") or 100, 1), 100)
        espera = max(parametros.decimal("timeout") or 0.0, 0.0)
        self._fijar_tipos_permitidos(parametros.json("allowed_updates"))
        if offset is not None and offset > 0:
            self._confirmar(offset)
        self._generacion_sondeo += 1
        mia = self._generacion_sondeo
        self._avisar()  # un sondeo anterior aún abierto termina con 409
        await self._esperar_hasta(
            lambda: self._hay_entregables() or self._generacion_sondeo != mia or self._detenido,
            espera,
        )
        if self._generacion_sondeo != mia:
            raise ErrorAPI(409, CONFLICTO)
        return copy.deepcopy(self._pendientes[:limite])

    def _fijar_tipos_permitidos(self, tipos: Any) -> None:
        if isinstance(tipos, list):
            self._tipos_permitidos = set(tipos) or None

    def _hay_entregables(self) -> bool:
        if self._tipos_permitidos is not None:
            permitidos = self._tipos_permitidos
            self._pendientes = [
                u for u in self._pendientes if permitidos.intersection(u.keys() - {"update_id"})
            ]
        return bool(self._pendientes)

    def _confirmar(self, offset: int) -> None:
        self._pendientes = [u for u in self._pendientes if u["update_id"] >= offset]
        if offset > self._offset_confirmado:
            self._offset_confirmado = offset
            self._avisar()

    # ---------------------------------------------------------------- webhook

    def _set_webhook(self, parametros: Parametros) -> bool:
        url = parametros.texto("url") or ""
        if not url:
            return self._delete_webhook(parametros)
        partes = urlsplit(url)
        local = partes.scheme == "http" and partes.hostname in ("127.0.0.1", "localhost")
        if partes.scheme != "https" and not local:
            raise incorrecta("bad webhook: HTTPS url must be provided for webhook")
        secreto = parametros.texto("secret_token")
        if secreto is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secreto):
            raise incorrecta("secret token contains unallowed characters")
        if parametros.booleano("drop_pending_updates"):
            self._confirmar(self._ultimo_update_id + 1)
        self._fijar_tipos_permitidos(parametros.json("allowed_updates"))
        self._webhook = {"url": url, "secreto": secreto}
        self._generacion_sondeo += 1  # un getUpdates abierto termina con 409
        self._avisar()
        if self._entregador is None or self._entregador.done():
            self._entregador = asyncio.create_task(self._entregar_por_webhook(),
                                                   name="emulador:webhook")
        return True

    def _delete_webhook(self, parametros: Parametros) -> bool:
        if parametros.booleano("drop_pending_updates"):
            self._confirmar(self._ultimo_update_id + 1)
        self._webhook = None
        self._avisar()  # el entregador lo ve y termina
        return True

    def _get_webhook_info(self, _parametros: Parametros) -> dict:
        info: dict[str, Any] = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pendientes),
        }
        if self._webhook is not None:
            info["max_connections"] = 40
            if self._tipos_permitidos is not None:
                info["allowed_updates"] = sorted(self._tipos_permitidos)
        if self._ultimo_error_webhook is not None:
            info["last_error_date"], info["last_error_message"] = self._ultimo_error_webhook
        return info

    async def _entregar_por_webhook(self) -> None:
        """Manda lo pendiente a la URL del webhook mientras esté puesto."""
        fallos = 0
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as sesion:
            while True:
                await self._esperar_hasta(
                    lambda: self._webhook is None or self._detenido or self._hay_entregables(),
                    3600)
                webhook = self._webhook
                if webhook is None or self._detenido:
                    return
                if self._caida is not None:  # Telegram caído tampoco entrega
                    await asyncio.sleep(0.05)
                    continue
                update = self._pendientes[0]
                encabezados = {"Content-Type": "application/json"}
                if webhook["secreto"]:
                    encabezados["X-Telegram-Bot-Api-Secret-Token"] = webhook["secreto"]
                self.entregas_webhook += 1
                try:
                    async with sesion.post(webhook["url"], data=json.dumps(update),
                                           headers=encabezados) as respuesta:
                        estado = respuesta.status
                    error = None if 200 <= estado < 300 else f"Wrong response from the " \
                        f"webhook: {estado} {respuesta.reason}"
                except (aiohttp.ClientError, TimeoutError, OSError) as fallo:
                    error = f"Connection failed: {type(fallo).__name__}"
                if error is None:
                    fallos = 0
                    self._confirmar(update["update_id"] + 1)
                    continue
                fallos += 1
                self._ultimo_error_webhook = (int(self.reloj()), error)
                # Telegram espera cada vez más; aquí, en segundos reales y cortos.
                await asyncio.sleep(min(1.0, 0.02 * 2 ** min(fallos, 6)))

    async def _detener_webhook(self) -> None:
        tarea, self._entregador = self._entregador, None
        if tarea is not None:
            tarea.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await tarea
