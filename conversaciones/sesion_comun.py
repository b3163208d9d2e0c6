"""Lo que comparten los cuatro flujos del personal sobre una sesión (nueva, corrección, cambio
de fecha y cancelación): el borrador, las preguntas de cada dato, leer lo escrito con las
reglas de `nucleo/reglas_sesion.py`, y las salidas.

Lo capturado se guarda al momento en un borrador en la base: un reinicio del bot a media
captura no lo pierde. Cada handler pasa por `solo_personal`.

Los botones de estos flujos empiezan con «pers:f:». «Salir» (pers:f:salir) o /cancelar sale
sin guardar; cualquier otro botón del personal («pers:...») o /personal termina el flujo sin
guardar y se atiende como si el flujo no estuviera abierto.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta
from html import escape
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversaciones.comun import Paso, Volver, interrumpir, repetir_paso, salidas
from interfaz.municipios import filas_de_sugerencias
from interfaz.personal import boton_menu_personal, mostrar_sesion, sesion_pedida, solo_personal
from interfaz.respuestas import Boton, responder, teclado
from nucleo.almacen.cursos import Sesion
from nucleo.contexto import Contexto
from nucleo.reglas_sesion import (
    CUPO_MAXIMO,
    DatoInvalido,
    leer_fecha,
    leer_hora,
    momento_de_inicio,
)
from nucleo.textos import Traductor
from nucleo.vocabulario import MODALIDADES_DE_SESION, NOMBRE_MODALIDAD, EstadoSesion

DURACIONES = (60, 90, 120, 180, 240)
TEXTO = filters.TEXT & ~filters.COMMAND
T = TypeVar("T")
Pregunta = Callable[..., Any]  # async (update, contexto, antes="") -> None


# --- el borrador -------------------------------------------------------------------------------

async def borrador(update: Update, contexto: Contexto) -> dict[str, Any]:
    """Lo capturado hasta ahora (vacío si no hay nada)."""
    return await contexto.almacen.borrador(update.effective_user.id) or {}


async def anotar(update: Update, contexto: Contexto, **datos: Any) -> dict[str, Any]:
    """Suma `datos` al borrador y lo guarda; devuelve el borrador completo."""
    completo = {**await borrador(update, contexto), **datos}
    await contexto.almacen.guardar_borrador(update.effective_user.id, completo,
                                            contexto.reloj.ahora())
    return completo


async def empezar(update: Update, contexto: Contexto, **datos: Any) -> None:
    """Un borrador nuevo (lo que hubiera de otra captura se descarta)."""
    await contexto.almacen.guardar_borrador(update.effective_user.id, datos,
                                            contexto.reloj.ahora())


async def sesion_programada(update: Update, contexto: Contexto) -> Sesion | None:
    """La sesión del botón si todavía se puede cambiar; si no, lo dice y devuelve None."""
    _ = contexto.traductor
    sesion = await sesion_pedida(update, contexto)
    if sesion is not None and sesion.estado != EstadoSesion.PROGRAMADA:
        await mostrar_sesion(update, contexto, sesion,
                             _("Esa sesión está cancelada: ya no se puede cambiar."))
        return None
    return sesion


# --- preguntar cada dato (cada flujo dice a qué paso pasa después) -----------------------------

def con_salida(_: Traductor, *filas: list[Boton]) -> InlineKeyboardMarkup:
    return teclado(*filas, [(_("✖️ Salir sin guardar"), "pers:f:salir")])


async def _preguntar(update: Update, antes: str, texto: str,
                     botones: InlineKeyboardMarkup) -> None:
    await responder(update, f"{antes}\n\n{texto}".strip(), botones)


async def preguntar_curso(update: Update, contexto: Contexto, antes: str = "") -> None:
    """Los cursos del catálogo, uno por botón."""
    _ = contexto.traductor
    botones = [[(_(c.nombre)[:60], f"pers:f:curso:{c.id}")] for c in contexto.catalogo.cursos]
    if not botones:  # una instalación nueva: primero, un curso (conversaciones/curso_personal.py)
        antes = f"{antes}\n\n" + _("Todavía no hay cursos en el catálogo: crea uno primero.")
        botones = [[(_("📚 Cursos"), "pers:cursos")]]
    await _preguntar(update, antes, _("<b>Nueva sesión</b>\n¿De qué curso es?"),
                     con_salida(_, *botones))


async def preguntar_fecha(update: Update, contexto: Contexto, antes: str = "") -> None:
    """La fecha como día/mes/año, con un ejemplo a una semana."""
    _ = contexto.traductor
    ejemplo = (contexto.reloj.ahora() + timedelta(days=7)).astimezone(
        contexto.config.zona_horaria)
    texto = _("¿Qué día es? Escribe la fecha como día/mes/año, por ejemplo {ejemplo}.").format(
        ejemplo=f"{ejemplo:%d/%m/%Y}")
    await _preguntar(update, antes, texto, con_salida(_))


async def preguntar_hora(update: Update, contexto: Contexto, antes: str = "") -> None:
    """La hora de inicio, en formato de 24 horas."""
    _ = contexto.traductor
    texto = _("¿A qué hora empieza? Hora de Puebla, en formato de 24 horas (HH:MM); "
              "por ejemplo 10:00 o 16:30.")
    await _preguntar(update, antes, texto, con_salida(_))


async def preguntar_duracion(update: Update, contexto: Contexto, antes: str = "") -> None:
    """Los minutos, escritos o con un botón."""
    _ = contexto.traductor
    botones = [(_("{n} min").format(n=n), f"pers:f:dur:{n}") for n in DURACIONES]
    await _preguntar(update, antes, _("¿Cuánto dura? Elige o escribe los minutos."),
                     con_salida(_, botones))


async def preguntar_modalidad(update: Update, contexto: Contexto, antes: str = "") -> None:
    """Presencial o en línea."""
    _ = contexto.traductor
    botones = [(_(NOMBRE_MODALIDAD[m]), f"pers:f:mod:{m}") for m in MODALIDADES_DE_SESION]
    await _preguntar(update, antes, _("¿Cómo es la sesión?"), con_salida(_, botones))


async def preguntar_municipio(update: Update, contexto: Contexto, antes: str = "") -> None:
    """El municipio, escrito."""
    _ = contexto.traductor
    await _preguntar(update, antes, _("¿En qué municipio es? Escribe su nombre."),
                     con_salida(_))


async def sugerir_municipios(update: Update, contexto: Contexto) -> bool:
    """Si lo escrito no es un municipio exacto: «¿Quisiste decir…?» (True) o que no existe
    (False, y se vuelve a preguntar)."""
    _ = contexto.traductor
    busqueda = contexto.contenido.municipios.buscar(update.effective_message.text)
    if not busqueda.sugerencias:
        await preguntar_municipio(update, contexto, _(
            "No encontré ese municipio en Puebla. Revisa cómo se escribe."))
        return False
    botones = filas_de_sugerencias(_, busqueda.sugerencias, "pers:f:mun:")
    await responder(update, _("¿Quisiste decir alguno de estos?"), con_salida(_, *botones))
    return True


async def preguntar_lugar(update: Update, contexto: Contexto, antes: str = "") -> None:
    """El nombre del lugar."""
    _ = contexto.traductor
    await _preguntar(update, antes, _("¿Cómo se llama el lugar? Por ejemplo: Casa de la "
                                      "Cultura."), con_salida(_))


async def preguntar_direccion(update: Update, contexto: Contexto, antes: str = "") -> None:
    """Calle, número y colonia."""
    _ = contexto.traductor
    await _preguntar(update, antes, _("¿Cuál es la dirección? Calle, número y colonia."),
                     con_salida(_))


async def preguntar_mapa(update: Update, contexto: Contexto, antes: str = "") -> None:
    """El enlace al mapa, o «Sin mapa»."""
    _ = contexto.traductor
    texto = _("Si quieres, manda el enlace del lugar en un mapa (https://...). Si no, "
              "pulsa «Sin mapa».")
    await _preguntar(update, antes, texto, con_salida(_, [(_("Sin mapa"), "pers:f:mapa:no")]))


async def preguntar_enlace(update: Update, contexto: Contexto, antes: str = "") -> None:
    """El enlace de la sesión en línea."""
    _ = contexto.traductor
    await _preguntar(update, antes, _("Manda el enlace de la sesión en línea (https://...)."),
                     con_salida(_))


async def preguntar_cupo(update: Update, contexto: Contexto, antes: str = "") -> None:
    """Cuántos lugares hay."""
    _ = contexto.traductor
    texto = _("¿Cuántos lugares hay? Escribe un número de 1 a {maximo}.").format(
        maximo=CUPO_MAXIMO)
    await _preguntar(update, antes, texto, con_salida(_))


async def leer(update: Update, contexto: Contexto, lector: Callable[[str], T],
               pregunta: Pregunta, texto: str | None = None) -> T | None:
    """Lee lo escrito con la regla del dato; si no sirve, dice por qué, vuelve a preguntar y
    devuelve None (el flujo se queda en el mismo paso)."""
    try:
        return lector(update.effective_message.text if texto is None else texto)
    except DatoInvalido as error:
        await pregunta(update, contexto, escape(error.traducido(contexto.traductor)))
        return None


async def leer_dia(update: Update, contexto: Contexto) -> date | None:
    """La fecha escrita (hoy o después), o None si no sirve (y ya se volvió a preguntar)."""
    hoy = contexto.reloj.ahora().astimezone(contexto.config.zona_horaria).date()
    return await leer(update, contexto, lambda t: leer_fecha(t, hoy), preguntar_fecha)


async def leer_inicio(update: Update, contexto: Contexto, dia: date) -> datetime | None:
    """La hora escrita para `dia`, ya en el futuro, o None si no sirve (y ya se volvió a
    preguntar)."""
    zona, ahora = contexto.config.zona_horaria, contexto.reloj.ahora()
    return await leer(update, contexto,
                      lambda t: momento_de_inicio(dia, leer_hora(t), zona, ahora),
                      preguntar_hora)


# --- salir y lo inesperado ---------------------------------------------------------------------

async def perdido(update: Update, contexto: Contexto) -> int:
    """El borrador no corresponde al paso (un botón de otro momento): se empieza de nuevo."""
    _ = contexto.traductor
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    await responder(update, _("Perdí el hilo de lo que estabas capturando; no se guardó nada. "
                              "Empieza otra vez, por favor."),
                    teclado([boton_menu_personal(_)]), editar=False)
    return ConversationHandler.END


async def salir(update: Update, contexto: Contexto) -> int:
    """«Salir sin guardar» o /cancelar: se descarta el borrador."""
    _ = contexto.traductor
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    await responder(update, _("Listo, saliste. No se guardó nada."),
                    teclado([boton_menu_personal(_)]))
    return ConversationHandler.END


async def interrumpir_flujo(update: Update, contexto: Contexto) -> int:
    """Otro botón del personal o /personal: sin guardar, y se atiende fuera del flujo."""
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    return await interrumpir(update, contexto)


async def terminar_en_sesion(update: Update, contexto: Contexto, sesion_id: int,
                             antes: str) -> int:
    """Fin del flujo: la ficha de la sesión con lo que pasó arriba."""
    sesion = await contexto.almacen.sesion(sesion_id)
    if sesion is None:
        return await perdido(update, contexto)
    await mostrar_sesion(update, contexto, sesion, antes)
    return ConversationHandler.END


# --- armar los handlers de un flujo ------------------------------------------------------------

def boton(callback: Paso, patron: str) -> CallbackQueryHandler:
    return CallbackQueryHandler(solo_personal(callback), pattern=patron)


def texto(callback: Paso) -> MessageHandler:
    return MessageHandler(TEXTO, solo_personal(callback))


def paso(estado: int, volver: Volver, escritos: Collection[int],
         *handlers: BaseHandler) -> list[BaseHandler]:
    """Los handlers de un paso; luego «Salir» y, al final, lo que atiende todo lo demás en ese
    paso (lo dice y repite la pregunta)."""
    repetir = repetir_paso(estado, escritos, volver)
    return [*handlers, boton(salir, r"^pers:f:salir$"),
            MessageHandler(filters.ALL & ~filters.COMMAND, solo_personal(repetir)),
            boton(repetir, r"^pers:f:")]


def salidas_del_personal() -> list[BaseHandler]:
    # Antes que las salidas comunes: /cancelar aquí no guarda nada (lo dice distinto), y
    # cualquier otro botón del personal o /personal termina este flujo y se atiende aparte.
    return [CommandHandler("cancelar", solo_personal(salir)),
            boton(salir, r"^pers:f:salir$"),
            CommandHandler("personal", solo_personal(interrumpir_flujo)),
            boton(interrumpir_flujo, r"^pers:(?!f:)"),
            *salidas()]
