"""/estadisticas (solo personal): las cifras del programa de un periodo, en mensajes, en una
gráfica PNG y en un archivo CSV. Qué se cuenta y qué se oculta: nucleo/estadisticas.py.

Cada handler se registra envuelto en `interfaz.personal.solo_personal` (aplicacion.py). Los
botones llevan el periodo («est:v:AAAAMMDD:AAAAMMDD»); un dato inventado se revisa igual.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, timedelta

from telegram import Update

from interfaz.personal import boton_menu_personal
from interfaz.respuestas import responder, teclado
from nucleo.auditoria import auditar
from nucleo.contexto import Contexto
from nucleo.estadisticas import Informe, armar_informe
from nucleo.estadisticas_salida import csv_informe, mensajes, png_informe

PATRON_PERIODO = re.compile(r"^est:(v|csv|png):(\d{8}):(\d{8})$")
MAXIMO_DIAS = 366 * 10


def _fecha(texto: str) -> date | None:
    for formato in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(texto, formato).date()
        except ValueError:
            continue
    return None


def _periodo_valido(desde: date | None, hasta: date | None) -> bool:
    return (desde is not None and hasta is not None and desde <= hasta
            and (hasta - desde).days <= MAXIMO_DIAS)


async def estadisticas(update: Update, contexto: Contexto) -> None:
    """/estadisticas [AAAA-MM-DD AAAA-MM-DD]: por omisión, del 1 de enero a hoy."""
    _ = contexto.traductor
    hoy = contexto.reloj.ahora().astimezone(contexto.config.zona_horaria).date()
    argumentos = (contexto.args or []) if update.callback_query is None else []
    if len(argumentos) == 2:
        desde, hasta = _fecha(argumentos[0]), _fecha(argumentos[1])
    elif not argumentos:
        desde, hasta = date(hoy.year, 1, 1), hoy
    else:
        desde = hasta = None
    if not _periodo_valido(desde, hasta):
        await responder(update, _("Escribe el periodo así: <code>/estadisticas 2026-01-01 "
                                  "2026-06-30</code> (desde y hasta, incluidos)."),
                        teclado([boton_menu_personal(_)]))
        return
    await _mostrar(update, contexto, desde, hasta)


async def con_boton(update: Update, contexto: Contexto) -> None:
    """est:(v|csv|png):desde:hasta"""
    _ = contexto.traductor
    if update.callback_query.data == "est:inicio":  # el botón del menú del personal
        await estadisticas(update, contexto)
        return
    coincidencia = PATRON_PERIODO.match(update.callback_query.data or "")
    desde = _fecha(coincidencia.group(2)) if coincidencia else None
    hasta = _fecha(coincidencia.group(3)) if coincidencia else None
    if coincidencia is None or not _periodo_valido(desde, hasta):
        await responder(update, _("Ese periodo no es válido."), teclado([boton_menu_personal(_)]))
        return
    que = coincidencia.group(1)
    if que == "v":
        await _mostrar(update, contexto, desde, hasta)
        return
    await update.callback_query.answer()
    informe = await _informe(contexto, desde, hasta)
    nombre = f"cifras_{desde:%Y%m%d}_{hasta:%Y%m%d}"
    chat_id = update.effective_chat.id
    if que == "csv":
        datos = csv_informe(_, contexto.contenido, informe)
        await auditar(contexto, update, "estadisticas", f"{desde}/{hasta}", "csv")
        await contexto.bot.send_document(chat_id, datos, filename=f"{nombre}.csv",
                                         caption=_("Cifras del programa en CSV."))
    else:
        png = await asyncio.to_thread(png_informe, _, contexto.contenido, informe)
        await auditar(contexto, update, "estadisticas", f"{desde}/{hasta}", "png")
        # Como archivo: llega el PNG tal cual (una foto, Telegram la recomprime y la achica).
        await contexto.bot.send_document(chat_id, png, filename=f"{nombre}.png",
                                         caption=_("Cifras del programa (gráfica)."))


async def _informe(contexto: Contexto, desde: date, hasta: date) -> Informe:
    return await armar_informe(contexto.almacen, contexto.contenido,
                               contexto.config.zona_horaria, desde, hasta)


async def _mostrar(update: Update, contexto: Contexto, desde: date, hasta: date) -> None:
    _ = contexto.traductor
    informe = await _informe(contexto, desde, hasta)
    partes = mensajes(_, contexto.contenido, informe)
    periodo = f"{desde:%Y%m%d}:{hasta:%Y%m%d}"
    hoy = contexto.reloj.ahora().astimezone(contexto.config.zona_horaria).date()
    inicio_mes = hoy.replace(day=1)
    mes_pasado = (inicio_mes - timedelta(days=1)).replace(day=1)
    botones = teclado(
        [(_("🖼 Gráfica"), f"est:png:{periodo}"), (_("📄 CSV"), f"est:csv:{periodo}")],
        [(_("Este mes"), f"est:v:{inicio_mes:%Y%m%d}:{hoy:%Y%m%d}"),
         (_("Mes pasado"), f"est:v:{mes_pasado:%Y%m%d}:{inicio_mes - timedelta(days=1):%Y%m%d}"),
         (_("Este año"), f"est:v:{hoy.year}0101:{hoy:%Y%m%d}")],
        [boton_menu_personal(_)])
    for parte in partes[:-1]:
        await responder(update, parte, editar=False)
    await responder(update, partes[-1], botones, editar=False)
