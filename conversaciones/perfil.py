"""El perfil: cómo llamarte, tu municipio y, si quieres, sexo, edad, discapacidad y lengua.

Empieza al aceptar el aviso de privacidad (o con /perfil). La primera vez va en orden; después
/perfil muestra un resumen y deja cambiar cada respuesta. Cada respuesta se guarda al momento.

    NOMBRE → MUNICIPIO → SEXO → EDAD → SENSIBLES → DISCAPACIDAD → LENGUA → RESUMEN
"""

from __future__ import annotations

import re
from html import escape

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversaciones.comun import Paso, interrumpir, repetir_paso, salidas
from interfaz.aviso import guardar_aceptacion
from interfaz.cursos import AVISO_FECHAS_PENDIENTE, INSCRIPCION_PENDIENTE
from interfaz.municipios import filas_de_sugerencias
from interfaz.perfil import CAMPOS, valor_legible
from interfaz.respuestas import boton_menu, en_columnas, responder, teclado
from nucleo.contexto import Contexto
from nucleo.perfil import OPCIONES, es_valido
from nucleo.textos import Traductor

NOMBRE, MUNICIPIO, SEXO, EDAD, SENSIBLES, DISCAPACIDAD, LENGUA, RESUMEN = range(8)
ESTADO_DE_CAMPO = {"nombre": NOMBRE, "municipio_clave": MUNICIPIO, "sexo": SEXO,
                   "rango_edad": EDAD, "discapacidad": DISCAPACIDAD, "lengua_indigena": LENGUA}
ORDEN = ("nombre", "municipio_clave", "sexo", "rango_edad", "sensibles", "discapacidad",
         "lengua_indigena")
LARGO_NOMBRE = 60
PATRON_OPCION = r"^perfil:(sexo|rango_edad|discapacidad|lengua_indigena):(\w+)$"


# --- entrar ----------------------------------------------------------------------

async def aceptar_aviso(update: Update, contexto: Contexto) -> int:
    """«Sí, acepto» el aviso: guarda el consentimiento → NOMBRE (o el RESUMEN si
    ya tenía perfil)."""
    usuario = update.effective_user
    await guardar_aceptacion(update, contexto)
    _ = contexto.traductor
    nota = ""
    pedido = contexto.user_data.pop(AVISO_FECHAS_PENDIENTE, None)
    if pedido is not None:  # pidió «Avísame cuando haya fechas» antes de aceptar
        curso_id = None if pedido == "-" else pedido
        await contexto.almacen.pedir_aviso_de_fechas(usuario.id, curso_id,
                                                     contexto.reloj.ahora())
        nota = "\n" + _("🔔 Guardé tu pedido: te escribo cuando haya fechas. Puedes quitarlo "
                        "en /mis_datos.")
    perfil = await contexto.almacen.perfil(usuario.id)
    if perfil is not None and perfil.completo:
        return await mostrar_resumen(update, contexto,
                                     _("¡Gracias! Ya tenías un perfil.") + nota, editar=False)
    return await preguntar_nombre(update, contexto, _("¡Gracias por tu confianza! 🙌 "
                                                       "Ahora unas preguntas cortas.") + nota,
                                  editar=False)


async def abrir_perfil(update: Update, contexto: Contexto) -> int:
    """/perfil o «Mi perfil»: el RESUMEN si ya hay perfil; si no, pide el aviso."""
    _ = contexto.traductor
    persona = await contexto.almacen.persona(update.effective_user.id)
    if persona is None or not persona.acepto:
        texto = _("Para guardar tu perfil necesito tu permiso. Lee el aviso de privacidad:")
        await responder(update, texto, teclado([(_("📄 Ver el aviso"), "aviso:leer")]))
        return ConversationHandler.END
    perfil = await contexto.almacen.perfil(update.effective_user.id)
    if perfil is not None and perfil.completo:
        return await mostrar_resumen(update, contexto)
    return await preguntar_nombre(update, contexto)


