"""Supergrupos con temas (foros): los métodos de la Bot API que los usan, y lo que hacen en
ellos las pruebas.

Bot API (``MetodosForos``): createForumTopic, editForumTopic, closeForumTopic,
reopenForumTopic, deleteForumTopic, copyMessage y getChatMember; y ``message_thread_id`` en
sendMessage, sendPhoto, sendDocument, sendVoice y copyMessage. Con los errores de Telegram:

- «Bad Request: the chat is not a forum»: el chat no es un supergrupo con temas.
- «Bad Request: message thread not found»: el tema no existe o se borró.
- «Bad Request: TOPIC_CLOSED»: escribir en un tema cerrado sin poder gestionar temas.
- «Bad Request: not enough rights to create a topic» / «... to manage topics»: el bot no es
  administrador con el permiso «Gestionar temas».
- «Bad Request: TOPIC_NOT_MODIFIED»: cerrar un tema cerrado, reabrir uno abierto o ponerle
  el mismo nombre.
- «Bad Request: message to copy not found» / «message can't be copied» (mensajes de servicio).

Como en Telegram, el id de un tema es el del mensaje de servicio que lo abrió; cada mensaje
de un tema lleva ``message_thread_id``, ``is_topic_message`` y, si no responde a otro, el
mensaje que abrió el tema como ``reply_to_message``. Una copia (copyMessage) sale a nombre del
bot: no dice de quién era el original.

Lado de las pruebas (``LadoForos``): crear un supergrupo con temas y sus miembros, escribir o
mandar archivos en un tema como una persona dada, pulsar un botón de un mensaje del grupo,
cerrar un tema desde Telegram y consultar temas y mensajes.
"""

from __future__ import annotations

import copy
import mimetypes
from collections.abc import Iterable
from typing import Any

from emulador.errores import incorrecta
from emulador.estado import EstadoEmulador
from emulador.modelo import (
    GrupoFicticio,
    MensajeChat,
    TemaForo,
    UsuarioFicticio,
    dict_usuario,
    documento_chat,
    elegir_boton,
    tamano_foto,
)
from emulador.parametros import Parametros
from emulador.validacion import entidad_comando, validar_marcado

# Los colores que Telegram acepta para el ícono de un tema.
COLORES_TEMA = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
LARGO_MAX_NOMBRE_TEMA = 128

NO_ES_FORO = "the chat is not a forum"
SIN_TEMA = "message thread not found"
TEMA_CERRADO = "TOPIC_CLOSED"
SIN_DERECHO_CREAR = "not enough rights to create a topic"
SIN_DERECHO_GESTIONAR = "not enough rights to manage topics"
SIN_CAMBIOS = "TOPIC_NOT_MODIFIED"
NO_HAY_QUE_COPIAR = "message to copy not found"
NO_SE_COPIA = "message can't be copied"

# Lo que se copia de un mensaje (el resto —de quién es, reenvíos, fecha— no viaja).
CLAVES_CONTENIDO = (
    "text", "photo", "document", "voice", "audio", "video", "video_note", "animation",
    "sticker", "location", "venue", "contact",
)
CLAVES_COPIABLES = (*CLAVES_CONTENIDO, "entities", "caption", "caption_entities")
CON_PIE = ("photo", "document", "voice", "audio", "video", "animation")


