"""Empezar un grupo que quiere formar una cooperativa: nombre, actividad, clase y municipio.

    coop:nueva → NOMBRE → ACTIVIDAD → CLASE → MUNICIPIO → CONFIRMAR → el grupo y su enlace

Lo capturado vive en `user_data` hasta confirmar (no hay nada que guardar antes: si el bot se
reinicia a media captura, la persona vuelve a empezar). «Salir» o /cancelar sale sin guardar.
Solo con el aviso de privacidad aceptado.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversaciones.comun import interrumpir, repetir_paso, salidas
from interfaz.cooperativa import mostrar_grupo, nombre_municipio, texto_enlace
from interfaz.respuestas import boton_menu, responder, teclado
from nucleo.contexto import Contexto
from nucleo.reglas_sesion import DatoInvalido, leer_texto
from nucleo.vocabulario import NOMBRE_CLASE, ClaseCooperativa

NOMBRE, ACTIVIDAD, CLASE, MUNICIPIO, CONFIRMAR = range(5)
LARGO_NOMBRE, LARGO_ACTIVIDAD = 60, 150
CLAVE = "cooperativa_nueva"
SALIR = ("coopn:salir",)


def _borrador(contexto: Contexto) -> dict:
    return contexto.user_data.setdefault(CLAVE, {})


def _con_salida(contexto: Contexto, *filas: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    _ = contexto.traductor
    return teclado(*filas, [(_("✖️ Salir"), "coopn:salir")])


# --- entrar -----------------------------------------------------------------------------

async def empezar(update: Update, contexto: Contexto) -> int:
    """coop:nueva: sin el aviso, lo pide; con él → NOMBRE."""
    _ = contexto.traductor
    persona = await contexto.almacen.persona(update.effective_user.id)
    if persona is None or not persona.acepto:
        texto = _("Para guardar tu grupo necesito tu permiso en el aviso de privacidad.")
        await responder(update, texto, teclado([(_("📄 Leer el aviso"), "aviso:leer")],
                                               [boton_menu(_)]))
        return ConversationHandler.END
    contexto.user_data[CLAVE] = {}
    return await preguntar_nombre(update, contexto, _(
        "Vamos a empezar tu grupo. Son 4 preguntas cortas. Luego invitas a las demás "
        "personas."))


# --- preguntar ----------------------------------------------------------------------------

async def preguntar_nombre(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    texto = _("<b>1 de 4.</b> ¿Cómo quieren que se llame la cooperativa? Es un nombre "
              "propuesto: lo pueden cambiar después.")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(contexto),
                    editar=False)
    return NOMBRE


async def preguntar_actividad(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    texto = _("<b>2 de 4.</b> ¿Qué trabajo van a hacer juntas? Por ejemplo: tejer y vender "
              "rebozos, o comprar juntas semillas y abono.")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(contexto),
                    editar=False)
    return ACTIVIDAD


async def preguntar_clase(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    texto = _("<b>3 de 4.</b> ¿Qué clase de cooperativa quieren?\n"
              "• <b>De producción</b>: trabajan juntas y venden.\n"
              "• <b>De consumo</b>: compran juntas lo que necesitan.\n"
              "• <b>De ahorro y préstamo</b>: ahorran y se prestan; pide 25 personas o más y "
              "tiene reglas especiales.")
    filas = [[(_(NOMBRE_CLASE[c]), f"coopn:clase:{c}")] for c in
             (ClaseCooperativa.PRODUCTORES, ClaseCooperativa.CONSUMIDORES,
              ClaseCooperativa.AHORRO_PRESTAMO)]
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(contexto, *filas),
                    editar=False)
    return CLASE


async def preguntar_municipio(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    texto = _("<b>4 de 4.</b> ¿En qué municipio de Puebla van a trabajar? Escribe su nombre.")
    filas = []
    perfil = await contexto.almacen.perfil(update.effective_user.id)
    if perfil is not None and perfil.municipio_clave:
        nombre = nombre_municipio(contexto, perfil.municipio_clave)
        filas.append([(nombre[:40], f"coopn:mun:{perfil.municipio_clave}")])
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(contexto, *filas),
                    editar=False)
    return MUNICIPIO


async def mostrar_resumen(update: Update, contexto: Contexto) -> int:
    """Lo capturado, para confirmar → CONFIRMAR."""
    _ = contexto.traductor
    datos = _borrador(contexto)
    if not {"nombre", "actividad", "clase", "municipio"} <= datos.keys():
        return await empezar(update, contexto)
    texto = "\n".join([
        _("<b>¿Así está bien?</b>"),
        _("Nombre: {nombre}").format(nombre=escape(datos["nombre"])),
        _("Actividad: {actividad}").format(actividad=escape(datos["actividad"])),
        _("Clase: {clase}").format(clase=_(NOMBRE_CLASE[datos["clase"]])),
        _("Municipio: {municipio}").format(
            municipio=escape(nombre_municipio(contexto, datos["municipio"]))),
        "", _("Tú quedas como la persona responsable del grupo."),
    ])
    await responder(update, texto, _con_salida(
        contexto, [(_("✅ Crear el grupo"), "coopn:crear")],
        [(_("✏️ Empezar otra vez"), "coopn:otra")]), editar=False)
    return CONFIRMAR


# --- recibir ----------------------------------------------------------------------------------

async def recibir_nombre(update: Update, contexto: Contexto) -> int:
    """El nombre escrito → ACTIVIDAD."""
    try:
        _borrador(contexto)["nombre"] = leer_texto(update.message.text, LARGO_NOMBRE)
    except DatoInvalido as error:
        return await preguntar_nombre(update, contexto, error.traducido(contexto.traductor))
    return await preguntar_actividad(update, contexto)


async def recibir_actividad(update: Update, contexto: Contexto) -> int:
    """La actividad escrita → CLASE."""
    try:
        _borrador(contexto)["actividad"] = leer_texto(update.message.text, LARGO_ACTIVIDAD)
    except DatoInvalido as error:
        return await preguntar_actividad(update, contexto, error.traducido(contexto.traductor))
    return await preguntar_clase(update, contexto)


async def elegir_clase(update: Update, contexto: Contexto) -> int:
    """coopn:clase:<clase> → MUNICIPIO."""
    clase = update.callback_query.data.removeprefix("coopn:clase:")
    if clase not in tuple(ClaseCooperativa):
        return await preguntar_clase(update, contexto)
    _borrador(contexto)["clase"] = clase
    return await preguntar_municipio(update, contexto)


async def recibir_municipio(update: Update, contexto: Contexto) -> int:
    """El municipio escrito: exacto → CONFIRMAR; dudoso → sugerencias."""
    _ = contexto.traductor
    busqueda = contexto.contenido.municipios.buscar(update.message.text)
    if busqueda.exacto is not None:
        _borrador(contexto)["municipio"] = busqueda.exacto.clave
        return await mostrar_resumen(update, contexto)
    if not busqueda.sugerencias:
        return await preguntar_municipio(update, contexto, _(
            "No encontré ese municipio en Puebla. Revisa cómo se escribe."))
    filas = [[(m.nombre[:40], f"coopn:mun:{m.clave}")] for m in busqueda.sugerencias]
    await responder(update, _("¿Quisiste decir alguno de estos?"),
                    _con_salida(contexto, *filas), editar=False)
    return MUNICIPIO


async def elegir_municipio(update: Update, contexto: Contexto) -> int:
    """coopn:mun:<clave> → CONFIRMAR."""
    clave = update.callback_query.data.removeprefix("coopn:mun:")
    if contexto.contenido.municipios.por_clave(clave) is None:
        return await preguntar_municipio(update, contexto)
    _borrador(contexto)["municipio"] = clave
    return await mostrar_resumen(update, contexto)


async def crear(update: Update, contexto: Contexto) -> int:
    """coopn:crear: guarda el grupo, muestra su enlace de invitación y su pantalla → fin."""
    _ = contexto.traductor
    datos = contexto.user_data.pop(CLAVE, {})
    if not {"nombre", "actividad", "clase", "municipio"} <= datos.keys():
        return await empezar(update, contexto)
    usuario = update.effective_user
    creada = await contexto.cooperativas.crear(usuario.id, usuario.first_name, datos["nombre"],
                                               datos["actividad"], datos["clase"],
                                               datos["municipio"])
    if creada is None:
        return await empezar(update, contexto)
    cooperativa, miembro = await contexto.cooperativas.de_miembro(creada.cooperativa_id,
                                                                  usuario.id)
    await responder(update, _("🎉 ¡Listo! Tu grupo quedó guardado.") + "\n\n"
                    + texto_enlace(contexto, _, cooperativa, creada.token), editar=False)
    await mostrar_grupo(update, contexto, cooperativa, miembro, editar=False)
    return ConversationHandler.END


async def otra_vez(update: Update, contexto: Contexto) -> int:
    """coopn:otra → NOMBRE, con lo capturado borrado."""
    contexto.user_data[CLAVE] = {}
    return await preguntar_nombre(update, contexto)


async def salir(update: Update, contexto: Contexto) -> int:
    """coopn:salir: sale sin guardar → fin."""
    _ = contexto.traductor
    contexto.user_data.pop(CLAVE, None)
    await responder(update, _("Saliste. No guardé el grupo."),
                    teclado([(_("🤝 Mis grupos"), "coop:inicio")], [boton_menu(_)]))
    return ConversationHandler.END


# --- lo inesperado -----------------------------------------------------------------------------

async def _volver(update: Update, contexto: Contexto, estado: int) -> int:
    preguntas = {NOMBRE: preguntar_nombre, ACTIVIDAD: preguntar_actividad, CLASE: preguntar_clase,
                 MUNICIPIO: preguntar_municipio}
    if estado in preguntas:
        return await preguntas[estado](update, contexto)
    return await mostrar_resumen(update, contexto)


def _paso(estado: int, *handlers: object) -> list:
    otra_cosa = repetir_paso(estado, (NOMBRE, ACTIVIDAD, MUNICIPIO), _volver)
    return [*handlers, CallbackQueryHandler(salir, pattern="^coopn:salir$"),
            MessageHandler(filters.ALL & ~filters.COMMAND, otra_cosa),
            CallbackQueryHandler(otra_cosa, pattern="^coopn:")]


TEXTO = filters.TEXT & ~filters.COMMAND

def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="cooperativa_nueva",
        persistent=False,
        allow_reentry=True,
        entry_points=[CallbackQueryHandler(empezar, pattern="^coop:nueva$")],
        states={
            NOMBRE: _paso(NOMBRE, MessageHandler(TEXTO, recibir_nombre)),
            ACTIVIDAD: _paso(ACTIVIDAD, MessageHandler(TEXTO, recibir_actividad)),
            CLASE: _paso(CLASE, CallbackQueryHandler(elegir_clase, pattern=r"^coopn:clase:\w+$")),
            MUNICIPIO: _paso(MUNICIPIO, MessageHandler(TEXTO, recibir_municipio),
                             CallbackQueryHandler(elegir_municipio, pattern=r"^coopn:mun:\d{5}$")),
            CONFIRMAR: _paso(CONFIRMAR, CallbackQueryHandler(crear, pattern="^coopn:crear$"),
                             CallbackQueryHandler(otra_vez, pattern="^coopn:otra$")),
        },
        fallbacks=[*salidas(), CommandHandler("cooperativa", interrumpir),
                   CallbackQueryHandler(interrumpir, pattern=r"^(coop|menu):")],
    )
