"""Un resultado de la orientación como lo lee la persona: al terminarla (conversaciones/) y
entre la información general de los caminos (handlers/).

El resultado se parte en pantallas que caben en un teléfono (hasta `MAX_PANTALLA` caracteres,
por párrafos); cada una lleva «Ver más» hacia la siguiente (`info:camino:<id>:<pantalla>`), y
los botones de los cursos que nombra van en la última.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from html import escape

from telegram import InlineKeyboardMarkup, Update

from interfaz.asesoria import boton_asesoria
from interfaz.respuestas import boton_menu, responder, teclado
from nucleo.contenido import MAX_CURSOS_RESULTADO, MAX_PANTALLA, Curso, Extra, Resultado
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_corta
from nucleo.textos import Traductor

# Resultados que llevan a /cooperativa aunque su acción sea otra: el grupo chico (2 a 4
# personas) también se organiza ahí mientras crece.
RESULTADOS_DE_GRUPO = ("grupo_pequeno",)


def pantallas_de_resultado(contexto: Contexto, _: Traductor, resultado: Resultado,
                           nombre: str, respuestas: Mapping[str, str]) -> list[str]:
    """El resultado, sus extras (según las respuestas), sus pasos, el aviso de que es una guía
    y sus fuentes, en pantallas de hasta MAX_PANTALLA caracteres."""
    orientacion = contexto.contenido.orientacion
    extras = orientacion.extras_de(respuestas)
    actividad = orientacion.por_clave(respuestas).get("actividad")
    huecos = {"nombre": escape(nombre), "actividad": escape(actividad or "")}
    texto = _(resultado.texto)
    if not actividad:  # sin su idea (p. ej. en la información general): fuera esa línea
        texto = "\n".join(r for r in texto.split("\n") if "{actividad}" not in r)
    parrafos = [f"<b>{_(resultado.titulo)}</b>", *texto.format_map(huecos).split("\n\n")]
    for extra in extras:
        parrafos.extend(_(extra.texto).split("\n\n"))
    pasos = "\n".join(f"{i}. {_(paso)}" for i, paso in enumerate(resultado.pasos, 1))
    parrafos.append(f"<b>{_('Tus siguientes pasos')}</b>\n{pasos}")
    parrafos.append(f"<i>{_(orientacion.aviso_guia)}</i>")
    parrafos.extend(_fuentes(contexto, _, resultado, extras))
    return _agrupar(parrafos)


def _fuentes(contexto: Contexto, _: Traductor, resultado: Resultado,
             extras: list[Extra]) -> list[str]:
    """Un bloque por fecha de revisión: cada fuente lleva la fecha en que se revisó."""
    por_fecha: dict[datetime.date, list[str]] = {}
    for fuentes, revisado in [(resultado.fuentes, resultado.revisado),
                              *((e.fuentes, e.revisado) for e in extras)]:
        if revisado is None:
            continue
        lista = por_fecha.setdefault(revisado, [])
        lista.extend(f for f in fuentes if f not in lista)
    bloques = []
    for revisado, fuentes in sorted(por_fecha.items()):
        fecha = fecha_corta(revisado, _, contexto.config.zona_horaria)
        titulo = _("Fuentes (revisadas el {fecha}):").format(fecha=fecha)
        bloques.append(titulo + "\n" + "\n".join(f"• {escape(_(f))}" for f in fuentes))
    return bloques


def _agrupar(parrafos: list[str], maximo: int = MAX_PANTALLA) -> list[str]:
    """Junta párrafos en pantallas de hasta `maximo` caracteres sin partir ninguno."""
    pantallas: list[str] = []
    actual = ""
    for parrafo in parrafos:
        candidato = f"{actual}\n\n{parrafo}" if actual else parrafo
        if actual and len(candidato) > maximo:
            pantallas.append(actual)
            actual = parrafo
        else:
            actual = candidato
    if actual:
        pantallas.append(actual)
    return pantallas


def cursos_de_resultado(contexto: Contexto, resultado: Resultado,
                        respuestas: Mapping[str, str]) -> list[Curso]:
    """Los cursos que nombran el resultado y sus extras. Con poco tiempo (un extra con
    `cursos_breves`), solo los cortos o en línea, y se suman otros así del catálogo."""
    catalogo = contexto.catalogo.cursos  # los activos
    extras = contexto.contenido.orientacion.extras_de(respuestas)
    ids = [*resultado.cursos, *(c for e in extras for c in e.cursos)]
    nombrados = [c for i in dict.fromkeys(ids) if (c := contexto.catalogo.vigente(i))]
    horas = max((e.cursos_breves for e in extras), default=0)
    if horas:
        def breve(curso: Curso) -> bool:
            return curso.modalidad == "en_linea" or curso.duracion_horas <= horas
        temas = {c.tema for c in nombrados}
        otros = sorted((c for c in catalogo if breve(c) and c not in nombrados),
                       key=lambda c: c.tema not in temas)
        nombrados = [c for c in nombrados if breve(c)] + otros
    return nombrados[:MAX_CURSOS_RESULTADO]


def botones_de_resultado(contexto: Contexto, _: Traductor, resultado: Resultado,
                         respuestas: Mapping[str, str], pantalla: int, total: int,
                         *, de_orientacion: bool) -> InlineKeyboardMarkup:
    """«Ver más» si quedan pantallas; en la última, los cursos nombrados y los caminos."""
    if pantalla < total - 1:
        mas = _("➡️ Ver más ({n} de {total})").format(n=pantalla + 2, total=total)
        return teclado([(mas, f"info:camino:{resultado.id}:{pantalla + 1}")],
                       [boton_asesoria(_)])
    filas = [[("📘 " + _(c.nombre)[:56], f"cur:c:{c.id}:-:0")]
             for c in cursos_de_resultado(contexto, resultado, respuestas)]
    if not filas and resultado.siguiente_accion in ("cursos", "cooperativa"):
        filas.append([(_("📚 Ver los cursos"), "menu:cursos")])
    if resultado.siguiente_accion == "cooperativa" or resultado.id in RESULTADOS_DE_GRUPO:
        filas.append([(_("🤝 Organizar mi grupo"), "menu:cooperativa")])
    # Cada resultado dice que una persona asesora confirma los detalles: aquí está el camino.
    filas.append([boton_asesoria(_)])
    if de_orientacion:
        filas.append([(_("🔄 Hacer otra vez la orientación"), "or:nueva")])
    else:
        filas.append([(_("⬅️ Ver los otros caminos"), "info:caminos")])
    filas.append([boton_menu(_)])
    return teclado(*filas)


async def mostrar_resultado(update: Update, contexto: Contexto, resultado: Resultado,
                            nombre: str, respuestas: Mapping[str, str], pantalla: int = 0,
                            *, de_orientacion: bool, editar: bool = True) -> None:
    """Una pantalla del resultado con sus botones."""
    _ = contexto.traductor
    pantallas = pantallas_de_resultado(contexto, _, resultado, nombre, respuestas)
    pantalla = min(max(pantalla, 0), len(pantallas) - 1)
    botones = botones_de_resultado(contexto, _, resultado, respuestas, pantalla,
                                   len(pantallas), de_orientacion=de_orientacion)
    await responder(update, pantallas[pantalla], botones, editar=editar)
