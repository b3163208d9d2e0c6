"""/asesoria: la persona le escribe a una persona asesora de la Secretaría.

- /asesoria (o el botón «Hablar con una persona asesora» del menú, de /ayuda y de cada
  resultado): sin el aviso aceptado, primero el aviso (nada se guarda sin permiso) y, al
  aceptarlo, de vuelta aquí; con él, cómo escribir y cuándo contestan.
- Mientras la persona tenga una conversación con asesoría (abierta, o cerrada: al volver a
  escribir se reabre), lo que escribe suelto en su chat —texto, fotos, documentos, notas de
  voz— va a la persona asesora en vez de «No entendí». Los comandos y los flujos abiertos
  (orientación, perfil...) siguen funcionando: van antes en `aplicacion.registrar_handlers`.
"""

from __future__ import annotations

from contextlib import suppress
from html import escape

from telegram import Update
from telegram.error import TelegramError

from handlers import imprevistos
from interfaz.asesoria import cuando_contestan
from interfaz.aviso import aviso_simplificado, guardar_aceptacion
from interfaz.respuestas import boton_menu, responder, teclado
from nucleo.asesoria import Llegada, mensaje_nuevo
from nucleo.contexto import Contexto

RECIBIDO = "👍"  # la reacción con que se confirma un mensaje más mientras espera respuesta


async def abrir(update: Update, contexto: Contexto) -> None:
    """/asesoria y el botón del menú: cómo escribirle a una persona asesora."""
    await _abrir(update, contexto, editar=True)


async def _abrir(update: Update, contexto: Contexto, *, editar: bool) -> None:
    _ = contexto.traductor
    usuario = update.effective_user
    persona = await contexto.almacen.persona(usuario.id)
    if persona is None or not persona.acepto:
        await pedir_permiso(update, contexto)
        return
    conversacion = await contexto.asesoria.abrir(usuario.id, contexto.user_data.get("idioma"),
                                                 usuario.first_name)
    if conversacion is not None and conversacion.abierta and conversacion.mensajes > 0:
        texto = _("Tu conversación con una persona asesora sigue abierta. Puedes seguir "
                  "escribiendo aquí: texto, fotos, documentos o notas de voz.")
    else:
        texto = _("<b>Hablar con una persona asesora</b>\n"
                  "Escribe aquí tu pregunta con tus palabras, o manda una nota de voz, una foto "
                  "o un documento. Se lo paso a una persona asesora de la {siglas}.").format(
            siglas=escape(contexto.contenido.oficina.siglas))
    texto += "\n\n" + cuando_contestan(contexto, _) + "\n\n" + _(
        "Lo que le escribas queda guardado con tus datos: lo ves y lo borras con /mis_datos.")
    await responder(update, texto, teclado([boton_menu(_)]), editar=editar)


async def pedir_permiso(update: Update, contexto: Contexto) -> None:
    """Sin el aviso aceptado: para pasar sus mensajes hay que guardarlos; primero el aviso."""
    _ = contexto.traductor
    titulo = _("Aviso de privacidad")
    texto = (_("Para pasarle tus mensajes a una persona asesora necesito guardarlos, y para "
               "eso pido tu permiso.")
             + f"\n\n<b>{titulo}</b>\n{aviso_simplificado(contexto.contenido, _)}\n\n"
             + _("¿Estás de acuerdo con este aviso?"))
    botones = teclado([(_("✅ Sí, acepto"), "ase:acepto")],
                      [(_("❌ No acepto"), "aviso:rechazo")],
                      [(_("📄 Leer el aviso completo"), "aviso:leer")])
    await responder(update, texto, botones, editar=False)


async def aceptar_aviso(update: Update, contexto: Contexto) -> None:
    """«Sí, acepto» desde /asesoria: guarda el consentimiento (como el de /start) y vuelve a
    /asesoria; el perfil se puede llenar después con /perfil."""
    await guardar_aceptacion(update, contexto)
    _ = contexto.traductor
    await responder(update, _("¡Gracias por tu confianza! 🙌"), editar=False)
    await _abrir(update, contexto, editar=False)


async def mensaje_suelto(update: Update, contexto: Contexto) -> None:
    """Un mensaje en el chat privado que ningún flujo ni comando tomó. Si la persona tiene
    conversación con asesoría, se le pasa a la persona asesora; si no, lo de siempre
    (`handlers/imprevistos.py`)."""
    usuario = update.effective_user
    conversacion = await contexto.asesoria.de(usuario.id)
    if conversacion is None:
        await _lo_de_siempre(update, contexto)
        return
    _ = contexto.traductor
    mensaje = mensaje_nuevo(update.message)
    if mensaje is None:
        texto = _("Eso no se lo puedo pasar. A la persona asesora le paso texto, fotos, "
                  "documentos y notas de voz.")
        await responder(update, texto)
        return
    recibido = await contexto.asesoria.recibir(contexto.bot, usuario.id,
                                               contexto.user_data.get("idioma"),
                                               usuario.first_name, mensaje)
    if recibido.llegada == Llegada.SIN_PERMISO:
        await pedir_permiso(update, contexto)
    elif recibido.llegada == Llegada.SIGUE:
        # Ya sabe que le contestan: un 👍 en su mensaje confirma sin llenar el chat.
        with suppress(TelegramError):
            await update.message.set_reaction(RECIBIDO)
    else:
        texto = (_("✅ Recibí tu mensaje y se lo pasé a una persona asesora.") + " "
                 + cuando_contestan(contexto, _) + "\n\n"
                 + _("Puedes seguir escribiendo aquí."))
        await responder(update, texto, teclado([boton_menu(_)]))


async def _lo_de_siempre(update: Update, contexto: Contexto) -> None:
    if update.message is not None and update.message.text:
        await imprevistos.texto_suelto(update, contexto)
    else:
        await imprevistos.no_es_texto(update, contexto)
