"""El personal de la Secretaría y las cooperativas en formación: /cooperativas.

- La lista por municipio, clase o paso alcanzado (el primer paso que el grupo aún no termina),
  con las cuentas por paso (las mismas que usan las cifras del programa:
  `Cooperativas.cuentas_por_paso`).
- Un grupo: su ficha, sus personas, su avance y las asesorías anotadas; escribir a sus
  miembros y anotar una asesoría (conversaciones/cooperativa_personal.py).

Cada handler se registra envuelto en `interfaz.personal.solo_personal` (aplicacion.py).
"""

from __future__ import annotations

from html import escape

from telegram import Update

from interfaz.cooperativa import ficha, nombre_miembro, nombre_municipio, progreso, rol_de
from interfaz.paginas import navegacion, paginar, pie_pagina
from interfaz.personal import boton_menu_personal
from interfaz.respuestas import responder, teclado
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_y_hora
from nucleo.vocabulario import NOMBRE_CLASE, ClaseCooperativa

TERMINADO = "terminado"


async def resumen(update: Update, contexto: Contexto) -> None:
    """/cooperativas y pco:lista: cuántos grupos van en cada paso y los filtros."""
    _ = contexto.traductor
    cuentas = await contexto.cooperativas.cuentas_por_paso()
    total = sum(cuentas.values())
    lineas = [_("<b>Cooperativas en formación: {n}</b>").format(n=total),
              _("Cuántos grupos van en cada paso (el primero que les falta):")]
    for n, paso in enumerate(contexto.contenido.cooperativa.pasos, 1):
        lineas.append(f"{n}. {escape(_(paso.titulo))}: {cuentas.get(paso.id, 0)}")
    lineas.append(_("Camino completo: {n}").format(n=cuentas.get(TERMINADO, 0)))
    filas = [[(_("📋 Todas"), "pco:l:todo:-:0")],
             [(_("Por municipio"), "pco:f:mun"), (_("Por clase"), "pco:f:clase"),
              (_("Por paso"), "pco:f:paso")],
             [boton_menu_personal(_)]]
    await responder(update, "\n".join(lineas), teclado(*filas))


async def filtros(update: Update, contexto: Contexto) -> None:
    """pco:f:mun|clase|paso: los valores posibles de ese filtro."""
    _ = contexto.traductor
    campo = update.callback_query.data.removeprefix("pco:f:")
    if campo == "clase":
        opciones = [(_(NOMBRE_CLASE[c]), f"pco:l:clase:{c}:0") for c in ClaseCooperativa]
    elif campo == "paso":
        opciones = [(_(p.titulo)[:40], f"pco:l:paso:{p.id}:0")
                    for p in contexto.contenido.cooperativa.pasos]
        opciones.append((_("Camino completo"), f"pco:l:paso:{TERMINADO}:0"))
    else:
        claves = sorted({c.municipio_clave
                         for c in await contexto.almacen.cooperativas_en_formacion()})
        opciones = [(nombre_municipio(contexto, m)[:40], f"pco:l:mun:{m}:0") for m in claves]
    texto = _("Elige:") if opciones else _("Todavía no hay grupos.")
    await responder(update, texto, teclado(*[[o] for o in opciones], [("⬅️", "pco:lista")]))


async def lista(update: Update, contexto: Contexto) -> None:
    """pco:l:<campo>:<valor>:<página>: los grupos que cumplen el filtro."""
    _ = contexto.traductor
    _prefijo, _l, campo, valor, pagina = update.callback_query.data.split(":")
    grupos = await contexto.almacen.cooperativas_en_formacion(
        municipio_clave=valor if campo == "mun" else None,
        clase=valor if campo == "clase" else None)
    hechos = await contexto.almacen.pasos_hechos()
    alcanzado = {c.id: contexto.cooperativas.paso_alcanzado(hechos.get(c.id, set()))
                 for c in grupos}
    if campo == "paso":
        grupos = [c for c in grupos
                  if (alcanzado[c.id].id if alcanzado[c.id] else TERMINADO) == valor]
    visibles, pagina_real, total = paginar(grupos, int(pagina))
    filas = []
    for c in visibles:
        paso = alcanzado[c.id]
        etiqueta = f"{c.nombre} · {nombre_municipio(contexto, c.municipio_clave)} · " + (
            _(paso.titulo) if paso else _("completo"))
        filas.append([(etiqueta[:60], f"pco:g:{c.id}")])
    nav = navegacion(_, f"pco:l:{campo}:{valor}:{{p}}", pagina_real, total)
    texto = (_("<b>Grupos: {n}</b>").format(n=len(grupos))
             + pie_pagina(_, pagina_real, total))
    await responder(update, texto, teclado(*filas, nav, [("⬅️", "pco:lista")]))


async def grupo(update: Update, contexto: Contexto) -> None:
    """pco:g:ID: la ficha del grupo para el personal."""
    _ = contexto.traductor
    cooperativa_id = int(update.callback_query.data.removeprefix("pco:g:"))
    cooperativa = await contexto.almacen.cooperativa(cooperativa_id)
    if cooperativa is None:
        await responder(update, _("Ese grupo ya no existe."), teclado([("⬅️", "pco:lista")]))
        return
    zona = contexto.config.zona_horaria
    estados = await contexto.cooperativas.camino_del_grupo(cooperativa)
    miembros = await contexto.almacen.miembros(cooperativa_id)
    asesorias = await contexto.almacen.asesorias_cooperativa(cooperativa_id)
    lineas = [ficha(contexto, _, cooperativa),
              _("Avance: {barra}").format(barra=progreso(estados)), "",
              _("<b>Personas</b>")]
    lineas += [f"• {nombre_miembro(_, m)}{rol_de(_, m)}" for m in miembros]
    if asesorias:
        lineas += ["", _("<b>Asesorías anotadas</b>")]
        lineas += [f"• {fecha_y_hora(a.anotada_en, _, zona)}: {escape(a.acuerdos)}"
                   for a in asesorias[-5:]]
    filas = [[(_("✉️ Escribir a sus miembros"), f"pco:escribir:{cooperativa_id}")],
             [(_("📝 Anotar una asesoría"), f"pco:anotar:{cooperativa_id}")],
             [("⬅️", "pco:lista")]]
    await responder(update, "\n".join(lineas), teclado(*filas))
