"""/anuncios: los anuncios del personal, lo más nuevo primero, con sus cifras; abrir uno, pausar,
reanudar o cancelar uno que está saliendo, y cancelar uno programado (cambiarlo abre el flujo
conversaciones/anuncio.py con «anun:editar:<id>» o «anun:fecha:<id>»).

También el trabajo de avance (`revisar_avance`, cada ~3 s, registrado en aplicacion.py): edita
en su lugar el mensaje de avance de cada anuncio en curso (solo si su texto cambió) y, cuando
uno termina, lo edita una última vez y manda el informe a quien lo escribió.

Cada handler de aquí se registra envuelto en `interfaz.personal.solo_personal`; pausar,
reanudar y cancelar los hace `servicios.anuncios`, que los anota en la bitácora.
"""

from __future__ import annotations

import asyncio
import logging
import re
from contextlib import suppress
from html import escape

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError

from interfaz.anuncios import (
    NOMBRE_ESTADO,
    botones_de_avance,
    describir_audiencia,
    informe_final,
    mandar_como_anuncio,
    tarjeta_de_avance,
)
from interfaz.personal import boton_menu_personal
from interfaz.respuestas import Boton, avisar, en_columnas, responder, teclado
from nucleo.anuncios import Anuncio, Avance
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_y_hora
from nucleo.textos import Traductor
from nucleo.vocabulario import EstadoAnuncio

registro = logging.getLogger("coopera.anuncios")
POR_PAGINA = 5
INTERVALO_AVANCE = 3.0  # segundos entre revisiones del mensaje de avance
_ID = re.compile(r":(\d{1,12})$")


def _id_del_boton(update: Update) -> int | None:
    coincidencia = _ID.search(update.callback_query.data)
    return int(coincidencia.group(1)) if coincidencia else None


# --- la lista ----------------------------------------------------------------------------------

def _linea(_: Traductor, contexto: Contexto, anuncio: Anuncio, avance: Avance) -> str:
    zona = contexto.config.zona_horaria
    estado = EstadoAnuncio(avance.estado)
    cuando = (anuncio.programado_para if estado == EstadoAnuncio.PROGRAMADO
              and anuncio.programado_para else avance.iniciado_en or anuncio.creado_en)
    lineas = [f"<b>{anuncio.id}</b> · {_(NOMBRE_ESTADO[estado])} · "
              f"{fecha_y_hora(cuando, _, zona)}",
              describir_audiencia(_, contexto.contenido, anuncio.borrador.audiencia)]
    if estado != EstadoAnuncio.PROGRAMADO:
        lineas.append(_("Enviados: {n} de {total} · No se pudo: {fallidos} · Sin confirmar: "
                        "{inciertos}").format(n=avance.enviados, total=avance.total,
                                              fallidos=avance.fallidos + avance.inalcanzables,
                                              inciertos=avance.inciertos))
    return "\n".join(lineas)


async def lista(update: Update, contexto: Contexto) -> None:
    """/anuncios y «anuns:lista[:<antes de>]»: los anuncios, lo más nuevo primero."""
    _ = contexto.traductor
    antes_de = None
    if update.callback_query is not None:
        antes_de = _id_del_boton(update)
    filas = await contexto.servicios.anuncios.listar(limite=POR_PAGINA, antes_de=antes_de)
    if not filas:
        texto = (_("No hay anuncios más viejos.") if antes_de
                 else _("Todavía no hay anuncios. Escribe el primero con /anuncio."))
    else:
        texto = "\n\n".join([_("<b>Anuncios</b> (lo más nuevo primero)"),
                             *(_linea(_, contexto, a, av) for a, av in filas)])
    botones: list[Boton] = [(_("👁️ Ver {n}").format(n=a.id), f"anuns:ver:{a.id}")
                            for a, _av in filas]
    navegar: list[Boton] = []
    if antes_de:
        navegar.append((_("⏮️ Lo más nuevo"), "anuns:lista"))
    if len(filas) == POR_PAGINA:
        navegar.append((_("Más viejos ▶️"), f"anuns:lista:{filas[-1][0].id}"))
    await responder(update, texto, teclado(*en_columnas(botones, 3), navegar,
                                           [(_("🆕 Nuevo anuncio"), "anun:nuevo")],
                                           [boton_menu_personal(_)]))