class MetodosForos(EstadoEmulador):
    """Temas de foro, copias de mensajes y miembros de un chat."""

    # ---------------------------------------------------------------- comprobaciones

    def _foro(self, parametros: Parametros) -> GrupoFicticio:
        grupo = self._grupos.get(self._chat_destino(parametros))
        if grupo is None or not grupo.es_foro:
            raise incorrecta(NO_ES_FORO)
        return grupo

    def _tema_de(self, grupo: GrupoFicticio, parametros: Parametros) -> TemaForo:
        hilo = parametros.entero("message_thread_id", obligatorio=True)
        tema = grupo.temas.get(hilo)
        if tema is None or tema.borrado:
            raise incorrecta(SIN_TEMA)
        return tema

    def _gestionar(self, grupo: GrupoFicticio, parametros: Parametros) -> TemaForo:
        """El tema que el bot quiere cambiar, si tiene derecho a gestionar temas."""
        tema = self._tema_de(grupo, parametros)
        if not grupo.bot_gestiona_temas:
            raise incorrecta(SIN_DERECHO_GESTIONAR)
        return tema

    def _campos_de_tema(self, chat_id: int, parametros: Parametros) -> dict:
        hilo = parametros.entero("message_thread_id")
        if hilo is None:
            return {}  # en un foro, sin tema va al tema General
        grupo = self._grupos.get(chat_id)
        tema = grupo.temas.get(hilo) if grupo is not None and grupo.es_foro else None
        if tema is None or tema.borrado:
            raise incorrecta(SIN_TEMA)
        if tema.cerrado and not grupo.bot_gestiona_temas:
            raise incorrecta(TEMA_CERRADO)
        return {"message_thread_id": hilo, "is_topic_message": True}

    def _mensaje_de_servicio(
        self, grupo: GrupoFicticio, tema: TemaForo, clave: str, valor: dict,
        autor: UsuarioFicticio | None = None,
    ) -> MensajeChat:
        """El aviso de servicio en el tema («X cerró el tema»); si lo hizo una persona, el bot
        lo recibe como actualización (los del propio bot no le llegan, como en Telegram)."""
        contenido = {
            "message_thread_id": tema.message_thread_id, "is_topic_message": True,
            clave: valor,
        }
        mensaje = self._guardar_mensaje(
            grupo.id, autor is None, contenido, autor=autor, tipo="servicio"
        )
        if autor is not None:
            self._encolar("message", copy.deepcopy(self._crudos[(grupo.id, mensaje.message_id)]))
        return mensaje

    # ---------------------------------------------------------------- temas

    def _create_forum_topic(self, parametros: Parametros) -> dict:
        grupo = self._foro(parametros)
        nombre = parametros.texto("name", obligatorio=True) or ""
        if not nombre.strip():
            raise incorrecta("name is empty")
        if len(nombre) > LARGO_MAX_NOMBRE_TEMA:
            raise incorrecta("TOPIC_TITLE_TOO_LONG")
        color = parametros.entero("icon_color")
        if color is not None and color not in COLORES_TEMA:
            raise incorrecta("invalid icon_color specified")
        if not grupo.bot_gestiona_temas:
            raise incorrecta(SIN_DERECHO_CREAR)
        mensajes = self._mensajes[grupo.id]
        hilo = (mensajes[-1].message_id if mensajes else 0) + 1
        tema = TemaForo(hilo, nombre, color or COLORES_TEMA[0])
        grupo.temas[hilo] = tema
        creado = {"name": nombre, "icon_color": tema.icon_color}
        self._mensaje_de_servicio(grupo, tema, "forum_topic_created", creado)
        return {"message_thread_id": hilo, "name": nombre, "icon_color": tema.icon_color}

    def _edit_forum_topic(self, parametros: Parametros) -> bool:
        grupo = self._foro(parametros)
        tema = self._gestionar(grupo, parametros)
        nombre = parametros.texto("name")
        if nombre is not None and len(nombre) > LARGO_MAX_NOMBRE_TEMA:
            raise incorrecta("TOPIC_TITLE_TOO_LONG")
        if not nombre or nombre == tema.nombre:
            raise incorrecta(SIN_CAMBIOS)
        tema.nombre = nombre
        self._mensaje_de_servicio(grupo, tema, "forum_topic_edited", {"name": nombre})
        return True

    def _close_forum_topic(self, parametros: Parametros) -> bool:
        grupo = self._foro(parametros)
        tema = self._gestionar(grupo, parametros)
        if tema.cerrado:
            raise incorrecta(SIN_CAMBIOS)
        tema.cerrado = True
        self._mensaje_de_servicio(grupo, tema, "forum_topic_closed", {})
        return True

    def _reopen_forum_topic(self, parametros: Parametros) -> bool:
        grupo = self._foro(parametros)
        tema = self._gestionar(grupo, parametros)
        if not tema.cerrado:
            raise incorrecta(SIN_CAMBIOS)
        tema.cerrado = False
        self._mensaje_de_servicio(grupo, tema, "forum_topic_reopened", {})
        return True

    def _delete_forum_topic(self, parametros: Parametros) -> bool:
        """Borra el tema y todos sus mensajes."""
        grupo = self._foro(parametros)
        tema = self._gestionar(grupo, parametros)
        tema.borrado = True
        for mensaje in self._mensajes[grupo.id]:
            if mensaje.hilo == tema.message_thread_id:
                mensaje.borrado = True
        return True

    # ---------------------------------------------------------------- copias

    def _copy_message(self, parametros: Parametros) -> dict:
        destino = self._chat_destino(parametros)
        origen = parametros.entero("from_chat_id", obligatorio=True)
        if origen not in self._usuarios and origen not in self._grupos:
            raise incorrecta("chat not found")
        message_id = parametros.entero("message_id", obligatorio=True)
        original = self._buscar(origen, message_id)
        if original is None or original.borrado:
            raise incorrecta(NO_HAY_QUE_COPIAR)
        crudo = self._crudos[(origen, message_id)]
        if not any(clave in crudo for clave in CLAVES_CONTENIDO):
            raise incorrecta(NO_SE_COPIA)
        contenido = {c: copy.deepcopy(crudo[c]) for c in CLAVES_COPIABLES if c in crudo}
        texto = original.texto_plano
        if parametros.presente("caption") and any(c in crudo for c in CON_PIE):
            for clave in ("caption", "caption_entities"):
                contenido.pop(clave, None)
            _pie, texto, campos_pie = self._pie_valido(parametros)
            contenido.update(campos_pie)
        contenido.update(self._campos_de_tema(destino, parametros))
        contenido.update(self._respuesta_a(destino, parametros))
        marcado = validar_marcado(parametros.json("reply_markup"))
        publicado = self._publicar(
            destino, contenido, marcado, tipo=original.tipo, texto=texto, texto_plano=texto,
            documento=copy.deepcopy(original.documento),
        )
        return {"message_id": publicado["message_id"]}

    # ---------------------------------------------------------------- miembros

    def _get_chat_member(self, parametros: Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        usuario_id = parametros.entero("user_id", obligatorio=True)
        grupo = self._grupos.get(chat_id)
        if usuario_id == self.bot_id:
            usuario = self._dict_bot()
            administra = grupo is not None and grupo.bot_gestiona_temas
        elif grupo is not None and usuario_id in grupo.miembros:
            usuario = dict_usuario(grupo.miembros[usuario_id])
            administra = usuario_id in grupo.administradores
        elif grupo is None and usuario_id == chat_id:
            usuario, administra = dict_usuario(self._usuarios[chat_id]), False
        else:
            raise incorrecta("PARTICIPANT_ID_INVALID")
        if not administra:
            return {"status": "member", "user": usuario}
        derechos = dict.fromkeys(
            ("can_manage_chat", "can_delete_messages", "can_manage_video_chats",
             "can_restrict_members", "can_change_info", "can_invite_users", "can_post_stories",
             "can_edit_stories", "can_delete_stories", "can_pin_messages", "can_manage_topics"),
            True,
        )
        return {
            "status": "administrator", "user": usuario, "can_be_edited": False,
            "is_anonymous": False, "can_promote_members": False, **derechos,
        }


class LadoForos(MetodosForos):
    """Lo que hacen las pruebas en un supergrupo con temas (como personas miembros)."""

    def crear_grupo_foro(
        self,
        grupo_id: int | None = None,
        titulo: str = "Asesoría Coopera Puebla",
        *,
        miembros: Iterable[UsuarioFicticio] = (),
        administradores: Iterable[UsuarioFicticio] = (),
        es_foro: bool = True,
        bot_gestiona_temas: bool = True,
    ) -> GrupoFicticio:
        """Un supergrupo (con temas si `es_foro`) donde está el bot. `administradores` también
        son miembros; `bot_gestiona_temas`: el bot es administrador con «Gestionar temas»."""
        if grupo_id is None:
            grupo_id = -1_001_000_000_000 - next(self._contador)
        admins = list(administradores)
        grupo = GrupoFicticio(
            grupo_id, titulo, es_foro, bot_gestiona_temas,
            {u.id: u for u in [*miembros, *admins]}, {u.id for u in admins},
        )
        self._grupos[grupo_id] = grupo
        self._mensajes.setdefault(grupo_id, [])
        return grupo

    def grupo(self, grupo_id: int) -> GrupoFicticio:
        """El grupo tal como está (las pruebas pueden cambiarle los derechos del bot)."""
        return self._grupos[grupo_id]

    def temas(self, grupo_id: int) -> list[TemaForo]:
        """Los temas del grupo (también los borrados), en orden de creación."""
        return [copy.copy(t) for t in self._grupos[grupo_id].temas.values()]

    def mensajes_de_tema(self, grupo_id: int, hilo: int) -> list[MensajeChat]:
        return [m for m in self._mensajes.get(grupo_id, []) if m.hilo == hilo]

    def crudo(self, chat_id: int, message_id: int) -> dict:
        """El Message de la Bot API tal como lo ve quien está en ese chat."""
        return copy.deepcopy(self._crudos[(chat_id, message_id)])

    def escribir_en_tema(
        self, grupo_id: int, usuario: UsuarioFicticio, hilo: int | None, texto: str
    ) -> int:
        """Texto de `usuario` en el tema `hilo` (None: el tema General); un «/comando» inicial
        lleva su entidad bot_command."""
        contenido: dict[str, Any] = {"text": texto}
        entidad = entidad_comando(texto)
        if entidad is not None:
            contenido["entities"] = [entidad]
        return self._mensaje_en_tema(
            grupo_id, usuario, hilo, contenido, tipo="texto", texto=texto, texto_plano=texto
        )

    def enviar_en_tema(
        self, grupo_id: int, usuario: UsuarioFicticio, hilo: int | None, tipo: str
    ) -> int:
        """Una foto, una nota de voz o un documento (`tipo`: foto, voz o documento)."""
        if tipo == "foto":
            archivo = self._guardar_archivo("foto.jpg", "image/jpeg", b"\xff\xd8-foto", "photos")
            fotos = [tamano_foto(archivo, 90), tamano_foto(archivo, 800)]
            return self._mensaje_en_tema(grupo_id, usuario, hilo, {"photo": fotos}, tipo="foto")
        if tipo == "voz":
            archivo = self._guardar_archivo("voz.oga", "audio/ogg", b"OggS-voz", "voice")
            voz = {
                "file_id": archivo.file_id, "file_unique_id": archivo.file_unique_id,
                "duration": 2, "mime_type": "audio/ogg", "file_size": len(archivo.contenido),
            }
            return self._mensaje_en_tema(grupo_id, usuario, hilo, {"voice": voz}, tipo="voz")
        if tipo == "documento":
            nombre = "requisitos.pdf"
            mime = mimetypes.guess_type(nombre)[0] or "application/octet-stream"
            archivo = self._guardar_archivo(nombre, mime, b"%PDF-requisitos", "documents")
            return self._mensaje_en_tema(
                grupo_id, usuario, hilo, {"document": archivo.como_documento()},
                tipo="documento", documento=documento_chat(archivo),
            )
        raise ValueError(f"tipo desconocido {tipo!r}: foto, voz o documento")

    def cerrar_tema_como(self, grupo_id: int, usuario: UsuarioFicticio, hilo: int) -> int:
        """Una persona administradora cierra el tema desde Telegram; el bot recibe el aviso."""
        grupo = self._grupos[grupo_id]
        tema = grupo.temas[hilo]
        if usuario.id not in grupo.administradores or tema.cerrado or tema.borrado:
            raise PermissionError(f"{usuario.first_name} no puede cerrar el tema {hilo}")
        tema.cerrado = True
        self._mensaje_de_servicio(grupo, tema, "forum_topic_closed", {}, autor=usuario)
        return self._ultimo_update_id

    def pulsar_en_grupo(
        self, grupo_id: int, usuario: UsuarioFicticio, texto_boton: str,
        message_id: int | None = None,
    ) -> int:
        """Pulsa un botón de un mensaje del bot en el grupo (el último con botones, o ese)."""
        grupo = self._grupos[grupo_id]
        if usuario.id not in grupo.miembros:
            raise PermissionError(f"{usuario.first_name} no es miembro del grupo")
        candidatos = [m for m in self._mensajes[grupo_id]
                      if m.de_bot and m.teclado and not m.borrado
                      and (message_id is None or m.message_id == message_id)]
        if not candidatos:
            raise LookupError(f"no hay mensajes con botones en el grupo {grupo_id}")
        mensaje = candidatos[-1]
        boton = elegir_boton(mensaje, texto_boton)
        identificador = str(4_000_000_000_000 + next(self._contador))
        self._callbacks_abiertos.add(identificador)
        consulta = {
            "id": identificador,
            "from": dict_usuario(usuario),
            "chat_instance": str(-(10**12) + grupo_id),
            "message": copy.deepcopy(self._crudos[(grupo_id, mensaje.message_id)]),
            "data": boton["callback_data"],
        }
        return self._encolar("callback_query", consulta)

    def _mensaje_en_tema(
        self, grupo_id: int, usuario: UsuarioFicticio, hilo: int | None, contenido: dict,
        **campos: Any,
    ) -> int:
        grupo = self._grupos[grupo_id]
        if usuario.id not in grupo.miembros:
            raise PermissionError(f"{usuario.first_name} no es miembro del grupo {grupo_id}")
        if hilo is not None:  # sin tema: el tema General (o un grupo sin temas)
            tema = grupo.temas.get(hilo)
            if tema is None or tema.borrado:
                raise LookupError(f"no existe el tema {hilo} en el grupo {grupo_id}")
            if tema.cerrado and usuario.id not in grupo.administradores:
                raise PermissionError(f"el tema {hilo} está cerrado: solo escriben "
                                      "administradores")
            raiz = copy.deepcopy(self._crudos[(grupo_id, hilo)])
            raiz.pop("reply_to_message", None)
            contenido = {
                **contenido, "message_thread_id": hilo, "is_topic_message": True,
                "reply_to_message": raiz,
            }
        mensaje = self._guardar_mensaje(grupo_id, False, contenido, autor=usuario, **campos)
        return self._encolar("message", copy.deepcopy(self._crudos[(grupo_id, mensaje.message_id)]))
