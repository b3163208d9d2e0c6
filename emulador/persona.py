"""El lado de la persona usuaria: escribir, mandar archivos, pulsar botones, bloquear al bot,
editar un mensaje, escribir en un grupo y publicar en un canal.

Cada acción guarda el mensaje en el chat y encola la actualización (``message``,
``callback_query``, ``edited_message``, ``channel_post``…) que el bot recibirá en su próximo
getUpdates; devuelve su update_id, que ``esperar_entrega`` usa para saber cuándo el bot la
confirmó.
"""

from __future__ import annotations

import copy
import mimetypes
from collections.abc import Iterable
from typing import Any

from emulador.marcado_html import analizar_html
from emulador.modelo import (
    BotonNoEncontrado,
    GrupoFicticio,
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

TIPOS_DE_GRUPO = ("group", "supergroup", "channel")
# Quien «escribe» un mensaje sin remitente o una publicación de canal (no se muestra: se quita
# el `from`); solo para que el mensaje guardado tenga un autor.
_SIN_AUTOR = UsuarioFicticio(0, first_name="-")


class _GrupoBasico(GrupoFicticio):
    """Un grupo básico (type "group"): sin temas; su id no empieza con -100."""

    def como_chat(self) -> dict:
        return {"id": self.id, "type": "group", "title": self.titulo}


class _Canal(GrupoFicticio):
    """Un canal donde el bot es administrador: sus publicaciones no llevan `from`."""

    def como_chat(self) -> dict:
        return {"id": self.id, "type": "channel", "title": self.titulo}


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

    def escribir_con_formato(self, usuario: UsuarioFicticio, html: str) -> int:
        """Un texto con formato (negritas, cursivas, enlaces), dado en el HTML de Telegram:
        el bot recibe el texto visible y sus `entities`, como lo manda un teléfono."""
        plano, entidades = analizar_html(html)
        contenido: dict[str, Any] = {"text": plano}
        if entidades:
            contenido["entities"] = entidades
        return self._mensaje_de_usuario(
            usuario, contenido, tipo="texto", texto=html, texto_plano=plano
        )

    def enviar_foto(self, usuario: UsuarioFicticio, pie: str | None = None) -> int:
        """Una foto; con `pie` (HTML de Telegram), su pie con `caption_entities`."""
        archivo = self._guardar_archivo("foto.jpg", "image/jpeg", b"\xff\xd8\xff-foto", "photos")
        foto = [tamano_foto(archivo, 90), tamano_foto(archivo, 800)]
        contenido: dict[str, Any] = {"photo": foto}
        plano = None
        if pie:
            plano, entidades = analizar_html(pie)
            contenido["caption"] = plano
            if entidades:
                contenido["caption_entities"] = entidades
        return self._mensaje_de_usuario(
            usuario, contenido, tipo="foto", texto=pie, texto_plano=plano
        )


    def enviar_voz(self, usuario: UsuarioFicticio) -> int:
        archivo = self._guardar_archivo("voz.oga", "audio/ogg", b"OggS-voz", "voice")
        voz = {
            "file_id": archivo.file_id, "file_unique_id": archivo.file_unique_id,
            "duration": 3, "mime_type": "audio/ogg", "file_size": len(archivo.contenido),
        }
        return self._mensaje_de_usuario(usuario, {"voice": voz}, tipo="voz")

    def enviar_documento(
        self, usuario: UsuarioFicticio, nombre: str = "archivo.pdf", contenido: bytes = b"...",
        *, mime: str | None = None, tamano: int | None = None,
    ) -> int:
        """`mime`: el que mande el teléfono (si no, por la extensión); `tamano`: el que dice
        Telegram, si no es el del contenido (un archivo enorme sin tenerlo en memoria)."""
        mime = mime or mimetypes.guess_type(nombre)[0] or "application/octet-stream"
        archivo = self._guardar_archivo(nombre, mime, contenido, "documents")
        archivo.tamano_declarado = tamano
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

    def pulsar(self, usuario: UsuarioFicticio, message_id: int, callback_data: str, *,
               chat_id: int | None = None) -> int:
        """Pulsación de botón (callback_query); admite datos falsificados o mensajes viejos.

        Sin `chat_id`, el mensaje está en el chat privado de la persona; con él, en ese grupo.
        """
        if chat_id is None:
            self._registrar(usuario)
            chat_id = usuario.id
        mensaje = self._buscar(chat_id, message_id)
        if mensaje is None or mensaje.borrado:
            raise LookupError(f"no existe el mensaje {message_id} en el chat {chat_id}")
        identificador = str(4_000_000_000_000 + next(self._contador))
        self._callbacks_abiertos.add(identificador)
        consulta = {
            "id": identificador,
            "from": dict_usuario(usuario),
            "chat_instance": str(-(10**12) - chat_id),
            "message": copy.deepcopy(self._crudos[(chat_id, message_id)]),
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

    # ---------------------------------------------------------------- ediciones

    def editar(self, usuario: UsuarioFicticio | None, message_id: int, texto: str, *,
               chat_id: int | None = None) -> int:
        """Quien escribió un mensaje de texto lo edita. Telegram manda el mensaje entero ya
        cambiado, con su `edit_date`: ``edited_message`` (``edited_channel_post`` en un canal,
        donde `usuario` es None). Sin `chat_id`, el chat privado de la persona."""
        if chat_id is None:
            if usuario is None:
                raise ValueError("sin usuario hay que dar el chat_id (un canal)")
            chat_id = usuario.id
        mensaje = self._buscar(chat_id, message_id)
        crudo = self._crudos.get((chat_id, message_id))
        if mensaje is None or mensaje.borrado or crudo is None or mensaje.de_bot:
            raise LookupError(f"no hay un mensaje {message_id} de una persona en {chat_id}")
        autor = (crudo.get("from") or {}).get("id")
        if usuario is not None and autor != usuario.id:
            raise PermissionError(f"el mensaje {message_id} no es de {usuario.first_name}")
        if "text" not in crudo:
            raise LookupError(f"el mensaje {message_id} no tiene texto que editar")
        crudo["text"] = texto
        crudo.pop("entities", None)
        entidad = entidad_comando(texto)
        if entidad is not None:
            crudo["entities"] = [entidad]
        crudo["edit_date"] = crudo["date"] + 1
        mensaje.texto = mensaje.texto_plano = texto
        mensaje.editado = True
        tipo = "edited_channel_post" if crudo["chat"].get("type") == "channel" else (
            "edited_message")
        return self._encolar(tipo, copy.deepcopy(crudo))

    # ---------------------------------------------------------------- grupos y canales

    def crear_grupo(self, grupo_id: int | None = None, titulo: str = "Cooperativa La Milpa",
                    *, tipo: str = "supergroup",
                    miembros: Iterable[UsuarioFicticio] = ()) -> GrupoFicticio:
        """Un grupo (`tipo` "group" o "supergroup", sin temas) o un canal ("channel") donde
        está el bot. El bot puede escribir ahí (en un canal, como administrador)."""
        if tipo not in TIPOS_DE_GRUPO:
            raise ValueError(f"tipo de grupo desconocido {tipo!r}; válidos: {TIPOS_DE_GRUPO}")
        if grupo_id is None:
            base = -1_001_000_000_000 if tipo != "group" else -4_000_000_000
            grupo_id = base - next(self._contador)
        clase = {"group": _GrupoBasico, "channel": _Canal}.get(tipo, GrupoFicticio)
        grupo = clase(grupo_id, titulo, es_foro=False, bot_gestiona_temas=False,
                      miembros={u.id: u for u in miembros})
        self._grupos[grupo_id] = grupo
        self._mensajes.setdefault(grupo_id, [])
        return grupo

    def escribir_en_grupo(self, grupo_id: int, usuario: UsuarioFicticio, texto: str, *,
                          responde_a: int | None = None) -> int:
        """Una persona escribe en un grupo (sin temas); un «/comando» lleva su entidad."""
        contenido: dict[str, Any] = {"text": texto}
        entidad = entidad_comando(texto)
        if entidad is not None:
            contenido["entities"] = [entidad]
        if responde_a is not None:
            respondido = copy.deepcopy(self._crudos[(grupo_id, responde_a)])
            respondido.pop("reply_to_message", None)
            contenido["reply_to_message"] = respondido
        mensaje = self._guardar_mensaje(grupo_id, False, contenido, autor=usuario,
                                        tipo="texto", texto=texto, texto_plano=texto)
        return self._encolar("message", copy.deepcopy(self._crudos[(grupo_id, mensaje.message_id)]))

    def publicar_en_canal(self, canal_id: int, texto: str) -> int:
        """Una publicación en un canal: sin `from`, con `sender_chat` (el canal)."""
        canal = self._grupos[canal_id]
        chat = canal.como_chat()
        if chat["type"] != "channel":
            raise ValueError(f"{canal_id} no es un canal")
        contenido: dict[str, Any] = {"text": texto, "sender_chat": chat}
        entidad = entidad_comando(texto)
        if entidad is not None:
            contenido["entities"] = [entidad]
        mensaje = self._guardar_mensaje(canal_id, False, contenido, autor=_SIN_AUTOR,
                                        tipo="texto", texto=texto, texto_plano=texto)
        crudo = self._crudos[(canal_id, mensaje.message_id)]
        crudo.pop("from", None)
        mensaje.remitente_id = None
        return self._encolar("channel_post", copy.deepcopy(crudo))

    def escribir_sin_remitente(self, chat_id: int, texto: str) -> int:
        """Un mensaje de texto sin `from` en un chat privado o un grupo. Telegram no los manda
        fuera de los canales; sirve para probar que el bot no se cae con uno."""
        contenido: dict[str, Any] = {"text": texto}
        entidad = entidad_comando(texto)
        if entidad is not None:
            contenido["entities"] = [entidad]
        autor = self._usuarios.get(chat_id, _SIN_AUTOR)
        mensaje = self._guardar_mensaje(chat_id, False, contenido, autor=autor,
                                        tipo="texto", texto=texto, texto_plano=texto)
        crudo = self._crudos[(chat_id, mensaje.message_id)]
        crudo.pop("from", None)
        mensaje.remitente_id = None
        return self._encolar("message", copy.deepcopy(crudo))

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
