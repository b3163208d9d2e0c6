"""El personal de la Secretaría: /personal, sus sesiones, la lista (también en CSV) y cómo
importar sesiones. Pasar lista está en handlers/personal_asistencia.py; crear, corregir, cambiar
de fecha y cancelar, en los flujos conversaciones/sesion_*.py.

Cada handler de aquí se registra envuelto en `interfaz.personal.solo_personal` (aplicacion.py).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from html import escape

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError

from interfaz.aviso import aviso_oficina_incompleta
from interfaz.menu import COMANDOS
from interfaz.personal import (
    COMANDOS_PERSONAL,
    boton_menu_personal,
    ficha,
    mostrar_sesion,
    sesion_pedida,
)
from interfaz.respuestas import avisar, boton_menu, en_columnas, responder, teclado, trozos
from nucleo.almacen.sesiones import FilaLista
from nucleo.auditoria import auditar
from nucleo.contexto import Contexto
from nucleo.listas import csv_de_lista, municipio_en_lista, nombre_en_lista
from nucleo.tarjetas import etiqueta_boton_personal, nombre_curso
from nucleo.textos import Traductor
from nucleo.vocabulario import EstadoInscripcion

DIAS_ATRAS = timedelta(days=3)  # las sesiones recientes siguen en la lista: falta su asistencia


# --- menú y sesiones ---------------------------------------------------------------------------

async def menu_personal(update: Update, contexto: Contexto) -> None:
    """/personal y pers:menu: lo que puede hacer el personal."""
    _ = contexto.traductor
    await _ofrecer_comandos(update, contexto)
    texto = _("<b>Personal de la Secretaría</b>\n¿Qué quieres hacer?")
    if aviso := aviso_oficina_incompleta(contexto.contenido, _):
        texto = f"{texto}\n\n{aviso}"
    if not contexto.catalogo.cursos:  # una instalación nueva: nada que ofrecer en /cursos
        texto += "\n\n" + _("📚 Todavía no hay cursos en el catálogo: la ciudadanía no ve "
                            "ninguno en /cursos. Agrégalos en «📚 Cursos» → «🆕 Nuevo curso», "
                            "o impórtalos de un CSV (python bot.py importar-cursos).")
    botones = teclado([(_("📚 Cursos"), "pers:cursos")],
                      [(_("🆕 Nueva sesión"), "pers:nueva")],
                      [(_("📅 Sesiones próximas"), "pers:sesiones")],
                      [(_("📥 Importar sesiones de un CSV"), "pers:importar")],
                      [(_("💬 Bandeja de asesoría"), "bnd:lista")],
                      [(_("🤝 Cooperativas en formación"), "pco:lista")],
                      [(_("📣 Anuncios"), "anuns:lista")],
                      [(_("📊 Cifras del programa"), "est:inicio")],
                      *([[(_("👥 Roles y bitácora"), "rol:lista")]]
                        if contexto.config.es_administracion(update.effective_user.id) else []),
                      [boton_menu(_)])
    await responder(update, texto, botones)


async def _ofrecer_comandos(update: Update, contexto: Contexto) -> None:
    """La primera vez que alguien del personal abre /personal, su chat (y solo el suyo)
    muestra también /personal en la lista de comandos de Telegram."""
    chat = update.effective_chat
    ya_tienen = contexto.bot_data.setdefault("personal_con_comandos", set())
    if chat is None or chat.id in ya_tienen:
        return
    ya_tienen.add(chat.id)
    _ = contexto.traductor
    comandos = [BotCommand(c, _(d)) for c, d in (*COMANDOS, *COMANDOS_PERSONAL)]
    with suppress(TelegramError):  # es una comodidad: sin ella /personal funciona igual
        await contexto.bot.set_my_commands(comandos, scope=BotCommandScopeChat(chat.id))


async def sesiones(update: Update, contexto: Contexto) -> None:
    """pers:sesiones: las sesiones próximas y las de los últimos días."""
    _ = contexto.traductor
    lista = await contexto.almacen.sesiones_para_personal(contexto.reloj.ahora() - DIAS_ATRAS,
                                                          con_canceladas=True)
    if not lista:
        texto = _("No hay sesiones programadas. Crea una o impórtalas de un archivo CSV.")
    else:
        texto = _("<b>Sesiones programadas</b> (también las de los últimos días, para "
                  "registrar su asistencia). Elige una:")
    zona = contexto.config.zona_horaria
    botones = [[(etiqueta_boton_personal(_, zona, contexto.contenido, s), f"pers:s:{s.id}")]
               for s in lista]
    await responder(update, texto, teclado(*botones, [(_("🆕 Nueva sesión"), "pers:nueva")],
                                           [boton_menu_personal(_)]))


async def detalle(update: Update, contexto: Contexto) -> None:
    """pers:s:<id>: la ficha de una sesión con sus botones."""
    sesion = await sesion_pedida(update, contexto)
    if sesion is not None:
        await mostrar_sesion(update, contexto, sesion)


async def elegir_correccion(update: Update, contexto: Contexto) -> None:
    """pers:s:<id>:editar: qué dato corregir (abre el flujo sesion_correccion)."""
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    _ = contexto.traductor
    nombres = {"mun": _("Municipio"), "lugar": _("Lugar"), "dir": _("Dirección"),
               "mapa": _("Mapa"), "enlace": _("Enlace"), "cupo": _("Cupo")}
    codigos = ("mun", "lugar", "dir", "mapa") if sesion.modalidad == "presencial" else ("enlace",)
    botones = [(nombres[c], f"pers:s:{sesion.id}:ed:{c}") for c in (*codigos, "cupo")]
    texto = ficha(contexto, sesion) + "\n\n" + _("¿Qué dato quieres corregir?")
    await responder(update, texto, teclado(*en_columnas(botones, 2),
                                           [(_("⬅️ Volver"), f"pers:s:{sesion.id}")]))


# --- lista y CSV -------------------------------------------------------------------------------

async def lista(update: Update, contexto: Contexto) -> None:
    """pers:s:<id>:lista: inscritas y en espera, con nombre y municipio."""
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    _ = contexto.traductor
    filas = await contexto.almacen.lista_para_personal(sesion.id)
    inscritas = [f for f in filas if f.estado == EstadoInscripcion.INSCRITA]
    espera = [f for f in filas if f.estado == EstadoInscripcion.ESPERA]
    partes = [ficha(contexto, sesion),
              _("<b>Inscritas</b> ({n} de {cupo})").format(n=len(inscritas), cupo=sesion.cupo)
              + "\n" + ("\n".join(_linea(contexto, _, f) for f in inscritas) or "—")]
    if espera:
        partes.append(_("<b>En lista de espera</b> ({n})").format(n=len(espera)) + "\n"
                      + "\n".join(_linea(contexto, _, f) for f in espera))
    botones = teclado([(_("📄 Lista en CSV"), f"pers:s:{sesion.id}:csv")],
                      [(_("⬅️ Volver"), f"pers:s:{sesion.id}")])
    trozos_lista = trozos("\n\n".join(partes))
    for i, trozo in enumerate(trozos_lista):
        ultimo = i == len(trozos_lista) - 1
        await responder(update, trozo, botones if ultimo else None, editar=i == 0)


def _linea(contexto: Contexto, _: Traductor, fila: FilaLista) -> str:
    datos = [escape(nombre_en_lista(_, fila)),
             escape(municipio_en_lista(contexto.contenido, fila.municipio_clave))]
    if fila.asistio is not None:
        datos.append(_("asistió ✅") if fila.asistio else _("no asistió"))
    return f"{fila.posicion}. " + " — ".join(d for d in datos if d)


async def exportar_csv(update: Update, contexto: Contexto) -> None:
    """pers:s:<id>:csv: la lista como archivo CSV."""
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    _ = contexto.traductor
    await avisar(update, _("Preparando el archivo…"))
    filas = await contexto.almacen.lista_para_personal(sesion.id)
    await auditar(contexto, update, "exportacion", f"sesion {sesion.id}", f"{len(filas)} filas")
    local = sesion.inicio.astimezone(contexto.config.zona_horaria)
    nombre = f"lista_{sesion.curso_id}_{local:%Y-%m-%d_%H%M}_{sesion.id}.csv"
    pie = _.plural("Lista de «{curso}»: {n} persona. Trátala con cuidado: son datos personales.",
                   "Lista de «{curso}»: {n} personas. Trátala con cuidado: son datos personales.",
                   len(filas))
    await update.effective_chat.send_document(
        csv_de_lista(contexto.contenido, _, filas), filename=nombre,
        caption=pie.format(curso=escape(nombre_curso(_, contexto.contenido, sesion.curso_id)),
                           n=len(filas)))


# --- botones viejos --------------------------------------------------------------------------

async def boton_desconocido(update: Update, contexto: Contexto) -> None:
    """Cualquier otro «pers:»: un botón viejo o inventado; nada cambia."""
    _ = contexto.traductor
    await avisar(update, _("Ese botón ya no funciona."))
    await responder(update, _("Ese botón ya no funciona. Empieza otra vez desde el menú del "
                              "personal:"), teclado([boton_menu_personal(_)]), editar=False)
