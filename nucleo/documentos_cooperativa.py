"""Los borradores de documentos de un grupo: el acta constitutiva y las bases constitutivas,
en PDF (fpdf2), con los datos del grupo y el nombre de cada miembro.

Son BORRADORES: cada página lo dice arriba y abajo, y piden revisarlos con una persona asesora
antes de firmar. Van en español (el idioma de los documentos legales), sea cual sea el idioma
de quien los pide. Lo que falta (domicilios, cargos, montos) queda con rayas para llenarlo.

Las fuentes de PDF de base (Helvetica) escriben latin-1: alcanza para el español (á, ñ, ü, ¿,
«»); lo que no cabe (emojis, otras escrituras en un nombre) se cambia por «?».
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nucleo.almacen.cooperativas import Cooperativa, Miembro
from nucleo.contenido import Contenido
from nucleo.fechas import fecha_corta
from nucleo.textos import Traductor
from nucleo.vocabulario import NOMBRE_CLASE

RAYA = "________________________"
_CAMBIOS = str.maketrans({"—": "-", "–": "-", "“": '"', "”": '"', "‘": "'", "’": "'",
                          "…": "...", "•": "-"})


def latin1(texto: str) -> str:
    """El texto tal como cabe en una fuente de base del PDF."""
    limpio = unicodedata.normalize("NFC", texto).translate(_CAMBIOS)
    return limpio.encode("latin-1", "replace").decode("latin-1")


@functools.cache
def _clase_borrador() -> type:
    """La clase de la hoja, hecha la primera vez que se pide un PDF: fpdf2 (con fontTools)
    tarda medio segundo en cargarse y solo lo usan estos borradores, no el arranque del bot."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class _Borrador(FPDF):
        """Una hoja con «BORRADOR» arriba y la advertencia abajo, en cada página."""

        def __init__(self, marca: str, pie: str) -> None:
            super().__init__(format="Letter")
            self._marca, self._pie = latin1(marca), latin1(pie)
            self.set_auto_page_break(auto=True, margin=20)
            self.set_title(self._marca)

        def header(self) -> None:
            self.set_font("Helvetica", "B", 11)
            self.set_text_color(180, 0, 0)
            self.cell(0, 8, self._marca, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0, 0, 0)
            self.ln(2)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "I", 8)
            self.multi_cell(0, 4, f"{self._pie} ({self.page_no()})", align="C")

        def titulo(self, texto: str) -> None:
            self.set_font("Helvetica", "B", 14)
            self.multi_cell(0, 7, latin1(texto), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(3)

        def seccion(self, texto: str) -> None:
            self.ln(2)
            self.set_font("Helvetica", "B", 11)
            self.multi_cell(0, 6, latin1(texto), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

        def parrafo(self, texto: str) -> None:
            self.set_font("Helvetica", "", 10)
            self.multi_cell(0, 5, latin1(texto), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)

    return _Borrador


def _nueva_hoja(marca: str, pie: str) -> Any:
    return _clase_borrador()(marca, pie)


def _comunes(_: Traductor, contenido: Contenido, cooperativa: Cooperativa, ahora: datetime,
             zona: ZoneInfo) -> tuple[Any, dict[str, str]]:
    municipio = contenido.municipios.por_clave(cooperativa.municipio_clave)
    datos = {
        "nombre": cooperativa.nombre, "actividad": cooperativa.actividad,
        "clase": _(NOMBRE_CLASE[cooperativa.clase]),
        "municipio": municipio.nombre if municipio else cooperativa.municipio_clave,
        "fecha": fecha_corta(ahora, _, zona), "raya": RAYA,
    }
    marca = _("BORRADOR - revísenlo con una persona asesora antes de firmar")
    pie = _("Borrador hecho por Coopera Puebla el {fecha} con los datos del grupo. No tiene "
            "validez hasta revisarlo con una persona asesora y firmarlo.").format(**datos)
    return _nueva_hoja(marca, pie), datos


def _firmas(pdf: Any, _: Traductor, miembros: Sequence[Miembro]) -> None:
    for numero, miembro in enumerate(miembros, 1):
        pdf.parrafo(_("{n}. {nombre}\n   Domicilio: {raya}   Identificación: {raya}\n"
                      "   Firma: {raya}").format(n=numero, nombre=miembro.nombre or "?",
                                                  raya=RAYA))


def acta_constitutiva(_: Traductor, contenido: Contenido, cooperativa: Cooperativa,
                      miembros: Sequence[Miembro], ahora: datetime, zona: ZoneInfo) -> bytes:
    """El borrador del acta de la asamblea constitutiva, con cada miembro para firmar."""
    pdf, datos = _comunes(_, contenido, cooperativa, ahora, zona)
    pdf.add_page()
    pdf.titulo(_("Acta constitutiva de la sociedad cooperativa «{nombre}» (BORRADOR)")
               .format(**datos))
    pdf.parrafo(_("En el municipio de {municipio}, Puebla, el día {raya}, se reunieron en "
                  "asamblea general constitutiva las personas que firman esta acta, para "
                  "constituir una sociedad cooperativa.").format(**datos))
    pdf.seccion(_("Datos de la cooperativa"))
    pdf.parrafo(_("Nombre propuesto: {nombre}, S.C. de R.L. o S.C. de R.S. (según la "
                  "responsabilidad que acuerden)\nClase: {clase}\nActividad: {actividad}\n"
                  "Domicilio: {municipio}, Puebla").format(**datos))
    pdf.seccion(_("I. Personas socias fundadoras"))
    _firmas(pdf, _, miembros)
    pdf.seccion(_("II. Personas electas para los consejos y comisiones"))
    pdf.parrafo(_("Consejo de Administración: {raya}\nConsejo de Vigilancia: {raya}\n"
                  "Comisión de Educación Cooperativa: {raya}").format(**datos))
    pdf.seccion(_("III. Bases constitutivas"))
    pdf.parrafo(_("La asamblea aprueba las bases constitutivas que se anexan a esta acta."))
    pdf.seccion(_("Notas para revisar con la persona asesora"))
    pdf.parrafo(_("- Ley General de Sociedades Cooperativas, arts. 12 y 13. La reforma de 2025 "
                  "cambió la constitución y el registro: pregunten en /asesoria cómo se hace "
                  "hoy.\n- Cada persona socia paga al menos el 10 por ciento de su aportación "
                  "al constituirse (arts. 49 a 51)."))
    return bytes(pdf.output())


def bases_constitutivas(_: Traductor, contenido: Contenido, cooperativa: Cooperativa,
                        miembros: Sequence[Miembro], ahora: datetime, zona: ZoneInfo) -> bytes:
    """El borrador de las bases: cada tema que pide la ley, con los datos que ya hay."""
    pdf, datos = _comunes(_, contenido, cooperativa, ahora, zona)
    pdf.add_page()
    pdf.titulo(_("Bases constitutivas de la sociedad cooperativa «{nombre}» (BORRADOR)")
               .format(**datos))
    secciones = [
        (_("1. Nombre y domicilio"),
         _("Nombre: {nombre}, S.C. de R.L. o S.C. de R.S.\nDomicilio: {municipio}, Puebla.")),
        (_("2. Objeto"),
         _("La cooperativa es de la clase: {clase}. Su actividad: {actividad}.")),
        (_("3. Responsabilidad"),
         _("Limitada (cada persona responde solo con sus certificados) o suplementada (responde "
           "además hasta un monto fijo): {raya}.")),
        (_("4. Capital y certificados de aportación"),
         _("Valor de cada certificado: {raya}. Todos valen lo mismo y llevan el nombre de su "
           "dueña o dueño. Cada persona tiene al menos uno y paga al menos el 10 por ciento al "
           "constituirse. Cómo se paga el resto y cómo se devuelve: {raya}. Cómo se valoran "
           "los bienes o el trabajo que se aportan: {raya}.")),
        (_("5. Entrada, salida y exclusión de personas socias"),
         _("Requisitos para entrar: {raya}. Cómo se sale por voluntad propia: {raya}. Causas "
           "de exclusión: {raya}.")),
        (_("6. Fondos sociales"),
         _("Fondo de reserva, fondo de previsión social y fondo de educación cooperativa. "
           "Porcentajes (confírmenlos con la persona asesora): {raya}.")),
        (_("7. Áreas de trabajo y educación cooperativa"), _("Cuáles son: {raya}.")),
        (_("8. Año de trabajo y libros"), _("Fechas del ejercicio social: {raya}. Libros que "
                                            "se llevan: {raya}.")),
        (_("9. Garantía de quienes manejan dinero"), _("Monto de la caución: {raya}.")),
        (_("10. Asambleas"),
         _("La asamblea ordinaria se hace al menos una vez al año. La extraordinaria, cuando "
           "la pidan las personas socias que digan estas bases: {raya}. Cada persona tiene un "
           "voto.")),
        (_("11. Derechos y obligaciones"),
         _("Derechos y obligaciones de las personas socias, y cómo se resuelven los "
           "desacuerdos (conciliación y arbitraje): {raya}.")),
        (_("12. Dirección y administración"),
         _("Consejo de Administración, Consejo de Vigilancia y Comisión de Educación "
           "Cooperativa (o, si son 10 personas o menos, lo que confirme la persona asesora): "
           "{raya}.")),
    ]
    for titulo, texto in secciones:
        pdf.seccion(titulo)
        pdf.parrafo(texto.format(**datos))
    pdf.seccion(_("Personas socias que aprueban estas bases"))
    _firmas(pdf, _, miembros)
    pdf.seccion(_("Notas para revisar con la persona asesora"))
    pdf.parrafo(_("- Ley General de Sociedades Cooperativas, art. 16 (contenido de las bases; "
                  "numeración por confirmar tras la reforma de 2025)."))
    return bytes(pdf.output())
