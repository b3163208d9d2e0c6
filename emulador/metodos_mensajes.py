"""Métodos de la Bot API que envían, editan o borran mensajes de texto, ubicaciones y lugares.

sendMessage, editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage,
setMessageReaction, sendChatAction, sendLocation y sendVenue, con las validaciones y errores
de Telegram (por ejemplo, el 400 «message is not modified» si una edición no cambia nada).
"""

from __future__ import annotations

import copy
from typing import Any

from emulador.errores import NO_MODIFICADO, incorrecta
from emulador.estado import EstadoEmulador
from emulador.modelo import MensajeChat, ahora_unix
from emulador.parametros import Parametros
from emulador.validacion import campos_teclado, validar_marcado, validar_marcado_en_linea

# Algunas de las reacciones que Telegram admite de un bot (sin Premium).
REACCIONES = frozenset({"👍", "👎", "❤", "🔥", "👏", "🙏", "👌", "✍", "🤝", "👀", "🎉", "💯"})
ACCIONES_DE_CHAT = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)


class MetodosMensajes(EstadoEmulador):
    """Envío, edición y borrado de mensajes del bot."""

    def _send_message(self, parametros: Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        texto = parametros.texto("text")
        plano, entidades = self._texto_valido(texto, parametros)
        marcado = validar_marcado(parametros.json("reply_markup"))
        contenido: dict[str, Any] = {
            "text": plano, **self._campos_de_tema(chat_id, parametros),
            **self._respuesta_a(chat_id, parametros),
        }
        if entidades:
            contenido["entities"] = entidades
        return self._publicar(
            chat_id, contenido, marcado, tipo="texto", texto=texto, texto_plano=plano
        )

    def _mensaje_a_editar(self, parametros: Parametros) -> tuple[MensajeChat, dict]:
        if parametros.presente("inline_message_id"):
            raise incorrecta("MESSAGE_ID_INVALID")
        chat_id = self._chat_destino(parametros)
        message_id = parametros.entero("message_id")
        if message_id is None:
            raise incorrecta("message identifier is not specified")
        mensaje = self._buscar(chat_id, message_id)
        if mensaje is None or mensaje.borrado:
            raise incorrecta("message to edit not found")
        if not mensaje.de_bot:
            raise incorrecta("message can't be edited")
        return mensaje, self._crudos[(chat_id, message_id)]

    def _aplicar_edicion(
        self, mensaje: MensajeChat, crudo: dict, nuevo: dict, marcado: dict | None, **campos: Any
    ) -> dict:
        """Aplica la edición (o 400 si nada cambia); `campos` son los de MensajeChat."""
        actual = {clave: crudo.get(clave) for clave in [*nuevo, "reply_markup"]}
        propuesto = {**nuevo, "reply_markup": marcado}
        if actual == propuesto:
            raise incorrecta(NO_MODIFICADO)
        for clave, valor in propuesto.items():
            if valor is None or valor == []:
                crudo.pop(clave, None)
            else:
                crudo[clave] = valor
        crudo["edit_date"] = ahora_unix()
        mensaje.teclado = campos_teclado(marcado)["teclado"]
        mensaje.editado = True
        for clave, valor in campos.items():
            setattr(mensaje, clave, valor)
        self._notificar(mensaje)
        return copy.deepcopy(crudo)

    def _edit_message_text(self, parametros: Parametros) -> dict:
        mensaje, crudo = self._mensaje_a_editar(parametros)
        if "text" not in crudo:
            raise incorrecta("there is no text in the message to edit")
        texto = parametros.texto("text")
        plano, entidades = self._texto_valido(texto, parametros)
        marcado = validar_marcado_en_linea(parametros.json("reply_markup"))
        nuevo = {"text": plano, "entities": entidades or None}
        return self._aplicar_edicion(
            mensaje, crudo, nuevo, marcado, texto=texto, texto_plano=plano
        )

    def _edit_message_caption(self, parametros: Parametros) -> dict:
        mensaje, crudo = self._mensaje_a_editar(parametros)
        if "text" in crudo or mensaje.tipo not in ("documento", "foto"):
            raise incorrecta("there is no caption in the message to edit")
        pie, plano, campos = self._pie_valido(parametros)
        marcado = validar_marcado_en_linea(parametros.json("reply_markup"))
        nuevo = {clave: campos.get(clave) for clave in ("caption", "caption_entities")}
        return self._aplicar_edicion(mensaje, crudo, nuevo, marcado, texto=pie, texto_plano=plano)

    def _edit_message_reply_markup(self, parametros: Parametros) -> dict:
        mensaje, crudo = self._mensaje_a_editar(parametros)
        marcado = validar_marcado_en_linea(parametros.json("reply_markup"))
        return self._aplicar_edicion(mensaje, crudo, {}, marcado)

    def _delete_message(self, parametros: Parametros) -> bool:
        chat_id = self._chat_destino(parametros)
        mensaje = self._buscar(chat_id, parametros.entero("message_id", obligatorio=True))
        if mensaje is None or mensaje.borrado:
            raise incorrecta("message to delete not found")
        mensaje.borrado = True
        return True

    def _set_message_reaction(self, parametros: Parametros) -> bool:
        """La reacción del bot a un mensaje (un emoji de los que Telegram admite, o ninguna)."""
        chat_id = self._chat_destino(parametros)
        mensaje = self._buscar(chat_id, parametros.entero("message_id", obligatorio=True))
        if mensaje is None or mensaje.borrado:
            raise incorrecta("message to react not found")
        reacciones = parametros.json("reaction") or []
        if not isinstance(reacciones, list) or len(reacciones) > 1:
            raise incorrecta("REACTIONS_TOO_MANY")
        emojis = [r.get("emoji") for r in reacciones if isinstance(r, dict)]
        if len(emojis) != len(reacciones) or any(e not in REACCIONES for e in emojis):
            raise incorrecta("REACTION_INVALID")
        mensaje.reaccion = emojis[0] if emojis else None
        return True

    def _send_chat_action(self, parametros: Parametros) -> bool:
        self._chat_destino(parametros)
        if parametros.texto("action") not in ACCIONES_DE_CHAT:
            raise incorrecta("wrong parameter action in request")
        return True

    def _ubicacion(self, parametros: Parametros) -> dict:
        latitud = parametros.decimal("latitude", obligatorio=True)
        longitud = parametros.decimal("longitude", obligatorio=True)
        assert latitud is not None and longitud is not None
        if not (-90 <= latitud <= 90 and -180 <= longitud <= 180):
            raise incorrecta("wrong location")
        return {"latitude": latitud, "longitude": longitud}

    def _send_location(self, parametros: Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        ubicacion = self._ubicacion(parametros)
        marcado = validar_marcado(parametros.json("reply_markup"))
        return self._publicar(chat_id, {"location": ubicacion}, marcado, tipo="ubicacion")

    def _send_venue(self, parametros: Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        ubicacion = self._ubicacion(parametros)
        titulo = parametros.texto("title", obligatorio=True)
        direccion = parametros.texto("address", obligatorio=True)
        marcado = validar_marcado(parametros.json("reply_markup"))
        lugar = {"location": ubicacion, "title": titulo, "address": direccion}
        return self._publicar(
            chat_id, {"venue": lugar, "location": ubicacion}, marcado, tipo="lugar",
            texto=titulo, texto_plano=titulo,
        )