# --- un anuncio --------------------------------------------------------------------------------

def _botones_de_detalle(_: Traductor, anuncio: Anuncio, avance: Avance) -> list[list[Boton]]:
    filas: list[list[Boton]] = []
    if avance.estado == EstadoAnuncio.PROGRAMADO:
        filas += [[(_("✏️ Cambiar"), f"anun:editar:{anuncio.id}"),
                   (_("🕒 Cambiar la fecha"), f"anun:fecha:{anuncio.id}")],
                  [(_("❌ Cancelar"), f"anuns:cancelar:{anuncio.id}")]]
    else:
        filas.append(botones_de_avance(_, anuncio.id, avance.estado))
    filas += [[(_("👁️ Ver el anuncio"), f"anuns:muestra:{anuncio.id}")],
              [(_("📋 Anuncios"), "anuns:lista")]]
    return filas


async def _el_del_boton(update: Update, contexto: Contexto) -> tuple[Anuncio, Avance] | None:
    """El anuncio del botón «anuns:...:<id>» y su avance; si no existe, lo dice."""
    anuncio_id = _id_del_boton(update)
    anuncios = contexto.servicios.anuncios
    anuncio = await anuncios.obtener(anuncio_id) if anuncio_id is not None else None
    avance = await anuncios.avance(anuncio_id) if anuncio is not None else None
    if anuncio is None or avance is None:
        _ = contexto.traductor
        await responder(update, _("Ese anuncio no existe."),
                        teclado([(_("📋 Anuncios"), "anuns:lista")]))
        return None
    return anuncio, avance


async def ver(update: Update, contexto: Contexto, antes: str = "") -> None:
    """«anuns:ver:<id>»: su tarjeta, a quién va y lo que se puede hacer."""
    par = await _el_del_boton(update, contexto)
    if par is None:
        return
    anuncio, avance = par
    _ = contexto.traductor
    zona = contexto.config.zona_horaria
    partes = [tarjeta_de_avance(_, zona, anuncio, avance, contexto.reloj.ahora()),
              _("A quién: {audiencia}").format(audiencia=describir_audiencia(
                  _, contexto.contenido, anuncio.borrador.audiencia))]
    if avance.estado in (EstadoAnuncio.TERMINADO, EstadoAnuncio.CANCELADO):
        partes.append(informe_final(_, zona, anuncio, avance))
    texto = "\n\n".join([escape(antes)] * bool(antes) + partes)
    await responder(update, texto, teclado(*_botones_de_detalle(_, anuncio, avance)))


async def muestra(update: Update, contexto: Contexto) -> None:
    """«anuns:muestra:<id>»: el anuncio tal como le llega a cada persona."""
    par = await _el_del_boton(update, contexto)
    if par is None:
        return
    await avisar(update, contexto.traductor("Así lo ven:"))
    await mandar_como_anuncio(contexto.bot, update.effective_chat.id, par[0].borrador)


async def pausar(update: Update, contexto: Contexto) -> None:
    """«anuns:pausar:<id>»: deja de salir (lo pendiente queda retenido)."""
    await _cambiar(update, contexto, "pausar")


async def reanudar(update: Update, contexto: Contexto) -> None:
    """«anuns:reanudar:<id>»: sigue saliendo."""
    await _cambiar(update, contexto, "reanudar")


