"""Subir una foto o un documento como evidencia de un paso del camino.

    coop:ev:ID:PASO → ESPERANDO (una foto o un documento) → guardado → el paso → fin

Se guarda el file_id de Telegram y sus datos (nombre, tipo, tamaño), nunca el archivo: el
archivo se queda en Telegram y se vuelve a mandar por su file_id. Solo personas del grupo (se
revisa al entrar y otra vez al guardar).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from conversaciones.comun import salidas
from interfaz.cooperativa import boton_grupo, grupo_pedido
from interfaz.respuestas import responder, teclado
from nucleo.almacen.cooperativas import EvidenciaNueva
from nucleo.contexto import Contexto
from nucleo.cooperativas import Resultado

ESPERANDO = 0
CLAVE = "evidencia_de"


async def empezar(update: Update, contexto: Contexto) -> int:
    """coop:ev:ID:PASO → ESPERANDO (si es del grupo y el paso existe)."""
    _prefijo, _accion, grupo, paso_id = update.callback_query.data.split(":", 3)
    datos = await grupo_pedido(update, contexto, int(grupo))
    if datos is None:
        return ConversationHandler.END
    paso = contexto.contenido.cooperativa.paso(paso_id)
    _ = contexto.traductor
    if paso is None:
        await responder(update, _("Ese paso ya no existe."), teclado([boton_grupo(_, datos[0].id)]))
        return ConversationHandler.END
    contexto.user_data[CLAVE] = (datos[0].id, paso_id)
    texto = _("Manda una foto o un documento como evidencia del paso «{paso}». Por ejemplo, "
              "una foto del acta firmada o el comprobante de un trámite.").format(
        paso=_(paso.titulo))
    await responder(update, texto, teclado([(_("✖️ Salir"), "coopev:salir")]))
    return ESPERANDO


async def recibir(update: Update, contexto: Contexto) -> int:
    """La foto o el documento → guardado (su file_id) → el paso → fin."""
    _ = contexto.traductor
    mensaje = update.message
    if mensaje.photo:
        foto = mensaje.photo[-1]  # la más grande
        evidencia = EvidenciaNueva("foto", foto.file_id, foto.file_unique_id,
                                   tamano=foto.file_size)
    else:
        doc = mensaje.document
        evidencia = EvidenciaNueva("documento", doc.file_id, doc.file_unique_id,
                                   nombre_archivo=doc.file_name, mime=doc.mime_type,
                                   tamano=doc.file_size)
    destino = contexto.user_data.pop(CLAVE, None)
    if destino is None:
        await responder(update, _("No sé de qué paso es. Ábrelo otra vez y pulsa «Subir "
                                  "evidencia»."), teclado([(_("🤝 Mis grupos"), "coop:inicio")]))
        return ConversationHandler.END
    cooperativa_id, paso_id = destino
    resultado = await contexto.cooperativas.adjuntar(cooperativa_id, paso_id,
                                                     update.effective_user.id, evidencia)
    if resultado != Resultado.HECHO:
        await grupo_pedido(update, contexto, cooperativa_id)
        return ConversationHandler.END
    await responder(update, _("📎 Guardé la evidencia."),
                    teclado([(_("Ver el paso"), f"coop:s:{cooperativa_id}:{paso_id}")],
                            [boton_grupo(_, cooperativa_id)]))
    return ConversationHandler.END


async def otra_cosa(update: Update, contexto: Contexto) -> int:
    """Texto u otra cosa: se pide una foto o un documento."""
    _ = contexto.traductor
    await responder(update, _("Manda una foto o un documento, o pulsa «Salir»."),
                    teclado([(_("✖️ Salir"), "coopev:salir")]))
    return ESPERANDO


async def salir(update: Update, contexto: Contexto) -> int:
    """coopev:salir → fin, sin guardar."""
    _ = contexto.traductor
    destino = contexto.user_data.pop(CLAVE, None)
    filas = [[(_("Ver el paso"), f"coop:s:{destino[0]}:{destino[1]}")]] if destino else []
    await responder(update, _("Listo, no guardé nada."),
                    teclado(*filas, [(_("🤝 Mis grupos"), "coop:inicio")]))
    return ConversationHandler.END


def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="cooperativa_evidencia",
        persistent=False,
        allow_reentry=True,
        entry_points=[CallbackQueryHandler(empezar, pattern=r"^coop:ev:\d{1,12}:[a-z0-9_]{1,20}$")],
        states={
            ESPERANDO: [MessageHandler(filters.PHOTO | filters.Document.ALL, recibir),
                        CallbackQueryHandler(salir, pattern="^coopev:salir$"),
                        MessageHandler(filters.ALL & ~filters.COMMAND, otra_cosa)],
        },
        fallbacks=salidas(),
    )
