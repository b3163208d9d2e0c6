"""Las cifras del programa en texto (mensajes que caben en un teléfono), CSV y gráfica PNG.

Todo lo que se muestra pasa por `Cuadro.mostrado` / `Promedio.mostrado` (nucleo/estadisticas.py):
aquí nunca se lee un número sin ocultar. matplotlib se importa solo al dibujar (backend Agg):
es pesado y el arranque del bot no lo necesita.
"""

from __future__ import annotations

import csv
import io
from html import escape

from nucleo.contenido import Contenido
from nucleo.estadisticas import (
    ETIQUETAS_ANUNCIOS,
    INDICADORES,
    NOMBRES_DESGLOSE,
    OCULTO,
    OCULTO_SEGUNDA,
    SIN_DATO,
    Cuadro,
    Informe,
)
from nucleo.perfil import etiqueta as etiqueta_perfil
from nucleo.tarjetas import nombre_curso
from nucleo.textos import N_, Traductor

LARGO_MENSAJE = 3500  # Telegram acepta 4096; queda margen para las etiquetas HTML
ESTADOS_ASESORIA = {"nueva": N_("Sin contestar"), "atendida": N_("Atendida"),
                    "cerrada": N_("Cerrada")}
CONSENTIMIENTO = {"aceptado": N_("Aceptaron"), "rechazado": N_("No aceptaron")}


def etiqueta(_: Traductor, contenido: Contenido, desglose: str, clave: str) -> str:
    """El nombre de una categoría, en el idioma de quien lee."""
    if clave == SIN_DATO:
        return _("Sin dato")
    if desglose == "total":
        return _("Total")
    if desglose in ("sexo", "rango_edad", "discapacidad", "lengua_indigena"):
        return _(etiqueta_perfil(desglose, clave) or clave)
    if desglose == "municipio":
        municipio = contenido.municipios.por_clave(clave)
        return municipio.nombre if municipio else clave
    if desglose == "consentimiento":
        return _(CONSENTIMIENTO.get(clave, clave))
    if desglose == "estado":
        return _(ESTADOS_ASESORIA.get(clave, clave))
    if desglose in ("anuncios", "mensajes", "alcanzadas"):
        return _(ETIQUETAS_ANUNCIOS.get(clave, clave))
    if desglose == "resultado":
        resultado = contenido.orientacion.resultados.get(clave)
        return _(resultado.titulo) if resultado else clave
    if desglose == "curso":
        return nombre_curso(_, contenido, clave)
    if desglose == "paso":
        paso = contenido.cooperativa.paso(clave)
        return _(paso.titulo) if paso else clave
    return clave


def _fecha(informe: Informe) -> str:
    return f"{informe.desde.isoformat()} – {informe.hasta.isoformat()}"


def _linea(_: Traductor, contenido: Contenido, cuadro: Cuadro) -> str:
    celdas, _total = cuadro.mostrado()
    partes = [f"{escape(etiqueta(_, contenido, cuadro.desglose, c))} {escape(v)}"
              for (c, _n), v in zip(cuadro.celdas, celdas, strict=True)]
    encabezado = escape(_(NOMBRES_DESGLOSE.get(cuadro.desglose, cuadro.desglose)))
    if cuadro.desglose in ("curso", "paso", "resultado", "municipio", "region"):
        return f"<i>{encabezado}</i>\n" + ("\n".join(f"• {p}" for p in partes) or "—")
    return f"<i>{encabezado}</i>: " + (" · ".join(partes) or "—")


def bloques_texto(_: Traductor, contenido: Contenido, informe: Informe) -> list[str]:
    """Un bloque por indicador (HTML), en el orden del informe."""
    bloques = [_("<b>Cifras del programa</b> ({periodo})\nLas cifras de 1 a 4 se muestran "
                 "«{oculto}»; «{segunda}» es otra cifra oculta para que la primera no se "
                 "pueda despejar del total.").format(periodo=_fecha(informe),
                                                      oculto=escape(OCULTO),
                                                      segunda=OCULTO_SEGUNDA)]
    for indicador in INDICADORES:
        cuadros = [c for c in informe.cuadros if c.indicador == indicador]
        promedios = [p for p in informe.promedios if p.indicador == indicador]
        if indicador == "anuncios" and not informe.anuncios_disponibles:
            bloques.append(f"<b>{escape(_(INDICADORES[indicador]))}</b>\n"
                           + _("Todavía no hay anuncios en el bot."))
            continue
        if not cuadros and not promedios:
            continue
        lineas = [f"<b>{escape(_(INDICADORES[indicador]))}</b>"]
        for cuadro in cuadros:
            if cuadro.desglose == "total":
                lineas[0] += ": " + escape(cuadro.mostrado()[0][0])
            elif cuadro.segunda_en_total:  # personas: su total es el de este desglose
                lineas[0] += ": " + escape(cuadro.mostrado()[1] or "")
                lineas.append(_linea(_, contenido, cuadro))
            else:
                lineas.append(_linea(_, contenido, cuadro))
        for promedio in promedios:
            nombre = (etiqueta(_, contenido, "curso", promedio.clave) if promedio.clave
                      else _("Todos"))
            lineas.append(f"• {escape(nombre)}: {escape(promedio.mostrado())}")
        bloques.append("\n".join(lineas))
    return bloques


