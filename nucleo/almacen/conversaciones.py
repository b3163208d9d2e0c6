"""Estado de los ConversationHandler de PTB (lo usa nucleo.persistencia)."""

from __future__ import annotations

import json

from nucleo.almacen.base import AlmacenBase


class AlmacenConversaciones(AlmacenBase):
    # --- estado de conversaciones (persistencia de PTB) ---------------------------

    async def conversaciones(self, nombre: str) -> dict[tuple[int | str, ...], object]:
        filas = await self._todos(
            "SELECT clave, estado FROM conversaciones WHERE nombre = ?", (nombre,)
        )
        return {tuple(json.loads(f["clave"])): json.loads(f["estado"]) for f in filas}

    async def guardar_conversacion(self, nombre: str, clave: tuple[int | str, ...],
                                   estado: object | None) -> None:
        clave_json = json.dumps(list(clave))
        if estado is None:
            await self._ejecutar(
                "DELETE FROM conversaciones WHERE nombre = ? AND clave = ?", (nombre, clave_json)
            )
            return
        usuario = clave[-1] if clave and isinstance(clave[-1], int) else None
        await self._ejecutar(
            "INSERT INTO conversaciones (nombre, clave, usuario_id, estado) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (nombre, clave) DO UPDATE SET estado = excluded.estado",
            (nombre, clave_json, usuario, json.dumps(estado)),
        )
