"""La tarjeta de una sesión: un solo lugar que decide cómo se muestra una fecha de un curso.

La usan las pantallas de la ciudadanía y del personal, los avisos (cambio de fecha,
cancelación, lugar liberado), los recordatorios y el archivo de calendario (.ics). Todo lo
que escribió el personal (lugar, dirección, enlaces) se escapa aquí y solo aquí: lo que
devuelven las funciones `*_html` ya es HTML seguro para Telegram; las demás, texto simple.
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import datetime, timedelta
from html import escape, unescape
from typing import Protocol
from zoneinfo import ZoneInfo

from nucleo.calendario import Evento
from nucleo.contenido import Contenido
from nucleo.fechas import fecha_y_hora, hora
from nucleo.textos import Traductor
from nucleo.vocabulario import NOMBRE_MODALIDAD, EstadoSesion, Modalidad

LARGO_DATO_PERSONAL = 200  # lugar y dirección los escribe el personal: se recortan al mostrar
# Cómo se guarda que un curso no pide nada (sin el punto, en minúsculas; también vacío).
SIN_REQUISITOS = frozenset({"", "ninguno", "ninguna", "nada"})
_ETIQUETA = re.compile(r"<[^<>]*>")


class DatosDeSesion(Protocol):
    """Lo que una tarjeta necesita de una sesión (guardada, recién capturada o debida)."""

    curso_id: str
    inicio: datetime
    duracion_min: int
    modalidad: str
    municipio_clave: str | None
    lugar: str | None
    direccion: str | None
    mapa_url: str | None
    enlace: str | None


class ConCupo(DatosDeSesion, Protocol):
    cupo: int
    inscritas: int
    en_espera: int
    estado: str

    @property
    def lugares_libres(self) -> int: ...


def nombre_curso(_: Traductor, contenido: Contenido, curso_id: str) -> str:
    """El nombre del curso en el idioma de quien lee, en texto simple (sin escapar).
    Si el curso salió del catálogo, su id."""
    curso = contenido.curso(curso_id)
    return _(curso.nombre) if curso else curso_id


def que_necesitas(_: Traductor, requisitos: str) -> str:
    """«<b>Qué necesitas:</b> …» en HTML, o «No necesitas nada especial.» si el curso no pide
    nada (en el catálogo, la importación y el personal se guarda como «Ninguno.»)."""
    if requisitos.strip().rstrip(".").lower() in SIN_REQUISITOS:
        return _("No necesitas nada especial.")
    return _("<b>Qué necesitas:</b> {requisitos}").format(requisitos=_(requisitos))


def enlace_seguro(url: str | None) -> str | None:
    """Solo enlaces http(s) con dominio: los escribe el personal y Telegram rechaza lo demás."""
    if not url or any(c.isspace() for c in url.strip()):
        return None
    partes = urllib.parse.urlsplit(url.strip())
    if partes.scheme.lower() not in ("http", "https") or "." not in (partes.hostname or ""):
        return None
    return url.strip()


def fin(sesion: DatosDeSesion) -> datetime:
    return sesion.inicio + timedelta(minutes=sesion.duracion_min)


def cuando(_: Traductor, zona: ZoneInfo, sesion: DatosDeSesion, *,
           ahora: datetime | None = None) -> str:
    """«viernes 27 de noviembre, 12:00 p. m. a 2:00 p. m.» (texto simple; el año solo si no
    es de este año: `nucleo/fechas.py`)."""
    return _("{inicio} a {fin}").format(inicio=fecha_y_hora(sesion.inicio, _, zona, ahora=ahora),
                                         fin=hora(fin(sesion), _, zona))


def donde(_: Traductor, contenido: Contenido, sesion: DatosDeSesion) -> str:
    """El lugar en una línea de texto simple, o «En línea»."""
    if sesion.modalidad == Modalidad.EN_LINEA:
        return _("En línea")
    municipio = contenido.municipios.por_clave(sesion.municipio_clave or "")
    partes = [sesion.lugar, sesion.direccion, municipio.nombre if municipio else None]
    return ", ".join(_recortar(p) for p in partes if p and p.strip())


def municipio(contenido: Contenido, sesion: DatosDeSesion) -> str | None:
    """El nombre del municipio de una sesión presencial (texto simple), si se sabe."""
    if sesion.modalidad == Modalidad.EN_LINEA:
        return None
    encontrado = contenido.municipios.por_clave(sesion.municipio_clave or "")
    return encontrado.nombre if encontrado else None


def lugar_corto(_: Traductor, contenido: Contenido, sesion: DatosDeSesion) -> str:
    """Para un botón: el municipio, o «En línea»."""
    if sesion.modalidad == Modalidad.EN_LINEA:
        return _("En línea")
    municipio = contenido.municipios.por_clave(sesion.municipio_clave or "")
    return municipio.nombre if municipio else _("Presencial")


def tarjeta_html(_: Traductor, zona: ZoneInfo, contenido: Contenido, sesion: DatosDeSesion, *,
                 con_enlace: bool = False, lugares: ConCupo | None = None,
                 ahora: datetime | None = None) -> str:
    """Fecha, hora, lugar (o «en línea») y, si se pasa `lugares`, los lugares libres.

    `con_enlace`: el enlace de una sesión en línea solo lo ve quien tiene su lugar.
    `ahora`: para decidir si la fecha lleva año (sin él, el reloj del bot)."""
    lineas = [f"🗓️ {cuando(_, zona, sesion, ahora=ahora)}",
              *_lineas_de_lugar(_, contenido, sesion, con_enlace)]
    if lugares is not None:
        if lugares.lugares_libres > 0:
            lineas.append("🪑 " + _("Lugares libres: {n}").format(n=lugares.lugares_libres))
        else:
            lineas.append("🪑 " + _("Grupo lleno. Personas en lista de espera: {n}").format(
                n=lugares.en_espera))
    return "\n".join(lineas)


def titulo_y_tarjeta_html(_: Traductor, zona: ZoneInfo, contenido: Contenido,
                          sesion: DatosDeSesion, *, con_enlace: bool = False,
                          lugares: ConCupo | None = None, ahora: datetime | None = None) -> str:
    """El nombre del curso en negritas y, debajo, su tarjeta."""
    nombre = escape(nombre_curso(_, contenido, sesion.curso_id))
    return f"<b>{nombre}</b>\n" + tarjeta_html(_, zona, contenido, sesion, con_enlace=con_enlace,
                                              lugares=lugares, ahora=ahora)


def _lineas_de_lugar(_: Traductor, contenido: Contenido, sesion: DatosDeSesion,
                     con_enlace: bool) -> list[str]:
    if sesion.modalidad == Modalidad.EN_LINEA:
        return [_linea_en_linea(_, sesion, con_enlace)]
    lineas = []
    lugar = donde(_, contenido, sesion)
    if lugar:
        lineas.append(f"📍 {escape(lugar)}")
    mapa = enlace_seguro(sesion.mapa_url)
    if mapa:
        lineas.append(f'🗺️ <a href="{escape(mapa)}">{escape(_("Ver en el mapa"))}</a>')
    return lineas


def _linea_en_linea(_: Traductor, sesion: DatosDeSesion, con_enlace: bool) -> str:
    if getattr(sesion, "estado", None) == EstadoSesion.CANCELADA:
        return "💻 " + _("En línea.")  # cancelada: ya no hay enlace que prometer ni dar
    if not con_enlace:
        return "💻 " + _("En línea. El enlace te lo doy cuando tengas tu lugar.")
    enlace = enlace_seguro(sesion.enlace)
    if enlace is None:
        return "💻 " + _("En línea. El enlace te llegará antes de la clase.")
    return "💻 " + _("En línea. Entra aquí:") + f' <a href="{escape(enlace)}">{escape(enlace)}</a>'


def ficha_personal_html(_: Traductor, zona: ZoneInfo, contenido: Contenido,
                        sesion: DatosDeSesion, *, cupo: int,
                        guardada: ConCupo | None = None) -> str:
    """La ficha que ve el personal: todo dato, con duración, modalidad, enlace y cupo.
    Con `guardada` (una sesión ya en la base) lleva inscritas, espera y si se canceló."""
    modalidad = NOMBRE_MODALIDAD.get(Modalidad(sesion.modalidad), sesion.modalidad)
    lineas = [f"<b>{escape(nombre_curso(_, contenido, sesion.curso_id))}</b>",
              "📅 " + fecha_y_hora(sesion.inicio, _, zona) + " · "
              + _("{n} min").format(n=sesion.duracion_min),
              "🏷️ " + _(modalidad),
              *_lineas_de_lugar(_, contenido, sesion, con_enlace=True)]
    if guardada is None:
        lineas.append("👥 " + _("Cupo {cupo}").format(cupo=cupo))
        return "\n".join(lineas)
    lineas.append("👥 " + _("Cupo {cupo} · inscritas {inscritas} · en espera {espera}").format(
        cupo=cupo, inscritas=guardada.inscritas, espera=guardada.en_espera))
    if guardada.estado == EstadoSesion.CANCELADA:
        lineas.append("❌ " + _("Sesión cancelada."))
    return "\n".join(lineas)


def etiqueta_boton_personal(_: Traductor, zona: ZoneInfo, contenido: Contenido,
                            sesion: ConCupo) -> str:
    """Para un botón del personal: «30/11 10:00 · Cooperativismo: lo básico (3/20)»; una
    cancelada empieza con «❌» y termina en «cancelada»."""
    local = sesion.inicio.astimezone(zona)
    curso = nombre_curso(_, contenido, sesion.curso_id)[:40]
    if sesion.estado == EstadoSesion.CANCELADA:
        return f"❌ {local:%d/%m %H:%M} · {curso} · " + _("cancelada")
    return f"{local:%d/%m %H:%M} · {curso} ({sesion.inscritas}/{sesion.cupo})"


def boton_fecha(_: Traductor, zona: ZoneInfo, contenido: Contenido, numero: int,
                sesion: DatosDeSesion) -> str:
    """«1. viernes 27 de noviembre, 12:00 p. m. · Puebla»: la fecha y dónde, en corto."""
    return (f"{numero}. {fecha_y_hora(sesion.inicio, _, zona)} · "
            f"{lugar_corto(_, contenido, sesion)}")


def evento(_: Traductor, contenido: Contenido, sesion: DatosDeSesion, sesion_id: int) -> Evento:
    """La sesión como evento de calendario (.ics), en texto simple."""
    curso = contenido.curso(sesion.curso_id)
    enlace = enlace_seguro(sesion.enlace) if sesion.modalidad == Modalidad.EN_LINEA else None
    partes = [texto_plano(_(curso.descripcion))] if curso else []
    if enlace:
        partes.append(_("Enlace de la clase: {enlace}").format(enlace=enlace))
    partes.append(_("Coopera Puebla: si ya no puedes ir, avísame en /mis_cursos."))
    return Evento(uid=f"sesion-{sesion_id}@coopera-puebla", inicio=sesion.inicio,
                  fin=fin(sesion), titulo=nombre_curso(_, contenido, sesion.curso_id),
                  lugar=donde(_, contenido, sesion), descripcion="\n\n".join(partes), url=enlace)


def texto_plano(html: str) -> str:
    return unescape(_ETIQUETA.sub("", html))


def _recortar(texto: str) -> str:
    texto = " ".join(texto.split())
    return texto if len(texto) <= LARGO_DATO_PERSONAL else texto[:LARGO_DATO_PERSONAL] + "…"
