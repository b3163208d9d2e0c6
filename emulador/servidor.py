"""Emulación local y estricta de la Bot API de Telegram sobre HTTP real (aiohttp).

El bot real (python-telegram-bot) se apunta a :attr:`EmuladorBotAPI.url_base` y habla HTTP con
este servidor como si fuera Telegram. Las pruebas actúan como personas usuarias con métodos
normales (``escribir``, ``pulsar_boton``...) llamados desde el mismo bucle de asyncio.

Las respuestas imitan las de Telegram: ``{"ok": true, "result": ...}`` o
``{"ok": false, "error_code": N, "description": "..."}``; las fechas van en segundos Unix.

Este módulo tiene el servidor aiohttp, el enrutado de peticiones a los métodos, los
bloqueos, los límites de tasas, los fallos inyectados y las caídas de toda la API;
``EmuladorBotAPI`` junta además las familias de métodos (``emulador.metodos_*``) y el lado de
las pruebas (``persona``, ``observacion``).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from emulador.errores import BLOQUEADO, PAGINA_502, ErrorAPI
from emulador.limites import cuenta_para_tasas, es_envio_o_edicion
from emulador.metodos_actualizaciones import MetodosActualizaciones
from emulador.metodos_archivos import MetodosArchivos
from emulador.metodos_bot import TEXTOS_DEL_BOT, MetodosBot
from emulador.metodos_callbacks import MetodosCallbacks
from emulador.metodos_foros import LadoForos
from emulador.metodos_mensajes import MetodosMensajes
from emulador.modelo import Peticion
from emulador.parametros import Parametros, leer_parametros
from emulador.persona import LadoPersona

registro = logging.getLogger(__name__)

TAMANO_MAX_PETICION = 60 * 1024 * 1024
_RUTA_METODO = re.compile(r"bot([^/]*)/([A-Za-z0-9_]+)/?")
_RUTA_ARCHIVO = re.compile(r"file/bot([^/]*)/(.+)")
TIPOS_DE_CAIDA = ("conexion", "502", "html", "json_invalido", "ok_false", "lenta")
# Lo que contesta una API «de basura» con estado 200 (un proxy de portal cautivo, un
# balanceador mal configurado, una respuesta cortada).
BASURA = {
    "html": ("<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>",
             "text/html"),
    "json_invalido": ('{"ok": true, "result": [{"update_id": ', "application/json"),
    "ok_false": ('{"ok": false}', "application/json"),
}


class EmuladorBotAPI(
    LadoPersona,
    MetodosActualizaciones,
    MetodosBot,
    MetodosMensajes,
    MetodosCallbacks,
    MetodosArchivos,
    LadoForos,  # supergrupos con temas, copias (y lo que hacen las pruebas en ellos)
):
    """Servidor HTTP local que se comporta como la Bot API de Telegram."""

    def __init__(
        self,
        token: str = "123456:PRUEBA-token",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        limitar_tasas: bool = False,
        reloj: Callable[[], float] = time.monotonic,
        bot_id: int = 123456,
        bot_username: str = "CooperaPueblaBot",
    ) -> None:
        super().__init__(
            token, limitar_tasas=limitar_tasas, reloj=reloj, bot_id=bot_id,
            bot_username=bot_username,
        )
        self.host = host
        self.puerto = port
        self._runner: web.AppRunner | None = None
        self._sitio: web.TCPSite | None = None
        self._caida: str | None = None
        self._demora_caida = 3.0
        self._metodos = self._tabla_de_metodos()

    # ---------------------------------------------------------------- ciclo de vida

    @property
    def url_base(self) -> str:
        return f"http://{self.host}:{self.puerto}/bot"

    @property
    def url_archivos(self) -> str:
        return f"http://{self.host}:{self.puerto}/file/bot"

    async def iniciar(self) -> None:
        aplicacion = web.Application(client_max_size=TAMANO_MAX_PETICION)
        aplicacion.router.add_route("*", "/{ruta:.*}", self._atender)
        self._runner = web.AppRunner(aplicacion, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await self._escuchar()
        self.puerto = self._runner.addresses[0][1]
        self._detenido = False

    async def _escuchar(self) -> None:
        self._sitio = web.TCPSite(self._runner, self.host, self.puerto)
        await self._sitio.start()

    async def detener(self) -> None:
        self._detenido = True
        self._caida = None
        self._avisar()
        await self._detener_webhook()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> EmuladorBotAPI:
        await self.iniciar()
        return self

    async def __aexit__(self, *excepcion: object) -> None:
        await self.detener()

    # ---------------------------------------------------------------- fallos

    def inyectar_fallo(
        self,
        tipo: str,
        *,
        metodo: str | None = None,
        chat_id: int | None = None,
        veces: int = 1,
        retry_after: int = 1,
        demora: float = 30.0,
    ) -> None:
        """Programa un fallo para las próximas `veces` peticiones que coincidan (FIFO).

        Sin `metodo`, coincide con cualquier método salvo getUpdates (nómbralo para fallarlo).
        """
        self._fallos.programar(tipo, metodo, chat_id, veces, retry_after, demora)

    @property
    def caida_activa(self) -> str | None:
        """El tipo de la caída en curso, o None si la API responde."""
        return self._caida

    async def caida(self, activa: bool, tipo: str = "conexion", demora: float = 3.0) -> None:
        """Toda la Bot API cae (`activa`) o vuelve, como en un corte real, hasta otra llamada.

        - "conexion": el puerto deja de escuchar y se cortan las conexiones abiertas (también
          un getUpdates en espera y lo que iba en camino, sin respuesta). Quien se conecte ve
          «connection refused»: PTB lanza NetworkError por httpx.ConnectError. Esas peticiones
          no llegan, así que no se anotan en `peticiones`. Al volver, escucha en el mismo puerto.
        - "502": cada petición, getUpdates incluido, recibe el 502 Bad Gateway en HTML del
          proxy de Telegram (no es JSON); se anotan con estado 502.
        - Basura con estado 200, anotada con estado 200 y `{"ok": False, "basura": tipo}`:
          "html" (una página HTML), "json_invalido" (JSON cortado a la mitad) y "ok_false"
          (`{"ok": false}` sin código ni descripción). Nada se ejecuta.
        - "lenta": cada petición espera `demora` segundos antes de atenderse (un getUpdates
          también), y luego se atiende normalmente.
        """
        if tipo not in TIPOS_DE_CAIDA:
            raise ValueError(f"tipo de caída desconocido {tipo!r}; válidos: {TIPOS_DE_CAIDA}")
        if not activa:
            if self._caida == "conexion" and self._runner is not None:
                await self._escuchar()
            self._caida = None
            self._avisar()  # las peticiones lentas siguen ya
            return
        if self._caida is not None:
            await self.caida(False)
        self._caida = tipo
        self._demora_caida = demora
        if tipo == "conexion" and self._sitio is not None:
            await self._sitio.stop()
            self._sitio = None
            for conexion in self._runner.server.connections:
                conexion.force_close()
            # Que los cierres salgan ya (el FIN de cada socket): así el cliente ve sus
            # conexiones guardadas como cerradas y abre otra, que se rechaza.
            for _ in range(3):
                await asyncio.sleep(0)

    async def _aplicar_fallo(self, metodo: str, chat_id: int | None) -> None:
        fallo = self._fallos.tomar(metodo, chat_id)
        if fallo is None:
            return
        if fallo.tipo != "timeout":
            raise fallo.error()
        await self._esperar_hasta(lambda: self._detenido, fallo.demora)
        if self._detenido:
            raise ErrorAPI(502, "Bad Gateway")

    # ---------------------------------------------------------------- HTTP

    async def _atender(self, peticion: web.Request) -> web.StreamResponse:
        instante = self.reloj()
        ruta = peticion.match_info["ruta"]
        archivo = _RUTA_ARCHIVO.fullmatch(ruta)
        if archivo is not None:
            return self._servir_archivo(archivo.group(1), archivo.group(2))
        coincidencia = _RUTA_METODO.fullmatch(ruta)
        metodo = coincidencia.group(2) if coincidencia else ruta
        try:
            parametros = await leer_parametros(peticion)
        except ErrorAPI as error:
            return self._anotar(metodo, {}, instante, error.codigo, error.cuerpo())
        if self._caida == "502":
            self.peticiones.append(Peticion(metodo, parametros.visibles(), instante, 502,
                                            {"ok": False, "html": "502 Bad Gateway"}))
            return web.Response(text=PAGINA_502, status=502, content_type="text/html")
        if self._caida in BASURA:
            texto, tipo_contenido = BASURA[self._caida]
            self.peticiones.append(Peticion(metodo, parametros.visibles(), instante, 200,
                                            {"ok": False, "basura": self._caida}))
            return web.Response(text=texto, status=200, content_type=tipo_contenido)
        if self._caida == "lenta":
            await self._esperar_hasta(lambda: self._detenido or self._caida != "lenta",
                                      self._demora_caida)
        if coincidencia is None:
            estado, cuerpo = 404, ErrorAPI(404, "Not Found").cuerpo()
        else:
            metodo, estado, cuerpo = await self._responder(
                coincidencia.group(1), metodo, parametros
            )
        return self._anotar(metodo, parametros.visibles(), instante, estado, cuerpo)

    def _anotar(
        self, metodo: str, parametros: dict, instante: float, estado: int, cuerpo: dict
    ) -> web.Response:
        self.peticiones.append(Peticion(metodo, parametros, instante, estado, cuerpo))
        return web.json_response(cuerpo, status=estado)

    async def _responder(
        self, token: str, metodo: str, parametros: Parametros
    ) -> tuple[str, int, dict]:
        if token != self.token:
            return metodo, 401, ErrorAPI(401, "Unauthorized").cuerpo()
        entrada = self._metodos.get(metodo.lower())
        nombre = entrada[0] if entrada else metodo
        chat_id = parametros.chat_id_suave()
        try:
            await self._aplicar_fallo(nombre, chat_id)
            if entrada is None:
                raise ErrorAPI(404, "Not Found")
            self._comprobar_bloqueo(nombre, chat_id)
            self._comprobar_tasas(nombre, chat_id, parametros.booleano("allow_paid_broadcast"))
            resultado = entrada[1](parametros)
            if inspect.isawaitable(resultado):
                resultado = await resultado
            self._anotar_envio(nombre, chat_id)
            return nombre, 200, {"ok": True, "result": resultado}
        except ErrorAPI as error:
            return nombre, error.codigo, error.cuerpo()
        except Exception as error:  # un fallo del propio emulador: visible, no silencioso
            registro.exception("Error interno del emulador en %s", nombre)
            descripcion = f"Internal Server Error: emulator bug: {error!r}"
            return nombre, 500, ErrorAPI(500, descripcion).cuerpo()

    def _servir_archivo(self, token: str, ruta: str) -> web.Response:
        if token != self.token:
            return web.json_response(ErrorAPI(401, "Unauthorized").cuerpo(), status=401)
        for archivo in self._archivos.values():
            if archivo.ruta == ruta:
                return web.Response(body=archivo.contenido, content_type=archivo.mime)
        return web.json_response(ErrorAPI(404, "Not Found").cuerpo(), status=404)

    # ---------------------------------------------------------------- bloqueos y tasas

    def _comprobar_bloqueo(self, metodo: str, chat_id: int | None) -> None:
        if chat_id in self._bloqueados and es_envio_o_edicion(metodo):
            raise ErrorAPI(403, BLOQUEADO)

    def _comprobar_tasas(self, metodo: str, chat_id: int | None, pagado: bool) -> None:
        if self.limitar_tasas and cuenta_para_tasas(metodo):
            self._tasas.comprobar(chat_id, self.reloj(), pagado=pagado)

    def _anotar_envio(self, metodo: str, chat_id: int | None) -> None:
        if cuenta_para_tasas(metodo):
            self._tasas.anotar(chat_id, self.reloj())

    # ---------------------------------------------------------------- tabla de métodos

    def _tabla_de_metodos(self) -> dict[str, tuple[str, Callable[[Parametros], Any]]]:
        """Nombre en minúsculas → (nombre canónico, función); Telegram no distingue mayúsculas."""
        metodos: dict[str, Callable[[Parametros], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "setMessageReaction": self._set_message_reaction,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendVoice": self._send_voice,
            "sendChatAction": self._send_chat_action,
            "sendLocation": self._send_location,
            "sendVenue": self._send_venue,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            "getChatMember": self._get_chat_member,
            "copyMessage": self._copy_message,
            "createForumTopic": self._create_forum_topic,
            "editForumTopic": self._edit_forum_topic,
            "closeForumTopic": self._close_forum_topic,
            "reopenForumTopic": self._reopen_forum_topic,
            "deleteForumTopic": self._delete_forum_topic,
            "close": lambda _p: True,
            "logOut": lambda _p: True,
        }
        for campo, clave, maximo in TEXTOS_DEL_BOT:
            nombre = campo[0].upper() + campo[1:]
            metodos[f"setMy{nombre}"] = self._fijador_texto_bot(campo, clave, maximo)
            metodos[f"getMy{nombre}"] = self._lector_texto_bot(campo, clave)
        return {nombre.lower(): (nombre, funcion) for nombre, funcion in metodos.items()}