# --- preguntar cada cosa ----------------------------------------------------------

async def preguntar_nombre(update: Update, contexto: Contexto, antes: str = "",
                           editar: bool = True) -> int:
    """Cómo quiere que la llamemos (escrito o el de Telegram) → NOMBRE."""
    _ = contexto.traductor
    texto = _("¿Cómo quieres que te llame? Escribe tu nombre o apodo.")
    nombre_telegram = update.effective_user.first_name[:LARGO_NOMBRE]
    botones = teclado([(_("Llámame {nombre}").format(nombre=nombre_telegram)[:60],
                        "perfil:nombre:telegram")])
    await responder(update, f"{antes}\n\n{texto}".strip(), botones, editar=editar)
    return NOMBRE


async def preguntar_municipio(update: Update, contexto: Contexto, antes: str = "") -> int:
    """En qué municipio vive, escrito → MUNICIPIO."""
    _ = contexto.traductor
    texto = _("¿En qué municipio de Puebla vives? Escribe su nombre.")
    await responder(update, f"{antes}\n\n{texto}".strip())
    return MUNICIPIO


def _botones_opciones(_: Traductor, campo: str) -> list[list[tuple[str, str]]]:
    botones = [(_(texto), f"perfil:{campo}:{valor}") for valor, texto in OPCIONES[campo]]
    return [*en_columnas(botones, 2), [(_("Saltar esta pregunta"), f"perfil:saltar:{campo}")]]


async def preguntar_opcion(update: Update, contexto: Contexto, campo: str,
                           editar: bool = True) -> int:
    """Una pregunta opcional con botones (sexo, edad, discapacidad, lengua)."""
    _ = contexto.traductor
    preguntas = {
        "sexo": _("¿Con qué sexo o género te identificas? Es opcional."),
        "rango_edad": _("¿Cuántos años tienes? Es opcional."),
        "discapacidad": _("¿Vives con alguna discapacidad? Por ejemplo, para ver, oír, caminar "
                          "o aprender."),
        "lengua_indigena": _("¿Hablas alguna lengua indígena? Por ejemplo, náhuatl o totonaco."),
    }
    await responder(update, preguntas[campo], teclado(*_botones_opciones(_, campo)),
                    editar=editar)
    return ESTADO_DE_CAMPO[campo]


async def preguntar_sensibles(update: Update, contexto: Contexto) -> int:
    """Si quiere contestar las preguntas sensibles → SENSIBLES."""
    _ = contexto.traductor
    texto = _(
        "Hay dos preguntas más: si vives con alguna discapacidad y si hablas una lengua "
        "indígena. Son <b>datos sensibles</b>: datos muy personales que la ley protege más.\n\n"
        "Sirven para que los programas lleguen a quien más lo necesita. "
        "No son obligatorias. ¿Quieres contestarlas?"
    )
    botones = teclado([(_("Sí, contestar"), "perfil:sensibles:si")],
                      [(_("No, saltarlas"), "perfil:sensibles:no")])
    await responder(update, texto, botones)
    return SENSIBLES


async def siguiente_paso(update: Update, contexto: Contexto, campo: str,
                         editar: bool = True) -> int:
    """Tras guardar `campo`: el siguiente de la lista la primera vez, o el resumen después.

    Con editar=False la pregunta va en un mensaje nuevo y el anterior queda a la vista.
    """
    usuario_id = update.effective_user.id
    perfil = await contexto.almacen.perfil(usuario_id)
    if perfil is not None and perfil.completo:
        _ = contexto.traductor
        return await mostrar_resumen(update, contexto, _("Guardado. ✅"),
                                     editar=editar)
    despues = ORDEN[ORDEN.index(campo) + 1:] if campo in ORDEN else ()
    if not despues:
        await contexto.almacen.marcar_perfil_completo(usuario_id, contexto.reloj.ahora())
        return await terminar(update, contexto)
    proximo = despues[0]
    if proximo == "municipio_clave":
        return await preguntar_municipio(update, contexto)
    if proximo == "sensibles":
        return await preguntar_sensibles(update, contexto)
    return await preguntar_opcion(update, contexto, proximo, editar=editar)


