"""Información general, para todos (también para quien no aceptó el aviso):
los caminos posibles de la orientación. Los cursos están en handlers/cursos.py."""

from __future__ import annotations

from telegram import Update

from interfaz.orientacion import mostrar_resultado
from interfaz.respuestas import boton_menu, responder, teclado
from nucleo.contexto import Contexto


async def caminos(update: Update, contexto: Contexto) -> None:
    """info:caminos: los resultados posibles de la orientación, para leerlos."""
    _ = contexto.traductor
    resultados = contexto.contenido.orientacion.resultados.values()
    botones = [[(_(r.titulo)[:60], f"info:camino:{r.id}")] for r in resultados]
    texto = _("Estos son los caminos posibles. Elige uno para leer de qué se trata:")
    await responder(update, texto, teclado(*botones, [boton_menu(_)]))


async def camino(update: Update, contexto: Contexto) -> None:
    """info:camino:<id>[:<pantalla>]: un resultado, pantalla por pantalla («Ver más»).

    Si el último resultado de la orientación de la persona es este, se muestra con sus
    respuestas (su idea, sus extras); si no, sin datos suyos."""
    partes = update.callback_query.data.split(":")
    resultado = contexto.contenido.orientacion.resultados.get(partes[2])
    if resultado is None:
        await caminos(update, contexto)
        return
    pantalla = int(partes[3]) if len(partes) > 3 else 0
    usuario = update.effective_user
    guardadas = await contexto.almacen.orientaciones(usuario.id)
    suya = guardadas[-1] if guardadas and guardadas[-1].resultado == resultado.id else None
    perfil = await contexto.almacen.perfil(usuario.id) if suya else None
    nombre = perfil.nombre if perfil and perfil.nombre else usuario.first_name
    # Una pantalla nueva debajo de la anterior: lo ya leído queda en el chat.
    await mostrar_resultado(update, contexto, resultado, nombre,
                            suya.respuestas if suya else {}, pantalla,
                            de_orientacion=suya is not None, editar=pantalla == 0)
