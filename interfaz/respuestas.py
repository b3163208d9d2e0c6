"""Responder a la persona: teclados, editar el mensaje pulsado o mandar uno nuevo, textos
largos en varios mensajes y la nota breve al pulsar un botón."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from contextlib import suppress

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from nucleo.textos import Traductor

Boton = tuple[str, str]  # (texto visible, callback_data)
_CONTESTADAS: OrderedDict[tuple[int, str], None] = OrderedDict()


def teclado(*filas: Sequence[Boton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texto, callback_data=datos) for texto, datos in fila]
         for fila in filas if fila]
    )


def en_columnas(botones: Sequence[Boton], por_fila: int = 1) -> list[list[Boton]]:
    return [list(botones[i:i + por_fila]) for i in range(0, len(botones), por_fila)]


def boton_menu(_: Traductor) -> Boton:
    return (_("🏠 Menú principal"), "menu:inicio")


async def mostrar(update: Update, texto: str, botones: Sequence[Sequence[Boton]],
                  *, editar: bool = True) -> None:
    """Responde en uno o más mensajes (un texto largo se parte); los botones van al final."""
    await responder_largo(update, texto, teclado(*botones), editar=editar)


async def responder(
    update: Update, texto: str, botones: InlineKeyboardMarkup | None = None,
    *, editar: bool = True,
) -> Message | None:
    """Contesta a la persona. Si pulsó un botón, cambia ese mensaje en lugar de mandar otro.

    Así el chat no se llena de mensajes viejos con botones que ya no sirven.
    """
    consulta = update.callback_query
    if consulta is not None:
        await _contestar_consulta(update)
        if editar and consulta.message is not None:
            try:
                return await consulta.edit_message_text(texto, reply_markup=botones)
            except BadRequest as error:
                if "not modified" in str(error):
                    return None
                # El mensaje ya no existe o no se puede editar: mandamos uno nuevo.
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(texto, reply_markup=botones)


async def quitar_botones(update: Update) -> None:
    """Deja el mensaje pulsado como estaba, sin botones: su texto sigue a la vista."""
    consulta = update.callback_query
    if consulta is not None and consulta.message is not None:
        await _contestar_consulta(update)
        with suppress(BadRequest):
            await consulta.edit_message_reply_markup(None)


async def avisar(update: Update, texto: str) -> None:
    """Una nota breve en la ventanita de Telegram al pulsar un botón (sin mensaje nuevo)."""
    if update.callback_query is not None:
        await _contestar_consulta(update, texto[:200])


async def _contestar_consulta(update: Update, texto: str | None = None) -> None:
    consulta = update.callback_query
    # Telegram rechaza contestar dos veces la misma consulta: recordamos las últimas.
    # La clave lleva la identidad del objeto: dos pulsaciones nunca se confunden.
    clave = (id(consulta), consulta.id) if consulta is not None else None
    if consulta is None or clave in _CONTESTADAS:
        return
    _CONTESTADAS[clave] = None
    if len(_CONTESTADAS) > 1000:
        _CONTESTADAS.popitem(last=False)
    with suppress(BadRequest):  # consulta vieja (más de 15 minutos): no importa
        await consulta.answer(texto)


async def responder_largo(update: Update, texto: str,
                          botones: InlineKeyboardMarkup | None = None,
                          *, editar: bool = True) -> None:
    """Como `responder`, pero un texto largo va en varios mensajes; los botones, al final.

    Con editar=True solo el primer trozo reemplaza al mensaje pulsado.
    """
    partes = trozos(texto)
    for i, parte in enumerate(partes):
        ultimo = i == len(partes) - 1
        await responder(update, parte, botones if ultimo else None, editar=editar and i == 0)


def trozos(texto: str, maximo: int = 4000) -> list[str]:
    """Parte un texto largo por párrafos para no pasar el límite de Telegram (4096)."""
    partes: list[str] = []
    actual = ""
    for parrafo in texto.split("\n\n"):
        candidato = f"{actual}\n\n{parrafo}" if actual else parrafo
        if len(candidato) <= maximo:
            actual = candidato
            continue
        if actual:
            partes.append(actual)
        actual = parrafo[:maximo]
    if actual:
        partes.append(actual)
    return partes