async def terminar(update: Update, contexto: Contexto) -> int:
    """El perfil quedó completo: lo dice y ofrece el menú → fin."""
    _ = contexto.traductor
    perfil = await contexto.almacen.perfil(update.effective_user.id)
    pendiente = contexto.user_data.pop(INSCRIPCION_PENDIENTE, None)
    if pendiente is not None:  # llegó aquí queriendo inscribirse: se retoma esa fecha
        texto = _("¡Listo, {nombre}! Tu perfil quedó guardado. Ahora sí, sigamos con tu "
                  "inscripción.").format(nombre=escape(perfil.nombre or ""))
        botones = teclado([(_("📅 Seguir con mi inscripción"), f"cur:s:{pendiente}")],
                          [boton_menu(_)])
        await responder(update, texto, botones, editar=False)
        return ConversationHandler.END
    texto = _("¡Listo, {nombre}! Tu perfil quedó guardado. Puedes cambiarlo con /perfil.\n\n"
              "¿Quieres saber qué camino te conviene para trabajar por tu cuenta?").format(
        nombre=escape(perfil.nombre or ""))
    botones = teclado([(_("🧭 Sí, empezar la orientación"), "menu:orientacion")],
                      [boton_menu(_)])
    await responder(update, texto, botones, editar=False)
    return ConversationHandler.END


# --- recibir respuestas ---------------------------------------------------------------

async def recibir_nombre(update: Update, contexto: Contexto) -> int:
    """El nombre escrito (de 1 a 60 letras) → MUNICIPIO."""
    _ = contexto.traductor
    nombre = " ".join(update.effective_message.text.split())
    if not re.search(r"\w", nombre) or re.fullmatch(r"[\d\W_]+", nombre):
        return await preguntar_nombre(update, contexto, _("Escribe un nombre con letras, "
                                                           "por favor."))
    if len(nombre) > LARGO_NOMBRE:
        aviso = _("Es un poco largo. Escribe un nombre de hasta {n} letras.").format(
            n=LARGO_NOMBRE)
        return await preguntar_nombre(update, contexto, aviso)
    return await _guardar_nombre(update, contexto, nombre)


async def nombre_de_telegram(update: Update, contexto: Contexto) -> int:
    """«Llámame X»: usa el nombre de Telegram → MUNICIPIO."""
    nombre = " ".join(update.effective_user.first_name.split())[:LARGO_NOMBRE]
    return await _guardar_nombre(update, contexto, nombre)


async def _guardar_nombre(update: Update, contexto: Contexto, nombre: str) -> int:
    await contexto.almacen.guardar_en_perfil(update.effective_user.id, "nombre", nombre,
                                             contexto.reloj.ahora())
    return await siguiente_paso(update, contexto, "nombre")


async def recibir_municipio(update: Update, contexto: Contexto) -> int:
    """El municipio escrito: exacto → la siguiente; dudoso → «¿Quisiste decir…?»."""
    _ = contexto.traductor
    busqueda = contexto.contenido.municipios.buscar(update.effective_message.text)
    if busqueda.exacto is not None:
        return await _guardar_municipio(update, contexto, busqueda.exacto.clave)
    if not busqueda.sugerencias:
        texto = _("No encontré ese municipio en Puebla. Revisa cómo se escribe y mándalo "
                  "otra vez. Por ejemplo: Tehuacán.")
        await responder(update, texto)
        return MUNICIPIO
    botones = filas_de_sugerencias(_, busqueda.sugerencias, "perfil:mun:")
    await responder(update, _("¿Quisiste decir alguno de estos?"), teclado(*botones))
    return MUNICIPIO


