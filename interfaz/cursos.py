"""Piezas de las pantallas de cursos de la ciudadanía que usan varias pantallas: pedir
permiso (aviso de privacidad) antes de inscribir, y la tarjeta de una sesión en el idioma
y la zona horaria de quien lee."""

from __future__ import annotations

from html import escape

from telegram import Update

from interfaz.respuestas import responder, teclado
from nucleo.almacen.cursos import Sesion
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_corta
from nucleo.tarjetas import cuando, nombre_curso, titulo_y_tarjeta_html
from nucleo.textos import Traductor


async def acepto(contexto: Contexto, telegram_id: int) -> bool:
    """Si la persona aceptó el aviso de privacidad (sin eso no se guarda nada suyo)."""
    persona = await contexto.almacen.persona(telegram_id)
    return persona is not None and persona.acepto


# En user_data: la fecha que la persona quería cuando se le pidió el aviso.
INSCRIPCION_PENDIENTE = "inscripcion_pendiente"
# «Avísame cuando haya fechas» pedido antes de aceptar el aviso: "-" (cualquier curso) o el id
# del curso. Al aceptar, el pedido se guarda solo (conversaciones/perfil.py).
AVISO_FECHAS_PENDIENTE = "aviso_fechas_pendiente"


async def pedir_permiso(update: Update, contexto: Contexto, *, editar: bool = False,
                        sesion_id: int | None = None) -> None:
    """Para inscribirse hace falta el aviso aceptado. Con `sesion_id`, la fecha que la persona
    quería queda pendiente: al terminar su perfil se le ofrece seguir con esa inscripción."""
    if sesion_id is not None:
        contexto.user_data[INSCRIPCION_PENDIENTE] = sesion_id
    _ = contexto.traductor
    texto = _("Para inscribirte necesito guardar tu nombre y tu lugar en la lista. "
              "Para eso pido tu permiso en el aviso de privacidad.")
    await responder(update, texto, teclado([(_("📄 Leer el aviso"), "aviso:leer")],
                                           [(_("📚 Seguir viendo cursos"), "cur:inicio")]),
                    editar=editar)


def tarjeta(contexto: Contexto, sesion: Sesion, *, con_enlace: bool = False,
            con_lugares: bool = False) -> str:
    """El nombre del curso y la tarjeta de la sesión, para quien escribe."""
    return titulo_y_tarjeta_html(contexto.traductor, contexto.config.zona_horaria,
                                 contexto.contenido, sesion, con_enlace=con_enlace,
                                 lugares=sesion if con_lugares else None)


def nombre_y_fecha(contexto: Contexto, _: Traductor, sesion: Sesion) -> tuple[str, str]:
    """(nombre del curso, «fecha de inicio a fin») en texto simple."""
    return (nombre_curso(_, contexto.contenido, sesion.curso_id),
            cuando(_, contexto.config.zona_horaria, sesion))


# --- «Avísame cuando haya fechas» (handlers/avisos_fechas.py) ---------------------------------

def boton_avisame(_: Traductor, curso_id: str | None = None) -> tuple[str, str]:
    """El botón para pedir un aviso cuando haya fechas: de un curso o (None) de cualquiera."""
    if curso_id is None:
        return (_("🔔 Avísame cuando haya fechas"), "cur:avisar:-")
    return (_("🔔 Avísame cuando haya fechas de este curso"), f"cur:avisar:{curso_id}")


async def seccion_avisos_de_fechas(contexto: Contexto, _: Traductor,
                                   telegram_id: int) -> tuple[str, list[tuple[str, str]]]:
    """Para /mis_datos: los avisos de fechas que pidió la persona (texto vacío si ninguno) y
    un botón para quitar cada uno."""
    pedidos = await contexto.almacen.pedidos_de_fechas(telegram_id)
    if not pedidos:
        return "", []
    zona = contexto.config.zona_horaria
    lineas, botones = [_("<b>Avisos de fechas que pediste</b>")], []
    for pedido in pedidos:
        if pedido.curso_id is None:
            nombre = _("cualquier curso")
        else:
            nombre = escape(nombre_curso(_, contexto.contenido, pedido.curso_id))
        lineas.append("• " + _("{curso} (lo pediste el {fecha})").format(
            curso=nombre, fecha=fecha_corta(pedido.creado_en, _, zona)))
        etiqueta = (_("🔕 Quitar el aviso de cualquier curso") if pedido.curso_id is None
                    else _("🔕 Quitar el aviso: {curso}").format(
                        curso=nombre_curso(_, contexto.contenido, pedido.curso_id)[:40]))
        botones.append((etiqueta, f"cur:noavisar:{pedido.curso_id or '-'}"))
    return "\n".join(lineas), botones
