"""El personal de la Secretaría: /personal, sus sesiones, la lista (también en CSV), la
asistencia y el código de asistencia.

Todo handler del personal (los de aquí y los del flujo conversaciones/sesiones_personal.py)
pasa por `solo_personal`: quien no es personal recibe una negativa amable y nada cambia,
aunque escriba el comando o invente los datos de un botón («pers:...»).
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import timedelta
from html import escape
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from conversaciones.encuesta import encolar_encuestas
from handlers.comun import avisar, boton_menu, en_columnas, responder, teclado, trozos
from handlers.informacion import MODALIDADES
from handlers.menu import COMANDOS
from nucleo.almacen.cursos import VENTANA_ASISTENCIA, Sesion
from nucleo.almacen.personal import FilaLista
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_y_hora
from nucleo.importacion import COLUMNAS, OBLIGATORIAS
from nucleo.perfil import etiqueta
from nucleo.textos import N_, Traductor

Callback = Callable[[Update, Contexto], Awaitable[Any]]
COMANDOS_PERSONAL = (("personal", N_("Menú del personal de la Secretaría")),)
DIAS_ATRAS = timedelta(days=3)  # las sesiones recientes siguen en la lista: falta su asistencia
POR_PAGINA = 10
# Código de cada dato que se puede corregir (va en los botones) → columna de la sesión.
CAMPOS_DE_BOTON = {"mun": "municipio_clave", "lugar": "lugar", "dir": "direccion",
                   "mapa": "mapa_url", "enlace": "enlace", "cupo": "cupo"}
_FORMULAS = ("=", "+", "-", "@", "\t", "\r")


# --- solo para el personal ------------------------------------------------------------------

def solo_personal(callback: Callback) -> Callback:
    """El único lugar donde se decide quién es personal: envuelve cada handler del personal."""

    @functools.wraps(callback)
    async def envoltura(update: Update, contexto: Contexto) -> Any:
        usuario = update.effective_user
        if contexto.config.es_personal(usuario.id if usuario else None):
            return await callback(update, contexto)
        await rechazar(update, contexto)
        return ConversationHandler.END  # si venía de un flujo, no se queda en él

    return envoltura


async def rechazar(update: Update, contexto: Contexto) -> None:
    _ = contexto.textos
    texto = _("Esta función es solo para el personal de la Secretaría. "
              "Puedes seguir usando el menú:")
    await avisar(update, _("Esta función es solo para el personal de la Secretaría."))
    await responder(update, texto, teclado([boton_menu(_)]), editar=False)


# --- menú y sesiones ---------------------------------------------------------------------------

def boton_menu_personal(_: Traductor) -> tuple[str, str]:
    return (_("⬅️ Menú del personal"), "pers:menu")


async def menu_personal(update: Update, contexto: Contexto) -> None:
    _ = contexto.textos
    await _ofrecer_comandos(update, contexto)
    texto = _("<b>Personal de la Secretaría</b>\n¿Qué quieres hacer?")
    botones = teclado([(_("🆕 Nueva sesión"), "pers:nueva")],
                      [(_("📅 Sesiones próximas"), "pers:sesiones")],
                      [(_("📥 Importar sesiones de un CSV"), "pers:importar")],
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
    _ = contexto.textos
    comandos = [BotCommand(c, _(d)) for c, d in (*COMANDOS, *COMANDOS_PERSONAL)]
    with suppress(TelegramError):  # es una comodidad: sin ella /personal funciona igual
        await contexto.bot.set_my_commands(comandos, scope=BotCommandScopeChat(chat.id))


async def sesiones(update: Update, contexto: Contexto) -> None:
    _ = contexto.textos
    lista = await contexto.almacen.sesiones_para_personal(contexto.reloj.ahora() - DIAS_ATRAS)
    if not lista:
        texto = _("No hay sesiones programadas. Crea una o impórtalas de un archivo CSV.")
    else:
        texto = _("<b>Sesiones programadas</b> (también las de los últimos días, para "
                  "registrar su asistencia). Elige una:")
    botones = [[(etiqueta_sesion(contexto, _, s), f"pers:s:{s.id}")] for s in lista]
    await responder(update, texto, teclado(*botones, [(_("🆕 Nueva sesión"), "pers:nueva")],
                                           [boton_menu_personal(_)]))


def nombre_curso(contexto: Contexto, _: Traductor, curso_id: str) -> str:
    """Sin escapar: va en botones (los nombres del catálogo no llevan < > &)."""
    curso = contexto.contenido.curso(curso_id)
    return _(curso.nombre) if curso else curso_id


def etiqueta_sesion(contexto: Contexto, _: Traductor, sesion: Sesion) -> str:
    """Para un botón: «30/11 10:00 · Cooperativismo: lo básico (3/20)»."""
    local = sesion.inicio.astimezone(contexto.config.zona_horaria)
    cuenta = f" ({sesion.inscritas}/{sesion.cupo})"
    curso = nombre_curso(contexto, _, sesion.curso_id)[:40]
    return f"{local:%d/%m %H:%M} · {curso}{cuenta}"


def texto_de_sesion(contexto: Contexto, _: Traductor, sesion: Sesion) -> str:
    """La ficha de una sesión. Todo lo que escribió el personal va escapado."""
    zona = contexto.config.zona_horaria
    lineas = [f"<b>{escape(nombre_curso(contexto, _, sesion.curso_id))}</b>",
              "📅 " + fecha_y_hora(sesion.inicio, _, zona) + " · "
              + _("{n} min").format(n=sesion.duracion_min),
              "🏷️ " + _(MODALIDADES.get(sesion.modalidad, sesion.modalidad))]
    lineas += lineas_de_lugar(contexto, _, sesion.modalidad, sesion.municipio_clave,
                              sesion.lugar, sesion.direccion, sesion.mapa_url, sesion.enlace)
    lineas.append("👥 " + _("Cupo {cupo} · inscritas {inscritas} · en espera {espera}").format(
        cupo=sesion.cupo, inscritas=sesion.inscritas, espera=sesion.en_espera))
    if sesion.estado == "cancelada":
        lineas.append("❌ " + _("Sesión cancelada."))
    return "\n".join(lineas)


def lineas_de_lugar(contexto: Contexto, _: Traductor, modalidad: str, municipio: str | None,
                    lugar: str | None, direccion: str | None, mapa: str | None,
                    enlace: str | None) -> list[str]:
    lineas = []
    if municipio:
        encontrado = contexto.contenido.municipios.por_clave(municipio)
        lineas.append("🏙️ " + escape(encontrado.nombre if encontrado else municipio))
    if lugar or direccion:
        lineas.append("📍 " + escape(", ".join(p for p in (lugar, direccion) if p)))
    if mapa:
        lineas.append("🗺️ " + f'<a href="{escape(mapa)}">{escape(_("Ver el mapa"))}</a>')
    if enlace and modalidad == "en_linea":
        lineas.append("💻 " + escape(enlace))
    return lineas


async def sesion_pedida(update: Update, contexto: Contexto) -> Sesion | None:
    """La sesión del botón (pers:s:ID...). Si ya no existe, lo dice y devuelve None."""
    coincidencia = re.match(r"^pers:s:(\d+)", update.callback_query.data)
    sesion = await contexto.almacen.sesion(int(coincidencia.group(1))) if coincidencia else None
    if sesion is None:
        _ = contexto.textos
        await responder(update, _("Esa sesión ya no existe."),
                        teclado([(_("📅 Sesiones próximas"), "pers:sesiones")]))
    return sesion


async def detalle(update: Update, contexto: Contexto) -> None:
    sesion = await sesion_pedida(update, contexto)
    if sesion is not None:
        await mostrar_sesion(update, contexto, sesion)


async def mostrar_sesion(update: Update, contexto: Contexto, sesion: Sesion, antes: str = "",
                         *, editar: bool = True) -> None:
    _ = contexto.textos
    prefijo = f"pers:s:{sesion.id}"
    filas = [[(_("👥 Lista"), f"{prefijo}:lista"), (_("📄 Lista en CSV"), f"{prefijo}:csv")]]
    if sesion.estado == "programada":
        filas += [
            [(_("✅ Asistencia"), f"{prefijo}:asis:0"), (_("🔑 Código"), f"{prefijo}:cod")],
            [(_("✏️ Corregir datos"), f"{prefijo}:editar"),
             (_("🕒 Cambiar fecha"), f"{prefijo}:rep")],
            [(_("❌ Cancelar la sesión"), f"{prefijo}:can")],
        ]
    filas.append([(_("📅 Sesiones próximas"), "pers:sesiones")])
    texto = (f"{antes}\n\n" if antes else "") + texto_de_sesion(contexto, _, sesion)
    await responder(update, texto, teclado(*filas), editar=editar)


async def elegir_correccion(update: Update, contexto: Contexto) -> None:
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    _ = contexto.textos
    nombres = {"mun": _("Municipio"), "lugar": _("Lugar"), "dir": _("Dirección"),
               "mapa": _("Mapa"), "enlace": _("Enlace"), "cupo": _("Cupo")}
    codigos = ("mun", "lugar", "dir", "mapa") if sesion.modalidad == "presencial" else ("enlace",)
    botones = [(nombres[c], f"pers:s:{sesion.id}:ed:{c}") for c in (*codigos, "cupo")]
    texto = texto_de_sesion(contexto, _, sesion) + "\n\n" + _("¿Qué dato quieres corregir?")
    await responder(update, texto, teclado(*en_columnas(botones, 2),
                                           [(_("⬅️ Volver"), f"pers:s:{sesion.id}")]))


# --- lista y CSV -------------------------------------------------------------------------------

def _texto_estado(_: Traductor, fila: FilaLista) -> str:
    return _("inscrita") if fila.estado == "inscrita" else _("en espera")


def _texto_asistio(_: Traductor, asistio: bool | None) -> str:
    return "" if asistio is None else (_("sí") if asistio else _("no"))


def _municipio(contexto: Contexto, clave: str | None) -> str:
    municipio = contexto.contenido.municipios.por_clave(clave) if clave else None
    return municipio.nombre if municipio else ""


def _nombre(_: Traductor, fila: FilaLista) -> str:
    return fila.nombre or _("(sin nombre)")


async def lista(update: Update, contexto: Contexto) -> None:
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    _ = contexto.textos
    filas = await contexto.almacen.lista_para_personal(sesion.id)
    inscritas = [f for f in filas if f.estado == "inscrita"]
    espera = [f for f in filas if f.estado == "espera"]
    partes = [texto_de_sesion(contexto, _, sesion),
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
    datos = [escape(_nombre(_, fila)), escape(_municipio(contexto, fila.municipio_clave))]
    if fila.asistio is not None:
        datos.append(_("asistió ✅") if fila.asistio else _("no asistió"))
    return f"{fila.posicion}. " + " — ".join(d for d in datos if d)


def _celda(texto: str) -> str:
    """Lo que escribió una persona no debe volverse una fórmula al abrirlo en Excel."""
    return "'" + texto if texto.startswith(_FORMULAS) else texto


def _opcion(_: Traductor, campo: str, valor: str | None) -> str:
    texto = etiqueta(campo, valor)
    return _(texto) if texto else ""


def csv_de_lista(contexto: Contexto, _: Traductor, filas: list[FilaLista]) -> bytes:
    """UTF-8 con BOM: así Excel abre bien los acentos."""
    salida = io.StringIO()
    escritor = csv.writer(salida)
    escritor.writerow([_("posición"), _("estado"), _("nombre"), _("municipio"), _("sexo"),
                       _("rango de edad"), _("asistió")])
    for f in filas:
        escritor.writerow([
            f.posicion, _texto_estado(_, f), _celda(f.nombre or ""),
            _municipio(contexto, f.municipio_clave),
            _opcion(_, "sexo", f.sexo), _opcion(_, "rango_edad", f.rango_edad),
            _texto_asistio(_, f.asistio)])
    return salida.getvalue().encode("utf-8-sig")


async def exportar_csv(update: Update, contexto: Contexto) -> None:
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    _ = contexto.textos
    await avisar(update, _("Preparando el archivo…"))
    filas = await contexto.almacen.lista_para_personal(sesion.id)
    local = sesion.inicio.astimezone(contexto.config.zona_horaria)
    nombre = f"lista_{sesion.curso_id}_{local:%Y-%m-%d_%H%M}_{sesion.id}.csv"
    pie = _("Lista de «{curso}»: {n} persona(s). Trátala con cuidado: son datos personales.")
    await update.effective_chat.send_document(
        csv_de_lista(contexto, _, filas), filename=nombre,
        caption=pie.format(curso=escape(nombre_curso(contexto, _, sesion.curso_id)),
                           n=len(filas)))


# --- asistencia y código -------------------------------------------------------------------

async def asistencia(update: Update, contexto: Contexto) -> None:
    sesion = await sesion_pedida(update, contexto)
    if sesion is not None:
        await _mostrar_asistencia(update, contexto, sesion, int(contexto.match.group(2)))


async def alternar_asistencia(update: Update, contexto: Contexto) -> None:
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    if not await _ya_se_puede_pasar_lista(update, contexto, sesion):
        return
    inscripcion_id, pagina = int(contexto.match.group(2)), int(contexto.match.group(3))
    if sesion.estado == "programada":
        await contexto.almacen.alternar_asistencia(sesion.id, inscripcion_id,
                                                   contexto.reloj.ahora())
    await _mostrar_asistencia(update, contexto, sesion, pagina)


async def _ya_se_puede_pasar_lista(update: Update, contexto: Contexto, sesion: Sesion) -> bool:
    """La asistencia se registra desde un rato antes del inicio (como el código)."""
    if contexto.reloj.ahora() >= sesion.inicio - VENTANA_ASISTENCIA:
        return True
    _ = contexto.textos
    await avisar(update, _("Aún es pronto: la asistencia se registra el día de la sesión."))
    return False


async def _mostrar_asistencia(update: Update, contexto: Contexto, sesion: Sesion,
                              pagina: int) -> None:
    _ = contexto.textos
    if sesion.estado != "programada":
        await mostrar_sesion(update, contexto, sesion, _("La sesión está cancelada."))
        return
    inscritas = [f for f in await contexto.almacen.lista_para_personal(sesion.id)
                 if f.estado == "inscrita"]
    paginas = max(1, -(-len(inscritas) // POR_PAGINA))
    pagina = min(max(pagina, 0), paginas - 1)
    prefijo = f"pers:s:{sesion.id}"
    botones = [[(("✅ " if f.asistio else "⬜ ") + f"{f.posicion}. {_nombre(_, f)}"[:50],
                 f"{prefijo}:at:{f.inscripcion_id}:{pagina}")]
               for f in inscritas[pagina * POR_PAGINA:(pagina + 1) * POR_PAGINA]]
    navegar = [(f"◀️ {pagina}", f"{prefijo}:asis:{pagina - 1}")] if pagina > 0 else []
    if pagina < paginas - 1:
        navegar.append((f"{pagina + 2} ▶️", f"{prefijo}:asis:{pagina + 1}"))
    texto = texto_de_sesion(contexto, _, sesion) + "\n\n" + _(
        "<b>Asistencia</b>: toca el nombre de cada persona que vino (✅). Al terminar, pulsa "
        "«Guardar»: las que asistieron reciben la encuesta de satisfacción.")
    if not inscritas:
        texto += "\n\n" + _("No hay personas inscritas.")
    await responder(update, texto, teclado(
        *botones, navegar, [(_("💾 Guardar asistencia"), f"{prefijo}:asisok")],
        [(_("⬅️ Volver"), prefijo)]))


async def guardar_asistencia(update: Update, contexto: Contexto) -> None:
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    _ = contexto.textos
    if sesion.estado != "programada":
        await mostrar_sesion(update, contexto, sesion, _("La sesión está cancelada."))
        return
    if not await _ya_se_puede_pasar_lista(update, contexto, sesion):
        return
    ahora = contexto.reloj.ahora()
    asistentes = await contexto.almacen.cerrar_asistencia(sesion.id, ahora)
    antes = _("✅ Asistencia guardada: {n} persona(s) asistieron.").format(n=len(asistentes))
    if ahora >= sesion.fin:
        encuestas = await encolar_encuestas(contexto.servicios, asistentes)
        antes += " " + _("Encuestas enviadas: {e}.").format(e=encuestas)
    else:  # la revisión periódica de encuestas la manda al terminar
        antes += " " + _("La encuesta les llegará al terminar la sesión.")
    await mostrar_sesion(update, contexto, sesion, antes)


async def codigo(update: Update, contexto: Contexto) -> None:
    sesion = await sesion_pedida(update, contexto)
    if sesion is None:
        return
    _ = contexto.textos
    texto = texto_de_sesion(contexto, _, sesion) + "\n\n" + _(
        "🔑 Código de asistencia: <code>{codigo}</code>\n\nDíctalo o escríbelo en el pizarrón "
        "durante la sesión: las personas inscritas lo escriben en el bot para registrar que "
        "vinieron.").format(codigo=escape(sesion.codigo_asistencia))
    await responder(update, texto, teclado([(_("⬅️ Volver"), f"pers:s:{sesion.id}")]))


# --- importar y botones viejos -----------------------------------------------------------------

async def como_importar(update: Update, contexto: Contexto) -> None:
    _ = contexto.textos
    texto = _(
        "<b>Importar muchas sesiones de un CSV</b>\n"
        "En la computadora del bot, en la carpeta del proyecto:\n"
        "<code>python bot.py importar-sesiones sesiones.csv</code>\n\n"
        "La primera línea lleva los nombres de las columnas: {columnas}. Son obligatorias: "
        "{obligatorias}.\n"
        "• fecha: DD/MM/AAAA o AAAA-MM-DD; hora: HH:MM, hora de Puebla.\n"
        "• modalidad: presencial (con municipio, lugar y dirección) o en_linea (con enlace).\n"
        "• municipio: su nombre o su clave del INEGI.\n\n"
        "Primero se revisa todo el archivo. Si una línea tiene un error, no se importa "
        "ninguna y se dice la línea, la columna y el motivo. Para solo revisar, agrega "
        "<code>--revisar</code>."
    ).format(columnas=", ".join(COLUMNAS), obligatorias=", ".join(OBLIGATORIAS))
    await responder(update, texto, teclado([boton_menu_personal(_)]))


async def boton_desconocido(update: Update, contexto: Contexto) -> None:
    _ = contexto.textos
    await avisar(update, _("Ese botón ya no funciona."))
    await responder(update, _("Ese botón ya no funciona. Empieza otra vez desde el menú del "
                              "personal:"), teclado([boton_menu_personal(_)]), editar=False)


def handlers() -> list[BaseHandler]:
    """Los comandos y botones de un paso del personal, en orden; el último atiende cualquier
    otro «pers:» (un botón viejo o inventado)."""
    botones: dict[str, Callback] = {
        r"^pers:menu$": menu_personal, r"^pers:sesiones$": sesiones,
        r"^pers:importar$": como_importar, r"^pers:s:(\d+)$": detalle,
        r"^pers:s:(\d+):lista$": lista, r"^pers:s:(\d+):csv$": exportar_csv,
        r"^pers:s:(\d+):editar$": elegir_correccion, r"^pers:s:(\d+):cod$": codigo,
        r"^pers:s:(\d+):asis:(\d{1,3})$": asistencia,
        r"^pers:s:(\d+):at:(\d+):(\d{1,3})$": alternar_asistencia,
        r"^pers:s:(\d+):asisok$": guardar_asistencia,
        r"^pers:": boton_desconocido,
    }
    return [CommandHandler("personal", solo_personal(menu_personal)),
            *(CallbackQueryHandler(solo_personal(f), pattern=p) for p, f in botones.items())]