async def _cambiar(update: Update, contexto: Contexto, accion: str) -> None:
    _ = contexto.traductor
    anuncio_id = _id_del_boton(update)
    anuncios = contexto.servicios.anuncios
    hacer = anuncios.pausar if accion == "pausar" else anuncios.reanudar
    hecho = anuncio_id is not None and await hacer(anuncio_id, quien=update.effective_user.id)
    if not hecho:
        await avisar(update, _("No se pudo: ese anuncio ya cambió de estado."))
    elif accion == "pausar":
        await avisar(update, _("⏸️ En pausa. No sale nada hasta que lo reanudes."))
    else:
        await avisar(update, _("▶️ Sigue saliendo."))
    anuncio = await anuncios.obtener(anuncio_id) if anuncio_id is not None else None
    mensaje = update.callback_query.message
    if (anuncio is not None and mensaje is not None
            and anuncio.progreso_message_id == mensaje.message_id
            and anuncio.progreso_chat_id == mensaje.chat.id):
        await actualizar_avance(contexto, anuncio)  # el mensaje de avance, en su lugar
    else:
        await ver(update, contexto)


async def pedir_cancelacion(update: Update, contexto: Contexto) -> None:
    """«anuns:cancelar:<id>»: pregunta antes (en un mensaje nuevo: el de avance sigue
    cambiando)."""
    par = await _el_del_boton(update, contexto)
    if par is None:
        return
    anuncio, avance = par
    _ = contexto.traductor
    if avance.estado == EstadoAnuncio.PROGRAMADO:
        texto = _("¿Cancelar el anuncio {n}? No le llegará a nadie.").format(n=anuncio.id)
    elif avance.estado in (EstadoAnuncio.ENVIANDO, EstadoAnuncio.PAUSADO):
        texto = _.plural(
            "¿Cancelar el anuncio {n}? Falta mandarlo a {faltan} persona; ya no le llegará. "
            "Lo que ya salió no se puede borrar.",
            "¿Cancelar el anuncio {n}? Falta mandarlo a {faltan} personas; ya no les llegará. "
            "Lo que ya salió no se puede borrar.", avance.pendientes + avance.retenidos).format(
            n=anuncio.id, faltan=avance.pendientes + avance.retenidos)
    else:
        await ver(update, contexto, _("Ese anuncio ya terminó o ya estaba cancelado."))
        return
    await responder(update, texto, teclado(
        [(_("❌ Sí, cancelarlo"), f"anuns:cancelar_si:{anuncio.id}")],
        [(_("No, dejarlo así"), f"anuns:ver:{anuncio.id}")]), editar=False)


async def cancelar(update: Update, contexto: Contexto) -> None:
    """«anuns:cancelar_si:<id>»: cancelado; si ya estaba saliendo, el mensaje de avance queda
    en su estado final y su autor recibe el informe."""
    _ = contexto.traductor
    anuncio_id = _id_del_boton(update)
    anuncios = contexto.servicios.anuncios
    antes = await anuncios.obtener(anuncio_id) if anuncio_id is not None else None
    nuevo = (await anuncios.cancelar(anuncio_id, quien=update.effective_user.id)
             if antes is not None else None)
    if nuevo is None:
        await ver(update, contexto, _("Ese anuncio ya terminó o ya estaba cancelado."))
        return
    if antes.estado != EstadoAnuncio.PROGRAMADO:
        # Ya estaba saliendo: su avance queda en el estado final y el informe sale ya, por el
        # mismo camino (y el mismo candado) que el trabajo periódico: nunca dos veces.
        await revisar_avance(contexto)
    await ver(update, contexto, _("Anuncio cancelado. Ya no sale a nadie más."))


async def boton_desconocido(update: Update, contexto: Contexto) -> None:
    """Cualquier otro «anun:» o «anuns:» (un botón viejo o inventado)."""
    _ = contexto.traductor
    await responder(update, _("Ese botón ya no funciona. Aquí están los anuncios:"),
                    teclado([(_("📋 Anuncios"), "anuns:lista")], [boton_menu_personal(_)]),
                    editar=False)


# --- el trabajo de avance ----------------------------------------------------------------------

async def _traductor_del_autor(contexto: Contexto, anuncio: Anuncio) -> Traductor:
    """El idioma de quien escribió el anuncio (el avance y el informe le llegan a esa persona
    aunque los mueva otra persona del personal o el trabajo periódico)."""
    persona = (await contexto.almacen.persona(anuncio.autor_id)
               if anuncio.autor_id is not None else None)
    idioma = persona.idioma if persona is not None else None
    return contexto.servicios.textos.para(idioma or contexto.config.idioma_predeterminado)


