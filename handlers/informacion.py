"""Información general, para todos (también para quien no aceptó el aviso):
los caminos posibles de la orientación y el catálogo de cursos."""

from __future__ import annotations

from html import escape

from telegram import Update

from handlers.comun import boton_menu, responder, teclado, trozos
from nucleo.contexto import Contexto
from nucleo.textos import N_

MODALIDADES = {"presencial": N_("Presencial"), "en_linea": N_("En línea"), "mixta": N_("Mixta")}


async def caminos(update: Update, contexto: Contexto) -> None:
    _ = contexto.textos
    resultados = contexto.contenido.orientacion.resultados.values()
    botones = [[(_(r.titulo)[:60], f"info:camino:{r.id}")] for r in resultados]
    texto = _("Estos son los caminos posibles. Elige uno para leer de qué se trata:")
    await responder(update, texto, teclado(*botones, [boton_menu(_)]))


async def camino(update: Update, contexto: Contexto) -> None:
    from conversaciones.orientacion import texto_de_resultado

    _ = contexto.textos
    resultado_id = update.callback_query.data.removeprefix("info:camino:")
    resultado = contexto.contenido.orientacion.resultados.get(resultado_id)
    if resultado is None:
        await caminos(update, contexto)
        return
    # Sin datos guardados no hay idea escrita: queda un «…» en su lugar.
    texto = texto_de_resultado(contexto, _, resultado, update.effective_user.first_name, "…")
    botones = teclado([(_("⬅️ Ver los otros caminos"), "info:caminos")], [boton_menu(_)])
    partes = trozos(texto)
    for i, parte in enumerate(partes):
        await responder(update, parte, botones if i == len(partes) - 1 else None, editar=i == 0)


async def catalogo(update: Update, contexto: Contexto) -> None:
    _ = contexto.textos
    bloques = [_("<b>Cursos que ofrecemos</b>\nLas fechas se publican cuando el personal "
                 "abre un grupo. Pregunta en la oficina o vuelve pronto.")]
    for curso in contexto.contenido.cursos:
        modalidad = _(MODALIDADES.get(curso.modalidad, curso.modalidad))
        bloques.append(
            f"<b>{escape(_(curso.nombre))}</b> · {modalidad} · "
            + _("{n} horas").format(n=curso.duracion_horas)
            + f"\n{_(curso.descripcion)}"
        )
    partes = trozos("\n\n".join(bloques))
    for i, parte in enumerate(partes):
        ultimo = i == len(partes) - 1
        await responder(update, parte, teclado([boton_menu(_)]) if ultimo else None,
                        editar=i == 0)
