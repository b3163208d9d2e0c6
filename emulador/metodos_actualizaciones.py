"""Entrega de actualizaciones al bot: getUpdates (sondeo largo), deleteWebhook, getWebhookInfo.

Un offset confirma (y descarta) las actualizaciones anteriores; un segundo getUpdates
mientras otro sigue abierto hace que el primero termine con el 409 de Telegram.
"""

from __future__ import annotations

import copy
from typing import Any

from emulador.errores import CONFLICTO, ErrorAPI
from emulador.estado import EstadoEmulador
from emulador.parametros import Parametros


class MetodosActualizaciones(EstadoEmulador):
    """Cola de actualizaciones pendientes y sondeo largo."""

    async def _get_updates(self, parametros: Parametros) -> list[dict]:
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

    def _delete_webhook(self, parametros: Parametros) -> bool:
        if parametros.booleano("drop_pending_updates"):
            self._confirmar(self._ultimo_update_id + 1)
        return True

    def _get_webhook_info(self, _parametros: Parametros) -> dict:
        return {
            "url": "", "has_custom_certificate": False,
            "pending_update_count": len(self._pendientes),
        }
