"""Persistencia de PTB sobre la misma base SQLite (no archivos pickle).

Solo se guardan los estados de los ConversationHandler: lo que una persona contestó ya se
guarda en sus tablas al momento. user_data, chat_data y bot_data viven solo en memoria.

Los chats se atienden a la vez (`nucleo.entrada.ProcesadorPorChat`) y cada uno guarda su paso
al terminar, así que `Application.update_persistence` se llama desde varias tareas a la vez.
Es seguro: PTB las pone en fila con su propio candado, cada llamada escribe solo los pasos que
cambiaron (a lo más uno por conversación y chat, con el valor ya copiado), y cada escritura es
una sola sentencia que espera a que termine cualquier transacción abierta en la conexión
(`Almacen._ejecutar`). Dentro de un chat las actualizaciones van en orden, así que el último
paso guardado de una conversación es siempre el de su última actualización atendida.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from nucleo.almacen import Almacen


class PersistenciaSQLite(BasePersistence[dict, dict, dict]):
    def __init__(self, almacen: Almacen) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=5,
        )
        self._almacen = almacen

    async def get_conversations(self, name: str) -> ConversationDict:
        return await self._almacen.conversaciones(name)

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self._almacen.guardar_conversacion(name, key, new_state)

    # Lo demás no se guarda (store_data lo desactiva); PTB aún exige los métodos.
    async def get_user_data(self) -> dict[int, dict]:
        return {}

    async def get_chat_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> Any:
        return None

    async def update_user_data(self, user_id: int, data: dict) -> None:
        pass

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        pass

    async def update_bot_data(self, data: dict) -> None:
        pass

    async def update_callback_data(self, data: Any) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        pass

    async def drop_user_data(self, user_id: int) -> None:
        pass

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        pass

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        pass

    async def refresh_bot_data(self, bot_data: dict) -> None:
        pass

    async def flush(self) -> None:
        pass
