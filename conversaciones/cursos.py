"""/cursos: buscar cursos por tema, por lugar o por modalidad, ver sus fechas e inscribirse.
También /asistencia: registrar que llegaste a tu curso con el código que da quien lo imparte.

Buscar es de un paso por botón: todo lo necesario viaja en el callback_data (filtro y página),
así un botón de un mensaje viejo sigue sirviendo y un reinicio no pierde nada. Cada dato se
revisa otra vez al pulsar: una fecha que ya pasó, se canceló o no existe recibe una respuesta
amable y no cambia nada.

    cur:inicio → cur:temas | cur:lugares:<pág> | cur:modos → cur:l:<filtro>:<pág>
    → cur:c:<curso>:<filtro>:<pág> → cur:s:<sesión> → cur:si:<sesión> | cur:espera:<sesión>

Filtros: "-" (todos), "t.<tema>", "m.<modalidad>", "r.<región>", "u.<clave de municipio>".

/asistencia es un flujo corto (ConversationHandler): pide el código y lo revisa.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversaciones.comun import salidas
from conversaciones.encuesta import encolar_encuestas
from handlers.comun import Boton, avisar, boton_menu, responder, responder_largo, teclado
from nucleo.almacen.cursos import (
    CANCELADA,
    ESPERA,
    INSCRITA,
    LLENA,
    NO_COINCIDE,
    NO_EXISTE,
    PASADA,
    REGISTRADA,
    SIN_PERMISO,
    YA_EN_ESPERA,
    YA_INSCRITA,
    YA_REGISTRADA,
    Planes,
    ResultadoInscripcion,
    Sesion,
)
from nucleo.contenido import Contenido, Curso
from nucleo.contexto import Contexto, Servicios
from nucleo.fechas import fecha_y_hora, hora
from nucleo.horario import momentos_de_recordatorio
from nucleo.municipios import normalizar
from nucleo.textos import N_, Traductor

POR_PAGINA = 6
LARGO_DATO_PERSONAL = 200  # lugar y dirección los escribe el personal: se recortan al mostrar
TEMAS = {
    "cooperativismo": N_("🤝 Cooperativismo"),
    "economia_solidaria": N_("💚 Economía solidaria"),
    "negocio": N_("💼 Tu negocio"),
    "oficios": N_("🛠️ Oficios"),
    "digital": N_("📱 Herramientas digitales"),
}
MODALIDADES = {"presencial": N_("🏫 Presencial"), "en_linea": N_("💻 En línea")}


# --- piezas compartidas (también las usan /mis_cursos, recordatorios y avisos) -------------

def curso_de(contenido: Contenido, curso_id: str) -> Curso | None:
    return contenido.curso(curso_id)


def nombre_curso(_: Traductor, contenido: Contenido, curso_id: str) -> str:
    """El nombre del curso listo para HTML (si el curso salió del catálogo, su id)."""
    curso = curso_de(contenido, curso_id)
    return escape(_(curso.nombre) if curso else curso_id)


def enlace_seguro(url: str | None) -> str | None:
    """Solo enlaces http(s) con dominio: lo escribe el personal y Telegram rechaza lo demás."""
    if not url or any(c.isspace() for c in url.strip()):
        return None
    partes = urllib.parse.urlsplit(url.strip())
    if partes.scheme.lower() not in ("http", "https") or "." not in (partes.hostname or ""):
        return None
    return url.strip()


def _recortar(texto: str) -> str:
    texto = " ".join(texto.split())
    return texto if len(texto) <= LARGO_DATO_PERSONAL else texto[:LARGO_DATO_PERSONAL] + "…"


def cuando(_: Traductor, servicios: Servicios, sesion: Sesion) -> str:
    zona = servicios.config.zona_horaria
    return _("{inicio} a {fin}").format(inicio=fecha_y_hora(sesion.inicio, _, zona),
                                         fin=hora(sesion.fin, _, zona))


def donde(_: Traductor, servicios: Servicios, sesion: Sesion) -> str:
    """El lugar en una línea de texto simple (sin HTML), o «En línea»."""
    if sesion.modalidad == "en_linea":
        return _("En línea")
    municipio = servicios.contenido.municipios.por_clave(sesion.municipio_clave or "")
    partes = [sesion.lugar, sesion.direccion, municipio.nombre if municipio else None]
    return ", ".join(_recortar(p) for p in partes if p and p.strip())


def texto_sesion(_: Traductor, servicios: Servicios, sesion: Sesion, *,
                 con_enlace: bool = False, con_lugares: bool = True) -> str:
    """Fecha, hora, lugar (o «en línea») y lugares libres de una sesión, en HTML."""
    lineas = [f"🗓️ {cuando(_, servicios, sesion)}"]
    if sesion.modalidad == "en_linea":
        lineas.append(_linea_en_linea(_, sesion, con_enlace))
    else:
        lineas.append(f"📍 {escape(donde(_, servicios, sesion))}")
        mapa = enlace_seguro(sesion.mapa_url)
        if mapa:
            ver_mapa = _("Ver en el mapa")
            lineas.append(f'🗺️ <a href="{escape(mapa)}">{ver_mapa}</a>')
    if con_lugares:
        if sesion.lugares_libres > 0:
            lineas.append("🪑 " + _("Lugares libres: {n}").format(n=sesion.lugares_libres))
        else:
            lineas.append("🪑 " + _("Grupo lleno. Personas en lista de espera: {n}").format(
                n=sesion.en_espera))
    return "\n".join(lineas)


def _linea_en_linea(_: Traductor, sesion: Sesion, con_enlace: bool) -> str:
    if not con_enlace:
        return "💻 " + _("En línea. El enlace te lo doy cuando tengas tu lugar.")
    enlace = enlace_seguro(sesion.enlace)
    if enlace is None:
        return "💻 " + _("En línea. El enlace te llegará antes de la clase.")
    return "💻 " + _("En línea. Entra aquí:") + f' <a href="{escape(enlace)}">{escape(enlace)}</a>'


def planes_de(servicios: Servicios, ahora: datetime) -> Planes:
    """Cuándo mandar los recordatorios de una sesión que empieza en `inicio`."""
    config = servicios.config

    def planes(inicio: datetime) -> list[tuple[int, datetime]]:
        return momentos_de_recordatorio(inicio, config.antelaciones_min, config.silencio,
                                        config.zona_horaria, ahora)

    return planes


async def reprogramar(servicios: Servicios) -> None:
    """Tras crear o cambiar recordatorios: el programador vuelve a leer los pendientes."""
    if servicios.recordatorios is not None:
        await servicios.recordatorios.reprogramar()


async def mostrar(update: Update, texto: str, botones: Sequence[Sequence[Boton]],
                  *, editar: bool = True) -> None:
    """Responde en uno o más mensajes (un texto largo se parte); los botones van al final."""
    await responder_largo(update, texto, teclado(*botones), editar=editar)


def paginar(elementos: Sequence, pagina: int) -> tuple[Sequence, int, int]:
    """(los de esta página, la página corregida, cuántas páginas hay)."""
    total = max((len(elementos) + POR_PAGINA - 1) // POR_PAGINA, 1)
    pagina = min(max(pagina, 0), total - 1)
    return elementos[pagina * POR_PAGINA:(pagina + 1) * POR_PAGINA], pagina, total


def navegacion(_: Traductor, datos: str, pagina: int, total: int) -> list[Boton]:
    """◀️ ▶️ para cambiar de página; `datos` lleva {p} donde va el número de página."""
    fila = []
    if pagina > 0:
        fila.append((_("◀️ Anterior"), datos.format(p=pagina - 1)))
    if pagina < total - 1:
        fila.append((_("Siguiente ▶️"), datos.format(p=pagina + 1)))
    return fila


def _pie_pagina(_: Traductor, pagina: int, total: int) -> str:
    if total <= 1:
        return ""
    return "\n\n" + _("Página {n} de {total}").format(n=pagina + 1, total=total)


async def pedir_permiso(update: Update, contexto: Contexto, *, editar: bool = False) -> None:
    _ = contexto.textos
    texto = _("Para inscribirte necesito guardar tu nombre y tu lugar en la lista. "
              "Para eso pido tu permiso en el aviso de privacidad.")
    await responder(update, texto, teclado([(_("📄 Leer el aviso"), "aviso:leer")],
                                           [(_("📚 Seguir viendo cursos"), "cur:inicio")]),
                    editar=editar)


async def _acepto(contexto: Contexto, telegram_id: int) -> bool:
    persona = await contexto.almacen.persona(telegram_id)
    return persona is not None and persona.acepto


# --- filtros --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filtro:
    tipo: str  # "-", "t" tema, "m" modalidad, "r" región, "u" municipio
    valor: str = ""
    municipios: tuple[str, ...] = ()  # para "r" y "u"

    @property
    def codigo(self) -> str:
        return "-" if self.tipo == "-" else f"{self.tipo}.{self.valor}"


def slug_region(region: str) -> str:
    return normalizar(region).replace(" ", "_")[:24]


def regiones(contenido: Contenido) -> dict[str, tuple[str, tuple[str, ...]]]:
    """slug → (nombre de la región, claves de sus municipios). Vacío si nadie las llenó."""
    encontradas: dict[str, tuple[str, list[str]]] = {}
    for municipio in contenido.municipios:
        if municipio.region and municipio.region.strip():
            slug = slug_region(municipio.region)
            encontradas.setdefault(slug, (municipio.region.strip(), []))[1].append(
                municipio.clave)
    return {slug: (nombre, tuple(claves)) for slug, (nombre, claves) in encontradas.items()}


def leer_filtro(codigo: str, contenido: Contenido) -> Filtro | None:
    """El filtro de un callback_data, o None si no es válido (dato viejo o inventado)."""
    if codigo == "-":
        return Filtro("-")
    tipo, _, valor = codigo.partition(".")
    if tipo == "t" and valor in TEMAS:
        return Filtro("t", valor)
    if tipo == "m" and valor in MODALIDADES:
        return Filtro("m", valor)
    if tipo == "r" and valor in (encontradas := regiones(contenido)):
        return Filtro("r", valor, encontradas[valor][1])
    if tipo == "u" and contenido.municipios.por_clave(valor) is not None:
        return Filtro("u", valor, (valor,))
    return None


def titulo_filtro(_: Traductor, contenido: Contenido, filtro: Filtro) -> str:
    if filtro.tipo == "t":
        return _("Cursos del tema: {tema}").format(tema=_(TEMAS[filtro.valor]))
    if filtro.tipo == "m":
        return _("Cursos con modalidad: {modalidad}").format(
            modalidad=_(MODALIDADES[filtro.valor]))
    if filtro.tipo == "r":
        return _("Cursos en la región {region}").format(
            region=escape(regiones(contenido)[filtro.valor][0]))
    if filtro.tipo == "u":
        municipio = contenido.municipios.por_clave(filtro.valor)
        return _("Cursos en {municipio}").format(municipio=escape(municipio.nombre))
    return _("Todos los cursos")


async def sesiones_del_filtro(contexto: Contexto, filtro: Filtro,
                              curso_id: str | None = None) -> list[Sesion]:
    ahora = contexto.reloj.ahora()
    if filtro.tipo == "m":
        return await contexto.almacen.sesiones_proximas(ahora, curso_id=curso_id,
                                                        modalidad=filtro.valor)
    if filtro.tipo in ("r", "u"):
        return await contexto.almacen.sesiones_proximas(
            ahora, curso_id=curso_id, modalidad="presencial", municipios=filtro.municipios)
    return await contexto.almacen.sesiones_proximas(ahora, curso_id=curso_id)


# --- buscar ----------------------------------------------------------------------------------

async def inicio(update: Update, contexto: Contexto) -> None:
    """/cursos, el botón del menú y «Otra búsqueda»."""
    _ = contexto.textos
    texto = _("<b>Cursos gratis</b> 📚\nAprende a trabajar por tu cuenta o en cooperativa. "
              "¿Cómo quieres buscar?")
    filas = [
        [(_("📖 Por tema"), "cur:temas")],
        [(_("📍 Por lugar"), "cur:lugares:0")],
        [(_("💻 Presencial o en línea"), "cur:modos")],
        [(_("📋 Ver todos los cursos"), "cur:l:-:0")],
    ]
    if await _acepto(contexto, update.effective_user.id):
        filas.append([(_("🗓️ Mis cursos"), "mc:lista")])
    await responder(update, texto, teclado(*filas, [boton_menu(_)]))


async def temas(update: Update, contexto: Contexto) -> None:
    _ = contexto.textos
    filas = [[(_(nombre), f"cur:l:t.{tema}:0")] for tema, nombre in TEMAS.items()
             if any(c.tema == tema for c in contexto.contenido.cursos)]
    await responder(update, _("¿De qué tema?"),
                    teclado(*filas, [(_("⬅️ Otra búsqueda"), "cur:inicio")]))


async def modos(update: Update, contexto: Contexto) -> None:
    _ = contexto.textos
    texto = _("¿Cómo prefieres tomar el curso?\n\n"
              "🏫 <b>Presencial</b>: vas a un lugar en tu región.\n"
              "💻 <b>En línea</b>: desde tu celular, con internet.")
    filas = [[(_(nombre), f"cur:l:m.{modo}:0")] for modo, nombre in MODALIDADES.items()]
    await responder(update, texto, teclado(*filas, [(_("⬅️ Otra búsqueda"), "cur:inicio")]))


async def lugares(update: Update, contexto: Contexto) -> None:
    """Regiones (si el personal las llenó en municipios.csv) o municipios con grupos."""
    _ = contexto.textos
    pagina = int(update.callback_query.data.rsplit(":", 1)[1])
    opciones = await _opciones_de_lugar(contexto, update.effective_user.id)
    visibles, pagina, total = paginar(opciones, pagina)
    if opciones:
        texto = _("¿Dónde quieres tomar el curso? Entre paréntesis, cuántas fechas hay.")
    else:
        texto = _("Por ahora no hay grupos presenciales con fecha. Mira los cursos en línea "
                  "o vuelve pronto.")
    texto += _pie_pagina(_, pagina, total)
    filas = [[boton] for boton in visibles]
    filas.append(navegacion(_, "cur:lugares:{p}", pagina, total))
    filas.append([(_("💻 En línea, desde donde estés"), "cur:l:m.en_linea:0")])
    filas.append([(_("⬅️ Otra búsqueda"), "cur:inicio")])
    await responder(update, texto, teclado(*filas))


async def _opciones_de_lugar(contexto: Contexto, telegram_id: int) -> list[Boton]:
    _ = contexto.textos
    contenido = contexto.contenido
    sesiones = await contexto.almacen.sesiones_proximas(contexto.reloj.ahora(),
                                                        modalidad="presencial")
    por_region = regiones(contenido)
    cuentas: dict[str, int] = {}
    for sesion in sesiones:
        municipio = contenido.municipios.por_clave(sesion.municipio_clave or "")
        if municipio is None:
            continue
        codigo = _codigo_lugar(municipio.clave, municipio.region, por_region)
        cuentas[codigo] = cuentas.get(codigo, 0) + 1
    cercano = await _lugar_cercano(contexto, telegram_id, por_region)
    opciones = []
    if cercano is not None:
        texto = _("📍 Cerca de ti: {lugar}").format(lugar=_nombre_lugar(contenido, cercano))
        opciones.append((f"{texto} ({cuentas.get(cercano, 0)})", f"cur:l:{cercano}:0"))
    otros = sorted((c for c in cuentas if c != cercano),
                   key=lambda c: normalizar(_nombre_lugar(contenido, c)))
    opciones += [(f"{_nombre_lugar(contenido, c)} ({cuentas[c]})", f"cur:l:{c}:0")
                 for c in otros]
    return opciones


def _codigo_lugar(clave: str, region: str | None, por_region: dict) -> str:
    if por_region and region and region.strip():
        return f"r.{slug_region(region)}"
    return f"u.{clave}"


def _nombre_lugar(contenido: Contenido, codigo: str) -> str:
    tipo, _, valor = codigo.partition(".")
    if tipo == "r":
        return regiones(contenido)[valor][0]
    municipio = contenido.municipios.por_clave(valor)
    return municipio.nombre if municipio else valor


async def _lugar_cercano(contexto: Contexto, telegram_id: int, por_region: dict) -> str | None:
    """La región (o el municipio) del perfil de la persona, si lo dio."""
    perfil = await contexto.almacen.perfil(telegram_id)
    if perfil is None or not perfil.municipio_clave:
        return None
    municipio = contexto.contenido.municipios.por_clave(perfil.municipio_clave)
    if municipio is None:
        return None
    return _codigo_lugar(municipio.clave, municipio.region, por_region)


async def lista(update: Update, contexto: Contexto) -> None:
    """Los cursos de un filtro, con cuántas fechas tiene cada uno."""
    _ = contexto.textos
    _cur, _l, codigo, pagina_texto = update.callback_query.data.split(":")
    filtro = leer_filtro(codigo, contexto.contenido)
    if filtro is None:
        await ya_no_sirve(update, contexto)
        return
    cursos = await _cursos_del_filtro(contexto, filtro)
    visibles, pagina, total = paginar(cursos, int(pagina_texto))
    texto = f"<b>{titulo_filtro(_, contexto.contenido, filtro)}</b>\n"
    if cursos:
        texto += _("Elige un curso para ver de qué trata y sus fechas. "
                   "🗓️ = tiene fechas para inscribirte.")
    else:
        texto += _("Por ahora no hay fechas aquí. Busca de otra forma o vuelve pronto.")
    texto += _pie_pagina(_, pagina, total)
    filas = [[(_boton_curso(_, curso, fechas),
               f"cur:c:{curso.id}:{filtro.codigo}:0")] for curso, fechas in visibles]
    filas.append(navegacion(_, f"cur:l:{filtro.codigo}:{{p}}", pagina, total))
    filas.append([(_("⬅️ Otra búsqueda"), "cur:inicio")])
    await responder(update, texto, teclado(*filas))


def _boton_curso(_: Traductor, curso: Curso, fechas: int) -> str:
    return f"🗓️ {_(curso.nombre)} ({fechas})" if fechas else _(curso.nombre)


async def _cursos_del_filtro(contexto: Contexto, filtro: Filtro) -> list[tuple[Curso, int]]:
    """(curso, cuántas fechas) en el orden del catálogo, primero los que tienen fechas."""
    cuentas: dict[str, int] = {}
    for sesion in await sesiones_del_filtro(contexto, filtro):
        cuentas[sesion.curso_id] = cuentas.get(sesion.curso_id, 0) + 1
    cursos = []
    for curso in contexto.contenido.cursos:
        if filtro.tipo == "t" and curso.tema != filtro.valor:
            continue
        if filtro.tipo in ("m", "r", "u") and not cuentas.get(curso.id):
            continue
        cursos.append((curso, cuentas.get(curso.id, 0)))
    return sorted(cursos, key=lambda par: par[1] == 0)


async def ver_curso(update: Update, contexto: Contexto) -> None:
    """De qué trata, requisitos y las fechas próximas (6 por página), cada una con su botón."""
    _ = contexto.textos
    _cur, _c, curso_id, codigo, pagina_texto = update.callback_query.data.split(":")
    curso = curso_de(contexto.contenido, curso_id)
    filtro = leer_filtro(codigo, contexto.contenido)
    if curso is None or filtro is None:
        await ya_no_sirve(update, contexto)
        return
    sesiones = await sesiones_del_filtro(contexto, filtro, curso.id)
    visibles, pagina, total = paginar(sesiones, int(pagina_texto))
    texto = _texto_curso(_, curso, completo=pagina == 0)
    texto += "\n\n" + _fechas(_, contexto.servicios, sesiones, visibles, pagina, filtro)
    texto += _pie_pagina(_, pagina, total)
    filas = [[(_boton_sesion(_, contexto.servicios, n, sesion), f"cur:s:{sesion.id}")]
             for n, sesion in enumerate(visibles, pagina * POR_PAGINA + 1)]
    filas.append(navegacion(_, f"cur:c:{curso.id}:{filtro.codigo}:{{p}}", pagina, total))
    if filtro.tipo not in ("-", "t"):
        filas.append([(_("🗓️ Ver todas sus fechas"), f"cur:c:{curso.id}:-:0")])
    filas.append([(_("⬅️ Volver a la lista"), f"cur:l:{filtro.codigo}:0")])
    await mostrar(update, texto, filas)


def requisitos(_: Traductor, curso: Curso) -> str:
    return _("<b>Qué necesitas:</b> {requisitos}").format(requisitos=_(curso.requisitos))


def _boton_sesion(_: Traductor, servicios: Servicios, numero: int, sesion: Sesion) -> str:
    """«1. vie, 27 de nov de 2026, 12:00 p.m. · Puebla»: la fecha y dónde, en corto."""
    cuando_ = fecha_y_hora(sesion.inicio, _, servicios.config.zona_horaria)
    municipio = servicios.contenido.municipios.por_clave(sesion.municipio_clave or "")
    if sesion.modalidad == "en_linea":
        lugar = _("En línea")
    else:
        lugar = municipio.nombre if municipio else _("Presencial")
    return f"{numero}. {cuando_} · {lugar}"


def _texto_curso(_: Traductor, curso: Curso, *, completo: bool) -> str:
    titulo = f"<b>{escape(_(curso.nombre))}</b>"
    if not completo:  # en las páginas siguientes, solo las fechas
        return titulo
    horas = _("Duración: {n} horas").format(n=curso.duracion_horas)
    return f"{titulo}\n{_(curso.descripcion)}\n\n{requisitos(_, curso)}\n{horas}"


def _fechas(_: Traductor, servicios: Servicios, sesiones: list[Sesion],
            visibles: Sequence[Sesion], pagina: int, filtro: Filtro) -> str:
    if not sesiones:
        if filtro.tipo in ("-", "t"):
            return _("Todavía no hay fechas para este curso. Vuelve pronto.")
        return _("No hay fechas con lo que buscaste. Mira todas sus fechas.")
    bloques = [_("<b>Próximas fechas</b> (elige una para inscribirte):")]
    primera = pagina * POR_PAGINA + 1
    for i, sesion in enumerate(visibles):
        bloques.append(f"<b>{primera + i}.</b> {texto_sesion(_, servicios, sesion)}")
    return "\n\n".join(bloques)


# --- inscribirse -------------------------------------------------------------------------------

async def ver_sesion(update: Update, contexto: Contexto) -> None:
    """Una fecha: sus datos y la pregunta «¿te inscribo?» (o «¿te anoto en la espera?»)."""
    _ = contexto.textos
    sesion_id = int(update.callback_query.data.rsplit(":", 1)[1])
    sesion = await contexto.almacen.sesion(sesion_id)
    motivo = _motivo_no_disponible(contexto, sesion)
    if motivo is not None:
        await no_disponible(update, contexto, motivo)
        return
    usuario_id = update.effective_user.id
    if not await _acepto(contexto, usuario_id):
        await pedir_permiso(update, contexto)
        return
    previa = await contexto.almacen.inscripcion_activa(sesion.id, usuario_id)
    if previa is not None:
        codigo = YA_INSCRITA if previa.estado == INSCRITA else YA_EN_ESPERA
        await _ya_estabas(update, contexto, codigo, previa.posicion_espera)
        return
    await _pedir_confirmacion(update, contexto, sesion)


async def _pedir_confirmacion(update: Update, contexto: Contexto, sesion: Sesion) -> None:
    _ = contexto.textos
    curso = curso_de(contexto.contenido, sesion.curso_id)
    texto = f"<b>{nombre_curso(_, contexto.contenido, sesion.curso_id)}</b>\n"
    texto += texto_sesion(_, contexto.servicios, sesion)
    if curso is not None:
        texto += "\n\n" + requisitos(_, curso)
    regresar = (_("⬅️ No, regresar"), f"cur:c:{sesion.curso_id}:-:0")
    if sesion.lugares_libres > 0:
        texto += "\n\n" + _("¿Te inscribo en esta fecha?")
        si = (_("✅ Sí, inscribirme"), f"cur:si:{sesion.id}")
    else:
        texto += "\n\n" + _("Este grupo ya está lleno. ¿Quieres anotarte en la lista de espera? "
                            "Serías la persona número {n}. Si alguien deja su lugar, "
                            "te aviso al momento.").format(n=sesion.en_espera + 1)
        si = (_("📝 Sí, anotarme en la espera"), f"cur:espera:{sesion.id}")
    await mostrar(update, texto, [[si], [regresar]])


async def inscribir(update: Update, contexto: Contexto) -> None:
    """«Sí, inscribirme» (cur:si, solo si hay lugar) o «Sí, anotarme» (cur:espera)."""
    _accion, tipo, sesion_texto = update.callback_query.data.split(":")
    usuario_id = update.effective_user.id
    if not await _acepto(contexto, usuario_id):
        await pedir_permiso(update, contexto)
        return
    ahora = contexto.reloj.ahora()
    resultado = await contexto.almacen.inscribir(
        int(sesion_texto), usuario_id, ahora, planes_de(contexto.servicios, ahora),
        permitir_espera=tipo == "espera")
    if resultado.codigo == INSCRITA:
        await reprogramar(contexto.servicios)
    await _contar_resultado(update, contexto, int(sesion_texto), resultado)


async def _contar_resultado(update: Update, contexto: Contexto, sesion_id: int,
                            resultado: ResultadoInscripcion) -> None:
    _ = contexto.textos
    sesion = await contexto.almacen.sesion(sesion_id)
    if resultado.codigo in (NO_EXISTE, PASADA, CANCELADA):
        await no_disponible(update, contexto, resultado.codigo)
    elif resultado.codigo == SIN_PERMISO:
        await pedir_permiso(update, contexto)
    elif resultado.codigo in (YA_INSCRITA, YA_EN_ESPERA):
        await _ya_estabas(update, contexto, resultado.codigo, resultado.posicion_espera)
    elif resultado.codigo == LLENA:
        texto = _("Perdón, justo se acabaron los lugares de esta fecha. ¿Quieres anotarte en la "
                  "lista de espera? Serías la persona número {n}.").format(
            n=resultado.posicion_espera)
        await responder(update, texto, teclado(
            [(_("📝 Sí, anotarme en la espera"), f"cur:espera:{sesion_id}")],
            [(_("⬅️ No, ver otras fechas"), f"cur:c:{sesion.curso_id}:-:0")]))
    elif resultado.codigo == INSCRITA:
        await _inscrita(update, contexto, sesion, resultado.inscripcion_id)
    elif resultado.codigo == ESPERA:
        texto = _("Listo, estás en la lista de espera. 📝\nTu lugar en la fila: <b>{n}</b>.\n\n"
                  "Si alguien deja su lugar, te aviso al momento.").format(
            n=resultado.posicion_espera)
        await responder(update, f"{texto}\n\n{_titulo_y_fecha(_, contexto, sesion)}",
                        teclado([(_("🗓️ Mis cursos"), "mc:lista")], [boton_menu(_)]))


async def _inscrita(update: Update, contexto: Contexto, sesion: Sesion,
                    inscripcion_id: int) -> None:
    _ = contexto.textos
    texto = (_("¡Listo! Tienes tu lugar. ✅") + "\n\n"
             + f"<b>{nombre_curso(_, contexto.contenido, sesion.curso_id)}</b>\n"
             + texto_sesion(_, contexto.servicios, sesion, con_enlace=True, con_lugares=False)
             + "\n\n" + _("Te mando un recordatorio antes. Si ya no puedes ir, avísame en "
                          "/mis_cursos: así tu lugar pasa a otra persona."))
    await mostrar(update, texto, [
        [(_("📅 Guardar en mi calendario"), f"mc:ics:{inscripcion_id}")],
        [(_("🗓️ Mis cursos"), "mc:lista")], [boton_menu(_)]])


def _titulo_y_fecha(_: Traductor, contexto: Contexto, sesion: Sesion) -> str:
    return (f"<b>{nombre_curso(_, contexto.contenido, sesion.curso_id)}</b>\n"
            f"🗓️ {cuando(_, contexto.servicios, sesion)}")


async def _ya_estabas(update: Update, contexto: Contexto, codigo: str,
                      posicion: int | None) -> None:
    _ = contexto.textos
    if codigo == YA_INSCRITA:
        texto = _("Ya tienes tu lugar en esta fecha. ✅ Puedes verla en /mis_cursos.")
    else:
        texto = _("Ya estás en la lista de espera de esta fecha. Tu lugar en la fila: {n}."
                  ).format(n=posicion)
    await responder(update, texto, teclado([(_("🗓️ Mis cursos"), "mc:lista")],
                                           [boton_menu(_)]))


def _motivo_no_disponible(contexto: Contexto, sesion: Sesion | None) -> str | None:
    if sesion is None or curso_de(contexto.contenido, sesion.curso_id) is None:
        return NO_EXISTE
    if sesion.estado != "programada":
        return CANCELADA
    if sesion.inicio <= contexto.reloj.ahora():
        return PASADA
    return None


async def no_disponible(update: Update, contexto: Contexto, motivo: str) -> None:
    """Una fecha que ya pasó, se canceló o no existe: lo decimos, no cambia nada."""
    _ = contexto.textos
    textos = {
        PASADA: _("Esa fecha ya pasó. Mira las fechas que siguen abiertas."),
        CANCELADA: _("Esa fecha se canceló. Perdón por el cambio. Mira las otras fechas."),
    }
    texto = textos.get(motivo, _("No encontré esa fecha. Mira las fechas que siguen abiertas."))
    await avisar(update, texto)
    await responder(update, texto, teclado([(_("📚 Ver los cursos"), "cur:inicio")],
                                           [boton_menu(_)]), editar=False)


async def ya_no_sirve(update: Update, contexto: Contexto) -> None:
    """Un botón con datos que ya no valen (un curso que salió del catálogo, un filtro viejo)."""
    _ = contexto.textos
    texto = _("Ese botón ya no funciona. Busquemos otra vez:")
    await avisar(update, _("Ese botón ya no funciona."))
    await responder(update, texto, teclado([(_("📚 Ver los cursos"), "cur:inicio")],
                                           [boton_menu(_)]), editar=False)


# --- asistencia con código ----------------------------------------------------------------------

CODIGO = 0
MAX_INTENTOS = 5


async def pedir_codigo(update: Update, contexto: Contexto) -> int:
    """/asistencia o el botón de /mis_cursos el día del curso."""
    _ = contexto.textos
    usuario_id = update.effective_user.id
    if not await _acepto(contexto, usuario_id):
        await pedir_permiso(update, contexto)
        return ConversationHandler.END
    ahora = contexto.reloj.ahora()
    hoy = [s for i, s in await contexto.almacen.inscripciones_de(usuario_id, ahora)
           if i.estado == INSCRITA and s.en_ventana_de_asistencia(ahora)]
    if not hoy:
        texto = _("Hoy no tienes un curso donde registrar tu asistencia. "
                  "Tus fechas están en /mis_cursos.")
        await responder(update, texto, teclado([(_("🗓️ Mis cursos"), "mc:lista")],
                                               [boton_menu(_)]))
        return ConversationHandler.END
    contexto.user_data["intentos_codigo"] = 0
    texto = _("Escribe el código de asistencia. Te lo da la persona que imparte el curso. "
              "Son 6 letras y números.")
    await responder(update, texto, teclado([(_("✖️ Salir"), "asis:salir")]))
    return CODIGO


async def recibir_codigo(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
    ahora = contexto.reloj.ahora()
    resultado = await contexto.almacen.registrar_asistencia_con_codigo(
        update.effective_user.id, update.message.text, ahora)
    if resultado.codigo == NO_COINCIDE:
        return await _codigo_equivocado(update, contexto)
    if resultado.codigo == REGISTRADA:
        await _asistencia_registrada(update, contexto, resultado.inscripcion_id,
                                     resultado.sesion_id)
    elif resultado.codigo == YA_REGISTRADA:
        await responder(update, _("Tu asistencia ya estaba registrada. ✅"),
                        teclado([boton_menu(_)]))
    else:
        await responder(update, _("Hoy no tienes un curso donde registrar tu asistencia."),
                        teclado([boton_menu(_)]))
    return ConversationHandler.END


async def _codigo_equivocado(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
    intentos = contexto.user_data.get("intentos_codigo", 0) + 1
    contexto.user_data["intentos_codigo"] = intentos
    if intentos >= MAX_INTENTOS:
        texto = _("Ese código tampoco coincide. Pide ayuda a la persona que imparte el curso: "
                  "ella puede registrar tu asistencia.")
        await responder(update, texto, teclado([boton_menu(_)]))
        return ConversationHandler.END
    texto = _("Ese código no coincide. Revísalo con calma y escríbelo otra vez.")
    await responder(update, texto, teclado([(_("✖️ Salir"), "asis:salir")]))
    return CODIGO


async def _asistencia_registrada(update: Update, contexto: Contexto, inscripcion_id: int,
                                 sesion_id: int) -> None:
    _ = contexto.textos
    sesion = await contexto.almacen.sesion(sesion_id)
    texto = _("¡Listo! Registré tu asistencia. ✅ ¡Que aprendas mucho!")
    if sesion.fin <= contexto.reloj.ahora():
        await encolar_encuestas(contexto.servicios, [inscripcion_id])
    else:  # la pregunta llega al terminar (la manda la revisión periódica de encuestas)
        texto += "\n\n" + _("Cuando termine el curso te haré una pregunta corta.")
    await responder(update, texto, teclado([boton_menu(_)]))


async def codigo_no_es_texto(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
    if update.callback_query is not None:
        await avisar(update, _("Ese botón ya no funciona."))
    texto = _("Escribe el código con letras y números, por favor.")
    await responder(update, texto, teclado([(_("✖️ Salir"), "asis:salir")]), editar=False)
    return CODIGO


async def salir_asistencia(update: Update, contexto: Contexto) -> int:
    _ = contexto.textos
    texto = _("Está bien. Cuando tengas el código, escribe /asistencia.")
    await responder(update, texto, teclado([boton_menu(_)]))
    return ConversationHandler.END


TEXTO_CODIGO = filters.TEXT & ~filters.COMMAND & filters.Regex(re.compile(r"\w"))

asistencia = ConversationHandler(
    name="asistencia",
    persistent=True,
    allow_reentry=True,
    entry_points=[
        CommandHandler("asistencia", pedir_codigo),
        CallbackQueryHandler(pedir_codigo, pattern="^mc:asis$"),
    ],
    states={
        CODIGO: [
            MessageHandler(TEXTO_CODIGO, recibir_codigo),
            CallbackQueryHandler(salir_asistencia, pattern="^asis:salir$"),
            MessageHandler(filters.ALL & ~filters.COMMAND, codigo_no_es_texto),
            CallbackQueryHandler(codigo_no_es_texto, pattern="^asis:"),
        ],
    },
    fallbacks=salidas(),
)
