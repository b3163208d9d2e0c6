"""El personal crea, corrige, cambia de fecha y cancela sesiones, paso a paso.

    Nueva:        CURSO → FECHA → HORA → DURACION → MODALIDAD
                    → presencial: MUNICIPIO → LUGAR → DIRECCION → MAPA
                    → en línea:   ENLACE
                  → CUPO → RESUMEN [Guardar | Salir]
    Corregir:     un dato (MUNICIPIO, LUGAR, DIRECCION, MAPA, ENLACE o CUPO) → la sesión
    Cambiar fecha: FECHA → HORA → CONFIRMAR_FECHA → avisos a inscritas y en espera
    Cancelar:     CONFIRMAR_CANCELACION → avisos a inscritas y en espera

Lo capturado se guarda al momento en un borrador en la base: un reinicio del bot a media
captura no lo pierde. Las reglas de cada dato son las de la importación por CSV
(nucleo/importacion.py). Cada handler pasa por `solo_personal`.

Los botones del flujo empiezan con «pers:f:». Cualquier otro botón del personal («pers:...»)
o /personal termina el flujo sin guardar y se atiende como si el flujo no estuviera abierto.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from html import escape
from typing import Any

import aiosqlite
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversaciones.comun import Paso, interrumpir, repetir_paso, salidas
from conversaciones.cursos import nombre_curso as nombre_curso_html
from conversaciones.cursos import planes_de, texto_sesion
from conversaciones.cursos import reprogramar as reprogramar_recordatorios
from handlers.comun import Boton, responder, teclado
from handlers.informacion import MODALIDADES
from handlers.mis_cursos import avisar_ascenso
from handlers.personal import (
    CAMPOS_DE_BOTON,
    boton_menu_personal,
    lineas_de_lugar,
    mostrar_sesion,
    nombre_curso,
    sesion_pedida,
    solo_personal,
)
from nucleo.almacen.cursos import Sesion, SesionNueva
from nucleo.almacen.personal import Afectada, Avisar
from nucleo.contexto import Contexto, Servicios
from nucleo.envios import EnvioNuevo
from nucleo.fechas import fecha_y_hora
from nucleo.importacion import (
    CUPO_MAXIMO,
    LARGO_DIRECCION,
    LARGO_LUGAR,
    DatoInvalido,
    leer_cupo,
    leer_duracion,
    leer_fecha,
    leer_hora,
    leer_texto,
    leer_url,
    momento_de_inicio,
)
from nucleo.textos import Traductor

(CURSO, FECHA, HORA, DURACION, MODALIDAD, MUNICIPIO, LUGAR, DIRECCION, MAPA, ENLACE, CUPO,
 RESUMEN, CONFIRMAR_FECHA, CONFIRMAR_CANCELACION) = range(14)
ORDEN_PRESENCIAL = ("curso_id", "fecha", "inicio", "duracion_min", "modalidad",
                    "municipio_clave", "lugar", "direccion", "mapa_url", "cupo")
ORDEN_EN_LINEA = ("curso_id", "fecha", "inicio", "duracion_min", "modalidad", "enlace", "cupo")
DURACIONES = (60, 90, 120, 180, 240)


# --- el borrador -------------------------------------------------------------------------------

async def _borrador(update: Update, contexto: Contexto) -> dict[str, Any]:
    return await contexto.almacen.borrador(update.effective_user.id) or {}


async def _anotar(update: Update, contexto: Contexto, **datos: Any) -> dict[str, Any]:
    borrador = {**await _borrador(update, contexto), **datos}
    await contexto.almacen.guardar_borrador(update.effective_user.id, borrador,
                                            contexto.reloj.ahora())
    return borrador


async def _empezar(update: Update, contexto: Contexto, **datos: Any) -> None:
    await contexto.almacen.guardar_borrador(update.effective_user.id, datos,
                                            contexto.reloj.ahora())


def _con_salida(_: Traductor, *filas: list[Boton]) -> InlineKeyboardMarkup:
    return teclado(*filas, [(_("✖️ Salir sin guardar"), "pers:f:salir")])


# --- entrar -----------------------------------------------------------------------------------

async def nueva(update: Update, contexto: Contexto) -> int:
    await _empezar(update, contexto, accion="crear")
    return await preguntar_curso(update, contexto)


async def corregir(update: Update, contexto: Contexto) -> int:
    sesion = await _sesion_programada(update, contexto)
    campo = CAMPOS_DE_BOTON.get(contexto.match.group(2))
    if sesion is None:
        return ConversationHandler.END
    if campo is None:
        await mostrar_sesion(update, contexto, sesion)
        return ConversationHandler.END
    await _empezar(update, contexto, accion="corregir", sesion_id=sesion.id, campo=campo)
    _ = contexto.textos
    if campo == "cupo":
        antes = _("Cupo actual: {cupo}. Inscritas: {n}; no puede ser menor.").format(
            cupo=sesion.cupo, n=sesion.inscritas)
        return await preguntar_cupo(update, contexto, antes)
    return await PREGUNTAS[campo](update, contexto)


async def cambiar_fecha(update: Update, contexto: Contexto) -> int:
    sesion = await _sesion_programada(update, contexto)
    if sesion is None:
        return ConversationHandler.END
    await _empezar(update, contexto, accion="reprogramar", sesion_id=sesion.id)
    _ = contexto.textos
    antes = _("Nueva fecha para «{curso}» (ahora es el {fecha}).").format(
        curso=escape(nombre_curso(contexto, _, sesion.curso_id)),
        fecha=fecha_y_hora(sesion.inicio, _, contexto.config.zona_horaria))
    return await preguntar_fecha(update, contexto, antes)


async def pedir_cancelacion(update: Update, contexto: Contexto) -> int:
    sesion = await _sesion_programada(update, contexto)
    if sesion is None:
        return ConversationHandler.END
    await _empezar(update, contexto, accion="cancelar", sesion_id=sesion.id)
    return await _confirmar_cancelacion(update, contexto, sesion)


async def _confirmar_cancelacion(update: Update, contexto: Contexto, sesion: Sesion) -> int:
    _ = contexto.textos
    texto = _("¿Seguro que quieres cancelar la sesión de «{curso}» del {fecha}?\n\n"
              "Se avisará a {n} persona(s) inscrita(s) o en espera y se borrarán sus "
              "recordatorios. No se puede deshacer.").format(
        curso=escape(nombre_curso(contexto, _, sesion.curso_id)),
        fecha=fecha_y_hora(sesion.inicio, _, contexto.config.zona_horaria),
        n=sesion.inscritas + sesion.en_espera)
    botones = teclado([(_("❌ Sí, cancelar la sesión"), "pers:f:cancelar:si")],
                      [(_("No, volver"), "pers:f:cancelar:no")])
    await responder(update, texto, botones)
    return CONFIRMAR_CANCELACION


async def _sesion_programada(update: Update, contexto: Contexto) -> Sesion | None:
    _ = contexto.textos
    sesion = await sesion_pedida(update, contexto)
    if sesion is not None and sesion.estado != "programada":
        await mostrar_sesion(update, contexto, sesion,
                             _("Esa sesión está cancelada: ya no se puede cambiar."))
        return None
    return sesion


# --- preguntar cada dato -----------------------------------------------------------------------

async def preguntar_curso(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.textos
    botones = [[(_(c.nombre)[:60], f"pers:f:curso:{c.id}")] for c in contexto.contenido.cursos]
    texto = _("<b>Nueva sesión</b>\n¿De qué curso es?")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(_, *botones))
    return CURSO


async def preguntar_fecha(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.textos
    ejemplo = (contexto.reloj.ahora() + timedelta(days=7)).astimezone(
        contexto.config.zona_horaria)
    texto = _("¿Qué día es? Escribe la fecha como día/mes/año, por ejemplo {ejemplo}.").format(
        ejemplo=f"{ejemplo:%d/%m/%Y}")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(_))
    return FECHA


async def preguntar_hora(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.textos
    texto = _("¿A qué hora empieza? Hora de Puebla, en formato de 24 horas (HH:MM); "
              "por ejemplo 10:00 o 16:30.")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(_))
    return HORA


async def preguntar_duracion(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.textos
    botones = [(_("{n} min").format(n=n), f"pers:f:dur:{n}") for n in DURACIONES]
    texto = _("¿Cuánto dura? Elige o escribe los minutos.")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(_, botones))
    return DURACION


async def preguntar_modalidad(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.textos
    botones = [(_(MODALIDADES[m]), f"pers:f:mod:{m}") for m in ("presencial", "en_linea")]
    texto = _("¿Cómo es la sesión?")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(_, botones))
    return MODALIDAD


async def preguntar_municipio(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.textos
    texto = _("¿En qué municipio es? Escribe su nombre.")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(_))
    return MUNICIPIO


async def preguntar_lugar(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.textos
    texto = _("¿Cómo se llama el lugar? Por ejemplo: Casa de la Cultura.")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(_))
    return LUGAR


async def preguntar_direccion(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.textos
    texto = _("¿Cuál es la dirección? Calle, número y colonia.")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(_))
    return DIRECCION


async def preguntar_mapa(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.textos
    texto = _("Si quieres, manda el enlace del lugar en un mapa (https://...). Si no, "
              "pulsa «Sin mapa».")
    await responder(update, f"{antes}\n\n{texto}".strip(),
                    _con_salida(_, [(_("Sin mapa"), "pers:f:mapa:no")]))
    return MAPA


async def preguntar_enlace(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.textos
    texto = _("Manda el enlace de la sesión en línea (https://...).")
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(_))
    return ENLACE


async def preguntar_cupo(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.textos
    texto = _("¿Cuántos lugares hay? Escribe un número de 1 a {maximo}.").format(
        maximo=CUPO_MAXIMO)
    await responder(update, f"{antes}\n\n{texto}".strip(), _con_salida(_))
    return CUPO


PREGUNTAS: dict[str, Callable[..., Awaitable[int]]] = {
    "curso_id": preguntar_curso, "fecha": preguntar_fecha, "inicio": preguntar_hora,
    "duracion_min": preguntar_duracion, "modalidad": preguntar_modalidad,
    "municipio_clave": preguntar_municipio, "lugar": preguntar_lugar,
    "direccion": preguntar_direccion, "mapa_url": preguntar_mapa, "enlace": preguntar_enlace,
    "cupo": preguntar_cupo,
}


# --- recibir cada dato -------------------------------------------------------------------------

async def recibir_curso(update: Update, contexto: Contexto) -> int:
    curso_id = contexto.match.group(1)
    if all(c.id != curso_id for c in contexto.contenido.cursos):
        return await preguntar_curso(update, contexto)
    return await _guardar_dato(update, contexto, "curso_id", curso_id)


async def recibir_fecha(update: Update, contexto: Contexto) -> int:
    hoy = contexto.reloj.ahora().astimezone(contexto.config.zona_horaria).date()
    try:
        dia = leer_fecha(update.message.text, hoy)
    except DatoInvalido as error:
        return await preguntar_fecha(update, contexto, escape(error.traducido(contexto.textos)))
    return await _guardar_dato(update, contexto, "fecha", dia.isoformat())


async def recibir_hora(update: Update, contexto: Contexto) -> int:
    borrador = await _borrador(update, contexto)
    if "fecha" not in borrador:
        return await _perdido(update, contexto)
    zona, ahora = contexto.config.zona_horaria, contexto.reloj.ahora()
    try:
        inicio = momento_de_inicio(date.fromisoformat(borrador["fecha"]),
                                   leer_hora(update.message.text), zona, ahora)
    except DatoInvalido as error:
        return await preguntar_hora(update, contexto, escape(error.traducido(contexto.textos)))
    return await _guardar_dato(update, contexto, "inicio", inicio.isoformat())


async def recibir_duracion(update: Update, contexto: Contexto) -> int:
    texto = contexto.match.group(1) if update.callback_query else update.message.text
    try:
        minutos = leer_duracion(texto)
    except DatoInvalido as error:
        return await preguntar_duracion(update, contexto, escape(error.traducido(contexto.textos)))
    return await _guardar_dato(update, contexto, "duracion_min", minutos)


async def recibir_modalidad(update: Update, contexto: Contexto) -> int:
    return await _guardar_dato(update, contexto, "modalidad", contexto.match.group(1))


async def recibir_municipio(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
    busqueda = contexto.contenido.municipios.buscar(update.message.text)
    if busqueda.exacto is not None:
        return await _guardar_dato(update, contexto, "municipio_clave", busqueda.exacto.clave)
    if not busqueda.sugerencias:
        return await preguntar_municipio(update, contexto, _(
            "No encontré ese municipio en Puebla. Revisa cómo se escribe."))
    botones = [[(m.nombre, f"pers:f:mun:{m.clave}")] for m in busqueda.sugerencias]
    botones.append([(_("Ninguno, lo escribo otra vez"), "pers:f:mun:otra")])
    await responder(update, _("¿Quisiste decir alguno de estos?"), _con_salida(_, *botones))
    return MUNICIPIO


async def elegir_municipio(update: Update, contexto: Contexto) -> int:
    clave = contexto.match.group(1)
    if contexto.contenido.municipios.por_clave(clave) is None:
        return await preguntar_municipio(update, contexto)
    return await _guardar_dato(update, contexto, "municipio_clave", clave)


def _recibir_texto(campo: str, leer: Callable[[str], str]) -> Paso:
    async def recibir(update: Update, contexto: Contexto) -> int:
        try:
            valor = leer(update.message.text)
        except DatoInvalido as error:
            motivo = escape(error.traducido(contexto.textos))
            return await PREGUNTAS[campo](update, contexto, motivo)
        return await _guardar_dato(update, contexto, campo, valor)

    return recibir


async def sin_mapa(update: Update, contexto: Contexto) -> int:
    return await _guardar_dato(update, contexto, "mapa_url", None)


async def recibir_cupo(update: Update, contexto: Contexto) -> int:
    try:
        cupo = leer_cupo(update.message.text)
    except DatoInvalido as error:
        return await preguntar_cupo(update, contexto, escape(error.traducido(contexto.textos)))
    return await _guardar_dato(update, contexto, "cupo", cupo)


# --- qué sigue -------------------------------------------------------------------------------

async def _guardar_dato(update: Update, contexto: Contexto, campo: str, valor: Any) -> int:
    borrador = await _anotar(update, contexto, **{campo: valor})
    accion = borrador.get("accion")
    if accion == "crear":
        orden = ORDEN_EN_LINEA if borrador.get("modalidad") == "en_linea" else ORDEN_PRESENCIAL
        faltan = [c for c in orden[orden.index(campo) + 1:] if c not in borrador]
        if not faltan:
            return await mostrar_resumen(update, contexto)
        return await PREGUNTAS[faltan[0]](update, contexto)
    if accion == "reprogramar":
        if campo == "fecha":
            return await preguntar_hora(update, contexto)
        return await confirmar_fecha(update, contexto, borrador)
    if accion == "corregir" and campo == borrador.get("campo"):
        return await aplicar_correccion(update, contexto, borrador)
    return await _perdido(update, contexto)


async def _perdido(update: Update, contexto: Contexto) -> int:
    """El borrador no corresponde al paso (un botón de otro momento): se empieza de nuevo."""
    _ = contexto.textos
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    await responder(update, _("Perdí el hilo de lo que estabas capturando; no se guardó nada. "
                              "Empieza otra vez, por favor."),
                    teclado([boton_menu_personal(_)]), editar=False)
    return ConversationHandler.END


# --- crear -------------------------------------------------------------------------------

def _sesion_nueva(borrador: dict[str, Any]) -> SesionNueva:
    return SesionNueva(
        curso_id=borrador["curso_id"], inicio=datetime.fromisoformat(borrador["inicio"]),
        duracion_min=borrador["duracion_min"], modalidad=borrador["modalidad"],
        cupo=borrador["cupo"], municipio_clave=borrador.get("municipio_clave"),
        lugar=borrador.get("lugar"), direccion=borrador.get("direccion"),
        mapa_url=borrador.get("mapa_url"), enlace=borrador.get("enlace"))


async def mostrar_resumen(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
    try:
        nueva = _sesion_nueva(await _borrador(update, contexto))
    except (KeyError, TypeError, ValueError):
        return await _perdido(update, contexto)
    lineas = [_("<b>Revisa la sesión nueva</b>"),
              f"<b>{escape(nombre_curso(contexto, _, nueva.curso_id))}</b>",
              "📅 " + fecha_y_hora(nueva.inicio, _, contexto.config.zona_horaria) + " · "
              + _("{n} min").format(n=nueva.duracion_min),
              "🏷️ " + _(MODALIDADES[nueva.modalidad]),
              *lineas_de_lugar(contexto, _, nueva.modalidad, nueva.municipio_clave, nueva.lugar,
                               nueva.direccion, nueva.mapa_url, nueva.enlace),
              "👥 " + _("Cupo {cupo}").format(cupo=nueva.cupo)]
    botones = teclado([(_("💾 Guardar"), "pers:f:guardar")],
                      [(_("✖️ Cancelar, no guardar"), "pers:f:salir")])
    await responder(update, "\n".join(lineas), botones)
    return RESUMEN


async def guardar(update: Update, contexto: Contexto) -> int:
    try:
        nueva = _sesion_nueva(await _borrador(update, contexto))
    except (KeyError, TypeError, ValueError):
        return await _perdido(update, contexto)
    _ = contexto.textos
    ahora = contexto.reloj.ahora()
    if nueva.inicio <= ahora:  # el resumen pudo quedarse abierto hasta pasada la hora
        return await preguntar_fecha(update, contexto, _("Esa fecha y hora ya pasaron."))
    sesion_id = await contexto.almacen.crear_sesion(nueva, ahora)
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    sesion = await contexto.almacen.sesion(sesion_id)
    await mostrar_sesion(update, contexto, sesion, _("✅ Sesión guardada. Ya aparece para "
                                                     "inscribirse."))
    return ConversationHandler.END


# --- corregir ---------------------------------------------------------------------------------

async def aplicar_correccion(update: Update, contexto: Contexto, borrador: dict[str, Any]) -> int:
    _ = contexto.textos
    sesion_id, campo, ahora = borrador["sesion_id"], borrador["campo"], contexto.reloj.ahora()
    if campo == "cupo":
        return await _cambiar_cupo(update, contexto, sesion_id, borrador["cupo"])
    cambiado = await contexto.almacen.cambiar_datos_sesion(
        sesion_id, {campo: borrador.get(campo)}, ahora)
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    return await _terminar_en_sesion(
        update, contexto, sesion_id,
        _("✅ Dato corregido.") if cambiado else _("Esa sesión ya no se puede cambiar."))


async def _cambiar_cupo(update: Update, contexto: Contexto, sesion_id: int, cupo: int) -> int:
    _ = contexto.textos
    ahora = contexto.reloj.ahora()
    cambio = await contexto.almacen.cambiar_cupo(
        sesion_id, cupo, planes_de(contexto.servicios, ahora), ahora)
    if cambio is not None and not cambio.guardado:
        return await preguntar_cupo(update, contexto, _(
            "Ya hay {n} personas inscritas: el cupo no puede ser menor.").format(
            n=cambio.inscritas))
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    if cambio is None:
        return await _terminar_en_sesion(update, contexto, sesion_id,
                                         _("Esa sesión ya no se puede cambiar."))
    for promocion in cambio.promovidas:
        await avisar_ascenso(contexto.servicios, promocion)
    if cambio.promovidas:
        await reprogramar_recordatorios(contexto.servicios)
    antes = _("✅ Cupo cambiado a {cupo}.").format(cupo=cupo)
    if cambio.promovidas:
        antes += " " + _("{n} persona(s) pasaron de la lista de espera a inscritas; ya les "
                         "avisamos.").format(n=len(cambio.promovidas))
    return await _terminar_en_sesion(update, contexto, sesion_id, antes)


async def _terminar_en_sesion(update: Update, contexto: Contexto, sesion_id: int,
                              antes: str) -> int:
    sesion = await contexto.almacen.sesion(sesion_id)
    if sesion is None:
        return await _perdido(update, contexto)
    await mostrar_sesion(update, contexto, sesion, antes)
    return ConversationHandler.END


# --- cambiar la fecha --------------------------------------------------------------------------

async def confirmar_fecha(update: Update, contexto: Contexto, borrador: dict[str, Any]) -> int:
    _ = contexto.textos
    sesion = await contexto.almacen.sesion(borrador["sesion_id"])
    if sesion is None:
        return await _perdido(update, contexto)
    nuevo = datetime.fromisoformat(borrador["inicio"])
    zona = contexto.config.zona_horaria
    if nuevo == sesion.inicio:
        return await preguntar_fecha(update, contexto, _("Es la misma fecha y hora que ya "
                                                         "tiene. Escribe otra fecha."))
    texto = _("La sesión de «{curso}» pasará del {antes} al <b>{despues}</b>.\n\n"
              "Se avisará a {n} persona(s) inscrita(s) o en espera, y sus recordatorios se "
              "moverán a la nueva fecha.").format(
        curso=escape(nombre_curso(contexto, _, sesion.curso_id)),
        antes=fecha_y_hora(sesion.inicio, _, zona), despues=fecha_y_hora(nuevo, _, zona),
        n=sesion.inscritas + sesion.en_espera)
    botones = teclado([(_("✅ Sí, cambiar la fecha y avisar"), "pers:f:fecha:si")],
                      [(_("✖️ Salir sin cambiar"), "pers:f:salir")])
    await responder(update, texto, botones)
    return CONFIRMAR_FECHA


async def reprogramar(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
    borrador = await _borrador(update, contexto)
    if borrador.get("accion") != "reprogramar" or "inicio" not in borrador:
        return await _perdido(update, contexto)
    sesion_id, nuevo = borrador["sesion_id"], datetime.fromisoformat(borrador["inicio"])
    ahora = contexto.reloj.ahora()
    if nuevo <= ahora:
        return await preguntar_fecha(update, contexto, _("Esa fecha y hora ya pasaron."))
    servicios = contexto.servicios
    afectadas = await contexto.almacen.reprogramar_sesion(
        sesion_id, nuevo, planes_de(servicios, ahora), ahora,
        _avisos(servicios, sesion_id, f"reprogramada:{sesion_id}:{nuevo.isoformat()}",
                texto_reprogramada))
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    if afectadas is None:
        return await _terminar_en_sesion(update, contexto, sesion_id,
                                         _("Esa sesión ya no se puede cambiar."))
    await reprogramar_recordatorios(servicios)
    return await _terminar_en_sesion(update, contexto, sesion_id, _(
        "✅ Fecha cambiada. Avisamos a {n} persona(s).").format(n=len(afectadas)))


# --- cancelar la sesión ---------------------------------------------------------------------

async def cancelar_sesion(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
    borrador = await _borrador(update, contexto)
    if borrador.get("accion") != "cancelar":
        return await _perdido(update, contexto)
    sesion_id = borrador["sesion_id"]
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    servicios = contexto.servicios
    afectadas = await contexto.almacen.cancelar_sesion(
        sesion_id, contexto.reloj.ahora(),
        _avisos(servicios, sesion_id, f"cancelada:{sesion_id}", texto_cancelada))
    if afectadas is None:
        return await _terminar_en_sesion(update, contexto, sesion_id,
                                         _("Esa sesión ya estaba cancelada."))
    await reprogramar_recordatorios(servicios)
    return await _terminar_en_sesion(update, contexto, sesion_id, _(
        "Sesión cancelada. Avisamos a {n} persona(s).").format(n=len(afectadas)))


async def no_cancelar(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
    borrador = await _borrador(update, contexto)
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    if "sesion_id" not in borrador:
        return await _perdido(update, contexto)
    return await _terminar_en_sesion(update, contexto, borrador["sesion_id"],
                                     _("No se canceló nada."))


# --- avisos a las personas, cada una en su idioma --------------------------------------------

Redactar = Callable[[Servicios, Traductor, Sesion, Afectada], tuple[str, list[list[Boton]]]]


def _encabezado(servicios: Servicios, _: Traductor, titulo: str, sesion: Sesion,
                con_enlace: bool) -> str:
    return (f"{titulo}\n\n<b>{nombre_curso_html(_, servicios.contenido, sesion.curso_id)}</b>\n"
            + texto_sesion(_, servicios, sesion, con_enlace=con_enlace, con_lugares=False))


def texto_reprogramada(servicios: Servicios, _: Traductor, sesion: Sesion,
                       a: Afectada) -> tuple[str, list[list[Boton]]]:
    inscrita = a.estado == "inscrita"
    texto = _encabezado(servicios, _, _("📅 <b>Cambió la fecha de tu curso.</b> Ahora es:"),
                        sesion, con_enlace=inscrita) + "\n\n"
    if inscrita:
        texto += _("Tu lugar sigue apartado. Si ya no puedes ir, déjalo en /mis_cursos para "
                   "que pase a otra persona.")
    else:
        texto += _("Sigues en la lista de espera: te aviso si se libera un lugar.")
    return texto, [[(_("🗓️ Ver mis cursos"), "mc:lista")]]


def texto_cancelada(servicios: Servicios, _: Traductor, sesion: Sesion,
                    a: Afectada) -> tuple[str, list[list[Boton]]]:
    texto = _encabezado(servicios, _, _("❌ <b>Se canceló esta sesión:</b>"), sesion,
                        con_enlace=False)
    texto += "\n\n" + _("Perdón por las molestias. Puedes buscar otra fecha del curso.")
    return texto, [[(_("📚 Buscar otros cursos"), "cur:inicio")]]


def _avisos(servicios: Servicios, sesion_id: int, clave: str, redactar: Redactar) -> Avisar:
    """Encola un aviso urgente (prioridad 0) a cada persona, en su idioma, dentro de la
    transacción del cambio. La clave lleva el cambio: el mismo aviso no sale dos veces, pero
    un segundo cambio de fecha sí avisa otra vez."""

    async def avisar(bd: aiosqlite.Connection, afectadas: list[Afectada]) -> None:
        sesion = await servicios.almacen.sesion(sesion_id)  # ya cambiada: misma conexión
        envios = []
        for a in afectadas:
            texto, botones = redactar(servicios, servicios.textos.para(a.idioma), sesion, a)
            envios.append(EnvioNuevo(a.telegram_id, texto, f"{clave}:{a.inscripcion_id}",
                                     botones=botones, prioridad=0))
        if envios:
            await servicios.despachador.encolar(envios, bd=bd)

    return avisar


# --- salir y lo inesperado ---------------------------------------------------------------------

async def salir(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    await responder(update, _("Listo, saliste. No se guardó nada."),
                    teclado([boton_menu_personal(_)]))
    return ConversationHandler.END


async def interrumpir_flujo(update: Update, contexto: Contexto) -> int:
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    return await interrumpir(update, contexto)


def repetir(estado: int) -> Paso:
    """Algo que no es lo que pide el paso: lo decimos y repetimos la pregunta."""
    return repetir_paso(estado, ESCRITOS, _volver_a_preguntar)


async def _volver_a_preguntar(update: Update, contexto: Contexto, estado: int) -> int:
    if estado in CAMPO_DE_ESTADO:
        return await PREGUNTAS[CAMPO_DE_ESTADO[estado]](update, contexto)
    if estado == RESUMEN:
        return await mostrar_resumen(update, contexto)
    borrador = await _borrador(update, contexto)
    sesion = await contexto.almacen.sesion(borrador.get("sesion_id", 0))
    if sesion is None:
        return await _perdido(update, contexto)
    if estado == CONFIRMAR_FECHA and "inicio" in borrador:
        return await confirmar_fecha(update, contexto, borrador)
    if estado == CONFIRMAR_CANCELACION:
        return await _confirmar_cancelacion(update, contexto, sesion)
    return await _perdido(update, contexto)


ESCRITOS = (FECHA, HORA, DURACION, MUNICIPIO, LUGAR, DIRECCION, MAPA, ENLACE, CUPO)
CAMPO_DE_ESTADO = {CURSO: "curso_id", FECHA: "fecha", HORA: "inicio", DURACION: "duracion_min",
                   MODALIDAD: "modalidad", MUNICIPIO: "municipio_clave", LUGAR: "lugar",
                   DIRECCION: "direccion", MAPA: "mapa_url", ENLACE: "enlace", CUPO: "cupo"}
TEXTO = filters.TEXT & ~filters.COMMAND


def _boton(callback: Paso, patron: str) -> CallbackQueryHandler:
    return CallbackQueryHandler(solo_personal(callback), pattern=patron)


def _texto(callback: Paso) -> MessageHandler:
    return MessageHandler(TEXTO, solo_personal(callback))


def _paso(estado: int, *handlers: BaseHandler) -> list[BaseHandler]:
    """Los handlers de un paso y, al final, lo que atiende todo lo demás en ese paso."""
    return [*handlers, MessageHandler(filters.ALL & ~filters.COMMAND,
                                      solo_personal(repetir(estado))),
            _boton(repetir(estado), r"^pers:f:")]


def _fallbacks() -> list[BaseHandler]:
    # Antes que las salidas comunes: /cancelar aquí no guarda nada (lo dice distinto), y
    # cualquier otro botón del personal o /personal termina este flujo y se atiende aparte.
    return [CommandHandler("cancelar", solo_personal(salir)),
            _boton(salir, r"^pers:f:salir$"),
            CommandHandler("personal", solo_personal(interrumpir_flujo)),
            _boton(interrumpir_flujo, r"^pers:(?!f:)"),
            *salidas()]


conversacion = ConversationHandler(
    name="sesiones_personal",
    persistent=True,
    allow_reentry=True,
    entry_points=[
        _boton(nueva, r"^pers:nueva$"),
        _boton(corregir, r"^pers:s:(\d+):ed:(\w+)$"),
        _boton(cambiar_fecha, r"^pers:s:(\d+):rep$"),
        _boton(pedir_cancelacion, r"^pers:s:(\d+):can$"),
    ],
    states={
        CURSO: _paso(CURSO, _boton(recibir_curso, r"^pers:f:curso:(\w+)$")),
        FECHA: _paso(FECHA, _texto(recibir_fecha)),
        HORA: _paso(HORA, _texto(recibir_hora)),
        DURACION: _paso(DURACION, _texto(recibir_duracion),
                        _boton(recibir_duracion, r"^pers:f:dur:(\d+)$")),
        MODALIDAD: _paso(MODALIDAD, _boton(recibir_modalidad,
                                           r"^pers:f:mod:(presencial|en_linea)$")),
        MUNICIPIO: _paso(MUNICIPIO, _texto(recibir_municipio),
                         _boton(elegir_municipio, r"^pers:f:mun:(\d+)$"),
                         _boton(preguntar_municipio, r"^pers:f:mun:otra$")),
        LUGAR: _paso(LUGAR, _texto(_recibir_texto(
            "lugar", lambda t: leer_texto(t, LARGO_LUGAR)))),
        DIRECCION: _paso(DIRECCION, _texto(_recibir_texto(
            "direccion", lambda t: leer_texto(t, LARGO_DIRECCION)))),
        MAPA: _paso(MAPA, _texto(_recibir_texto("mapa_url", leer_url)),
                    _boton(sin_mapa, r"^pers:f:mapa:no$")),
        ENLACE: _paso(ENLACE, _texto(_recibir_texto("enlace", leer_url))),
        CUPO: _paso(CUPO, _texto(recibir_cupo)),
        RESUMEN: _paso(RESUMEN, _boton(guardar, r"^pers:f:guardar$")),
        CONFIRMAR_FECHA: _paso(CONFIRMAR_FECHA, _boton(reprogramar, r"^pers:f:fecha:si$")),
        CONFIRMAR_CANCELACION: _paso(
            CONFIRMAR_CANCELACION, _boton(cancelar_sesion, r"^pers:f:cancelar:si$"),
            _boton(no_cancelar, r"^pers:f:cancelar:no$")),
    },
    fallbacks=_fallbacks(),
)
