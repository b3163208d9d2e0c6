"""Los avisos que el bot manda solo, cada uno en el idioma de quien lo recibe.

Cada función arma un `EnvioNuevo` (texto, botones, clave única, prioridad y vencimiento); las
operaciones de `nucleo/capacitacion.py` y los recordatorios los encolan dentro de la misma
transacción del cambio que los provoca. La clave hace que el mismo aviso nunca salga dos veces.

Vencimiento (`vence_en`): si Telegram no responde, la cola reintenta hasta ese momento y luego
lo deja `vencido` sin mandarlo. Un aviso de una sesión sirve mientras la sesión no empieza:
el recordatorio, el lugar liberado y el cambio de fecha vencen al inicio de la sesión (la fecha
nueva); la cancelación, a la hora en que iba a empezar (después ya no evita que nadie vaya).
La encuesta vence a los días que diga quien la arma (`nucleo/capacitacion.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from nucleo.almacen.cursos import Promocion, Sesion
from nucleo.almacen.recordatorios import RecordatorioDebido
from nucleo.almacen.sesiones import Afectada
from nucleo.contenido import Contenido
from nucleo.envios import EnvioNuevo
from nucleo.fechas import cuando_es, fecha_corta
from nucleo.tarjetas import municipio, nombre_curso, titulo_y_tarjeta_html
from nucleo.textos import Traductor
from nucleo.vocabulario import EstadoInscripcion, Modalidad

# Prioridades de la cola: 0 lo más urgente.
PRIORIDAD_PERSONAL = 0  # un cambio que afecta a la persona: lugar, fecha, cancelación
PRIORIDAD_RECORDATORIO = 5
PRIORIDAD_ENCUESTA = 6  # después de avisos y recordatorios, antes de los anuncios
CARAS = ("😞", "🙁", "😐", "🙂", "😄")

# Un aviso a una persona afectada por un cambio en su sesión (fecha, cancelación).
Redactar = Callable[[Traductor, ZoneInfo, Contenido, Sesion, Afectada], EnvioNuevo]


def lugar_liberado(_: Traductor, zona: ZoneInfo, contenido: Contenido, sesion: Sesion,
                   ascenso: Promocion) -> EnvioNuevo:
    """A quien pasó de la lista de espera a tener lugar."""
    texto = (_("¡Buenas noticias! 🎉 Se liberó un lugar y ahora es tuyo:") + "\n\n"
             + titulo_y_tarjeta_html(_, zona, contenido, sesion, con_enlace=True) + "\n\n"
             + _("Si ya no puedes ir, avísame en /mis_cursos para que el lugar pase a otra "
                 "persona."))
    return EnvioNuevo(ascenso.telegram_id, texto, f"ascenso:{ascenso.inscripcion_id}",
                      botones=[[(_("🗓️ Ver mis cursos"), "mc:lista")]],
                      prioridad=PRIORIDAD_PERSONAL, vence_en=sesion.inicio)


def fecha_cambiada(_: Traductor, zona: ZoneInfo, contenido: Contenido, sesion: Sesion,
                   afectada: Afectada) -> EnvioNuevo:
    """La sesión cambió de fecha. La clave lleva la fecha nueva: otro cambio vuelve a avisar."""
    inscrita = afectada.estado == EstadoInscripcion.INSCRITA
    texto = (_("📅 <b>Cambió la fecha de tu curso.</b> Ahora es:") + "\n\n"
             + titulo_y_tarjeta_html(_, zona, contenido, sesion, con_enlace=inscrita) + "\n\n")
    if inscrita:
        texto += _("Tu lugar sigue apartado. Si ya no puedes ir, déjalo en /mis_cursos para "
                   "que pase a otra persona.")
    else:
        texto += _("Sigues en la lista de espera: te aviso si se libera un lugar.")
    clave = f"reprogramada:{sesion.id}:{sesion.inicio.isoformat()}:{afectada.inscripcion_id}"
    return EnvioNuevo(afectada.telegram_id, texto, clave,
                      botones=[[(_("🗓️ Ver mis cursos"), "mc:lista")]],
                      prioridad=PRIORIDAD_PERSONAL, vence_en=sesion.inicio)


def sesion_cancelada(_: Traductor, zona: ZoneInfo, contenido: Contenido, sesion: Sesion,
                     afectada: Afectada) -> EnvioNuevo:
    texto = (_("❌ <b>Se canceló esta sesión:</b>") + "\n\n"
             + titulo_y_tarjeta_html(_, zona, contenido, sesion, con_enlace=False) + "\n\n"
             + _("Perdón por las molestias. Puedes buscar otra fecha del curso."))
    return EnvioNuevo(afectada.telegram_id, texto,
                      f"cancelada:{sesion.id}:{afectada.inscripcion_id}",
                      botones=[[(_("📚 Buscar otros cursos"), "cur:inicio")]],
                      prioridad=PRIORIDAD_PERSONAL, vence_en=sesion.inicio)


def texto_de_recordatorio(_: Traductor, zona: ZoneInfo, contenido: Contenido,
                          debido: RecordatorioDebido, *, ahora: datetime | None = None) -> str:
    """«Tu curso es hoy a las 5:00 p. m. en Atlixco» (o «mañana», o su fecha; «en línea» si
    es en línea) y, debajo, la tarjeta completa. `ahora` es cuando se arma: con él se dice
    «hoy» o «mañana». El texto solo cambia por sesión, idioma y día: quien manda muchos lo
    calcula una vez."""
    cuando = escape(cuando_es(debido.inicio, _, zona, ahora=ahora))
    lugar = municipio(contenido, debido)
    if debido.modalidad == Modalidad.EN_LINEA:
        aviso = _("🔔 <b>Recordatorio:</b> tu curso es <b>{cuando}</b>, en línea.")
    elif lugar:
        aviso = _("🔔 <b>Recordatorio:</b> tu curso es <b>{cuando}</b> en {municipio}.")
    else:
        aviso = _("🔔 <b>Recordatorio:</b> tu curso es <b>{cuando}</b>, en persona.")
    return "\n".join([aviso.format(cuando=cuando, municipio=escape(lugar or "")), "",
                      titulo_y_tarjeta_html(_, zona, contenido, debido, con_enlace=True,
                                            ahora=ahora),
                      "", _("¿Vas a asistir?")])


def recordatorio(_: Traductor, debido: RecordatorioDebido, texto: str) -> EnvioNuevo:
    """El recordatorio antes de una sesión, con «Asistiré» y «Ya no puedo ir»."""
    botones = [[(_("✅ Asistiré"), f"rec:si:{debido.inscripcion_id}")],
               [(_("❌ Ya no puedo ir"), f"rec:no:{debido.inscripcion_id}")]]
    return EnvioNuevo(debido.telegram_id, texto, debido.clave, botones, PRIORIDAD_RECORDATORIO,
                      vence_en=debido.inicio)


def pregunta_de_encuesta(_: Traductor, zona: ZoneInfo, contenido: Contenido, sesion: Sesion,
                         telegram_id: int, inscripcion_id: int, *,
                         vence_en: datetime | None = None) -> EnvioNuevo:
    """La pregunta de satisfacción (1 a 5) a quien asistió; se manda una sola vez (y no
    después de `vence_en`)."""
    texto = _("¿Qué te pareció el curso <b>{curso}</b> del {fecha}?\n\n"
              "Elige un número: 1 es «nada bien» y 5 es «muy bien».").format(
        curso=escape(nombre_curso(_, contenido, sesion.curso_id)),
        fecha=fecha_corta(sesion.inicio, _, zona))
    botones = [[(f"{n} {cara}", f"enc:{inscripcion_id}:{n}") for n, cara in enumerate(CARAS, 1)]]
    return EnvioNuevo(telegram_id, texto, f"encuesta:{inscripcion_id}", botones=botones,
                      prioridad=PRIORIDAD_ENCUESTA, vence_en=vence_en)
