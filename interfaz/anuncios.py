"""Lo que comparten las pantallas de anuncios del personal (el flujo conversaciones/anuncio.py y
los comandos de handlers/anuncios.py): a quién va un anuncio dicho en palabras, mandarlo tal
como lo verá la ciudadanía (la vista previa) y la ÚNICA tarjeta de avance con su informe final.

La tarjeta de avance es la misma en el mensaje que se edita en su lugar mientras sale el anuncio
y en /anuncios; el trabajo de avance (handlers/anuncios.py) solo la vuelve a mandar si cambió.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta
from babel.numbers import format_decimal, format_percent
from telegram import Bot, LinkPreviewOptions, Message
from telegram.constants import ParseMode

from interfaz.respuestas import Boton
from nucleo.anuncios import LARGO_PIE, LARGO_TEXTO, Anuncio, Audiencia, Avance, Borrador
from nucleo.contenido import Contenido
from nucleo.fechas import fecha_y_hora
from nucleo.tarjetas import nombre_curso
from nucleo.textos import N_, NOMBRES_IDIOMAS, Traductor
from nucleo.vocabulario import EstadoAnuncio, MedioAnuncio, TipoAudiencia

ANCHO_BARRA = 10
NOMBRE_TIPO = {
    TipoAudiencia.TODOS: N_("Todas las personas"),
    TipoAudiencia.MUNICIPIOS: N_("Por municipio"),
    TipoAudiencia.REGIONES: N_("Por región"),
    TipoAudiencia.CURSO: N_("Inscritas en un curso"),
    TipoAudiencia.SESION: N_("Inscritas en una sesión"),
    TipoAudiencia.PASO_COOPERATIVA: N_("Cooperativas en un paso"),
    TipoAudiencia.IDIOMA: N_("Por idioma"),
    TipoAudiencia.RESULTADO: N_("Por resultado de la orientación"),
}
NOMBRE_ESTADO = {
    EstadoAnuncio.PROGRAMADO: N_("🕒 Programado"),
    EstadoAnuncio.ENVIANDO: N_("📤 Enviando"),
    EstadoAnuncio.PAUSADO: N_("⏸️ En pausa"),
    EstadoAnuncio.CANCELADO: N_("❌ Cancelado"),
    EstadoAnuncio.TERMINADO: N_("✅ Terminado"),
}


def limite_de_texto(medio_tipo: MedioAnuncio | str | None) -> int:
    """Con foto o documento el texto va como pie (1024); sin medio, como mensaje (4096)."""
    return LARGO_PIE if medio_tipo else LARGO_TEXTO


# --- a quién va --------------------------------------------------------------------------------

def nombre_de_valor(_: Traductor, contenido: Contenido, tipo: TipoAudiencia, valor: str) -> str:
    """Un valor de la audiencia en palabras: el nombre del municipio, del curso, del paso..."""
    if tipo == TipoAudiencia.MUNICIPIOS:
        municipio = contenido.municipios.por_clave(valor)
        return municipio.nombre if municipio else valor
    if tipo == TipoAudiencia.CURSO:
        return nombre_curso(_, contenido, valor)
    if tipo == TipoAudiencia.SESION:
        return _("sesión {n}").format(n=valor)
    if tipo == TipoAudiencia.PASO_COOPERATIVA:
        paso = next((p for p in contenido.cooperativa.pasos if p.id == valor), None)
        return _(paso.titulo) if paso else valor
    if tipo == TipoAudiencia.IDIOMA:
        return NOMBRES_IDIOMAS.get(valor, valor)
    if tipo == TipoAudiencia.RESULTADO:
        resultado = contenido.orientacion.resultados.get(valor)
        return _(resultado.titulo) if resultado else valor
    return valor


def describir_audiencia(_: Traductor, contenido: Contenido, audiencia: Audiencia) -> str:
    """«Por municipio: Puebla, Atlixco» (en HTML, ya escapado)."""
    tipo = TipoAudiencia(audiencia.tipo)
    if tipo == TipoAudiencia.TODOS or not audiencia.valores:
        return escape(_(NOMBRE_TIPO[tipo]))
    nombres = ", ".join(nombre_de_valor(_, contenido, tipo, v) for v in audiencia.valores)
    return f"{escape(_(NOMBRE_TIPO[tipo]))}: {escape(nombres)}"


# --- mandarlo como lo verán --------------------------------------------------------------------

async def mandar_como_anuncio(bot: Bot, chat_id: int, borrador: Borrador) -> Message:
    """El anuncio tal como le llega a cada persona (mismo HTML, mismo medio, sin botones): la
    vista previa del personal. Igual que lo manda la cola de envíos (nucleo/envios.py)."""
    if borrador.medio_tipo == MedioAnuncio.FOTO:
        return await bot.send_photo(chat_id, borrador.medio_id, caption=borrador.texto,
                                    parse_mode=ParseMode.HTML)
    if borrador.medio_tipo == MedioAnuncio.DOCUMENTO:
        return await bot.send_document(chat_id, borrador.medio_id, caption=borrador.texto,
                                       parse_mode=ParseMode.HTML)
    return await bot.send_message(chat_id, borrador.texto, parse_mode=ParseMode.HTML,
                                  link_preview_options=LinkPreviewOptions(is_disabled=True))


# --- la tarjeta de avance ----------------------------------------------------------------------

def barra(hechos: int, total: int, ancho: int = ANCHO_BARRA) -> str:
    """▓▓▓▓░░░░░░: cuánto ya salió (lleno) de todo."""
    llenos = ancho if total <= 0 else min(ancho, hechos * ancho // total)
    return "▓" * llenos + "░" * (ancho - llenos)


def _n(_: Traductor, numero: float, formato: str = "#,##0") -> str:
    return format_decimal(numero, formato, locale=_.locale)


def _hechos(avance: Avance) -> int:
    return max(avance.total - avance.pendientes - avance.retenidos, 0)


def tarjeta_de_avance(_: Traductor, zona: ZoneInfo, anuncio: Anuncio, avance: Avance,
                      ahora: datetime) -> str:
    """La tarjeta de un anuncio: estado, barra, enviados, fallidos, bloqueos, sin confirmar,
    pendientes, ritmo y cuánto falta (o cuándo sale, si está programado)."""
    estado = EstadoAnuncio(avance.estado)
    lineas = [_("📣 <b>Anuncio {n}</b> · {estado}").format(
        n=anuncio.id, estado=_(NOMBRE_ESTADO[estado]))]
    if estado == EstadoAnuncio.PROGRAMADO:
        if anuncio.programado_para is not None:
            lineas.append(_("Sale el {cuando}.").format(
                cuando=fecha_y_hora(anuncio.programado_para, _, zona)))
        return "\n".join(lineas)
    hechos, total = _hechos(avance), avance.total
    fraccion = hechos / total if total else 1.0
    lineas.append(f"{barra(hechos, total)} {format_percent(fraccion, locale=_.locale)}")
    lineas.append(_("Enviados: {n} de {total}").format(n=_n(_, avance.enviados),
                                                       total=_n(_, total)))
    lineas.append(_("No se pudo: {fallidos} · Nos bloquearon: {bloqueos} · Sin confirmar: "
                    "{inciertos}").format(fallidos=_n(_, avance.fallidos),
                                          bloqueos=_n(_, avance.inalcanzables),
                                          inciertos=_n(_, avance.inciertos)))
    if estado in (EstadoAnuncio.ENVIANDO, EstadoAnuncio.PAUSADO):
        lineas.append(_("Pendientes: {n}").format(n=_n(_, avance.pendientes + avance.retenidos)))
    if estado == EstadoAnuncio.ENVIANDO:
        ritmo = avance.por_segundo(ahora)
        restantes = avance.segundos_restantes(ahora)
        falta = (format_timedelta(timedelta(seconds=restantes), locale=_.locale)
                 if restantes is not None else _("calculando…"))
        lineas.append(_("Ritmo: {ritmo} por segundo · Falta: {falta}").format(
            ritmo=_n(_, ritmo, "#,##0.0"), falta=falta))
    elif estado == EstadoAnuncio.PAUSADO:
        lineas.append(_("En pausa: no sale nada hasta que lo reanudes."))
    elif estado == EstadoAnuncio.CANCELADO and avance.cancelados:
        lineas.append(_("Ya no se mandaron: {n}").format(n=_n(_, avance.cancelados)))
    return "\n".join(lineas)


def botones_de_avance(_: Traductor, anuncio_id: int, estado: EstadoAnuncio | str) -> list[Boton]:
    """Los botones de la tarjeta: pausar o reanudar y cancelar mientras sale."""
    if estado == EstadoAnuncio.ENVIANDO:
        return [(_("⏸️ Pausar"), f"anuns:pausar:{anuncio_id}"),
                (_("❌ Cancelar"), f"anuns:cancelar:{anuncio_id}")]
    if estado == EstadoAnuncio.PAUSADO:
        return [(_("▶️ Reanudar"), f"anuns:reanudar:{anuncio_id}"),
                (_("❌ Cancelar"), f"anuns:cancelar:{anuncio_id}")]
    return []


def informe_final(_: Traductor, zona: ZoneInfo, anuncio: Anuncio, avance: Avance) -> str:
    """El informe a quien escribió el anuncio cuando termina (o se cancela)."""
    cancelado = avance.estado == EstadoAnuncio.CANCELADO
    titulo = (_("❌ <b>Anuncio {n} cancelado</b>") if cancelado
              else _("✅ <b>Anuncio {n} terminado</b>")).format(n=anuncio.id)
    lineas = [titulo, _.plural("Llegó a {n} de {total} persona.",
                               "Llegó a {n} de {total} personas.", avance.total).format(
        n=_n(_, avance.enviados), total=_n(_, avance.total))]
    if avance.fallidos:
        lineas.append(_.plural("A {n} persona no se le pudo entregar.",
                               "A {n} personas no se les pudo entregar.",
                               avance.fallidos).format(n=_n(_, avance.fallidos)))
    if avance.inalcanzables:
        lineas.append(_.plural("{n} persona bloqueó al bot: ya no le escribimos.",
                               "{n} personas bloquearon al bot: ya no les escribimos.",
                               avance.inalcanzables).format(n=_n(_, avance.inalcanzables)))
    if avance.inciertos:
        lineas.append(_.plural(
            "{n} sin confirmar: el bot se detuvo al mandarlo. Puede que sí le haya llegado; "
            "no se manda otra vez para no repetirlo.",
            "{n} sin confirmar: el bot se detuvo al mandarlos. Puede que sí les haya llegado; "
            "no se mandan otra vez para no repetirlos.", avance.inciertos).format(
            n=_n(_, avance.inciertos)))
    if avance.vencidos:
        lineas.append(_("Vencidos (tardaron demasiado): {n}").format(n=_n(_, avance.vencidos)))
    if avance.cancelados:
        lineas.append(_("Ya no se mandaron por la cancelación: {n}").format(
            n=_n(_, avance.cancelados)))
    if avance.iniciado_en is not None and avance.terminado_en is not None:
        duracion = max(avance.terminado_en - avance.iniciado_en, timedelta(0))
        lineas.append(_("Tardó {tiempo}.").format(
            tiempo=format_timedelta(duracion, locale=_.locale)))
    elif anuncio.programado_para is not None and avance.iniciado_en is None:
        lineas.append(_("Iba a salir el {cuando}; no salió.").format(
            cuando=fecha_y_hora(anuncio.programado_para, _, zona)))
    return "\n".join(lineas)
