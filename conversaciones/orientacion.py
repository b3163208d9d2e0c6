"""La orientación para el autoempleo: un cuestionario con ramas que vive en
contenido/orientacion.yaml (preguntas, opciones, a dónde lleva cada una y los resultados).

    RESPONDIENDO (botones)  ⇄  ESCRIBIENDO (texto libre)  →  resultado guardado, fin

El avance se guarda en la base a cada paso (historial para «Atrás» y respuestas), así que
/cancelar, otro comando o un reinicio del bot no pierden nada.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversaciones.comun import salidas
from interfaz.orientacion import mostrar_resultado as pantalla_de_resultado
from interfaz.respuestas import boton_menu, responder, teclado
from nucleo.almacen import OrientacionEnCurso
from nucleo.contenido import Pregunta, Resultado
from nucleo.contexto import Contexto

RESPONDIENDO, ESCRIBIENDO = range(2)
PATRON_OPCION = re.compile(r"^or:([\w-]+):([\w-]+)$")
LARGO_TEXTO = 200


# --- entrar ----------------------------------------------------------------------------

async def empezar(update: Update, contexto: Contexto) -> int:
    """/orientacion o el botón del menú: retoma la que quedó a medias o empieza."""
    _ = contexto.traductor
    usuario_id = update.effective_user.id
    persona = await contexto.almacen.persona(usuario_id)
    if persona is None or not persona.acepto:
        texto = _("Para darte una recomendación hecha para ti, necesito guardar tus respuestas. "
                  "Para eso pido tu permiso en el aviso de privacidad.\n\n"
                  "Sin dar tu permiso, puedes leer los caminos posibles.")
        botones = teclado([(_("📄 Leer el aviso"), "aviso:leer")],
                          [(_("🧭 Ver los caminos posibles"), "info:caminos")])
        await responder(update, texto, botones)
        return ConversationHandler.END
    progreso = await _progreso(update, contexto)
    if progreso is not None:
        antes = _("Seguimos donde te quedaste.")
        return await mostrar_pregunta(update, contexto, progreso, antes, ofrecer_reinicio=True)
    return await empezar_de_nuevo(update, contexto)


async def empezar_de_nuevo(update: Update, contexto: Contexto) -> int:
    """«Empezar de nuevo» u or:nueva: borra el avance y va a la primera pregunta."""
    _ = contexto.traductor
    persona = await contexto.almacen.persona(update.effective_user.id)
    if persona is None or not persona.acepto:
        return await empezar(update, contexto)  # explica por qué hace falta el permiso
    progreso = OrientacionEnCurso([contexto.contenido.orientacion.inicio], {})
    await _guardar(update, contexto, progreso)
    antes = _("Te haré unas preguntas cortas sobre lo que quieres hacer. "
              "Al final te digo qué camino te conviene. Puedes volver atrás o salir cuando "
              "quieras.")
    return await mostrar_pregunta(update, contexto, progreso, antes)


# --- mostrar -----------------------------------------------------------------------------

async def mostrar_pregunta(update: Update, contexto: Contexto, progreso: OrientacionEnCurso,
                           antes: str = "", *, ofrecer_reinicio: bool = False,
                           editar: bool = True) -> int:
    """Una pregunta con sus botones (o la indicación de escribir) → su paso."""
    _ = contexto.traductor
    pregunta = contexto.contenido.orientacion.preguntas[progreso.pregunta_actual]
    numero = len(progreso.historial)
    texto = f"{antes}\n\n" if antes else ""
    encabezado = _("Pregunta {n}").format(n=numero)
    texto += f"<b>{encabezado}</b>\n{_(pregunta.texto)}"
    if pregunta.ayuda:
        texto += f"\n\n<i>{_(pregunta.ayuda)}</i>"
    filas = [[(_(o.texto), f"or:{pregunta.id}:{o.id}")] for o in pregunta.opciones]
    navegacion = [(_("⬅️ Atrás"), "or:atras")] if numero > 1 else []
    navegacion.append((_("✖️ Salir"), "or:salir"))
    filas.append(navegacion)
    if ofrecer_reinicio:
        filas.append([(_("🔄 Empezar de nuevo"), "or:nueva")])
    await responder(update, texto, teclado(*filas), editar=editar)
    return ESCRIBIENDO if pregunta.tipo == "texto" else RESPONDIENDO


async def mostrar_resultado(update: Update, contexto: Contexto, resultado: Resultado,
                            respuestas: dict[str, str]) -> None:
    """La primera pantalla del resultado (lo demás, tras «Ver más»); queda guardado → fin."""
    perfil = await contexto.almacen.perfil(update.effective_user.id)
    nombre = perfil.nombre if perfil and perfil.nombre else update.effective_user.first_name
    await pantalla_de_resultado(update, contexto, resultado, nombre, respuestas,
                                de_orientacion=True)


# --- avanzar -------------------------------------------------------------------------------

async def elegir_opcion(update: Update, contexto: Contexto) -> int:
    """or:<pregunta>:<opción>: guarda la respuesta → la siguiente pregunta o el resultado."""
    pregunta_id, opcion_id = PATRON_OPCION.match(update.callback_query.data).groups()
    progreso = await _progreso(update, contexto)
    if progreso is None:
        return await empezar(update, contexto)
    pregunta = contexto.contenido.orientacion.preguntas.get(progreso.pregunta_actual)
    opcion = next((o for o in pregunta.opciones if o.id == opcion_id), None)
    if pregunta_id != pregunta.id or opcion is None:
        return await _boton_de_otra_pregunta(update, contexto, progreso)
    return await _avanzar(update, contexto, progreso, pregunta, opcion.id, opcion.siguiente)


async def recibir_texto(update: Update, contexto: Contexto) -> int:
    """La respuesta escrita a una pregunta abierta → la siguiente pregunta o el resultado."""
    _ = contexto.traductor
    progreso = await _progreso(update, contexto)
    if progreso is None:
        return await empezar(update, contexto)
    pregunta = contexto.contenido.orientacion.preguntas[progreso.pregunta_actual]
    texto = " ".join(update.effective_message.text.split())
    if not re.search(r"[^\W\d_]", texto):
        aviso = _("Escríbelo con palabras, por favor.")
        return await mostrar_pregunta(update, contexto, progreso, aviso, editar=False)
    if len(texto) > LARGO_TEXTO:
        aviso = _("Es muy largo. Escríbelo en pocas palabras (hasta {n} letras).").format(
            n=LARGO_TEXTO)
        return await mostrar_pregunta(update, contexto, progreso, aviso, editar=False)
    return await _avanzar(update, contexto, progreso, pregunta, texto, pregunta.siguiente)


async def _avanzar(update: Update, contexto: Contexto, progreso: OrientacionEnCurso,
                   pregunta: Pregunta, respuesta: str, siguiente: str) -> int:
    respuestas = {**progreso.respuestas, pregunta.id: respuesta}
    orientacion = contexto.contenido.orientacion
    if siguiente in orientacion.resultados:
        await contexto.almacen.terminar_orientacion(
            update.effective_user.id, siguiente, respuestas, contexto.reloj.ahora())
        await mostrar_resultado(update, contexto, orientacion.resultados[siguiente], respuestas)
        return ConversationHandler.END
    nuevo = OrientacionEnCurso([*progreso.historial, siguiente], respuestas)
    await _guardar(update, contexto, nuevo)
    return await mostrar_pregunta(update, contexto, nuevo, editar=pregunta.tipo != "texto")


async def atras(update: Update, contexto: Contexto) -> int:
    """«Atrás»: la pregunta anterior, con su respuesta borrada."""
    progreso = await _progreso(update, contexto)
    if progreso is None:
        return await empezar(update, contexto)
    historial = progreso.historial[:-1] or progreso.historial
    # Lo contestado en la pregunta a la que volvemos, y después, se vuelve a contestar.
    respuestas = {k: v for k, v in progreso.respuestas.items() if k in historial[:-1]}
    anterior = OrientacionEnCurso(historial, respuestas)
    await _guardar(update, contexto, anterior)
    return await mostrar_pregunta(update, contexto, anterior)


async def salir(update: Update, contexto: Contexto) -> int:
    """«Salir»: el avance queda guardado para retomarlo → fin."""
    _ = contexto.traductor
    texto = _("Saliste de la orientación. Guardé tus respuestas: con /orientacion sigues "
              "donde te quedaste.")
    await responder(update, texto, teclado([boton_menu(_)]))
    return ConversationHandler.END


# --- lo inesperado ----------------------------------------------------------------------

async def _boton_de_otra_pregunta(update: Update, contexto: Contexto,
                                  progreso: OrientacionEnCurso) -> int:
    _ = contexto.traductor
    aviso = _("Ese botón es de otra pregunta. Sigamos con esta:")
    return await mostrar_pregunta(update, contexto, progreso, aviso, editar=False)


async def repetir_pregunta(update: Update, contexto: Contexto) -> int:
    """Texto donde van botones, fotos, stickers o botones viejos: avisamos y repetimos."""
    _ = contexto.traductor
    progreso = await _progreso(update, contexto)
    if progreso is None:
        return await empezar(update, contexto)
    pregunta = contexto.contenido.orientacion.preguntas[progreso.pregunta_actual]
    if update.callback_query is not None:
        aviso = _("Ese botón ya no funciona. Sigamos con esta pregunta:")
    elif pregunta.tipo == "texto":
        aviso = _("Escríbelo con palabras, por favor.")
    else:
        aviso = _("Contesta con los botones de abajo, por favor.")
    return await mostrar_pregunta(update, contexto, progreso, aviso, editar=False)


async def _progreso(update: Update, contexto: Contexto) -> OrientacionEnCurso | None:
    progreso = await contexto.almacen.orientacion_en_curso(update.effective_user.id)
    preguntas = contexto.contenido.orientacion.preguntas
    if progreso is None or progreso.pregunta_actual not in preguntas:
        return None  # no hay avance, o el contenido cambió y esa pregunta ya no existe
    return progreso


async def _guardar(update: Update, contexto: Contexto, progreso: OrientacionEnCurso) -> None:
    await contexto.almacen.guardar_orientacion_en_curso(
        update.effective_user.id, progreso, contexto.reloj.ahora())


NAVEGACION = [
    CallbackQueryHandler(atras, pattern="^or:atras$"),
    CallbackQueryHandler(salir, pattern="^or:salir$"),
    CallbackQueryHandler(empezar_de_nuevo, pattern="^or:nueva$"),
]
LO_DEMAS = [
    MessageHandler(filters.ALL & ~filters.COMMAND, repetir_pregunta),
    CallbackQueryHandler(repetir_pregunta, pattern="^or:"),
]

def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="orientacion",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("orientacion", empezar),
            CallbackQueryHandler(empezar, pattern="^menu:orientacion$"),
            CallbackQueryHandler(empezar_de_nuevo, pattern="^or:nueva$"),
        ],
        states={
            RESPONDIENDO: [CallbackQueryHandler(elegir_opcion, pattern=PATRON_OPCION),
                           *NAVEGACION, *LO_DEMAS],
            ESCRIBIENDO: [MessageHandler(filters.TEXT & ~filters.COMMAND, recibir_texto),
                          *NAVEGACION, *LO_DEMAS],
        },
        fallbacks=salidas(),
    )
