"""Estado interno del emulador y las operaciones comunes a todas las familias de métodos.

``EstadoEmulador`` guarda chats, mensajes (como ``MensajeChat`` y como el ``Message`` crudo
de la Bot API), actualizaciones pendientes, archivos, comandos y suscripciones; y ofrece lo
que comparten los métodos: registrar chats, publicar mensajes del bot, validar textos y pies,
resolver respuestas y esperar sin bloquear el bucle. Las familias de métodos
(``emulador.metodos_*``) y el lado de las pruebas (``persona``, ``observacion``) son mixins
sobre esta clase, y ``emulador.servidor.EmuladorBotAPI`` los junta.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
from collections.abc import Callable
from typing import Any

from emulador.errores import incorrecta
from emulador.limites import ColaDeFallos, Tasas
from emulador.modelo import (
    NOMBRE_BOT,
    ArchivoGuardado,
    GrupoFicticio,
    MensajeChat,
    Peticion,
    UsuarioFicticio,
    ahora_unix,
    dict_chat,
    dict_usuario,
)
from emulador.parametros import Parametros
from emulador.validacion import a_entero, campos_teclado, formatear

registro = logging.getLogger(__name__)

LONGITUD_MAX_TEXTO = 4096
LONGITUD_MAX_PIE = 1024


class EstadoEmulador:
    """Los datos de un Telegram de mentira con chats privados, y sus operaciones comunes."""

    def __init__(
        self,
        token: str,
        *,
        limitar_tasas: bool,
        reloj: Callable[[], float],
        bot_id: int,
        bot_username: str,
    ) -> None:
        self.token = token
        self.limitar_tasas = limitar_tasas
        self.reloj = reloj
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.peticiones: list[Peticion] = []
        self.respuestas_callback: list[dict] = []
        self._usuarios: dict[int, UsuarioFicticio] = {}
        self._grupos: dict[int, GrupoFicticio] = {}  # supergrupos (ver metodos_foros)
        self._mensajes: dict[int, list[MensajeChat]] = {}
        self._crudos: dict[tuple[int, int], dict] = {}
        self._pendientes: list[dict] = []
        self._ultimo_update_id = 0
        self._offset_confirmado = 0
        self._generacion_sondeo = 0
        self._tipos_permitidos: set[str] | None = None
        self._callbacks_abiertos: set[str] = set()
        self._bloqueados: set[int] = set()
        self._comandos: dict[tuple[str, str], list[dict]] = {}
        self._botones_menu: dict[int | None, dict] = {}
        self._textos_bot: dict[tuple[str, str], str] = {}
        self._archivos: dict[str, ArchivoGuardado] = {}
        self._fallos = ColaDeFallos()
        self._suscriptores: list[Callable[[MensajeChat], None]] = []
        self._tasas = Tasas()
        self._avisos: set[asyncio.Future[None]] = set()
        self._contador = itertools.count(1)
        self._detenido = False

    # ---------------------------------------------------------------- esperas

    def _avisar(self) -> None:
        avisos, self._avisos = self._avisos, set()
        for futuro in avisos:
            if not futuro.done():
                futuro.set_result(None)

    async def _esperar_hasta(self, condicion: Callable[[], bool], plazo: float) -> bool:
        bucle = asyncio.get_running_loop()
        limite = bucle.time() + plazo
        while not condicion():
            restante = limite - bucle.time()
            if restante <= 0:
                return False
            futuro: asyncio.Future[None] = bucle.create_future()
            self._avisos.add(futuro)
            try:
                await asyncio.wait_for(futuro, restante)
            except TimeoutError:
                pass
            finally:
                self._avisos.discard(futuro)
        return True

    # ---------------------------------------------------------------- chats y mensajes

    def _registrar(self, usuario: UsuarioFicticio) -> None:
        self._usuarios[usuario.id] = usuario
        self._mensajes.setdefault(usuario.id, [])

    def _buscar(self, chat_id: int, message_id: int | None) -> MensajeChat | None:
        for mensaje in self._mensajes.get(chat_id, []):
            if mensaje.message_id == message_id:
                return mensaje
        return None

    def _encolar(self, tipo: str, objeto: dict) -> int:
        self._ultimo_update_id += 1
        self._pendientes.append({"update_id": self._ultimo_update_id, tipo: objeto})
        self._avisar()
        return self._ultimo_update_id

    def _guardar_mensaje(
        self, chat_id: int, de_bot: bool, contenido: dict, *,
        autor: UsuarioFicticio | None = None, **campos: Any
    ) -> MensajeChat:
        """Un mensaje nuevo en el chat; en un grupo, `autor` es quien lo escribe."""
        mensajes = self._mensajes[chat_id]
        message_id = (mensajes[-1].message_id if mensajes else 0) + 1
        fecha = ahora_unix()
        autor = None if de_bot else (autor or self._usuarios[chat_id])
        remitente = self._dict_bot() if autor is None else dict_usuario(autor)
        crudo = {
            "message_id": message_id, "from": remitente, "chat": self._dict_chat_de(chat_id),
            "date": fecha, **contenido,
        }
        self._crudos[(chat_id, message_id)] = crudo
        valores: dict[str, Any] = {
            "texto": None, "texto_plano": None, "teclado": None, "teclado_respuesta": None,
            "documento": None, "tipo": "texto", "hilo": contenido.get("message_thread_id"),
            "remitente_id": autor.id if autor else None, **campos,
        }
        mensaje = MensajeChat(
            message_id=message_id, chat_id=chat_id, de_bot=de_bot, fecha=fecha, **valores
        )
        mensajes.append(mensaje)
        return mensaje

    def _guardar_archivo(
        self, nombre: str, mime: str, contenido: bytes, carpeta: str
    ) -> ArchivoGuardado:
        numero = next(self._contador)
        extension = nombre.rsplit(".", 1)[-1] if "." in nombre else "bin"
        archivo = ArchivoGuardado(
            file_id=f"EMU{carpeta[:3].upper()}{numero:08d}",
            file_unique_id=f"AQ{numero:06d}",
            nombre=nombre,
            mime=mime,
            contenido=contenido,
            ruta=f"{carpeta}/file_{numero}.{extension}",
        )
        self._archivos[archivo.file_id] = archivo
        return archivo

    def _dict_chat_de(self, chat_id: int) -> dict:
        """El ``Chat`` de la Bot API: un supergrupo o el chat privado con la persona."""
        grupo = self._grupos.get(chat_id)
        return grupo.como_chat() if grupo is not None else dict_chat(self._usuarios[chat_id])

    def _campos_de_tema(self, chat_id: int, parametros: Parametros) -> dict:
        """Los campos de tema (message_thread_id) de un envío; los valida metodos_foros."""
        return {}

    def _notificar(self, mensaje: MensajeChat) -> None:
        for funcion in list(self._suscriptores):
            try:
                funcion(mensaje)
            except Exception:
                registro.exception("Fallo en un suscriptor de mensajes del bot")

    def _dict_bot(self) -> dict:
        return {
            "id": self.bot_id, "is_bot": True, "first_name": NOMBRE_BOT,
            "username": self.bot_username,
        }

    def _publicar(self, chat_id: int, contenido: dict, marcado: dict | None, **campos: Any) -> dict:
        """Guarda un mensaje nuevo del bot, avisa a los suscriptores y devuelve el Message."""
        if marcado is not None and "inline_keyboard" in marcado:
            contenido["reply_markup"] = marcado
        campos.update(campos_teclado(marcado))
        mensaje = self._guardar_mensaje(chat_id, True, contenido, **campos)
        self._notificar(mensaje)
        return copy.deepcopy(self._crudos[(chat_id, mensaje.message_id)])

    # ---------------------------------------------------------------- comprobaciones comunes

    def _chat_destino(self, parametros: Parametros) -> int:
        valor = parametros.valores.get("chat_id")
        if valor is None or valor == "":
            raise incorrecta("chat_id is empty")
        chat_id = a_entero(valor)
        if chat_id is None or (chat_id not in self._usuarios and chat_id not in self._grupos):
            raise incorrecta("chat not found")
        return chat_id

    def _texto_valido(self, texto: str | None, parametros: Parametros) -> tuple[str, list[dict]]:
        if texto is None or not texto.strip():
            raise incorrecta("message text is empty")
        plano, entidades = formatear(
            texto, parametros.texto("parse_mode"), parametros.json("entities")
        )
        if not plano.strip():
            raise incorrecta("message text is empty")
        if len(plano) > LONGITUD_MAX_TEXTO:
            raise incorrecta("message is too long")
        return plano, entidades

    def _pie_valido(self, parametros: Parametros) -> tuple[str | None, str | None, dict]:
        """(pie tal cual, pie visible, campos de Message) del parámetro caption."""
        pie = parametros.texto("caption")
        if not pie:
            return None, None, {}
        plano, entidades = formatear(
            pie, parametros.texto("parse_mode"), parametros.json("caption_entities")
        )
        if len(plano) > LONGITUD_MAX_PIE:
            raise incorrecta("message caption is too long")
        campos: dict[str, Any] = {"caption": plano}
        if entidades:
            campos["caption_entities"] = entidades
        return pie, plano, campos

    def _respuesta_a(self, chat_id: int, parametros: Parametros) -> dict:
        referencia = parametros.json("reply_parameters")
        if isinstance(referencia, dict):
            message_id = a_entero(referencia.get("message_id"))
            permitir = bool(referencia.get("allow_sending_without_reply"))
        else:
            message_id = parametros.entero("reply_to_message_id")
            permitir = parametros.booleano("allow_sending_without_reply")
        if message_id is None:
            return {}
        mensaje = self._buscar(chat_id, message_id)
        if mensaje is None or mensaje.borrado:
            if permitir:
                return {}
            raise incorrecta("message to be replied not found")
        respondido = copy.deepcopy(self._crudos[(chat_id, message_id)])
        respondido.pop("reply_to_message", None)
        return {"reply_to_message": respondido}