async def actualizar_avance(contexto: Contexto, anuncio: Anuncio) -> None:
    """Edita en su lugar el mensaje de avance de `anuncio`, solo si su texto cambió."""
    if anuncio.progreso_chat_id is None or anuncio.progreso_message_id is None:
        return
    avance = await contexto.servicios.anuncios.avance(anuncio.id)
    if avance is None:
        return
    _ = await _traductor_del_autor(contexto, anuncio)
    texto = tarjeta_de_avance(_, contexto.config.zona_horaria, anuncio, avance,
                              contexto.reloj.ahora())
    botones = botones_de_avance(_, anuncio.id, avance.estado)
    clave = (anuncio.progreso_chat_id, anuncio.progreso_message_id)
    ultimos: dict[tuple[int, int], str] = contexto.bot_data.setdefault("avance_mostrado", {})
    version = f"{texto}\n{botones}"
    if ultimos.get(clave) == version:
        return
    try:
        await contexto.bot.edit_message_text(texto, chat_id=clave[0], message_id=clave[1],
                                             reply_markup=teclado(botones) if botones else None)
    except BadRequest as error:
        if "not modified" not in str(error):  # ya decía eso: no importa
            registro.warning("No se pudo editar el avance del anuncio %s: %s", anuncio.id,
                             error)
            return
    except Forbidden:
        return
    ultimos[clave] = version


async def _mandar_informe(contexto: Contexto, anuncio: Anuncio) -> None:
    """El informe final a quien escribió el anuncio; queda anotado al entregarse (solo lo llama
    `revisar_avance`, con su candado: una vez)."""
    if anuncio.autor_id is None:
        await contexto.servicios.anuncios.informe_entregado(anuncio.id)
        return
    avance = await contexto.servicios.anuncios.avance(anuncio.id)
    if avance is None:
        return
    _ = await _traductor_del_autor(contexto, anuncio)
    texto = informe_final(_, contexto.config.zona_horaria, anuncio, avance)
    with suppress(Forbidden):  # nos bloqueó: no hay a quién dárselo
        await contexto.bot.send_message(anuncio.autor_id, texto, reply_markup=teclado(
            [(_("📋 Anuncios"), "anuns:lista")]))
    await contexto.servicios.anuncios.informe_entregado(anuncio.id)


async def revisar_avance(contexto: Contexto) -> None:
    """Trabajo periódico (cada ~3 s): el mensaje de avance de cada anuncio en curso y, al
    terminar uno, su última versión y el informe a su autor. Una revisión a la vez."""
    candado: asyncio.Lock = contexto.bot_data.setdefault("candado_avance", asyncio.Lock())
    anuncios = contexto.servicios.anuncios
    if anuncios is None:  # el bot aún no termina de arrancar
        return
    async with candado:
        for anuncio, avance in await anuncios.en_curso():
            # Uno que ya no tiene nada por salir sigue «enviando» hasta que esto lo cierra:
            # True una sola vez, la señal para mandar el informe.
            termino = (avance.estado == EstadoAnuncio.ENVIANDO
                       and await anuncios.terminar_si_acabo(anuncio.id))
            # Terminado o cancelado con el informe aún sin entregar (Telegram falló o el bot
            # se reinició justo entonces): se intenta otra vez.
            termino = termino or avance.estado in (EstadoAnuncio.TERMINADO,
                                                   EstadoAnuncio.CANCELADO)
            try:
                await actualizar_avance(contexto, anuncio)
                if termino:
                    await _mandar_informe(contexto, anuncio)
                    # Ya no se vuelve a editar: su última versión no hace falta guardarla.
                    contexto.bot_data.get("avance_mostrado", {}).pop(
                        (anuncio.progreso_chat_id, anuncio.progreso_message_id), None)
            except TelegramError as error:  # Telegram caído: la próxima vuelta lo intenta
                registro.warning("No se pudo mostrar el avance del anuncio %s: %s",
                                 anuncio.id, error)
