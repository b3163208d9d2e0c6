"""Un resultado de la orientación como lo lee la persona: al terminarla (conversaciones/) y
entre la información general de los caminos (handlers/)."""

from __future__ import annotations

from html import escape

from nucleo.contenido import Resultado
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_corta
from nucleo.textos import Traductor


def texto_de_resultado(contexto: Contexto, _: Traductor, resultado: Resultado,
                       nombre: str, actividad: str) -> str:
    """El resultado con sus pasos, el aviso de que es una guía y sus fuentes."""
    huecos = {"nombre": escape(nombre), "actividad": escape(actividad)}
    pasos = "\n".join(f"{i}. {_(paso)}" for i, paso in enumerate(resultado.pasos, 1))
    fuentes = "\n".join(f"• {escape(fuente)}" for fuente in resultado.fuentes)
    revisado = fecha_corta(resultado.revisado, _, contexto.config.zona_horaria)
    titulo_pasos = _("Tus siguientes pasos")
    titulo_fuentes = _("Fuentes (revisadas el {fecha}):").format(fecha=revisado)
    return (
        f"<b>{_(resultado.titulo)}</b>\n\n{_(resultado.texto).format_map(huecos)}\n\n"
        f"<b>{titulo_pasos}</b>\n{pasos}\n\n"
        f"<i>{_(contexto.contenido.orientacion.aviso_guia)}</i>\n\n"
        f"{titulo_fuentes}\n{fuentes}"
    )
