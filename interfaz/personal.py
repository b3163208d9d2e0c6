"""Piezas del personal de la Secretaría que comparten sus comandos (handlers/personal*.py) y
sus flujos (conversaciones/sesion_*.py): la única comprobación de quién es personal, el botón
de su menú y la ficha de una sesión con sus botones.

Todo handler del personal pasa por `solo_personal`: quien no es personal recibe una negativa
amable y nada cambia, aunque escriba el comando o invente los datos de un botón («pers:...»).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from interfaz.respuestas import avisar, boton_menu, responder, teclado
from nucleo.almacen.cursos import Sesion
from nucleo.configuracion import Configuracion
from nucleo.contexto import Contexto
from nucleo.tarjetas import ficha_personal_html
from nucleo.textos import N_, Traductor
from nucleo.vocabulario import EstadoSesion

Callback = Callable[[Update, Contexto], Awaitable[Any]]
COMANDOS_PERSONAL = (("personal", N_("Menú del personal de la Secretaría")),
                     ("bandeja", N_("Conversaciones de asesoría: leer y contestar")),
                     ("cooperativas", N_("Cooperativas en formación")),
                     ("anuncio", N_("Escribir un anuncio")),
                     ("anuncios", N_("Anuncios: cómo van, programados y pasados")),
                     ("estadisticas", N_("Cifras del programa")))
# Código de cada dato que se puede corregir (va en los botones) → columna de la sesión.
CAMPOS_DE_BOTON = {"mun": "municipio_clave", "lugar": "lugar", "dir": "direccion",
                   "mapa": "mapa_url", "enlace": "enlace", "cupo": "cupo"}


def _solo_si(puede: Callable[[Configuracion, int | None], bool],
             callback: Callback) -> Callback:
    """Envuelve `callback`: lo atiende si `puede(config, id)`; si no, la respuesta amable de
    «solo para el personal», y si venía de un flujo, no se queda en él."""

    @functools.wraps(callback)
    async def envoltura(update: Update, contexto: Contexto) -> Any:
        usuario = update.effective_user
        if puede(contexto.config, usuario.id if usuario else None):
            return await callback(update, contexto)
        await rechazar(update, contexto)
        return ConversationHandler.END

    return envoltura


def solo_personal(callback: Callback) -> Callback:
    """El único lugar donde se decide quién es personal: envuelve cada handler del personal."""
    return _solo_si(Configuracion.es_personal, callback)


def solo_administracion(callback: Callback) -> Callback:
    """Como `solo_personal`, para lo que solo hace administración (/roles, /auditoria)."""
    return _solo_si(Configuracion.es_administracion, callback)


async def rechazar(update: Update, contexto: Contexto) -> None:
    _ = contexto.traductor
    texto = _("Esta función es solo para el personal de la Secretaría. "
              "Puedes seguir usando el menú:")
    await avisar(update, _("Esta función es solo para el personal de la Secretaría."))
    await responder(update, texto, teclado([boton_menu(_)]), editar=False)


def boton_menu_personal(_: Traductor) -> tuple[str, str]:
    return (_("⬅️ Menú del personal"), "pers:menu")


def ficha(contexto: Contexto, sesion: Sesion) -> str:
    """La ficha de una sesión guardada, para el personal."""
    return ficha_personal_html(contexto.traductor, contexto.config.zona_horaria,
                               contexto.contenido, sesion, cupo=sesion.cupo, guardada=sesion)


async def sesion_pedida(update: Update, contexto: Contexto) -> Sesion | None:
    """La sesión del botón (pers:s:ID...). Si ya no existe, lo dice y devuelve None."""
    coincidencia = re.match(r"^pers:s:(\d+)", update.callback_query.data)
    sesion = await contexto.almacen.sesion(int(coincidencia.group(1))) if coincidencia else None
    if sesion is None:
        _ = contexto.traductor
        await responder(update, _("Esa sesión ya no existe."),
                        teclado([(_("📅 Sesiones próximas"), "pers:sesiones")]))
    return sesion


async def mostrar_sesion(update: Update, contexto: Contexto, sesion: Sesion, antes: str = "",
                         *, editar: bool = True) -> None:
    _ = contexto.traductor
    prefijo = f"pers:s:{sesion.id}"
    filas = [[(_("👥 Lista"), f"{prefijo}:lista"), (_("📄 Lista en CSV"), f"{prefijo}:csv")]]
    if sesion.estado == EstadoSesion.PROGRAMADA:
        filas += [
            [(_("✅ Asistencia"), f"{prefijo}:asis:0"), (_("🔑 Código"), f"{prefijo}:cod")],
            [(_("✏️ Corregir datos"), f"{prefijo}:editar"),
             (_("🕒 Cambiar fecha"), f"{prefijo}:rep")],
            [(_("❌ Cancelar la sesión"), f"{prefijo}:can")],
        ]
    filas.append([(_("📅 Sesiones próximas"), "pers:sesiones")])
    texto = (f"{antes}\n\n" if antes else "") + ficha(contexto, sesion)
    await responder(update, texto, teclado(*filas), editar=editar)
