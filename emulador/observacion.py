"""Lo que las pruebas observan del emulador: chats, peticiones entregadas y suscripciones."""

from __future__ import annotations

import copy
from collections.abc import Callable

from emulador.estado import EstadoEmulador
from emulador.limites import cuenta_para_tasas
from emulador.modelo import MensajeChat, Peticion
from emulador.validacion import clave_alcance, normalizar_alcance


class Observacion(EstadoEmulador):
    """Consultas de solo lectura sobre el estado (devuelven copias)."""

    def mensajes(self, chat_id: int) -> list[MensajeChat]:
        return list(self._mensajes.get(chat_id, []))

    def mensajes_del_bot(self, chat_id: int) -> list[MensajeChat]:
        return [mensaje for mensaje in self.mensajes(chat_id) if mensaje.de_bot]

    def ultimo_del_bot(self, chat_id: int) -> MensajeChat | None:
        vigentes = [m for m in self.mensajes_del_bot(chat_id) if not m.borrado]
        return vigentes[-1] if vigentes else None

    def entregados(
        self, metodo: str | None = None, chat_id: int | None = None
    ) -> list[Peticion]:
        """Peticiones con éxito; por omisión, los send*/edit* (sin sendChatAction)."""
        return [
            peticion
            for peticion in self.peticiones
            if peticion.ok
            and (peticion.metodo == metodo if metodo else cuenta_para_tasas(peticion.metodo))
            and (chat_id is None or peticion.parametros.get("chat_id") == chat_id)
        ]

    def comandos(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        clave = (clave_alcance(normalizar_alcance(scope)), language_code or "")
        return copy.deepcopy(self._comandos.get(clave, []))

    def al_mensaje_del_bot(self, funcion: Callable[[MensajeChat], None]) -> None:
        """Suscribe `funcion` a cada mensaje del bot nuevo o editado."""
        self._suscriptores.append(funcion)

    def cancelar_suscripcion(self, funcion: Callable[[MensajeChat], None]) -> None:
        if funcion in self._suscriptores:
            self._suscriptores.remove(funcion)

    def actualizaciones_pendientes(self) -> list[dict]:
        """Actualizaciones aún no confirmadas por el cliente."""
        return copy.deepcopy(self._pendientes)
