"""Convocar una asamblea del grupo: fecha, hora, lugar (o enlace) y orden del día.

    coop:nas:ID → FECHA → HORA → LUGAR → ORDEN → CONFIRMAR → se avisa a todo el grupo → fin

Cualquier persona del grupo convoca (se revisa al entrar y otra vez al guardar). Cada miembro
recibe el aviso con «Sí voy» / «No puedo» y recordatorios antes, como los de los cursos
(nucleo/horario.py: mismas antelaciones y horas de silencio). Lo capturado vive en
`user_data` hasta confirmar; «Salir» o /cancelar sale sin guardar.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from conversaciones.comun import repetir_paso, salidas
from interfaz.cooperativa import boton_grupo, grupo_pedido
from interfaz.respuestas import responder, teclado
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_y_hora
from nucleo.reglas_sesion import (
    DatoInvalido,
    leer_fecha,
    leer_hora,
    leer_texto,
    momento_de_inicio,
)

FECHA, HORA, LUGAR, ORDEN, CONFIRMAR = range(5)
CLAVE = "asamblea_nueva"
LARGO_LUGAR, LARGO_ORDEN = 200, 800


def _con_salida(contexto: Contexto, *filas: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    _ = contexto.traductor
    return teclado(*filas, [(_("✖️ Salir"), "coopa:salir")])


async def empezar(update: Update, contexto: Contexto) -> int:
    """coop:nas:ID → FECHA (si es del grupo)."""
    cooperativa_id = int(update.callback_query.data.rsplit(":", 1)[1])
    datos = await grupo_pedido(update, contexto, cooperativa_id)
    if datos is None:
        return ConversationHandler.END
    contexto.user_data[CLAVE] = {"grupo": cooperativa_id}
    _ = contexto.traductor
    return await preguntar_fecha(update, contexto, _("Vamos a convocar una asamblea de «{grupo}»."
                                                     ).format(grupo=escape(datos[0].nombre)))


async def preguntar_fecha(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    texto = _("¿Qué día? Escribe la fecha como día/mes/año, por ejemplo 30/11/2026.")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(contexto), editar=False)
    return FECHA


async def preguntar_hora(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    texto = _("¿A qué hora? Escríbela en formato de 24 horas, por ejemplo 17:30.")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(contexto), editar=False)
    return HORA


async def preguntar_lugar(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    texto = _("¿Dónde? Escribe la dirección, o el enlace si es en línea.")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(contexto), editar=False)
    return LUGAR


async def preguntar_orden(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    texto = _("¿Qué van a tratar? Escribe el orden del día. Por ejemplo: 1. Elegir la clase. "
              "2. Acordar las aportaciones.")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(contexto), editar=False)
    return ORDEN


async def mostrar_resumen(update: Update, contexto: Contexto) -> int:
    _ = contexto.traductor
    datos = contexto.user_data.get(CLAVE, {})
    if not {"grupo", "inicio", "lugar", "orden"} <= datos.keys():
        return await _perdido(update, contexto)
    inicio = datetime.fromisoformat(datos["inicio"])
    texto = "\n".join([
        _("<b>¿Así está bien?</b>"),
        _("🗓️ {fecha}").format(fecha=fecha_y_hora(inicio, _, contexto.config.zona_horaria)),
        _("📍 {lugar}").format(lugar=escape(datos["lugar"])),
        _("📋 Orden del día: {orden}").format(orden=escape(datos["orden"])),
        "", _("Le aviso a todo el grupo y les recuerdo antes."),
    ])
    await responder(update, texto, _con_salida(contexto, [(_("📣 Convocar"), "coopa:ok")]),
                    editar=False)
    return CONFIRMAR


async def recibir_fecha(update: Update, contexto: Contexto) -> int:
    """La fecha escrita → HORA."""
    zona = contexto.config.zona_horaria
    try:
        dia = leer_fecha(update.message.text, contexto.reloj.ahora().astimezone(zona).date())
    except DatoInvalido as error:
        return await preguntar_fecha(update, contexto, error.traducido(contexto.traductor))
    contexto.user_data.setdefault(CLAVE, {})["dia"] = dia.isoformat()
    return await preguntar_hora(update, contexto)


async def recibir_hora(update: Update, contexto: Contexto) -> int:
    """La hora escrita → LUGAR (debe ser en el futuro)."""
    datos = contexto.user_data.get(CLAVE, {})
    if "dia" not in datos:
        return await _perdido(update, contexto)
    try:
        hora = leer_hora(update.message.text)
        inicio = momento_de_inicio(datetime.fromisoformat(datos["dia"]).date(), hora,
                                   contexto.config.zona_horaria, contexto.reloj.ahora())
    except DatoInvalido as error:
        return await preguntar_hora(update, contexto, error.traducido(contexto.traductor))
    datos["inicio"] = inicio.isoformat()
    return await preguntar_lugar(update, contexto)


async def recibir_lugar(update: Update, contexto: Contexto) -> int:
    """El lugar o enlace → ORDEN."""
    try:
        contexto.user_data.setdefault(CLAVE, {})["lugar"] = leer_texto(update.message.text,
                                                                        LARGO_LUGAR)
    except DatoInvalido as error:
        return await preguntar_lugar(update, contexto, error.traducido(contexto.traductor))
    return await preguntar_orden(update, contexto)


async def recibir_orden(update: Update, contexto: Contexto) -> int:
    """El orden del día → CONFIRMAR."""
    try:
        contexto.user_data.setdefault(CLAVE, {})["orden"] = leer_texto(update.message.text,
                                                                        LARGO_ORDEN)
    except DatoInvalido as error:
        return await preguntar_orden(update, contexto, error.traducido(contexto.traductor))
    return await mostrar_resumen(update, contexto)


async def convocar(update: Update, contexto: Contexto) -> int:
    """coopa:ok: guarda, avisa al grupo y programa los recordatorios → la asamblea → fin."""
    _ = contexto.traductor
    datos = contexto.user_data.pop(CLAVE, {})
    if not {"grupo", "inicio", "lugar", "orden"} <= datos.keys():
        return await _perdido(update, contexto)
    asamblea_id = await contexto.cooperativas.programar_asamblea(
        datos["grupo"], update.effective_user.id, datetime.fromisoformat(datos["inicio"]),
        datos["lugar"], datos["orden"])
    if asamblea_id is None:
        await grupo_pedido(update, contexto, datos["grupo"])
        return ConversationHandler.END
    await responder(update, _("📣 Listo: convoqué la asamblea y le avisé a todo el grupo."),
                    teclado([(_("Ver la asamblea"), f"coop:a:{asamblea_id}")],
                            [boton_grupo(_, datos["grupo"])]))
    return ConversationHandler.END


async def salir(update: Update, contexto: Contexto) -> int:
    """coopa:salir → fin, sin guardar."""
    _ = contexto.traductor
    datos = contexto.user_data.pop(CLAVE, {})
    filas = [[boton_grupo(_, datos["grupo"])]] if "grupo" in datos else []
    await responder(update, _("Listo, no convoqué nada."),
                    teclado(*filas, [(_("🤝 Mis grupos"), "coop:inicio")]))
    return ConversationHandler.END


async def _perdido(update: Update, contexto: Contexto) -> int:
    _ = contexto.traductor
    contexto.user_data.pop(CLAVE, None)
    await responder(update, _("Perdí los datos de la asamblea. Empieza otra vez desde el grupo."),
                    teclado([(_("🤝 Mis grupos"), "coop:inicio")]), editar=False)
    return ConversationHandler.END


async def _volver(update: Update, contexto: Contexto, estado: int) -> int:
    preguntas = {FECHA: preguntar_fecha, HORA: preguntar_hora, LUGAR: preguntar_lugar,
                 ORDEN: preguntar_orden}
    if estado in preguntas:
        return await preguntas[estado](update, contexto)
    return await mostrar_resumen(update, contexto)


def _paso(estado: int, *handlers: object) -> list:
    otra_cosa = repetir_paso(estado, (FECHA, HORA, LUGAR, ORDEN), _volver)
    return [*handlers, CallbackQueryHandler(salir, pattern="^coopa:salir$"),
            MessageHandler(filters.ALL & ~filters.COMMAND, otra_cosa),
            CallbackQueryHandler(otra_cosa, pattern="^coopa:")]


TEXTO = filters.TEXT & ~filters.COMMAND

def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="cooperativa_asamblea",
        persistent=False,
        allow_reentry=True,
        entry_points=[CallbackQueryHandler(empezar, pattern=r"^coop:nas:\d{1,12}$")],
        states={
            FECHA: _paso(FECHA, MessageHandler(TEXTO, recibir_fecha)),
            HORA: _paso(HORA, MessageHandler(TEXTO, recibir_hora)),
            LUGAR: _paso(LUGAR, MessageHandler(TEXTO, recibir_lugar)),
            ORDEN: _paso(ORDEN, MessageHandler(TEXTO, recibir_orden)),
            CONFIRMAR: _paso(CONFIRMAR, CallbackQueryHandler(convocar, pattern="^coopa:ok$")),
        },
        fallbacks=salidas(),
    )
