"""/menu y /ayuda: el menú principal con botones y la explicación de cada comando."""

from __future__ import annotations

from telegram import Update

from interfaz.asesoria import boton_asesoria
from interfaz.aviso import datos_oficina
from interfaz.menu import COMANDOS, mostrar_menu
from interfaz.respuestas import boton_menu, responder, teclado
from nucleo.contexto import Contexto


async def menu(update: Update, contexto: Contexto) -> None:
    """/menu y el botón «Menú principal»."""
    await mostrar_menu(update, contexto)


async def ayuda(update: Update, contexto: Contexto) -> None:
    """/ayuda: cada comando y los datos de contacto de la oficina."""
    _ = contexto.traductor
    lineas = [f"/{comando} — {_(descripcion)}" for comando, descripcion in COMANDOS]
    contacto = datos_oficina(contexto.contenido, _)
    texto = (
        _("<b>Ayuda</b>\nPuedes usar los botones o escribir estos comandos:") + "\n"
        + "\n".join(lineas) + "\n\n"
        + _("Si te equivocas, no pasa nada: escribe /cancelar y vuelve a empezar ese paso.")
        + "\n\n" + _("¿Quieres hablar con una persona? Escribe /asesoria y le paso tu mensaje a "
                     "una persona asesora de la Secretaría.")
        + "\n\n<b>" + contacto["oficina"] + "</b>\n" + contacto["contacto"]
    )
    await responder(update, texto, teclado([boton_asesoria(_)], [boton_menu(_)]))