async def elegir_municipio(update: Update, contexto: Contexto) -> int:
    """Una sugerencia de municipio pulsada → la siguiente pregunta."""
    clave = update.callback_query.data.removeprefix("perfil:mun:")
    if clave == "otra" or contexto.contenido.municipios.por_clave(clave) is None:
        return await preguntar_municipio(update, contexto)
    return await _guardar_municipio(update, contexto, clave)


async def _guardar_municipio(update: Update, contexto: Contexto, clave: str) -> int:
    await contexto.almacen.guardar_en_perfil(update.effective_user.id, "municipio_clave", clave,
                                             contexto.reloj.ahora())
    municipio = contexto.contenido.municipios.por_clave(clave)
    _ = contexto.traductor
    await responder(update, _("Municipio: {nombre} ✅").format(nombre=escape(municipio.nombre)))
    return await siguiente_paso(update, contexto, "municipio_clave", editar=False)


async def recibir_opcion(update: Update, contexto: Contexto) -> int:
    """La respuesta a una pregunta de botones → la siguiente."""
    campo, valor = re.match(PATRON_OPCION, update.callback_query.data).groups()
    if not es_valido(campo, valor):
        return await repetir(ESTADO_DE_CAMPO[campo])(update, contexto)
    await contexto.almacen.guardar_en_perfil(update.effective_user.id, campo, valor,
                                             contexto.reloj.ahora())
    return await siguiente_paso(update, contexto, campo)


async def saltar(update: Update, contexto: Contexto) -> int:
    """«Saltar esta pregunta» → la siguiente, sin guardar nada."""
    campo = update.callback_query.data.removeprefix("perfil:saltar:")
    await contexto.almacen.guardar_en_perfil(update.effective_user.id, campo, None,
                                             contexto.reloj.ahora())
    return await siguiente_paso(update, contexto, campo)


async def decidir_sensibles(update: Update, contexto: Contexto) -> int:
    """Sí o no a las preguntas sensibles → DISCAPACIDAD o el final."""
    if update.callback_query.data.endswith(":si"):
        return await preguntar_opcion(update, contexto, "discapacidad")
    usuario_id, ahora = update.effective_user.id, contexto.reloj.ahora()
    for campo in ("discapacidad", "lengua_indigena"):
        await contexto.almacen.guardar_en_perfil(usuario_id, campo, None, ahora)
    return await siguiente_paso(update, contexto, "lengua_indigena")


# --- resumen y cambios ----------------------------------------------------------------

async def mostrar_resumen(update: Update, contexto: Contexto, antes: str = "",
                          editar: bool = True) -> int:
    """Las respuestas, cada una con su botón para cambiarla → RESUMEN."""
    _ = contexto.traductor
    perfil = await contexto.almacen.perfil(update.effective_user.id)
    lineas = [f"{_(titulo)}: {valor_legible(contexto, _, campo, getattr(perfil, campo))}"
              for campo, titulo in CAMPOS]
    texto = f"{antes}\n\n" if antes else ""
    texto += _("<b>Tu perfil</b>") + "\n" + "\n".join(lineas) + "\n\n"
    texto += _("¿Quieres cambiar algo? Elige qué:")
    botones = [(_(titulo), f"perfil:editar:{campo}") for campo, titulo in CAMPOS]
    await responder(update, texto, teclado(*en_columnas(botones, 2),
                                           [(_("✅ Así está bien"), "perfil:listo")]),
                    editar=editar)
    return RESUMEN


async def editar(update: Update, contexto: Contexto) -> int:
    """perfil:editar:<dato> desde el resumen → la pregunta de ese dato."""
    campo = update.callback_query.data.removeprefix("perfil:editar:")
    if campo == "nombre":
        return await preguntar_nombre(update, contexto)
    if campo == "municipio_clave":
        return await preguntar_municipio(update, contexto)
    if campo in OPCIONES:
        return await preguntar_opcion(update, contexto, campo)
    return await mostrar_resumen(update, contexto)


