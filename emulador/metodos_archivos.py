"""Métodos de la Bot API con archivos: sendDocument, sendPhoto, sendVoice y getFile.

Un archivo puede llegar subido (multipart, también por ``attach://``), como file_id ya
conocido o como URL http(s); se guarda en memoria y se sirve luego por la ruta de archivos
del servidor.
"""

from __future__ import annotations

import mimetypes
import urllib.parse

from emulador.errores import incorrecta
from emulador.estado import EstadoEmulador
from emulador.modelo import ArchivoGuardado, documento_chat, tamano_foto
from emulador.parametros import Parametros
from emulador.validacion import problema_url, validar_marcado

MAXIMO_DESCARGA = 20 * 1024 * 1024  # getFile: lo más que la Bot API deja bajar a un bot


class MetodosArchivos(EstadoEmulador):
    """Envío de documentos, fotos y notas de voz, y consulta de archivos."""

    def _archivo_entrante(self, parametros: Parametros, campo: str) -> ArchivoGuardado:
        subido = parametros.archivos.get(campo)
        referencia = parametros.texto(campo)
        if subido is None and referencia and referencia.startswith("attach://"):
            subido = parametros.archivos.get(referencia.removeprefix("attach://"))
        if subido is not None:
            if not subido.contenido:
                raise incorrecta("file must be non-empty")
            mime = subido.mime or mimetypes.guess_type(subido.nombre)[0]
            return self._guardar_archivo(
                subido.nombre, mime or "application/octet-stream", subido.contenido, campo + "s"
            )
        if not referencia:
            raise incorrecta(f"there is no {campo} in the request")
        if referencia in self._archivos:
            return self._archivos[referencia]
        if referencia.startswith(("http://", "https://")) and not problema_url(referencia):
            nombre = urllib.parse.urlsplit(referencia).path.rsplit("/", 1)[-1] or campo
            mime = mimetypes.guess_type(nombre)[0] or "application/octet-stream"
            return self._guardar_archivo(nombre, mime, b"", campo + "s")
        raise incorrecta("wrong file identifier/HTTP URL specified")

    def _send_document(self, parametros: Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        archivo = self._archivo_entrante(parametros, "document")
        pie, plano, campos = self._pie_valido(parametros)
        marcado = validar_marcado(parametros.json("reply_markup"))
        contenido = {"document": archivo.como_documento(), **campos}
        contenido.update(self._campos_de_tema(chat_id, parametros))
        contenido.update(self._respuesta_a(chat_id, parametros))
        return self._publicar(
            chat_id, contenido, marcado, tipo="documento", texto=pie, texto_plano=plano,
            documento=documento_chat(archivo),
        )

    def _send_photo(self, parametros: Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        archivo = self._archivo_entrante(parametros, "photo")
        pie, plano, campos = self._pie_valido(parametros)
        marcado = validar_marcado(parametros.json("reply_markup"))
        fotos = [tamano_foto(archivo, 90), tamano_foto(archivo, 800)]
        contenido = {
            "photo": fotos, **campos, **self._campos_de_tema(chat_id, parametros),
            **self._respuesta_a(chat_id, parametros),
        }
        return self._publicar(
            chat_id, contenido, marcado, tipo="foto", texto=pie, texto_plano=plano
        )

    def _send_voice(self, parametros: Parametros) -> dict:
        chat_id = self._chat_destino(parametros)
        archivo = self._archivo_entrante(parametros, "voice")
        pie, plano, campos = self._pie_valido(parametros)
        marcado = validar_marcado(parametros.json("reply_markup"))
        voz = {
            "file_id": archivo.file_id, "file_unique_id": archivo.file_unique_id,
            "duration": parametros.entero("duration") or 1, "mime_type": archivo.mime,
            "file_size": len(archivo.contenido),
        }
        contenido = {
            "voice": voz, **campos, **self._campos_de_tema(chat_id, parametros),
            **self._respuesta_a(chat_id, parametros),
        }
        return self._publicar(
            chat_id, contenido, marcado, tipo="voz", texto=pie, texto_plano=plano
        )

    def _get_file(self, parametros: Parametros) -> dict:
        """Como Telegram: un file_id que no conoce (o que ya olvidó, `olvidar_archivo`) es
        400 «wrong file_id…»; un archivo de más de 20 MB no se puede bajar: 400 «file is too
        big» (el bot no recibe file_path)."""
        archivo = self._archivos.get(parametros.texto("file_id", obligatorio=True) or "")
        if archivo is None:
            raise incorrecta("wrong file_id or the file is temporarily unavailable")
        if archivo.tamano > MAXIMO_DESCARGA:
            raise incorrecta("file is too big")
        return {
            "file_id": archivo.file_id, "file_unique_id": archivo.file_unique_id,
            "file_size": archivo.tamano, "file_path": archivo.ruta,
        }

    def olvidar_archivo(self, file_id: str) -> None:
        """El archivo ya no está en Telegram (el file_id venció): getFile contesta 400 y su
        ruta de descarga, 404."""
        self._archivos.pop(file_id, None)
