"""Roles del personal guardados desde Telegram (/roles): personal o administración.

Los ids de la configuración no viven aquí. Quien decide si alguien es personal es
`Configuracion.es_personal` (la única comprobación), que consulta los de la configuración y la
copia en memoria de estos (`RolesGuardados`); cada cambio aquí devuelve la lista nueva para
refrescar esa copia.
"""

from __future__ import annotations

from datetime import datetime

from nucleo.almacen.base import AlmacenBase, texto_fecha

ROLES = ("personal", "administracion")


class AlmacenRoles(AlmacenBase):
    async def roles_guardados(self) -> dict[int, str]:
        """telegram_id → rol ('personal' o 'administracion')."""
        filas = await self._todos("SELECT telegram_id, rol FROM roles ORDER BY telegram_id")
        return {f["telegram_id"]: f["rol"] for f in filas}

    async def dar_rol(self, telegram_id: int, rol: str, dado_por: int,
                      ahora: datetime) -> dict[int, str]:
        if rol not in ROLES:
            raise ValueError(rol)
        await self._ejecutar(
            "INSERT INTO roles (telegram_id, rol, dado_por, dado_en) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (telegram_id) DO UPDATE SET rol = excluded.rol,"
            " dado_por = excluded.dado_por, dado_en = excluded.dado_en",
            (telegram_id, rol, dado_por, texto_fecha(ahora)))
        return await self.roles_guardados()

    async def quitar_rol(self, telegram_id: int) -> dict[int, str]:
        await self._ejecutar("DELETE FROM roles WHERE telegram_id = ?", (telegram_id,))
        return await self.roles_guardados()
