"""Método answerCallbackQuery: la respuesta del bot a una pulsación de botón.

Solo se puede responder una vez a cada pulsación abierta (las abre ``LadoPersona.pulsar``);
las respuestas quedan en ``respuestas_callback`` para que las pruebas las revisen.
"""

from __future__ import annotations

from emulador.errores import incorrecta
from emulador.estado import EstadoEmulador
from emulador.parametros import Parametros

LONGITUD_MAX_RESPUESTA_CALLBACK = 200


class MetodosCallbacks(EstadoEmulador):
    """Respuestas a callback_query."""

    def _answer_callback_query(self, parametros: Parametros) -> bool:
        identificador = parametros.texto("callback_query_id", obligatorio=True)
        if identificador not in self._callbacks_abiertos:
            raise incorrecta(
                "query is too old and response timeout expired or query ID is invalid"
            )
        texto = parametros.texto("text")
        if texto is not None and len(texto) > LONGITUD_MAX_RESPUESTA_CALLBACK:
            raise incorrecta("MESSAGE_TOO_LONG")
        self._callbacks_abiertos.discard(identificador)
        self.respuestas_callback.append(
            {
                "id": identificador,
                "text": texto,
                "show_alert": parametros.booleano("show_alert"),
                "url": parametros.texto("url"),
            }
        )
        return True
