"""El lado de la persona usuaria: escribir, mandar archivos, pulsar botones, bloquear al bot.

Cada acción guarda el mensaje en el chat y encola la actualización (``message`` o
``callback_query``) que el bot recibirá en su próximo getUpdates; devuelve su update_id,
que ``esperar_entrega`` usa para saber cuándo el bot la confirmó.
"""

from __future__ import annotations

import copy
import mimetypes
from typing import Any

from emulador.modelo import (
    BotonNoEncontrado,
    MensajeChat,
    UsuarioFicticio,
    dict_usuario,
    documento_chat,
    elegir_boton,
    id_de,
    tamano_foto,
)
from emulador.observacion import Observacion
from emulador.validacion import entidad_comando


class LadoPersona(Observacion):
    """Acciones de las personas usuarias simuladas, llamadas desde el bucle de las pruebas."""

    def escribir(self, usuario: UsuarioFicticio, texto: str) -> int:
        """Mensaje de texto; un «/comando» inicial lleva su entidad bot_command."""
        contenido: dict[str, Any] = {"text": texto}
        entidad = entidad_comando(texto)
        if entidad is not None:
            contenido["entities"] = [entidad]
        return self._mensaje_de_usuario(
            usuario, contenido, tipo="texto", texto=texto, texto_plano=texto
        )

    def enviar_sticker(self, usuario: UsuarioFicticio) -> int:
        archivo = self._guardar_archivo("sticker.webp", "image/webp", b"RIFF-sticker", "stickers")
        sticker = {
            "file_id": archivo.file_id, "file_unique_id": archivo.file_unique_id,
            "type": "regular", "width": 512, "height": 512, "is_animated": False,
            "is_video": False, "emoji": "👍", "file_size": len(archivo.contenido),
        }
        return self._mensaje_de_usuario(usuario, {"sticker": sticker}, tipo="sticker")

    def enviar_foto(self, usuario: UsuarioFicticio) -> int:
        archivo = self._guardar_archivo("foto.jpg", "image/jpeg", b"\xff\xd8\xff-foto", "photos")
        foto = [tamano_foto(archivo, 90), tamano_foto(archivo, 800)]
        return self._mensaje_de_usuario(usuario, {"photo": foto}, tipo="foto")

    def enviar_voz(self, usuario: UsuarioFicticio) -> int:
        archivo = self._guardar_archivo("voz.oga", "audio/ogg", b"OggS-voz", "voice")
        voz = {
            "file_id": archivo.file_id, "file_unique_id": archivo.file_unique_id,
            "duration": 3, "mime_type": "audio/ogg", "file_size": len(archivo.contenido),
        }
        return self._mensaje_de_usuario(usuario, {"voice": voz}, tipo="voz")

    def enviar_documento(
        self, usuario: UsuarioFicticio, nombre: str = "archivo.pdf", contenido: bytes = b"..."
    ) -> int:
        mime = mimetypes.guess_type(nombre)[0] or "application/octet-stream"
        archivo = self._guardar_archivo(nombre, mime, contenido, "documents")
        return self._mensaje_de_usuario(
            usuario,
            {"document": archivo.como_documento()},
            tipo="documento",
            documento=documento_chat(archivo),
        )

    def enviar_ubicacion(self, usuario: UsuarioFicticio, lat: float, lon: float) -> int:
        ubicacion = {"latitude": lat, "longitude": lon}
        return self._mensaje_de_usuario(usuario, {"location": ubicacion}, tipo="ubicacion")

    def enviar_contacto(self, usuario: UsuarioFicticio, telefono: str) -> int:
        contacto = {
            "phone_number": telefono, "first_name": usuario.first_name, "user_id": usuario.id
        }
        if usuario.last_name:
            contacto["last_name"] = usuario.last_name
        return self._mensaje_de_usuario(usuario, {"contact": contacto}, tipo="contacto")

    def pulsar(self, usuario: UsuarioFicticio, message_id: int, callback_data: str) -> int:
        """Pulsación de botón (callback_query); admite datos falsificados o mensajes viejos."""
        self._registrar(usuario)
        mensaje = self._buscar(usuario.id, message_id)
        if mensaje is None or mensaje.borrado:
            raise LookupError(f"no existe el mensaje {message_id} en el chat {usuario.id}")
        identificador = str(4_000_000_000_000 + next(self._contador))
        self._callbacks_abiertos.add(identificador)
        consulta = {
            "id": identificador,
            "from": dict_usuario(usuario),
            "chat_instance": str(-(10**12) - usuario.id),
            "message": copy.deepcopy(self._crudos[(usuario.id, message_id)]),
            "data": callback_data,
        }
        return self._encolar("callback_query", consulta)

    def pulsar_boton(
        self, usuario: UsuarioFicticio, texto: str, message_id: int | None = None
    ) -> int:
        """Pulsa el botón con ese texto (o que lo contenga, sin ambigüedad)."""
        mensaje = self._mensaje_con_teclado(usuario.id, message_id)
        boton = elegir_boton(mensaje, texto)
        if "callback_data" not in boton:
            raise BotonNoEncontrado(
                f"el botón {boton['text']!r} no envía callback_data "
                f"(es {', '.join(k for k in boton if k != 'text')})"
            )
        return self.pulsar(usuario, mensaje.message_id, boton["callback_data"])

    def bloquear(self, usuario_o_id: UsuarioFicticio | int) -> None:
        self._bloqueados.add(id_de(usuario_o_id))

    def desbloquear(self, usuario_o_id: UsuarioFicticio | int) -> None:
        self._bloqueados.discard(id_de(usuario_o_id))

    async def esperar_entrega(self, update_id: int, timeout: float = 5.0) -> None:
        """Espera a que un getUpdates confirme (offset > update_id) esa actualización."""
        if not await self._esperar_hasta(lambda: self._offset_confirmado > update_id, timeout):
            raise TimeoutError(
                f"el bot no confirmó la actualización {update_id} en {timeout} s "
                f"(último offset recibido: {self._offset_confirmado})"
            )

    def conocer(self, usuario: UsuarioFicticio) -> None:
        """Como si la persona ya hubiera abierto el chat con el bot, sin mandar nada.

        Sirve para preparar miles de destinatarios (pruebas de envíos y mediciones) sin que
        sus mensajes de bienvenida cuenten en los límites de Telegram.
        """
        self._registrar(usuario)

    def _mensaje_de_usuario(
        self, usuario: UsuarioFicticio, contenido: dict, **campos: Any
    ) -> int:
        self._registrar(usuario)
        mensaje = self._guardar_mensaje(usuario.id, False, contenido, **campos)
        crudo = self._crudos[(usuario.id, mensaje.message_id)]
        return self._encolar("message", copy.deepcopy(crudo))

    def _mensaje_con_teclado(self, chat_id: int, message_id: int | None) -> MensajeChat:
        if message_id is not None:
            mensaje = self._buscar(chat_id, message_id)
            if mensaje is None or mensaje.borrado:
                raise BotonNoEncontrado(f"no existe el mensaje {message_id} en el chat {chat_id}")
            return mensaje
        for mensaje in reversed(self.mensajes_del_bot(chat_id)):
            if mensaje.teclado and not mensaje.borrado:
                return mensaje
        raise BotonNoEncontrado(
            f"el bot no ha enviado ningún mensaje con botones en el chat {chat_id}"
        )
