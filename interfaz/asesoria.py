"""Piezas de la asesoría que comparten sus pantallas: la de la persona (handlers/asesoria.py),
la del personal en su grupo (handlers/grupo_asesoria.py) y en /bandeja
(conversaciones/bandeja.py), y /mis_datos: el horario dicho a la persona, la ficha y la
etiqueta de una conversación, y el resumen de sus mensajes."""

from __future__ import annotations

from datetime import datetime
from html import escape

from babel.dates import format_timedelta

from interfaz.respuestas import Boton
from nucleo.almacen.asesoria import ConversacionAsesoria, MensajeAsesoria
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_corta, fecha_y_hora
from nucleo.textos import NOMBRES_IDIOMAS, Traductor
from nucleo.vocabulario import (
    ICONO_TIPO_MENSAJE,
    NOMBRE_ESTADO_ASESORIA,
    NOMBRE_TIPO_MENSAJE,
    EstadoAsesoria,
    TipoMensaje,
)

LARGO_RESUMEN = 60


def boton_asesoria(_: Traductor) -> Boton:
    """El botón para escribirle a una persona asesora (menú, /ayuda, resultados...)."""
    return (_("💬 Hablar con una persona asesora"), "menu:asesoria")


def cuando_contestan(contexto: Contexto, _: Traductor) -> str:
    """Cuándo contesta el personal, en el idioma de la persona. Sin horario configurado, no
    se promete una hora."""
    horario = contexto.config.horario_asesoria
    if horario is None:
        return _("Una persona asesora te contesta aquí mismo en cuanto pueda.")
    texto = _("Una persona asesora te contesta aquí mismo, en horario de oficina "
              "({horario}).").format(horario=horario.describir(_))
    ahora, zona = contexto.reloj.ahora(), contexto.config.zona_horaria
    apertura = horario.siguiente_apertura(ahora, zona)
    if apertura != ahora:
        cerrada = _("La oficina está cerrada ahora. Abre otra vez el {cuando} y entonces te "
                    "contestan.")
        texto += " " + cerrada.format(cuando=fecha_y_hora(apertura, _, zona, ahora=ahora))
    return texto


def espera(_: Traductor, conversacion: ConversacionAsesoria, ahora: datetime) -> str:
    """«2 horas»: cuánto lleva esperando respuesta (vacío si no espera)."""
    transcurrido = conversacion.espera(ahora)
    if transcurrido is None:
        return ""
    return format_timedelta(transcurrido, locale=_.locale)


def quien(contexto: Contexto, _: Traductor, conversacion: ConversacionAsesoria) -> str:
    """«Ana · Puebla · #12» (texto plano, sin HTML)."""
    return contexto.asesoria.nombre_tema(conversacion)


def etiqueta_boton(contexto: Contexto, _: Traductor, conversacion: ConversacionAsesoria) -> str:
    """La conversación en la lista de /bandeja: 🔴 si espera respuesta, con cuánto lleva."""
    nombre = quien(contexto, _, conversacion)
    if conversacion.esperando:
        return f"🔴 {nombre} · " + _("espera {tiempo}").format(
            tiempo=espera(_, conversacion, contexto.reloj.ahora()))
    return f"🟢 {nombre}"


def ficha(contexto: Contexto, _: Traductor, conversacion: ConversacionAsesoria) -> str:
    """Para el personal: quién es, en qué estado va, cuánto espera y quién la atendió."""
    zona, ahora = contexto.config.zona_horaria, contexto.reloj.ahora()
    idioma = NOMBRES_IDIOMAS.get(conversacion.idioma or "", conversacion.idioma or "?")
    lineas = [
        f"<b>{escape(quien(contexto, _, conversacion))}</b>",
        _("Idioma: {idioma}").format(idioma=escape(idioma)),
        _("Estado: {estado}").format(estado=_(NOMBRE_ESTADO_ASESORIA[conversacion.estado])),
        _("Empezó: {fecha}").format(fecha=fecha_y_hora(conversacion.abierta_en, _, zona)),
    ]
    if conversacion.esperando:
        lineas.append(_("⏳ Espera respuesta desde hace {tiempo}.").format(
            tiempo=espera(_, conversacion, ahora)))
    if conversacion.atendida_por is not None and conversacion.atendida_en is not None:
        lineas.append(_("La atendió: {quien}, {fecha}").format(
            quien=_personal(_, conversacion.atendida_por),
            fecha=fecha_y_hora(conversacion.atendida_en, _, zona)))
    if conversacion.estado == EstadoAsesoria.CERRADA and conversacion.cerrada_en is not None:
        lineas.append(_("La cerró: {quien}, {fecha}").format(
            quien=_personal(_, conversacion.cerrada_por),
            fecha=fecha_y_hora(conversacion.cerrada_en, _, zona)))
    return "\n".join(lineas)


def _personal(_: Traductor, personal_id: int | None) -> str:
    return _("personal {id}").format(id=personal_id) if personal_id is not None else "?"


def resumen(_: Traductor, mensaje: MensajeAsesoria, largo: int = LARGO_RESUMEN) -> str:
    """Un mensaje en una línea: «💬 “Hola, quiero…”» o «🎤 nota de voz» (HTML escapado)."""
    icono = ICONO_TIPO_MENSAJE[mensaje.tipo]
    partes = [] if mensaje.tipo == TipoMensaje.TEXTO else [_(NOMBRE_TIPO_MENSAJE[mensaje.tipo])]
    if mensaje.archivo:
        partes.append(escape(mensaje.archivo))
    if mensaje.texto:
        texto = " ".join(mensaje.texto.split())
        if len(texto) > largo:
            texto = texto[:largo - 1].rstrip() + "…"
        partes.append(f"«{escape(texto)}»")
    return f"{icono} " + ", ".join(partes)


async def seccion_mis_datos(contexto: Contexto, _: Traductor, usuario_id: int) -> str:
    """Para /mis_datos: su conversación con asesoría (fechas, estado) y sus mensajes resumidos
    (los últimos). Vacío si nunca escribió a una persona asesora."""
    conversacion = await contexto.asesoria.de(usuario_id)
    if conversacion is None:
        return ""
    zona = contexto.config.zona_horaria
    mensajes = await contexto.asesoria.historial(conversacion.id, ultimos=10)
    lineas = [
        _("<b>Tu conversación con una persona asesora</b>"),
        _("Empezó el {fecha}. Estado: {estado}.").format(
            fecha=fecha_corta(conversacion.abierta_en, _, zona),
            estado=_(NOMBRE_ESTADO_ASESORIA[conversacion.estado])),
    ]
    if conversacion.estado == EstadoAsesoria.CERRADA and conversacion.cerrada_en is not None:
        lineas.append(_("Se cerró el {fecha}.").format(
            fecha=fecha_corta(conversacion.cerrada_en, _, zona)))
    lineas.append(_("Mensajes guardados: {n}.").format(n=conversacion.mensajes))
    if conversacion.mensajes > len(mensajes):
        lineas.append(_("Los últimos:"))
    for mensaje in mensajes:
        autor = _("Asesoría") if mensaje.del_personal else _("Tú")
        lineas.append(f"• {fecha_y_hora(mensaje.creado_en, _, zona)}, {autor}: "
                      + resumen(_, mensaje, 40))
    return "\n".join(lineas)
