"""El personal importa sesiones mandando el archivo CSV al bot, en su chat privado.

    pers:importar («📥 Importar sesiones de un CSV» en /personal) → ARCHIVO (pide el archivo)
    un documento .csv del personal, en cualquier momento            → revisión
    revisión con errores → ARCHIVO (cada error con su línea; puede mandar otro)
    revisión sin errores → CONFIRMAR [📥 Importar → fin | ✖️ Cancelar → fin]

La revisión es la misma de la línea de comandos (`nucleo/importacion.py`: todo el archivo y, si
una línea tiene un error, no entra ninguna). El archivo se baja con getFile; en `user_data` solo
queda su file_id, y al pulsar «Importar» se baja y se revisa otra vez (una fecha pudo pasar u
otra persona pudo importar lo mismo). Importar es una sola transacción con la anotación en la
bitácora y los avisos a quien esperaba fechas (`Capacitacion.importar_sesiones`).

Solo el personal entra: el documento pasa por un filtro que pregunta a la configuración (y los
roles) si quien lo manda es personal; a cualquier otra persona su CSV le llega a lo de siempre
(la asesoría o la respuesta a un documento suelto), nunca aquí. Cada handler pasa además por
`solo_personal`.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from telegram import Document, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from conversaciones.comun import interrumpir, repetir_paso, salidas
from conversaciones.sesion_comun import boton
from interfaz.personal import boton_menu_personal, solo_personal
from interfaz.respuestas import responder, teclado
from nucleo.configuracion import Configuracion
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_corta
from nucleo.importacion import COLUMNAS, OBLIGATORIAS, Revision, revisar_con_la_base
from nucleo.tarjetas import nombre_curso
from nucleo.textos import Traductor

ARCHIVO, CONFIRMAR = range(2)
MAXIMO_BYTES = 1024 * 1024  # 1 MB: unas 10,000 sesiones; más no es un archivo de sesiones
ERRORES_A_LA_VISTA = 15  # los demás, «y N más»: el mensaje cabe en la pantalla
CLAVE = "importacion_csv"  # en user_data: {"file_id", "nombre"} del archivo revisado
# Un CSV: el nombre termina en .csv o el teléfono dice que es CSV (y no es de Excel).
TIPOS_CSV = ("text/csv", "text/comma-separated-values", "application/csv")
EXTENSIONES_EXCEL = (".xlsx", ".xls", ".ods")


class _DocumentoDelPersonal(filters.MessageFilter):
    """Un documento que parece CSV, mandado por el personal en su chat privado."""

    def __init__(self, config: Configuracion) -> None:
        super().__init__(name="documento_del_personal")
        self._config = config

    def filter(self, message: Message) -> bool:
        usuario = message.from_user
        return (message.document is not None and es_csv(message.document)
                and self._config.es_personal(usuario.id if usuario else None))


def es_csv(documento: Document) -> bool:
    nombre = (documento.file_name or "").lower()
    return nombre.endswith(".csv") or (
        documento.mime_type in TIPOS_CSV and not nombre.endswith(EXTENSIONES_EXCEL))


# --- pedir el archivo ---------------------------------------------------------------------------

async def pedir_archivo(update: Update, contexto: Contexto) -> int:
    """pers:importar: cómo es el archivo y que lo mande aquí → ARCHIVO."""
    _ = contexto.traductor
    contexto.user_data.pop(CLAVE, None)
    texto = _(
        "<b>Importar sesiones de un CSV</b>\n"
        "Mándame aquí el archivo CSV (📎, como documento). Primero lo reviso y te digo qué "
        "encontré. No se guarda nada hasta que pulses «Importar».\n\n"
        "La primera línea lleva los nombres de las columnas: {columnas}. Son obligatorias: "
        "{obligatorias}.\n"
        "• fecha: DD/MM/AAAA o AAAA-MM-DD; hora: HH:MM, hora de Puebla.\n"
        "• modalidad: presencial (con municipio, lugar y dirección) o en_linea (con enlace).\n"
        "• municipio: su nombre o su clave del INEGI.\n"
        "En Excel, guárdalo como «CSV UTF-8»."
    ).format(columnas=", ".join(COLUMNAS), obligatorias=", ".join(OBLIGATORIAS))
    await responder(update, texto, _cancelar(_))
    return ARCHIVO


def _cancelar(_: Traductor) -> InlineKeyboardMarkup:
    return teclado([(_("✖️ Cancelar"), "pers:imp:no")])


async def no_es_archivo(update: Update, contexto: Contexto) -> int:
    """En ARCHIVO, algo que no es un documento CSV: se dice qué falta y se sigue esperando."""
    _ = contexto.traductor
    documento = update.effective_message.document if update.effective_message else None
    nombre = (documento.file_name or "").lower() if documento else ""
    if documento is not None and nombre.endswith(EXTENSIONES_EXCEL):
        texto = _("Ese es un archivo de Excel. Ábrelo en Excel y guárdalo como «CSV UTF-8» "
                  "(Archivo → Guardar como). Luego mándame el archivo .csv.")
    elif documento is not None:
        texto = _("Ese archivo no es un CSV. Mándame un archivo que termine en .csv.")
    else:
        texto = _("Mándame el archivo CSV como documento (con 📎). O pulsa «Cancelar».")
    await responder(update, texto, _cancelar(_), editar=False)
    return ARCHIVO


# --- recibir y revisar --------------------------------------------------------------------------

async def recibir_archivo(update: Update, contexto: Contexto) -> int:
    """Un documento CSV del personal: se baja, se revisa y se cuenta → CONFIRMAR o ARCHIVO."""
    _ = contexto.traductor
    documento = update.effective_message.document
    contexto.user_data.pop(CLAVE, None)
    if documento.file_size is not None and documento.file_size > MAXIMO_BYTES:
        await _decir(update, contexto, _muy_grande(_, documento.file_size))
        return ARCHIVO
    datos = await _bajar(update, contexto, documento.file_id)
    if datos is None:
        return ARCHIVO
    revision = await _revisar(contexto, datos)
    if revision.errores:
        await _decir(update, contexto, _texto_errores(contexto, revision))
        return ARCHIVO
    contexto.user_data[CLAVE] = {"file_id": documento.file_id,
                                 "nombre": documento.file_name or "sesiones.csv"}
    _ = contexto.traductor
    texto = (_("<b>El archivo está bien.</b>") + "\n"
             + _.plural("Se crearía {n} sesión:", "Se crearían {n} sesiones:",
                        len(revision.sesiones)).format(n=len(revision.sesiones))
             + "\n" + _resumen(contexto, revision) + "\n\n"
             + _.plural("¿La importo? Aparecerá para inscribirse y avisaré a quien esperaba "
                        "fechas.", "¿Las importo? Aparecerán para inscribirse y avisaré a quien "
                        "esperaba fechas.", len(revision.sesiones)))
    botones = teclado([(_("📥 Importar"), "pers:imp:si")], [(_("✖️ Cancelar"), "pers:imp:no")])
    await responder(update, texto, botones, editar=False)
    return CONFIRMAR


async def _bajar(update: Update, contexto: Contexto, file_id: str) -> bytes | None:
    """El contenido del archivo (getFile y la descarga), o None si no se pudo (ya se dijo)."""
    _ = contexto.traductor
    try:
        archivo = await contexto.bot.get_file(file_id)
        datos = bytes(await archivo.download_as_bytearray())
    except BadRequest as error:
        if "too big" in str(error).lower():
            texto = _("Ese archivo es muy grande: Telegram no deja bajar archivos de más de "
                      "20 MB. Un archivo de sesiones pesa mucho menos.")
        else:
            texto = _("No pude abrir ese archivo: Telegram ya no lo tiene. Mándamelo otra vez.")
        await _decir(update, contexto, texto)
        return None
    except (NetworkError, TelegramError):
        await _decir(update, contexto, _("No pude bajar el archivo: Telegram no respondió. "
                                         "Mándamelo otra vez en un momento."))
        return None
    if len(datos) > MAXIMO_BYTES:
        await _decir(update, contexto, _muy_grande(_, len(datos)))
        return None
    return datos


async def _revisar(contexto: Contexto, datos: bytes) -> Revision:
    return await revisar_con_la_base(datos, contexto.almacen, contexto.contenido,
                                     contexto.config.zona_horaria, contexto.reloj.ahora())


def _muy_grande(_: Traductor, tamano: int) -> str:
    return _("Ese archivo es muy grande ({tamano}). Un archivo de sesiones pesa mucho menos: "
             "revisa que sea el correcto. Puedes partirlo en varios de hasta 1 MB.").format(
        tamano=f"{tamano / (1024 * 1024):.1f} MB")


async def _decir(update: Update, contexto: Contexto, texto: str) -> None:
    """Un mensaje nuevo, con «Cancelar»: se sigue esperando un archivo."""
    await responder(update, texto, _cancelar(contexto.traductor), editar=False)


def _texto_errores(contexto: Contexto, revision: Revision) -> str:
    _ = contexto.traductor
    n = len(revision.errores)
    lineas = [f"• {escape(e.traducido(_))}" for e in revision.errores[:ERRORES_A_LA_VISTA]]
    if n > ERRORES_A_LA_VISTA:
        lineas.append(_("• y {n} más").format(n=n - ERRORES_A_LA_VISTA))
    return (_.plural("<b>No importé nada:</b> el archivo tiene {n} error.",
                     "<b>No importé nada:</b> el archivo tiene {n} errores.", n).format(n=n)
            + "\n" + "\n".join(lineas) + "\n\n"
            + _("Corrige el archivo y mándamelo otra vez. Si una línea tiene un error, no "
                "entra ninguna."))


def _resumen(contexto: Contexto, revision: Revision) -> str:
    """Por curso: cuántas sesiones y de qué fecha a qué fecha."""
    _ = contexto.traductor
    zona = contexto.config.zona_horaria
    cuantas = Counter(s.curso_id for _linea, s in revision.sesiones)
    lineas = []
    for curso_id, n in cuantas.items():
        inicios = sorted(s.inicio for _linea, s in revision.sesiones if s.curso_id == curso_id)
        primera, ultima = fecha_corta(inicios[0], _, zona), fecha_corta(inicios[-1], _, zona)
        cuando = primera if primera == ultima else _("del {primera} al {ultima}").format(
            primera=primera, ultima=ultima)
        lineas.append("• " + _.plural("<b>{curso}</b>: {n} sesión, {cuando}",
                                      "<b>{curso}</b>: {n} sesiones, {cuando}", n).format(
            curso=escape(nombre_curso(_, contexto.contenido, curso_id)), n=n, cuando=cuando))
    return "\n".join(lineas)


# --- confirmar ----------------------------------------------------------------------------------

async def importar(update: Update, contexto: Contexto) -> int:
    """pers:imp:si: se baja y se revisa otra vez; si sigue bien, se importa todo junto → fin."""
    _ = contexto.traductor
    guardado = contexto.user_data.get(CLAVE)
    if not guardado:
        await responder(update, _("Ya no tengo ese archivo. Mándamelo otra vez."),
                        _cancelar(_))
        return ARCHIVO
    await responder(update, _("Importando…"))
    datos = await _bajar(update, contexto, guardado["file_id"])
    if datos is None:
        return ARCHIVO
    revision = await _revisar(contexto, datos)
    if revision.errores:
        contexto.user_data.pop(CLAVE, None)
        await _decir(update, contexto, _texto_errores(contexto, revision))
        return ARCHIVO
    ids, avisadas = await contexto.capacitacion.importar_sesiones(
        [s for _linea, s in revision.sesiones], update.effective_user.id)
    contexto.user_data.pop(CLAVE, None)
    texto = "✅ " + _.plural("Listo: importé {n} sesión. Ya aparece para inscribirse.",
                            "Listo: importé {n} sesiones. Ya aparecen para inscribirse.",
                            len(ids)).format(n=len(ids))
    if avisadas:
        texto += "\n" + _.plural("Avisé a {n} persona que esperaba fechas.",
                                 "Avisé a {n} personas que esperaban fechas.",
                                 avisadas).format(n=avisadas)
    await responder(update, texto, teclado([(_("📅 Sesiones próximas"), "pers:sesiones")],
                                           [boton_menu_personal(_)]))
    return ConversationHandler.END


async def cancelar(update: Update, contexto: Contexto) -> int:
    """pers:imp:no o /cancelar: no se importa nada → fin."""
    _ = contexto.traductor
    contexto.user_data.pop(CLAVE, None)
    await responder(update, _("Listo, no importé nada."), teclado([boton_menu_personal(_)]))
    return ConversationHandler.END


async def volver_a_preguntar(update: Update, contexto: Contexto, estado: int) -> int:
    """Tras algo inesperado en CONFIRMAR: la misma pregunta con sus botones."""
    _ = contexto.traductor
    if estado == CONFIRMAR and contexto.user_data.get(CLAVE):
        await responder(update, _("¿Importo el archivo que revisé?"),
                        teclado([(_("📥 Importar"), "pers:imp:si")],
                                [(_("✖️ Cancelar"), "pers:imp:no")]), editar=False)
        return CONFIRMAR
    return await no_es_archivo(update, contexto)


def conversacion(config: Configuracion) -> ConversationHandler:
    """Uno nuevo para cada aplicación. `config` decide quién es personal (también los roles
    dados desde Telegram, al momento)."""
    documento = MessageHandler(filters.ChatType.PRIVATE & _DocumentoDelPersonal(config),
                               solo_personal(recibir_archivo))
    repetir = solo_personal(repetir_paso(CONFIRMAR, (), volver_a_preguntar))
    return ConversationHandler(
        name="importacion_personal",
        persistent=True,
        allow_reentry=True,
        entry_points=[boton(pedir_archivo, r"^pers:importar$"), documento],
        states={
            ARCHIVO: [documento,
                      MessageHandler(filters.ALL & ~filters.COMMAND,
                                     solo_personal(no_es_archivo)),
                      boton(cancelar, r"^pers:imp:no$")],
            CONFIRMAR: [documento, boton(importar, r"^pers:imp:si$"),
                        boton(cancelar, r"^pers:imp:no$"),
                        MessageHandler(filters.ALL & ~filters.COMMAND, repetir)],
        },
        fallbacks=[boton(cancelar, r"^pers:imp:no$"),
                   *_salidas_del_personal()],
    )


def _salidas_del_personal() -> list[BaseHandler]:
    return [CommandHandler("cancelar", solo_personal(cancelar)),
            CommandHandler("personal", solo_personal(interrumpir)),
            boton(interrumpir, r"^pers:(?!imp:)"),
            *salidas()]
