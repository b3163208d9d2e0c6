"""Pruebas del emulador de la Bot API con el cliente real de python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import os
import signal
import sys
import time
import warnings
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from emulador import (
    BotonNoEncontrado,
    EmuladorBotAPI,
    MensajeChat,
    UsuarioFicticio,
    analizar_html,
    conversar_en_terminal,
)

pytestmark = [
    # PTB avisa del cambio futuro de RetryAfter.retry_after y de do_api_request con un método
    # conocido (aquí se usa a propósito para mandar reply_markup mal formados).
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning"),
]
RAIZ = Path(__file__).resolve().parents[1]
ANA = UsuarioFicticio(id=5001, first_name="Ana", username="ana_p")
LUIS = UsuarioFicticio(id=5002, first_name="Luis", language_code="en")
TECLADO = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Sí, acepto", callback_data="si"),
            InlineKeyboardButton("No, gracias", callback_data="no"),
        ],
        [InlineKeyboardButton("Más información", url="https://puebla.gob.mx")],
    ]
)


@pytest.fixture
async def emu() -> AsyncIterator[EmuladorBotAPI]:
    async with EmuladorBotAPI() as emulador:
        yield emulador


@pytest.fixture
async def bot(emu: EmuladorBotAPI) -> AsyncIterator[Bot]:
    async with _cliente(emu) as cliente:
        yield cliente


def _peticiones_http(**opciones: float) -> HTTPXRequest:
    # Es HTTP sin TLS: no cargar certificados ahorra ~60 ms por cliente.
    return HTTPXRequest(httpx_kwargs={"verify": False}, **opciones)


def _cliente(emu: EmuladorBotAPI, **opciones: float) -> Bot:
    return Bot(
        emu.token,
        base_url=emu.url_base,
        base_file_url=emu.url_archivos,
        request=_peticiones_http(**opciones),
        get_updates_request=_peticiones_http(),
    )


async def _esperar(condicion: Callable[[], object], plazo: float = 3.0) -> None:
    limite = time.monotonic() + plazo
    while not condicion():
        if time.monotonic() > limite:
            raise AssertionError("la condición no se cumplió a tiempo")
        await asyncio.sleep(0.01)


def _segundos(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        valor = error.retry_after
    return valor.total_seconds() if isinstance(valor, dtm.timedelta) else float(valor)


# ------------------------------------------------------------------------------------------
# Básico: getMe, envío, edición, borrado
# ------------------------------------------------------------------------------------------


async def test_get_me_y_datos_del_bot(emu: EmuladorBotAPI, bot: Bot) -> None:
    yo = await bot.get_me()
    assert yo.is_bot and yo.id == 123456 and yo.username == "CooperaPueblaBot"
    assert yo.first_name == "Coopera Puebla"
    assert emu.peticiones[0].metodo == "getMe" and emu.peticiones[0].estado_http == 200
    assert emu.url_base == f"http://127.0.0.1:{emu.puerto}/bot"


async def test_token_erroneo_y_metodo_desconocido(emu: EmuladorBotAPI, bot: Bot) -> None:
    with pytest.raises(InvalidToken, match="Unauthorized"):
        await Bot("999:otro", base_url=emu.url_base, request=_peticiones_http()).get_me()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("metodoInventado")
    assert emu.peticiones[-1].estado_http == 404
    assert emu.peticiones[-1].respuesta == {
        "ok": False, "error_code": 404, "description": "Not Found"
    }


async def test_enviar_html_editar_y_borrar(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "hola")
    vistos: list[tuple[int, bool]] = []
    emu.al_mensaje_del_bot(lambda m: vistos.append((m.message_id, m.editado)))
    enviado = await bot.send_message(
        ANA.id, "<b>Hola</b> Ana &amp; Luis", parse_mode="HTML", reply_markup=TECLADO
    )
    assert enviado.message_id == 2 and enviado.text == "Hola Ana & Luis"
    assert enviado.entities[0].type == "bold" and enviado.from_user.is_bot
    assert enviado.reply_markup == TECLADO
    assert isinstance(enviado.date, dtm.datetime)
    guardado = emu.ultimo_del_bot(ANA.id)
    assert guardado is not None
    assert guardado.texto == "<b>Hola</b> Ana &amp; Luis"
    assert guardado.texto_plano == "Hola Ana & Luis"
    textos = [boton["text"] for boton in guardado.botones()]
    assert textos == ["Sí, acepto", "No, gracias", "Más información"]

    editado = await bot.edit_message_text("Listo", chat_id=ANA.id, message_id=2)
    assert editado.text == "Listo" and editado.edit_date is not None
    assert editado.reply_markup is None  # como Telegram: sin reply_markup se quita el teclado
    assert guardado.editado and guardado.teclado is None
    assert vistos == [(2, False), (2, True)]

    assert await bot.delete_message(ANA.id, 2)
    assert guardado.borrado and emu.ultimo_del_bot(ANA.id) is None
    assert [m.de_bot for m in emu.mensajes(ANA.id)] == [False, True]
    assert len(emu.mensajes_del_bot(ANA.id)) == 1


async def test_editar_solo_el_teclado(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "hola")
    enviado = await bot.send_message(ANA.id, "¿Aceptas?", reply_markup=TECLADO)
    nuevo = InlineKeyboardMarkup([[InlineKeyboardButton("Vale", callback_data="vale")]])
    resultado = await enviado.edit_reply_markup(reply_markup=nuevo)
    assert resultado.text == "¿Aceptas?" and resultado.reply_markup == nuevo
    with pytest.raises(BadRequest, match="not modified"):
        await enviado.edit_reply_markup(reply_markup=nuevo)
    with pytest.raises(BadRequest, match="not modified"):
        await enviado.edit_text("¿Aceptas?", reply_markup=nuevo)


async def test_ids_de_mensaje_por_chat_y_de_actualizacion_consecutivos(
    emu: EmuladorBotAPI, bot: Bot
) -> None:
    ids = [emu.escribir(ANA, "a"), emu.escribir(LUIS, "b"), emu.escribir(ANA, "c")]
    assert ids == [ids[0], ids[0] + 1, ids[0] + 2]
    assert [m.message_id for m in emu.mensajes(ANA.id)] == [1, 2]
    assert (await bot.send_message(LUIS.id, "hola")).message_id == 2


# ------------------------------------------------------------------------------------------
# Errores estrictos como Telegram
# ------------------------------------------------------------------------------------------


async def test_errores_de_texto(emu: EmuladorBotAPI, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(777, "hola")
    emu.escribir(ANA, "hola")
    await bot.send_message(ANA.id, "x" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ANA.id, "x" * 4097)
    await bot.send_message(ANA.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(ANA.id, "   ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(ANA.id, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(ANA.id, b"datos", filename="a.txt", caption="y" * 1025)
    fallidas = [p for p in emu.peticiones if not p.ok]
    assert fallidas[0].respuesta == {
        "ok": False, "error_code": 400, "description": "Bad Request: chat not found"
    }


@pytest.mark.parametrize(
    ("texto", "detalle"),
    [
        ("<p>hola</p>", 'unsupported start tag "p" at byte offset 0'),
        ("<b>hola", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("ñ & b", 'character "&" must be escaped as "&amp;" at byte offset 3'),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("2 > 1", 'character ">" must be escaped as "&gt;" at byte offset 2'),
        ("<span>x</span>", 'tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("</b>", "unexpected end tag at byte offset 0"),
        ("&nbsp;", 'unknown html entity "&nbsp;" at byte offset 0'),
    ],
)
async def test_html_invalido(emu: EmuladorBotAPI, bot: Bot, texto: str, detalle: str) -> None:
    emu.escribir(ANA, "hola")
    with pytest.raises(BadRequest) as error:
        await bot.send_message(ANA.id, texto, parse_mode="HTML")
    assert str(error.value).lower() == f"can't parse entities: {detalle}".lower()


def test_html_entidades_en_utf16() -> None:
    texto, entidades = analizar_html(
        '😀 <b>hola <i>mundo</i></b> <a href="https://x.org/?a=1&amp;b=2">enlace</a>'
        '<span class="tg-spoiler">s</span><code>&lt;x&gt;</code>'
    )
    assert texto == "😀 hola mundo enlaces<x>"
    assert entidades == [
        {"type": "bold", "offset": 3, "length": 10},
        {"type": "italic", "offset": 8, "length": 5},
        {"type": "text_link", "offset": 14, "length": 6, "url": "https://x.org/?a=1&b=2"},
        {"type": "spoiler", "offset": 20, "length": 1},
        {"type": "code", "offset": 21, "length": 3},
    ]


async def test_teclados_invalidos(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "hola")

    def teclado(**boton: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Botón", **boton)]])

    await bot.send_message(ANA.id, "ok", reply_markup=teclado(callback_data="ñ" * 32))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(ANA.id, "x", reply_markup=teclado(callback_data="ñ" * 33))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(ANA.id, "x", reply_markup=teclado(callback_data="a" * 65))
    with pytest.raises(BadRequest, match=r"(?i)URL 'ftp://x\.org' is invalid"):
        await bot.send_message(ANA.id, "x", reply_markup=teclado(url="ftp://x.org"))
    await bot.send_message(ANA.id, "ok", reply_markup=teclado(url="tg://resolve?domain=x"))
    crudos = [
        {"inline_keyboard": [[{"text": "Solo texto"}]]},
        {"inline_keyboard": [[{"text": "", "callback_data": "a"}]]},
        {"inline_keyboard": [[{"text": "Dos", "callback_data": "a", "url": "https://x.org"}]]},
        {"inline_keyboard": "no es lista"},
        "no es json",
    ]
    for crudo in crudos:
        with pytest.raises(BadRequest):
            await bot.do_api_request(
                "sendMessage", api_kwargs={"chat_id": ANA.id, "text": "x", "reply_markup": crudo}
            )


async def test_teclado_de_respuesta(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "hola")
    mensaje = await bot.send_message(
        ANA.id, "¿Municipio?", reply_markup=ReplyKeyboardMarkup([["Puebla", "Cholula"]])
    )
    assert mensaje.reply_markup is None  # Telegram solo devuelve teclados en línea
    guardado = emu.ultimo_del_bot(ANA.id)
    assert guardado is not None and guardado.teclado is None
    assert guardado.teclado_respuesta is not None
    assert guardado.teclado_respuesta["keyboard"] == [[{"text": "Puebla"}, {"text": "Cholula"}]]


async def test_errores_de_edicion_y_borrado(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "hola")
    await bot.send_message(ANA.id, "original")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=ANA.id, message_id=99)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", chat_id=ANA.id, message_id=1)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("original", chat_id=ANA.id, message_id=2)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ANA.id, 99)
    await bot.delete_message(ANA.id, 2)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ANA.id, 2)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=ANA.id, message_id=2)


async def test_answer_callback_query(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "hola")
    await bot.send_message(ANA.id, "¿Aceptas?", reply_markup=TECLADO)
    emu.pulsar_boton(ANA, "Sí, acepto")
    emu.pulsar_boton(ANA, "no, gracias")
    consultas = [u.callback_query for u in await bot.get_updates() if u.callback_query]
    assert [c.data for c in consultas] == ["si", "no"]
    assert consultas[0].message.message_id == 2 and consultas[0].chat_instance
    assert consultas[0].from_user.id == ANA.id
    with pytest.raises(BadRequest, match="Message_too_long"):
        await consultas[0].answer("x" * 201)
    assert await consultas[0].answer("Gracias", show_alert=True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await consultas[0].answer()
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("123")
    assert emu.respuestas_callback == [
        {"id": consultas[0].id, "text": "Gracias", "show_alert": True, "url": None}
    ]


async def test_usuario_bloqueado(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "hola")
    emu.bloquear(ANA)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ANA.id, "hola")
    assert emu.peticiones[-1].estado_http == 403
    emu.desbloquear(ANA.id)
    await bot.send_message(ANA.id, "hola")


# ------------------------------------------------------------------------------------------
# Fallos inyectados
# ------------------------------------------------------------------------------------------


async def test_fallos_inyectados(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "hola")
    emu.escribir(LUIS, "hola")
    emu.inyectar_fallo("429", metodo="sendMessage", retry_after=7)
    emu.inyectar_fallo("403", chat_id=LUIS.id)
    emu.inyectar_fallo("500", veces=2)
    emu.inyectar_fallo("502")
    await bot.get_updates()  # sin método, los fallos no afectan a getUpdates
    with pytest.raises(RetryAfter) as demasiadas:
        await bot.send_message(ANA.id, "a")
    assert _segundos(demasiadas.value) == 7
    assert emu.peticiones[-1].respuesta["parameters"] == {"retry_after": 7}
    with pytest.raises(Forbidden):
        await bot.send_message(LUIS.id, "a")
    for _ in range(2):
        with pytest.raises(NetworkError) as caido:
            await bot.send_message(ANA.id, "a")
        assert type(caido.value) is NetworkError and "Internal Server Error" in str(caido.value)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_me()
    await bot.send_message(ANA.id, "ya funciona")
    assert [p.chat_id for p in [emu.ultimo_del_bot(ANA.id)] if p] == [ANA.id]
    with pytest.raises(ValueError):
        emu.inyectar_fallo("418")


async def test_fallo_timeout_no_bloquea_otras_peticiones(emu: EmuladorBotAPI) -> None:
    emu.escribir(ANA, "hola")
    emu.inyectar_fallo("timeout", metodo="sendMessage", demora=1.0)
    lento = _cliente(emu, read_timeout=0.3)
    async with lento, _cliente(emu) as otro:
        inicio = time.monotonic()
        tarea = asyncio.create_task(lento.send_message(ANA.id, "hola"))
        await asyncio.sleep(0.05)
        assert (await otro.get_me()).is_bot
        assert time.monotonic() - inicio < 0.3
        with pytest.raises(TimedOut):
            await tarea
    assert emu.entregados() == []


# ------------------------------------------------------------------------------------------
# getUpdates: sondeo largo, offset, esperar_entrega
# ------------------------------------------------------------------------------------------


async def test_sondeo_largo_responde_en_cuanto_llega_algo(emu: EmuladorBotAPI, bot: Bot) -> None:
    inicio = time.monotonic()
    vacio = await bot.get_updates(timeout=dtm.timedelta(seconds=0.5))
    assert vacio == () and time.monotonic() - inicio >= 0.45
    asyncio.get_running_loop().call_later(0.1, emu.escribir, ANA, "hola")
    inicio = time.monotonic()
    recibidas = await bot.get_updates(timeout=5)
    assert time.monotonic() - inicio < 1.0
    assert recibidas[0].message.text == "hola"
    assert recibidas[0].message.chat.type == "private"


async def test_offset_confirma_y_esperar_entrega(emu: EmuladorBotAPI, bot: Bot) -> None:
    ids = [emu.escribir(ANA, texto) for texto in ("uno", "dos", "tres")]
    entrega = asyncio.create_task(emu.esperar_entrega(ids[0], timeout=2))
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    await asyncio.sleep(0.01)
    assert not entrega.done()  # recibir no es confirmar
    restantes = await bot.get_updates(offset=ids[1])
    assert [u.update_id for u in restantes] == ids[1:]
    await entrega
    assert [u["update_id"] for u in emu.actualizaciones_pendientes()] == ids[1:]
    with pytest.raises(TimeoutError):
        await emu.esperar_entrega(ids[2], timeout=0.05)
    await bot.get_updates(offset=ids[2] + 1)
    await emu.esperar_entrega(ids[2], timeout=0.05)
    assert emu.actualizaciones_pendientes() == []


async def test_dos_sondeos_a_la_vez_dan_conflicto(emu: EmuladorBotAPI, bot: Bot) -> None:
    async with _cliente(emu) as segundo:
        primero = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.05)
        assert await segundo.get_updates(timeout=0) == ()
        with pytest.raises(Conflict):
            await primero


async def test_borrar_webhook_descarta_pendientes(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "viejo")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_otros_tipos_de_mensaje_de_usuario(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.enviar_sticker(ANA)
    emu.enviar_foto(ANA)
    emu.enviar_voz(ANA)
    emu.enviar_ubicacion(ANA, 19.04, -98.2)
    emu.enviar_contacto(ANA, "+522221234567")
    emu.enviar_documento(ANA, "cv.pdf", b"%PDF-1.4")
    emu.escribir(ANA, "/start@CooperaPueblaBot abc")
    mensajes = [u.message for u in await bot.get_updates()]
    assert mensajes[0].sticker.emoji == "👍"
    assert mensajes[1].photo[-1].width == 800
    assert mensajes[2].voice.mime_type == "audio/ogg"
    assert mensajes[3].location.latitude == pytest.approx(19.04)
    assert mensajes[4].contact.user_id == ANA.id
    assert mensajes[5].document.file_name == "cv.pdf"
    descargado = await (await mensajes[5].document.get_file()).download_as_bytearray()
    assert bytes(descargado) == b"%PDF-1.4"
    assert mensajes[6].entities[0].type == "bot_command"
    assert mensajes[6].entities[0].length == len("/start@CooperaPueblaBot")
    tipos = [m.tipo for m in emu.mensajes(ANA.id)]
    assert tipos == ["sticker", "foto", "voz", "ubicacion", "contacto", "documento", "texto"]


# ------------------------------------------------------------------------------------------
# Comandos, menú, acciones, archivos
# ------------------------------------------------------------------------------------------


async def test_comandos_por_idioma_y_alcance(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "hola")
    await bot.set_my_commands([BotCommand("inicio", "Empezar")], language_code="es")
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    await bot.set_my_commands([BotCommand("menu", "Menú")])
    await bot.set_my_commands(
        [BotCommand("datos", "Mis datos")], scope=BotCommandScopeChat(ANA.id)
    )
    assert emu.comandos(language_code="es") == [{"command": "inicio", "description": "Empezar"}]
    assert emu.comandos() == [{"command": "menu", "description": "Menú"}]
    assert emu.comandos({"type": "chat", "chat_id": ANA.id})[0]["command"] == "datos"
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["start"]
    await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Inicio", "Mayúscula")])
    with pytest.raises(BadRequest, match="Bot_command_description_invalid"):
        await bot.set_my_commands([BotCommand("vacio", "")])
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand(f"c{i}", "d") for i in range(101)])
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.set_my_commands([BotCommand("x", "y")], scope=BotCommandScopeChat(1))


async def test_menu_accion_ubicacion_y_chat(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "hola")
    assert (await bot.get_chat_menu_button()).type == "default"
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert (await bot.get_chat_menu_button(ANA.id)).type == "commands"
    assert await bot.send_chat_action(ANA.id, "typing")
    with pytest.raises(BadRequest):
        await bot.send_chat_action(ANA.id, "bailando")
    lugar = await bot.send_location(ANA.id, 19.04, -98.2)
    assert lugar.location.longitude == pytest.approx(-98.2)
    sede = await bot.send_venue(ANA.id, 19.04, -98.2, "Sede", "Av. Reforma 1")
    assert sede.venue.title == "Sede"
    chat = await bot.get_chat(ANA.id)
    assert chat.first_name == "Ana" and chat.username == "ana_p"
    assert [p.metodo for p in emu.entregados()] == ["sendLocation", "sendVenue"]
    assert len(emu.entregados("sendChatAction", chat_id=ANA.id)) == 1


async def test_documento_multipart(emu: EmuladorBotAPI, bot: Bot) -> None:
    emu.escribir(ANA, "hola")
    enviado = await bot.send_document(
        ANA.id, b"%PDF-contenido", filename="guia.pdf", caption="<i>Tu guía</i>",
        parse_mode="HTML",
    )
    assert enviado.document.file_name == "guia.pdf"
    assert enviado.document.mime_type == "application/pdf"
    assert enviado.document.file_size == len(b"%PDF-contenido")
    assert enviado.caption == "Tu guía" and enviado.caption_entities[0].type == "italic"
    guardado = emu.ultimo_del_bot(ANA.id)
    assert guardado is not None and guardado.tipo == "documento"
    assert guardado.documento is not None
    assert guardado.documento["contenido"] == b"%PDF-contenido"
    assert guardado.texto == "<i>Tu guía</i>" and guardado.texto_plano == "Tu guía"
    peticion = emu.entregados("sendDocument")[0]
    assert peticion.parametros["document"]["file_name"] == "guia.pdf"
    assert peticion.parametros["chat_id"] == ANA.id
    reenviado = await bot.send_document(ANA.id, enviado.document.file_id)
    assert reenviado.document.file_id == enviado.document.file_id
    foto = await bot.send_photo(ANA.id, b"\xff\xd8\xffjpeg", caption="Foto")
    assert foto.photo and foto.caption == "Foto"
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(ANA.id, "no-existe")


# ------------------------------------------------------------------------------------------
# Límites de tasa con reloj falso
# ------------------------------------------------------------------------------------------


async def test_limites_de_tasa_con_reloj_falso() -> None:
    ahora = [1000.0]
    async with EmuladorBotAPI(limitar_tasas=True, reloj=lambda: ahora[0]) as emu:
        usuarios = [UsuarioFicticio(id=9000 + i) for i in range(31)]
        for usuario in usuarios:
            emu.escribir(usuario, "hola")
        async with _cliente(emu) as bot:
            await bot.send_message(usuarios[0].id, "uno")
            with pytest.raises(RetryAfter) as error:
                await bot.send_message(usuarios[0].id, "dos")
            assert _segundos(error.value) == 1
            assert "retry after 1" in emu.peticiones[-1].respuesta["description"]
            ahora[0] += 0.4
            with pytest.raises(RetryAfter):
                await bot.send_message(usuarios[0].id, "dos")
            ahora[0] += 0.6
            await bot.send_message(usuarios[0].id, "dos")
            for usuario in usuarios[1:30]:
                await bot.send_message(usuario.id, "global")
            with pytest.raises(RetryAfter):
                await bot.send_message(usuarios[30].id, "la 31")
            emu.limitar_tasas = False
            await bot.send_message(usuarios[30].id, "sin límites")
        assert emu.peticiones[-1].instante == 1001.0
        assert len(emu.entregados()) == 32


# ------------------------------------------------------------------------------------------
# pulsar_boton
# ------------------------------------------------------------------------------------------


async def test_pulsar_boton_y_boton_no_encontrado(emu: EmuladorBotAPI, bot: Bot) -> None:
    with pytest.raises(BotonNoEncontrado):
        emu.pulsar_boton(ANA, "Sí")
    emu.escribir(ANA, "hola")
    await bot.send_message(ANA.id, "¿Aceptas?", reply_markup=TECLADO)
    await bot.send_message(ANA.id, "Sin botones")
    uid = emu.pulsar_boton(ANA, "ACEPTO")
    assert (await bot.get_updates())[-1].update_id == uid
    with pytest.raises(BotonNoEncontrado, match="'Sí, acepto', 'No, gracias'"):
        emu.pulsar_boton(ANA, "Quizá")
    with pytest.raises(BotonNoEncontrado, match="varios"):
        emu.pulsar_boton(ANA, ", ")
    with pytest.raises(BotonNoEncontrado, match="url"):
        emu.pulsar_boton(ANA, "Más información")
    with pytest.raises(BotonNoEncontrado):
        emu.pulsar_boton(ANA, "Sí, acepto", message_id=3)
    with pytest.raises(LookupError):
        emu.pulsar(ANA, 99, "forjado")
    emu.pulsar(ANA, 3, "forjado")  # datos falsificados: un cliente real puede enviarlos


# ------------------------------------------------------------------------------------------
# Con la Application completa de PTB y en la terminal
# ------------------------------------------------------------------------------------------


async def _inicio(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text("<b>Bienvenida</b>. ¿Aceptas?", parse_mode="HTML",
                                    reply_markup=TECLADO)


async def _boton(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    consulta = update.callback_query
    assert consulta is not None
    await consulta.answer("Anotado")
    await consulta.edit_message_text(f"Elegiste {consulta.data}")


async def _eco(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    if update.message.text == "doc":
        await update.message.reply_document(b"informe", filename="informe.pdf")
    else:
        await update.message.reply_text(f"Dijiste: {update.message.text}")


def _aplicacion(emu: EmuladorBotAPI) -> Application:
    aplicacion = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.url_base)
        .base_file_url(emu.url_archivos)
        .request(_peticiones_http())
        .get_updates_request(_peticiones_http())
        .build()
    )
    aplicacion.add_handler(CommandHandler("start", _inicio))
    aplicacion.add_handler(CallbackQueryHandler(_boton))
    aplicacion.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _eco))
    return aplicacion


async def _con_aplicacion(emu: EmuladorBotAPI, accion: Callable[[], object]) -> None:
    aplicacion = _aplicacion(emu)
    async with aplicacion:
        await aplicacion.start()
        assert aplicacion.updater is not None
        await aplicacion.updater.start_polling(timeout=2)
        try:
            await accion()  # type: ignore[misc]
        finally:
            await aplicacion.updater.stop()
            await aplicacion.stop()


async def test_application_de_ptb_con_comando_y_boton(emu: EmuladorBotAPI) -> None:
    async def conversar() -> None:
        await emu.esperar_entrega(emu.escribir(ANA, "/start"))
        await _esperar(lambda: emu.ultimo_del_bot(ANA.id))
        bienvenida = emu.ultimo_del_bot(ANA.id)
        assert bienvenida is not None and bienvenida.texto_plano == "Bienvenida. ¿Aceptas?"
        await emu.esperar_entrega(emu.pulsar_boton(ANA, "Sí, acepto"))
        await _esperar(lambda: bienvenida.editado)
        assert bienvenida.texto == "Elegiste si" and bienvenida.teclado is None
        assert len(emu.respuestas_callback) == 1

    await _con_aplicacion(emu, conversar)
    assert [p.metodo for p in emu.peticiones[:2]] == ["getMe", "deleteWebhook"]
    assert emu.actualizaciones_pendientes() == []


async def test_terminal_con_stringio(emu: EmuladorBotAPI, tmp_path: Path) -> None:
    salida = io.StringIO()
    entrada = io.StringIO("/start\n1\n7\nhola\ndoc\n/salir\nno se lee\n")

    async def conversar() -> None:
        await conversar_en_terminal(
            emu, ANA, entrada, salida, calma=0.1, carpeta_documentos=tmp_path
        )

    await _con_aplicacion(emu, conversar)
    texto = salida.getvalue()
    assert "Para pulsar un botón escribe su número" in texto
    assert "Bienvenida. ¿Aceptas?" in texto and "<b>" not in texto
    assert "[1] Sí, acepto   [2] No, gracias" in texto
    assert "[3] Más información (https://puebla.gob.mx)" in texto
    assert "(editado)" in texto and "Elegiste si" in texto and "💬 Anotado" in texto
    assert "No hay botones que pulsar" in texto  # el teclado ya se quitó al editar
    assert "Dijiste: hola" in texto
    linea_documento = next(linea for linea in texto.splitlines() if "📎" in linea)
    assert "informe.pdf (7 bytes)" in linea_documento
    assert linea_documento.endswith(f"guardado en {tmp_path / 'informe.pdf'}")
    assert (tmp_path / "informe.pdf").read_bytes() == b"informe"
    assert "no se lee" not in [m.texto for m in emu.mensajes(ANA.id)]


async def test_terminal_con_tuberia_real(emu: EmuladorBotAPI) -> None:
    lectura, escritura = os.pipe()
    os.write(escritura, "hola ñandú\n".encode())
    salida = io.StringIO()
    with os.fdopen(lectura, encoding="utf-8") as entrada:

        async def conversar() -> None:
            tarea = asyncio.create_task(conversar_en_terminal(emu, ANA, entrada, salida, calma=0.1))
            await _esperar(lambda: "Dijiste: hola ñandú" in salida.getvalue())
            os.close(escritura)  # fin de la entrada
            await asyncio.wait_for(tarea, 2)

        await _con_aplicacion(emu, conversar)
    assert "Fin de la conversación" in salida.getvalue()


def test_mensajechat_botones() -> None:
    mensaje = MensajeChat(1, 1, True, "t", "t", [[{"text": "a"}], [{"text": "b"}]], None,
                          None, "texto", 0)
    assert [b["text"] for b in mensaje.botones()] == ["a", "b"]


async def test_modulo_ejecutable_imprime_la_url() -> None:
    proceso = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulador", "--puerto", "0",
        cwd=RAIZ, stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proceso.stdout is not None
        primera = (await asyncio.wait_for(proceso.stdout.readline(), 10)).decode()
        url = primera.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/bot")
        async with Bot("123456:PRUEBA-token", base_url=url, request=_peticiones_http()) as cliente:
            assert (await cliente.get_me()).username == "CooperaPueblaBot"
    finally:
        proceso.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proceso.wait(), 5) == 0
