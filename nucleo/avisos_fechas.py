"""«Avísame cuando haya fechas»: el aviso a quien lo pidió cuando el personal crea fechas.

Quien crea fechas (una sesión nueva o una importación, `nucleo/capacitacion.py` y
`nucleo/importacion.py`) llama a `avisos_de_fechas_nuevas` DENTRO de la misma transacción que
las guarda y encola lo que devuelve con esa misma conexión: si algo falla, no quedan fechas sin
aviso ni avisos de fechas que no existen. Los pedidos que se cumplen se borran ahí mismo.

Una persona recibe un solo aviso por operación aunque se creen muchas fechas (una importación
entera) o haya pedido varios cursos: el aviso nombra cada curso con fechas nuevas que pidió.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

import aiosqlite

from nucleo.almacen import Almacen
from nucleo.almacen.cursos import SesionNueva
from nucleo.contenido import Contenido
from nucleo.envios import EnvioNuevo
from nucleo.tarjetas import nombre_curso
from nucleo.textos import Textos

PRIORIDAD_FECHAS = 4  # después de los avisos personales, antes de recordatorios y anuncios
MAXIMO_DE_CURSOS = 6  # cuántos cursos nombra el aviso; los demás, «y N más»


async def avisos_de_fechas_nuevas(almacen: Almacen, bd: aiosqlite.Connection, textos: Textos,
                                  contenido: Contenido,
                                  creadas: Sequence[tuple[int, SesionNueva]]) -> list[EnvioNuevo]:
    """Los avisos a quienes esperaban fechas de los cursos de `creadas` ((id, sesión) recién
    guardadas en `bd`); toma (y borra) sus pedidos. Encolarlos con la misma `bd`."""
    if not creadas:
        return []
    primera_id = min(sesion_id for sesion_id, _sesion in creadas)
    ultimo_inicio: dict[str, datetime] = {}
    for _id, sesion in creadas:
        ultimo_inicio[sesion.curso_id] = max(ultimo_inicio.get(sesion.curso_id, sesion.inicio),
                                             sesion.inicio)
    orden = list(ultimo_inicio)  # los cursos en el orden en que llegaron
    por_persona: dict[int, tuple[str | None, set[str]]] = {}
    for pedido in await almacen.tomar_pedidos(bd, orden):
        idioma, cursos = por_persona.setdefault(pedido.telegram_id, (pedido.idioma, set()))
        cursos.update(orden if pedido.curso_id is None else (pedido.curso_id,))
    envios = []
    for telegram_id, (idioma, cursos) in por_persona.items():
        elegidos = [c for c in orden if c in cursos]
        envios.append(_aviso(textos, contenido, telegram_id, idioma, elegidos,
                             primera_id, max(ultimo_inicio[c] for c in elegidos)))
    return envios


def _aviso(textos: Textos, contenido: Contenido, telegram_id: int, idioma: str | None,
           cursos: list[str], primera_id: int, vence_en: datetime) -> EnvioNuevo:
    _ = textos.para(idioma)
    nombres = [f"• <b>{escape(nombre_curso(_, contenido, c))}</b>"
               for c in cursos[:MAXIMO_DE_CURSOS]]
    if len(cursos) > MAXIMO_DE_CURSOS:
        nombres.append(_("• y {n} más").format(n=len(cursos) - MAXIMO_DE_CURSOS))
    texto = (_("📅 <b>¡Ya hay fechas!</b> Me pediste que te avisara.") + "\n\n"
             + _.plural("Hay fechas nuevas de este curso:",
                        "Hay fechas nuevas de estos cursos:", len(cursos)) + "\n"
             + "\n".join(nombres) + "\n\n"
             + _("Inscríbete pronto: los lugares se acaban. Ya no te aviso otra vez."))
    if len(cursos) == 1:
        boton = (_("🗓️ Ver las fechas"), f"cur:c:{cursos[0]}:-:0")
    else:
        boton = (_("📚 Ver los cursos"), "cur:inicio")
    return EnvioNuevo(telegram_id, texto, f"fechas:{primera_id}:{telegram_id}",
                      botones=[[boton]], prioridad=PRIORIDAD_FECHAS, vence_en=vence_en)