async def listo(update: Update, contexto: Contexto) -> int:
    """«Listo» en el resumen → fin."""
    _ = contexto.traductor
    await responder(update, _("Perfecto. Tu perfil está guardado."), teclado([boton_menu(_)]))
    return ConversationHandler.END


# --- lo inesperado en cada paso --------------------------------------------------------

def repetir(estado: int) -> Paso:
    return repetir_paso(estado, (NOMBRE, MUNICIPIO), _volver_a_preguntar)


async def _volver_a_preguntar(update: Update, contexto: Contexto, estado: int) -> int:
    # Siempre en un mensaje nuevo: el de antes puede estar lejos en el chat.
    if estado == NOMBRE:
        return await preguntar_nombre(update, contexto)
    if estado == MUNICIPIO:
        return await preguntar_municipio(update, contexto)
    if estado == SENSIBLES:
        return await preguntar_sensibles(update, contexto)
    campo = {v: k for k, v in ESTADO_DE_CAMPO.items()}.get(estado)
    if campo in OPCIONES:
        return await preguntar_opcion(update, contexto, campo)
    return await mostrar_resumen(update, contexto)


def _paso(estado: int, *handlers: object) -> list:
    """Los handlers de un paso, y al final lo que atiende todo lo demás en ese paso."""
    return [*handlers, MessageHandler(filters.ALL & ~filters.COMMAND, repetir(estado)),
            CallbackQueryHandler(repetir(estado), pattern="^perfil:")]


def _opcion(campo: str) -> CallbackQueryHandler:
    return CallbackQueryHandler(recibir_opcion, pattern=f"^perfil:{campo}:\\w+$")


def _saltar(campo: str) -> CallbackQueryHandler:
    return CallbackQueryHandler(saltar, pattern=f"^perfil:saltar:{campo}$")


TEXTO = filters.TEXT & ~filters.COMMAND

def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="perfil",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CallbackQueryHandler(aceptar_aviso, pattern="^aviso:acepto$"),
            CommandHandler("perfil", abrir_perfil),
            CallbackQueryHandler(abrir_perfil, pattern="^menu:perfil$"),
        ],
        states={
            NOMBRE: _paso(NOMBRE, MessageHandler(TEXTO, recibir_nombre),
                          CallbackQueryHandler(nombre_de_telegram,
                                               pattern="^perfil:nombre:telegram$")),
            MUNICIPIO: _paso(MUNICIPIO, MessageHandler(TEXTO, recibir_municipio),
                             CallbackQueryHandler(elegir_municipio, pattern=r"^perfil:mun:\w+$")),
            SEXO: _paso(SEXO, _opcion("sexo"), _saltar("sexo")),
            EDAD: _paso(EDAD, _opcion("rango_edad"), _saltar("rango_edad")),
            SENSIBLES: _paso(SENSIBLES, CallbackQueryHandler(
                decidir_sensibles, pattern="^perfil:sensibles:(si|no)$")),
            DISCAPACIDAD: _paso(DISCAPACIDAD, _opcion("discapacidad"), _saltar("discapacidad")),
            LENGUA: _paso(LENGUA, _opcion("lengua_indigena"), _saltar("lengua_indigena")),
            # En el resumen ya no falta nada: lo que la persona escriba (o mande) cierra el
            # perfil y se atiende como si no estuviera abierto, en vez de repetir el resumen.
            RESUMEN: [CallbackQueryHandler(editar, pattern=r"^perfil:editar:\w+$"),
                      CallbackQueryHandler(listo, pattern="^perfil:listo$"),
                      MessageHandler(filters.ALL & ~filters.COMMAND, interrumpir),
                      CallbackQueryHandler(repetir(RESUMEN), pattern="^perfil:")],
        },
        fallbacks=salidas(),
    )