def mensajes(_: Traductor, contenido: Contenido, informe: Informe) -> list[str]:
    """Los bloques juntos en mensajes que caben en Telegram (un bloque largo se parte por
    líneas)."""
    salida: list[str] = []
    actual = ""
    for bloque in bloques_texto(_, contenido, informe):
        for pedazo in _partir(bloque):
            if actual and len(actual) + 2 + len(pedazo) > LARGO_MENSAJE:
                salida.append(actual)
                actual = ""
            actual = f"{actual}\n\n{pedazo}" if actual else pedazo
    if actual:
        salida.append(actual)
    return salida


def _partir(bloque: str) -> list[str]:
    if len(bloque) <= LARGO_MENSAJE:
        return [bloque]
    pedazos, actual = [], ""
    for linea in bloque.split("\n"):
        if actual and len(actual) + 1 + len(linea) > LARGO_MENSAJE:
            pedazos.append(actual)
            actual = ""
        actual = f"{actual}\n{linea}" if actual else linea[:LARGO_MENSAJE]
    return [*pedazos, actual] if actual else pedazos


def csv_informe(_: Traductor, contenido: Contenido, informe: Informe) -> bytes:
    """Una fila por celda: periodo, indicador, desglose, clave, categoría y valor (ya con las
    cifras chicas ocultas). UTF-8 con BOM para que Excel respete los acentos."""
    salida = io.StringIO()
    escritor = csv.writer(salida)
    escritor.writerow(["desde", "hasta", "indicador", "nombre_indicador", "desglose",
                       "nombre_desglose", "clave", "categoria", "valor"])
    inicio = [informe.desde.isoformat(), informe.hasta.isoformat()]
    for cuadro in informe.cuadros:
        celdas, total = cuadro.mostrado()
        fila = [cuadro.indicador, _(INDICADORES[cuadro.indicador]), cuadro.desglose,
                _(NOMBRES_DESGLOSE.get(cuadro.desglose, cuadro.desglose))]
        for (clave, _n), valor in zip(cuadro.celdas, celdas, strict=True):
            escritor.writerow([*inicio, *fila, clave,
                               etiqueta(_, contenido, cuadro.desglose, clave), valor])
        if total is not None and cuadro.desglose != "total":
            escritor.writerow([*inicio, *fila, "total", _("Total"), total])
    for promedio in informe.promedios:
        escritor.writerow([*inicio, promedio.indicador, _(INDICADORES[promedio.indicador]),
                           "curso" if promedio.clave else "total",
                           _(NOMBRES_DESGLOSE["curso" if promedio.clave else "total"]),
                           promedio.clave or "total",
                           etiqueta(_, contenido, "curso", promedio.clave) if promedio.clave
                           else _("Total"), promedio.mostrado()])
    return ("\ufeff" + salida.getvalue()).encode("utf-8")


# Las gráficas: (indicador, desglose) de cada panel.
PANELES = (("consentimiento", "sexo"), ("consentimiento", "rango_edad"),
           ("orientaciones", "resultado"), ("inscripciones", "curso"),
           ("cooperativas", "paso"), ("asesoria", "estado"))
ANCHO_PX, ALTO_PX, DPI = 1200, 1500, 100


def png_informe(_: Traductor, contenido: Contenido, informe: Informe) -> bytes:
    """Barras horizontales de los desgloses principales. Una celda oculta no tiene barra: dice
    «<5»."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figura = Figure(figsize=(ANCHO_PX / DPI, ALTO_PX / DPI), dpi=DPI, layout="constrained")
    figura.suptitle(_("Cifras del programa") + f" ({_fecha(informe)})", fontsize=15)
    ejes = figura.subplots(3, 2)
    for eje, (indicador, desglose) in zip(ejes.flat, PANELES, strict=True):
        cuadro = informe.cuadro(indicador, desglose)
        titulo = _(INDICADORES[indicador])
        if desglose not in ("curso", "paso"):
            titulo += " · " + _(NOMBRES_DESGLOSE[desglose])
        eje.set_title(titulo, fontsize=11)
        if cuadro is None or not cuadro.celdas:
            eje.text(0.5, 0.5, _("Sin datos en el periodo"), ha="center", va="center",
                     transform=eje.transAxes)
            eje.set_axis_off()
            continue
        textos, _total = cuadro.mostrado()
        nombres = [_recortar(etiqueta(_, contenido, desglose, c)) for c, _n in cuadro.celdas]
        valores = [int(t) if t.isdigit() else 0 for t in textos]
        posiciones = list(range(len(nombres)))
        barras = eje.barh(posiciones, valores, color="#7b1e3a")
        eje.set_yticks(posiciones, nombres, fontsize=9)
        eje.invert_yaxis()
        eje.bar_label(barras, labels=textos, padding=3, fontsize=9)
        eje.margins(x=0.2)
        eje.spines[["top", "right"]].set_visible(False)
    salida = io.BytesIO()
    figura.savefig(salida, format="png", dpi=DPI)
    return salida.getvalue()


def _recortar(texto: str, largo: int = 28) -> str:
    return texto if len(texto) <= largo else texto[: largo - 1] + "…"
