"""Información general, para todos (también para quien no aceptó el aviso):
los caminos posibles de la orientación. Los cursos están en handlers/cursos.py."""

from __future__ import annotations

from telegram import Update

from interfaz.asesoria import boton_asesoria
from interfaz.orientacion import texto_de_resultado
from interfaz.respuestas import boton_menu, responder, responder_largo, teclado
from nucleo.contexto import Contexto


async def caminos(update: Update, contexto: Contexto) -> None:
    """info:caminos: los resultados posibles de la orientación, para leerlos."""
    _ = contexto.traductor
    resultados = contexto.contenido.orientacion.resultados.values()
    botones = [[(_(r.titulo)[:60], f"info:camino:{r.id}")] for r in resultados]
    texto = _("Estos son los caminos posibles. Elige uno para leer de qué se trata:")
    await responder(update, texto, teclado(*botones, [boton_menu(_)]))


async def camino(update: Update, contexto: Contexto) -> None:
    """info:camino:<id>: un resultado, sin datos guardados de la persona."""
    _ = contexto.traductor
    resultado_id = update.callback_query.data.removeprefix("info:camino:")
    resultado = contexto.contenido.orientacion.resultados.get(resultado_id)
    if resultado is None:
        await caminos(update, contexto)
        return
    # Sin datos guardados no hay idea escrita: queda un «…» en su lugar.
    texto = texto_de_resultado(contexto, _, resultado, update.effective_user.first_name, "…")
    botones = teclado([boton_asesoria(_)], [(_("⬅️ Ver los otros caminos"), "info:caminos")],
                      [boton_menu(_)])
    await responder_largo(update, texto, botones)
