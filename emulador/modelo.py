"""Modelo de datos del emulador: personas usuarias, mensajes, peticiones y archivos guardados.

Aquí están las clases públicas que usan las pruebas (``UsuarioFicticio``, ``MensajeChat``,
``Peticion``, ``BotonNoEncontrado``) y cómo se ven como objetos de la Bot API (``User``,
``Chat``). No depende de aiohttp ni del resto del emulador.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

NOMBRE_BOT = "Coopera Puebla"


@dataclass(frozen=True)
class UsuarioFicticio:
    """Persona usuaria simulada; su chat privado con el bot tiene el mismo id."""

    id: int
    first_name: str = "Ana"
    language_code: str | None = "es"
    username: str | None = None
    last_name: str | None = None


@dataclass
class MensajeChat:
    """Un mensaje de un chat privado tal como lo guarda Telegram."""

    message_id: int
    chat_id: int
    de_bot: bool
    texto: str | None
    texto_plano: str | None
    teclado: list[list[dict]] | None
    teclado_respuesta: dict | None
    documento: dict | None
    tipo: str
    fecha: int
    editado: bool = False
    borrado: bool = False
    remitente_id: int | None = None  # quién lo escribió (en un grupo); None si es del bot
    hilo: int | None = None  # message_thread_id: el tema del foro donde está
    reaccion: str | None = None  # la reacción que le puso el bot (setMessageReaction)

    def botones(self) -> list[dict]:
        """Botones en línea del mensaje, aplanados por filas."""
        return [boton for fila in self.teclado or [] for boton in fila]


@dataclass(frozen=True)
class Peticion:
    """Una petición HTTP recibida, haya salido bien o no."""

    metodo: str
    parametros: dict
    instante: float
    estado_http: int
    respuesta: dict

    @property
    def ok(self) -> bool:
        return bool(self.respuesta.get("ok"))


class BotonNoEncontrado(AssertionError):
    """No hay un botón con ese texto; el mensaje enumera los disponibles."""


@dataclass
class ArchivoGuardado:
    """Un archivo que el emulador conoce (subido por el bot o mandado por una persona)."""

    file_id: str
    file_unique_id: str
    nombre: str
    mime: str
    contenido: bytes
    ruta: str
    # El tamaño que dice Telegram, si no es el del contenido: un archivo de 25 MB en una prueba
    # sin tener 25 MB en memoria (getFile lo rechaza igual que Telegram, ver metodos_archivos).
    tamano_declarado: int | None = None

    @property
    def tamano(self) -> int:
        return len(self.contenido) if self.tamano_declarado is None else self.tamano_declarado

    def como_documento(self) -> dict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.nombre,
            "mime_type": self.mime,
            "file_size": self.tamano,
        }


@dataclass
class TemaForo:
    """Un tema (forum topic) de un supergrupo con temas; su id es el del mensaje que lo abrió."""

    message_thread_id: int
    nombre: str
    icon_color: int
    cerrado: bool = False
    borrado: bool = False


@dataclass
class GrupoFicticio:
    """Un supergrupo donde está el bot. `administradores`: quién puede gestionar temas (y
    escribir en uno cerrado); `bot_gestiona_temas`: si el bot es administrador con el permiso
    «Gestionar temas» (sin él, Telegram no le deja crear ni cerrar temas)."""

    id: int
    titulo: str
    es_foro: bool = True
    bot_gestiona_temas: bool = True
    miembros: dict[int, UsuarioFicticio] = field(default_factory=dict)
    administradores: set[int] = field(default_factory=set)
    temas: dict[int, TemaForo] = field(default_factory=dict)

    def como_chat(self) -> dict:
        """El objeto ``Chat`` de la Bot API del supergrupo."""
        datos: dict[str, Any] = {"id": self.id, "type": "supergroup", "title": self.titulo}
        if self.es_foro:
            datos["is_forum"] = True
        return datos


def tamano_foto(archivo: ArchivoGuardado, lado: int) -> dict:
    """Un PhotoSize cuadrado de `lado` píxeles del archivo."""
    return {
        "file_id": archivo.file_id, "file_unique_id": archivo.file_unique_id,
        "width": lado, "height": lado, "file_size": len(archivo.contenido),
    }


def documento_chat(archivo: ArchivoGuardado) -> dict:
    """El documento tal como lo guarda `MensajeChat.documento` (con el contenido)."""
    return {
        "file_name": archivo.nombre, "mime_type": archivo.mime,
        "contenido": archivo.contenido, "file_id": archivo.file_id,
    }


def dict_usuario(usuario: UsuarioFicticio) -> dict:
    """El objeto ``User`` de la Bot API para la persona."""
    datos: dict[str, Any] = {"id": usuario.id, "is_bot": False, "first_name": usuario.first_name}
    for clave in ("last_name", "username", "language_code"):
        if getattr(usuario, clave) is not None:
            datos[clave] = getattr(usuario, clave)
    return datos


def dict_chat(usuario: UsuarioFicticio) -> dict:
    """El objeto ``Chat`` de la Bot API del chat privado con la persona."""
    datos: dict[str, Any] = {"id": usuario.id, "type": "private", "first_name": usuario.first_name}
    for clave in ("last_name", "username"):
        if getattr(usuario, clave) is not None:
            datos[clave] = getattr(usuario, clave)
    return datos


def ahora_unix() -> int:
    """Fecha actual en segundos Unix, como las de Telegram."""
    return int(time.time())


def id_de(usuario_o_id: UsuarioFicticio | int) -> int:
    return usuario_o_id.id if isinstance(usuario_o_id, UsuarioFicticio) else int(usuario_o_id)


def elegir_boton(mensaje: MensajeChat, texto: str) -> dict:
    """El botón con ese texto exacto, o el único que lo contiene; si no, BotonNoEncontrado."""
    botones = mensaje.botones()
    exactos = [boton for boton in botones if boton.get("text") == texto]
    if exactos:
        return exactos[0]
    buscado = texto.casefold()
    parecidos = [boton for boton in botones if buscado in str(boton.get("text", "")).casefold()]
    if len(parecidos) == 1:
        return parecidos[0]
    disponibles = ", ".join(repr(boton.get("text")) for boton in botones) or "(ninguno)"
    motivo = "varios botones contienen" if parecidos else "ningún botón coincide con"
    raise BotonNoEncontrado(
        f"{motivo} {texto!r} en el mensaje {mensaje.message_id}; disponibles: {disponibles}"
    )
