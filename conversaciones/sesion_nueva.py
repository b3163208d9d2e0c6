"""El personal crea una sesión nueva, paso a paso («🆕 Nueva sesión», pers:nueva).

    CURSO → FECHA → HORA → DURACION → MODALIDAD
        presencial: → MUNICIPIO → LUGAR → DIRECCION → MAPA → CUPO
        en línea:   → ENLACE → CUPO
    CUPO → RESUMEN [💾 Guardar → fin | ✖️ Salir sin guardar → fin]

Si al guardar la fecha ya pasó (el resumen se quedó abierto), se vuelve a FECHA → HORA y de
ahí directo al RESUMEN. Cada respuesta se guarda al momento en el borrador.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler

from conversaciones import sesion_comun as comun
from conversaciones.sesion_comun import boton, paso, texto
from interfaz.personal import mostrar_sesion
from interfaz.respuestas import responder, teclado
from nucleo.almacen.cursos import SesionNueva
from nucleo.auditoria import auditar
from nucleo.contexto import Contexto
from nucleo.reglas_sesion import (
    LARGO_DIRECCION,
    LARGO_LUGAR,
    leer_cupo,
    leer_duracion,
    leer_texto,
    leer_url,
)
from nucleo.tarjetas import ficha_personal_html
from nucleo.vocabulario import Modalidad

(CURSO, FECHA, HORA, DURACION, MODALIDAD, MUNICIPIO, LUGAR, DIRECCION, MAPA, ENLACE, CUPO,
 RESUMEN) = range(12)
ESCRITOS = (FECHA, HORA, DURACION, MUNICIPIO, LUGAR, DIRECCION, MAPA, ENLACE, CUPO)


async def nueva(update: Update, contexto: Contexto) -> int:
    """pers:nueva: un borrador vacío y la primera pregunta."""
    await comun.empezar(update, contexto, accion="crear")
    await comun.preguntar_curso(update, contexto)
    return CURSO


async def recibir_curso(update: Update, contexto: Contexto) -> int:
    """pers:f:curso:<id> → FECHA (un curso que ya no está: se pregunta otra vez)."""
    curso_id = contexto.match.group(1)
    if contexto.catalogo.vigente(curso_id) is None:
        await comun.preguntar_curso(update, contexto)
        return CURSO
    await comun.anotar(update, contexto, curso_id=curso_id)
    await comun.preguntar_fecha(update, contexto)
    return FECHA


async def recibir_fecha(update: Update, contexto: Contexto) -> int:
    """Día/mes/año, hoy o después → HORA."""
    dia = await comun.leer_dia(update, contexto)
    if dia is None:
        return FECHA
    await comun.anotar(update, contexto, fecha=dia.isoformat())
    await comun.preguntar_hora(update, contexto)
    return HORA


async def recibir_hora(update: Update, contexto: Contexto) -> int:
    """HH:MM, en el futuro → DURACION (o RESUMEN si se estaba corrigiendo la fecha)."""
    borrador = await comun.borrador(update, contexto)
    if "fecha" not in borrador:
        return await comun.perdido(update, contexto)
    inicio = await comun.leer_inicio(update, contexto, date.fromisoformat(borrador["fecha"]))
    if inicio is None:
        return HORA
    borrador = await comun.anotar(update, contexto, inicio=inicio.isoformat())
    if "cupo" in borrador:  # ya estaba todo: solo faltaba corregir la fecha
        return await mostrar_resumen(update, contexto)
    await comun.preguntar_duracion(update, contexto)
    return DURACION


async def recibir_duracion(update: Update, contexto: Contexto) -> int:
    """Minutos escritos o un botón (pers:f:dur:<n>) → MODALIDAD."""
    escrito = contexto.match.group(1) if update.callback_query else None
    minutos = await comun.leer(update, contexto, leer_duracion, comun.preguntar_duracion,
                               escrito)
    if minutos is None:
        return DURACION
    await comun.anotar(update, contexto, duracion_min=minutos)
    await comun.preguntar_modalidad(update, contexto)
    return MODALIDAD


async def recibir_modalidad(update: Update, contexto: Contexto) -> int:
    """pers:f:mod:presencial → MUNICIPIO; pers:f:mod:en_linea → ENLACE."""
    modalidad = Modalidad(contexto.match.group(1))
    await comun.anotar(update, contexto, modalidad=modalidad.value)
    if modalidad == Modalidad.EN_LINEA:
        await comun.preguntar_enlace(update, contexto)
        return ENLACE
    await comun.preguntar_municipio(update, contexto)
    return MUNICIPIO


async def recibir_municipio(update: Update, contexto: Contexto) -> int:
    """El nombre exacto → LUGAR; si no, «¿Quisiste decir…?» y se queda en MUNICIPIO."""
    busqueda = contexto.contenido.municipios.buscar(update.effective_message.text)
    if busqueda.exacto is None:
        await comun.sugerir_municipios(update, contexto)
        return MUNICIPIO
    return await _municipio_elegido(update, contexto, busqueda.exacto.clave)


async def elegir_municipio(update: Update, contexto: Contexto) -> int:
    """pers:f:mun:<clave> (una sugerencia) → LUGAR."""
    clave = contexto.match.group(1)
    if contexto.contenido.municipios.por_clave(clave) is None:
        await comun.preguntar_municipio(update, contexto)
        return MUNICIPIO
    return await _municipio_elegido(update, contexto, clave)


async def otro_municipio(update: Update, contexto: Contexto) -> int:
    """pers:f:mun:otra: ninguna sugerencia era; se pregunta otra vez."""
    await comun.preguntar_municipio(update, contexto)
    return MUNICIPIO


async def _municipio_elegido(update: Update, contexto: Contexto, clave: str) -> int:
    await comun.anotar(update, contexto, municipio_clave=clave)
    await comun.preguntar_lugar(update, contexto)
    return LUGAR


async def recibir_lugar(update: Update, contexto: Contexto) -> int:
    """El nombre del lugar → DIRECCION."""
    lugar = await comun.leer(update, contexto, lambda t: leer_texto(t, LARGO_LUGAR),
                             comun.preguntar_lugar)
    if lugar is None:
        return LUGAR
    await comun.anotar(update, contexto, lugar=lugar)
    await comun.preguntar_direccion(update, contexto)
    return DIRECCION


async def recibir_direccion(update: Update, contexto: Contexto) -> int:
    """Calle, número y colonia → MAPA."""
    direccion = await comun.leer(update, contexto, lambda t: leer_texto(t, LARGO_DIRECCION),
                                 comun.preguntar_direccion)
    if direccion is None:
        return DIRECCION
    await comun.anotar(update, contexto, direccion=direccion)
    await comun.preguntar_mapa(update, contexto)
    return MAPA


async def recibir_mapa(update: Update, contexto: Contexto) -> int:
    """Un enlace https al mapa → CUPO."""
    mapa = await comun.leer(update, contexto, leer_url, comun.preguntar_mapa)
    if mapa is None:
        return MAPA
    return await _pedir_cupo(update, contexto, mapa_url=mapa)


async def sin_mapa(update: Update, contexto: Contexto) -> int:
    """pers:f:mapa:no → CUPO."""
    return await _pedir_cupo(update, contexto, mapa_url=None)


async def recibir_enlace(update: Update, contexto: Contexto) -> int:
    """El enlace de la sesión en línea → CUPO."""
    enlace = await comun.leer(update, contexto, leer_url, comun.preguntar_enlace)
    if enlace is None:
        return ENLACE
    return await _pedir_cupo(update, contexto, enlace=enlace)


async def _pedir_cupo(update: Update, contexto: Contexto, **dato: Any) -> int:
    await comun.anotar(update, contexto, **dato)
    await comun.preguntar_cupo(update, contexto)
    return CUPO


async def recibir_cupo(update: Update, contexto: Contexto) -> int:
    """Un número de 1 a 500 → RESUMEN."""
    cupo = await comun.leer(update, contexto, leer_cupo, comun.preguntar_cupo)
    if cupo is None:
        return CUPO
    await comun.anotar(update, contexto, cupo=cupo)
    return await mostrar_resumen(update, contexto)


def _sesion_nueva(borrador: dict[str, Any]) -> SesionNueva:
    return SesionNueva(
        curso_id=borrador["curso_id"], inicio=datetime.fromisoformat(borrador["inicio"]),
        duracion_min=borrador["duracion_min"], modalidad=borrador["modalidad"],
        cupo=borrador["cupo"], municipio_clave=borrador.get("municipio_clave"),
        lugar=borrador.get("lugar"), direccion=borrador.get("direccion"),
        mapa_url=borrador.get("mapa_url"), enlace=borrador.get("enlace"))


async def mostrar_resumen(update: Update, contexto: Contexto) -> int:
    """Todo lo capturado, con «Guardar» y «Cancelar» → RESUMEN."""
    _ = contexto.traductor
    try:
        nueva = _sesion_nueva(await comun.borrador(update, contexto))
    except (KeyError, TypeError, ValueError):
        return await comun.perdido(update, contexto)
    ficha = ficha_personal_html(_, contexto.config.zona_horaria, contexto.contenido, nueva,
                                cupo=nueva.cupo)
    botones = teclado([(_("💾 Guardar"), "pers:f:guardar")],
                      [(_("✖️ Cancelar, no guardar"), "pers:f:salir")])
    await responder(update, _("<b>Revisa la sesión nueva</b>") + "\n" + ficha, botones)
    return RESUMEN


async def guardar(update: Update, contexto: Contexto) -> int:
    """pers:f:guardar → fin, con la ficha de la sesión ya guardada."""
    try:
        nueva = _sesion_nueva(await comun.borrador(update, contexto))
    except (KeyError, TypeError, ValueError):
        return await comun.perdido(update, contexto)
    _ = contexto.traductor
    if nueva.inicio <= contexto.reloj.ahora():  # el resumen pudo quedarse abierto
        await comun.preguntar_fecha(update, contexto, _("Esa fecha y hora ya pasaron."))
        return FECHA
    sesion_id = await contexto.capacitacion.crear_sesion(nueva)
    await auditar(contexto, update, "sesion_creada", f"sesion {sesion_id}", nueva.curso_id)
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    sesion = await contexto.almacen.sesion(sesion_id)
    await mostrar_sesion(update, contexto, sesion,
                         _("✅ Sesión guardada. Ya aparece para inscribirse."))
    return ConversationHandler.END


async def volver_a_preguntar(update: Update, contexto: Contexto, estado: int) -> int:
    """Tras algo inesperado, la pregunta del paso `estado` otra vez."""
    if estado == RESUMEN:
        return await mostrar_resumen(update, contexto)
    await PREGUNTAS[estado](update, contexto)
    return estado


PREGUNTAS = {
    CURSO: comun.preguntar_curso, FECHA: comun.preguntar_fecha, HORA: comun.preguntar_hora,
    DURACION: comun.preguntar_duracion, MODALIDAD: comun.preguntar_modalidad,
    MUNICIPIO: comun.preguntar_municipio, LUGAR: comun.preguntar_lugar,
    DIRECCION: comun.preguntar_direccion, MAPA: comun.preguntar_mapa,
    ENLACE: comun.preguntar_enlace, CUPO: comun.preguntar_cupo,
}


def _paso(estado: int, *handlers: BaseHandler) -> list[BaseHandler]:
    return paso(estado, volver_a_preguntar, ESCRITOS, *handlers)


def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="sesion_nueva",
        persistent=True,
        allow_reentry=True,
        entry_points=[boton(nueva, r"^pers:nueva$")],
        states={
            CURSO: _paso(CURSO, boton(recibir_curso, r"^pers:f:curso:(\w+)$")),
            FECHA: _paso(FECHA, texto(recibir_fecha)),
            HORA: _paso(HORA, texto(recibir_hora)),
            DURACION: _paso(DURACION, texto(recibir_duracion),
                            boton(recibir_duracion, r"^pers:f:dur:(\d+)$")),
            MODALIDAD: _paso(MODALIDAD, boton(recibir_modalidad,
                                              r"^pers:f:mod:(presencial|en_linea)$")),
            MUNICIPIO: _paso(MUNICIPIO, texto(recibir_municipio),
                             boton(elegir_municipio, r"^pers:f:mun:(\d+)$"),
                             boton(otro_municipio, r"^pers:f:mun:otra$")),
            LUGAR: _paso(LUGAR, texto(recibir_lugar)),
            DIRECCION: _paso(DIRECCION, texto(recibir_direccion)),
            MAPA: _paso(MAPA, texto(recibir_mapa), boton(sin_mapa, r"^pers:f:mapa:no$")),
            ENLACE: _paso(ENLACE, texto(recibir_enlace)),
            CUPO: _paso(CUPO, texto(recibir_cupo)),
            RESUMEN: _paso(RESUMEN, boton(guardar, r"^pers:f:guardar$")),
        },
        fallbacks=comun.salidas_del_personal(),
    )
